"""Who sees and changes objectives, outcomes, authorisations and risks.

* A person's objectives: the person, the programme's facilitators and the
  facilitators of a cohort the person belongs to. Never evaluators, observers
  or other participants: they see aggregates only, under the k rule.
* A group's objectives and authorisation: its members and the facilitators of
  its cohort or programme (as for what is shared inside the group).
* Organisational outcomes: the programme's facilitators and evaluators, and
  the participants of that organisation.
* Authorisations (the list) and stage risks: facilitators and evaluators read;
  the programme's facilitators change them.
"""

from __future__ import annotations

from peerlearn.people.models import Person
from peerlearn.programmes.models import Group, Membership, Programme
from peerlearn.programmes.permissions import Access, AnyUser, can_see_group_notes


def is_self(user: AnyUser, person: Person | None) -> bool:
    return (
        person is not None
        and user.is_authenticated
        and person.user_id is not None
        and person.user_id == user.pk
    )


def facilitates_person(access: Access, programme: Programme, person: Person) -> bool:
    """Facilitator of the programme or of a cohort the person belongs to."""
    if access.manages_programme:
        return True
    cohort_ids = Membership.objects.filter(programme=programme, person=person).values_list(
        "cohort_id", flat=True
    )
    return any(cid is not None and access.manages_cohort(cid) for cid in cohort_ids)


def reads_objectives_of(
    user: AnyUser, access: Access, programme: Programme, person: Person | None, group: Group | None
) -> bool:
    if group is not None:
        return can_see_group_notes(user, group, access)
    if person is None:
        return False
    return is_self(user, person) or facilitates_person(access, programme, person)


def writes_objectives_of(user: AnyUser, person: Person | None, group: Group | None) -> bool:
    """The holder writes and rates: the person, or a member of the group."""
    if group is not None:
        return user.is_authenticated and group.members.filter(user=user).exists()
    return is_self(user, person)


def reviews_objectives_of(
    access: Access, programme: Programme, person: Person | None, group: Group | None
) -> bool:
    if group is not None:
        return access.manages_cohort(group.cohort_id)
    return person is not None and facilitates_person(access, programme, person)


def reads_organisation_outcomes(access: Access, me: Person | None, organisation_id: int) -> bool:
    return access.reads_everything or (me is not None and me.organisation_id == organisation_id)


def reads_authorisations(access: Access) -> bool:
    return access.manages_any_cohort or "evaluator" in access.programme_roles


def reads_risks(access: Access) -> bool:
    return access.manages_any_cohort or "evaluator" in access.programme_roles


def takes_part(access: Access) -> bool:
    return access.holds("participant")
