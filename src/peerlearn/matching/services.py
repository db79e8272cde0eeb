"""The bridge between the Django models and the matching engine.

Everything here works on database rows and plain JSON; the views only parse
forms and render. The engine stays free of Django: people are converted to
:class:`peerlearn.engine.people.Person` with ``id = str(person.pk)``.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from peerlearn.engine.constraints import Constraints, InfeasibleError, validate_groups
from peerlearn.engine.people import Person as EnginePerson
from peerlearn.matching.models import SEED_MAX, MatchingRun, Move, MoveRequest, PublishedPair
from peerlearn.people.models import Challenge, Person
from peerlearn.programmes.models import Cohort, Group, GroupMember, GroupNote

log = logging.getLogger(__name__)

CRITERIA = ("problems", "role", "policy", "context")

#: Largest run whose cohesion upper bound is computed. The bound is exact and
#: costs O(n^2 d) (engine.explain.upper_bound: about 0.1 s at 3,000 people, 1 s
#: at 10,000, 30 s at 50,000); above this size the run page shows the cohesion
#: without a ratio rather than make the facilitator wait for the bound.
BOUND_MAX_PEOPLE = 3000
PAIR_MODES = ("external-local", "mentor", "peer")


# ---------------------------------------------------------------------------
# People and parameters
# ---------------------------------------------------------------------------


def cohort_people(cohort: Cohort) -> list[Person]:
    """The participants of a cohort, with their organisation (one query)."""
    return list(
        Person.objects.filter(memberships__cohort=cohort, memberships__role="participant")
        .select_related("organisation")
        .distinct()
        .order_by("pk")
    )


def to_engine(
    people: Iterable[Person], programme_id: int = 0, *, with_challenges: bool = True
) -> list[EnginePerson]:
    """Engine people for Django people; challenges are those named for the programme."""
    people = list(people)
    texts: dict[int, list[str]] = defaultdict(list)
    tags: dict[int, list[str]] = defaultdict(list)
    if with_challenges and people:
        rows = (
            Challenge.objects.filter(programme_id=programme_id, person__in=[p.pk for p in people])
            .order_by("person_id", "position", "pk")
            .values_list("person_id", "text", "tags")
        )
        for person_id, text, row_tags in rows:
            if text.strip():
                texts[person_id].append(text)
            tags[person_id].extend(str(t) for t in (row_tags or []))
    return [
        EnginePerson(
            id=str(p.pk),
            organisation=p.organisation.name if p.organisation else "",
            country=p.country or "",
            role=p.role_title or "",
            challenges=tuple(texts.get(p.pk, ())),
            languages=tuple(str(x) for x in (p.languages or [])),
            seniority=p.seniority or "",
            gender=p.gender or "",
            external=p.is_external,
            alumni=p.is_alumni,
            tags=tuple(dict.fromkeys(tags.get(p.pk, ()))),
        )
        for p in people
    ]


def weights_of(parameters: Mapping[str, Any]) -> dict[str, float]:
    raw = parameters.get("weights") or {}
    weights = {k: float(raw.get(k, 0) or 0) for k in CRITERIA}
    weights = {k: v for k, v in weights.items() if v > 0}
    return weights or {"problems": 1.0}


def history_pairs(run: MatchingRun) -> tuple[tuple[str, str], ...]:
    """Who already met in rounds of the programme published before ``run`` was made."""
    earlier = (
        MatchingRun.objects.filter(
            cohort__programme_id=run.cohort.programme_id,
            published_at__isnull=False,
            published_at__lte=run.created_at,
        )
        .exclude(pk=run.pk)
        .only("kind", "result")
    )
    out: set[tuple[str, str]] = set()
    for other in earlier:
        for a, b in met_pairs(other):
            out.add((a, b) if a < b else (b, a))
    return tuple(sorted(out))


def met_pairs(run: MatchingRun) -> list[tuple[str, str]]:
    """The pairs of people a run puts together (every pair inside each group)."""
    if run.kind == "pairs":
        return [(p["a"], p["b"]) for p in run.result.get("pairs", [])]
    out: list[tuple[str, str]] = []
    for members in groups_of(run).values():
        ordered = sorted(members)
        for i, a in enumerate(ordered):
            out.extend((a, b) for b in ordered[i + 1 :])
    return out


def constraints_for(
    run: MatchingRun, ids: set[str], *, history: Sequence[tuple[str, str]] | None = None
) -> Constraints:
    """The engine constraints of a run, limited to the people ``ids``."""
    p = run.parameters

    def sets(key: str) -> tuple[tuple[str, ...], ...]:
        out = []
        for group in p.get(key) or []:
            kept = tuple(str(i) for i in group if str(i) in ids)
            if len(kept) >= 2:
                out.append(kept)
        return tuple(out)

    if history is None:
        history = history_pairs(run) if p.get("avoid_repeats") else ()
    history = tuple((a, b) for a, b in history if a in ids and b in ids)
    locked = {str(k): str(v) for k, v in (p.get("locked") or {}).items() if str(k) in ids}
    return Constraints(
        min_size=int(p.get("min_size") or 5),
        max_size=int(p.get("max_size") or 6),
        max_per_organisation=p.get("max_per_organisation"),
        max_per_country=p.get("max_per_country"),
        min_countries=int(p.get("min_countries") or 0),
        keep_together=sets("keep_together"),
        keep_apart=sets("keep_apart"),
        locked=locked,
        history=history,
        shared_language=bool(p.get("shared_language", True)),
    )


# ---------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------


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
            result={"conflicts": [c.as_dict() for c in err.conflicts]},
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
        result=result,
        quality=quality,
        finished_at=timezone.now(),
    )


def _time_limit(run: MatchingRun) -> float | None:
    value = run.parameters.get("time_limit")
    return float(value) if value else None


def _run_groups(
    run: MatchingRun, people: list[EnginePerson], c: Constraints
) -> tuple[dict[str, Any], dict[str, Any]]:
    from peerlearn.engine.explain import explain
    from peerlearn.engine.grouping import solve_groups

    p = run.parameters
    solved = solve_groups(
        people,
        c,
        weights_of(p),
        role_mode=str(p.get("role_mode") or "equal"),
        seed=run.seed,
        time_limit=_time_limit(run),
    )
    _set(run.pk, progress=80)
    explained = explain(solved, terms=5, excerpts=0, bound=len(people) <= BOUND_MAX_PEOPLE)
    labels = list(solved.groups)
    result: dict[str, Any] = {
        "labels": labels,
        "assignment": dict(solved.assignment),
        "groups": {
            label: {
                "themes": list(g.themes),
                "mean": round(g.mean_affinity, 4),
            }
            for label, g in explained.groups.items()
        },
        "members": {
            pid: {
                "fit": round(m.fit, 3),
                "closest": [i for i, a in m.closest if a > 0],
                "shared": [x.as_dict() for x in m.shared],
                "mostly": m.mostly,
            }
            for pid, m in explained.members.items()
        },
        "locked": sorted(c.locked),
        "problems": [],
    }
    s = explained.summary
    quality = {
        "people": s["people"],
        "groups": s["groups"],
        "cohesion": s["cohesion"],
        "upper_bound": s["upper_bound"],
        "ratio": s["cohesion_ratio"],
        "worst_over_mean": s["fairness_worst_over_mean"],
        "violations": list(s["violations"]),
        "history_pairs": len(c.history),
        "seconds": s["search"]["seconds"],
    }
    return result, quality


def _run_pairs(
    run: MatchingRun, people: list[EnginePerson], c: Constraints
) -> tuple[dict[str, Any], dict[str, Any]]:
    from peerlearn.engine.pairing import solve_pairs, validate_pairs

    p = run.parameters
    capacity = p.get("capacity")
    mode = str(p.get("mode") or "external-local")
    ids = {x.id for x in people}
    # The engine has no fixed pairs: locked pairs are kept out of its input and
    # added back to its result. Their receivers (both people in peer mode) are
    # left out; a giver stays in only while it has room under an explicit capacity.
    fixed = [
        (str(x[0]), str(x[1]), str(x[2]) if len(x) > 2 else "")
        for x in p.get("locked_pairs") or []
        if str(x[0]) in ids and str(x[1]) in ids
    ]
    out: set[str] = set()
    load: dict[str, int] = defaultdict(int)
    for a, b, _label in fixed:
        load[a] += 1
        out.add(b)
        if mode == "peer":
            out.add(a)
    if mode != "peer":
        cap = int(capacity) if capacity else 1
        full = {a for a, n in load.items() if not capacity or n >= cap}
        out |= full
        # A giver with room left stays out too when the others can take everyone
        # (so it cannot go over capacity); otherwise it stays in and any excess
        # is reported as a problem.
        gives = (lambda x: x.external) if mode == "external-local" else (lambda x: x.alumni)
        takers = sum(1 for x in people if not gives(x) and x.id not in out)
        givers = sum(1 for x in people if gives(x) and x.id not in out and x.id not in load)
        if capacity and takers <= cap * givers:
            out |= set(load)
    solved = solve_pairs(
        [x for x in people if x.id not in out],
        mode,
        c,
        weights_of(p),
        capacity=int(capacity) if capacity else None,
        seed=run.seed,
        time_limit=_time_limit(run),
    )
    _set(run.pk, progress=80)
    pairs: list[dict[str, Any]] = [
        {"label": x.label, "a": x.a, "b": x.b, "affinity": round(x.affinity, 3)}
        for x in solved.pairs
    ]
    locked_labels: list[str] = []
    names: dict[str, str] = {}
    for a, b, old in fixed:
        label = names.setdefault(old or f"{a}-{b}", f"L{len(names) + 1}")
        pairs.append({"label": label, "a": a, "b": b, "affinity": None, "locked": True})
        if label not in locked_labels:
            locked_labels.append(label)
    problems: list[dict[str, Any]] = []
    if fixed:
        found = validate_pairs(
            people,
            [(x["a"], x["b"]) for x in pairs],
            mode,
            c,
            capacity=solved.capacity if mode != "peer" else None,
        )
        problems = [f.as_dict() for f in found]
    result: dict[str, Any] = {
        "mode": solved.mode,
        "capacity": solved.capacity,
        "pairs": pairs,
        "locked_pairs": locked_labels,
        "problems": problems,
    }
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


def start_run(
    cohort: Cohort,
    kind: str,
    parameters: dict[str, Any],
    seed: int,
    by: Person | None,
    parent: MatchingRun | None = None,
) -> MatchingRun:
    """Create a run and hand it to the task backend (immediate: runs now)."""
    from peerlearn.matching.tasks import run_matching

    if not 0 <= seed <= SEED_MAX:  # the forms refuse this first, with a message
        raise ValueError(f"seed {seed} is outside 0..{SEED_MAX}")
    run = MatchingRun.objects.create(
        cohort=cohort, kind=kind, parameters=parameters, seed=seed, created_by=by, parent=parent
    )
    run_matching.enqueue(run.pk)
    run.refresh_from_db()
    return run


# ---------------------------------------------------------------------------
# Reading results
# ---------------------------------------------------------------------------


def groups_of(run: MatchingRun) -> dict[str, list[str]]:
    """``label -> [person ids]`` in the run's label order."""
    labels = list(run.result.get("labels") or [])
    out: dict[str, list[str]] = {label: [] for label in labels}
    for pid, label in (run.result.get("assignment") or {}).items():
        out.setdefault(label, []).append(pid)
    for members in out.values():
        members.sort(key=lambda x: int(x) if x.isdigit() else 0)
    return out


def current_published(cohort: Cohort, kind: str) -> MatchingRun | None:
    return (
        MatchingRun.objects.filter(cohort=cohort, kind=kind, published_at__isnull=False)
        .order_by("-published_at", "-pk")
        .first()
    )


def group_problems(run: MatchingRun, assignment: Mapping[str, str]) -> list[dict[str, Any]]:
    """Hard-constraint violations of ``assignment`` under the run's constraints."""
    persons = Person.objects.filter(pk__in=[int(i) for i in assignment]).select_related(
        "organisation"
    )
    people = to_engine(persons, with_challenges=False)
    ids = {p.id for p in people}
    c = constraints_for(run, ids)
    # locks only bind re-runs; a manual placement is the facilitator's decision
    c = Constraints(**{**c.__dict__, "locked": {}})
    found = validate_groups(people, {k: v for k, v in assignment.items() if k in ids}, c)
    return [f.as_dict() for f in found]


def pair_problems(
    run: MatchingRun,
    pairs_rows: Sequence[Mapping[str, Any]] | None = None,
    extra: Iterable[str] = (),
) -> list[dict[str, Any]]:
    """Hard-constraint violations of the run's pairs (or of ``pairs_rows``).

    Everyone paired, everyone a re-pair left without a partner (``left_out``)
    and the people in ``extra`` must be paired validly.
    """
    from peerlearn.engine.pairing import validate_pairs

    rows = run.result.get("pairs", []) if pairs_rows is None else pairs_rows
    pairs = [(p["a"], p["b"]) for p in rows]
    ids = {i for pair in pairs for i in pair}
    ids |= {str(i) for i in run.result.get("left_out") or []} | {str(i) for i in extra}
    persons = Person.objects.filter(pk__in=[int(i) for i in ids]).select_related("organisation")
    people = to_engine(persons, with_challenges=False)
    c = constraints_for(run, {p.id for p in people})
    mode = str(run.result.get("mode") or run.parameters.get("mode") or "external-local")
    capacity = run.result.get("capacity")
    found = validate_pairs(people, pairs, mode, c, capacity=capacity if mode != "peer" else None)
    return [f.as_dict() for f in found]


# ---------------------------------------------------------------------------
# Editing: moves, locks
# ---------------------------------------------------------------------------


@dataclass
class Outcome:
    """What an edit did: ``ok``, or why not (``conflict``, ``problems``, ``error``)."""

    ok: bool = False
    conflict: bool = False
    #: Rule problems as stored records (matching.wording.problem_text words them).
    problems: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""
    move: Move | None = None
    stale_preview: bool = False
    groups: int = 0  # published: groups written (pairs, for a pairs run)
    archived: int = 0  # published: groups moved to the earlier groupings


def _members_of(assignment: Mapping[str, str], labels: set[str]) -> dict[str, str]:
    return {pid: label for pid, label in assignment.items() if label in labels}


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
    ``force``; it is refused too when the run changed since ``version``.
    """
    if run.kind != "groups" or run.status != "done":
        return Outcome(error=_("Only a finished grouping can be edited."))
    if version != run.version:
        return Outcome(conflict=True)
    assignment = dict(run.result.get("assignment") or {})
    labels = list(run.result.get("labels") or [])
    if person_id not in assignment:
        return Outcome(error=_("This person is not in this run."))
    if to_label not in labels:
        return Outcome(error=_("There is no group %(label)s in this run.") % {"label": to_label})
    from_label = assignment[person_id]
    if from_label == to_label:
        return Outcome(error=_("This person is already in group %(label)s.") % {"label": to_label})
    # A move changes only its two groups, so only they are checked: at 10,000
    # people this keeps a move well under the 200 ms target (benchmarks/
    # matching_web.py) instead of re-validating every group twice.
    scope = {from_label, to_label}
    before = group_problems(run, _members_of(assignment, scope))
    assignment[person_id] = to_label
    after = group_problems(run, _members_of(assignment, scope))
    new = [p for p in after if p not in before]
    if new and not force:
        return Outcome(problems=new)
    result = dict(run.result)
    result["assignment"] = assignment
    untouched = [p for p in result.get("problems") or [] if p not in before]
    result["problems"] = untouched + [p for p in after if p not in untouched]
    members = dict(result.get("members") or {})
    members[person_id] = {**members.get(person_id, {}), "moved": True}
    result["members"] = members
    with transaction.atomic():
        if not run.save_move(version, person_id, to_label, result):
            return Outcome(conflict=True)
        move = Move.objects.create(
            run=run,
            person_id=int(person_id),
            from_group=from_label,
            to_group=to_label,
            reason=reason,
            source=source,
            moved_by=by,
        )
        group_ids = run.result.get("group_ids") or {}
        if run.published_at and from_label in group_ids and to_label in group_ids:
            GroupMember.objects.filter(
                group_id=group_ids[from_label], person_id=int(person_id)
            ).update(group_id=group_ids[to_label])
    return Outcome(ok=True, move=move)


def set_lock(run: MatchingRun, person_id: str, locked: bool, version: int) -> Outcome:
    """Lock (or unlock) a person in their current group for re-runs."""
    if run.kind != "groups" or run.status != "done":
        return Outcome(error=_("Only a finished grouping can be edited."))
    if person_id not in (run.result.get("assignment") or {}):
        return Outcome(error=_("This person is not in this run."))
    current = set(run.result.get("locked") or [])
    if locked:
        current.add(person_id)
    else:
        current.discard(person_id)
    result = {**run.result, "locked": sorted(current)}
    if not run.save_result(version, result):
        return Outcome(conflict=True)
    return Outcome(ok=True)


def pair_people(run: MatchingRun) -> list[Person]:
    """Who may be chosen in a re-pair: the run's people and the cohort's participants."""
    ids = {int(p[k]) for p in run.result.get("pairs") or [] for k in ("a", "b")}
    ids |= {int(i) for i in run.result.get("left_out") or []}
    ids |= {p.pk for p in cohort_people(run.cohort)}
    return list(Person.objects.filter(pk__in=ids).select_related("organisation").order_by("name"))


def _gives(run: MatchingRun, person_id: str) -> bool:
    """Is ``person_id`` the giving side (external peer / mentor) of a bipartite run?"""
    mode = str(run.result.get("mode") or run.parameters.get("mode") or "external-local")
    person = Person.objects.filter(pk=int(person_id)).first()
    if person is None or mode == "peer":
        return False
    return bool(person.is_external if mode == "external-local" else person.is_alumni)


def repair(
    run: MatchingRun,
    person_id: str,
    partner_id: str,
    version: int,
    *,
    by: Person | None,
    reason: str = "",
    force: bool = False,
) -> Outcome:
    """Pair ``person_id`` with ``partner_id``, replacing their current pairings.

    In peer mode both lose their current partners; in the bipartite modes the
    receiver loses their external peer / mentor and the giver keeps the people
    they already have (capacity is checked). The result is checked with
    ``validate_pairs``; the re-pair is refused for the problems it adds unless
    ``force``, and refused too when the run changed since ``version``.
    """
    if run.kind != "pairs" or run.status != "done":
        return Outcome(error=_("Only finished pairs can be re-paired."))
    if version != run.version:
        return Outcome(conflict=True)
    allowed = {str(p.pk) for p in pair_people(run)}
    if person_id not in allowed or partner_id not in allowed:
        return Outcome(error=_("This person is not in this run."))
    if person_id == partner_id:
        return Outcome(error=_("Choose two different people."))
    pairs = [dict(p) for p in run.result.get("pairs") or []]
    if any({p["a"], p["b"]} == {person_id, partner_id} for p in pairs):
        return Outcome(error=_("These two are already paired."))
    mode = str(run.result.get("mode") or run.parameters.get("mode") or "external-local")
    a, b = person_id, partner_id
    if mode != "peer" and _gives(run, partner_id) and not _gives(run, person_id):
        a, b = partner_id, person_id
    dropping = {a, b} if mode == "peer" else {x for x in (a, b) if not _gives(run, x)}
    removed = [p for p in pairs if p["a"] in dropping or p["b"] in dropping]
    kept = [p for p in pairs if p not in removed]
    used = {p["label"] for p in kept}
    free = [p["label"] for p in removed if p["label"] not in used]
    label = free[0] if free else ""
    n = len({p["label"] for p in pairs})
    while not label or label in used:
        n += 1
        label = f"P{n}"
    new_pairs = [*kept, {"label": label, "a": a, "b": b, "affinity": None, "moved": True}]
    paired = {x for p in new_pairs for x in (p["a"], p["b"])}
    left_out = {str(i) for i in run.result.get("left_out") or []}
    left_out |= {x for p in removed for x in (p["a"], p["b"])}
    left_out -= paired
    # Everyone of the run is validated before and after, so a partner left
    # alone by the re-pair is a new problem ("has no partner").
    everyone = left_out | {x for p in pairs for x in (p["a"], p["b"])} | {a, b}
    before = pair_problems(run, pairs, everyone)
    after = pair_problems(run, new_pairs, everyone)
    new = [p for p in after if p not in before]
    if new and not force:
        return Outcome(problems=new)
    result = dict(run.result)
    result["pairs"] = new_pairs
    result["left_out"] = sorted(left_out, key=lambda x: int(x) if x.isdigit() else 0)
    untouched = [p for p in result.get("problems") or [] if p not in before]
    result["problems"] = untouched + [p for p in after if p not in untouched]
    result["locked_pairs"] = [
        x for x in result.get("locked_pairs") or [] if x in {p["label"] for p in new_pairs}
    ]
    mine = [p["label"] for p in removed if person_id in (p["a"], p["b"])]
    from_label = ", ".join(dict.fromkeys(mine)) or "–"
    with transaction.atomic():
        if not run.save_result(version, result):
            return Outcome(conflict=True)
        move = Move.objects.create(
            run=run,
            person_id=int(person_id),
            from_group=from_label[:50],
            to_group=label[:50],
            reason=reason,
            source="facilitator",
            moved_by=by,
        )
        if run.published_at:
            PublishedPair.objects.filter(run=run).delete()
            PublishedPair.objects.bulk_create(
                [
                    PublishedPair(
                        run=run,
                        cohort=run.cohort,
                        label=p["label"],
                        a_id=int(p["a"]),
                        b_id=int(p["b"]),
                    )
                    for p in new_pairs
                ],
                batch_size=1000,
            )
    return Outcome(ok=True, move=move)


def set_pair_lock(run: MatchingRun, label: str, locked: bool, version: int) -> Outcome:
    """Lock (or unlock) a pair (every pair of a trio) so that a re-run keeps it."""
    if run.kind != "pairs" or run.status != "done":
        return Outcome(error=_("Only finished pairs can be re-paired."))
    labels = [p["label"] for p in run.result.get("pairs") or []]
    if label not in labels:
        return Outcome(error=_("There is no pair %(label)s in this run.") % {"label": label})
    current = [x for x in run.result.get("locked_pairs") or [] if x != label]
    if locked:
        current.append(label)
    result = {**run.result, "locked_pairs": current}
    if not run.save_result(version, result):
        return Outcome(conflict=True)
    return Outcome(ok=True)


def rerun(run: MatchingRun, by: Person | None, seed: int | None = None) -> MatchingRun:
    """A new run with the same parameters, keeping this run's locked placements."""
    if run.kind == "pairs":
        kept = set(run.result.get("locked_pairs") or [])
        fixed = [[x["a"], x["b"], x["label"]] for x in run.result.get("pairs") or []]
        parameters = {**run.parameters, "locked_pairs": [x for x in fixed if x[2] in kept]}
        return start_run(
            run.cohort, run.kind, parameters, run.seed if seed is None else seed, by, parent=run
        )
    assignment = run.result.get("assignment") or {}
    locked = {pid: assignment[pid] for pid in run.result.get("locked") or [] if pid in assignment}
    parameters = {**run.parameters, "locked": locked}
    return start_run(
        run.cohort, run.kind, parameters, run.seed if seed is None else seed, by, parent=run
    )


# ---------------------------------------------------------------------------
# Publishing
# ---------------------------------------------------------------------------


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
    ids = [int(i) for i in (run.result.get("group_ids") or {}).values()]
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
    assignment = run.result.get("assignment") or {}
    problems = group_problems(run, assignment)
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
        result = {**run.result, "group_ids": group_ids, "problems": []}
        if not run.save_result(version, result):
            transaction.set_rollback(True)
            return Outcome(conflict=True)
        run.published_at = now
        MatchingRun.objects.filter(pk=run.pk).update(published_at=now)
    return Outcome(ok=True, groups=len(group_ids), archived=archived)


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
        name = _("Group %(label)s") % {"label": label}
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
        if not run.save_result(version, dict(run.result)):
            transaction.set_rollback(True)
            return Outcome(conflict=True)
        PublishedPair.objects.filter(run=run).delete()
        PublishedPair.objects.bulk_create(
            [
                PublishedPair(
                    run=run,
                    cohort=run.cohort,
                    label=p["label"],
                    a_id=int(p["a"]),
                    b_id=int(p["b"]),
                )
                for p in run.result.get("pairs", [])
            ],
            batch_size=1000,
        )
        run.published_at = timezone.now()
        MatchingRun.objects.filter(pk=run.pk).update(published_at=run.published_at)
    return Outcome(ok=True, groups=len(run.result.get("pairs", [])))


# ---------------------------------------------------------------------------
# Requests and comparison
# ---------------------------------------------------------------------------


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


def mates(run: MatchingRun) -> dict[str, frozenset[str]]:
    """Each person's group-mates (or partners) in a run."""
    out: dict[str, set[str]] = defaultdict(set)
    if run.kind == "pairs":
        for p in run.result.get("pairs", []):
            out[p["a"]].add(p["b"])
            out[p["b"]].add(p["a"])
    else:
        for members in groups_of(run).values():
            for pid in members:
                out[pid] = set(members) - {pid}
    return {k: frozenset(v) for k, v in out.items()}


def placed_differently(a: MatchingRun, b: MatchingRun) -> tuple[int, int]:
    """(people whose group-mates differ between the runs, people in both runs)."""
    ma, mb = mates(a), mates(b)
    both = set(ma) & set(mb)
    return sum(1 for pid in both if ma[pid] != mb[pid]), len(both)


def earlier_groups_of(person: Person, cohort: Cohort) -> list[Group]:
    """The archived groups of ``person`` in ``cohort`` (earlier rounds), newest first."""
    return list(
        Group.objects.filter(cohort=cohort, archived_at__isnull=False, memberships__person=person)
        .select_related("source_run")
        .order_by("-archived_at", "-pk")
    )


def pair_rows_for(person: Person, cohort: Cohort) -> tuple[MatchingRun | None, list[Person]]:
    """The partners of ``person`` in the cohort's current published pairs."""
    run = current_published(cohort, "pairs")
    if run is None:
        return None, []
    rows = PublishedPair.objects.filter(run=run).filter(Q(a=person) | Q(b=person))
    ids = {r.a_id for r in rows} | {r.b_id for r in rows}
    ids.discard(person.pk)
    return run, list(Person.objects.filter(pk__in=ids).select_related("organisation"))
