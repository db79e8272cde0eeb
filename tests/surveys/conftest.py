"""Survey fixtures on top of the shared ``world``: instruments and a scheduled survey."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from peerlearn.surveys.library import install_builtin
from peerlearn.surveys.models import Survey


def make_survey(world, name: str = "pulse", *, anonymity: str | None = None, **fields) -> Survey:
    """An open survey of the built-in instrument ``name`` for the event cohort."""
    instrument = install_builtin(world.programme, name)
    if anonymity is not None and instrument.anonymity != anonymity:
        instrument.anonymity = anonymity
        instrument.save(update_fields=["anonymity"])
    values = {
        "instrument": instrument,
        "programme": world.programme,
        "cohort": world.event,
        "title": f"{instrument.title} (event)",
        "opens_at": timezone.now() - timedelta(hours=1),
    }
    values.update(fields)
    return Survey.objects.create(**values)


@pytest.fixture
def pulse_survey(world) -> Survey:
    return make_survey(world, "pulse")
