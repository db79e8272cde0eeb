"""The evaluator's handover package: valid Frictionless, counts as in the database, private
material and identities left out, built only by those allowed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from frictionless import Package, validate

from peerlearn.core.tabular import pseudonym
from peerlearn.delivery.models import Session
from peerlearn.evidence.datapackage import NotAllowed, PackageError, build_package
from peerlearn.people.models import Person
from peerlearn.programmes.models import Cohort, Group, GroupMember, Membership
from peerlearn.surveys.publication import published
from tests.progress.conftest import let_evaluators_read


def build(world, persona, tmp_path: Path) -> Path:
    out = tmp_path / persona
    build_package(world.programme, world.users[persona], out)
    return out


def read(out: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(out / "data" / f"{name}.csv", dtype=str, keep_default_na=False)


def all_text(out: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in (out / "data").glob("*.csv"))


@pytest.mark.parametrize("persona", ["facilitator", "evaluator"])
def test_package_validates_with_frictionless(full_world, tmp_path, persona):
    out = build(full_world, persona, tmp_path)
    report = validate(out / "datapackage.json")
    assert report.valid, report.flatten(["resourcePath", "rowNumber", "fieldName", "type", "note"])
    descriptor = json.loads((out / "datapackage.json").read_text())
    names = {r["name"] for r in descriptor["resources"]}
    assert {"people", "organisations", "cohorts", "groups", "memberships", "surveys"} <= names
    assert {"sessions", "matching_runs", "published_pairs", "survey_codebook"} <= names
    people = next(r for r in descriptor["resources"] if r["name"] == "people")
    assert people["schema"]["primaryKey"] == ["person"]
    assert people["schema"]["foreignKeys"][0]["reference"]["resource"] == "organisations"
    readme = (out / "README.md").read_text()
    assert "peerlearn 0.1.0" in readme and "suppress" in readme


def test_row_counts_equal_the_database(full_world, tmp_path):
    world = full_world
    out = build(world, "facilitator", tmp_path)
    programme = world.programme
    members = Person.objects.filter(memberships__programme=programme).distinct()
    assert len(read(out, "people")) == members.count()
    assert len(read(out, "cohorts")) == Cohort.objects.filter(programme=programme).count()
    assert len(read(out, "groups")) == Group.objects.filter(cohort__programme=programme).count()
    assert len(read(out, "memberships")) == Membership.objects.filter(programme=programme).count()
    assert (
        len(read(out, "group_members"))
        == GroupMember.objects.filter(group__cohort__programme=programme).count()
    )
    assert len(read(out, "sessions")) == Session.objects.filter(programme=programme).count()
    pulse = world.made["pulse"]
    assert len(read(out, f"survey_{pulse.pk}")) == published(pulse).count() == 5
    assert len(read(out, f"survey_{pulse.pk}_labels")) == 5
    sessions = read(out, "sessions").set_index("id")
    session = sessions.loc[str(world.made["session"].pk)]
    assert (session["present"], session["absent"]) == ("1", "1")
    # Re-read through the descriptor too: typed columns come back as numbers.
    frame = Package(out / "datapackage.json").get_resource("sessions").to_pandas()
    assert frame["present"].sum() == 1


def test_fewer_than_k_responses_give_a_header_only(full_world, tmp_path):
    out = build(full_world, "evaluator", tmp_path)
    small = full_world.made["small"]
    assert len(read(out, f"survey_{small.pk}")) == 0
    surveys = read(out, "surveys").set_index("id")
    assert surveys.loc[str(small.pk), "suppressed"] == "true"
    assert "Only me" not in all_text(out)


def test_no_name_or_email_in_pseudonymous_tables(full_world, tmp_path):
    world = full_world
    out = build(world, "facilitator", tmp_path)
    text = all_text(out)
    for person in Person.objects.all():
        assert person.email not in text
        assert person.name not in text
    assert not re.search(r"[\w.+-]+@[\w-]+\.\w+", text)


def test_one_pseudonym_across_tables(full_world, tmp_path):
    world = full_world
    out = build(world, "evaluator", tmp_path)
    people = set(read(out, "people")["person"])
    contact = read(out, f"survey_{world.made['contact'].pk}")
    assert set(contact["_pseudonym"]) <= people and len(set(contact["_pseudonym"])) == 5
    pairs = read(out, "published_pairs")
    assert pairs.loc[0, "person_a"] == pseudonym(world.programme, world.people["participant"].pk)
    assert set(read(out, "memberships")["person"]) == people


def test_statistical_files_and_xlsforms_are_written(full_world, tmp_path):
    import pyreadstat

    out = build(full_world, "evaluator", tmp_path)
    pulse = full_world.made["pulse"]
    frame, meta = pyreadstat.read_sav(str(out / "statistical" / f"survey_{pulse.pk}.sav"))
    assert len(frame) == 5 and meta.column_names_to_labels
    frame, _meta = pyreadstat.read_dta(str(out / "statistical" / f"survey_{pulse.pk}.dta"))
    assert len(frame) == 5
    forms = list((out / "instruments").glob("*.xlsx"))
    assert len(forms) == 2 and all(f.read_bytes()[:2] == b"PK" for f in forms)


def test_evaluator_package_never_holds_private_group_material(full_world, tmp_path):
    world = full_world
    out = build(world, "evaluator", tmp_path)
    text = all_text(out)
    assert "Secret of group A" not in text  # group note
    assert "Secret land records" not in text  # check-in, evaluators not allowed
    assert not (out / "data" / "check_ins.csv").exists()
    assert not (out / "data" / "objectives.csv").exists()  # one person's objectives
    assert (out / "data" / "objectives_summary.csv").exists()
    let_evaluators_read(world)
    again = build(world, "evaluator", tmp_path / "again")
    assert "Secret land records" in all_text(again)  # the programme allowed it
    assert "Secret of group A" not in all_text(again)  # group notes: never


def test_facilitator_package_has_objectives_and_check_ins(full_world, tmp_path):
    out = build(full_world, "facilitator", tmp_path)
    assert len(read(out, "objectives")) == 1
    assert len(read(out, "check_ins")) == 1
    assert "Secret of group A" not in all_text(out)


@pytest.mark.parametrize("persona", ["participant", "peer", "observer"])
def test_others_cannot_build_a_package(full_world, tmp_path, persona):
    with pytest.raises(NotAllowed):
        build(full_world, persona, tmp_path)
    assert not (tmp_path / persona).exists()


def test_outsider_cannot_build_a_package(full_world, tmp_path):
    with pytest.raises(NotAllowed):
        build(full_world, "outsider", tmp_path)


def test_a_non_empty_directory_is_refused_and_left_alone(full_world, tmp_path):
    (tmp_path / "facilitator").mkdir()
    (tmp_path / "facilitator" / "mine.txt").write_text("keep")
    with pytest.raises(PackageError):
        build(full_world, "facilitator", tmp_path)
    assert (tmp_path / "facilitator" / "mine.txt").read_text() == "keep"


def test_an_empty_programme_gives_a_valid_package(world, tmp_path):
    out = build(world, "evaluator", tmp_path)
    assert validate(out / "datapackage.json").valid
    assert len(read(out, "sessions")) == 0


def test_names_only_in_identified_survey_tables_and_emails_only_for_facilitators(world, tmp_path):
    from tests.surveys.conftest import make_survey
    from tests.surveys.test_results_pages import respond

    survey = make_survey(world, "pulse", anonymity="identified", title="Named pulse")
    for key in ("participant", "peer", "module_facilitator", "observer", "evaluator"):
        respond(survey, {"useful": "4"}, person=world.people[key])
    facilitator = build(world, "facilitator", tmp_path)
    evaluator = build(world, "evaluator", tmp_path)
    named = read(facilitator, f"survey_{survey.pk}")
    assert "Peer Person" in set(named["_name"]) and "peer@example.org" in set(named["_email"])
    assert "_email" not in read(evaluator, f"survey_{survey.pk}").columns
    assert "Peer Person" in set(read(evaluator, f"survey_{survey.pk}")["_name"])
    for out in (facilitator, evaluator):
        others = [
            p for p in (out / "data").glob("*.csv") if not p.name.startswith(f"survey_{survey.pk}")
        ]
        text = "\n".join(p.read_text(encoding="utf-8") for p in others)
        assert "Peer Person" not in text and "@example.org" not in text
