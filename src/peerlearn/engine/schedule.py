"""Multi-round schedules and changes to published groups.

* :func:`solve_rounds` plans several rounds of groups in which nobody meets the
  same person twice (``repeats="forbid"``, the social-golfer problem solved
  round by round), or in which repeats are allowed but cost a penalty that
  fades with time (``repeats="penalise"``).
* :func:`absorb_changes` takes published groups, late joiners and drop-outs and
  returns new groups that move as few already-placed people as possible.

Examples
--------
>>> from peerlearn.engine.people import Person
>>> from peerlearn.engine.constraints import Constraints
>>> ps = [Person(str(i)) for i in range(9)]
>>> c = Constraints(min_size=3, max_size=3, max_per_organisation=None)
>>> rounds = solve_rounds(ps, c, "policy", rounds=3)
>>> met = [frozenset((a, b)) for r in rounds for g in r.groups.values()
...        for a in g for b in g if a < b]
>>> len(met) == len(set(met)) == 27
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from peerlearn.engine.constraints import Conflict, Constraints, InfeasibleError
from peerlearn.engine.criteria import BackendRef, build_model
from peerlearn.engine.grouping import GroupingResult, solve_groups
from peerlearn.engine.people import Person

__all__ = ["AbsorbResult", "absorb_changes", "met_pairs", "solve_rounds"]


def met_pairs(groups: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    """All pairs of ids that share a group.

    Examples
    --------
    >>> met_pairs({"G1": ["a", "b", "c"]})
    [('a', 'b'), ('a', 'c'), ('b', 'c')]
    """
    out: list[tuple[str, str]] = []
    for ids in groups.values():
        s = sorted(ids)
        out.extend((a, b) for k, a in enumerate(s) for b in s[k + 1 :])
    return out


def solve_rounds(
    people: Sequence[Person],
    constraints: Constraints | None = None,
    weights: str | Mapping[str, float] = "problems",
    *,
    rounds: int = 2,
    repeats: str = "forbid",
    decay: float = 0.5,
    repeat_cost: float | None = None,
    backend: BackendRef = "tfidf",
    role_mode: str = "equal",
    seed: int = 0,
    time_limit: float | None = None,
    max_passes: int | None = None,
) -> list[GroupingResult]:
    """Plan ``rounds`` rounds of groups.

    Parameters
    ----------
    repeats
        ``"forbid"``: a pair that met never meets again (hard); ``"penalise"``:
        meeting again costs ``repeat_cost * decay ** (rounds since they met - 1)``.
    decay
        Fading of the repeat penalty per round (penalise mode).
    repeat_cost
        Penalty of a repeat in the round right after (default: the sum of the
        criterion weights, i.e. as much as a perfect match gains).
    Others
        As for :func:`~peerlearn.engine.grouping.solve_groups`. Locked
        placements apply to the first round only; round ``r`` uses seed
        ``seed + r - 1``.

    Raises
    ------
    InfeasibleError
        A round cannot avoid repeats (the message names the round) or other
        constraints fail.

    Notes
    -----
    Vectors are computed once; each round costs one grouping search.

    Examples
    --------
    >>> from peerlearn.engine.people import Person
    >>> from peerlearn.engine.wording import conflict_message, conflict_suggestion
    >>> ps = [Person(str(i)) for i in range(4)]
    >>> c = Constraints(min_size=2, max_size=2, max_per_organisation=None)
    >>> try:
    ...     solve_rounds(ps, c, "policy", rounds=4)
    ... except InfeasibleError as err:
    ...     print(conflict_message(err.conflicts[0]))
    ...     print(conflict_suggestion(err.conflicts[0]))
    round 4 cannot avoid repeat meetings
    plan at most 3 rounds, or use repeats='penalise' (--repeats penalise)
    """
    if repeats not in ("forbid", "penalise"):
        raise ValueError(f"repeats must be 'forbid' or 'penalise', got {repeats!r}")
    c = constraints or Constraints()
    model = build_model(people, weights, backend=backend, role_mode=role_mode, seed=seed)
    cost = repeat_cost if repeat_cost is not None else sum(model.weights.values()) or 1.0
    results: list[GroupingResult] = []
    history = list(c.history)
    past: list[list[tuple[str, str]]] = []
    for r in range(1, rounds + 1):
        rc = replace(c, locked=c.locked if r == 1 else {})
        penalty: dict[tuple[str, str], float] = {}
        if repeats == "forbid":
            rc = replace(rc, history=tuple(history))
        else:
            for age, pairs in enumerate(reversed(past)):
                w = cost * decay**age
                for pair in pairs:
                    penalty[pair] = penalty.get(pair, 0.0) + w
        try:
            result = solve_groups(
                people,
                rc,
                weights,
                seed=seed + r - 1,
                time_limit=time_limit,
                max_passes=max_passes,
                model=model,
                pair_penalty=penalty,
            )
        except InfeasibleError as exc:
            if r == 1:
                raise
            raise InfeasibleError(
                [
                    Conflict("rounds", "round_repeats", 1, numbers={"round": r, "rounds": r - 1}),
                    *exc.conflicts,
                ]
            ) from None
        results.append(result)
        pairs = met_pairs(result.groups)
        past.append(pairs)
        history.extend(pairs)
    return results


@dataclass
class AbsorbResult:
    """New groups after changes, and who had to move."""

    result: GroupingResult
    moved: list[str] = field(default_factory=list)
    joined: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    dissolved: list[str] = field(default_factory=list)


def absorb_changes(
    people: Sequence[Person],
    published: Mapping[str, str],
    constraints: Constraints | None = None,
    weights: str | Mapping[str, float] = "problems",
    *,
    backend: BackendRef = "tfidf",
    seed: int = 0,
    time_limit: float | None = None,
    max_passes: int | None = None,
    move_cost: float = 100.0,
) -> AbsorbResult:
    """Fit late joiners in and close gaps left by drop-outs, moving few placed people.

    Parameters
    ----------
    people
        Everyone taking part *now* (joiners included, drop-outs excluded).
    published
        ``id -> group`` as published (may name people who left).
    move_cost
        Cost per already-placed person who changes group; the default dwarfs
        any affinity gain, so people move only when a constraint needs it.

    Returns
    -------
    AbsorbResult
        New grouping, moved ids, joiners, leavers and dissolved groups (when
        drop-outs leave too few people for all published groups).

    Notes
    -----
    One constructive pass for the joiners plus repair and search under the
    disruption cost; cheaper than a fresh run.

    Examples
    --------
    >>> from peerlearn.engine.people import Person
    >>> ps = [Person(f"p{i}") for i in range(8)]
    >>> pub = {f"p{i}": "G1" if i < 4 else "G2" for i in range(8)}
    >>> c = Constraints(min_size=3, max_size=4, max_per_organisation=None)
    >>> out = absorb_changes(ps[1:] + [Person("new")], pub, c, "policy")
    >>> out.moved, out.joined, out.left
    ([], ['new'], ['p0'])
    >>> out.result.assignment["new"]
    'G1'
    """
    c = constraints or Constraints()
    present = {p.id for p in people}
    left = sorted(set(published) - present)
    joined = sorted(present - set(published))
    initial = {i: g for i, g in published.items() if i in present}
    labels = sorted(set(initial.values()))
    n = len(people)
    max_groups = n // c.min_size if c.min_size else n
    dissolved: list[str] = []
    if len(labels) > max_groups:
        sizes = {g: sum(1 for v in initial.values() if v == g) for g in labels}
        for g in sorted(labels, key=lambda g: (sizes[g], g))[: len(labels) - max_groups]:
            dissolved.append(g)
        initial = {i: g for i, g in initial.items() if g not in dissolved}
    result = solve_groups(
        people,
        c,
        weights,
        backend=backend,
        seed=seed,
        time_limit=time_limit,
        max_passes=max_passes,
        initial=initial,
        move_cost=move_cost,
    )
    moved = sorted(i for i, g in initial.items() if result.assignment[i] != g)
    moved += sorted(i for i, g in published.items() if g in dissolved and i in present)
    return AbsorbResult(result, moved, joined, left, dissolved)
