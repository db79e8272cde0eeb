"""Sessions and their attendance counts, for the evaluator's data package.

The sessions are those the reader sees in the programme's calendar
(:func:`peerlearn.delivery.services.visible_sessions`); attendance is given as
counts per session, never who was there.  Online links and places are left
out: they are logistics, not evidence.  A cohort package (``COHORT_SCOPED``,
see ``programmes/package_scope.py``) holds its cohorts' sessions only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Q

from peerlearn.core.tabular import Column, Table
from peerlearn.delivery.services import visible_sessions
from peerlearn.programmes.package_scope import package_scope

if TYPE_CHECKING:
    from peerlearn.accounts.models import User
    from peerlearn.programmes.models import Programme

#: Its tables narrow to a cohort package's cohorts (programmes/package_scope.py).
COHORT_SCOPED = True


def tables(programme: Programme, user: User) -> list[Table]:
    scope = package_scope(programme, user)
    if scope is None:
        return []
    sessions = (
        visible_sessions(user, programme, scope.access)
        .filter(scope.cohort_q())
        .annotate(
            n_groups=Count("groups", distinct=True),
            n_present=Count("attendance", filter=Q(attendance__present=True), distinct=True),
            n_absent=Count("attendance", filter=Q(attendance__present=False), distinct=True),
        )
        .order_by("starts_at", "pk")
        .values_list(
            "pk",
            "cohort_id",
            "title",
            "starts_at",
            "ends_at",
            "time_zone",
            "status",
            "plenary",
            "format__name",
            "n_groups",
            "n_present",
            "n_absent",
        )
    )
    return [
        Table(
            name="sessions",
            title="Sessions",
            description="Sessions held or planned, with how many were marked present or absent.",
            columns=[
                Column("id", "integer"),
                Column("cohort_id", "integer", "cohorts.id"),
                Column("title", "string"),
                Column("starts_at", "datetime"),
                Column("ends_at", "datetime"),
                Column("time_zone", "string", "IANA time zone of the session"),
                Column("status", "string", "scheduled or cancelled"),
                Column("plenary", "boolean", "For the whole cohort (else for some groups)"),
                Column("format", "string", "Meeting format, if one was chosen"),
                Column("groups", "integer", "Number of groups invited (0 for a plenary)"),
                Column("present", "integer", "People marked present"),
                Column("absent", "integer", "People marked absent"),
            ],
            rows=([*row[:8], row[8] or "", *row[9:]] for row in sessions.iterator(2000)),
            primary_key=["id"],
            foreign_keys={"cohort_id": ("cohorts", "id")},
        )
    ]
