"""Reviewers for group products, without conflicts of interest.

Peers review the products of *other* groups. A think-tank network found its
peers acting as "judge and jury" of their own work; here a reviewer is never
a member of the reviewed group, nor from the same organisation as any of its
members (colleagues rate each other kindly, and may have helped). The rule
lives in :func:`conflicts`; :func:`assign_reviewers` proposes reviewers that
respect it, spreading the load; :func:`check_assignment` checks any
assignment (proposed or edited by hand) against the same rule.

Everything here is plain data: conflicts are codes (:data:`MEMBER`,
:data:`SAME_ORGANISATION`) that the page turns into a message.

Examples
--------
>>> ana = Reviewer("ana", organisation_id="finance")
>>> ben = Reviewer("ben", organisation_id="health")
>>> product = Reviewed("report", members=(Reviewer("cai", organisation_id="finance"),))
>>> conflicts(ana, product)
['same_organisation']
>>> assign_reviewers([product], [ana, ben], per_product=1)
{'report': ['ben']}
"""

from __future__ import annotations

import random
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "MEMBER",
    "SAME_ORGANISATION",
    "Reviewed",
    "Reviewer",
    "Violation",
    "assign_reviewers",
    "check_assignment",
    "conflicts",
]

#: The reviewer is a member of the reviewed group.
MEMBER = "member"
#: The reviewer works for the same organisation as a member of the reviewed group.
SAME_ORGANISATION = "same_organisation"


@dataclass(frozen=True)
class Reviewer:
    """A possible reviewer; ``organisation_id`` is ``None`` when unknown."""

    id: Hashable
    organisation_id: Hashable | None = None


@dataclass(frozen=True)
class Reviewed:
    """A product to review, with the members of the group that made it."""

    id: Hashable
    members: tuple[Reviewer, ...] = ()


@dataclass(frozen=True)
class Violation:
    """One reviewer of one product breaking the rule, with the reasons (codes)."""

    product_id: Hashable
    reviewer_id: Hashable
    reasons: tuple[str, ...]


def conflicts(reviewer: Reviewer, product: Reviewed) -> list[str]:
    """Why ``reviewer`` may not review ``product`` (empty: they may).

    An unknown organisation is no conflict on its own: it matches nothing.

    Examples
    --------
    >>> member = Reviewer(1, organisation_id=None)
    >>> conflicts(member, Reviewed("p", members=(member,)))
    ['member']
    >>> conflicts(Reviewer(2), Reviewed("p", members=(member,)))
    []
    """
    reasons: list[str] = []
    if any(m.id == reviewer.id for m in product.members):
        reasons.append(MEMBER)
    organisations = {m.organisation_id for m in product.members if m.organisation_id is not None}
    if reviewer.organisation_id is not None and reviewer.organisation_id in organisations:
        reasons.append(SAME_ORGANISATION)
    return reasons


def assign_reviewers(
    products: Sequence[Reviewed],
    candidates: Sequence[Reviewer],
    *,
    per_product: int = 2,
    existing: Mapping[Hashable, Sequence[Hashable]] | None = None,
    prior_load: Mapping[Hashable, int] | None = None,
    seed: int = 0,
) -> dict[Hashable, list[Hashable]]:
    """Propose up to ``per_product`` reviewers per product, none in conflict.

    Each product gets the eligible candidates with the fewest reviews so far
    (ties broken in a seeded shuffle, so that the same input gives the same
    proposal and no one is always first). Reviewers already assigned
    (``existing``) count towards the product's number and the reviewer's load;
    ``prior_load`` adds reviews a candidate already does elsewhere (other
    products of the programme).
    A product with too few eligible candidates gets fewer reviewers: the
    facilitator sees the gap rather than a broken rule.

    Examples
    --------
    >>> people = [Reviewer(i, organisation_id=i % 2) for i in range(4)]
    >>> out = assign_reviewers([Reviewed("x", members=(people[0],))], people, per_product=3)
    >>> out["x"]
    [1, 3]
    """
    existing = existing or {}
    order = list(candidates)
    random.Random(seed).shuffle(order)
    rank = {c.id: i for i, c in enumerate(order)}
    prior_load = prior_load or {}
    load: dict[Hashable, int] = {c.id: 0 for c in candidates}
    for reviewer_id, count in prior_load.items():
        load[reviewer_id] = load.get(reviewer_id, 0) + count
    for assigned in existing.values():
        for reviewer_id in assigned:
            load[reviewer_id] = load.get(reviewer_id, 0) + 1
    proposal: dict[Hashable, list[Hashable]] = {}
    for product in products:
        chosen = list(existing.get(product.id, ()))
        eligible = [c for c in order if c.id not in chosen and not conflicts(c, product)]
        eligible.sort(key=lambda c: (load[c.id], rank[c.id]))
        for reviewer in eligible[: max(0, per_product - len(chosen))]:
            chosen.append(reviewer.id)
            load[reviewer.id] += 1
        proposal[product.id] = chosen
    return proposal


def check_assignment(
    assignment: Mapping[Hashable, Sequence[Hashable]],
    products: Sequence[Reviewed],
    reviewers: Sequence[Reviewer],
) -> list[Violation]:
    """Every reviewer of ``assignment`` who breaks the rule, and why.

    A reviewer id missing from ``reviewers`` is checked as a person of unknown
    organisation (membership still counts).

    Examples
    --------
    >>> me = Reviewer("me", organisation_id="org")
    >>> check_assignment({"p": ["me"]}, [Reviewed("p", members=(me,))], [me])
    [Violation(product_id='p', reviewer_id='me', reasons=('member', 'same_organisation'))]
    """
    by_product = {p.id: p for p in products}
    by_reviewer = {r.id: r for r in reviewers}
    violations: list[Violation] = []
    for product_id, reviewer_ids in assignment.items():
        product = by_product.get(product_id, Reviewed(product_id))
        for reviewer_id in reviewer_ids:
            reviewer = by_reviewer.get(reviewer_id, Reviewer(reviewer_id))
            reasons = conflicts(reviewer, product)
            if reasons:
                violations.append(Violation(product_id, reviewer_id, tuple(reasons)))
    return violations
