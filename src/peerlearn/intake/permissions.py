"""Who reads a person's intake answers (challenges and learning expectations).

They are read by the person, the facilitators of the programme or of a
cohort the person belongs to, and evaluators only when the programme made
them not private (:func:`reads_intake_answers`); evaluators of a private
intake get counts, never names (:func:`lists_intake_names`).  Built on the
programme's roles (``programmes/permissions.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from peerlearn.intake.models import IntakeSettings
from peerlearn.programmes.models import Membership, Programme
from peerlearn.programmes.permissions import Access, AnyUser

if TYPE_CHECKING:
    from peerlearn.people.models import Person


def intake_answers_private(programme: Programme) -> bool:
    """Whether the programme keeps intake answers from its evaluators (the default: yes)."""
    found = (
        IntakeSettings.objects.filter(programme=programme)
        .values_list("is_private", flat=True)
        .first()
    )
    return True if found is None else bool(found)


def reads_intake_answers(
    user: AnyUser, access: Access, programme: Programme, person: Person
) -> bool:
    """A person's challenges and learning expectations, typed through the private link.

    The intake form promises the answers go to the facilitators: the person,
    facilitators of the programme or of a cohort the person belongs to, and
    evaluators only when the programme made the answers not private.  Never
    participants, observers or facilitators of other cohorts.
    """
    if user.is_authenticated and person.user_id is not None and person.user_id == user.pk:
        return True
    if access.manages_programme:
        return True
    if "evaluator" in access.programme_roles and not intake_answers_private(programme):
        return True
    cohort_ids = Membership.objects.filter(programme=programme, person=person).values_list(
        "cohort_id", flat=True
    )
    return any(cid is not None and access.manages_cohort(cid) for cid in cohort_ids)


def lists_intake_names(access: Access, programme: Programme) -> bool:
    """Who answered intake, by name: those who read every answer; evaluators of a
    private intake get counts only."""
    return access.manages_programme or (
        "evaluator" in access.programme_roles and not intake_answers_private(programme)
    )
