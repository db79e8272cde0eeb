"""Exchanges for the shared ``world``: participant learned from peer, and the reverse."""

from __future__ import annotations

from datetime import date

import pytest

from peerlearn.mel import services
from peerlearn.mel.models import Exchange


def learned(
    world, receiver="participant", giver="peer", *, when=date(2026, 3, 2), **kw
) -> Exchange:
    defaults = {"kind": "advice", "learned": "How to cost a reform", "source": "entry"}
    defaults.update(kw)
    recorded_by = defaults.pop("recorded_by", world.people[receiver])
    return services.record_exchange(
        world.programme,
        giver=world.people[giver],
        receiver=world.people[receiver],
        when=when,
        recorded_by=recorded_by,
        **defaults,
    )


@pytest.fixture(autouse=True)
def peer_agrees_to_be_contacted(request):
    """Participants name only people they may see listed: peer agreed to be (group B)."""
    if "world" in request.fixturenames:
        world = request.getfixturevalue("world")
        world.people["peer"].consent_to_contact = True
        world.people["peer"].save()
