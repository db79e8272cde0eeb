"""Flat feeds: the data package's tables, live, as CSV and OData-style JSON.

The feeds apply no rule of their own: each CSV feed is compared byte for byte
with the same reader's package file, so columns, pseudonyms, suppression and
scope are the package's (tests/evidence/ keeps those).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from rest_framework.test import APIClient

from peerlearn.api import odata
from peerlearn.audit.models import AuditEvent
from peerlearn.core.tabular import pseudonym
from peerlearn.evidence.datapackage import build_package
from tests.api.conftest import token_for
from tests.evidence.conftest import fill
from tests.evidence.test_cohort_package import fill_module
from tests.surveys.test_exports import body_of, export_url
from tests.surveys.test_repeats import answered_follow_ups

READERS = ("facilitator", "evaluator", "module_facilitator")


@pytest.fixture
def filled(world):
    world.made = fill(world)
    world.module_made = fill_module(world)
    return world


def client_of(user, **fields) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user, **fields)}")
    return client


def table_url(world, name, fmt="csv", query=""):
    return f"/api/v1/feeds/{world.programme.slug}/{name}.{fmt}{query}"


def survey_url(survey, fmt="csv", query=""):
    return f"/api/v1/feeds/surveys/{survey.pk}/responses.{fmt}{query}"


def body(response) -> bytes:
    return body_of(response)


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body(response).decode("utf-8"))))


def values(client, url) -> list[dict]:
    """Every row of a JSON feed, following ``@odata.nextLink``."""
    out, page = [], url
    while page:
        response = client.get(page)
        assert response.status_code == 200, body(response)[:300]
        document = json.loads(body(response))
        out += document["value"]
        page = document.get("@odata.nextLink")
    return out


@pytest.mark.parametrize("persona", READERS)
def test_every_csv_feed_is_the_package_file_byte_for_byte(filled, tmp_path, persona):
    world = filled
    out = tmp_path / persona
    build_package(world.programme, world.users[persona], out)
    client = client_of(world.users[persona])
    files = sorted((out / "data").glob("*.csv"))
    assert len(files) >= 10
    for path in files:
        response = client.get(table_url(world, path.stem))
        assert response.status_code == 200, (path.stem, body(response)[:200])
        assert response.streaming and response["Content-Type"] == "text/csv; charset=utf-8"
        assert body(response) == path.read_bytes(), path.stem
    # nothing beyond the package: a table another reader has is a 404 here
    if persona == "module_facilitator":
        assert client.get(table_url(world, "organisational_outcomes")).status_code == 404
        event_survey = world.made["pulse"]
        assert client.get(table_url(world, f"survey_{event_survey.pk}")).status_code == 404
        assert client.get(survey_url(event_survey)).status_code == 404


def test_json_feed_holds_the_csv_rows_typed(filled):
    world = filled
    client = client_of(world.users["facilitator"])
    for name in ("people", "sessions", "memberships", "check_ins"):
        header, *lines = rows_of(client.get(table_url(world, name)))
        records = values(client, table_url(world, name, "json"))
        assert [list(r) for r in records] == [header] * len(lines)
        assert len(records) == len(lines)
    sessions = values(client, table_url(world, "sessions", "json"))
    assert {type(s["present"]) for s in sessions} == {int}
    assert {type(s["plenary"]) for s in sessions} == {bool}
    assert all(s["starts_at"].endswith("Z") for s in sessions)


def test_top_skip_count_and_next_links(filled, monkeypatch):
    world = filled
    client = client_of(world.users["facilitator"])
    everyone = values(client, table_url(world, "people", "json"))
    assert len(everyone) == 7
    first = json.loads(body(client.get(table_url(world, "people", "json", "?$top=2&$count=true"))))
    assert first["@odata.count"] == 7 and first["value"] == everyone[:2]
    assert "@odata.nextLink" not in first  # the caller asked for two, and got them
    skipped = json.loads(body(client.get(table_url(world, "people", "json", "?$skip=5"))))
    assert skipped["value"] == everyone[5:] and "@odata.count" not in skipped
    assert (
        json.loads(body(client.get(table_url(world, "people", "json", "?$skip=99"))))["value"] == []
    )
    # server pages: three rows a response, the rest behind @odata.nextLink
    monkeypatch.setattr(odata, "PAGE_ROWS", 3)
    page = json.loads(body(client.get(table_url(world, "people", "json", "?$top=5"))))
    assert page["value"] == everyone[:3]
    assert page["@odata.nextLink"].endswith("$skip=3&$top=2".replace("$", "%24"))
    assert values(client, table_url(world, "people", "json", "?$top=5")) == everyone[:5]
    assert values(client, table_url(world, "people", "json")) == everyone
    exact = json.loads(body(client.get(table_url(world, "people", "json", "?$skip=4"))))
    assert exact["value"] == everyone[4:] and "@odata.nextLink" not in exact


@pytest.mark.parametrize(
    "query",
    [
        "?$top=-1",
        "?$top=1.5",
        "?$top=ten",
        "?$top=%EF%BC%91",  # a full-width digit: isdigit() says yes, int() too
        "?$top=99999999999999999999999",
        "?$skip=x",
        "?$count=yes",
        "?$filter=person eq 'x'",
        "?$orderby=person",
        "?format=csv",
    ],
)
def test_bad_query_options_are_400_in_the_error_shape(filled, query):
    world = filled
    client = client_of(world.users["evaluator"])
    for url in (
        table_url(world, "people", "json", query),
        survey_url(world.made["pulse"], "json", query),
    ):
        response = client.get(url)
        assert response.status_code == 400, (url, body(response)[:200])
        error = response.json()["error"]
        assert error["status"] == 400 and error["code"] in ("invalid", "unknown_filter")
        assert error["fields"]


@pytest.mark.parametrize("query", ["?$top=1", "?values=numbers", "?split=2", "?colour=red"])
def test_csv_feeds_refuse_what_they_do_not_understand(filled, query):
    world = filled
    client = client_of(world.users["facilitator"])
    url = (
        table_url(world, "people", "csv", query)
        if query == "?$top=1"
        else survey_url(world.made["pulse"], "csv", query)
    )
    response = client.get(url)
    assert response.status_code == 400
    assert response.json()["error"]["code"] in ("invalid", "unknown_filter")


def test_survey_feed_is_the_export_with_the_package_person_ids(filled):
    world = filled
    client = client_of(world.users["evaluator"])
    contact = world.made["contact"]
    header, *lines = rows_of(client.get(survey_url(contact, query="?values=codes")))
    at = header.index("_pseudonym")
    people = {pseudonym(world.programme, p.pk) for p in world.people.values()}
    assert len(lines) == 5 and {line[at] for line in lines} <= people
    labels = rows_of(client.get(survey_url(world.made["pulse"])))
    codes = rows_of(client.get(survey_url(world.made["pulse"], query="?values=codes")))
    assert labels[0] == codes[0] and labels[1:] != codes[1:]
    # the survey's own download gives the same rows (its own pseudonyms aside)
    login = APIClient()
    login.force_login(world.users["evaluator"])
    # The pulse asks a repeat ("whom did you learn from"), so its export is a zip of
    # linked tables; the feed is its main table.
    archive = zipfile.ZipFile(io.BytesIO(body(login.get(export_url(world.made["pulse"])))))
    main_name = min(archive.namelist(), key=len)
    export = list(csv.reader(io.StringIO(archive.read(main_name).decode("utf-8-sig"))))
    assert export == labels
    small = client.get(survey_url(world.made["small"]))
    assert rows_of(small)[1:] == [] and "fewer than" in small["X-Peerlearn-Suppressed"]


def test_repeat_feeds_are_the_exports_linked_tables(world, tmp_path, login):
    survey = answered_follow_ups(world, tmp_path)
    client = client_of(world.users["facilitator"])
    main = rows_of(client.get(survey_url(survey, query="?values=codes")))
    peers_url = f"/api/v1/feeds/surveys/{survey.pk}/repeats/peers.csv?values=codes"
    peers = rows_of(client.get(peers_url))
    archive = zipfile.ZipFile(
        io.BytesIO(
            body(login(world.users["facilitator"]).get(export_url(survey, query="?values=codes")))
        )
    )
    exported = {
        name: list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
        for name in archive.namelist()
    }
    main_name, peers_name = sorted(exported, key=len)
    assert main == exported[main_name] and peers == exported[peers_name]
    assert peers[0][:2] == ["_index", "_parent_index"]
    responses = {row[0] for row in main[1:]}
    assert {row[1] for row in peers[1:]} <= responses
    as_json = values(client, peers_url.replace(".csv", ".json"))
    assert [r["_index"] for r in as_json] == list(range(1, len(peers)))
    assert client.get(f"/api/v1/feeds/surveys/{survey.pk}/repeats/nothing.csv").status_code == 404
    index = client.get("/api/v1/feeds/").json()["feeds"]
    repeat = next(f for f in index if f["kind"] == "repeat")
    assert repeat["csv"].endswith(f"/feeds/surveys/{survey.pk}/repeats/peers.csv")


def test_the_index_lists_every_feed_of_the_callers_package(filled, tmp_path):
    world = filled
    for persona in READERS:
        out = tmp_path / persona
        build_package(world.programme, world.users[persona], out)
        client = client_of(world.users[persona])
        feeds = client.get("/api/v1/feeds/").json()["feeds"]
        tables = {f["name"] for f in feeds if f["kind"] == "table"}
        assert tables == {p.stem for p in (out / "data").glob("*.csv")}, persona
        surveys = {f["survey"] for f in feeds if f["kind"] == "survey"}
        with (out / "data" / "surveys.csv").open(encoding="utf-8") as handle:
            packaged = {int(row["id"]) for row in csv.DictReader(handle)}
        assert surveys == packaged and surveys, persona
        for feed in feeds:
            assert feed["csv"].startswith("http://testserver/api/v1/feeds/")
            assert feed["json"].endswith(".json")
        people = next(f for f in feeds if f["name"] == "people")
        assert {"name": "is_external", "type": "boolean"}.items() <= people["columns"][6].items()
    module = client_of(world.users["module_facilitator"]).get("/api/v1/feeds/").json()["feeds"]
    assert {f["survey"] for f in module if f["kind"] == "survey"} == {
        world.module_made["survey"].pk
    }


@pytest.mark.parametrize("persona", ["participant", "peer", "observer", "outsider"])
def test_members_without_a_package_get_no_feed(filled, persona):
    world = filled
    client = client_of(world.users[persona])
    feeds = client.get("/api/v1/feeds/").json()["feeds"]
    assert world.programme.slug not in {f["programme"] for f in feeds}
    if persona == "outsider":  # facilitates the other programme: its feeds only
        assert {f["programme"] for f in feeds} == {world.other_programme.slug}
    else:
        assert feeds == []
    expected = 404 if persona == "outsider" else 403
    assert client.get(table_url(world, "people")).status_code == expected
    assert client.get(survey_url(world.made["pulse"], "json")).status_code == expected


def test_a_programme_token_and_the_programme_filter(filled):
    world = filled
    other = client_of(world.users["facilitator"], programme=world.other_programme)
    assert other.get("/api/v1/feeds/").json()["feeds"] == []
    assert other.get(table_url(world, "people")).status_code == 404
    assert other.get(survey_url(world.made["pulse"])).status_code == 404
    client = client_of(world.users["facilitator"])
    assert client.get("/api/v1/feeds/?programme=other-network").json()["feeds"] == []
    mine = client.get(f"/api/v1/feeds/?programme={world.programme.slug}").json()["feeds"]
    assert mine and {f["programme"] for f in mine} == {world.programme.slug}
    assert client.get("/api/v1/feeds/?colour=red").status_code == 400


def test_feeds_are_audited_and_work_with_a_session(filled, login):
    world = filled
    client = client_of(world.users["evaluator"])
    client.get(table_url(world, "people"))
    client.get(table_url(world, "people", "json"))
    client.get(table_url(world, "people", "json", "?$skip=2"))  # a next page: not again
    reads = AuditEvent.objects.filter(action="api.feed_read")
    assert [e.detail["format"] for e in reads.order_by("pk")] == ["csv", "json"]
    assert {e.actor for e in reads} == {world.users["evaluator"]}
    client.get(survey_url(world.made["pulse"]))
    export = AuditEvent.objects.get(action="survey.export")
    assert export.detail["format"] == "feed-csv" and export.detail["rows"] == 5
    session = login(world.users["facilitator"])
    response = session.get(table_url(world, "people"))
    assert response.status_code == 200 and body(response).startswith(b"person,")


def test_metadata_lists_every_feed_with_its_columns(filled):
    """The CSDL document parses, and holds one entity type per table feed of the reader
    with the feed's columns in order, their Edm types and the table's key."""
    from xml.etree import ElementTree as ET

    from peerlearn.api.metadata import EDM, EDM_TYPES, EDMX
    from peerlearn.evidence.datapackage import reader_tables

    for reader in ("facilitator", "module_facilitator"):
        user = filled.users[reader]
        response = client_of(user).get(f"/api/v1/feeds/{filled.programme.slug}/$metadata")
        assert response.status_code == 200 and response["Content-Type"].startswith(
            "application/xml"
        )
        root = ET.fromstring(response.content)  # noqa: S314 - our own document
        assert root.tag == f"{{{EDMX}}}Edmx" and root.get("Version") == "4.0"
        types = {e.get("Name"): e for e in root.iter(f"{{{EDM}}}EntityType")}
        sets = {e.get("Name"): e.get("EntityType") for e in root.iter(f"{{{EDM}}}EntitySet")}
        tables = reader_tables(filled.programme, user)
        assert list(types) == [t.name for t in tables] == list(sets)
        assert all(sets[t.name] == f"peerlearn.{t.name}" for t in tables)
        for table in tables:
            properties = [
                (p.get("Name"), p.get("Type")) for p in types[table.name].iter(f"{{{EDM}}}Property")
            ]
            assert properties == [(c.name, EDM_TYPES[c.type]) for c in table.columns]
            keys = [k.get("Name") for k in types[table.name].iter(f"{{{EDM}}}PropertyRef")]
            assert keys == list(table.primary_key)
        # The JSON feed's objects carry exactly these properties.
        people = [p.get("Name") for p in types["people"].iter(f"{{{EDM}}}Property")]
        assert list(values(client_of(user), table_url(filled, "people", "json"))[0]) == people
    assert "survey_" in " ".join(types)  # the cohort facilitator's package has its survey


@pytest.mark.parametrize("persona", [*READERS, "participant"])
def test_apps_that_name_their_tables_name_exactly_those(filled, persona):
    """``table_names`` (and the surveys' single ``table``) say what ``tables`` makes, so a
    feed may skip an app or make one table of it."""
    from importlib import import_module

    from peerlearn.evidence.datapackage import cell, table_sources

    user = filled.users[persona]
    named = 0
    for label, _tables in table_sources():
        module = import_module(f"peerlearn.{label}.package")
        if not hasattr(module, "table_names"):
            continue
        made = module.tables(filled.programme, user)
        assert module.table_names(filled.programme, user) == [t.name for t in made], label
        named += 1
        single = getattr(module, "table", None)
        for table in made if single is not None else []:
            alone = single(filled.programme, user, table.name)
            assert alone.columns == table.columns
            rows = [[cell(v) for v in row] for row in alone.rows]
            assert rows == [[cell(v) for v in row] for row in table.rows]
    assert named >= 2


def test_a_feed_after_the_surveys_counts_no_answer(filled):
    """Finding the sessions' table skips the surveys' tables (it used to count every
    published answer of every survey twice first)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from peerlearn.api.feeds import find_table

    with CaptureQueriesContext(connection) as queries:
        found = find_table(filled.programme, filled.users["facilitator"], "sessions")
    assert found is not None and found.name == "sessions"
    assert not [q for q in queries.captured_queries if "surveys_response" in q["sql"]]
    with CaptureQueriesContext(connection) as queries:
        assert find_table(filled.programme, filled.users["facilitator"], "survey_codebook")
    assert [q for q in queries.captured_queries if "surveys_response" in q["sql"]]
