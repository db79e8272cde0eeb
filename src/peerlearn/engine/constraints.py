"""Hard constraints of a grouping, the independent checker, and infeasibility reports.

Everything a facilitator can *require* of a grouping lives in
:class:`Constraints` (with composition :class:`Quotas`). Two things are built on
it:

* :func:`validate_groups`, a deliberately plain checker that re-reads the people
  and the assignment and lists every violated requirement as a
  :class:`~peerlearn.engine.records.Finding`. It shares no
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
>>> (f,) = validate_groups(people, {"p0": "1", "p1": "1", "p2": "1",
...                               "p3": "2", "p4": "2", "p5": "2"}, c)
>>> f.kind, f.group, f.names, dict(f.numbers)
('organisation_limit', '1', ('A',), {'count': 2, 'max': 1})
>>> from peerlearn.engine.wording import describe
>>> describe(f)
"group '1': 2 members from organisation 'A' (max 1)"
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from peerlearn.engine.people import Person, norm_key
from peerlearn.engine.records import Conflict, Finding

__all__ = [
    "Conflict",
    "Constraints",
    "Finding",
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


class InfeasibleError(ValueError):
    """The constraints cannot all be met; ``conflicts`` says which and how to relax.

    The conflicts are records (:class:`~peerlearn.engine.records.Conflict`);
    the exception's own text is the CLI's English
    (:func:`~peerlearn.engine.wording.conflict_text`).

    Examples
    --------
    >>> err = InfeasibleError([Conflict("size", "nobody")])
    >>> print(err)
    the constraints cannot all be met:
      - size: there is nobody to group
    """

    def __init__(self, conflicts: Sequence[Conflict]) -> None:
        from peerlearn.engine.wording import conflict_text

        self.conflicts = list(conflicts)
        lines = "\n".join(f"  - {conflict_text(c)}" for c in self.conflicts)
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


def _limit_findings(
    kind: str, keys: Sequence[str], shown: Sequence[str], limit: int, label: str
) -> list[Finding]:
    """Organisations (countries) with more members than ``limit`` in one group."""
    counts = Counter(k for k in keys if k)
    names = dict(zip(keys, shown, strict=True))
    return [
        Finding(kind, label, names=(names[key],), numbers={"count": count, "max": limit})
        for key, count in sorted(counts.items())
        if count > limit
    ]


def _language_findings(members: Sequence[Person], label: str) -> list[Finding]:
    """No language that every member with known languages speaks."""
    known = [p for p in members if p.language_keys]
    if not known or frozenset.intersection(*(p.language_keys for p in known)):
        return []
    return [
        Finding(
            "no_shared_language",
            label,
            ids=tuple(p.id for p in known),
            names=tuple(", ".join(sorted(p.languages)) for p in known),
        )
    ]


def _quota_findings(members: Sequence[Person], q: Quotas, label: str) -> list[Finding]:
    """External, local, mentor and role quotas of one group."""
    out: list[Finding] = []
    size = len(members)
    n_ext = sum(1 for p in members if p.external)
    if n_ext < q.min_external:
        out.append(Finding("min_external", label, numbers={"count": n_ext, "min": q.min_external}))
    if size - n_ext < q.min_local:
        out.append(Finding("min_local", label, numbers={"count": size - n_ext, "min": q.min_local}))
    if q.mentor_ratio:
        n_alumni = sum(1 for p in members if p.alumni)
        need = math.ceil((size - n_alumni) / q.mentor_ratio)
        if n_alumni < need:
            numbers = {
                "count": n_alumni,
                "others": size - n_alumni,
                "ratio": q.mentor_ratio,
                "need": need,
            }
            out.append(Finding("mentor_ratio", label, numbers=numbers))
    roles = {norm_key(p.role) for p in members}
    out.extend(
        Finding("required_role", label, names=(role,))
        for role in q.required_roles
        if norm_key(role) not in roles
    )
    return out


def group_label_problems(
    members: Sequence[Person], c: Constraints, label: str = "?"
) -> list[Finding]:
    """Violations of the per-group constraints by one group (plain, slow, exact).

    Covers size, organisation and country limits, distinct countries, shared
    language and quotas; keep-together/apart, history and locks involve the
    whole assignment and are checked by :func:`validate_groups`.

    Examples
    --------
    >>> from peerlearn.engine.people import Person
    >>> (f,) = group_label_problems([Person("a", languages=("fr",)),
    ...                              Person("b", languages=("en",))],
    ...                             Constraints(min_size=2, max_size=2), "g")
    >>> f.kind, f.ids, f.names
    ('no_shared_language', ('a', 'b'), ('fr', 'en'))
    """
    out: list[Finding] = []
    size = len(members)
    if size < c.min_size or size > c.max_size:
        numbers = {"size": size, "min": c.min_size, "max": c.max_size}
        out.append(Finding("group_size", label, numbers=numbers))
    if c.max_per_organisation is not None:
        out += _limit_findings(
            "organisation_limit",
            [p.org_key for p in members],
            [p.organisation.strip() for p in members],
            c.max_per_organisation,
            label,
        )
    countries = Counter(p.country_key for p in members if p.country_key)
    if c.max_per_country is not None:
        out += _limit_findings(
            "country_limit",
            [p.country_key for p in members],
            [p.country.strip() for p in members],
            c.max_per_country,
            label,
        )
    if c.min_countries and len(countries) < c.min_countries:
        numbers = {"count": len(countries), "min": c.min_countries}
        out.append(Finding("min_countries", label, numbers=numbers))
    if c.shared_language:
        out += _language_findings(members, label)
    out += _quota_findings(members, c.quotas, label)
    return out


def _same_group_pairs(
    kind: str, pairs: Iterable[tuple[str, str]], known: set[str], assignment: Mapping[str, str]
) -> list[Finding]:
    """Pairs (keep-apart, history) that share a group."""
    return [
        Finding(kind, assignment[a], ids=(a, b))
        for a, b in sorted(pairs)
        if a in known
        and b in known
        and assignment.get(a)
        and assignment.get(a) == assignment.get(b)
    ]


def validate_groups(
    people: Sequence[Person], assignment: Mapping[str, str], constraints: Constraints
) -> list[Finding]:
    """Check a grouping against every hard constraint; list the violations.

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
    list of Finding
        One record per violation (:mod:`peerlearn.engine.wording` puts them in
        words); empty when the grouping is valid.

    Notes
    -----
    Straightforward and independent of the solver; ``O(n + pairs in lists)``.

    Examples
    --------
    >>> from peerlearn.engine.people import Person
    >>> people = [Person("a"), Person("b"), Person("c")]
    >>> validate_groups(people, {"a": "1", "b": "1"}, Constraints(min_size=2, max_size=3))
    [Finding(kind='unplaced', group='', ids=('c',), names=(), numbers={})]
    >>> [f.kind for f in validate_groups(people, {"a": "1", "b": "1", "c": "1"},
    ...                 Constraints(min_size=2, max_size=3, keep_apart=(("a", "c"),)))]
    ['keep_apart']
    """
    out: list[Finding] = []
    ids = [p.id for p in people]
    known = set(ids)
    dup = [i for i, n in Counter(ids).items() if n > 1]
    out += [Finding("duplicate_person", ids=(i,)) for i in sorted(dup)]
    out += [Finding("unplaced", ids=(i,)) for i in ids if assignment.get(i) in ("", None)]
    out += [Finding("unknown_person", ids=(i,)) for i in sorted(set(assignment) - known)]
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
            out.append(Finding("keep_together_split", ids=tuple(s)))
    out += _same_group_pairs("keep_apart", _pairs_of(constraints.keep_apart), known, assignment)
    history = {(min(p), max(p)) for p in constraints.history}
    out += _same_group_pairs("repeat", history, known, assignment)
    for i, label in sorted(constraints.locked.items()):
        if i in known and assignment.get(i) != label:
            placed = assignment.get(i)
            out.append(Finding("locked_moved", label, ids=(i,), names=(placed,) if placed else ()))
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


@dataclass(frozen=True)
class _Range:
    """The people and the numbers of groups the size range allows (``g_lo..g_hi``)."""

    n: int
    lo: int
    hi: int
    g_lo: int
    g_hi: int

    def numbers(self, **more: int) -> dict[str, int]:
        return {"n": self.n, "lo": self.lo, "hi": self.hi, "g_hi": self.g_hi, **more}


def _size_range(n: int, c: Constraints) -> _Range:
    """The numbers of groups the size range (and a forced count) allow.

    Checked first because every other condition is stated in groups: without
    a valid range nothing else can be computed.
    """
    lo, hi = c.min_size, c.max_size
    if lo < 1 or hi < lo:
        raise InfeasibleError([Conflict("size", "size_invalid", numbers={"lo": lo, "hi": hi})])
    if n == 0:
        raise InfeasibleError([Conflict("size", "nobody")])
    counts = _feasible_counts(n, lo, hi)
    if not counts:
        numbers = {"n": n, "lo": lo, "hi": hi}
        if n < lo:
            numbers.update(new_lo=min(lo, n), new_hi=max(hi, n))
            raise InfeasibleError([Conflict("size", "too_few_people", lo - n, numbers=numbers)])
        numbers["new_lo"] = max(1, lo - 1)
        raise InfeasibleError([Conflict("size", "size_unsplittable", 1, numbers=numbers)])
    g_lo, g_hi = counts.start, counts.stop - 1
    if c.n_groups is not None:
        if c.n_groups not in counts:
            numbers = {"groups": c.n_groups, "lo": lo, "hi": hi, "n": n, "g_lo": g_lo}
            numbers["g_hi"] = g_hi
            amount = abs(c.n_groups - (g_lo if c.n_groups < g_lo else g_hi))
            raise InfeasibleError(
                [Conflict("n_groups", "n_groups_impossible", amount, numbers=numbers)]
            )
        g_lo = g_hi = c.n_groups
    return _Range(n, lo, hi, g_lo, g_hi)


def _largest(people: Sequence[Person], attr: str) -> tuple[int, str]:
    """Size and name of the biggest organisation (country) of the cohort."""
    keys: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for p in people:
        k = p.org_key if attr == "organisation" else p.country_key
        if k:
            keys[k] += 1
            shown[k] = getattr(p, attr).strip()
    if not keys:
        return 0, ""
    top, cnt = max(keys.items(), key=lambda kv: (kv[1], kv[0]))
    return cnt, shown[top]


def _limit_conflicts(
    people: Sequence[Person], c: Constraints, r: _Range
) -> tuple[int, list[Conflict]]:
    """Groups the organisation and country limits need, and the limits that need too many.

    At most ``limit`` per organisation spreads its ``count`` people over
    ``ceil(count / limit)`` groups: more groups than the size range allows is
    impossible whatever the search does. The suggestion is the limit that
    would fit, or the smaller groups that would make enough groups.
    """
    need = r.g_lo
    conflicts: list[Conflict] = []
    checks = (
        ("organisation", c.max_per_organisation, "max_per_organisation"),
        ("country", c.max_per_country, "max_per_country"),
    )
    for attr, limit, name in checks:
        if limit is None:
            continue
        if limit < 1:
            conflicts.append(Conflict(name, "limit_invalid", numbers={"limit": limit}))
            continue
        count, shown = _largest(people, attr)
        if not count:
            continue
        g = math.ceil(count / limit)
        need = max(need, g)
        if g > r.g_hi:
            new_lo = max(1, r.n // g) if g <= r.n else 1
            numbers = r.numbers(
                limit=limit,
                count=count,
                relax=math.ceil(count / r.g_hi),
                new_lo=new_lo,
                new_groups=r.n // new_lo,
            )
            kind = f"{attr}_limit_too_tight"
            conflicts.append(Conflict(name, kind, g - r.g_hi, names=(shown,), numbers=numbers))
    return need, conflicts


def _lock_conflicts(c: Constraints, r: _Range, need: int) -> tuple[int, list[Conflict]]:
    """Locked placements name groups: at least that many, at most what the range allows."""
    locked = len(set(c.locked.values()))
    need = max(need, locked)
    if need > r.g_hi and locked > r.g_hi:
        numbers = r.numbers(locked=locked)
        return need, [
            Conflict("locked", "locked_too_many_groups", locked - r.g_hi, numbers=numbers)
        ]
    return need, []


def _quota_conflicts(people: Sequence[Person], c: Constraints, g: int) -> list[Conflict]:
    """Quotas need ``per`` people of a kind in each of the ``g`` groups."""
    q = c.quotas
    n_ext = sum(1 for p in people if p.external)
    roles = Counter(norm_key(p.role) for p in people)
    wanted: list[tuple[str, str, int, int, tuple[str, ...]]] = [
        ("min_external", "external_short", q.min_external, n_ext, ()),
        ("min_local", "local_short", q.min_local, len(people) - n_ext, ()),
    ]
    wanted += [
        ("required_roles", "role_short", 1, roles[norm_key(role)], (role,))
        for role in q.required_roles
    ]
    out = []
    for name, kind, per, count, names in wanted:
        if per > 0 and count < per * g:
            numbers = {"groups": g, "need": per * g, "per": per, "count": count}
            out.append(Conflict(name, kind, per * g - count, names=names, numbers=numbers))
    if q.mentor_ratio:
        out += _mentor_conflicts(people, q.mentor_ratio, g)
    return out


def _mentor_conflicts(people: Sequence[Person], ratio: int, g: int) -> list[Conflict]:
    """One alumnus per ``ratio`` others: a group of ``s`` needs ``ceil(s / (ratio + 1))``."""
    n = len(people)
    n_alumni = sum(1 for p in people if p.alumni)
    base, extra = divmod(n, g)
    need = sum(math.ceil((base + (1 if k < extra else 0)) / (ratio + 1)) for k in range(g))
    if n_alumni >= need:
        return []
    numbers = {"groups": g, "need": need, "ratio": ratio, "count": n_alumni}
    return [Conflict("mentor_ratio", "mentors_short", need - n_alumni, numbers=numbers)]


def _country_conflicts(people: Sequence[Person], c: Constraints, g: int) -> list[Conflict]:
    """``min_countries`` per group: the cohort needs that many countries, each in few groups.

    A country of ``k`` people fills at most ``min(k, g)`` of the ``g * min``
    country places, and no group of at most ``max_size`` holds more countries
    than members.
    """
    if not c.min_countries:
        return []
    m = c.min_countries
    countries = Counter(p.country_key for p in people if p.country_key)
    out = []
    if len(countries) < m:
        numbers = {"min": m, "count": len(countries)}
        out.append(
            Conflict("min_countries", "countries_too_few", m - len(countries), numbers=numbers)
        )
    else:
        slots = sum(min(cnt, g) for cnt in countries.values())
        if slots < m * g:
            numbers = {"groups": g, "min": m, "need": m * g, "slots": slots}
            out.append(
                Conflict("min_countries", "country_places_short", m * g - slots, numbers=numbers)
            )
    if m > c.max_size:
        numbers = {"min": m, "hi": c.max_size}
        out.append(
            Conflict("min_countries", "countries_exceed_size", m - c.max_size, numbers=numbers)
        )
    return out


def plan_group_count(people: Sequence[Person], c: Constraints) -> int:
    """Choose the number of groups, or explain why no grouping can exist.

    Takes the fewest groups that the size range allows and that the organisation
    and country limits, locks and quotas need. Each condition is one function
    below, with its reason.

    Raises
    ------
    InfeasibleError
        With one :class:`~peerlearn.engine.records.Conflict` per violated
        necessary condition.

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
    >>> from peerlearn.engine.wording import conflict_text
    >>> try:
    ...     plan_group_count(people, Constraints())
    ... except InfeasibleError as err:
    ...     print(textwrap.fill(conflict_text(err.conflicts[0]), 80))
    max_per_organisation: max 1 per organisation is impossible: organisation 'X' has
    14 people but 55 people make at most 11 groups of 5-6; relax to --max-per-
    organisation 2, or allow groups of 3-6 (18 groups)
    """
    r = _size_range(len(people), c)
    need, conflicts = _limit_conflicts(people, c, r)
    need, locks = _lock_conflicts(c, r, need)
    conflicts += locks
    g = min(max(need, r.g_lo), r.g_hi)
    conflicts += _quota_conflicts(people, c, g)
    conflicts += _country_conflicts(people, c, g)
    conflicts += _list_conflicts(people, c)
    if conflicts:
        raise InfeasibleError(conflicts)
    return g


def _keep_together_units(
    people: Sequence[Person], c: Constraints
) -> tuple[list[list[str]], list[Conflict]]:
    """Keep-together sets merged where they overlap (union-find), and unknown ids."""
    known = {p.id for p in people}
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    out: list[Conflict] = []
    for s in c.keep_together:
        members = [i for i in s if i in known]
        for a, b in zip(members, members[1:], strict=False):
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[ra] = rb
        unknown = tuple(i for i in s if i not in known)
        if unknown:
            out.append(Conflict("keep_together", "keep_together_unknown", ids=unknown))
    units: dict[str, list[str]] = defaultdict(list)
    for p in people:
        units[find(p.id)].append(p.id)
    return [u for u in units.values() if len(u) >= 2], out


def _unit_conflicts(
    members: list[str], known: Mapping[str, Person], c: Constraints, apart: set[tuple[str, str]]
) -> list[Conflict]:
    """A keep-together set must fit a group, hold no kept-apart pair, one lock, no broken limit."""
    out: list[Conflict] = []
    ids = tuple(sorted(members))
    if len(members) > c.max_size:
        out.append(
            Conflict(
                "keep_together",
                "keep_together_too_big",
                len(members) - c.max_size,
                ids=ids,
                numbers={"max": c.max_size},
            )
        )
    ms = set(members)
    for a, b in sorted(apart):
        if a in ms and b in ms:
            cause = Finding("keep_apart", ids=(a, b))
            out.append(Conflict("keep_apart", "keep_together_apart", 1, ids=ids, causes=(cause,)))
    labels = tuple(sorted({c.locked[m] for m in members if m in c.locked}))
    if len(labels) > 1:
        out.append(
            Conflict("locked", "keep_together_locked_apart", len(labels) - 1, ids=ids, names=labels)
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
            Conflict("keep_together", "keep_together_breaks_limit", 1, ids=ids, causes=(problem,))
        )
    return out


def _lock_list_conflicts(
    known: Mapping[str, Person], c: Constraints, apart: set[tuple[str, str]]
) -> list[Conflict]:
    """Locks must name known people, fit one group, and not lock a kept-apart pair together."""
    out = [Conflict("locked", "locked_unknown", ids=(i,)) for i in c.locked if i not in known]
    by_label: dict[str, list[str]] = defaultdict(list)
    for i, label in c.locked.items():
        if i in known:
            by_label[label].append(i)
    for label, members in sorted(by_label.items()):
        if len(members) > c.max_size:
            numbers = {"count": len(members), "max": c.max_size}
            out.append(
                Conflict(
                    "locked", "locked_too_many", len(members) - c.max_size, label, numbers=numbers
                )
            )
        ms = set(members)
        out += [
            Conflict("locked", "locked_apart", 1, label, ids=(a, b))
            for a, b in sorted(apart)
            if a in ms and b in ms
        ]
    return out


def _list_conflicts(people: Sequence[Person], c: Constraints) -> list[Conflict]:
    """Conflicts inside the keep-together / keep-apart / lock lists themselves."""
    known = {p.id: p for p in people}
    units, out = _keep_together_units(people, c)
    apart = _pairs_of(c.keep_apart) | _pairs_of(c.history)
    for members in units:
        out += _unit_conflicts(members, known, c, apart)
    out += _lock_list_conflicts(known, c, apart)
    return out
