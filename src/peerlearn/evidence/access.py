"""Who receives a programme's tables: the evaluator's handover package and the dashboard.

Decision: a data package is built for the programme's facilitators and its
evaluators (:attr:`Access.reads_everything`), never for participants,
observers or facilitators of one cohort only (they use the pages of their
cohort).  Every app's ``package.py`` applies this first and then its own page
rules, so a table never holds more than its reader could open on a page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings

from peerlearn.programmes.permissions import Access, AnyUser, access_for

if TYPE_CHECKING:
    from peerlearn.programmes.models import Programme


def builds_package(access: Access) -> bool:
    return access.reads_everything


def package_reader(programme: Programme, user: AnyUser) -> Access | None:
    """The reader's access when they may receive the programme's tables, else ``None``."""
    access = access_for(user, programme)
    return access if builds_package(access) else None


def k_threshold() -> int:
    """The site's k: aggregates of fewer people are suppressed."""
    return max(1, int(getattr(settings, "PEERLEARN_MIN_RESPONDENTS", 5)))
