"""Write a validated roster to the database, all or nothing.

Decisions (also in docs/data-formats.md):

* people are matched by e-mail (case-insensitive); a known person is updated;
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

from django.db import transaction

from peerlearn.people.models import Challenge, LearningExpectation, Organisation, Person
from peerlearn.people.roster.validation import RosterPreview, RosterRecord
from peerlearn.programmes.models import Membership, Programme

BATCH = 1000
_TEXT_FIELDS = ("name", "country", "role_title", "seniority", "gender")
_FLAG_FIELDS = {
    "external": "is_external",
    "alumni": "is_alumni",
    "consent_to_contact": "consent_to_contact",
}


class RosterNotValid(ValueError):
    """Raised when asked to apply a roster whose preview still lists problems."""


@dataclass(frozen=True)
class ApplyResult:
    created: int
    updated: int
    organisations_created: int
    memberships_created: int


def apply_roster(preview: RosterPreview, programme: Programme) -> ApplyResult:
    if not preview.is_valid:
        raise RosterNotValid(f"{len(preview.problems)} problems remain")
    records = preview.records
    with transaction.atomic():
        organisations, organisations_created = _ensure_organisations(records)
        people, created, updated = _upsert_people(records, organisations)
        memberships_created = _ensure_memberships(records, people, programme)
        _replace_numbered(Challenge, records, people, programme)
        _replace_numbered(LearningExpectation, records, people, programme)
    return ApplyResult(created, updated, organisations_created, memberships_created)


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
    records: list[RosterRecord], organisations: dict[str, Organisation]
) -> tuple[dict[str, Person], int, int]:
    emails = [r.email for r in records]
    known = _people_by_email(emails)
    new: list[Person] = []
    changed: list[Person] = []
    for record in records:
        person = known.get(record.email)
        if person is None:
            new.append(_fill(Person(email=record.email), record, organisations))
        else:
            changed.append(_fill(person, record, organisations))
    Person.objects.bulk_create(new, batch_size=BATCH)
    fields = ["organisation", "languages", *_TEXT_FIELDS, *_FLAG_FIELDS.values()]
    Person.objects.bulk_update(changed, fields, batch_size=BATCH)
    return _people_by_email(emails), len(new), len(changed)


def _people_by_email(emails: list[str]) -> dict[str, Person]:
    found: dict[str, Person] = {}
    for start in range(0, len(emails), BATCH):
        chunk = emails[start : start + BATCH]
        found.update({p.email: p for p in Person.objects.filter(email__in=chunk)})
    return found


def _fill(person: Person, record: RosterRecord, organisations: dict[str, Organisation]) -> Person:
    for field in _TEXT_FIELDS:
        value = getattr(record, field)
        if value:
            setattr(person, field, value)
    for column, field in _FLAG_FIELDS.items():
        setattr(person, field, bool(getattr(record, column)))
    if record.languages:
        person.languages = list(record.languages)
    if record.organisation:
        person.organisation = organisations[record.organisation.lower()]
    return person


def _ensure_memberships(
    records: list[RosterRecord], people: dict[str, Person], programme: Programme
) -> int:
    cohorts = {c.name.lower(): c for c in programme.cohorts.all()}
    existing: set[tuple[int, int | None, str]] = set(
        Membership.objects.filter(programme=programme).values_list("person_id", "cohort_id", "role")
    )
    new: list[Membership] = []
    for record in records:
        cohort = cohorts[record.cohort.lower()] if record.cohort else None
        role = record.programme_role or "participant"
        key = (people[record.email].pk, cohort.pk if cohort else None, role)
        if key not in existing:
            existing.add(key)
            new.append(
                Membership(
                    person=people[record.email], programme=programme, cohort=cohort, role=role
                )
            )
    Membership.objects.bulk_create(new, batch_size=BATCH)
    return len(new)


Entry = tuple[int, str, list[str]]  # position, text, tags


def _challenge_entries(record: RosterRecord) -> list[Entry]:
    return [
        (position, c.text, list(c.tags))
        for position, c in enumerate(record.challenges, start=1)
        if c.text
    ]


def _expectation_entries(record: RosterRecord) -> list[Entry]:
    return [
        (position, text, []) for position, text in enumerate(record.expectations, start=1) if text
    ]


def _replace_numbered(
    model: type[Challenge] | type[LearningExpectation],
    records: list[RosterRecord],
    people: dict[str, Person],
    programme: Programme,
) -> None:
    """Upsert numbered challenges or expectations of this programme by position."""
    is_challenge = model is Challenge
    entries_of = _challenge_entries if is_challenge else _expectation_entries
    person_ids = [people[r.email].pk for r in records]
    stored: dict[tuple[int, int], Any] = {}
    for start in range(0, len(person_ids), BATCH):
        chunk = person_ids[start : start + BATCH]
        for found in model.objects.filter(programme=programme, person_id__in=chunk):
            stored[(found.person_id, found.position)] = found
    new: list[Any] = []
    changed: list[Any] = []
    for record in records:
        person = people[record.email]
        for position, text, tags in entries_of(record):
            item: Any = stored.get((person.pk, position))
            if item is None:
                item = model(person=person, programme=programme, position=position)
                new.append(item)
            else:
                changed.append(item)
            item.text = text
            if is_challenge:
                item.tags = tags
    model.objects.bulk_create(new, batch_size=BATCH)
    model.objects.bulk_update(
        changed, ["text", "tags"] if is_challenge else ["text"], batch_size=BATCH
    )
