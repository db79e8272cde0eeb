"""Turn a programme's people back into roster rows (the import format)."""

from __future__ import annotations

from collections import defaultdict

from peerlearn.intake.models import Challenge, LearningExpectation
from peerlearn.people.models import Person
from peerlearn.programmes.models import Membership, Programme

_ROLE_ORDER = {"participant": 0, "facilitator": 1, "evaluator": 2, "observer": 3}


def _flag(value: bool) -> str:
    return "true" if value else "false"


def programme_roster_rows(programme: Programme) -> list[dict[str, str]]:
    """One row per person in the programme, with their main role.

    A person with several roles appears once (participant first, then
    facilitator, evaluator, observer); re-importing the file never removes
    the other roles, so export -> import changes nothing.
    """
    main: dict[int, Membership] = {}
    memberships = Membership.objects.filter(programme=programme).select_related("cohort")
    for membership in memberships:
        current = main.get(membership.person_id)
        if current is None or _ROLE_ORDER[membership.role] < _ROLE_ORDER[current.role]:
            main[membership.person_id] = membership
    people = (
        Person.objects.filter(pk__in=main).select_related("organisation").order_by("name", "pk")
    )
    challenges: dict[int, list[Challenge]] = defaultdict(list)
    for challenge in Challenge.objects.filter(programme=programme, person_id__in=main):
        challenges[challenge.person_id].append(challenge)
    expectations: dict[int, list[LearningExpectation]] = defaultdict(list)
    for expectation in LearningExpectation.objects.filter(programme=programme, person_id__in=main):
        expectations[expectation.person_id].append(expectation)
    rows = []
    for person in people:
        membership = main[person.pk]
        organisation = person.organisation
        row = {
            "email": person.email,
            "name": person.name,
            "organisation": organisation.name if organisation else "",
            "organisation_kind": organisation.kind if organisation else "",
            "country": person.country,
            "role_title": person.role_title,
            "seniority": person.seniority,
            "languages": "|".join(person.languages or []),
            "gender": person.gender,
            "external": _flag(person.is_external),
            "alumni": _flag(person.is_alumni),
            "consent_to_contact": _flag(person.consent_to_contact),
            "programme_role": membership.role,
            "cohort": membership.cohort.name if membership.cohort else "",
        }
        for challenge in sorted(challenges[person.pk], key=lambda c: c.position):
            row[f"challenge_{challenge.position}"] = challenge.text
            row[f"challenge_{challenge.position}_tags"] = "|".join(challenge.tags or [])
        for expectation in sorted(expectations[person.pk], key=lambda e: e.position):
            row[f"expectation_{expectation.position}"] = expectation.text
        rows.append(row)
    return rows
