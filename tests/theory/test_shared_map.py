"""Participants reach the shared theory map from their programme page, read-only.

Sharing is the programme's setting (``shared_with_participants``, off by
default). Shared and approved: a panel on the participant's programme page
links to the map in force, which they read without the working copy, the
history or the evidence behind each status. Not shared: no link, and the
map's address is 403 to members (404 to outsiders; tests/theory/test_permissions.py).
"""

from __future__ import annotations

from django.urls import reverse

from peerlearn.theory import services
from peerlearn.theory.models import EvidenceTie, TheoryOfChange
from tests.harvest.conftest import make_story

LINK = 'id="shared-theory"'


def _home(login, world, persona) -> str:
    page = login(world.users[persona]).get(
        reverse("programmes:detail", args=[world.programme.slug])
    )
    assert page.status_code == 200
    return page.content.decode()


def _share(world, shared=True):
    theory = services.theory_for(world.programme)
    TheoryOfChange.objects.filter(pk=theory.pk).update(shared_with_participants=shared)
    return theory


def test_sharing_is_off_by_default_and_then_there_is_no_link(world, login):
    theory = services.theory_for(world.programme)
    services.approve(theory.revisions.get(number=1), world.users["facilitator"])
    assert TheoryOfChange.objects.get(pk=theory.pk).shared_with_participants is False
    assert LINK not in _home(login, world, "participant")
    map_url = reverse("theory:map", args=[world.programme.slug])
    assert login(world.users["participant"]).get(map_url).status_code == 403


def test_shared_but_nothing_approved_shows_no_link(world, login):
    _share(world)
    assert LINK not in _home(login, world, "participant")


def test_participants_get_a_read_only_link_to_the_shared_map(world, login):
    theory = _share(world)
    services.approve(theory.revisions.get(number=1), world.users["facilitator"])
    story = make_story(world, "private", title="A private story behind a status")
    EvidenceTie.objects.create(
        theory=theory, element="out_reforms", kind="outcome_story", params={"story": story.pk}
    )
    home = _home(login, world, "participant")
    map_url = reverse("theory:map", args=[world.programme.slug])
    assert LINK in home and f'href="{map_url}"' in home
    page = login(world.users["participant"]).get(map_url)
    text = page.content.decode()
    assert page.status_code == 200 and "<svg" in text
    for staff_only in ("theory:edit", "theory:evidence", "theory:history"):
        assert reverse(staff_only, args=[world.programme.slug]) not in text
    assert "A private story behind a status" not in text  # the status, never its evidence
    # facilitators and evaluators have the programme page's button, not the panel
    assert LINK not in _home(login, world, "facilitator")
    assert LINK not in _home(login, world, "evaluator")
    # unsharing takes the link away and closes the map again
    _share(world, shared=False)
    assert LINK not in _home(login, world, "participant")
    assert login(world.users["participant"]).get(map_url).status_code == 403
