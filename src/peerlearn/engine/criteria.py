"""Matching criteria as pluggable, weighted scorers over person vectors.

Every criterion maps each person to a short feature vector such that the
*affinity* of two people under that criterion is a (signed) dot product of their
vectors. Weighted criteria are stacked side by side into one matrix ``X`` with a
sign per column, so the affinity of ``i`` and ``j`` is ``sum_k s_k X_ik X_jk``.
The cohesion of a group (sum of affinities over its pairs) is then

    ``(<S, S> - sum_i <x_i, x_i>) / 2``  with ``S`` the sum of the members' rows,

which the solver updates in ``O(d)`` per move: no ``n x n`` matrix is ever built.

Criteria (weights set with ``"problems=3,context=1"``):

``problems``
    Similarity of the people's challenge statements (via the similarity backend)
    plus shared tags.
``role``
    Same formal role, plus same seniority band (``role_mode="equal"``) or a
    deliberate senior/junior mix (``role_mode="mix"``: equal seniority is
    penalised).
``policy``
    Same policy area / task type.
``context``
    Same country, region, working language and kind of institution.
``seniority_balance``, ``gender_balance``, ``external_balance``
    Soft balance goals: pairs sharing the attribute are penalised, which spreads
    each value evenly over the groups.

Examples
--------
>>> parse_weights("problems=3,context=1")
{'problems': 3.0, 'context': 1.0}
>>> parse_weights("policy")
{'policy': 1.0}
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, TypeAlias

import numpy as np
import numpy.typing as npt

from peerlearn.engine.people import Person, norm_key

if TYPE_CHECKING:
    from peerlearn.engine.similarity import SimilarityBackend

#: A similarity backend or its registered name: the solvers take either, so the
#: web app can hand them a backend that reads stored vectors.
BackendRef: TypeAlias = "str | SimilarityBackend"

__all__ = [
    "AffinityModel",
    "CRITERIA",
    "Scorer",
    "build_model",
    "parse_weights",
    "register_scorer",
]

FloatArray = npt.NDArray[np.float32]

#: Largest number of distinct values given their own column in a one-hot block;
#: rarer values get no column (they then add no affinity).
MAX_CATEGORIES = 512


class Scorer(Protocol):
    """A criterion: people -> feature block whose signed dot products are affinities."""

    def __call__(self, people: Sequence[Person], ctx: ScoringContext) -> Block:
        """Compute the block for ``people``."""
        ...


@dataclass
class Block:
    """Feature columns of one criterion: ``features`` (n, d) and the sign of the block."""

    features: FloatArray
    sign: float = 1.0
    #: Vectors of every challenge statement (only the problems criterion sets this).
    challenge_vectors: FloatArray | None = None
    #: Row of each (person, challenge) in ``challenge_vectors``.
    challenge_rows: list[list[int]] | None = None


@dataclass
class ScoringContext:
    """What scorers may need beyond the people: backend name, role mode."""

    backend: BackendRef = "tfidf"
    role_mode: str = "equal"
    seed: int = 0


def _rarity(count: int, n: int) -> float:
    """Weight of a shared value held by ``count`` of ``n`` people, in [0, 1].

    A value everyone shares (English in an English-speaking cohort) says
    nothing about who belongs together, so it weighs 0; the rarest shared
    value (held by two people) weighs 1: the dot product of two people who
    share it is ``log(n / count) / log(n / 2)``.  Cohorts of two or fewer
    people have no notion of rarity and keep plain weights.

    >>> _rarity(2, 80), _rarity(80, 80), round(_rarity(9, 80), 2)
    (1.0, 0.0, 0.59)
    """
    if n <= 2:
        return 1.0
    return max(0.0, math.log(n / count) / math.log(n / 2))


def _one_hot(values: Sequence[str]) -> FloatArray:
    """One-hot columns of the non-empty values (rows of unknowns are zero),
    weighted by rarity so common values count for less."""
    counts = Counter(v for v in values if v)
    kept = [v for v, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    kept = [v for v in kept[:MAX_CATEGORIES] if counts[v] > 1]
    col = {v: k for k, v in enumerate(kept)}
    weight = [math.sqrt(_rarity(counts[v], len(values))) for v in kept]
    out = np.zeros((len(values), max(1, len(kept))), dtype=np.float32)
    for i, v in enumerate(values):
        k = col.get(v)
        if k is not None:
            out[i, k] = weight[k]
    return out


def _multi_hot(values: Sequence[frozenset[str]]) -> FloatArray:
    """Normalised multi-hot rows (dot product = shared share of the two sets)."""
    counts: Counter[str] = Counter()
    for s in values:
        counts.update(s)
    kept = [v for v, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if c > 1]
    col = {v: k for k, v in enumerate(kept[:MAX_CATEGORIES])}
    weight = np.array(
        [math.sqrt(_rarity(counts[v], len(values))) for v in kept[:MAX_CATEGORIES]] or [0.0],
        dtype=np.float32,
    )
    out = np.zeros((len(values), max(1, len(col))), dtype=np.float32)
    for i, s in enumerate(values):
        ks = [col[v] for v in s if v in col]
        if ks:
            out[i, ks] = weight[ks] / math.sqrt(len(s))
    return out


def _stack(parts: Sequence[FloatArray]) -> FloatArray:
    """Concatenate sub-blocks, each scaled so that the total affinity is at most 1."""
    present = [p for p in parts if p.any()]
    if not present:
        return np.zeros((parts[0].shape[0] if parts else 0, 1), dtype=np.float32)
    scale = np.float32(1.0 / math.sqrt(len(present)))
    return np.ascontiguousarray(np.hstack(present) * scale, dtype=np.float32)


class _CachingBackend:
    """Wraps a backend and keeps the texts and vectors of its last call."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.name = str(getattr(inner, "name", "?"))
        self.texts: list[str] = []
        self.last: FloatArray | None = None

    def vectors(self, texts: Sequence[str]) -> FloatArray:
        out: FloatArray = self.inner.vectors(texts)  # type: ignore[attr-defined]
        self.texts = list(texts)
        self.last = out
        return out


def problems_scorer(people: Sequence[Person], ctx: ScoringContext) -> Block:
    """Challenge-text similarity (backend cosine) plus shared tags.

    Examples
    --------
    >>> from peerlearn.engine.people import Person
    >>> ps = [Person("a", challenges=("land registry gaps",)),
    ...       Person("b", challenges=("the land registry is incomplete",)),
    ...       Person("c", challenges=("budget cuts to our unit",))]
    >>> f = problems_scorer(ps, ScoringContext()).features
    >>> bool(f[0] @ f[1] > f[0] @ f[2])
    True
    """
    from peerlearn.engine.similarity import person_vectors, resolve_backend

    backend = _CachingBackend(resolve_backend(ctx.backend))
    challenges = [list(p.challenges) for p in people]
    text = person_vectors(challenges, backend)
    rows: list[list[int]] | None = None
    cv = backend.last
    if cv is not None:
        rows = []
        k = 0
        texts = backend.texts
        for p in people:
            mine = []
            for t in p.challenges:
                if k < len(texts) and texts[k] == t:
                    mine.append(k)
                    k += 1
            rows.append(mine)
        if k != len(texts):  # unexpected layout: no excerpts by vector
            rows, cv = None, None
    tags = [frozenset(norm_key(t) for t in p.tags if t.strip()) for p in people]
    if any(tags):
        tag_block = _multi_hot(tags)
        features = np.hstack([text * np.float32(math.sqrt(0.75)), tag_block * np.float32(0.5)])
    else:
        features = text
    return Block(np.ascontiguousarray(features, dtype=np.float32), 1.0, cv, rows)


def role_scorer(people: Sequence[Person], ctx: ScoringContext) -> Block:
    """Same formal role, with equal seniority (``equal``) or a senior/junior mix (``mix``).

    In ``mix`` mode the seniority part is subtracted, so equal seniority lowers
    the affinity.

    Examples
    --------
    >>> from peerlearn.engine.people import Person
    >>> ps = [Person("a", role="auditor", seniority="senior"),
    ...       Person("b", role="auditor", seniority="senior")]
    >>> f = role_scorer(ps, ScoringContext()).features
    >>> round(float(f[0] @ f[1]), 3)
    1.0
    """
    role = _one_hot([norm_key(p.role) for p in people])
    senior = _one_hot([norm_key(p.seniority) for p in people])
    if ctx.role_mode == "mix":
        return Block(_stack([role]), 1.0)
    return Block(_stack([role, senior]), 1.0)


def seniority_mix_scorer(people: Sequence[Person], ctx: ScoringContext) -> Block:
    """Penalty block for equal seniority (used by ``role`` in ``mix`` mode)."""
    return Block(_one_hot([norm_key(p.seniority) for p in people]), -1.0)


def policy_scorer(people: Sequence[Person], ctx: ScoringContext) -> Block:
    """Same policy area.

    Examples
    --------
    >>> from peerlearn.engine.people import Person
    >>> ps = [Person("a", policy_area="Tax"), Person("b", policy_area="tax ")]
    >>> float(policy_scorer(ps, ScoringContext()).features.sum())
    2.0
    """
    return Block(_one_hot([norm_key(p.policy_area) for p in people]), 1.0)


def context_scorer(people: Sequence[Person], ctx: ScoringContext) -> Block:
    """Same country, region, working language(s), kind of institution (equal shares).

    Examples
    --------
    >>> from peerlearn.engine.people import Person
    >>> ps = [Person("a", country="KE", languages=("en",)),
    ...       Person("b", country="KE", languages=("en", "sw"))]
    >>> f = context_scorer(ps, ScoringContext()).features
    >>> round(float(f[0] @ f[1]), 3)
    0.854
    """
    return Block(
        _stack(
            [
                _one_hot([p.country_key for p in people]),
                _one_hot([norm_key(p.region) for p in people]),
                _multi_hot([p.language_keys for p in people]),
                _one_hot([norm_key(p.institution_kind) for p in people]),
            ]
        ),
        1.0,
    )


def _balance(attr: Callable[[Person], str]) -> Scorer:
    def scorer(people: Sequence[Person], ctx: ScoringContext) -> Block:
        return Block(_one_hot([attr(p) for p in people]), -1.0)

    return scorer


#: The registry of criteria by name. Add your own with :func:`register_scorer`.
CRITERIA: dict[str, Scorer] = {
    "problems": problems_scorer,
    "role": role_scorer,
    "policy": policy_scorer,
    "context": context_scorer,
    "seniority_balance": _balance(lambda p: norm_key(p.seniority)),
    "gender_balance": _balance(lambda p: norm_key(p.gender)),
    "external_balance": _balance(lambda p: "external" if p.external else "local"),
}


def register_scorer(name: str, scorer: Scorer) -> None:
    """Add (or replace) a criterion usable in weight specs.

    Examples
    --------
    >>> register_scorer("org_kind", lambda people, ctx: policy_scorer(people, ctx))
    >>> "org_kind" in CRITERIA
    True
    >>> del CRITERIA["org_kind"]
    """
    CRITERIA[name] = scorer


def parse_weights(spec: str | Mapping[str, float]) -> dict[str, float]:
    """Parse ``"problems=3,context=1"`` (or a bare criterion name) into weights.

    Raises
    ------
    ValueError
        Unknown criterion or a weight that is not a number.

    Examples
    --------
    >>> parse_weights("problems, gender_balance=0.5")
    {'problems': 1.0, 'gender_balance': 0.5}
    >>> parse_weights("colour=2")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: unknown criterion 'colour'; choose from context, external_balance, ...
    """
    if isinstance(spec, Mapping):
        items = [(str(k), float(v)) for k, v in spec.items()]
    else:
        items = []
        for part in spec.split(","):
            part = part.strip()
            if not part:
                continue
            name, _, value = part.partition("=")
            try:
                weight = float(value) if value.strip() else 1.0
            except ValueError:
                raise ValueError(f"weight of {name.strip()!r} is not a number: {value!r}") from None
            items.append((name.strip(), weight))
    out: dict[str, float] = {}
    for name, weight in items:
        if name not in CRITERIA:
            raise ValueError(
                f"unknown criterion {name!r}; choose from {', '.join(sorted(CRITERIA))}"
            )
        if not math.isfinite(weight) or weight < 0:
            raise ValueError(f"weight of {name!r} must be a non-negative number, got {weight}")
        out[name] = weight
    if not out:
        raise ValueError("no criterion given")
    return out


@dataclass
class AffinityModel:
    """Stacked, weighted person vectors with a sign per column.

    Attributes
    ----------
    x
        ``(n, d)`` float32, each block scaled by ``sqrt(weight)``.
    sign
        ``(d,)`` float32 of +1/-1.
    blocks
        ``name -> column slice`` (for per-criterion explanations).
    challenge_vectors, challenge_rows
        Per-challenge text vectors, when the problems criterion is used.
    """

    x: FloatArray
    sign: FloatArray
    blocks: dict[str, slice] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)
    challenge_vectors: FloatArray | None = None
    challenge_rows: list[list[int]] | None = None

    @property
    def xs(self) -> FloatArray:
        """``x`` with the signs applied (``xs[i] @ x[j]`` is the affinity)."""
        return self.x * self.sign

    @property
    def all_positive(self) -> bool:
        """Whether every column has sign +1."""
        return bool((self.sign > 0).all())

    def affinity(self, i: int, j: int) -> float:
        """Affinity of persons ``i`` and ``j``."""
        return float((self.x[i] * self.sign) @ self.x[j])

    def by_criterion(self, i: int, j: int) -> dict[str, float]:
        """Affinity of ``i`` and ``j`` split by criterion (weighted)."""
        out = {}
        for name, sl in self.blocks.items():
            out[name] = float((self.x[i, sl] * self.sign[sl]) @ self.x[j, sl])
        return out


def build_model(
    people: Sequence[Person],
    weights: str | Mapping[str, float] = "problems",
    *,
    backend: BackendRef = "tfidf",
    role_mode: str = "equal",
    seed: int = 0,
) -> AffinityModel:
    """Compute the weighted person vectors for ``people``.

    Parameters
    ----------
    people
        The cohort.
    weights
        Criterion weights (see :func:`parse_weights`).
    backend
        Similarity backend for the problems criterion.
    role_mode
        ``"equal"`` (peers of equal seniority) or ``"mix"`` (senior/junior mix).
    seed
        Seed for any randomised step.

    Notes
    -----
    Dominated by the text backend: linear in the total text length for tf-idf
    (a few seconds for 10,000 people with three challenges each).

    Examples
    --------
    >>> from peerlearn.engine.people import Person
    >>> ps = [Person("a", country="KE"), Person("b", country="KE"), Person("c", country="FR")]
    >>> m = build_model(ps, "context")
    >>> round(m.affinity(0, 1), 3), round(m.affinity(0, 2), 3)
    (1.0, 0.0)
    """
    if role_mode not in ("equal", "mix"):
        raise ValueError(f"role mode must be 'equal' or 'mix', got {role_mode!r}")
    w = parse_weights(weights)
    ctx = ScoringContext(backend=backend, role_mode=role_mode, seed=seed)
    parts: list[FloatArray] = []
    signs: list[FloatArray] = []
    blocks: dict[str, slice] = {}
    col = 0
    cv: FloatArray | None = None
    rows: list[list[int]] | None = None
    items = list(w.items())
    if "role" in w and role_mode == "mix":
        items.append(("seniority_mix", w["role"]))
    for name, weight in items:
        if weight == 0:
            continue
        scorer = seniority_mix_scorer if name == "seniority_mix" else CRITERIA[name]
        block = scorer(people, ctx)
        if block.challenge_vectors is not None:
            cv, rows = block.challenge_vectors, block.challenge_rows
        f = np.asarray(block.features, dtype=np.float32) * np.float32(math.sqrt(weight))
        parts.append(f)
        signs.append(np.full(f.shape[1], block.sign, dtype=np.float32))
        blocks[name] = slice(col, col + f.shape[1])
        col += f.shape[1]
    if not parts:
        parts = [np.zeros((len(people), 1), dtype=np.float32)]
        signs = [np.ones(1, dtype=np.float32)]
    x = np.ascontiguousarray(np.hstack(parts), dtype=np.float32)
    return AffinityModel(x, np.concatenate(signs), blocks, w, cv, rows)
