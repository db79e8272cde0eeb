"""Who reads and writes a programme's theory of change (docs/theory-of-change.md).

* Facilitators of the programme edit the working copy, propose and approve
  revisions, tie evidence and override statuses.
* Facilitators of a cohort and evaluators read everything: the approved
  map with its evidence status, the history, old revisions, the map of a date.
* Participants and observers read the approved map only when the programme
  shares it (off by default: a theory of change is a management document);
  never the working copy, the history or the evidence behind the statuses.
"""

from __future__ import annotations

from peerlearn.programmes.permissions import Access
from peerlearn.theory.models import TheoryOfChange


def edits_theory(access: Access) -> bool:
    return access.manages_programme


def reads_theory(access: Access) -> bool:
    return access.manages_any_cohort or "evaluator" in access.programme_roles


def reads_published_map(access: Access, theory: TheoryOfChange) -> bool:
    return reads_theory(access) or (access.any_role and theory.shared_with_participants)
