"""The OpenAPI schema validates, and the live API keeps to it (schemathesis).

Schemathesis sends a bounded number of generated requests to every operation
(through the WSGI application, in the test's database) as the facilitator,
who may read and write everything: no answer may be a 500, and every answer
must match the schema (status code, content type, body).
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import token_for

#: Examples per operation: ~30 operations x this stays well under a minute.
EXAMPLES = 5


def schema_document() -> dict:
    response = APIClient().get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    return json.loads(response.content)


@pytest.mark.django_db
def test_schema_is_valid_openapi_3():
    document = schema_document()
    validate(document)
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    assert "/api/v1/programmes/{slug}/people/" in paths
    assert paths["/api/v1/programmes/{slug}/people/"]["get"]["responses"]["404"]
    assert document["components"]["securitySchemes"]["token"]["in"] == "header"


@pytest.mark.django_db
def test_docs_page_uses_only_our_own_static_files(client):
    page = client.get("/api/v1/docs/").content.decode()
    assert "swagger-ui-bundle.js" in page
    assert "http://" not in page.replace("http://testserver", "")
    assert "https://" not in page


@pytest.fixture
def connections_kept_open(monkeypatch):
    """Calling the WSGI application sends request_started/finished, whose handler
    closes a connection whose autocommit differs from its settings: inside the
    test's transaction on PostgreSQL that closes the test's own connection and
    every later query fails. Django's test client avoids it the same way: the
    connection is kept for the length of the test."""
    from django.db import connections

    for alias in connections:
        monkeypatch.setattr(connections[alias], "close_if_unusable_or_obsolete", lambda: None)


@pytest.mark.django_db
def test_api_keeps_to_its_schema(world, connections_kept_open):
    schema = schemathesis.openapi.from_dict(schema_document())
    app = get_wsgi_application()
    headers = {"Authorization": f"Token {token_for(world.users['facilitator'])}"}
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def keeps_to_schema(case):
            # {slug} generated at random reaches nothing: pin the world's programme.
            if "slug" in (case.path_parameters or {}):
                case.path_parameters["slug"] = world.programme.slug
            case.call_and_validate(app=app, headers=headers, checks=checks)

        keeps_to_schema()


@pytest.mark.django_db
def test_feeds_keep_to_their_schema_on_real_tables(world, tmp_path, connections_kept_open):
    """The fuzzed {table}, {id} and {repeat} above reach nothing (404s): here they are
    pinned to a real table, survey and repeat, so the 200s are checked against the
    schema too (CSV content type, the JSON feed's body) while the query is fuzzed."""
    from tests.evidence.conftest import fill
    from tests.surveys.test_repeats import answered_follow_ups

    fill(world)
    survey = answered_follow_ups(world, tmp_path)
    schema = schemathesis.openapi.from_dict(schema_document())
    app = get_wsgi_application()
    headers = {"Authorization": f"Token {token_for(world.users['facilitator'])}"}
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    pinned = {"slug": world.programme.slug, "table": "people", "id": survey.pk, "repeat": "peers"}
    operations = [
        op
        for op in (result.ok() for result in schema.get_all_operations())
        if op.path.startswith("/api/v1/feeds/")
    ]
    assert len(operations) == 8  # with the programme's $metadata
    statuses: set[int] = set()

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES * 2,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def keeps_to_schema(case):
            for name in case.path_parameters or {}:
                case.path_parameters[name] = pinned[name]
            response = case.call_and_validate(app=app, headers=headers, checks=checks)
            statuses.add(response.status_code)

        keeps_to_schema()
    assert {200, 400} <= statuses
