"""The harvest tables of the data package: only readable stories, pseudonyms, status."""

from __future__ import annotations

from peerlearn.core.tabular import pseudonym
from peerlearn.evidence.datapackage import reader_tables as package_tables
from peerlearn.harvest.package import tables
from tests.harvest.conftest import ask, make_story


def _rows(programme, user, name):
    table = next(t for t in tables(programme, user) if t.name == name)
    return table.header, [list(r) for r in table.rows]


def test_evaluator_gets_shared_stories_with_pseudonyms_and_status(world):
    shared = make_story(world, "evaluators", title="Shared")
    make_story(world, "private", title="Private one")
    item, token = ask(shared, name="Zawadi Otieno", email="zawadi@example.org")
    item.redeem(token, "partly", "Half-yearly, not quarterly")
    header, rows = _rows(world.programme, world.users["evaluator"], "outcome_stories")
    assert [r[header.index("title")] for r in rows] == ["Shared"]
    row = rows[0]
    assert row[header.index("change_agents")] == pseudonym(
        world.programme, world.people["participant"].pk
    )
    assert row[header.index("verification")] == "partly"
    flat = repr(rows) + repr(_rows(world.programme, world.users["evaluator"], "substantiations"))
    for secret in ("Participant Person", "Zawadi", "zawadi@", "Half-yearly", "Private one"):
        assert secret not in flat
    _header, answers = _rows(world.programme, world.users["evaluator"], "substantiations")
    assert [(r[0], r[2]) for r in answers] == [(shared.pk, "partly")]


def test_facilitator_gets_every_story_participant_only_published(world):
    make_story(world, "private", title="Private one")
    make_story(world, "published", title="Public one")
    _h, rows = _rows(world.programme, world.users["facilitator"], "outcome_stories")
    assert len(rows) == 2
    _h, rows = _rows(world.programme, world.users["participant"], "outcome_stories")
    assert [r[1] for r in rows] == ["Public one"]
    assert tables(world.programme, world.users["outsider"]) == []


def test_harvest_joins_the_package(world):
    make_story(world, "evaluators")
    names = {t.name for t in package_tables(world.programme, world.users["evaluator"])}
    assert {"outcome_stories", "substantiations"} <= names
