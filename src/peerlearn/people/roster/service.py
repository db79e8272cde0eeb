"""Roster import as one service used by the web pages and the command line."""

from __future__ import annotations

from django.conf import settings

from peerlearn.people.models import Organisation, Person
from peerlearn.people.roster.reading import read_table
from peerlearn.people.roster.validation import RosterPreview, validate_roster
from peerlearn.programmes.models import Programme


def preview_roster(data: bytes, filename: str, programme: Programme) -> RosterPreview:
    """Read and check a roster file against the database as it is now.

    Raises ``RosterFileError`` when the file itself cannot be read.
    """
    table = read_table(data, filename, max_bytes=settings.ROSTER_MAX_BYTES)
    return validate_roster(
        table,
        known_organisations=Organisation.objects.values_list("name", flat=True),
        known_cohorts=programme.cohorts.values_list("name", flat=True),
        existing_emails=Person.objects.values_list("email", flat=True),
    )
