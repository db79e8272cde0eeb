"""Survey fixtures on top of the shared ``world``: instruments and a scheduled survey."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from peerlearn.surveys.instruments.build import DEFINITIONS
from peerlearn.surveys.library import BUILT_IN_ANONYMITY, import_xlsform, install_builtin
from peerlearn.surveys.models import Instrument, Survey
from peerlearn.surveys.xlsform import write_xlsform
from peerlearn.surveys.xlsform.model import Repeat

#: Built-ins that gained the "who did you learn from, and what?" repeat, and the
#: version each had before it.
PREVIOUS_VERSIONS = {"pulse": "1", "followup_3m": "2", "followup_6m": "2"}


def install_previous(programme, name: str) -> Instrument:
    """The built-in ``name`` as its version before the ``learned`` repeat shipped it.

    What a programme that installed it then still holds (installing again
    returns that copy), and a form whose exports are one table: the tests of
    the main table's exports use it; repeats' own tables are tested in
    tests/surveys/test_repeats.py.
    """
    existing = Instrument.objects.filter(programme=programme, builtin=name).first()
    if existing is not None:
        return existing
    form = DEFINITIONS[name]()
    form.items = [i for i in form.items if not (isinstance(i, Repeat) and i.name == "learned")]
    form.choice_lists = {
        key: value
        for key, value in form.choice_lists.items()
        if key not in ("exchange_kind", "applied")
    }
    form.version = PREVIOUS_VERSIONS[name]
    return import_xlsform(
        programme,
        write_xlsform(form),
        filename=f"{name}.xlsx",
        anonymity=BUILT_IN_ANONYMITY[name],
        builtin=name,
    )


def make_survey(
    world, name: str = "pulse", *, anonymity: str | None = None, previous: bool = False, **fields
) -> Survey:
    """An open survey of the built-in instrument ``name`` for the event cohort.

    ``previous``: the built-in as it was before the ``learned`` repeat
    (:func:`install_previous`).
    """
    if previous:
        instrument = install_previous(world.programme, name)
    else:
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
