"""A permission test for every evidence page, with every persona.

The dashboard and the report: the programme's facilitators and evaluators.
The data package: those too, and a facilitator of some cohorts (a package of
those cohorts). A build is its requester's only: anyone else gets 404.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from peerlearn.evidence import urls as evidence_urls
from peerlearn.evidence.models import PackageBuild
from tests.programmes.test_permissions import PERSONAS, expect, request_as

READERS = {"facilitator", "evaluator"}
PACKAGERS = READERS | {"module_facilitator"}


def url(name, args=lambda w: []):
    return lambda w: reverse(f"evidence:{name}", args=[w.programme.slug, *args(w)])


def _build_of(persona, status="done"):
    def make(w):
        return PackageBuild.objects.create(
            programme=w.programme,
            requested_by=w.users[persona],
            status=status,
            archive=b"PK\x05\x06" + b"\0" * 18,
        ).pk

    return make


CASES = [
    ("evidence:dashboard", url("dashboard"), "get", expect(READERS)),
    ("evidence:report", url("report"), "get", expect(READERS)),
    ("evidence:report_pdf", url("report_pdf"), "get", expect(READERS)),
    ("evidence:package", url("package"), "get", expect(PACKAGERS)),
    ("evidence:package_start", url("package_start"), "post", expect(PACKAGERS, ok=302)),
    (
        "evidence:package_status of the facilitator's build",
        url("package_status", lambda w: [_build_of("facilitator")(w)]),
        "get",
        {**expect({"facilitator"}), "evaluator": 404, "module_facilitator": 404},
    ),
    (
        "evidence:package_status of the module facilitator's build",
        url("package_status", lambda w: [_build_of("module_facilitator")(w)]),
        "get",
        {**expect({"module_facilitator"}), "evaluator": 404, "facilitator": 404},
    ),
    (
        "evidence:package_download of the evaluator's build",
        url("package_download", lambda w: [_build_of("evaluator")(w)]),
        "get",
        {**expect({"evaluator"}), "facilitator": 404, "module_facilitator": 404},
    ),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "url", "method", "expected"), CASES, ids=[c[0] for c in CASES])
def test_view_permissions(world, login, persona, name, url, method, expected):
    request_as(world, login, persona, name, url, method, expected)


def test_every_view_has_a_permission_case():
    covered = {name.split(" ")[0] for name, *_ in CASES}
    for pattern in evidence_urls.urlpatterns:
        assert f"evidence:{pattern.name}" in covered, pattern.name
