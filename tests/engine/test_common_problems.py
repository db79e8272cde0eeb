"""Common problems across groups and training demand: pure engine, no database."""

from __future__ import annotations

from peerlearn.engine.common_problems import (
    Excerpt,
    label_from_terms,
    propose_common_problems,
    training_demand,
    without_filler,
)

LAND = [
    Excerpt("a1", "A", "Land ownership records are missing for half the parcels"),
    Excerpt("b1", "B", "We are stuck because land ownership records are out of date"),
    Excerpt("c1", "C", "Bad land ownership records block the new property registry"),
]
OTHER = [
    Excerpt("d1", "D", "Our minister changed and the new one ignores the reform team"),
    Excerpt("e1", "E", "Procurement rules delay every purchase of laptops"),
]


def test_three_groups_with_bad_land_data_share_one_problem():
    problems = propose_common_problems(LAND + OTHER)
    land = [p for p in problems if "A" in p.group_ids]
    assert len(land) == 1
    assert land[0].group_ids == ["A", "B", "C"]
    assert set(land[0].excerpt_ids) == {"a1", "b1", "c1"}


def test_label_is_made_of_the_texts_own_words():
    problem = propose_common_problems(LAND + OTHER)[0]
    words = {w.lower() for e in LAND for w in e.text.replace(",", " ").split()}
    label_words = set(problem.label.replace(",", " ").lower().split())
    assert label_words, "a label"
    assert label_words <= words
    assert "land ownership" in problem.label.lower()


def test_one_group_saying_the_same_thing_twice_is_not_common():
    alone = [
        Excerpt(1, "A", "Land ownership records are missing"),
        Excerpt(2, "A", "Land ownership records are out of date"),
    ]
    assert propose_common_problems(alone) == []


def test_problems_with_more_groups_come_first():
    budget = [
        Excerpt("f1", "F", "The finance ministry cut our budget for the reform"),
        Excerpt("g1", "G", "Finance ministry budget cut stalled the reform"),
    ]
    problems = propose_common_problems(LAND + budget, n_clusters=2)
    assert [len(p.group_ids) for p in problems] == [3, 2]


def test_blank_and_stop_word_texts_are_left_out():
    assert propose_common_problems([Excerpt(1, "A", "  "), Excerpt(2, "B", "the and of")]) == []


def test_same_input_and_seed_give_the_same_problems():
    texts = LAND + OTHER
    assert propose_common_problems(texts, seed=3) == propose_common_problems(texts, seed=3)


def test_unrelated_texts_do_not_join_a_problem():
    problems = propose_common_problems(LAND + OTHER, n_clusters=1)
    ids = {i for p in problems for i in p.excerpt_ids}
    assert "e1" not in ids and "d1" not in ids
    assert {"a1", "b1", "c1"} <= ids


def test_label_takes_three_terms_at_most():
    assert label_from_terms(["a b", "c", "d", "e"]) == "a b, c, d"


def test_training_demand_counts_groups_and_keeps_single_needs():
    needs = [
        Excerpt(1, "A", "Training on public procurement law"),
        Excerpt(2, "B", "Public procurement law training for our lawyers"),
        Excerpt(3, "B", "More public procurement law training please"),
        Excerpt(4, "C", "A course on data visualisation dashboards"),
    ]
    demand = training_demand(needs)
    assert demand[0].group_ids == ["A", "B"]
    assert set(demand[0].excerpt_ids) == {1, 2, 3}
    assert any(d.group_ids == ["C"] for d in demand)


def test_three_texts_about_one_problem_are_not_split():
    """A small cohort: the number of problems is found, not fixed (k-means split this)."""
    texts = [
        Excerpt("a", "A", "Land ownership records are missing for half the parcels"),
        Excerpt("b", "B", "Our land ownership records are out of date"),
        Excerpt("c", "C", "Bad land ownership records block the registry"),
    ]
    assert [p.group_ids for p in propose_common_problems(texts)] == [["A", "B", "C"]]


def test_words_of_being_stuck_never_name_a_problem():
    texts = [
        Excerpt(1, "A", "Still stuck: land ownership records missing"),
        Excerpt(2, "B", "Still stuck: land ownership records outdated"),
        Excerpt(3, "C", "The minister ignores us"),
    ]
    [problem] = propose_common_problems(texts)
    assert problem.group_ids == ["A", "B"]
    assert not any("stuck" in term.lower() for term in problem.key_terms)


def test_without_filler_keeps_the_topic():
    assert without_filler("Todavía bloqueados: catastro") == ": catastro"
