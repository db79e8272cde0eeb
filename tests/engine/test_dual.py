"""engine/dual.py against scipy (Pearson r, Fisher-z interval, p) and by hand."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats

from peerlearn.engine import dual

scores = st.lists(st.integers(min_value=0, max_value=50).map(float), min_size=4, max_size=40)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_correlation_and_its_interval_are_scipys(data):
    xs = data.draw(scores)
    ys = data.draw(st.lists(st.integers(0, 50).map(float), min_size=len(xs), max_size=len(xs)))
    assume(np.ptp(xs) > 0 and np.ptp(ys) > 0)
    result = dual.correlation(xs, ys)
    reference = stats.pearsonr(xs, ys)
    assert result.r == pytest.approx(reference.statistic, abs=1e-9)
    assert result.p_value == pytest.approx(reference.pvalue, abs=1e-9)
    if abs(reference.statistic) < 1 - 1e-9:
        interval = reference.confidence_interval(confidence_level=0.95)
        assert result.low == pytest.approx(interval.low, abs=1e-7)
        assert result.high == pytest.approx(interval.high, abs=1e-7)
    assert dual.check_correlation(result) == []


def test_no_spread_and_too_few_groups_give_reasons_not_numbers():
    assert dual.correlation([1, 1, 1, 1], [1, 2, 3, 4]).reason == "no_spread"
    assert dual.correlation([1, 2], [1, 2]).r is None
    with pytest.raises(ValueError):
        dual.correlation([1, 2, 3, 4], [1, 2, 3])


@pytest.mark.parametrize(
    ("health", "results", "expected"),
    [
        (3.5, 1, "healthy_productive"),
        (3.49, 1, "transactional_delivering"),
        (3.5, 0, "healthy_closed"),
        (2.0, 0, "struggling"),
    ],
)
def test_quadrants_at_their_documented_thresholds(health, results, expected):
    assert dual.quadrant(health, results) == expected


def test_echo_chamber_is_high_trust_with_low_challenge():
    assert dual.flags({"trust": 4.0, "challenge": 2.9}) == ["echo_chamber"]
    assert dual.flags({"trust": 4.0, "challenge": 3.0}) == []
    assert dual.flags({"trust": 3.9, "challenge": 1.0}) == []


def test_capability_change_pairs_respondents_and_splits_levels():
    start = {
        "a": {"me_commit": "1", "org_commit": "2", "example": "text"},
        "b": {"me_commit": "2", "org_commit": "2"},
    }
    end = {"a": {"me_commit": "3", "org_commit": "2"}, "b": {"me_commit": "4"}}
    rows = {(r.capability, r.level): r for r in dual.capability_change(start, end)}
    assert set(rows) == {("commit", "individual"), ("commit", "institutional")}
    assert rows["commit", "individual"].change == 2.0
    assert rows["commit", "individual"].n == 2
    assert rows["commit", "institutional"].n == 1
    assert rows["commit", "institutional"].change == 0.0
