"""Fixtures for experiments: the peer-contact survey of seed 001 experiment 4.

Eleven review participants (a cohort of the programme) and eleven control-group
officials (added through the survey's control-group page) answer the built-in
peer-contact instrument through the real submission path.
"""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from peerlearn.people.models import Organisation, Person
from peerlearn.programmes.models import Cohort, Membership
from peerlearn.surveys import answering, sending
from peerlearn.surveys.library import install_builtin
from peerlearn.surveys.models import Invitation, Survey

#: Seed 001, experiment 4: (participants yes, control yes) out of 11 each.
PUBLISHED_TABLE = {
    "lasting": (8, 9),  # contact with a peer lasting three months or more
    "same_organisation": (2, 5),  # peers in the same organisation
    "monthly_or_less": (7, 4),  # contact monthly or less often
    "shared_task": (1, 6),  # worked together on a shared task
}
ARM_SIZE = 11


def answers(respondent: str, i: int) -> dict[str, str | list[str]]:
    """The ``i``-th respondent's answers: the first ``yes`` of each row say yes."""
    side = 0 if respondent == "participant" else 1
    yes = {key: i < counts[side] for key, counts in PUBLISHED_TABLE.items()}
    data: dict[str, str | list[str]] = {
        "respondent": respondent,
        "peers": "3",
        "lasting": "2" if yes["lasting"] else "0",
        "same_organisation": "yes" if yes["same_organisation"] else "no",
        # rotate through the "monthly or less" codes, so all three are counted
        "frequency": ("monthly", "quarterly", "once")[i % 3]
        if yes["monthly_or_less"]
        else "weekly",
        "shared_task": "yes" if yes["shared_task"] else "no",
        "gained": ["ideas", "network"],
    }
    if yes["shared_task"]:
        data["shared_task_what"] = "A joint procurement checklist"
    if respondent == "participant":
        data["met_in_programme"] = "yes"
    return data


def peer_contact_survey(world, client_as_facilitator, *, k: int = ARM_SIZE) -> Survey:
    """The survey with 11 participant and 11 control answers, all published."""
    org = Organisation.objects.create(name="Office of the Auditor", country="PE", kind="agency")
    cohort = Cohort.objects.create(programme=world.programme, name="Governance review")
    for i in range(ARM_SIZE):
        person = Person.objects.create(
            name=f"Reviewed {i}", email=f"r{i}@example.org", organisation=org
        )
        Membership.objects.create(
            person=person, programme=world.programme, cohort=cohort, role="participant"
        )
    instrument = install_builtin(world.programme, "peer_contact")
    # k = 11: with batches of k, every one of the 11 answers per group is published
    instrument.min_respondents = k
    instrument.save(update_fields=["min_respondents"])
    survey = Survey.objects.create(
        instrument=instrument,
        programme=world.programme,
        cohort=cohort,
        title="Peer contact after the review",
        opens_at=timezone.now() - timedelta(hours=1),
    )
    sending.ensure_invitations(survey)
    addresses = "\n".join(f"c{i}@example.org" for i in range(ARM_SIZE))
    response = client_as_facilitator.post(
        reverse("surveys:survey_control", args=[world.programme.slug, survey.pk]),
        {"addresses": addresses},
    )
    assert response.status_code == 302
    for respondent, audience in (("participant", "participant"), ("colleague", "control")):
        invitations = Invitation.objects.filter(survey=survey, audience=audience).order_by("pk")
        assert invitations.count() == ARM_SIZE
        for i, invitation in enumerate(invitations):
            result = answering.submit(invitation, answers(respondent, i), "en")
            assert result.ok, result.checked.errors
    return survey
