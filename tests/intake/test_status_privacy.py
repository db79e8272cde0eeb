"""The intake status page: names for those who read the answers, counts for evaluators."""

from __future__ import annotations

import pytest
from django.urls import reverse

from peerlearn.intake import services
from peerlearn.intake.models import IntakeSettings
from peerlearn.programmes.models import Membership


@pytest.fixture
def progress(world):
    """The peer answered; the participant was invited and has not."""
    peer = services.invitation_for(world.people["peer"], world.programme)
    services.save_answers(peer, ["Land registry"], ["Ministers"], entered_by=world.people["peer"])
    services.send_invitation(services.invitation_for(world.people["participant"], world.programme))
    return world


def _status(world, login, persona):
    url = reverse("intake:status", args=[world.programme.slug])
    response = login(world.users[persona]).get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_evaluator_gets_counts_without_names(progress, login):
    body = _status(progress, login, "evaluator")
    assert "1 of 3 people have answered" in body
    assert 'id="cohort-counts"' in body and "Ten-day event" in body
    for name in ("Peer Person", "Participant Person", "Module_Facilitator Person"):
        assert name not in body, name
    assert 'id="intake-people"' not in body
    peer_url = reverse("intake:person", args=[progress.programme.slug, progress.people["peer"].pk])
    assert peer_url not in body


def test_evaluator_gets_names_when_answers_are_not_private(progress, login):
    IntakeSettings.objects.create(programme=progress.programme, is_private=False)
    body = _status(progress, login, "evaluator")
    assert "Peer Person" in body and 'id="intake-people"' in body


def test_facilitator_gets_names_and_counts(progress, login):
    body = _status(progress, login, "facilitator")
    assert "Peer Person" in body and "Participant Person" in body
    assert 'id="cohort-counts"' in body


def test_cohort_counts_count_asked_invited_and_answered(progress):
    Membership.objects.create(
        person=progress.people["peer"],
        programme=progress.programme,
        cohort=progress.module,
        role="participant",
    )
    counts = {
        (c.cohort.name if c.cohort else None): (c.asked, c.invited, c.answered)
        for c in services.cohort_counts(progress.programme)
    }
    # The event: participant (invited), peer (answered), module facilitator; the module: peer.
    assert counts == {"Ten-day event": (3, 1, 1), "Module on budgeting": (1, 0, 1)}


@pytest.mark.parametrize("persona", ["participant", "peer", "observer", "module_facilitator"])
def test_status_refused_to_members_who_read_no_answers(progress, login, persona):
    response = login(progress.users[persona]).get(
        reverse("intake:status", args=[progress.programme.slug])
    )
    assert response.status_code == 403


def test_status_hidden_from_outsiders(progress, login):
    response = login(progress.users["outsider"]).get(
        reverse("intake:status", args=[progress.programme.slug])
    )
    assert response.status_code == 404
