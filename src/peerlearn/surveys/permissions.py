"""Who may do what with instruments, surveys and results.

* Instruments: facilitators of the programme import, install and edit them;
  facilitators of any cohort and evaluators read them.
* Surveys: facilitators of the programme, or of the survey's cohort, schedule
  and manage them; evaluators read their progress (counts only).
* Results and exports: the survey's facilitators and the programme's
  evaluators, always with small breakdowns suppressed.  Names appear only for
  identified instruments; pseudonymous ones show codes; anonymous ones nothing.
* Participants and observers see none of this; they answer through their
  personal link or their "My surveys" page.
"""

from __future__ import annotations

from peerlearn.programmes.permissions import Access
from peerlearn.surveys.models import Survey


def manages_instruments(access: Access) -> bool:
    return access.manages_programme


def reads_instruments(access: Access) -> bool:
    return access.manages_any_cohort or "evaluator" in access.programme_roles


def manages_survey(access: Access, survey: Survey) -> bool:
    if survey.cohort_id is None:
        return access.manages_programme
    return access.manages_cohort(survey.cohort_id)


def reads_survey(access: Access, survey: Survey) -> bool:
    return manages_survey(access, survey) or "evaluator" in access.programme_roles


def sees_identities(access: Access, survey: Survey) -> bool:
    """Names and e-mails next to answers: identified instruments, for their readers."""
    return survey.instrument.anonymity == "identified" and reads_survey(access, survey)
