"""A facilitator of some cohorts only gets a package of those cohorts, and nothing else.

The shared world's module facilitator facilitates the module and takes part
in the event. On top of :func:`tests.evidence.conftest.fill` (everything in the
event), the module gets a participant, a group, a survey, a session, a
check-in, a product, a run with a pair, objectives and exchanges; the
programme gets a programme-wide survey, a shared outcome story and an
exchange between the two cohorts. The module facilitator's package must hold
the module's and nothing of the event or of the programme as a whole.
"""

from __future__ import annotations

import importlib
import inspect
import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from django.urls import reverse
from frictionless import validate

from peerlearn.audit.models import AuditEvent
from peerlearn.cli import main
from peerlearn.core.tabular import pseudonym, table_sources
from peerlearn.evidence.datapackage import build_package, reader_tables
from peerlearn.evidence.models import PackageBuild
from peerlearn.matching.models import MatchingRun, PublishedPair
from peerlearn.objectives.models import LearningObjective
from peerlearn.programmes.models import Group, GroupMember, Membership
from peerlearn.programmes.package_scope import package_scope
from peerlearn.progress.models import Product
from tests.conftest import make_person
from tests.delivery.conftest import module_session
from tests.harvest.conftest import make_story
from tests.mel.conftest import learned
from tests.progress.conftest import file_check_in, make_round
from tests.surveys.conftest import make_survey
from tests.surveys.test_results_pages import respond

#: Text that exists only outside the module: none of it may be in its package.
ELSEWHERE = [
    "Ten-day event",
    "Group A",
    "Group B",
    "Secret of group A",
    "Secret land records",
    "Land data plan",
    "Budget tagging",
    "Budgets tagged for climate",
    "(event)",
    "Programme-wide pulse",
    "Budget unit publishes",
]
EVENT_ONLY = ("participant", "peer", "facilitator", "evaluator", "observer")


def fill_module(world) -> dict:
    """The module's own records, and a few that cross the two cohorts."""
    org = world.people["participant"].organisation
    peer = make_person("module_peer", org)
    world.people["module_peer"] = peer
    Membership.objects.create(
        person=peer, programme=world.programme, cohort=world.module, role="participant"
    )
    group = Group.objects.create(cohort=world.module, name="Module team")
    GroupMember.objects.create(group=group, person=peer)
    session = module_session(world)
    file_check_in(world, group, make_round(world, cohort=world.module), stuck="Module blocker")
    Product.objects.create(group=group, title="Module brief", kind="policy_brief")
    LearningObjective.objects.create(
        programme=world.programme,
        person=peer,
        statement="Programme budgeting",
        why="Because",
        success_sign="A programme budget",
        start_rating=1,
    )
    run = MatchingRun.objects.create(cohort=world.module, kind="pairs", status="done")
    PublishedPair.objects.create(
        run=run, cohort=world.module, label="M1", a=peer, b=world.people["module_facilitator"]
    )
    survey = make_survey(world, "pulse", cohort=world.module, title="Module pulse")
    for i in range(5):
        respond(survey, {"useful": "4", "heard": str(1 + i), "will_try": "yes", "what_try": "m"})
    everyone = make_survey(world, "pulse", cohort=None, title="Programme-wide pulse")
    for _ in range(5):
        respond(everyone, {"useful": "3", "will_try": "no"})
    inside = learned(world, receiver="module_peer", giver="module_facilitator")
    across = learned(world, receiver="module_facilitator", giver="participant")
    make_story(world, visibility="published")
    return {"group": group, "session": session, "survey": survey, "run": run} | {
        "everyone": everyone,
        "inside": inside,
        "across": across,
    }


@pytest.fixture
def cohort_world(full_world):
    full_world.module_made = fill_module(full_world)
    return full_world


def build(world, persona: str, out: Path) -> Path:
    build_package(world.programme, world.users[persona], out)
    return out


def read(out: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(out / "data" / f"{name}.csv", dtype=str, keep_default_na=False)


def every_text(out: Path) -> str:
    return "\n".join(
        p.read_text(encoding="utf-8")
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.suffix in {".csv", ".json", ".md"}
    )


def test_a_cohort_package_holds_nothing_of_other_cohorts(cohort_world, tmp_path):
    world, made = cohort_world, cohort_world.module_made
    out = build(world, "module_facilitator", tmp_path / "module")
    report = validate(out / "datapackage.json")
    assert report.valid, report.flatten(["resourcePath", "rowNumber", "fieldName", "note"])
    text = every_text(out)
    for words in ELSEWHERE:
        assert words not in text, words
    for key in EVENT_ONLY:
        assert pseudonym(world.programme, world.people[key].pk) not in text, key
    mine = {
        pseudonym(world.programme, world.people[k].pk)
        for k in ("module_facilitator", "module_peer")
    }
    assert set(read(out, "people")["person"]) == mine
    assert set(read(out, "cohorts")["id"]) == {str(world.module.pk)}
    roles = read(out, "memberships")
    assert set(roles["cohort_id"]) == {str(world.module.pk)}
    # the module facilitator also takes part in the event: that role stays out
    assert len(roles) == 2
    assert list(read(out, "groups")["name"]) == ["Module team"]
    assert list(read(out, "sessions")["id"]) == [str(made["session"].pk)]
    assert list(read(out, "matching_runs")["id"]) == [str(made["run"].pk)]
    assert list(read(out, "check_ins")["stuck"]) == ["Module blocker"]
    assert list(read(out, "products")["title"]) == ["Module brief"]
    assert list(read(out, "objectives")["statement"]) == ["Programme budgeting"]
    assert list(read(out, "exchanges")["id"]) == [str(made["inside"].pk)]
    surveys = read(out, "surveys")
    assert list(surveys["id"]) == [str(made["survey"].pk)]
    assert len(read(out, f"survey_{made['survey'].pk}")) == 5
    files = {p.name for p in (out / "statistical").iterdir()}
    assert files == {f"survey_{made['survey'].pk}.sav", f"survey_{made['survey'].pk}.dta"}
    names = {r["name"] for r in json.loads((out / "datapackage.json").read_text())["resources"]}
    # programme-wide records belong to no cohort: left out
    for left_out in ("objectives_summary", "organisational_outcomes", "outcome_stories"):
        assert left_out not in names
    assert not any(n.startswith(("theory_", "experiment")) for n in names)
    readme = (out / "README.md").read_text()
    assert "some cohorts only" in readme and "`Module on budgeting`" in readme


def test_the_programme_facilitator_still_gets_everything(cohort_world, tmp_path):
    world, made = cohort_world, cohort_world.module_made
    out = build(world, "facilitator", tmp_path / "all")
    assert len(read(out, "cohorts")) == 2
    assert {str(made["survey"].pk), str(made["everyone"].pk)} <= set(read(out, "surveys")["id"])
    exchanges = set(read(out, "exchanges")["id"])
    assert {str(made["inside"].pk), str(made["across"].pk)} <= exchanges
    assert "some cohorts only" not in (out / "README.md").read_text()


def test_only_cohort_scoped_apps_reach_a_cohort_package(cohort_world):
    """An app joins cohort packages only by declaring it narrows to the cohorts."""
    world = cohort_world
    user = world.users["module_facilitator"]
    names = {t.name for t in reader_tables(world.programme, user)}
    scoped, unscoped = set(), set()
    for label, tables in table_sources():
        module = importlib.import_module(f"peerlearn.{label}.package")
        produced = {t.name for t in tables(world.programme, user)}
        if getattr(module, "COHORT_SCOPED", False):
            # a declared app narrows through the scope, not on its own
            assert "package_scope" in inspect.getsource(module), label
            scoped |= produced
        else:
            unscoped |= produced
    assert names == scoped
    # the harvest app gives the module facilitator the published story on
    # its own; it does not declare cohort scope, so the package leaves it out
    assert "outcome_stories" in unscoped and not unscoped & names


@pytest.mark.parametrize("persona", ["participant", "peer", "observer", "outsider"])
def test_members_without_a_facilitator_role_get_no_scope(cohort_world, persona):
    assert package_scope(cohort_world.programme, cohort_world.users[persona]) is None
    assert reader_tables(cohort_world.programme, cohort_world.users[persona]) == []


def test_the_button_builds_a_cohort_package(cohort_world, login):
    world = cohort_world
    client = login(world.users["module_facilitator"])
    detail = client.get(reverse("programmes:detail", args=[world.programme.slug])).content
    page_url = reverse("evidence:package", args=[world.programme.slug])
    assert page_url.encode() in detail
    assert b"evidence/dashboard" not in detail  # the dashboard stays the programme's readers'
    page = client.get(page_url).content.decode()
    assert 'id="package-scope"' in page and "Module on budgeting" in page
    client.post(reverse("evidence:package_start", args=[world.programme.slug]))
    build = PackageBuild.objects.get()
    assert build.status == "done", build.error
    assert set(build.summary) >= {"people", "cohorts", f"survey_{world.module_made['survey'].pk}"}
    assert build.summary["people"] == 2 and build.summary["cohorts"] == 1
    event = AuditEvent.objects.get(action="evidence.package_build")
    assert event.detail == {"cohorts": [world.module.pk]}


def test_the_command_builds_a_cohort_package(cohort_world, tmp_path, capsys):
    out = tmp_path / "module"
    args = ["export-package", "--programme", "reform-leaders", "--out", str(out)]
    assert main([*args, "--as", "module_facilitator@example.org"]) == 0
    printed = capsys.readouterr().out
    assert "cohorts only: Module on budgeting" in printed
    assert len(read(out, "people")) == 2
    for words in ELSEWHERE:
        assert words not in every_text(out), words


def test_losing_the_cohort_role_before_the_build_runs_fails_it(cohort_world, login):
    """The build runs with the requester's rights at the time it runs."""
    from peerlearn.evidence import builds

    world = cohort_world
    build = builds.start(world.programme, world.users["module_facilitator"])
    Membership.objects.filter(
        person=world.people["module_facilitator"], cohort=world.module
    ).delete()
    builds.execute(build.pk)
    build.refresh_from_db()
    assert build.status == "failed" and build.error == "NotAllowed"
    assert bytes(build.archive) == b""


def test_a_facilitator_of_two_cohorts_gets_both(cohort_world, tmp_path):
    world = cohort_world
    Membership.objects.create(
        person=world.people["module_facilitator"],
        programme=world.programme,
        cohort=world.event,
        role="facilitator",
    )
    out = build(world, "module_facilitator", tmp_path / "both")
    assert len(read(out, "cohorts")) == 2
    assert "Programme-wide pulse" not in every_text(out)  # still no programme-wide survey
    assert "organisational_outcomes" not in {p.stem for p in (out / "data").iterdir()}
    assert date.today().isoformat()[:4] in (out / "README.md").read_text()
