"""Publishing a run: groups into ``programmes.Group`` rows, pairs into ``PublishedPair``.

A pair is a group too. Publishing a pairs run writes its ``PublishedPair``
rows (a, b, label: a trio is several rows with one label) *and* one
``programmes.Group`` of kind "pair" per label, with the pair's two (or
three) people as members; every row points at its group. So check-ins,
products, notes, sessions for a group and the Today panels work for pairs
as they do for groups, with no second code path (docs/progress.md).

What publishing archives (sets ``archived_at``; nothing is deleted, notes and
check-ins stay with the archived group):

* a groups run: the cohort's current groups of kind "group" that an earlier
  publish wrote; pairs, working groups and hand-made groups stay;
* a pairs run: the cohort's current pair groups of *other* pairs runs;
  groups stay. Publishing the same pairs run again keeps its own pair
  groups (members brought in step with its pairs), so it is safe to repeat.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peerlearn.matching.models import MatchingRun, PublishedPair
from peerlearn.matching.outcome import Outcome
from peerlearn.matching.reading import (
    current_published,
    group_problems,
    groups_of,
    pair_problems,
)
from peerlearn.programmes.models import Cohort, Group, GroupMember, GroupNote


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


def _groups_to_archive(run: MatchingRun) -> Any:
    """The cohort's current groups that publishing ``run`` moves to the earlier ones.

    Only groups an earlier publish wrote, and only of the run's own kind
    (groups for a grouping, pairs for pairs): hand-made groups, working
    groups and the other kind stay. A pairs run keeps its own pair groups.
    """
    rows = Group.objects.filter(
        cohort_id=run.cohort_id,
        kind="pair" if run.kind == "pairs" else "group",
        archived_at__isnull=True,
        source_run__isnull=False,
    )
    if run.kind == "pairs":
        rows = rows.exclude(source_run=run)
    return rows.order_by("pk")


def publish_preview(run: MatchingRun) -> PublishPreview:
    """The current published groups or pairs (with their notes) that publishing ``run`` archives."""
    rows = _groups_to_archive(run)
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
        return _publish_pairs(run, version, confirmed)
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
        archived = _groups_to_archive(run).update(archived_at=now)
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


def _publish_pairs(run: MatchingRun, version: int, confirmed: str | None) -> Outcome:
    """Publish pairs: earlier pairs' groups archived, this run's pairs and pair groups written."""
    problems = pair_problems(run)
    if problems:
        return Outcome(problems=problems)
    with transaction.atomic():
        Cohort.objects.select_for_update().filter(pk=run.cohort_id).first()
        if confirmed is not None and confirmed != publish_preview(run).token:
            return Outcome(stale_preview=True)
        stored = run.run_result
        if not run.save_result(version, stored):
            transaction.set_rollback(True)
            return Outcome(conflict=True)
        now = timezone.now()
        archived = _groups_to_archive(run).update(archived_at=now)
        run.published_at = now
        MatchingRun.objects.filter(pk=run.pk).update(published_at=now)
        write_published_pairs(run, stored.pairs)
    return Outcome(ok=True, groups=len(stored.pairs), archived=archived)


def pair_name(label: str) -> str:
    """The ``programmes.Group`` name of a published pair: "Pair P01"."""
    return _("Pair %(label)s") % {"label": label}


def write_published_pairs(run: MatchingRun, rows: Sequence[Mapping[str, Any]]) -> None:
    """The run's ``PublishedPair`` rows as ``rows`` say, each pointing at its pair's group.

    Called when the run is published and when a published run is re-paired.
    While the run is the cohort's current pairs, the pair groups follow
    (:func:`_pair_groups`); a run a later publish replaced keeps its archived
    groups as they were (history is not rewritten).
    """
    old = dict(
        PublishedPair.objects.filter(run=run, group__isnull=False).values_list("label", "group_id")
    )
    PublishedPair.objects.filter(run=run).delete()
    current = current_published(run.cohort, "pairs")
    if current is not None and current.pk == run.pk:
        group_ids = _pair_groups(run, rows, old)
    else:
        group_ids = old
    PublishedPair.objects.bulk_create(
        [
            PublishedPair(
                run=run,
                cohort_id=run.cohort_id,
                label=p["label"],
                a_id=int(p["a"]),
                b_id=int(p["b"]),
                group_id=group_ids.get(p["label"]),
            )
            for p in rows
        ],
        batch_size=1000,
    )


def _pair_groups(
    run: MatchingRun, rows: Sequence[Mapping[str, Any]], old: Mapping[str, int]
) -> dict[str, int]:
    """One current pair ``Group`` per label of ``rows``: label -> group id.

    A label whose group is still current keeps it (its check-ins and notes
    with it) and its members are brought in step (a re-pair moves people
    between pairs as a move does between groups); a label that is gone has
    its group archived; a new label gets a new group.
    """
    members: dict[str, list[int]] = {}
    for p in rows:
        members.setdefault(str(p["label"]), []).extend([int(p["a"]), int(p["b"])])
    live = set(
        Group.objects.filter(pk__in=old.values(), archived_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    kept = {label: gid for label, gid in old.items() if gid in live and label in members}
    gone = [gid for label, gid in old.items() if gid in live and label not in members]
    Group.objects.filter(pk__in=gone).update(archived_at=timezone.now())
    want = {(gid, pid) for label, gid in kept.items() for pid in members[label]}
    have = set(
        GroupMember.objects.filter(group_id__in=kept.values()).values_list("group_id", "person_id")
    )
    for gid, pid in have - want:
        GroupMember.objects.filter(group_id=gid, person_id=pid).delete()
    taken = set(
        Group.objects.filter(cohort_id=run.cohort_id, archived_at__isnull=True).values_list(
            "name", flat=True
        )
    )
    group_ids = dict(kept)
    for label in members:
        if label in kept:
            continue
        name = pair_name(label)
        if name in taken:  # a hand-made group of that name
            name = f"{name} · #{run.pk}"
        group = Group.objects.create(
            cohort_id=run.cohort_id, name=name, kind="pair", source_run=run
        )
        group_ids[label] = group.pk
        want |= {(group.pk, pid) for pid in members[label]}
    GroupMember.objects.bulk_create(
        [GroupMember(group_id=gid, person_id=pid) for gid, pid in sorted(want - have)],
        batch_size=1000,
    )
    return group_ids
