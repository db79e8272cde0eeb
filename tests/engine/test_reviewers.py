"""Reviewer assignment without conflicts of interest: pure engine, no database."""

from __future__ import annotations

from collections import Counter

from peerlearn.engine.reviewers import (
    MEMBER,
    SAME_ORGANISATION,
    Reviewed,
    Reviewer,
    assign_reviewers,
    check_assignment,
    conflicts,
)

ANA = Reviewer("ana", organisation_id="finance")
BEN = Reviewer("ben", organisation_id="health")
CAI = Reviewer("cai", organisation_id="finance")
DIA = Reviewer("dia", organisation_id=None)
EVA = Reviewer("eva", organisation_id="justice")


def test_a_member_of_the_group_is_in_conflict():
    assert MEMBER in conflicts(ANA, Reviewed("p", members=(ANA, BEN)))


def test_a_colleague_of_any_member_is_in_conflict():
    assert conflicts(CAI, Reviewed("p", members=(BEN, ANA))) == [SAME_ORGANISATION]


def test_unknown_organisations_never_match_each_other():
    assert conflicts(Reviewer("x"), Reviewed("p", members=(DIA,))) == []


def test_assignment_never_proposes_a_conflict():
    products = [
        Reviewed("p1", members=(ANA, BEN)),
        Reviewed("p2", members=(CAI, DIA)),
        Reviewed("p3", members=(EVA,)),
    ]
    people = [ANA, BEN, CAI, DIA, EVA]
    for seed in range(20):
        proposal = assign_reviewers(products, people, per_product=2, seed=seed)
        assert check_assignment(proposal, products, people) == []
        assert proposal["p1"] == [] or set(proposal["p1"]) <= {"dia", "eva"}


def test_load_is_spread_across_reviewers():
    products = [Reviewed(f"p{i}", members=(Reviewer(f"m{i}", i),)) for i in range(6)]
    people = [Reviewer(f"r{i}", organisation_id=100 + i) for i in range(3)]
    proposal = assign_reviewers(products, people, per_product=1)
    load = Counter(r for chosen in proposal.values() for r in chosen)
    assert sorted(load.values()) == [2, 2, 2]


def test_existing_reviewers_count_towards_the_number_and_the_load():
    product = Reviewed("p", members=(ANA,))
    proposal = assign_reviewers([product], [BEN, DIA, EVA], per_product=2, existing={"p": ["ben"]})
    assert proposal["p"][0] == "ben" and len(proposal["p"]) == 2


def test_too_few_eligible_reviewers_leaves_a_gap_rather_than_a_conflict():
    product = Reviewed("p", members=(ANA, BEN))
    assert assign_reviewers([product], [ANA, BEN, CAI], per_product=2) == {"p": []}


def test_checker_reports_each_broken_rule():
    product = Reviewed("p", members=(ANA,))
    violations = check_assignment({"p": ["ana", "cai", "ben"]}, [product], [ANA, BEN, CAI])
    assert [(v.reviewer_id, v.reasons) for v in violations] == [
        ("ana", (MEMBER, SAME_ORGANISATION)),
        ("cai", (SAME_ORGANISATION,)),
    ]


def test_same_seed_same_proposal():
    products = [Reviewed(f"p{i}", members=()) for i in range(5)]
    people = [Reviewer(i) for i in range(7)]
    assert assign_reviewers(products, people, seed=4) == assign_reviewers(products, people, seed=4)


def test_reviews_done_elsewhere_make_a_candidate_less_likely():
    product = Reviewed("p", members=())
    proposal = assign_reviewers([product], [BEN, EVA], per_product=1, prior_load={"ben": 3})
    assert proposal == {"p": ["eva"]}
