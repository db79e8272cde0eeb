"""Publishing a run: groups into ``programmes.Group`` rows, pairs into ``PublishedPair``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peerlearn.matching.models import MatchingRun, PublishedPair
from peerlearn.matching.outcome import Outcome
from peerlearn.matching.reading import group_problems, groups_of, pair_problems
from peerlearn.programmes.models import Cohort, Group, GroupMember, GroupNote


def _write_published_pairs(
    run: MatchingRun, rows: Sequence[Mapping[str, Any]], *, replace: bool
) -> None:
    """The pairs participants see: one ``PublishedPair`` per stored pair."""
    if replace:
        PublishedPair.objects.filter(run=run).delete()
    PublishedPair.objects.bulk_create(
        [
            PublishedPair(
                run=run, cohort=run.cohort, label=p["label"], a_id=int(p["a"]), b_id=int(p["b"])
            )
            for p in rows
        ],
        batch_size=1000,
    )


@dataclass(frozen=True)
class PublishPreview:
    """What publishing a grouping would move to the earlier groupings."""

    group_ids: tuple[int, ...]
    notes: int
    members: int

    @property
    def groups(self) -> int:
        return len(self.group_ids)

    @property
    def token(self) -> str:
        """The groups the confirmation page showed, sent back with the form."""
        return ",".join(str(i) for i in self.group_ids)


def _groups_to_archive(cohort: Cohort) -> Any:
    """The cohort's current groups written by an earlier publish (hand-made ones stay)."""
    return Group.objects.filter(
        cohort=cohort, archived_at__isnull=True, source_run__isnull=False
    ).order_by("pk")


def publish_preview(run: MatchingRun) -> PublishPreview:
    """The current published groups (with their notes) that publishing ``run`` archives."""
    if run.kind != "groups":
        return PublishPreview((), 0, 0)
    rows = _groups_to_archive(run.cohort)
    ids = tuple(rows.values_list("pk", flat=True))
    return PublishPreview(
        group_ids=ids,
        notes=GroupNote.objects.filter(group_id__in=ids).count(),
        members=GroupMember.objects.filter(group_id__in=ids).count(),
    )


def is_current_grouping(run: MatchingRun) -> bool:
    """Is ``run`` the published grouping whose groups participants see now?"""
    ids = [int(i) for i in run.run_result.group_ids.values()]
    return bool(
        run.kind == "groups"
        and run.published_at
        and ids
        and Group.objects.filter(pk__in=ids, archived_at__isnull=True).count() == len(ids)
    )


def publish(run: MatchingRun, version: int, *, confirmed: str | None = None) -> Outcome:
    """Publish the run for its cohort, or say which hard constraints it breaks.

    Nothing is deleted: the cohort's current published groups are archived
    (``archived_at``), keeping their members and notes as an earlier grouping.
    ``confirmed`` is the :attr:`PublishPreview.token` the facilitator saw;
    when the groups to archive are no longer those, nothing happens and
    ``Outcome.stale_preview`` asks for a new confirmation (``None`` skips the
    check, for the CLI and tests). The cohort row is locked for the
    transaction so two publishes of one cohort run one after the other.
    """
    if run.status != "done":
        return Outcome(error=_("Only a finished run can be published."))
    if version != run.version:
        return Outcome(conflict=True)
    if run.kind == "pairs":
        return _publish_pairs(run, version)
    if is_current_grouping(run):
        return Outcome(error=_("This grouping is already the published one."))
    stored = run.run_result
    problems = group_problems(run, stored.assignment)
    if problems:
        return Outcome(problems=problems)
    groups = groups_of(run)
    with transaction.atomic():
        Cohort.objects.select_for_update().filter(pk=run.cohort_id).first()
        preview = publish_preview(run)
        if confirmed is not None and confirmed != preview.token:
            return Outcome(stale_preview=True)
        now = timezone.now()
        archived = _groups_to_archive(run.cohort).update(archived_at=now)
        group_ids = _write_groups(run, groups)
        result = replace(stored, group_ids=group_ids, problems=[])
        if not run.save_result(version, result):
            transaction.set_rollback(True)
            return Outcome(conflict=True)
        run.published_at = now
        MatchingRun.objects.filter(pk=run.pk).update(published_at=now)
        from peerlearn.matching.tasks import mail_group_published

        # Queued inside the transaction: no e-mail for a publish that rolls back.
        mail_group_published.enqueue(run.pk)
    return Outcome(ok=True, groups=len(group_ids), archived=archived)


def published_name(label: str, name: str) -> str:
    """The ``programmes.Group`` name of a run's group: the facilitator's, else "Group G1"."""
    return name or _("Group %(label)s") % {"label": label}


def _write_groups(run: MatchingRun, groups: Mapping[str, list[str]]) -> dict[str, int]:
    """One ``Group`` (and its members) per non-empty group of ``run``; label -> group id."""
    taken = set(
        Group.objects.filter(cohort=run.cohort, archived_at__isnull=True).values_list(
            "name", flat=True
        )
    )
    group_ids: dict[str, int] = {}
    rows: list[GroupMember] = []
    for label, members in groups.items():
        if not members:
            continue
        name = published_name(
            label, str((run.run_result.groups.get(label) or {}).get("name") or "")
        )
        if name in taken:  # a hand-made group of that name
            name = f"{name} · #{run.pk}"
        group = Group.objects.create(cohort=run.cohort, name=name, source_run=run)
        group_ids[label] = group.pk
        rows.extend(GroupMember(group=group, person_id=int(pid)) for pid in members)
    GroupMember.objects.bulk_create(rows, batch_size=1000)
    return group_ids


def _publish_pairs(run: MatchingRun, version: int) -> Outcome:
    problems = pair_problems(run)
    if problems:
        return Outcome(problems=problems)
    with transaction.atomic():
        stored = run.run_result
        if not run.save_result(version, stored):
            transaction.set_rollback(True)
            return Outcome(conflict=True)
        _write_published_pairs(run, stored.pairs, replace=True)
        run.published_at = timezone.now()
        MatchingRun.objects.filter(pk=run.pk).update(published_at=run.published_at)
    return Outcome(ok=True, groups=len(stored.pairs))
