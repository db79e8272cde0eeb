"""The coming sessions on the programme page's "Today" section, for facilitators only."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from peerlearn.delivery import sending
from peerlearn.delivery.models import Rsvp
from tests.delivery.conftest import module_session, plan


def _today(client, world) -> str:
    page = client.get(reverse("programmes:detail", args=[world.programme.slug]))
    return page.content.decode().split('id="today-title"')[-1]


def test_facilitators_see_the_weeks_sessions_with_who_has_not_answered(world, login, settings):
    settings.SITE_URL = "https://peerlearn.example.org"
    (session,) = plan(world, title="Clinic this week")
    far = timezone.now() + timedelta(days=20)
    plan(world, title="Clinic later", start=far.replace(tzinfo=None, microsecond=0))
    sending.send_due(session)  # invites the event's 3 participants
    Rsvp.objects.create(session=session, person=world.people["participant"], answer="yes")
    today = _today(login(world.users["facilitator"]), world)
    assert "Clinic this week" in today
    assert "2 invited people have not answered" in today
    assert "Clinic later" not in today


def test_a_cohort_facilitator_sees_only_their_cohorts_sessions(world, login):
    plan(world, title="Event plenary")
    module_session(world)
    today = _today(login(world.users["module_facilitator"]), world)
    assert "Module day" in today
    assert "Event plenary" not in today


def test_participants_and_evaluators_get_no_sessions_panel(world, login):
    plan(world, title="Event plenary")
    for persona in ("participant", "evaluator"):
        assert "Sessions in the next seven days" not in _today(login(world.users[persona]), world)
