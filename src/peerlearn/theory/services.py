"""Writing a theory of change: the working copy, proposals, approvals, overrides.

Every write validates the whole map with the engine first and writes in one
transaction, so a refused edit (a cycle, a backwards link) leaves nothing
behind.  The map of a moment is the last revision approved by then.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from peerlearn.accounts.models import User
from peerlearn.engine.theory import (
    STATUSES,
    EvidenceItem,
    Problem,
    StatusRecord,
    TheoryMap,
    evidence_status,
    validate,
)
from peerlearn.programmes.models import Programme
from peerlearn.theory import evidence as evidence_registry
from peerlearn.theory.builtin import starting_map
from peerlearn.theory.models import EvidenceTie, Revision, StatusOverride, TheoryOfChange


class Refused(Exception):
    """A write that was not made; ``problems`` holds the engine's records, if any."""

    def __init__(self, message: str = "", problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []


def theory_for(programme: Programme) -> TheoryOfChange:
    """The programme's theory of change, created on first use from the built-in map.

    A new theory starts with revision 1 *proposed* (not approved): the
    built-in map counts only once a facilitator approves it.
    """
    found = TheoryOfChange.objects.filter(programme=programme).first()
    if found is not None:
        return found
    with transaction.atomic():
        start = starting_map().to_dict()
        theory, created = TheoryOfChange.objects.get_or_create(
            programme=programme, defaults={"draft": start}
        )
        if created:
            Revision.objects.create(
                theory=theory, number=1, reason=gettext("Built-in starting map"), snapshot=start
            )
    return theory


def draft_map(theory: TheoryOfChange) -> TheoryMap:
    return TheoryMap.from_dict(theory.draft)


def revision_map(revision: Revision) -> TheoryMap:
    return TheoryMap.from_dict(revision.snapshot)


def approved_revision(theory: TheoryOfChange, at: datetime | None = None) -> Revision | None:
    """The revision in force at ``at`` (now by default), or ``None`` before any approval."""
    revisions = theory.revisions.filter(approved_at__isnull=False)
    if at is not None:
        revisions = revisions.filter(approved_at__lte=at)
    return revisions.order_by("-approved_at", "-number").first()


def save_draft(theory: TheoryOfChange, new_map: TheoryMap) -> None:
    """Store the working copy, or raise :class:`Refused` with the map's problems."""
    problems = validate(new_map)
    if problems:
        raise Refused(problems=problems)
    with transaction.atomic():
        TheoryOfChange.objects.filter(pk=theory.pk).update(draft=new_map.to_dict())
    theory.draft = new_map.to_dict()


def propose(theory: TheoryOfChange, user: User, reason: str) -> Revision:
    """Propose the working copy as the next revision."""
    reason = reason.strip()
    if not reason:
        raise Refused(gettext("Say why the map changes."))
    with transaction.atomic():
        locked = TheoryOfChange.objects.select_for_update().get(pk=theory.pk)
        problems = validate(TheoryMap.from_dict(locked.draft))
        if problems:
            raise Refused(problems=problems)
        latest = locked.revisions.order_by("-number").first()
        if latest is not None and TheoryMap.from_dict(latest.snapshot).canonical() == (
            TheoryMap.from_dict(locked.draft).canonical()
        ):
            raise Refused(
                gettext("The working copy is the same as revision %(number)s.")
                % {"number": latest.number}
            )
        number = (locked.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
        return Revision.objects.create(
            theory=locked, number=number, author=user, reason=reason, snapshot=locked.draft
        )


def approve(revision: Revision, user: User) -> Revision:
    """Approve a proposal; one older than the revision in force is superseded and refused."""
    with transaction.atomic():
        locked = Revision.objects.select_for_update().get(pk=revision.pk)
        if locked.approved_at is not None:
            raise Refused(gettext("This revision is already approved."))
        current = approved_revision(locked.theory)
        if current is not None and current.number > locked.number:
            raise Refused(
                gettext("Revision %(number)s is already in force; propose the change again.")
                % {"number": current.number}
            )
        locked.approved_by = user
        locked.approved_at = timezone.now()
        locked.save(update_fields=["approved_by", "approved_at"])
    return locked


def override(
    theory: TheoryOfChange, element: str, status: str, reason: str, user: User
) -> StatusOverride:
    """Record a status override (``status`` empty: back to the computed status)."""
    if status and status not in STATUSES:
        raise Refused(gettext("Choose a status."))
    if not reason.strip():
        raise Refused(gettext("Give the reason for the status."))
    return StatusOverride.objects.create(
        theory=theory, element=element, status=status, reason=reason.strip(), by=user
    )


def current_overrides(theory: TheoryOfChange) -> dict[str, StatusOverride]:
    out: dict[str, StatusOverride] = {}
    for row in theory.overrides.order_by("at", "pk"):
        out[row.element] = row
    return {element: row for element, row in out.items() if row.status}


def evidence_items(theory: TheoryOfChange) -> dict[str, list[tuple[EvidenceTie, EvidenceItem]]]:
    """Each element's ties with their computed evidence (ties whose source vanished skipped)."""
    out: dict[str, list[tuple[EvidenceTie, EvidenceItem]]] = {}
    for tie in theory.ties.all():
        item = evidence_registry.compute(theory.programme, tie.kind, tie.params)
        if item is not None:
            out.setdefault(tie.element, []).append((tie, item))
    return out


def statuses(theory: TheoryOfChange, theory_map: TheoryMap) -> dict[str, StatusRecord]:
    items = evidence_items(theory)
    evidence = {element: [item for _tie, item in pairs] for element, pairs in items.items()}
    overrides = {element: row.status for element, row in current_overrides(theory).items()}
    return evidence_status(theory_map, evidence, overrides)
