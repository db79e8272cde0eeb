"""A programme's cohorts, groups and who is in them, for the evaluator's data package.

What peers share inside a group (:class:`~peerlearn.programmes.models.GroupNote`)
is never in a package, whoever builds it: the package is a handover for
evaluation and the notes stay with the group (docs/data-package.md).

A cohort package (``COHORT_SCOPED``, see ``programmes/package_scope.py``) holds its
cohorts, their groups and members and the roles held in them only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from peerlearn.core.tabular import Column, Table, pseudonym
from peerlearn.programmes.models import Cohort, Group, GroupMember, Membership
from peerlearn.programmes.package_scope import PackageScope, package_scope

if TYPE_CHECKING:
    from peerlearn.accounts.models import User
    from peerlearn.programmes.models import Programme

#: Its tables narrow to a cohort package's cohorts (programmes/package_scope.py).
COHORT_SCOPED = True


def _programme(programme: Programme) -> Table:
    return Table(
        name="programme",
        title="Programme",
        columns=[
            Column("slug", "string", "Short name of the programme"),
            Column("name", "string"),
            Column("stage", "string", "Current stage of the process map"),
            Column("start", "date"),
            Column("end", "date"),
        ],
        rows=[[programme.slug, programme.name, programme.stage, programme.start, programme.end]],
        primary_key=["slug"],
    )


def _cohorts(scope: PackageScope) -> Table:
    rows = Cohort.objects.filter(programme=scope.programme).filter(scope.cohort_q("pk"))
    rows = rows.order_by("pk")
    return Table(
        name="cohorts",
        title="Cohorts and modules",
        columns=[
            Column("id", "integer"),
            Column("name", "string"),
            Column("kind", "string", "event, in_country or module"),
            Column("start", "date"),
            Column("end", "date"),
            Column("place", "string"),
            Column("online", "boolean"),
        ],
        rows=([c.pk, c.name, c.kind, c.start, c.end, c.place, c.online] for c in rows.iterator()),
        primary_key=["id"],
    )


def _groups(scope: PackageScope) -> Table:
    rows = (
        Group.objects.filter(cohort__programme=scope.programme)
        .filter(scope.cohort_q())
        .order_by("pk")
        .values_list("pk", "cohort_id", "name", "kind", "source_run_id", "archived_at")
    )
    return Table(
        name="groups",
        title="Groups",
        description="Groups and teams, and the pairs of published pairs runs; archived ones "
        "are earlier groupings.",
        columns=[
            Column("id", "integer"),
            Column("cohort_id", "integer", "cohorts.id"),
            Column("name", "string"),
            Column("kind", "string", "group, or pair (a pair or trio of a published pairs run)"),
            Column("matching_run_id", "integer", "The matching run that published it, if any"),
            Column("archived_at", "datetime", "When a later round replaced it"),
        ],
        rows=(list(row) for row in rows.iterator(2000)),
        primary_key=["id"],
        foreign_keys={"cohort_id": ("cohorts", "id")},
    )


def _memberships(scope: PackageScope) -> Table:
    programme = scope.programme
    rows = (
        Membership.objects.filter(programme=programme)
        .filter(scope.cohort_q())
        .order_by("pk")
        .values_list("person_id", "cohort_id", "role")
    )
    return Table(
        name="memberships",
        title="Roles in the programme",
        description="One row per role; an empty cohort means the whole programme.",
        columns=[
            Column("person", "string", "people.person"),
            Column("cohort_id", "integer", "cohorts.id, empty for the whole programme"),
            Column("role", "string", "participant, facilitator, evaluator or observer"),
        ],
        rows=(
            [pseudonym(programme, person), cohort, role]
            for person, cohort, role in rows.iterator(2000)
        ),
        foreign_keys={"person": ("people", "person"), "cohort_id": ("cohorts", "id")},
    )


def _group_members(scope: PackageScope) -> Table:
    programme = scope.programme
    rows = (
        GroupMember.objects.filter(group__cohort__programme=programme)
        .filter(scope.cohort_q("group__cohort"))
        .order_by("group_id", "pk")
        .values_list("group_id", "person_id", "joined_at")
    )
    return Table(
        name="group_members",
        title="Group members",
        columns=[
            Column("group_id", "integer", "groups.id"),
            Column("person", "string", "Pseudonym (people.person)"),
            Column("joined_at", "datetime"),
        ],
        rows=(
            [group, pseudonym(programme, person), joined]
            for group, person, joined in rows.iterator(2000)
        ),
        primary_key=["group_id", "person"],
        foreign_keys={"group_id": ("groups", "id")},
    )


def tables(programme: Programme, user: User) -> list[Table]:
    scope = package_scope(programme, user)
    if scope is None:
        return []
    return [
        _programme(programme),
        _cohorts(scope),
        _groups(scope),
        _memberships(scope),
        _group_members(scope),
    ]
