"""Roster import as one service used by the web pages and the command line."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from peerlearn.accounts.models import User
from peerlearn.people.models import Organisation, Person
from peerlearn.programmes.models import Membership, Programme
from peerlearn.roster.reading import Table, read_table
from peerlearn.roster.stewardship import BATCH, Stewardship
from peerlearn.roster.validation import RosterPreview, validate_roster


@dataclass(frozen=True)
class KnownPeople:
    """How the importer may treat the stored people a roster names.

    ``updatable``: every membership of theirs is managed by the importer, so
    the roster updates them.  ``kept``: already in this programme but also
    elsewhere: they get their role, their details stay.  Anyone else stored
    is treated (and shown) as a new person who only gets a role.
    """

    updatable: frozenset[str]
    kept: frozenset[str]


def known_people(emails: list[str], programme: Programme, editor: User | None) -> KnownPeople:
    """Sort the stored people among ``emails`` (``editor`` None: an operator)."""
    stored: dict[int, str] = {}
    for start in range(0, len(emails), BATCH):
        chunk = emails[start : start + BATCH]
        stored.update(Person.objects.filter(email__in=chunk).values_list("pk", "email"))
    managed = Stewardship.of(editor).fully_managed(stored)
    in_programme: set[int] = set()
    ids = list(stored)
    for start in range(0, len(ids), BATCH):
        in_programme.update(
            Membership.objects.filter(
                programme=programme, person_id__in=ids[start : start + BATCH]
            ).values_list("person_id", flat=True)
        )
    return KnownPeople(
        updatable=frozenset(stored[pk] for pk in managed),
        kept=frozenset(stored[pk] for pk in in_programme - managed),
    )


def _emails_in(table: Table) -> list[str]:
    if "email" not in table.columns:
        return []
    at = table.columns.index("email")
    emails = {row[at].strip().lower() for row in table.rows if len(row) > at and row[at]}
    # A NUL is a problem of its cell (validation) and PostgreSQL cannot even look it up.
    return sorted(email for email in emails if "\x00" not in email)


def preview_roster(
    data: bytes, filename: str, programme: Programme, editor: User | None = None
) -> RosterPreview:
    """Read and check a roster file against the database as it is now.

    ``editor`` is the facilitator importing (``None``: an operator at the
    command line, who manages everything).  Raises ``RosterFileError`` when
    the file itself cannot be read.
    """
    table = read_table(data, filename, max_bytes=settings.ROSTER_MAX_BYTES)
    known = known_people(_emails_in(table), programme, editor)
    return validate_roster(
        table,
        known_organisations=Organisation.objects.values_list("name", flat=True),
        known_cohorts=programme.cohorts.values_list("name", flat=True),
        existing_emails=known.updatable,
        kept_emails=known.kept,
    )
