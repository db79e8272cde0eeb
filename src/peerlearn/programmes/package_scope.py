"""Who receives a programme's tables: the evaluator's handover package and the dashboard.

Decisions
---------
* **Whole programme**: the programme's facilitators and its evaluators
  (:attr:`Access.reads_everything`) get the tables of the whole programme,
  and they alone open the dashboard and the funder report
  (:func:`builds_package`).
* **Cohort package**: a facilitator of some cohorts only gets a package (and
  feeds) scoped to the cohorts they facilitate (:func:`package_scope`): those
  cohorts' people, groups, memberships, matching runs, surveys, sessions,
  check-ins, products, objectives and exchanges, nothing of any other
  cohort and nothing programme-wide that belongs to no cohort (programme
  surveys, organisational outcomes, the objectives summary, outcome stories,
  the theory of change, experiments).  They read all of that on their
  cohort's pages already; the package hands over no more.
* **Safe by default**: an app's ``package.py`` joins cohort packages only by
  declaring ``COHORT_SCOPED = True``, which says its ``tables`` (and
  ``files``) narrow what they return to :attr:`PackageScope.cohorts`.  An
  app that does not say so is left out of every cohort package
  (:func:`peerlearn.evidence.datapackage.reader_tables`).
* Participants and observers never get a package; they use the pages.

Every app's ``package.py`` applies this first and then its own page rules, so
a table never holds more than its reader could open on a page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Q, QuerySet

from peerlearn.programmes.permissions import Access, AnyUser, access_for

if TYPE_CHECKING:
    from peerlearn.people.models import Person
    from peerlearn.programmes.models import Programme


def builds_package(access: Access) -> bool:
    """A package of the whole programme (and the dashboard, the report)."""
    return access.reads_everything


def asks_for_package(access: Access) -> bool:
    """A package of some scope: the whole programme's readers, or a cohort's facilitator."""
    return builds_package(access) or bool(facilitated_cohorts(access))


def facilitated_cohorts(access: Access) -> frozenset[int]:
    return frozenset(c for c, roles in access.cohort_roles.items() if "facilitator" in roles)


@dataclass(frozen=True)
class PackageScope:
    """Whose package, and how much of the programme it holds.

    ``cohorts`` is ``None`` for the whole programme, else the ids of the
    cohorts the reader facilitates (never empty).
    """

    programme: Programme
    access: Access
    cohorts: frozenset[int] | None

    @property
    def whole(self) -> bool:
        return self.cohorts is None

    def holds_cohort(self, cohort_id: int | None) -> bool:
        """Whether a record of ``cohort_id`` (``None``: of no cohort) is in scope."""
        return self.cohorts is None or (cohort_id is not None and cohort_id in self.cohorts)

    def cohort_q(self, path: str = "cohort") -> Q:
        """Rows whose ``path`` (a cohort foreign key) is in scope; everything when whole."""
        if self.cohorts is None:
            return Q()
        return Q(**{f"{path}__in": sorted(self.cohorts)})

    def people(self) -> QuerySet[Person]:
        """Everyone with a role in the scope: the programme, or one of its cohorts."""
        from peerlearn.people.models import Person
        from peerlearn.programmes.models import Membership

        roles = Membership.objects.filter(programme=self.programme).filter(self.cohort_q())
        return Person.objects.filter(pk__in=roles.values("person_id")).order_by("pk")


def scope_of(programme: Programme, access: Access) -> PackageScope | None:
    if builds_package(access):
        return PackageScope(programme, access, None)
    cohorts = facilitated_cohorts(access)
    if cohorts:
        return PackageScope(programme, access, cohorts)
    return None


def package_scope(programme: Programme, user: AnyUser) -> PackageScope | None:
    """The reader's scope when they may receive some of the programme's tables, else ``None``."""
    return scope_of(programme, access_for(user, programme))


def package_reader(programme: Programme, user: AnyUser) -> Access | None:
    """The reader's access when they may receive the *whole* programme's tables, else ``None``.

    An app that uses this (instead of :func:`package_scope`) gives nothing
    to a cohort's facilitator.
    """
    access = access_for(user, programme)
    return access if builds_package(access) else None


def k_threshold() -> int:
    """The site's k: aggregates of fewer people are suppressed."""
    return max(1, int(getattr(settings, "PEERLEARN_MIN_RESPONDENTS", 5)))
