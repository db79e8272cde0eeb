"""Editing a finished run: moves, swaps, group names, locks, re-pairs and requests.

Every edit is optimistic (the form's ``version``) and checked with the
engine's independent checkers; the engine decides what a re-pair changes
(:func:`peerlearn.engine.pairing.repair_pairs`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peerlearn.engine.pairing import Pair as EnginePair
from peerlearn.matching.models import MatchingRun, Move, MoveRequest
from peerlearn.matching.outcome import Outcome
from peerlearn.matching.publishing import published_name, write_published_pairs
from peerlearn.matching.reading import constraints_for, group_problems, pair_people, to_engine
from peerlearn.matching.result import RunResult
from peerlearn.matching.running import _pair_row
from peerlearn.people.models import Person
from peerlearn.programmes.models import Group, GroupMember


def _engine_pair(row: Mapping[str, Any]) -> EnginePair:
    return EnginePair(
        str(row["a"]),
        str(row["b"]),
        float(row.get("affinity") or 0.0),
        str(row["label"]),
        locked=bool(row.get("locked")),
        moved=bool(row.get("moved")),
    )


def _members_of(assignment: Mapping[str, str], labels: set[str]) -> dict[str, str]:
    return {pid: label for pid, label in assignment.items() if label in labels}


def _home(run: MatchingRun, stored: RunResult, person_id: str, current: str) -> str:
    """The group ``person_id`` was first placed in (runs edited before "home" was kept:
    the first move's origin)."""
    home = (stored.members.get(person_id) or {}).get("home")
    if home:
        return str(home)
    first = (
        Move.objects.filter(run=run, person_id=int(person_id)).order_by("created_at", "pk").first()
    )
    return first.from_group if first else current


def _placed(
    run: MatchingRun, stored: RunResult, moves: Mapping[str, str]
) -> dict[str, dict[str, Any]]:
    """Members' stored info after ``moves`` (id -> new label): "moved" only away from home."""
    members = dict(stored.members)
    for pid, to_label in moves.items():
        home = _home(run, stored, pid, stored.assignment[pid])
        members[pid] = {**members.get(pid, {}), "moved": to_label != home, "home": home}
    return members


def _check_edit(
    run: MatchingRun, stored: RunResult, moves: Mapping[str, str]
) -> tuple[dict[str, str], list[Any], list[Any]]:
    """The assignment after ``moves``, the problems it adds, and the run's problems then.

    An edit changes only its groups, so only they are checked: at 10,000
    people this keeps a move well under the 200 ms target (benchmarks/
    matching_web.py) instead of re-validating every group twice.
    """
    assignment = dict(stored.assignment)
    scope = {assignment[pid] for pid in moves} | set(moves.values())
    before = group_problems(run, _members_of(assignment, scope))
    assignment.update(moves)
    after = group_problems(run, _members_of(assignment, scope))
    new = [p for p in after if p not in before]
    untouched = [p for p in stored.problems if p not in before]
    return assignment, new, untouched + [p for p in after if p not in untouched]


def _apply_moves(
    run: MatchingRun,
    stored: RunResult,
    moves: Mapping[str, str],
    assignment: dict[str, str],
    problems: list[Any],
    version: int,
    *,
    by: Person | None,
    source: str,
    reason: str,
) -> list[Move] | None:
    """Save ``moves`` (conditional on ``version``), record them, follow them in the
    published groups and queue the new explanation; ``None`` on a stale version."""
    result = replace(
        stored, assignment=assignment, problems=problems, members=_placed(run, stored, moves)
    )
    with transaction.atomic():
        if not run.save_moves(version, list(moves), result):
            return None
        rows = [
            Move.objects.create(
                run=run,
                person_id=int(pid),
                from_group=stored.assignment[pid],
                to_group=to_label,
                reason=reason,
                source=source,
                moved_by=by,
            )
            for pid, to_label in moves.items()
        ]
        group_ids = stored.group_ids
        if run.published_at:
            for pid, to_label in moves.items():
                from_label = stored.assignment[pid]
                if from_label in group_ids and to_label in group_ids:
                    GroupMember.objects.filter(
                        group_id=group_ids[from_label], person_id=int(pid)
                    ).update(group_id=group_ids[to_label])
    queue_refresh(run)
    return rows


def queue_refresh(run: MatchingRun) -> None:
    """Recompute the edited run's reasons, themes and figures (a task; immediate: now)."""
    from peerlearn.matching.tasks import refresh_explanation

    refresh_explanation.enqueue(run.pk, run.version)
    run.refresh_from_db(fields=["result", "quality", "version"])


def move_member(
    run: MatchingRun,
    person_id: str,
    to_label: str,
    version: int,
    *,
    by: Person | None,
    source: str = "facilitator",
    reason: str = "",
    force: bool = False,
) -> Outcome:
    """Move one person to another group of the run, checking the hard constraints.

    The move is refused (nothing changes) when it would add a violation, unless
    ``force``; it is refused too when the run changed since ``version``. Moved
    back to the group the run first gave them, the person loses the "moved by
    hand" mark. Reasons, themes and quality figures are recomputed afterwards.
    """
    if run.kind != "groups" or run.status != "done":
        return Outcome(error=_("Only a finished grouping can be edited."))
    if version != run.version:
        return Outcome(conflict=True)
    stored = run.run_result
    labels = stored.labels
    if person_id not in stored.assignment:
        return Outcome(error=_("This person is not in this run."))
    if to_label not in labels:
        return Outcome(error=_("There is no group %(label)s in this run.") % {"label": to_label})
    if stored.assignment[person_id] == to_label:
        return Outcome(error=_("This person is already in group %(label)s.") % {"label": to_label})
    moves = {person_id: to_label}
    assignment, new, problems = _check_edit(run, stored, moves)
    if new and not force:
        return Outcome(problems=new)
    rows = _apply_moves(
        run, stored, moves, assignment, problems, version, by=by, source=source, reason=reason
    )
    if rows is None:
        return Outcome(conflict=True)
    return Outcome(ok=True, move=rows[0])


def swap_members(
    run: MatchingRun,
    person_id: str,
    other_id: str,
    version: int,
    *,
    by: Person | None,
    reason: str = "",
    force: bool = False,
) -> Outcome:
    """Swap two members of different groups in one step (sizes stay as they are).

    With full groups every single move breaks a size rule; a swap does not.
    Refused when either person is locked (a lock promises that placement), when
    they share a group, when the swap adds a rule problem (unless ``force``)
    or when the run changed since ``version``.
    """
    if run.kind != "groups" or run.status != "done":
        return Outcome(error=_("Only a finished grouping can be edited."))
    if version != run.version:
        return Outcome(conflict=True)
    stored = run.run_result
    assignment = stored.assignment
    if person_id not in assignment or other_id not in assignment:
        return Outcome(error=_("This person is not in this run."))
    if person_id == other_id:
        return Outcome(error=_("Choose two different people."))
    for pid in (person_id, other_id):
        if pid in stored.locked:
            name = Person.objects.filter(pk=int(pid)).values_list("name", flat=True).first()
            return Outcome(
                error=_("%(name)s is locked in group %(label)s: unlock them first to swap them.")
                % {"name": name or pid, "label": assignment[pid]}
            )
    if assignment[person_id] == assignment[other_id]:
        return Outcome(
            error=_("These two are both in group %(label)s already.")
            % {"label": assignment[person_id]}
        )
    moves = {person_id: assignment[other_id], other_id: assignment[person_id]}
    new_assignment, new, problems = _check_edit(run, stored, moves)
    if new and not force:
        return Outcome(problems=new)
    rows = _apply_moves(
        run,
        stored,
        moves,
        new_assignment,
        problems,
        version,
        by=by,
        source="facilitator",
        reason=reason,
    )
    if rows is None:
        return Outcome(conflict=True)
    return Outcome(ok=True, move=rows[0], moves=rows)


#: Longest group name (``programmes.Group.name`` holds more; this fits a card title).
GROUP_NAME_MAX = 80


def rename_group(run: MatchingRun, label: str, name: str, version: int) -> Outcome:
    """Give group ``label`` a name of the facilitator's choosing ("" goes back to the label).

    The name follows the group into the published ``programmes.Group`` (when
    the run is the published one) and into the e-mails and exports.
    """
    if run.kind != "groups" or run.status != "done":
        return Outcome(error=_("Only a finished grouping can be edited."))
    stored = run.run_result
    if label not in stored.labels:
        return Outcome(error=_("There is no group %(label)s in this run.") % {"label": label})
    if any(ord(ch) < 32 for ch in name):  # NUL cannot be stored by PostgreSQL
        return Outcome(error=_("A group name cannot hold control characters."))
    name = " ".join(name.split())
    if len(name) > GROUP_NAME_MAX:
        return Outcome(
            error=_("A group name has at most %(n)d characters.") % {"n": GROUP_NAME_MAX}
        )
    taken = {
        str(info.get("name")).casefold()
        for other, info in stored.groups.items()
        if other != label and info.get("name")
    }
    if name and (name.casefold() in taken or name in stored.labels and name != label):
        return Outcome(
            error=_("Another group of this run is already called %(name)s.") % {"name": name}
        )
    groups = dict(stored.groups)
    groups[label] = {**(groups.get(label) or {}), "name": name}
    with transaction.atomic():
        if not run.save_result(version, replace(stored, groups=groups)):
            return Outcome(conflict=True)
        group_id = stored.group_ids.get(label)
        if run.published_at and group_id:
            Group.objects.filter(pk=group_id).update(name=published_name(label, name))
    return Outcome(ok=True)


def set_lock(run: MatchingRun, person_id: str, locked: bool, version: int) -> Outcome:
    """Lock (or unlock) a person in their current group for re-runs."""
    if run.kind != "groups" or run.status != "done":
        return Outcome(error=_("Only a finished grouping can be edited."))
    stored = run.run_result
    if person_id not in stored.assignment:
        return Outcome(error=_("This person is not in this run."))
    current = set(stored.locked)
    if locked:
        current.add(person_id)
    else:
        current.discard(person_id)
    if not run.save_result(version, replace(stored, locked=sorted(current))):
        return Outcome(conflict=True)
    return Outcome(ok=True)


def re_pair(
    run: MatchingRun,
    person_id: str,
    partner_id: str,
    version: int,
    *,
    by: Person | None,
    reason: str = "",
    force: bool = False,
) -> Outcome:
    """Pair ``person_id`` with ``partner_id`` by hand (the engine's ``repair_pairs``).

    The engine decides who loses which partner and checks everyone before
    and after; the re-pair is refused for the problems it adds unless
    ``force``, and refused too when the run changed since ``version``.
    """
    from peerlearn.engine.pairing import repair_pairs

    if run.kind != "pairs" or run.status != "done":
        return Outcome(error=_("Only finished pairs can be re-paired."))
    if version != run.version:
        return Outcome(conflict=True)
    allowed = {str(p.pk) for p in pair_people(run)}
    if person_id not in allowed or partner_id not in allowed:
        return Outcome(error=_("This person is not in this run."))
    if person_id == partner_id:
        return Outcome(error=_("Choose two different people."))
    stored = run.run_result
    rows = [dict(p) for p in stored.pairs]
    if any({p["a"], p["b"]} == {person_id, partner_id} for p in rows):
        return Outcome(error=_("These two are already paired."))
    mode = stored.pair_mode(run.run_parameters)
    left_out = stored.left_out
    ids = {x for p in rows for x in (p["a"], p["b"])} | set(left_out) | {person_id, partner_id}
    persons = Person.objects.filter(pk__in=[int(i) for i in ids]).select_related("organisation")
    people = to_engine(persons, with_challenges=False)
    done = repair_pairs(
        people,
        [_engine_pair(p) for p in rows],
        mode,
        person_id,
        partner_id,
        constraints=constraints_for(run, {p.id for p in people}),
        capacity=stored.capacity,
        left_out=left_out,
    )
    new = [f.as_dict() for f in done.new_problems]
    if new and not force:
        return Outcome(problems=new)
    before = [f.as_dict() for f in done.before]
    after = [f.as_dict() for f in done.after]
    new_pairs = [_pair_row(p) if p.moved else dict(_row_of(rows, p)) for p in done.pairs]
    untouched = [p for p in stored.problems if p not in before]
    labels = {p["label"] for p in new_pairs}
    result = replace(
        stored,
        pairs=new_pairs,
        left_out=done.left_out,
        problems=untouched + [p for p in after if p not in untouched],
        locked_pairs=[x for x in stored.locked_pairs if x in labels],
    )
    mine = [p.label for p in done.removed if person_id in (p.a, p.b)]
    from_label = ", ".join(dict.fromkeys(mine)) or "–"
    with transaction.atomic():
        if not run.save_result(version, result):
            return Outcome(conflict=True)
        move = Move.objects.create(
            run=run,
            person_id=int(person_id),
            from_group=from_label[:50],
            to_group=done.label[:50],
            reason=reason,
            source="facilitator",
            moved_by=by,
        )
        if run.published_at:
            write_published_pairs(run, new_pairs)
    return Outcome(ok=True, move=move)


def _row_of(rows: Sequence[Mapping[str, Any]], pair: EnginePair) -> Mapping[str, Any]:
    """The stored row of an untouched pair (kept as it was, flags and affinity included)."""
    return next(r for r in rows if (r["a"], r["b"], r["label"]) == (pair.a, pair.b, pair.label))


def set_pair_lock(run: MatchingRun, label: str, locked: bool, version: int) -> Outcome:
    """Lock (or unlock) a pair (every pair of a trio) so that a re-run keeps it."""
    if run.kind != "pairs" or run.status != "done":
        return Outcome(error=_("Only finished pairs can be re-paired."))
    stored = run.run_result
    if label not in [p["label"] for p in stored.pairs]:
        return Outcome(error=_("There is no pair %(label)s in this run.") % {"label": label})
    current = [x for x in stored.locked_pairs if x != label]
    if locked:
        current.append(label)
    if not run.save_result(version, replace(stored, locked_pairs=current)):
        return Outcome(conflict=True)
    return Outcome(ok=True)


def decide_request(
    request_row: MoveRequest,
    accept: bool,
    to_label: str,
    version: int,
    by: Person | None,
    *,
    force: bool = False,
) -> Outcome:
    """Accept (move, checking constraints) or decline a participant's request.

    The decision is a conditional update, ``pending -> accepted/declined``
    (as ``SignInLink.redeem``): of two facilitators deciding at once exactly
    one updates the row, and only that one applies the move, in the same
    transaction. A refused move (rule problems, stale version) rolls the
    decision back, so the request stays pending.
    """
    with transaction.atomic():
        claimed = MoveRequest.objects.filter(pk=request_row.pk, status="pending").update(
            status="accepted" if accept else "declined", decided_by=by, decided_at=timezone.now()
        )
        if not claimed:
            return Outcome(error=_("This request was already decided."))
        if accept:
            outcome = move_member(
                request_row.run,
                str(request_row.person_id),
                to_label,
                version,
                by=by,
                source="request",
                reason=request_row.reason,
                force=force,
            )
            if not outcome.ok:
                transaction.set_rollback(True)
                return outcome
    request_row.refresh_from_db()
    return Outcome(ok=True)
