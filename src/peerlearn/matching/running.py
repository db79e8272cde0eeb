"""Running the engine for a matching run (the task's side) and starting runs."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from django.utils import timezone

from peerlearn.engine.constraints import Constraints, InfeasibleError
from peerlearn.engine.grouping import GroupingResult
from peerlearn.engine.pairing import Pair as EnginePair
from peerlearn.engine.people import Person as EnginePerson
from peerlearn.intake.vectors import run_backend
from peerlearn.matching.models import SEED_MAX, MatchingRun
from peerlearn.matching.reading import cohort_people, constraints_for, to_engine
from peerlearn.matching.result import RunParameters, RunResult
from peerlearn.people.models import Person
from peerlearn.programmes.models import Cohort

log = logging.getLogger("peerlearn.matching.services")


#: Largest run whose cohesion upper bound is computed. The bound is exact and
#: costs O(n^2 d) (engine.explain.upper_bound: about 0.1 s at 3,000 people, 1 s
#: at 10,000, 30 s at 50,000); above this size the run page shows the cohesion
#: without a ratio rather than make the facilitator wait for the bound.
BOUND_MAX_PEOPLE = 3000


def _set(run_id: int, **fields: Any) -> None:
    """Update status fields without touching the version (the task owns them)."""
    MatchingRun.objects.filter(pk=run_id).update(**fields)


def execute(run_id: int) -> None:
    """Run the engine for ``run_id`` and store the outcome (called by the task)."""
    run = MatchingRun.objects.select_related("cohort").get(pk=run_id)
    _set(run_id, status="running", progress=5)
    try:
        people = to_engine(cohort_people(run.cohort), run.cohort.programme_id)
        _set(run_id, progress=20)
        ids = {p.id for p in people}
        constraints = constraints_for(run, ids)
        if run.kind == "pairs":
            result, quality = _run_pairs(run, people, constraints)
        else:
            result, quality = _run_groups(run, people, constraints)
    except InfeasibleError as err:
        # Records, not the CLI's English: the run page words them in the
        # facilitator's language (matching.wording.conflict_text).
        _set(
            run_id,
            status="failed",
            error="",
            result=RunResult(conflicts=[c.as_dict() for c in err.conflicts]).to_json(),
            progress=100,
            finished_at=timezone.now(),
        )
        return
    except Exception as err:  # noqa: BLE001 - shown to the facilitator, logged in full
        log.exception("matching run %s failed", run_id)
        _set(
            run_id,
            status="failed",
            error=f"{type(err).__name__}: {err}",
            progress=100,
            finished_at=timezone.now(),
        )
        return
    _set(
        run_id,
        status="done",
        progress=100,
        result=result.to_json(),
        quality=quality,
        finished_at=timezone.now(),
    )


def _run_groups(
    run: MatchingRun, people: list[EnginePerson], c: Constraints
) -> tuple[RunResult, dict[str, Any]]:
    from peerlearn.engine.grouping import solve_groups

    p = run.run_parameters
    solved = solve_groups(
        people,
        c,
        p.criteria(),
        role_mode=p.role_mode,
        seed=run.seed,
        time_limit=p.time_limit,
        backend=run_backend(),
    )
    _set(run.pk, progress=80)
    groups, members, quality = explained_parts(solved, bound=len(people) <= BOUND_MAX_PEOPLE)
    result = RunResult(
        labels=list(solved.groups),
        assignment=dict(solved.assignment),
        groups=groups,
        members=members,
        locked=sorted(c.locked),
    )
    return result, quality


def explained_parts(
    solved: GroupingResult, *, bound: bool, upper_bound: float | None = None
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]], dict[str, Any]]:
    """Group and member explanations and the quality figures of a grouping, as stored.

    One writer for a solved run and for a run edited by hand
    (:func:`refresh_explanation`), so both read the same. ``upper_bound``
    (a stored one) is reused instead of recomputing it when given.
    """
    from peerlearn.engine.explain import criterion_shares, explain

    explained = explain(solved, terms=5, excerpts=0, bound=bound and upper_bound is None)
    groups = {
        label: {"themes": list(g.themes), "mean": round(g.mean_affinity, 4)}
        for label, g in explained.groups.items()
    }
    members = {
        pid: {
            "fit": round(m.fit, 3),
            "closest": [i for i, a in m.closest if a > 0],
            "shared": [x.as_dict() for x in m.shared],
            "mostly": m.mostly,
            "ties": [t.as_dict() for t in m.ties],
        }
        for pid, m in explained.members.items()
    }
    s = explained.summary
    ub = upper_bound if upper_bound is not None else s["upper_bound"]
    quality = {
        "people": s["people"],
        "groups": s["groups"],
        "cohesion": s["cohesion"],
        "upper_bound": ub,
        "ratio": round(s["cohesion"] / ub, 4) if ub else None,
        "worst_over_mean": s["fairness_worst_over_mean"],
        "violations": list(s["violations"]),
        "history_pairs": len(solved.constraints.history),
        "seconds": s["search"]["seconds"],
    }
    if len(solved.people) <= BOUND_MAX_PEOPLE:  # one bound per criterion, O(n^2 d) each
        quality["criteria"] = criterion_shares(solved)
    return groups, members, quality


#: What an edit keeps of a group's and a member's stored explanation when the
#: explanation is recomputed: the facilitator's group name, the "moved" mark
#: and the group a person was first placed in.
KEPT_GROUP_KEYS = ("name",)
KEPT_MEMBER_KEYS = ("moved", "home")


def refresh_explanation(run_id: int, version: int) -> bool:
    """Recompute reasons, themes and quality figures of an edited grouping.

    Called (through the task queue) after every move or swap. The write is
    conditional on ``version`` and does not bump it: an edit made meanwhile
    has its own refresh queued, and the facilitator's open page stays valid.
    Returns whether anything was written.
    """
    from peerlearn.engine.grouping import score_grouping

    run = MatchingRun.objects.select_related("cohort").get(pk=run_id)
    if run.kind != "groups" or run.status != "done" or run.version != version:
        return False
    stored = run.run_result
    people = to_engine(cohort_people(run.cohort), run.cohort.programme_id)
    people = [p for p in people if p.id in stored.assignment]
    p = run.run_parameters
    solved = score_grouping(
        people,
        stored.assignment,
        constraints_for(run, {x.id for x in people}),
        p.criteria(),
        labels=stored.labels,
        backend=run_backend(),
        role_mode=p.role_mode,
        seed=run.seed,
    )
    ub = run.quality.get("upper_bound")
    groups, members, quality = explained_parts(
        solved, bound=False, upper_bound=float(ub) if ub else None
    )
    for label, info in groups.items():
        old = stored.groups.get(label) or {}
        info.update({k: old[k] for k in KEPT_GROUP_KEYS if k in old})
    for label, old in stored.groups.items():  # an emptied group keeps its name
        if label not in groups and old.get("name"):
            groups[label] = {"themes": [], "mean": 0.0, "name": old["name"]}
    for pid, info in members.items():
        old = stored.members.get(pid) or {}
        info.update({k: old[k] for k in KEPT_MEMBER_KEYS if k in old})
    quality["seconds"] = run.quality.get("seconds")
    result = replace(stored, groups=groups, members=members)
    return bool(
        MatchingRun.objects.filter(pk=run_id, version=version).update(
            result=result.to_json(), quality={**run.quality, **quality}
        )
    )


def _run_pairs(
    run: MatchingRun, people: list[EnginePerson], c: Constraints
) -> tuple[RunResult, dict[str, Any]]:
    from peerlearn.engine.pairing import solve_pairs

    p = run.run_parameters
    locked = [(x[0], x[1], x[2] if len(x) > 2 else "") for x in p.locked_pairs]
    solved = solve_pairs(
        people,
        p.mode,
        c,
        p.criteria(),
        capacity=p.capacity,
        seed=run.seed,
        time_limit=p.time_limit,
        locked_pairs=locked,
        backend=run_backend(),
    )
    _set(run.pk, progress=80)
    pairs = [_pair_row(x) for x in solved.pairs]
    result = RunResult(
        mode=solved.mode,
        capacity=solved.capacity,
        pairs=pairs,
        locked_pairs=list(dict.fromkeys(x.label for x in solved.pairs if x.locked)),
        problems=[f.as_dict() for f in solved.problems],
    )
    s = solved.summary
    quality = {
        "people": s["people"],
        "pairs": s["pairs"],
        "cohesion": s["total_affinity"],
        "upper_bound": s["upper_bound"],
        "ratio": s["ratio"],
        "mean": s["mean_affinity"],
        "worst": s["worst_pair_affinity"],
        "violations": list(s["violations"]),  # type: ignore[call-overload]
        "history_pairs": len(c.history),
    }
    return result, quality


def _pair_row(pair: EnginePair) -> dict[str, Any]:
    """A pair as stored in ``result["pairs"]`` (locked and hand-made pairs have no affinity)."""
    if pair.locked:
        return {"label": pair.label, "a": pair.a, "b": pair.b, "affinity": None, "locked": True}
    if pair.moved:
        return {"label": pair.label, "a": pair.a, "b": pair.b, "affinity": None, "moved": True}
    return {"label": pair.label, "a": pair.a, "b": pair.b, "affinity": round(pair.affinity, 3)}


def start_run(
    cohort: Cohort,
    kind: str,
    parameters: RunParameters | Mapping[str, Any],
    seed: int,
    by: Person | None,
    parent: MatchingRun | None = None,
) -> MatchingRun:
    """Create a run and hand it to the task backend (immediate: runs now).

    The parameters are stored through the one writer (``RunParameters.to_json``).
    """
    from peerlearn.matching.tasks import run_matching

    if not 0 <= seed <= SEED_MAX:  # the forms refuse this first, with a message
        raise ValueError(f"seed {seed} is outside 0..{SEED_MAX}")
    run = MatchingRun.objects.create(
        cohort=cohort,
        kind=kind,
        parameters=_typed(parameters).to_json(),
        seed=seed,
        created_by=by,
        parent=parent,
    )
    run_matching.enqueue(run.pk)
    run.refresh_from_db()
    return run


def _typed(parameters: RunParameters | Mapping[str, Any]) -> RunParameters:
    if isinstance(parameters, RunParameters):
        return parameters
    return RunParameters.from_json(parameters)


def rerun(run: MatchingRun, by: Person | None, seed: int | None = None) -> MatchingRun:
    """A new run with the same parameters, keeping this run's locked placements."""
    stored = run.run_result
    if run.kind == "pairs":
        kept = set(stored.locked_pairs)
        fixed = [[x["a"], x["b"], x["label"]] for x in stored.pairs]
        parameters = replace(run.run_parameters, locked_pairs=[x for x in fixed if x[2] in kept])
        return start_run(
            run.cohort, run.kind, parameters, run.seed if seed is None else seed, by, parent=run
        )
    assignment = stored.assignment
    locked = {pid: assignment[pid] for pid in stored.locked if pid in assignment}
    parameters = replace(run.run_parameters, locked=locked)
    return start_run(
        run.cohort, run.kind, parameters, run.seed if seed is None else seed, by, parent=run
    )
