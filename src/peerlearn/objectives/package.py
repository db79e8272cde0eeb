"""Learning objectives and organisational outcomes, for the evaluator's data package.

As on the pages (:mod:`peerlearn.objectives.access`): one person's or one
group's objectives are read by their holders and facilitators, never by
evaluators, who get the programme's aggregate under the k rule instead
(``objectives_summary``, the figures of the objectives summary page).  The
programme's facilitators get every objective, holders as pseudonyms.
Organisational outcomes are read by facilitators and evaluators alike.

A cohort package (``COHORT_SCOPED``, see ``programmes/package_scope.py``) holds the
objectives its facilitator reads on the pages: those of the people of its
cohorts and of its groups; the programme's aggregate and organisational
outcomes belong to no cohort and stay out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from peerlearn.core.tabular import Column, Table, pseudonym
from peerlearn.objectives.models import LearningObjective, OrganisationalOutcome
from peerlearn.objectives.views import k_threshold, summary_of
from peerlearn.programmes.package_scope import PackageScope, package_scope

if TYPE_CHECKING:
    from peerlearn.accounts.models import User
    from peerlearn.programmes.models import Programme

#: Its tables narrow to a cohort package's cohorts (programmes/package_scope.py).
COHORT_SCOPED = True


def _in_scope(scope: PackageScope) -> Q:
    """A person's objective of someone of the scope, or a group's of one of its groups."""
    if scope.whole:
        return Q()
    people = scope.people().values("pk")
    return Q(group__isnull=True, person__in=people) | Q(
        group__isnull=False, group__cohort_id__in=sorted(scope.cohorts or ())
    )


def _objectives(scope: PackageScope) -> Table:
    programme = scope.programme
    rows = (
        LearningObjective.objects.filter(programme=programme)
        .filter(_in_scope(scope))
        .order_by("pk")
        .values_list(
            "pk",
            "person_id",
            "group_id",
            "statement",
            "success_sign",
            "start_rating",
            "locked_at",
            "achievement",
            "rated_at",
        )
    )

    def records():
        for pk, person, group, *rest in rows.iterator(2000):
            yield [pk, pseudonym(programme, person) if person else "", group, *rest]

    return Table(
        name="objectives",
        title="Learning objectives",
        description="What each person or group set out to learn, and how they rated it.",
        columns=[
            Column("id", "integer"),
            Column("person", "string", "Pseudonym of the holder (empty for a group's)"),
            Column("group_id", "integer", "groups.id (empty for a person's)"),
            Column("statement", "string"),
            Column("success_sign", "string", "How the holder will know"),
            Column("start_rating", "integer", "1 (new to me) to 5 (I could teach it)"),
            Column("locked_at", "datetime"),
            Column("achievement", "integer", "0 not, 1 partly, 2 mostly, 3 fully achieved"),
            Column("rated_at", "datetime"),
        ],
        rows=records(),
        primary_key=["id"],
        foreign_keys={"group_id": ("groups", "id")},
    )


def _summary(programme: Programme) -> Table:
    summary = summary_of(programme)
    row = [
        k_threshold(),
        summary.suppressed,
        summary.people,
        summary.objectives,
        summary.rated,
        summary.achieved,
    ]
    return Table(
        name="objectives_summary",
        title="Learning objectives (aggregate)",
        description="People's objectives set vs achieved; empty below k people who rated.",
        columns=[
            Column("k", "integer", "Fewest people who rated before figures are shown"),
            Column("suppressed", "boolean"),
            Column("people", "integer", "People with an objective"),
            Column("objectives", "integer"),
            Column("rated", "integer"),
            Column("achieved", "integer", "Rated mostly or fully achieved"),
        ],
        rows=[row],
    )


def _outcomes(programme: Programme) -> Table:
    rows = (
        OrganisationalOutcome.objects.filter(programme=programme)
        .order_by("pk")
        .values_list(
            "pk",
            "organisation_id",
            "kind",
            "level",
            "description",
            "review",
            "review_evidence",
            "reviewed_at",
            "created_at",
        )
    )
    return Table(
        name="organisational_outcomes",
        title="Organisational outcomes",
        description="Changes organisations anticipated, and what happened at the end.",
        columns=[
            Column("id", "integer"),
            Column("organisation_id", "integer", "Organisation (organisations.id)"),
            Column("kind", "string", "practice, policy, skills, structure, relations, ..."),
            Column("level", "string", "team, organisation or beyond"),
            Column("description", "string"),
            Column("review", "string", "open, not_achieved, under_way or achieved"),
            Column("review_evidence", "string"),
            Column("reviewed_at", "datetime"),
            Column("created_at", "datetime"),
        ],
        rows=(list(row) for row in rows.iterator(2000)),
        primary_key=["id"],
    )


def tables(programme: Programme, user: User) -> list[Table]:
    scope = package_scope(programme, user)
    if scope is None:
        return []
    if not scope.whole:
        return [_objectives(scope)]
    out = [_summary(programme)]
    if scope.access.manages_programme:
        out.insert(0, _objectives(scope))
    return [*out, _outcomes(programme)]
