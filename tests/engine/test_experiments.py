"""engine/experiments.py against scipy and against formulas written another way."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import special, stats

from peerlearn.engine.experiments import (
    ArmError,
    assign_at_random,
    check_assignment,
    check_comparison,
    compare,
    compare_binary,
    compare_scale,
    hedges_g,
    newcombe_interval,
    wilson_interval,
)

counts = st.integers(min_value=1, max_value=60).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
)


def _arm(count, n):
    return [True] * count + [False] * (n - count)


@settings(max_examples=150, deadline=None)
@given(counts, counts)
def test_fisher_p_values_are_scipys(a, b):
    arms = {"ref": _arm(*b), "arm": _arm(*a)}
    result = compare_binary(arms)
    table = [[a[0], a[1] - a[0]], [b[0], b[1] - b[0]]]
    expected = stats.fisher_exact(table, alternative="two-sided").pvalue
    assert result.contrasts[0].p_value == pytest.approx(min(1.0, expected), abs=1e-12)
    assert result.contrasts[0].difference == pytest.approx(a[0] / a[1] - b[0] / b[1])
    assert check_comparison(result, arms) == []


@settings(max_examples=150, deadline=None)
@given(counts)
def test_wilson_matches_scipys_binomtest_interval(a):
    count, n = a
    expected = stats.binomtest(count, n).proportion_ci(method="wilson")
    low, high = wilson_interval(count, n)
    assert low == pytest.approx(expected.low, abs=1e-9)
    assert high == pytest.approx(expected.high, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(counts, counts)
def test_newcombe_interval_contains_the_difference_and_stays_in_range(a, b):
    low, high = newcombe_interval(a[0], a[1], b[0], b[1])
    d = a[0] / a[1] - b[0] / b[1]
    assert -1.0 <= low <= d + 1e-12 <= high + 2e-12 <= 1.0 + 2e-12


# Whole numbers (scale answers are): float means of near-identical decimals make
# scipy warn about cancellation, which would test scipy, not us.
samples = st.lists(
    st.integers(min_value=-100, max_value=100).map(float),
    min_size=2,
    max_size=40,
)


def _g_from_t(a, b):
    """Hedges' g written differently: Student's t from scipy, J from gamma itself."""
    t = stats.ttest_ind(a, b, equal_var=True).statistic
    n1, n2 = len(a), len(b)
    d = t * math.sqrt(1 / n1 + 1 / n2)
    df = n1 + n2 - 2
    return d * _j(df)


def _j(df):
    return special.gamma(df / 2) / (math.sqrt(df / 2) * special.gamma((df - 1) / 2))


@settings(max_examples=150, deadline=None)
@given(samples, samples)
def test_hedges_g_agrees_with_an_independent_computation(a, b):
    if np.ptp(a) == 0 and np.ptp(b) == 0:
        assert hedges_g(a, b) is None
        return
    # scipy warns (rightly) on a constant sample; the t route needs spread in both
    assume(np.ptp(a) > 0 and np.ptp(b) > 0)
    g = hedges_g(a, b)
    assert g is not None
    assert g == pytest.approx(_g_from_t(a, b), rel=1e-7, abs=1e-9)
    # and the usual approximation J = 1 - 3/(4 df - 1) is close once df >= 10
    if len(a) + len(b) >= 12:
        approx = _g_from_t(a, b) / _j(len(a) + len(b) - 2) * (1 - 3 / (4 * (len(a) + len(b)) - 9))
        assert g == pytest.approx(approx, rel=2e-3, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(samples, samples)
def test_welch_interval_and_p_are_scipys(a, b):
    assume(np.ptp(a) > 0 and np.ptp(b) > 0)
    result = compare_scale({"ref": b, "arm": a})
    c = result.contrasts[0]
    welch = stats.ttest_ind(a, b, equal_var=False)
    interval = welch.confidence_interval()
    assert c.p_value == pytest.approx(welch.pvalue, rel=1e-6, abs=1e-12)
    assert c.low == pytest.approx(interval.low, rel=1e-6, abs=1e-9)
    assert c.high == pytest.approx(interval.high, rel=1e-6, abs=1e-9)
    assert check_comparison(result, {"ref": b, "arm": a}) == []
    assert c.effect_low < c.effect < c.effect_high


def test_hedges_interval_uses_the_documented_variance():
    a, b = [5, 6, 7, 8, 9], [1, 2, 3, 4, 5]
    c = compare_scale({"ref": b, "arm": a}).contrasts[0]
    variance = (5 + 5) / (5 * 5) + c.effect**2 / (2 * 10)
    assert c.effect_high - c.effect == pytest.approx(1.959964 * math.sqrt(variance), rel=1e-6)


def test_an_empty_arm_is_an_error_record_not_figures():
    result = compare("binary", {"participants": [True, False], "control": []})
    assert result.errors == [ArmError("empty_arm", "control")]
    assert result.arms == [] and result.contrasts == []
    assert not result.ok


def test_wrong_values_are_error_records():
    assert compare_binary({"a": [1], "b": [True]}).errors == [ArmError("not_binary", "a")]
    assert compare_scale({"a": [1.0], "b": [float("nan")]}).errors == [ArmError("not_numeric", "b")]
    with pytest.raises(ValueError):
        compare("ordinal", {"a": [1], "b": [2]})


def test_small_numbers_flag_is_a_key_and_depends_on_the_threshold():
    arms = {"a": _arm(10, 30), "b": _arm(20, 30)}
    assert "small_arm" not in compare_binary(arms).flags
    assert "small_arm" in compare_binary(arms, small=31).flags
    assert "few_events" not in compare_binary(arms).flags


def test_three_arms_compare_each_with_the_first_and_say_so():
    result = compare_binary(
        {"by_problem": _arm(5, 10), "by_role": _arm(2, 10), "by_area": _arm(7, 10)}
    )
    assert [(c.arm, c.reference) for c in result.contrasts] == [
        ("by_role", "by_problem"),
        ("by_area", "by_problem"),
    ]
    assert "multiple_comparisons" in result.flags


def test_no_spread_gives_no_effect_size_and_a_flag():
    result = compare_scale({"a": [3, 3, 3], "b": [3, 3, 3]})
    assert result.contrasts[0].effect is None
    assert "no_variance" in result.flags


@settings(max_examples=100, deadline=None)
@given(
    st.sets(st.integers(min_value=1, max_value=10_000), max_size=80),
    st.integers(min_value=1, max_value=5),
    st.integers(min_value=0, max_value=2**32),
)
def test_random_assignment_is_balanced_and_reproducible(people, n_arms, seed):
    arms = [f"arm{i}" for i in range(n_arms)]
    drawn = assign_at_random(list(people), arms, seed)
    assert check_assignment(drawn, list(people), arms) == []
    assert drawn == assign_at_random(sorted(people, reverse=True), arms, seed)


def test_another_seed_gives_another_draw():
    people = list(range(40))
    assert assign_at_random(people, ["a", "b"], 1) != assign_at_random(people, ["a", "b"], 2)
