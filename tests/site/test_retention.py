"""Roster uploads never confirmed are purged after PEERLEARN_ROSTER_UPLOAD_DAYS."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from peerlearn.audit.models import AuditEvent
from peerlearn.programmes.models import Programme
from peerlearn.roster.models import RosterUpload

pytestmark = pytest.mark.django_db


def upload(programme: Programme, *, days_old: float, applied: bool = False) -> RosterUpload:
    row = RosterUpload.objects.create(
        programme=programme, filename="roster.csv", data=b"email,name\na@example.org,Ana\n"
    )
    when = timezone.now() - timedelta(days=days_old)
    RosterUpload.objects.filter(pk=row.pk).update(
        created_at=when, applied_at=when if applied else None
    )
    return row


def purge(*args: str) -> str:
    out = io.StringIO()
    call_command("purge_uploads", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def programme() -> Programme:
    return Programme.objects.create(name="Network", slug="network")


def test_unconfirmed_uploads_older_than_the_setting_are_deleted(programme, settings):
    assert settings.ROSTER_UPLOAD_DAYS == 7
    stale = upload(programme, days_old=8)
    fresh = upload(programme, days_old=6)
    applied = upload(programme, days_old=30, applied=True)
    assert "1 roster uploads older than 7 days deleted" in purge()
    assert set(RosterUpload.objects.values_list("pk", flat=True)) == {fresh.pk, applied.pk}
    assert not RosterUpload.objects.filter(pk=stale.pk).exists()


def test_the_purge_is_in_the_audit_log_once(programme):
    upload(programme, days_old=10)
    upload(programme, days_old=9)
    purge()
    event = AuditEvent.objects.get(action="retention.purge")
    assert event.detail == {"roster_uploads": 2, "older_than_days": 7}
    assert event.actor is None
    assert "0 roster uploads" in purge()
    assert AuditEvent.objects.filter(action="retention.purge").count() == 1


def test_the_number_of_days_is_a_setting(programme, settings):
    settings.ROSTER_UPLOAD_DAYS = 2
    upload(programme, days_old=3)
    assert "1 roster uploads older than 2 days deleted" in purge()
    assert not RosterUpload.objects.exists()


def test_dry_run_counts_and_deletes_nothing(programme):
    upload(programme, days_old=8)
    assert "1 roster uploads older than 7 days would be deleted" in purge("--dry-run")
    assert RosterUpload.objects.count() == 1
    assert not AuditEvent.objects.filter(action="retention.purge").exists()


def test_survey_answer_files_never_confirmed_are_purged_too(world):
    from peerlearn.surveys.models import ResponseImport
    from tests.surveys.conftest import make_survey

    survey = make_survey(world, "pulse")
    stale = ResponseImport.objects.create(survey=survey, filename="kobo.csv", data=b"_uuid\n1\n")
    fresh = ResponseImport.objects.create(survey=survey, filename="kobo.csv", data=b"_uuid\n2\n")
    ResponseImport.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(days=8))
    assert "1 survey answer imports older than 7 days would be deleted" in purge("--dry-run")
    assert "1 survey answer imports older than 7 days deleted" in purge()
    assert list(ResponseImport.objects.values_list("pk", flat=True)) == [fresh.pk]
    event = AuditEvent.objects.get(action="retention.purge")
    assert event.detail == {"response_imports": 1, "older_than_days": 7}
