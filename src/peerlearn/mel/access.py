"""Who sees and records learning exchanges (the decision is written in docs/mel.md).

* An exchange is seen by its two people, the programme's facilitators, the
  facilitators of a cohort either person belongs to, and evaluators.
* An exchange recorded inside a group's check-in (``source="checkin"``) is
  private group material: its two people and the facilitators of the
  programme or of the group's cohort; never evaluators.
* Other participants and observers never see someone else's exchanges, nor
  the ledger pages built from them; they see their own ledger and pairs.
* Participants record what *they* learned; facilitators record for anyone
  in a cohort they manage.  The side that did not record confirms.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from peerlearn.mel.models import Exchange
from peerlearn.people.models import Person
from peerlearn.programmes.models import Membership, Programme
from peerlearn.programmes.permissions import Access


def managed_cohort_ids(programme: Programme, access: Access) -> list[int]:
    return [c.pk for c in programme.cohorts.all() if access.manages_cohort(c.pk)]


def reads_ledgers(access: Access) -> bool:
    """Programme, group and organisation ledgers: facilitators (any cohort) and evaluators."""
    return access.manages_any_cohort or "evaluator" in access.programme_roles


def records_exchanges(access: Access) -> bool:
    return access.holds("participant") or access.manages_any_cohort


def programme_people(programme: Programme) -> QuerySet[Person]:
    return Person.objects.filter(memberships__programme=programme).distinct()


def people_of_cohorts(programme: Programme, cohort_ids: list[int]) -> QuerySet[Person]:
    return Person.objects.filter(
        pk__in=Membership.objects.filter(programme=programme, cohort_id__in=cohort_ids).values(
            "person_id"
        )
    )


def visible_exchanges(
    access: Access, programme: Programme, me: Person | None
) -> QuerySet[Exchange]:
    """The exchanges of ``programme`` this viewer may read, one by one."""
    exchanges = Exchange.objects.filter(programme=programme)
    if access.manages_programme:
        return exchanges
    rule = Q(pk__in=[])
    if me is not None:
        rule |= Q(giver=me) | Q(receiver=me)
    managed = managed_cohort_ids(programme, access)
    if managed:
        people = Membership.objects.filter(programme=programme, cohort_id__in=managed).values(
            "person_id"
        )
        involves = Q(giver__in=people) | Q(receiver__in=people)
        rule |= involves & (~Q(source="checkin") | Q(group__cohort_id__in=managed))
    if "evaluator" in access.programme_roles:
        rule |= ~Q(source="checkin")
    return exchanges.filter(rule)


def reads_person_ledger(
    access: Access, programme: Programme, me: Person | None, person: Person
) -> bool:
    """The person themselves, facilitators of the programme or their cohort, evaluators."""
    if me is not None and me.pk == person.pk:
        return True
    if access.manages_programme or "evaluator" in access.programme_roles:
        return True
    cohorts = Membership.objects.filter(programme=programme, person=person).values_list(
        "cohort_id", flat=True
    )
    return any(c is not None and access.manages_cohort(c) for c in cohorts)
