"""Comparing the arms of an experiment on one outcome.

An *arm* is a key (``"participants"``, ``"control"``, ``"by_problem"``) and
the values its members gave for one outcome: ``True``/``False`` for a yes/no
outcome, numbers for a scale.  Missing answers are left out by the caller;
the denominator of an arm is the number of values it holds.

Decisions
---------
* **Contrasts** compare every arm with the *first* one (the reference):
  ``difference = arm - reference``.  With more than two arms each contrast is
  reported on its own, without a multiplicity correction; the result carries
  the ``multiple_comparisons`` flag so the page can say so.
* **Yes/no outcomes**: the risk difference with **Newcombe's hybrid score
  interval** (Newcombe 1998, method 10), built from the two **Wilson score
  intervals** of the proportions.  It stays inside [-1, 1] and behaves at 0/n
  and n/n, where the Wald interval collapses.  The p-value is **Fisher's
  exact test**, two-sided, as :func:`scipy.stats.fisher_exact` computes it
  on the 2x2 table ``[[yes_arm, no_arm], [yes_ref, no_ref]]``.
* **Scale outcomes**: the mean difference with a **Welch** t interval and
  Welch's t-test p-value (no equal-variance assumption), and **Hedges' g**:
  Cohen's d on the pooled standard deviation times the exact small-sample
  correction ``J = Γ(df/2) / (√(df/2) Γ((df-1)/2))``, ``df = n1 + n2 - 2``.
  Its interval is ``g ± z·√V`` with the large-sample variance
  ``V = (n1+n2)/(n1·n2) + g²/(2(n1+n2))`` (Hedges & Olkin 1985;
  Borenstein et al. 2009, eq. 4.20 before the J² factor).  An arm with fewer
  than two values, or no spread at all, gives no g (flag ``no_variance``).
* **Small numbers**: flag ``small_arm`` when any arm has fewer than
  ``small`` values (default :data:`SMALL_ARM`), and ``few_events`` when a
  yes/no contrast has fewer than five yes or five no answers in an arm
  (where intervals are wide and unstable).  Flags are keys; the web layer
  words them.
* **Errors**: an arm with no values, fewer than two arms, or a value of the
  wrong type give an :class:`ArmError` record (a key and the arm) and no
  figures at all, never an exception.

Examples
--------
>>> result = compare_binary({"review": [True] * 8 + [False] * 3,
...                          "control": [True] * 9 + [False] * 2})
>>> [(a.key, a.count, a.n) for a in result.arms]
[('review', 8, 11), ('control', 9, 11)]
>>> c = result.contrasts[0]
>>> round(c.difference, 3), round(c.p_value, 3)
(0.091, 1.0)
>>> sorted(result.flags)
['few_events', 'small_arm']
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import special, stats

from peerlearn.engine.budget import make_rng

__all__ = [
    "SMALL_ARM",
    "ArmError",
    "ArmSummary",
    "Comparison",
    "Contrast",
    "assign_at_random",
    "check_assignment",
    "check_comparison",
    "compare",
    "compare_binary",
    "compare_scale",
    "hedges_g",
    "newcombe_interval",
    "summarise_arm",
    "wilson_interval",
]

#: Below this many values in an arm the result carries the ``small_arm`` flag.
SMALL_ARM = 20
#: Fewer yes (or no) answers than this in an arm gives the ``few_events`` flag.
FEW_EVENTS = 5


@dataclass(frozen=True)
class ArmSummary:
    """One arm: its denominator and, by outcome kind, the yes count or mean and SD."""

    key: str
    n: int
    count: int | None = None  # yes answers (binary)
    share: float | None = None  # count / n (binary)
    mean: float | None = None  # (scale)
    sd: float | None = None  # sample SD, ddof=1 (scale, n >= 2)


@dataclass(frozen=True)
class Contrast:
    """One arm against the reference: ``difference = arm - reference``.

    ``difference`` is a risk difference (binary) or a mean difference
    (scale); ``effect`` is Hedges' g (scale only).
    """

    arm: str
    reference: str
    difference: float
    low: float
    high: float
    p_value: float
    test: str  # "fisher_exact" or "welch_t"
    effect: float | None = None
    effect_low: float | None = None
    effect_high: float | None = None


@dataclass(frozen=True)
class ArmError:
    """Why no figures were computed: ``kind`` is a key, ``arm`` the arm concerned."""

    kind: str  # "empty_arm", "too_few_arms", "not_binary", "not_numeric"
    arm: str = ""


@dataclass
class Comparison:
    kind: str  # "binary" or "scale"
    arms: list[ArmSummary] = field(default_factory=list)
    contrasts: list[Contrast] = field(default_factory=list)
    flags: frozenset[str] = frozenset()
    errors: list[ArmError] = field(default_factory=list)
    confidence: float = 0.95

    @property
    def ok(self) -> bool:
        return not self.errors


def _z(confidence: float) -> float:
    return float(stats.norm.ppf(0.5 + confidence / 2))


def wilson_interval(count: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of ``count / n``.

    Examples
    --------
    >>> low, high = wilson_interval(0, 10)
    >>> low, round(high, 4)
    (0.0, 0.2775)
    """
    if n <= 0:
        raise ValueError("n must be positive")
    z = _z(confidence)
    p = count / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe_interval(
    count_a: int, n_a: int, count_b: int, n_b: int, confidence: float = 0.95
) -> tuple[float, float]:
    """Newcombe's hybrid score interval for ``count_a/n_a - count_b/n_b``.

    Examples
    --------
    Newcombe (1998), table II, example (a): 56/70 vs 48/80.

    >>> low, high = newcombe_interval(56, 70, 48, 80)
    >>> round(low, 4), round(high, 4)
    (0.0524, 0.3339)
    """
    p_a, p_b = count_a / n_a, count_b / n_b
    low_a, high_a = wilson_interval(count_a, n_a, confidence)
    low_b, high_b = wilson_interval(count_b, n_b, confidence)
    d = p_a - p_b
    low = d - math.sqrt((p_a - low_a) ** 2 + (high_b - p_b) ** 2)
    high = d + math.sqrt((high_a - p_a) ** 2 + (p_b - low_b) ** 2)
    return max(-1.0, low), min(1.0, high)


def hedges_g(a: Sequence[float], b: Sequence[float]) -> float | None:
    """Hedges' g of ``a`` over ``b`` (``None`` without spread or with n < 2).

    Examples
    --------
    >>> round(hedges_g([1, 2, 3, 4], [2, 3, 4, 5]), 4)
    -0.6728
    """
    n_a, n_b = len(a), len(b)
    if n_a < 2 or n_b < 2:
        return None
    df = n_a + n_b - 2
    pooled = ((n_a - 1) * np.var(a, ddof=1) + (n_b - 1) * np.var(b, ddof=1)) / df
    if not pooled > 0:
        return None
    d = (float(np.mean(a)) - float(np.mean(b))) / math.sqrt(pooled)
    correction = math.exp(
        special.gammaln(df / 2) - math.log(math.sqrt(df / 2)) - special.gammaln((df - 1) / 2)
    )
    return d * correction


def _hedges_interval(g: float, n_a: int, n_b: int, confidence: float) -> tuple[float, float]:
    variance = (n_a + n_b) / (n_a * n_b) + g * g / (2 * (n_a + n_b))
    half = _z(confidence) * math.sqrt(variance)
    return g - half, g + half


def summarise_arm(kind: str, key: str, values: Sequence[object]) -> ArmSummary:
    """One arm on its own: denominator and yes count (binary) or mean and SD (scale).

    Examples
    --------
    >>> summarise_arm("binary", "a", [True, False, True])
    ArmSummary(key='a', n=3, count=2, share=0.6666666666666666, mean=None, sd=None)
    >>> summarise_arm("scale", "a", [1, 2, 3]).mean
    2.0
    """
    if kind == "binary":
        count = int(sum(bool(v) for v in values))
        return ArmSummary(key, len(values), count=count, share=count / len(values))
    data = np.asarray(values, dtype=float)
    sd = float(data.std(ddof=1)) if len(data) > 1 else None
    return ArmSummary(key, len(data), mean=float(data.mean()), sd=sd)


def _arm_errors(arms: Mapping[str, Sequence[object]]) -> list[ArmError]:
    if len(arms) < 2:
        return [ArmError("too_few_arms")]
    return [ArmError("empty_arm", key) for key, values in arms.items() if len(values) == 0]


def _small_flags(sizes: Sequence[int], small: int, n_arms: int) -> set[str]:
    flags = set()
    if any(n < small for n in sizes):
        flags.add("small_arm")
    if n_arms > 2:
        flags.add("multiple_comparisons")
    return flags


def compare_binary(
    arms: Mapping[str, Sequence[bool]], *, small: int = SMALL_ARM, confidence: float = 0.95
) -> Comparison:
    """Yes/no outcome per arm: counts, risk differences (Newcombe), Fisher's exact p.

    Examples
    --------
    >>> compare_binary({"a": [True], "b": []}).errors
    [ArmError(kind='empty_arm', arm='b')]
    """
    errors = _arm_errors(arms)
    errors += [
        ArmError("not_binary", key)
        for key, values in arms.items()
        if any(not isinstance(v, bool | np.bool_) for v in values)
    ]
    if errors:
        return Comparison("binary", errors=errors, confidence=confidence)
    summaries = [summarise_arm("binary", key, values) for key, values in arms.items()]
    flags = _small_flags([s.n for s in summaries], small, len(summaries))
    if any(min(s.count or 0, s.n - (s.count or 0)) < FEW_EVENTS for s in summaries):
        flags.add("few_events")
    reference = summaries[0]
    contrasts = []
    for arm in summaries[1:]:
        assert arm.count is not None and reference.count is not None
        low, high = newcombe_interval(arm.count, arm.n, reference.count, reference.n, confidence)
        table = [
            [arm.count, arm.n - arm.count],
            [reference.count, reference.n - reference.count],
        ]
        p_value = float(stats.fisher_exact(table, alternative="two-sided").pvalue)
        contrasts.append(
            Contrast(
                arm.key,
                reference.key,
                (arm.share or 0.0) - (reference.share or 0.0),
                low,
                high,
                min(1.0, p_value),
                "fisher_exact",
            )
        )
    # The reference arm is listed with the others, and the first contrast
    # reads "second arm minus first" in every two-arm case.
    return Comparison("binary", summaries, contrasts, frozenset(flags), confidence=confidence)


def _is_number(value: object) -> bool:
    return (
        isinstance(value, int | float | np.integer | np.floating)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def compare_scale(
    arms: Mapping[str, Sequence[float]], *, small: int = SMALL_ARM, confidence: float = 0.95
) -> Comparison:
    """Numeric outcome per arm: means, mean differences (Welch), Hedges' g with CI.

    Examples
    --------
    >>> result = compare_scale({"by_role": [3, 4, 4, 5], "by_problem": [4, 5, 5, 5]})
    >>> [(a.key, a.n, a.mean) for a in result.arms]
    [('by_role', 4, 4.0), ('by_problem', 4, 4.75)]
    >>> c = result.contrasts[0]
    >>> round(c.difference, 2), round(c.effect, 2), c.test
    (0.75, 0.96, 'welch_t')
    """
    errors = _arm_errors(arms)
    errors += [
        ArmError("not_numeric", key)
        for key, values in arms.items()
        if any(not _is_number(v) for v in values)
    ]
    if errors:
        return Comparison("scale", errors=errors, confidence=confidence)
    data = {key: np.asarray(values, dtype=float) for key, values in arms.items()}
    summaries = [summarise_arm("scale", key, list(values)) for key, values in data.items()]
    flags = _small_flags([s.n for s in summaries], small, len(summaries))
    reference_key = summaries[0].key
    contrasts = []
    for arm in summaries[1:]:
        a, b = data[arm.key], data[reference_key]
        contrast = _scale_contrast(arm.key, reference_key, a, b, confidence)
        if contrast.effect is None:
            flags.add("no_variance")
        contrasts.append(contrast)
    return Comparison("scale", summaries, contrasts, frozenset(flags), confidence=confidence)


def _scale_contrast(
    key: str, reference: str, a: np.ndarray, b: np.ndarray, confidence: float
) -> Contrast:
    difference = float(a.mean() - b.mean())
    low = high = difference
    p_value = 1.0
    if len(a) > 1 and len(b) > 1:
        va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
        se = math.sqrt(va + vb)
        if se > 0:
            df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
            half = float(stats.t.ppf(0.5 + confidence / 2, df)) * se
            low, high = difference - half, difference + half
            p_value = float(2 * stats.t.sf(abs(difference) / se, df))
        elif difference != 0:
            p_value = 0.0
    g = hedges_g(list(a), list(b))
    if g is None:
        return Contrast(key, reference, difference, low, high, p_value, "welch_t")
    g_low, g_high = _hedges_interval(g, len(a), len(b), confidence)
    return Contrast(key, reference, difference, low, high, p_value, "welch_t", g, g_low, g_high)


def compare(
    kind: str,
    arms: Mapping[str, Sequence[object]],
    *,
    small: int = SMALL_ARM,
    confidence: float = 0.95,
) -> Comparison:
    """:func:`compare_binary` for ``kind="binary"``, :func:`compare_scale` for ``"scale"``.

    Examples
    --------
    >>> compare("binary", {"only": [True]}).errors
    [ArmError(kind='too_few_arms', arm='')]
    """
    if kind == "binary":
        return compare_binary(arms, small=small, confidence=confidence)  # type: ignore[arg-type]
    if kind == "scale":
        return compare_scale(arms, small=small, confidence=confidence)  # type: ignore[arg-type]
    raise ValueError(f"unknown outcome kind {kind!r}")


def check_comparison(result: Comparison, arms: Mapping[str, Sequence[object]]) -> list[str]:
    """Problems with ``result`` as a comparison of ``arms`` (empty when consistent).

    The checker beside the solver: denominators match the data, shares are
    counts over denominators, each interval contains its estimate, p-values
    lie in [0, 1].

    Examples
    --------
    >>> arms = {"a": [True, False], "b": [True, True]}
    >>> check_comparison(compare_binary(arms), arms)
    []
    """
    problems: list[str] = []
    if result.errors:
        return problems
    for summary in result.arms:
        if summary.n != len(arms[summary.key]):
            problems.append(f"denominator of {summary.key}")
        counted = sum(bool(v) for v in arms[summary.key])
        if result.kind == "binary" and summary.count != counted:
            problems.append(f"count of {summary.key}")
    for c in result.contrasts:
        if not c.low - 1e-9 <= c.difference <= c.high + 1e-9:
            problems.append(f"interval of {c.arm} misses its difference")
        if not 0.0 <= c.p_value <= 1.0:
            problems.append(f"p-value of {c.arm}")
        if c.effect is not None and not (c.effect_low is not None and c.effect_high is not None):
            problems.append(f"effect interval of {c.arm}")
    return problems


def assign_at_random(people: Sequence[int], arms: Sequence[str], seed: int) -> dict[int, str]:
    """Deal ``people`` into ``arms`` at random, arm sizes differing by at most one.

    The people are sorted first, so the draw depends only on who they are and
    on ``seed`` (through :func:`~peerlearn.engine.budget.make_rng`), never on
    the order a query returned them in: the same seed gives the same arms.

    Examples
    --------
    >>> drawn = assign_at_random([4, 1, 3, 2, 5], ["a", "b"], seed=7)
    >>> drawn == assign_at_random([5, 4, 3, 2, 1], ["a", "b"], seed=7)
    True
    >>> sorted(list(drawn.values()).count(arm) for arm in "ab")
    [2, 3]
    """
    if not arms:
        raise ValueError("at least one arm is needed")
    ordered = sorted(set(people))
    shuffled = make_rng(seed).permutation(len(ordered))
    return {ordered[int(i)]: arms[position % len(arms)] for position, i in enumerate(shuffled)}


def check_assignment(
    drawn: Mapping[int, str], people: Sequence[int], arms: Sequence[str]
) -> list[str]:
    """Problems with an assignment: everyone once, only known arms, balanced sizes.

    Examples
    --------
    >>> check_assignment({1: "a", 2: "b"}, [1, 2], ["a", "b"])
    []
    >>> check_assignment({1: "a", 2: "a"}, [1, 2], ["a", "b"])
    ['arm sizes differ by more than one']
    """
    problems: list[str] = []
    if set(drawn) != set(people):
        problems.append("not everyone is assigned exactly once")
    if not set(drawn.values()) <= set(arms):
        problems.append("unknown arm")
    sizes = [list(drawn.values()).count(arm) for arm in arms]
    if sizes and max(sizes) - min(sizes) > 1:
        problems.append("arm sizes differ by more than one")
    return problems
