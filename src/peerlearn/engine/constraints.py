"""Hard constraints of a grouping, the independent checker, and infeasibility reports.

Everything a facilitator can *require* of a grouping lives in
:class:`Constraints` (with composition :class:`Quotas`). Two things are built on
it:

* :func:`validate_groups`, a deliberately plain checker that re-reads the people
  and the assignment and lists every violated requirement in words. It shares no
  code with the solver's fast internal bookkeeping, so that tests catch solver
  bugs.
* :func:`plan_group_count`, which checks the obvious necessary conditions before
  any search and either returns a number of groups or raises
  :class:`InfeasibleError` naming the conflicting constraints, by how much, and
  what to relax.

Examples
--------
>>> from peerlearn.engine.people import Person
>>> people = [Person(f"p{i}", organisation="A" if i < 2 else f"O{i}") for i in range(6)]
>>> c = Constraints(min_size=3, max_size=3)
>>> validate_groups(people, {"p0": "1", "p1": "1", "p2": "1",
...                          "p3": "2", "p4": "2", "p5": "2"}, c)
["group '1': 2 members from organisation 'A' (max 1)"]
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from peerlearn.engine.people import Person, norm_key

__all__ = [
    "Conflict",
    "Constraints",
    "InfeasibleError",
    "Quotas",
    "group_label_problems",
    "plan_group_count",
    "validate_groups",
]


@dataclass(frozen=True)
class Quotas:
    """Composition quotas that every group must meet.

    Parameters
    ----------
    min_external
        At least this many external / resource peers per group.
    min_local
        At least this many local (non-external) peers per group.
    mentor_ratio
        At least one alumni mentor for every ``mentor_ratio`` other members
        (``ceil(others / mentor_ratio)`` alumni), ``None`` for no rule.
    required_roles
        Each group has at least one member of each of these roles.

    Examples
    --------
    >>> Quotas(min_external=1, min_local=1).active
    True
    >>> Quotas().active
    False
    """

    min_external: int = 0
    min_local: int = 0
    mentor_ratio: int | None = None
    required_roles: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        """Whether any quota is set."""
        return bool(self.min_external or self.min_local or self.mentor_ratio or self.required_roles)


@dataclass(frozen=True)
class Constraints:
    """Hard requirements of a grouping (never violated in a returned result).

    Parameters
    ----------
    min_size, max_size
        Group size range (inclusive). Default 5-6.
    max_per_organisation
        At most this many members of one organisation per group (``None``: no
        limit). Default 1. People with no organisation are not counted.
    max_per_country
        At most this many members of one country per group (``None``: no limit).
    min_countries
        At least this many distinct countries per group (0: no rule).
    keep_together
        Sets of ids that must share a group.
    keep_apart
        Sets of ids no two of which may share a group.
    locked
        ``id -> group label`` placements kept as they are (re-runs).
    history
        Pairs of ids who met in earlier rounds and must not meet again.
    shared_language
        When any person has languages, every group must have one language that
        all its members with known languages speak.
    quotas
        Composition quotas (:class:`Quotas`).
    n_groups
        Force this number of groups (``None``: as few as the size range and the
        other constraints allow).

    Examples
    --------
    >>> Constraints().min_size, Constraints().max_size, Constraints().max_per_organisation
    (5, 6, 1)
    """

    min_size: int = 5
    max_size: int = 6
    max_per_organisation: int | None = 1
    max_per_country: int | None = None
    min_countries: int = 0
    keep_together: tuple[tuple[str, ...], ...] = ()
    keep_apart: tuple[tuple[str, ...], ...] = ()
    locked: Mapping[str, str] = field(default_factory=dict)
    history: tuple[tuple[str, str], ...] = ()
    shared_language: bool = True
    quotas: Quotas = field(default_factory=Quotas)
    n_groups: int | None = None

    def describe(self) -> dict[str, object]:
        """The settings as a JSON-friendly dict (for reports).

        Examples
        --------
        >>> Constraints().describe()["size"]
        '5-6'
        """
        return {
            "size": f"{self.min_size}-{self.max_size}",
            "max_per_organisation": self.max_per_organisation,
            "max_per_country": self.max_per_country,
            "min_countries": self.min_countries,
            "keep_together_sets": len(self.keep_together),
            "keep_apart_sets": len(self.keep_apart),
            "locked_placements": len(self.locked),
            "history_pairs": len(self.history),
            "shared_language": self.shared_language,
            "min_external": self.quotas.min_external,
            "min_local": self.quotas.min_local,
            "mentor_ratio": self.quotas.mentor_ratio,
            "required_roles": list(self.quotas.required_roles),
        }


@dataclass(frozen=True)
class Conflict:
    """One reason why the constraints cannot all hold.

    Attributes
    ----------
    constraint
        Short name of the constraint (``"max_per_organisation"``, ...).
    message
        What is wrong, with numbers.
    amount
        By how much it fails (people or groups short, over the limit, ...).
    suggestion
        What to relax to make it possible (may be empty).
    """

    constraint: str
    message: str
    amount: int = 0
    suggestion: str = ""

    def __str__(self) -> str:
        text = f"{self.constraint}: {self.message}"
        if self.suggestion:
            text += f"; {self.suggestion}"
        return text


class InfeasibleError(ValueError):
    """The constraints cannot all be met; ``conflicts`` says which and how to relax.

    Examples
    --------
    >>> err = InfeasibleError([Conflict("size", "3 people cannot form a group of 5-6", 2)])
    >>> print(err)
    the constraints cannot all be met:
      - size: 3 people cannot form a group of 5-6
    """

    def __init__(self, conflicts: Sequence[Conflict]) -> None:
        self.conflicts = list(conflicts)
        lines = "\n".join(f"  - {c}" for c in self.conflicts)
        super().__init__(f"the constraints cannot all be met:\n{lines}")


# ---------------------------------------------------------------------------
# The checker
# ---------------------------------------------------------------------------


def _pairs_of(sets: Iterable[Sequence[str]]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for s in sets:
        members = sorted(set(s))
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                out.add((a, b))
    return out


def group_label_problems(members: Sequence[Person], c: Constraints, label: str = "?") -> list[str]:
    """Violations of the per-group constraints by one group (plain, slow, exact).

    Covers size, organisation and country limits, distinct countries, shared
    language and quotas; keep-together/apart, history and locks involve the
    whole assignment and are checked by :func:`validate_groups`.

    Examples
    --------
    >>> from peerlearn.engine.people import Person
    >>> group_label_problems([Person("a", languages=("fr",)), Person("b", languages=("en",))],
    ...                      Constraints(min_size=2, max_size=2), "g")
    ["group 'g': no working language shared by all members (a: fr; b: en)"]
    """
    out: list[str] = []
    size = len(members)
    if size < c.min_size or size > c.max_size:
        out.append(f"group {label!r}: {size} members (allowed {c.min_size}-{c.max_size})")
    if c.max_per_organisation is not None:
        orgs = Counter(p.org_key for p in members if p.org_key)
        names = {p.org_key: p.organisation.strip() for p in members}
        for org, count in sorted(orgs.items()):
            if count > c.max_per_organisation:
                out.append(
                    f"group {label!r}: {count} members from organisation {names[org]!r} "
                    f"(max {c.max_per_organisation})"
                )
    countries = Counter(p.country_key for p in members if p.country_key)
    if c.max_per_country is not None:
        names = {p.country_key: p.country.strip() for p in members}
        for country, count in sorted(countries.items()):
            if count > c.max_per_country:
                out.append(
                    f"group {label!r}: {count} members from country {names[country]!r} "
                    f"(max {c.max_per_country})"
                )
    if c.min_countries and len(countries) < c.min_countries:
        out.append(
            f"group {label!r}: {len(countries)} distinct countries (at least {c.min_countries})"
        )
    if c.shared_language:
        known = [p for p in members if p.language_keys]
        if known:
            common = frozenset.intersection(*(p.language_keys for p in known))
            if not common:
                detail = "; ".join(f"{p.id}: {', '.join(sorted(p.languages))}" for p in known)
                out.append(f"group {label!r}: no working language shared by all members ({detail})")
    q = c.quotas
    n_ext = sum(1 for p in members if p.external)
    if n_ext < q.min_external:
        out.append(f"group {label!r}: {n_ext} external peers (at least {q.min_external})")
    if size - n_ext < q.min_local:
        out.append(f"group {label!r}: {size - n_ext} local peers (at least {q.min_local})")
    if q.mentor_ratio:
        n_alumni = sum(1 for p in members if p.alumni)
        need = math.ceil((size - n_alumni) / q.mentor_ratio)
        if n_alumni < need:
            out.append(
                f"group {label!r}: {n_alumni} alumni mentors for {size - n_alumni} others "
                f"(at least one per {q.mentor_ratio}, so {need})"
            )
    roles = {norm_key(p.role) for p in members}
    for role in q.required_roles:
        if norm_key(role) not in roles:
            out.append(f"group {label!r}: no member with role {role!r}")
    return out


def validate_groups(
    people: Sequence[Person], assignment: Mapping[str, str], constraints: Constraints
) -> list[str]:
    """Check a grouping against every hard constraint; list violations in words.

    Parameters
    ----------
    people
        Everyone who had to be placed.
    assignment
        ``id -> group label``.
    constraints
        The requirements.

    Returns
    -------
    list of str
        Human-readable violations; empty when the grouping is valid.

    Notes
    -----
    Straightforward and independent of the solver; ``O(n + pairs in lists)``.

    Examples
    --------
    >>> from peerlearn.engine.people import Person
    >>> people = [Person("a"), Person("b"), Person("c")]
    >>> validate_groups(people, {"a": "1", "b": "1"}, Constraints(min_size=2, max_size=3))
    ["person 'c' is in no group"]
    >>> validate_groups(people, {"a": "1", "b": "1", "c": "1"},
    ...                 Constraints(min_size=2, max_size=3, keep_apart=(("a", "c"),)))
    ["keep-apart: 'a' and 'c' are both in group '1'"]
    """
    out: list[str] = []
    ids = [p.id for p in people]
    known = set(ids)
    dup = [i for i, n in Counter(ids).items() if n > 1]
    for i in sorted(dup):
        out.append(f"person {i!r} appears more than once in the input")
    for i in ids:
        if i not in assignment or assignment[i] in ("", None):
            out.append(f"person {i!r} is in no group")
    for i in sorted(set(assignment) - known):
        out.append(f"unknown person {i!r} in the grouping")
    groups: dict[str, list[Person]] = defaultdict(list)
    for p in people:
        label = assignment.get(p.id)
        if label:
            groups[label].append(p)
    for label in sorted(groups):
        out.extend(group_label_problems(groups[label], constraints, label))
    for s in constraints.keep_together:
        labels = {assignment.get(i) for i in s if i in known}
        if len(labels) > 1:
            out.append(f"keep-together: {', '.join(map(repr, s))} are split across groups")
    for a, b in sorted(_pairs_of(constraints.keep_apart)):
        if (
            a in known
            and b in known
            and assignment.get(a)
            and assignment.get(a) == assignment.get(b)
        ):
            out.append(f"keep-apart: {a!r} and {b!r} are both in group {assignment[a]!r}")
    for a, b in sorted({tuple(sorted(p)) for p in constraints.history}):
        if (
            a in known
            and b in known
            and assignment.get(a)
            and assignment.get(a) == assignment.get(b)
        ):
            out.append(
                f"repeat: {a!r} and {b!r} met before and are again in group {assignment[a]!r}"
            )
    for i, label in sorted(constraints.locked.items()):
        if i in known and assignment.get(i) != label:
            out.append(f"locked: {i!r} must stay in group {label!r}, is in {assignment.get(i)!r}")
    return out


# ---------------------------------------------------------------------------
# Necessary conditions, checked before the search
# ---------------------------------------------------------------------------


def _max_groups(n: int, lo: int) -> int:
    return n // lo if lo > 0 else n


def _feasible_counts(n: int, lo: int, hi: int) -> range:
    """Numbers of groups ``g`` with ``lo * g <= n <= hi * g``."""
    g_min = math.ceil(n / hi) if hi > 0 else n
    g_max = _max_groups(n, lo)
    return range(g_min, g_max + 1)


def plan_group_count(people: Sequence[Person], c: Constraints) -> int:
    """Choose the number of groups, or explain why no grouping can exist.

    Takes the fewest groups that the size range allows and that the organisation
    and country limits, locks and quotas need.

    Raises
    ------
    InfeasibleError
        With one :class:`Conflict` per violated necessary condition.

    Notes
    -----
    ``O(n + total size of the lists)``. The conditions are necessary, not
    sufficient: the search may still fail (it then reports what it could not
    meet).

    Examples
    --------
    >>> from peerlearn.engine.people import Person
    >>> people = [Person(f"p{i}", organisation="X" if i < 14 else f"o{i}") for i in range(55)]
    >>> plan_group_count(people[14:], Constraints())
    7
    >>> import textwrap
    >>> try:
    ...     plan_group_count(people, Constraints())
    ... except InfeasibleError as err:
    ...     print(textwrap.fill(str(err.conflicts[0]), 80))
    max_per_organisation: max 1 per organisation is impossible: organisation 'X' has
    14 people but 55 people make at most 11 groups of 5-6; relax to --max-per-
    organisation 2, or allow groups of 3-6 (18 groups)
    """
    n = len(people)
    lo, hi = c.min_size, c.max_size
    conflicts: list[Conflict] = []
    if lo < 1 or hi < lo:
        raise InfeasibleError([Conflict("size", f"invalid size range {lo}-{hi}")])
    if n == 0:
        raise InfeasibleError([Conflict("size", "there is nobody to group")])
    counts = _feasible_counts(n, lo, hi)
    if not counts:
        need = n  # smallest lo that works
        conflicts.append(
            Conflict(
                "size",
                f"{n} people cannot be split into groups of {lo}-{hi}",
                lo - n if n < lo else 1,
                f"allow groups of {min(lo, n)}-{max(hi, n if n < lo else hi)}"
                if n < lo
                else f"widen the size range (e.g. {max(1, lo - 1)}-{hi})",
            )
        )
        del need
        raise InfeasibleError(conflicts)
    g_lo, g_hi = counts.start, counts.stop - 1
    if c.n_groups is not None:
        if c.n_groups not in counts:
            raise InfeasibleError(
                [
                    Conflict(
                        "n_groups",
                        f"{c.n_groups} groups of {lo}-{hi} cannot hold {n} people",
                        abs(c.n_groups - (g_lo if c.n_groups < g_lo else g_hi)),
                        f"use between {g_lo} and {g_hi} groups",
                    )
                ]
            )
        g_lo = g_hi = c.n_groups
    need_groups = g_lo
    reasons: list[tuple[int, str, str, Counter[str], dict[str, str]]] = []

    def need_for(attr: str, limit: int | None, name: str) -> None:
        nonlocal need_groups
        if limit is None:
            return
        if limit < 1:
            conflicts.append(Conflict(name, f"the limit must be at least 1, got {limit}"))
            return
        keys: Counter[str] = Counter()
        shown: dict[str, str] = {}
        for p in people:
            k = p.org_key if attr == "organisation" else p.country_key
            if k:
                keys[k] += 1
                shown[k] = getattr(p, attr).strip()
        if keys:
            top, cnt = max(keys.items(), key=lambda kv: (kv[1], kv[0]))
            g = math.ceil(cnt / limit)
            if g > need_groups:
                need_groups = g
            reasons.append((g, name, attr, keys, shown))

    need_for("organisation", c.max_per_organisation, "max_per_organisation")
    need_for("country", c.max_per_country, "max_per_country")
    locked_labels = set(c.locked.values())
    if len(locked_labels) > need_groups:
        need_groups = len(locked_labels)
    if need_groups > g_hi:
        for g, name, attr, keys, shown in reasons:
            if g <= g_hi:
                continue
            limit = c.max_per_organisation if attr == "organisation" else c.max_per_country
            assert limit is not None
            top, cnt = max(keys.items(), key=lambda kv: (kv[1], kv[0]))
            relax = math.ceil(cnt / g_hi)
            new_lo = max(1, n // g) if g <= n else 1
            flag = "--max-per-organisation" if attr == "organisation" else "--max-per-country"
            conflicts.append(
                Conflict(
                    name,
                    f"max {limit} per {attr} is impossible: {attr} {shown[top]!r} has "
                    f"{cnt} people but {n} people make at most {g_hi} groups of {lo}-{hi}",
                    g - g_hi,
                    f"relax to {flag} {relax}, or allow groups of {new_lo}-{hi} "
                    f"({n // new_lo} groups)",
                )
            )
        if len(locked_labels) > g_hi:
            conflicts.append(
                Conflict(
                    "locked",
                    f"locked placements use {len(locked_labels)} groups but {n} people make "
                    f"at most {g_hi} groups of {lo}-{hi}",
                    len(locked_labels) - g_hi,
                    "unlock some placements or allow smaller groups",
                )
            )
    g = min(max(need_groups, g_lo), g_hi)
    # quotas and countries limit the number of groups from above
    q = c.quotas
    n_ext = sum(1 for p in people if p.external)
    n_local = n - n_ext

    def at_most(count: int, per: int, name: str, what: str, suggestion: str) -> None:
        if per > 0 and count < per * g:
            conflicts.append(
                Conflict(
                    name,
                    f"{g} groups need {per * g} {what} ({per} each) but there are {count}",
                    per * g - count,
                    suggestion,
                )
            )

    at_most(
        n_ext,
        q.min_external,
        "min_external",
        "external peers",
        "lower the external quota or recruit more external peers",
    )
    at_most(n_local, q.min_local, "min_local", "local peers", "lower the local quota")
    if q.mentor_ratio:
        n_alumni = sum(1 for p in people if p.alumni)
        need = 0
        base, extra = divmod(n, g)
        for k in range(g):
            size = base + (1 if k < extra else 0)
            need += math.ceil(size / (q.mentor_ratio + 1))
        if n_alumni < need:
            conflicts.append(
                Conflict(
                    "mentor_ratio",
                    f"{g} groups need at least {need} alumni mentors (one per "
                    f"{q.mentor_ratio} others) but there are {n_alumni}",
                    need - n_alumni,
                    "raise the mentor ratio or recruit more alumni",
                )
            )
    roles = Counter(norm_key(p.role) for p in people)
    for role in q.required_roles:
        at_most(
            roles[norm_key(role)],
            1,
            "required_roles",
            f"members with role {role!r}",
            f"drop role {role!r} from the required roles or allow bigger groups",
        )
    if c.min_countries:
        countries = Counter(p.country_key for p in people if p.country_key)
        if len(countries) < c.min_countries:
            conflicts.append(
                Conflict(
                    "min_countries",
                    f"at least {c.min_countries} countries per group but the cohort has only "
                    f"{len(countries)}",
                    c.min_countries - len(countries),
                    f"lower --min-countries to {len(countries)}",
                )
            )
        else:
            slots = sum(min(cnt, g) for cnt in countries.values())
            if slots < c.min_countries * g:
                conflicts.append(
                    Conflict(
                        "min_countries",
                        f"{g} groups with {c.min_countries} countries each need "
                        f"{c.min_countries * g} country places but the countries can fill "
                        f"only {slots}",
                        c.min_countries * g - slots,
                        "lower --min-countries or allow bigger groups (fewer groups)",
                    )
                )
        if c.min_countries > hi:
            conflicts.append(
                Conflict(
                    "min_countries",
                    f"{c.min_countries} countries cannot fit in groups of at most {hi}",
                    c.min_countries - hi,
                    f"lower --min-countries to {hi}",
                )
            )
    conflicts.extend(_list_conflicts(people, c))
    if conflicts:
        raise InfeasibleError(conflicts)
    return g


def _list_conflicts(people: Sequence[Person], c: Constraints) -> list[Conflict]:
    """Conflicts inside the keep-together / keep-apart / lock lists themselves."""
    out: list[Conflict] = []
    known = {p.id: p for p in people}
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for s in c.keep_together:
        members = [i for i in s if i in known]
        for a, b in zip(members, members[1:], strict=False):
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[ra] = rb
        unknown = [i for i in s if i not in known]
        if unknown:
            out.append(Conflict("keep_together", f"unknown ids {', '.join(map(repr, unknown))}"))
    units: dict[str, list[str]] = defaultdict(list)
    for i in known:
        units[find(i)].append(i)
    apart = _pairs_of(c.keep_apart) | _pairs_of(c.history)
    for members in units.values():
        if len(members) < 2:
            continue
        shown = ", ".join(repr(m) for m in sorted(members))
        if len(members) > c.max_size:
            out.append(
                Conflict(
                    "keep_together",
                    f"{shown} must be together but groups hold at most {c.max_size}",
                    len(members) - c.max_size,
                    "split the keep-together set or allow bigger groups",
                )
            )
        ms = set(members)
        for a, b in sorted(apart):
            if a in ms and b in ms:
                out.append(
                    Conflict(
                        "keep_apart",
                        f"{a!r} and {b!r} must be kept apart (or met before) but are in the "
                        f"keep-together set {shown}",
                        1,
                        "remove one of the two lists' entries",
                    )
                )
        labels = {c.locked[m] for m in members if m in c.locked}
        if len(labels) > 1:
            out.append(
                Conflict(
                    "locked",
                    f"{shown} must be together but are locked into groups "
                    f"{', '.join(map(repr, sorted(labels)))}",
                    len(labels) - 1,
                    "unlock one placement",
                )
            )
        sub = Constraints(
            min_size=0,
            max_size=10**9,
            max_per_organisation=c.max_per_organisation,
            max_per_country=c.max_per_country,
            shared_language=c.shared_language,
        )
        for problem in group_label_problems([known[m] for m in members], sub, "keep-together"):
            out.append(
                Conflict(
                    "keep_together",
                    f"{shown}: {problem.split(': ', 1)[1]}",
                    1,
                    "split the keep-together set or relax the limit",
                )
            )
    for i in c.locked:
        if i not in known:
            out.append(Conflict("locked", f"locked id {i!r} is not in the input"))
    by_label: dict[str, list[str]] = defaultdict(list)
    for i, label in c.locked.items():
        if i in known:
            by_label[label].append(i)
    for label, members in sorted(by_label.items()):
        if len(members) > c.max_size:
            out.append(
                Conflict(
                    "locked",
                    f"{len(members)} people are locked into group {label!r}, more than "
                    f"{c.max_size}",
                    len(members) - c.max_size,
                    "unlock some or allow bigger groups",
                )
            )
        ms = set(members)
        for a, b in sorted(apart):
            if a in ms and b in ms:
                out.append(
                    Conflict(
                        "locked",
                        f"{a!r} and {b!r} are locked into group {label!r} but "
                        "must be kept apart (or met before)",
                        1,
                        "unlock one of them",
                    )
                )
    return out
