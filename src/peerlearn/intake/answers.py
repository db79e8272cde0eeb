"""The one writer of challenges and learning expectations: every change leaves a version.

The engine matches people on their challenges, so a change nobody can trace
would change a matching nobody can explain.  Every path that changes them
calls :func:`write_answers`: the personal intake link, a facilitator entering
answers on someone's behalf, the peer's own page, roster imports (page and
command line), the admin and the demo loader.  It writes the rows and, for
each person whose rows changed, an :class:`IntakeVersion` snapshot in the same
transaction, so no path can skip the history (tests/intake/test_answer_writes.py
covers each path).

Rows are matched by position and kept (with their ids) when only their text
changes, as matching runs refer to people, not rows.  Everything is done in
bulk statements, so a 10,000-row roster import stays a few statements per
thousand people.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from peerlearn.core.bulk import insert_rows
from peerlearn.intake.models import Challenge, IntakeInvitation, IntakeVersion, LearningExpectation
from peerlearn.people.models import Person
from peerlearn.programmes.models import Programme

#: People read per query (keeps ``IN (...)`` lists within every database's limits).
BATCH = 1000
#: ``bulk_update`` builds one CASE per field: small batches keep that SQL cheap.
UPDATE_BATCH = 200


@dataclass(frozen=True)
class Entry:
    """One challenge; ``tags`` None keeps the tags stored at its position (forms without tags)."""

    text: str
    tags: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Answers:
    """What one person's answers in a programme become, by position.

    ``replace``: positions not named are deleted (a form shows every answer);
    otherwise they are kept (a roster's ``challenge_N`` replaces only number N).
    """

    challenges: Mapping[int, Entry] = field(default_factory=dict)
    expectations: Mapping[int, str] = field(default_factory=dict)
    replace: bool = True

    @classmethod
    def from_texts(cls, challenges: Sequence[str], expectations: Sequence[str]) -> Answers:
        """Answers listed in order (positions 1..n), as forms give them."""
        return cls(
            {position: Entry(text) for position, text in enumerate(challenges, start=1)},
            dict(enumerate(expectations, start=1)),
        )


def write_answers(
    programme: Programme,
    answers: Mapping[int, Answers],
    *,
    entered_by: Person | None,
    on_behalf: bool,
    answered: bool = False,
    always_version: bool = False,
) -> dict[int, IntakeVersion]:
    """Make each person's (key: person id) rows read ``answers``; version every change.

    ``answered``: the person answered (their link, their own page), so their
    invitation counts as answered and reminders stop; an import or an admin
    edit does not answer for them.  ``always_version``: a submission is
    versioned even when it changed nothing (the person confirmed their answers).
    Returns the new versions by person id.
    """
    with transaction.atomic():
        _lock_people(sorted(answers))
        changed = _write_rows(Challenge, programme, answers, _challenge_plan)
        if changed:  # the similarity cache, once the rows are committed (intake/vectors.py)
            transaction.on_commit(partial(_encode_challenges, programme.pk, sorted(changed)))
        changed |= _write_rows(LearningExpectation, programme, answers, _expectation_plan)
        versioned = set(answers) if always_version else changed
        return _record_versions(programme, versioned, entered_by, on_behalf, answered)


def _encode_challenges(programme_id: int, person_ids: list[int]) -> None:
    from peerlearn.intake.vectors import encode_soon

    encode_soon(programme_id, person_ids)


def _lock_people(person_ids: Sequence[int]) -> None:
    """Hold the people's rows until the transaction ends, in id order (no deadlocks).

    Two submissions for one person would otherwise both see position 4 empty
    and both insert it; the second now waits and sees the first's rows.
    """
    for start in range(0, len(person_ids), BATCH):
        chunk = person_ids[start : start + BATCH]
        list(Person.objects.select_for_update().filter(pk__in=chunk).order_by("pk").values("pk"))


def _challenge_plan(answers: Answers) -> Mapping[int, Entry]:
    return answers.challenges


def _expectation_plan(answers: Answers) -> Mapping[int, Entry]:
    return {position: Entry(text) for position, text in answers.expectations.items()}


def _stored(
    model: type[Challenge] | type[LearningExpectation],
    programme: Programme,
    person_ids: Sequence[int],
) -> dict[int, dict[int, Any]]:
    """The stored rows of these people in the programme: person id -> position -> row."""
    stored: dict[int, dict[int, Any]] = {}
    for start in range(0, len(person_ids), BATCH):
        chunk = person_ids[start : start + BATCH]
        rows = model.objects.filter(programme=programme, person_id__in=chunk).order_by("pk")
        for row in rows:
            positions = stored.setdefault(row.person_id, {})
            # Two rows at one position (older data): the later one is surplus,
            # kept under a key no answer uses so that ``replace`` deletes it.
            positions[-row.pk if row.position in positions else row.position] = row
    return stored


def _write_rows(
    model: type[Challenge] | type[LearningExpectation],
    programme: Programme,
    answers: Mapping[int, Answers],
    plan_of: Any,
) -> set[int]:
    """Insert, update and delete rows of ``model``; the ids of people whose rows changed."""
    has_tags = model is Challenge
    stored = _stored(model, programme, list(answers))
    new: list[tuple[int, int, Entry]] = []
    updated: list[Any] = []
    deleted: list[int] = []
    changed: set[int] = set()
    for person_id, wanted in answers.items():
        rows = stored.get(person_id, {})
        for position, entry in plan_of(wanted).items():
            row = rows.pop(position, None)
            if row is None:
                new.append((person_id, position, entry))
                changed.add(person_id)
            elif row.text != entry.text or (
                has_tags and entry.tags is not None and row.tags != list(entry.tags)
            ):
                row.text = entry.text
                if has_tags and entry.tags is not None:
                    row.tags = list(entry.tags)
                updated.append(row)
                changed.add(person_id)
        if wanted.replace and rows:
            deleted.extend(row.pk for row in rows.values())
            changed.add(person_id)
    _insert(model, programme, new)
    model.objects.bulk_update(updated, ["text", "tags"] if has_tags else ["text"], UPDATE_BATCH)
    for start in range(0, len(deleted), BATCH):
        model.objects.filter(pk__in=deleted[start : start + BATCH]).delete()
    return changed


def _insert(
    model: type[Challenge] | type[LearningExpectation],
    programme: Programme,
    new: list[tuple[int, int, Entry]],
) -> None:
    if model is Challenge:
        now = timezone.now()
        columns: tuple[str, ...] = ("person", "programme", "position", "text", "tags")
        columns += ("created_at", "updated_at")
        rows: Iterable[Sequence[Any]] = (
            (person_id, programme.pk, position, e.text, list(e.tags or ()), now, now)
            for person_id, position, e in new
        )
    else:
        columns = ("person", "programme", "position", "text")
        rows = ((person_id, programme.pk, position, e.text) for person_id, position, e in new)
    insert_rows(model, columns, rows)


def _invitations(programme: Programme, person_ids: Sequence[int]) -> dict[int, IntakeInvitation]:
    """Each person's invitation (created when missing), locked until the transaction ends.

    Locked in id order, so two writers of the same people wait for each other
    instead of deadlocking, and version numbers never collide.
    """
    IntakeInvitation.objects.bulk_create(
        [IntakeInvitation(person_id=pk, programme=programme) for pk in person_ids],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    found: dict[int, IntakeInvitation] = {}
    for start in range(0, len(person_ids), BATCH):
        chunk = person_ids[start : start + BATCH]
        locked = IntakeInvitation.objects.select_for_update().filter(
            programme=programme, person_id__in=chunk
        )
        found.update((i.person_id, i) for i in locked.order_by("pk"))
    return found


def _texts(
    model: type[Challenge] | type[LearningExpectation],
    programme: Programme,
    person_ids: Sequence[int],
) -> dict[int, list[str]]:
    """The rows as they now read, in order: what a version keeps."""
    texts: dict[int, list[str]] = {}
    for start in range(0, len(person_ids), BATCH):
        chunk = person_ids[start : start + BATCH]
        rows = model.objects.filter(programme=programme, person_id__in=chunk)
        for person_id, text in rows.order_by("position", "pk").values_list("person_id", "text"):
            texts.setdefault(person_id, []).append(text)
    return texts


def _record_versions(
    programme: Programme,
    person_ids: set[int],
    entered_by: Person | None,
    on_behalf: bool,
    answered: bool,
) -> dict[int, IntakeVersion]:
    ordered = sorted(person_ids)
    if not ordered:
        return {}
    invitations = _invitations(programme, ordered)
    last = dict(
        IntakeVersion.objects.filter(invitation__in=[i.pk for i in invitations.values()])
        .values_list("invitation_id")
        .annotate(last=models.Max("number"))
    )
    challenges = _texts(Challenge, programme, ordered)
    expectations = _texts(LearningExpectation, programme, ordered)
    now = timezone.now()
    versions = {
        pk: IntakeVersion(
            invitation=invitations[pk],
            number=last.get(invitations[pk].pk, 0) + 1,
            created_at=now,
            challenges=challenges.get(pk, []),
            expectations=expectations.get(pk, []),
            entered_by=entered_by,
            on_behalf=on_behalf,
        )
        for pk in ordered
    }
    IntakeVersion.objects.bulk_create(versions.values(), batch_size=BATCH)
    if answered:
        IntakeInvitation.objects.filter(pk__in=[i.pk for i in invitations.values()]).update(
            submitted_at=now
        )
    return versions
