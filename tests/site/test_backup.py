"""Backups hold every model's rows (read from Django's app registry); restore puts them back."""

from __future__ import annotations

import gzip
import json

import pytest
from django.apps import apps
from django.contrib.auth.models import Group as AuthGroup
from django.core.management import call_command

from peerlearn import audit
from peerlearn.accounts.models import SignInLink, User
from peerlearn.audit.models import AuditEvent
from peerlearn.cli import main
from peerlearn.evidence.models import PackageBuild
from peerlearn.intake.models import IntakeSettings, Topic, TopicSet
from peerlearn.intake.services import invitation_for, save_answers
from peerlearn.matching.models import MatchingRun, Move, MoveRequest, PublishedPair
from peerlearn.people.models import Person
from peerlearn.programmes.models import Group, GroupNote, Programme
from peerlearn.roster.models import RosterUpload
from peerlearn.site.backup import EXCLUDED, backed_up_models, record_count
from peerlearn.surveys.models import Invitation, ResponseImport
from tests.harvest.conftest import fill_harvest_models
from tests.progress.conftest import fill_progress_models

pytestmark = pytest.mark.django_db(transaction=True)

#: What docs/operations.md says a backup leaves out; changing it is a decision.
DOCUMENTED_EXCLUSIONS = {
    "contenttypes",
    "auth.permission",
    "admin.logentry",
    "sessions",
    "django_tasks_database",
    "axes",
    "intake.textvector",
}


def all_models():
    return [m for m in apps.get_models() if m._meta.managed and not m._meta.proxy]


def rows_by_model() -> dict[str, list]:
    return {
        m._meta.label: sorted(m._base_manager.values_list("pk", flat=True)) for m in all_models()
    }


def excluded(label: str) -> bool:
    app_label = label.split(".")[0]
    return app_label in EXCLUDED or label.lower() in EXCLUDED


def fill_every_model() -> None:
    """The demo network, plus a row in each model the demo leaves empty."""
    assert main(["demo"]) == 0
    programme = Programme.objects.get()
    cohort = programme.cohorts.order_by("start").last()
    facilitator = Person.objects.get(email="facilitator@peerlearn.example")
    user = facilitator.user
    people = list(cohort.memberships.filter(role="participant").values_list("person", flat=True))
    a, b = Person.objects.get(pk=people[0]), Person.objects.get(pk=people[1])

    SignInLink.issue(user)
    _fill_api(user, programme)
    AuthGroup.objects.create(name="Reviewers")
    RosterUpload.objects.create(programme=programme, uploaded_by=user, filename="r.csv", data=b"x")
    GroupNote.objects.create(group=Group.objects.first(), author=a, text="Private to the group")
    IntakeSettings.objects.create(programme=programme)
    invitation = invitation_for(a, programme)
    invitation.issue_token()
    save_answers(invitation, ["Budget reform", "Teams", "Data"], ["Learn from peers"])
    topic_set = TopicSet.objects.create(programme=programme, status="draft", created_by=facilitator)
    Topic.objects.create(topic_set=topic_set, label="Budgets").members.set([a, b])
    run = MatchingRun.objects.create(cohort=cohort, kind="pairs", created_by=facilitator)
    Move.objects.create(run=run, person=a, from_group="P1", to_group="P2", source="facilitator")
    MoveRequest.objects.create(run=run, person=b, from_group="P1", reason="Other language")
    pair = Group.objects.create(cohort=cohort, name="Pair P1", kind="pair", source_run=run)
    PublishedPair.objects.create(run=run, cohort=cohort, label="P1", a=a, b=b, group=pair)
    first_invitation = Invitation.objects.first()
    first_invitation.issue_link()
    ResponseImport.objects.create(
        survey=first_invitation.survey, uploaded_by=user, filename="kobo.csv", data=b"_uuid\n1\n"
    )
    audit.record("roster.export", actor=user, programme=programme, detail={"rows": 2})
    fill_objectives(programme, a)
    _fill_delivery(programme, cohort, a)
    fill_progress_models(programme, cohort, a, b)
    fill_theory(programme, user)
    _fill_mel(programme, a, b)
    fill_harvest_models(programme, a, user)
    PackageBuild.objects.create(
        programme=programme, requested_by=user, status="done", archive=b"PK"
    )
    fill_experiments(programme, cohort, a)


def fill_theory(programme: Programme, user) -> None:
    """A row in each model of the theory app (the theory comes with revision 1)."""
    from peerlearn.theory import models as theory_models
    from peerlearn.theory.services import theory_for

    theory = theory_for(programme)
    theory_models.EvidenceTie.objects.create(theory=theory, element="act_groups", kind="check_ins")
    theory_models.StatusOverride.objects.create(
        theory=theory, element="act_groups", status="supported", reason="seen", by=user
    )


def _fill_mel(programme: Programme, a: Person, b: Person) -> None:
    """A learning exchange (the mutuality ledger); saving it computes the programme
    ledger's snapshots and their recompute row (mel/snapshots.py)."""
    from datetime import date

    from peerlearn.mel.models import Exchange, MutualityRecompute, MutualitySnapshot

    Exchange.objects.create(
        programme=programme, giver=a, receiver=b, when=date(2026, 3, 1), learned="Costing"
    )
    assert MutualitySnapshot.objects.filter(programme=programme).count() == 2
    assert MutualityRecompute.objects.filter(programme=programme).exists()


def fill_experiments(programme: Programme, cohort, person: Person) -> None:
    """An experiment with an assigned arm, an outcome and a recorded assignment."""
    from peerlearn.experiments import models as experiments

    experiment = experiments.Experiment.objects.create(
        programme=programme, name="Matching designs", design="match_role"
    )
    arm = experiments.Arm.objects.create(experiment=experiment, name="By role", source="assigned")
    experiments.Outcome.objects.create(
        experiment=experiment, label="Products", source="products", measure="mean"
    )
    assignment = experiments.Assignment.objects.create(experiment=experiment, cohort=cohort, seed=7)
    experiments.AssignedMember.objects.create(assignment=assignment, arm=arm, person=person)


def fill_objectives(programme: Programme, person: Person) -> None:
    """A row in each model of the objectives app (the objective's history comes with it)."""
    from peerlearn.objectives import models as objectives

    objectives.ObjectiveSettings.objects.create(programme=programme)
    objectives.BoardSettings.objects.create(programme=programme, enabled=True)
    objectives.LearningObjective.objects.create(
        programme=programme, person=person, statement="s", why="w", success_sign="k", start_rating=1
    )
    objectives.OrganisationalOutcome.objects.create(
        programme=programme, organisation=person.organisation, kind="policy", level="team"
    )
    objectives.Authorisation.objects.create(
        programme=programme, person=person, signed_copy=b"%PDF-1.4", signed_copy_type="x"
    )
    objectives.StageRisk.objects.create(programme=programme, stage="curation", risk="r")


def _fill_delivery(programme, cohort, person) -> None:
    """Sessions: a series with a format, a change, an RSVP, attendance, mail and a feed."""
    from datetime import datetime, timedelta

    from peerlearn.delivery import formats, services
    from peerlearn.delivery.models import Attendance, CalendarFeed, Rsvp, SessionMail

    formats.install_library(programme)
    plan = services.Plan(
        cohort=cohort,
        title="Clinic",
        first_start=datetime(2030, 3, 4, 14),
        duration=timedelta(minutes=90),
        time_zone="Europe/Paris",
        rule="FREQ=WEEKLY;COUNT=2",
        groups=(Group.objects.filter(cohort=cohort).first(),),
        facilitators=(person,),
    )
    session = services.plan_sessions(programme, plan)[0]
    services.cancel(session, actor=person)
    Rsvp.objects.create(session=session, person=person, answer="yes")
    Attendance.objects.create(session=session, person=person, present=True)
    SessionMail.objects.create(session=session, person=person, informed_sequence=0)
    CalendarFeed.issue(person)


def _fill_api(user, programme) -> None:
    from peerlearn.api.models import ApiToken

    ApiToken.issue(user, "BI dashboard", programme=programme)


def test_exclusions_are_the_documented_ones():
    assert set(EXCLUDED) == DOCUMENTED_EXCLUSIONS
    labels = {m._meta.label for m in backed_up_models()}
    assert {"audit.AuditEvent", "audit.HistoricalPerson", "roster.RosterUpload"} <= labels
    assert {"surveys.Response", "intake.IntakeVersion", "matching.MatchingRun"} <= labels
    assert "sessions.Session" not in labels


def test_round_trip_restores_every_model_that_has_rows(tmp_path, capsys):
    fill_every_model()
    before = rows_by_model()
    kept = {label for label, pks in before.items() if pks and not excluded(label)}
    left_empty = {m._meta.label for m in backed_up_models() if not before[m._meta.label]} - {
        "auth.Group_permissions"
    }
    assert not left_empty, f"give these models a row in fill_every_model: {left_empty}"

    backup = tmp_path / "backup.json.gz"
    assert main(["backup", str(backup)]) == 0
    expected = sum(len(before[label]) for label in kept)
    assert f"{expected} records written" in capsys.readouterr().out
    with gzip.open(backup, "rt", encoding="utf-8") as handle:
        dumped = {row["model"] for row in json.load(handle)}
    assert {label.lower() for label in kept} <= dumped

    assert main(["restore", str(backup)]) == 1, "restoring over data needs --replace"
    assert main(["restore", str(backup), "--replace"]) == 0
    assert f"{expected} records restored" in capsys.readouterr().out
    after = rows_by_model()
    for label in kept:
        assert after[label] == before[label], label
    assert AuditEvent.objects.filter(action="roster.export").count() == 1
    assert bytes(RosterUpload.objects.get().data) == b"x"


def test_restore_refuses_a_database_holding_only_audit_data(tmp_path, capsys):
    Programme.objects.create(name="Network", slug="network")
    backup = tmp_path / "small.json.gz"
    assert main(["backup", str(backup)]) == 0
    call_command("flush", interactive=False, verbosity=0)
    audit.record("retention.purge", actor=None, detail={"roster_uploads": 1})
    assert record_count() == 1
    assert main(["restore", str(backup)]) == 1
    assert "already holds data" in capsys.readouterr().err
    assert not Programme.objects.exists()


def test_record_count_covers_every_app(db):
    User.objects.create_user(username="u@example.org", email="u@example.org", password="x")
    audit.record("role.grant", actor=None)
    assert record_count() == 2
