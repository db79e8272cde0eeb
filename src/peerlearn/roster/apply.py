"""Write a validated roster to the database, all or nothing.

Decisions (also in docs/data-formats.md):

* people are matched by e-mail (case-insensitive); a known person is updated
  only when the importer manages every programme and cohort they belong to
  (``peerlearn.roster.stewardship``); anyone else stored only gets the role
  (and this programme's challenges), their details stay as they are;
* a blank text cell never erases what is stored (clear it in the app);
  yes/no columns are always taken from the file (blank means no);
* ``challenge_N`` replaces this programme's challenge number N for the person,
  other challenges are kept; likewise ``expectation_N``;
* each row gives the person a role in the programme (``programme_role``,
  participant by default), in the named cohort when ``cohort`` is filled;
* everything happens in one transaction with bulk statements, so a
  10,000-row roster commits in seconds and a failure leaves nothing behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
from django.db import IntegrityError, transaction
from django.utils import timezone

from peerlearn.accounts.models import User
from peerlearn.core.bulk import insert_rows
from peerlearn.intake.answers import Answers, Entry, write_answers
from peerlearn.people.models import Organisation, Person
from peerlearn.programmes.models import Membership, Programme
from peerlearn.roster.stewardship import Stewardship
from peerlearn.roster.validation import RosterPreview, RosterRecord

BATCH = 1000
UPDATE_BATCH = 200
_TEXT_FIELDS = ("name", "country", "role_title", "seniority", "gender")
_FLAG_FIELDS = {
    "external": "is_external",
    "alumni": "is_alumni",
    "consent_to_contact": "consent_to_contact",
}


class RosterNotValid(ValueError):
    """Raised when asked to apply a roster whose preview still lists problems."""


class RosterConflict(RuntimeError):
    """Someone else stored some of the same people or organisations meanwhile.

    Raised after everything this import wrote was rolled back: two imports
    confirmed at the same moment both saw the same e-mails as new, and the
    database's unique constraints let only the first one in.  Previewing the
    file again shows them as known.
    """


# PostgreSQL bulk inserts go through psycopg's COPY, whose errors Django does not wrap.
_UNIQUE_VIOLATIONS: tuple[type[Exception], ...] = (IntegrityError, psycopg.IntegrityError)


@dataclass(frozen=True)
class ApplyResult:
    """What the import did.

    ``added_to_programme``: people stored elsewhere in the network who joined
    this programme with their details untouched; pages count them as added,
    like new people, so an import tells nobody who else is in the network.
    ``kept``: people already in the programme whose details were left alone.
    """

    created: int
    updated: int
    organisations_created: int
    memberships_created: int
    added_to_programme: int = 0
    kept: int = 0

    @property
    def added(self) -> int:
        """People new to the programme, as the importer sees them."""
        return self.created + self.added_to_programme


def apply_roster(
    preview: RosterPreview, programme: Programme, editor: User | None = None
) -> ApplyResult:
    """Apply a valid preview; ``editor`` None is an operator (manages everything)."""
    if not preview.is_valid:
        raise RosterNotValid(f"{len(preview.problems)} problems remain")
    records = preview.records
    try:
        with transaction.atomic():
            organisations, organisations_created = _ensure_organisations(records)
            people, counts = _upsert_people(records, organisations, programme, editor)
            memberships_created = _ensure_memberships(records, people, programme)
            _write_numbered(records, people, programme, editor)
    except _UNIQUE_VIOLATIONS as error:
        raise RosterConflict(str(error)) from error
    return ApplyResult(
        counts.created,
        counts.updated,
        organisations_created,
        memberships_created,
        counts.added_to_programme,
        counts.kept,
    )


@dataclass
class _Counts:
    created: int = 0
    updated: int = 0
    added_to_programme: int = 0
    kept: int = 0


def _ensure_organisations(records: list[RosterRecord]) -> tuple[dict[str, Organisation], int]:
    wanted: dict[str, RosterRecord] = {}
    for record in records:
        if record.organisation:
            wanted.setdefault(record.organisation.lower(), record)
    existing = {o.name.lower(): o for o in Organisation.objects.all()}
    missing = [
        Organisation(
            name=r.organisation, country=r.country or "", kind=r.organisation_kind or "other"
        )
        for key, r in wanted.items()
        if key not in existing
    ]
    Organisation.objects.bulk_create(missing, batch_size=BATCH)
    if missing:
        existing = {o.name.lower(): o for o in Organisation.objects.all()}
    return existing, len(missing)


def _upsert_people(
    records: list[RosterRecord],
    organisations: dict[str, Organisation],
    programme: Programme,
    editor: User | None,
) -> tuple[dict[str, Person], _Counts]:
    people = _people_by_email([r.email for r in records])
    updatable = Stewardship.of(editor).fully_managed(p.pk for p in people.values())
    in_programme = _in_programme(programme, [p.pk for p in people.values()])
    new: list[Person] = []
    changed: list[Person] = []
    counts = _Counts()
    for record in records:
        person = people.get(record.email)
        if person is None:
            person = Person(email=record.email)
            _fill(person, record, organisations)
            new.append(person)
            people[record.email] = person
        elif person.pk in updatable:
            counts.updated += 1
            if _fill(person, record, organisations):
                changed.append(person)
        elif person.pk in in_programme:
            counts.kept += 1
        else:
            counts.added_to_programme += 1
    _insert_people(new)
    fields = ["organisation", "languages", *_TEXT_FIELDS, *_FLAG_FIELDS.values()]
    # bulk_update builds one CASE per field: small batches keep that SQL cheap.
    Person.objects.bulk_update(changed, fields, batch_size=UPDATE_BATCH)
    if new:
        people.update(_people_by_email([p.email for p in new]))
    counts.created = len(new)
    return people, counts


def _in_programme(programme: Programme, person_ids: list[int]) -> set[int]:
    found: set[int] = set()
    for start in range(0, len(person_ids), BATCH):
        chunk = person_ids[start : start + BATCH]
        found.update(
            Membership.objects.filter(programme=programme, person_id__in=chunk).values_list(
                "person_id", flat=True
            )
        )
    return found


_PERSON_COLUMNS = (
    "email",
    "organisation",
    "languages",
    *_TEXT_FIELDS,
    *_FLAG_FIELDS.values(),
    "created_at",
    "updated_at",
)


def _insert_people(new: list[Person]) -> None:
    now = timezone.now()
    for person in new:
        person.created_at = person.updated_at = now
    attributes = ["organisation_id" if f == "organisation" else f for f in _PERSON_COLUMNS]
    insert_rows(Person, _PERSON_COLUMNS, ([getattr(p, a) for a in attributes] for p in new))


def _people_by_email(emails: list[str]) -> dict[str, Person]:
    found: dict[str, Person] = {}
    for start in range(0, len(emails), BATCH):
        chunk = emails[start : start + BATCH]
        found.update({p.email: p for p in Person.objects.filter(email__in=chunk)})
    return found


def _fill(person: Person, record: RosterRecord, organisations: dict[str, Organisation]) -> bool:
    """Copy the record onto the person; return whether anything changed."""
    wanted: dict[str, Any] = {}
    for field in _TEXT_FIELDS:
        value = getattr(record, field)
        if value:
            wanted[field] = value
    for column, field in _FLAG_FIELDS.items():
        wanted[field] = bool(getattr(record, column))
    if record.languages:
        wanted["languages"] = list(record.languages)
    if record.organisation:
        wanted["organisation_id"] = organisations[record.organisation.lower()].pk
    changed = False
    for field, value in wanted.items():
        if getattr(person, field) != value:
            setattr(person, field, value)
            changed = True
    return changed


def _ensure_memberships(
    records: list[RosterRecord], people: dict[str, Person], programme: Programme
) -> int:
    cohorts = {c.name.lower(): c.pk for c in programme.cohorts.all()}
    existing: set[tuple[int, int | None, str]] = set(
        Membership.objects.filter(programme=programme).values_list("person_id", "cohort_id", "role")
    )
    new: list[tuple[int, int | None, str]] = []
    for record in records:
        cohort_id = cohorts[record.cohort.lower()] if record.cohort else None
        key = (people[record.email].pk, cohort_id, record.programme_role or "participant")
        if key not in existing:
            existing.add(key)
            new.append(key)
    now = timezone.now()
    return insert_rows(
        Membership,
        ("person", "programme", "cohort", "role", "created_at"),
        ((person_id, programme.pk, cohort_id, role, now) for person_id, cohort_id, role in new),
    )


def _numbered(record: RosterRecord) -> Answers:
    """The row's ``challenge_N`` and ``expectation_N`` cells; blank cells keep what is stored."""
    return Answers(
        {
            position: Entry(c.text, tuple(c.tags))
            for position, c in enumerate(record.challenges, start=1)
            if c.text
        },
        {position: text for position, text in enumerate(record.expectations, start=1) if text},
        replace=False,
    )


def _write_numbered(
    records: list[RosterRecord],
    people: dict[str, Person],
    programme: Programme,
    editor: User | None,
) -> None:
    """Replace numbered challenges and expectations through the one (versioning) writer."""
    entered_by = Person.objects.filter(user=editor).first() if editor is not None else None
    write_answers(
        programme,
        {people[r.email].pk: _numbered(r) for r in records},
        entered_by=entered_by,
        on_behalf=True,
    )
