"""engine.diffusion against a pandas reference on random follow-ups (hypothesis)."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from peerlearn.engine import diffusion
from peerlearn.surveys.analysis import _complement

AUDIENCES = ["team", "manager", "leadership", "other_units", "other_orgs"]

response = st.fixed_dictionaries(
    {
        "person": st.sampled_from(["", "p1", "p2", "p3"]),
        "organisation": st.sampled_from(["", "MoF", "NSO"]),
        "answers": st.fixed_dictionaries(
            {
                "shared": st.sampled_from(["yes", "no"]),
                "shared_with": st.lists(st.sampled_from(AUDIENCES), unique=True),
                "shared_form": st.lists(st.sampled_from(diffusion.FORMS), unique=True),
                "shared_how_many": st.one_of(st.none(), st.integers(0, 50).map(str)),
            }
        ),
    }
)


def _reference(responses, by):
    rows = []
    for r in responses:
        a = r["answers"]
        shared = a["shared"] == "yes"
        rows.append(
            {
                "key": r[by],
                "shared": int(shared),
                "team": int(shared and "team" in a["shared_with"]),
                "people": int(a["shared_how_many"]) if shared and a["shared_how_many"] else None,
            }
        )
    frame = pd.DataFrame(rows, columns=["key", "shared", "team", "people"])
    if by == "person":
        frame = frame[frame["key"] != ""]
    return frame.groupby("key").agg(
        respondents=("shared", "size"),
        shared=("shared", "sum"),
        team=("team", "sum"),
        people=("people", lambda s: None if s.isna().all() else int(s.sum())),
    )


@settings(max_examples=150, deadline=None)
@given(st.lists(response, max_size=40), st.sampled_from(["person", "organisation"]))
def test_reach_agrees_with_pandas(responses, by):
    result = diffusion.share_forward(responses, by=by)
    expected = _reference(responses, by)
    assert [r.key for r in result] == list(expected.index)
    for reach in result:
        row = expected.loc[reach.key]
        assert (reach.respondents, reach.shared) == (row.respondents, row.shared)
        assert reach.audiences.get("team", 0) == row.team
        assert reach.people == (None if pd.isna(row.people) else row.people)
    if by == "organisation":
        diffusion.check_reach(responses, result)
        assert diffusion.total(responses).shared == sum(r.shared for r in result)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 12), max_size=8), st.integers(1, 6))
def test_suppression_is_the_survey_rule(sizes, k):
    below = {i for i, n in enumerate(sizes) if n < k}
    assert diffusion.suppressed(sizes, k) == below | _complement(below, sizes)


def test_checker_catches_a_wrong_count():
    responses = [{"organisation": "A", "answers": {"shared": "yes", "shared_with": "team"}}]
    result = diffusion.share_forward(responses, by="organisation")
    result[0].shared = 2
    try:
        diffusion.check_reach(responses, result)
    except AssertionError:
        return
    raise AssertionError("the checker accepted shared > respondents")


def test_someone_who_did_not_share_adds_no_audience():
    [reach] = diffusion.share_forward(
        [{"person": "p", "answers": {"shared": "no", "shared_with": ["team"]}}]
    )
    assert (reach.shared, reach.audiences) == (0, {})


def test_by_must_be_known():
    try:
        diffusion.share_forward([], by="country")
    except ValueError:
        return
    raise AssertionError("unknown grouping accepted")
