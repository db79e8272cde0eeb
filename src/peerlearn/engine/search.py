"""Internal machinery of the group solver: fast constraint checks, state, local search.

Not public API: :mod:`peerlearn.engine.grouping` drives it. Persons are integers
``0..n-1``; *units* are keep-together sets (mostly single persons) and are what
moves between groups. Each group keeps the sum ``S_g`` of its members' weighted
vectors, so that the change in cohesion of a move or swap costs ``O(d)``:

* move unit ``u`` from ``a`` to ``b``: ``<u, S_b> - <u, S_a> + <u, u>``
* swap ``u`` (in ``a``) with ``v`` (in ``b``): ``<S_b - S_a, u - v> + <u - v, u - v>``

(all dot products signed by column). Hard constraints are scored as an integer
*violation amount* per group; the search is lexicographic: it never accepts a
change that increases the violation total, and among changes that keep it, only
those that raise cohesion.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from peerlearn.engine.budget import CONVERGED_GAIN_SHARE, DEFAULT_MAX_PASSES
from peerlearn.engine.constraints import Constraints
from peerlearn.engine.people import Person, norm_key

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]

EPS = 1e-6

#: Share of a unit's own score below which a float32 gain counts as rounding
#: (see :func:`_tolerance`).
FLOAT32_RELATIVE_TOLERANCE = 1e-5


class Checker:
    """Integer codes of the people and the per-group violation amount.

    Examples
    --------
    >>> from peerlearn.engine.people import Person
    >>> ps = [Person("a", organisation="X"), Person("b", organisation="X"), Person("c")]
    >>> ch = Checker(ps, Constraints(min_size=2, max_size=3))
    >>> ch.violation([0, 1]), ch.violation([0, 2]), ch.violation([0])
    (1, 0, 1)
    """

    def __init__(
        self,
        people: Sequence[Person],
        c: Constraints,
        forbidden: dict[int, set[int]] | None = None,
    ) -> None:
        self.c = c
        self.n = len(people)

        def codes(keys: list[str]) -> list[int]:
            table: dict[str, int] = {}
            return [table.setdefault(k, len(table)) if k else -1 for k in keys]

        self.org = codes([p.org_key for p in people])
        self.country = codes([p.country_key for p in people])
        self.role = codes([norm_key(p.role) for p in people])
        role_table = {norm_key(p.role): self.role[i] for i, p in enumerate(people)}
        self.required_roles = [role_table.get(norm_key(r), -2) for r in c.quotas.required_roles]
        self.external = [p.external for p in people]
        self.alumni = [p.alumni for p in people]
        langs: dict[str, int] = {}
        self.lang = [0] * self.n
        for i, p in enumerate(people):
            m = 0
            for key in sorted(p.language_keys):
                m |= 1 << langs.setdefault(key, len(langs))
            self.lang[i] = m
        self.lang_names = {v: k for k, v in langs.items()}
        self.use_lang = c.shared_language and any(self.lang)
        self.forbidden = forbidden or {}
        self.max_org = c.max_per_organisation
        self.max_country = c.max_per_country
        self.quotas = c.quotas.active
        self.lo, self.hi = c.min_size, c.max_size

    def upper(self, members: Sequence[int]) -> int:
        """Violations that only grow when members are added (size cap, limits, lists)."""
        v = 0
        size = len(members)
        if size > self.hi:
            v += size - self.hi
        if self.max_org is not None:
            org = self.org
            cnt = Counter(org[i] for i in members)
            cnt.pop(-1, None)
            for k in cnt.values():
                if k > self.max_org:
                    v += k - self.max_org
        if self.max_country is not None:
            cty = self.country
            cnt = Counter(cty[i] for i in members)
            cnt.pop(-1, None)
            for k in cnt.values():
                if k > self.max_country:
                    v += k - self.max_country
        if self.forbidden:
            fb = self.forbidden
            for idx, i in enumerate(members):
                f = fb.get(i)
                if f:
                    for j in members[idx + 1 :]:
                        if j in f:
                            v += 1
        if self.use_lang:
            v += self.language_gap(members)
        return v

    def language_gap(self, members: Sequence[int]) -> int:
        """How many members must leave for the rest to share a language."""
        lang = self.lang
        common = -1
        union = 0
        known = 0
        for i in members:
            m = lang[i]
            if m:
                common &= m
                union |= m
                known += 1
        if known == 0 or common:
            return 0
        best = 0
        bit = 1
        while bit <= union:
            if union & bit:
                k = sum(1 for i in members if lang[i] & bit)
                best = max(best, k)
            bit <<= 1
        return known - best

    def lower(self, members: Sequence[int]) -> int:
        """Violations that adding the right members can cure (size floor, quotas)."""
        v = 0
        size = len(members)
        if size < self.lo:
            v += self.lo - size
        c = self.c
        if c.min_countries:
            cty = self.country
            distinct = len({cty[i] for i in members} - {-1})
            if distinct < c.min_countries:
                v += c.min_countries - distinct
        if self.quotas:
            q = c.quotas
            n_ext = sum(1 for i in members if self.external[i])
            if n_ext < q.min_external:
                v += q.min_external - n_ext
            if size - n_ext < q.min_local:
                v += q.min_local - (size - n_ext)
            if q.mentor_ratio:
                n_al = sum(1 for i in members if self.alumni[i])
                need = -(-(size - n_al) // q.mentor_ratio)
                if n_al < need:
                    v += need - n_al
            if self.required_roles:
                roles = {self.role[i] for i in members}
                v += sum(1 for r in self.required_roles if r not in roles)
        return v

    def violation(self, members: Sequence[int]) -> int:
        """Total violation amount of one group (0 = all per-group constraints hold)."""
        return self.upper(members) + self.lower(members)


@dataclass
class Stats:
    """What the search did."""

    passes: int = 0
    moves: int = 0
    swaps: int = 0
    repairs: int = 0
    seconds: float = 0.0
    stopped_by_time: bool = False
    converged: bool = False
    phases: dict[str, float] = field(default_factory=dict)


class State:
    """Units, groups, centroid sums and violation bookkeeping."""

    def __init__(
        self,
        x: FloatArray,
        sign: FloatArray,
        units: list[list[int]],
        n_groups: int,
        checker: Checker,
        movable: list[bool],
        penalty: dict[int, dict[int, float]] | None = None,
        home: list[int] | None = None,
        move_cost: float = 0.0,
    ) -> None:
        self.x = x
        self.sign = sign
        self.signed = not bool((sign > 0).all())
        self.units = units
        self.n_units = len(units)
        self.checker = checker
        self.movable = movable
        self.G = n_groups
        d = x.shape[1]
        if all(len(u) == 1 for u in units):
            self.U = x[[u[0] for u in units]] if len(units) != x.shape[0] else x
        else:
            self.U = np.zeros((self.n_units, d), dtype=np.float32)
            for k, u in enumerate(units):
                self.U[k] = x[u].sum(axis=0)
        self.Us = self.U * sign if self.signed else self.U
        self.unorm = np.einsum("ij,ij->i", self.Us, self.U).astype(np.float64)
        self.usize = [len(u) for u in units]
        self.S = np.zeros((n_groups, d), dtype=np.float64)
        # A float32 copy of the sums for the search's many small products: mixing
        # float32 unit rows with float64 sums made numpy convert on every call,
        # ten times the arithmetic's own cost. Scores stay on the float64 sums.
        self.S32 = np.zeros((n_groups, d), dtype=np.float32)
        self.group_units: list[list[int]] = [[] for _ in range(n_groups)]
        self.group_persons: list[list[int]] = [[] for _ in range(n_groups)]
        self.gof = np.full(self.n_units, -1, dtype=np.int64)
        self.viol = [0] * n_groups
        self.penalty = penalty or {}
        self.home = home
        self.move_cost = move_cost
        self.unit_pen = [any(i in self.penalty for i in u) for u in units]
        self.unit_home = [home[u[0]] if home is not None else -1 for u in units] if home else None

    # -- bookkeeping --------------------------------------------------------
    def add(self, u: int, g: int) -> None:
        self.gof[u] = g
        self.group_units[g].append(u)
        self.group_persons[g].extend(self.units[u])
        self.S[g] += self.U[u]
        self.S32[g] += self.U[u]

    def remove(self, u: int) -> int:
        g = int(self.gof[u])
        self.group_units[g].remove(u)
        gp = self.group_persons[g]
        for i in self.units[u]:
            gp.remove(i)
        self.S[g] -= self.U[u]
        self.S32[g] -= self.U[u]
        self.gof[u] = -1
        return g

    def refresh(self, g: int) -> None:
        self.viol[g] = self.checker.violation(self.group_persons[g])

    def size(self, g: int) -> int:
        return len(self.group_persons[g])

    def total_violation(self) -> int:
        return sum(self.viol)

    def resum(self) -> None:
        """Recompute the group sums from scratch (limits float drift)."""
        self.S[:] = 0
        for g in range(self.G):
            for u in self.group_units[g]:
                self.S[g] += self.U[u]
        self.S32[:] = self.S

    # -- objective ----------------------------------------------------------
    def pen_with(self, u: int, persons: Sequence[int]) -> float:
        """Pair penalty between unit ``u`` and ``persons``."""
        total = 0.0
        for i in self.units[u]:
            p = self.penalty.get(i)
            if p:
                for j in persons:
                    w = p.get(j)
                    if w:
                        total += w
        return total

    def home_cost(self, u: int, g: int) -> float:
        """Disruption cost of unit ``u`` sitting in group ``g``."""
        if self.unit_home is None:
            return 0.0
        h = self.unit_home[u]
        return self.move_cost * self.usize[u] if h >= 0 and h != g else 0.0

    def group_score(self, g: int) -> float:
        """Cohesion of group ``g``: sum of pairwise affinities (without penalties)."""
        s = self.S[g]
        ss = float((s * self.sign) @ s) if self.signed else float(s @ s)
        own = 0.0
        for i in self.group_persons[g]:
            xi = self.x[i]
            own += float((xi * self.sign) @ xi) if self.signed else float(xi @ xi)
        return (ss - own) / 2.0

    # -- moves --------------------------------------------------------------
    def try_change(self, changes: list[tuple[int, int]]) -> tuple[int, list[int]]:
        """Violation change if units move as ``[(unit, new_group), ...]``."""
        touched = sorted({int(self.gof[u]) for u, _ in changes} | {g for _, g in changes})
        new_members = {g: list(self.group_persons[g]) for g in touched}
        for u, g in changes:
            old = int(self.gof[u])
            for i in self.units[u]:
                new_members[old].remove(i)
            new_members[g].extend(self.units[u])
        before = sum(self.viol[g] for g in touched)
        after_v = [self.checker.violation(new_members[g]) for g in touched]
        return sum(after_v) - before, touched

    def apply(self, changes: list[tuple[int, int]]) -> None:
        touched: set[int] = set()
        for u, _g in changes:
            touched.add(self.remove(u))
        for u, g in changes:
            self.add(u, g)
            touched.add(g)
        for g in touched:
            self.refresh(g)


def top_groups(state: State, units: Sequence[int], k: int) -> IntArray:
    """For each unit, the ``k`` groups whose sums align best with it (own group included)."""
    k = min(k, state.G)
    scores = state.Us[np.asarray(units)] @ state.S32.T
    if k >= state.G:
        return np.argsort(-scores, axis=1, kind="stable")
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    return part


def improve(
    state: State,
    rng: np.random.Generator,
    deadline: float,
    stats: Stats,
    *,
    candidates: int = 8,
    max_passes: int = DEFAULT_MAX_PASSES,
    min_gain_share: float = CONVERGED_GAIN_SHARE,
) -> None:
    """Local search: best move or swap per unit, never increasing violations.

    Notes
    -----
    Each pass costs ``O(n_units * candidates * size * d)`` arithmetic plus one
    blocked matrix product of the units against the group sums.
    """
    movable = [u for u in range(state.n_units) if state.movable[u]]
    if not movable or state.G < 2:
        return
    lo, hi = state.checker.lo, state.checker.hi
    block = 256
    for _ in range(max_passes):
        if time.perf_counter() > deadline:
            stats.stopped_by_time = True
            return
        stats.passes += 1
        gained = 0.0
        changed = 0
        order = rng.permutation(len(movable))
        for start in range(0, len(order), block):
            if time.perf_counter() > deadline:
                stats.stopped_by_time = True
                return
            chunk = [movable[int(t)] for t in order[start : start + block]]
            cands = top_groups(state, chunk, candidates + 1)
            for row, u in enumerate(chunk):
                gain = _improve_unit(state, u, cands[row], lo, hi, stats)
                if gain > 0:
                    gained += gain
                    changed += 1
        state.resum()
        total = abs(sum(state.group_score(g) for g in range(state.G))) + 1.0
        if changed == 0 or gained < min_gain_share * total:
            stats.converged = True
            return


def _improve_unit(state: State, u: int, cand: IntArray, lo: int, hi: int, stats: Stats) -> float:
    a = int(state.gof[u])
    groups = [int(b) for b in cand if int(b) != a]
    if not groups:
        return 0.0
    us = state.Us[u]
    uu = state.unorm[u]
    usz = state.usize[u]
    sums = state.S32[[a, *groups]]  # row 0: own group, then the candidates
    su = (sums @ us).astype(np.float64)
    su_a = float(su[0])
    su_b = su[1:]
    tol = _tolerance(su_a, uu)
    options: list[tuple[float, int, int]] = []  # (gain, group, other unit or -1)
    size_a = state.size(a)
    if size_a - usz >= lo or state.viol[a] > 0:
        for k, b in enumerate(groups):
            if state.size(b) + usz <= hi:
                options.append((float(su_b[k] - su_a + uu), b, -1))
    # swaps
    vids: list[int] = []
    vgrp: list[int] = []
    vk: list[int] = []
    for k, b in enumerate(groups):
        for v in state.group_units[b]:
            if state.movable[v]:
                vids.append(v)
                vgrp.append(b)
                vk.append(k)
    if vids:
        # One product gives every term of every swap: column 0 <v, S_a>, column
        # 1 + k <v, S_b> for the k-th candidate, last column <v, u> (signed).
        Vs = state.Us[vids]
        products = Vs @ np.vstack((sums, state.U[u][None, :])).T
        ks = np.asarray(vk)
        # <S_b - S_a, u - v> + |u - v|^2  (signed)
        t_u = su_b[ks] - su_a
        t_v = products[np.arange(len(vids)), ks + 1] - products[:, 0]
        cross = products[:, -1]
        gains = t_u - t_v + uu + state.unorm[vids] - 2.0 * cross
        adjusted = bool(state.penalty) or state.unit_home is not None
        keep = np.arange(len(vids)) if adjusted else np.flatnonzero(gains > tol)
        for idx in keep:
            options.append((float(gains[idx]), vgrp[idx], vids[idx]))
    if state.penalty or state.unit_home is not None:
        options = [_adjust(state, u, a, g, b, v) for g, b, v in options]
    options = [o for o in options if o[0] > tol]
    if not options:
        return 0.0
    options.sort(key=lambda o: (-o[0], o[1], o[2]))
    for gain, b, v in options[:12]:
        changes = [(u, b)] if v < 0 else [(u, b), (v, a)]
        dv, _ = state.try_change(changes)
        if dv <= 0:
            state.apply(changes)
            if v < 0:
                stats.moves += 1
            else:
                stats.swaps += 1
            return gain
    return 0.0


def _tolerance(own_score: float, unit_norm: float) -> float:
    """Smallest gain the search takes: above float32 rounding of the products.

    Gains come from float32 dot products of 512-dimensional rows whose size
    is about ``|<u, S_a>| + |u|^2``; their rounding error is a few 1e-7 of that,
    so 1e-5 of it (or ``EPS``) keeps a rounding artefact from passing for a gain
    and two units from swapping back and forth on noise.

    Examples
    --------
    >>> _tolerance(0.0, 0.0) == EPS, _tolerance(100.0, 1.0)
    (True, 0.00101)
    """
    return max(EPS, FLOAT32_RELATIVE_TOLERANCE * (abs(own_score) + abs(unit_norm)))


def _adjust(state: State, u: int, a: int, gain: float, b: int, v: int) -> tuple[float, int, int]:
    """Add pair-penalty and disruption terms to a candidate gain."""
    members_a = [i for i in state.group_persons[a] if i not in state.units[u]]
    members_b = list(state.group_persons[b])
    if v >= 0:
        members_b = [i for i in members_b if i not in state.units[v]]
    delta = 0.0
    if state.penalty:
        if state.unit_pen[u]:
            delta += state.pen_with(u, members_a) - state.pen_with(u, members_b)
        if v >= 0 and state.unit_pen[v]:
            delta += state.pen_with(v, members_b) - state.pen_with(v, members_a)
    if state.unit_home is not None:
        delta += state.home_cost(u, a) - state.home_cost(u, b)
        if v >= 0:
            delta += state.home_cost(v, b) - state.home_cost(v, a)
    return (gain + delta, b, v)


def reduce_violations(
    state: State,
    rng: np.random.Generator,
    deadline: float,
    stats: Stats,
    *,
    candidates: int = 12,
) -> None:
    """Reduce the violation total with moves and swaps touching violating groups.

    Among fixes with the same violation change, the one that loses least
    cohesion (and disrupts least) wins; sideways moves are taken a bounded
    number of times to walk across plateaus.
    """
    sideways_left = 20 * state.G + 100
    sample = candidates
    while state.total_violation() > 0:
        if time.perf_counter() > deadline:
            stats.stopped_by_time = True
            return
        bad = [g for g in range(state.G) if state.viol[g] > 0]
        progress = False
        for a in bad:
            if state.viol[a] == 0:
                continue
            best = _best_fix(state, a, rng, sample)
            if best is None:
                continue
            dv, gain, changes = best
            if dv < 0 or (dv == 0 and sideways_left > 0):
                state.apply(changes)
                stats.repairs += 1
                if dv < 0:
                    progress = True
                else:
                    sideways_left -= 1
        if not progress:
            if sample >= state.G and sideways_left <= 0:
                return
            if sample >= state.G:
                sideways_left -= 1
            sample = min(state.G, sample * 2)
    state.resum()


def _best_fix(
    state: State, a: int, rng: np.random.Generator, sample: int
) -> tuple[int, float, list[tuple[int, int]]] | None:
    others = [g for g in range(state.G) if g != a]
    if not others:
        return None
    if len(others) > sample:
        near = list(top_groups_for_sum(state, a, sample // 2))
        pick = rng.choice(len(others), size=sample - len(near), replace=False)
        chosen = sorted({*near, *(others[int(k)] for k in pick)} - {a})
    else:
        chosen = others
    units_a = [u for u in state.group_units[a] if state.movable[u]]
    best: tuple[int, float, list[tuple[int, int]]] | None = None

    def consider(changes: list[tuple[int, int]]) -> None:
        nonlocal best
        dv, _ = state.try_change(changes)
        if dv > 0:
            return
        gain = _gain_of(state, changes)
        key = (dv, -gain)
        if best is None or key < (best[0], -best[1]):
            best = (dv, gain, changes)

    for b in chosen:
        units_b = [v for v in state.group_units[b] if state.movable[v]]
        for u in units_a:
            consider([(u, b)])
            for v in units_b:
                consider([(u, b), (v, a)])
        for v in units_b:
            consider([(v, a)])
    if best is not None and best[0] == 0:
        # a sideways step: prefer a random one among the equal best, to explore
        return best
    return best


def top_groups_for_sum(state: State, a: int, k: int) -> list[int]:
    """Groups whose sums align best with the sum of group ``a``."""
    if k <= 0:
        return []
    s = state.S[a] * state.sign if state.signed else state.S[a]
    scores = state.S @ s
    scores[a] = -np.inf
    k = min(k, state.G - 1)
    return [int(g) for g in np.argpartition(-scores, k - 1)[:k]]


def _gain_of(state: State, changes: list[tuple[int, int]]) -> float:
    """Exact objective change of a move or swap (cohesion, penalties, disruption)."""
    if len(changes) == 1:
        u, b = changes[0]
        a = int(state.gof[u])
        us = state.Us[u]
        gain = float(state.S[b] @ us - state.S[a] @ us + state.unorm[u])
        return (
            _adjust(state, u, a, gain, b, -1)[0]
            if (state.penalty or state.unit_home is not None)
            else gain
        )
    (u, b), (v, a) = changes
    diff = state.U[u] - state.U[v]
    dsign = diff * state.sign if state.signed else diff
    gain = float((state.S[b] - state.S[a]) @ dsign + diff @ dsign)
    if state.penalty or state.unit_home is not None:
        return _adjust(state, u, a, gain, b, v)[0]
    return gain
