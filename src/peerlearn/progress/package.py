"""Check-ins and products, for the evaluator's data package.

As on the pages (:mod:`peerlearn.progress.permissions`): the programme's
facilitators read every group's check-ins and products, evaluators only when
the programme switched that on (:class:`~peerlearn.progress.models.ProgressSettings`);
otherwise the tables are left out entirely.  Product files stay on the site:
the table says how many versions each product has.  A facilitator of some
cohorts reads their groups' progress on the pages, so a cohort package
(``COHORT_SCOPED``, see ``programmes/package_scope.py``) holds those groups' check-ins
and products only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count

from peerlearn.core.tabular import Column, Table, pseudonym
from peerlearn.programmes.package_scope import PackageScope, package_scope
from peerlearn.progress.models import CHECKIN_FIELDS, CheckIn, Product
from peerlearn.progress.permissions import evaluator_reads

if TYPE_CHECKING:
    from peerlearn.accounts.models import User
    from peerlearn.programmes.models import Programme

#: Its tables narrow to a cohort package's cohorts (programmes/package_scope.py).
COHORT_SCOPED = True


def _check_ins(scope: PackageScope) -> Table:
    programme = scope.programme
    rows = (
        CheckIn.objects.filter(group__cohort__programme=programme)
        .filter(scope.cohort_q("group__cohort"))
        .order_by("round__due_date", "group_id", "pk")
        .values_list(
            "pk",
            "round__cohort_id",
            "round__title",
            "round__due_date",
            "group_id",
            "author_id",
            "version",
            "updated_at",
            *CHECKIN_FIELDS,
        )
    )

    def records():
        for row in rows.iterator(2000):
            author = row[5]
            yield [*row[:5], pseudonym(programme, author) if author else "", *row[6:]]

    text = [Column(name, "string") for name in CHECKIN_FIELDS if name != "progress"]
    return Table(
        name="check_ins",
        title="Check-ins",
        description="What each group reported in each round (the latest version).",
        columns=[
            Column("id", "integer"),
            Column("cohort_id", "integer", "cohorts.id"),
            Column("round", "string", "Title of the check-in round"),
            Column("due_date", "date"),
            Column("group_id", "integer", "groups.id"),
            Column("author", "string", "Pseudonym of the last author"),
            Column("version", "integer"),
            Column("updated_at", "datetime"),
            *text,
            Column("progress", "integer", "Self-rated progress, 1 (not started) to 5 (done)"),
        ],
        rows=records(),
        primary_key=["id"],
        foreign_keys={"group_id": ("groups", "id"), "cohort_id": ("cohorts", "id")},
    )


def _products(scope: PackageScope) -> Table:
    rows = (
        Product.objects.filter(group__cohort__programme=scope.programme)
        .filter(scope.cohort_q("group__cohort"))
        .annotate(n_versions=Count("versions"))
        .order_by("pk")
        .values_list(
            "pk",
            "group_id",
            "title",
            "kind",
            "state",
            "due_date",
            "state_changed_at",
            "created_at",
            "n_versions",
        )
    )
    return Table(
        name="products",
        title="Products",
        description="What groups produced: reports, policy briefs, action plans...",
        columns=[
            Column("id", "integer"),
            Column("group_id", "integer", "groups.id"),
            Column("title", "string"),
            Column("kind", "string"),
            Column(
                "state", "string", "draft, submitted, in review, to revise, accepted, published"
            ),
            Column("due_date", "date"),
            Column("state_changed_at", "datetime"),
            Column("created_at", "datetime"),
            Column("versions", "integer", "How many versions were uploaded"),
        ],
        rows=(list(row) for row in rows.iterator(2000)),
        primary_key=["id"],
        foreign_keys={"group_id": ("groups", "id")},
    )


def tables(programme: Programme, user: User) -> list[Table]:
    scope = package_scope(programme, user)
    if scope is None:
        return []
    access = scope.access
    if scope.whole and not (access.manages_programme or evaluator_reads(access, programme)):
        return []
    return [_check_ins(scope), _products(scope)]
