"""Who reads a person's intake answers on the people pages, and who is listed at all.

One rule (``intake.permissions.reads_intake_answers``) decides who reads a person's
challenges and learning expectations, on /programmes/<slug>/people/<id>/ as on
/programmes/<slug>/intake/people/<id>/: the person, facilitators of the
programme or of a cohort the person belongs to, and evaluators only when the
programme made its intake answers not private.  Participants and observers
list only people who agreed to be contacted, themselves, their group-mates
and the facilitators.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from peerlearn.intake import services
from peerlearn.intake.models import IntakeSettings
from peerlearn.programmes.models import GroupMember, Membership

CHALLENGE = "Negotiating the land registry budget with Treasury"
EXPECTATION = "Hear how peers kept a minister on side"


@pytest.fixture
def answered(world):
    """The peer (event only, group B, no consent to contact) answers through the private link."""
    invitation = services.invitation_for(world.people["peer"], world.programme)
    services.save_answers(invitation, [CHALLENGE], [EXPECTATION], entered_by=world.people["peer"])
    return world


def _detail(world, key="peer"):
    return reverse("people:detail", args=[world.programme.slug, world.people[key].pk])


def _intake_person(world, key="peer"):
    return reverse("intake:person", args=[world.programme.slug, world.people[key].pk])


def _consent(world, key="peer"):
    person = world.people[key]
    person.consent_to_contact = True
    person.save()


# (persona, status of the peer's detail page, reads the peer's answers there)
DETAIL_WITHOUT_CONSENT = [
    ("facilitator", 200, True),
    ("module_facilitator", 200, False),  # facilitates the module; the peer is in the event
    ("participant", 404, False),  # not a group-mate, did not agree to be contacted
    ("peer", 200, True),  # their own answers
    ("evaluator", 200, False),  # private intake: counts only
    ("observer", 404, False),
    ("outsider", 404, False),
]


@pytest.mark.parametrize(("persona", "status", "reads"), DETAIL_WITHOUT_CONSENT)
def test_detail_without_consent(answered, login, persona, status, reads):
    response = login(answered.users[persona]).get(_detail(answered))
    assert response.status_code == status, persona
    body = response.content.decode()
    assert (CHALLENGE in body) is reads, persona
    assert (EXPECTATION in body) is reads, persona


@pytest.mark.parametrize(
    ("persona", "reads"),
    [
        ("facilitator", True),
        ("module_facilitator", False),
        ("participant", False),
        ("peer", True),
        ("evaluator", False),
        ("observer", False),
    ],
)
def test_detail_of_a_consenting_person_still_hides_answers(answered, login, persona, reads):
    """Agreeing to be contacted lists a person; it never shares their challenges."""
    _consent(answered)
    response = login(answered.users[persona]).get(_detail(answered))
    assert response.status_code == 200, persona
    body = response.content.decode()
    assert "Peer Person" in body
    assert (CHALLENGE in body) is reads, persona
    assert (EXPECTATION in body) is reads, persona


def test_facilitator_of_the_persons_cohort_reads_answers_on_both_pages(answered, login):
    Membership.objects.create(
        person=answered.people["peer"],
        programme=answered.programme,
        cohort=answered.module,
        role="participant",
    )
    client = login(answered.users["module_facilitator"])
    for url in (_detail(answered), _intake_person(answered)):
        response = client.get(url)
        assert response.status_code == 200, url
        assert CHALLENGE in response.content.decode(), url


def test_module_facilitator_of_another_cohort_reads_answers_on_neither_page(answered, login):
    client = login(answered.users["module_facilitator"])
    assert CHALLENGE not in client.get(_detail(answered)).content.decode()
    assert client.get(_intake_person(answered)).status_code == 403


def test_evaluator_reads_answers_on_both_pages_only_when_not_private(answered, login):
    client = login(answered.users["evaluator"])
    assert CHALLENGE not in client.get(_detail(answered)).content.decode()
    assert client.get(_intake_person(answered)).status_code == 403
    IntakeSettings.objects.create(programme=answered.programme, is_private=False)
    assert CHALLENGE in client.get(_detail(answered)).content.decode()
    assert CHALLENGE in client.get(_intake_person(answered)).content.decode()


@pytest.mark.parametrize("persona", ["participant", "observer"])
def test_participants_and_observers_never_read_answers_even_when_not_private(
    answered, login, persona
):
    IntakeSettings.objects.create(programme=answered.programme, is_private=False)
    _consent(answered)
    client = login(answered.users[persona])
    assert CHALLENGE not in client.get(_detail(answered)).content.decode()
    assert client.get(_intake_person(answered)).status_code == 403


# ------------------------------------------------------------------ the people list


def _list_body(world, login, persona):
    response = login(world.users[persona]).get(reverse("people:list", args=[world.programme.slug]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("persona", "sees_peer"),
    [
        ("facilitator", True),
        ("module_facilitator", True),
        ("evaluator", True),
        ("participant", False),
        ("observer", False),
        ("peer", True),
    ],
)
def test_list_hides_people_who_did_not_agree_to_be_contacted(world, login, persona, sees_peer):
    body = _list_body(world, login, persona)
    assert ("Peer Person" in body) is sees_peer, persona
    assert "Facilitator Person" in body, "everyone sees who facilitates"


@pytest.mark.parametrize("persona", ["participant", "observer"])
def test_list_shows_people_who_agreed(world, login, persona):
    _consent(world)
    assert "Peer Person" in _list_body(world, login, persona)


def test_list_shows_group_mates(world, login):
    GroupMember.objects.create(group=world.group_a, person=world.people["peer"])
    assert "Peer Person" in _list_body(world, login, "participant")
    assert "Peer Person" not in _list_body(world, login, "observer")


def test_detail_of_a_group_mate_opens_without_their_answers(answered, login):
    GroupMember.objects.create(group=answered.group_a, person=answered.people["peer"])
    response = login(answered.users["participant"]).get(_detail(answered))
    assert response.status_code == 200
    assert CHALLENGE not in response.content.decode()


def test_list_count_counts_only_who_is_listed(world, login):
    body = _list_body(world, login, "observer")
    # The observer, the facilitator and the module facilitator (who facilitates a module).
    assert "3 people" in body


# ------------------------------------------------------------------ the intake form's promise

#: Who reads the peer's private answers: the peer and the programme's facilitators only.
READS_PRIVATE_ANSWERS = {"facilitator", "peer"}


@pytest.mark.parametrize(
    "persona",
    [
        "facilitator",
        "module_facilitator",
        "participant",
        "peer",
        "evaluator",
        "observer",
        "outsider",
    ],
)
def test_private_answers_reach_only_facilitators_on_every_page(answered, login, persona):
    """'Your answers are read by the programme's facilitators only': on every page that
    could show them (profile, intake answers, intake status), for every persona."""
    _consent(answered)  # listing the peer must not be what hides the answers
    client = login(answered.users[persona])
    pages = [
        _detail(answered),
        _intake_person(answered),
        reverse("intake:status", args=[answered.programme.slug]),
        reverse("people:list", args=[answered.programme.slug]),
    ]
    seen = [url for url in pages if CHALLENGE in client.get(url).content.decode()]
    assert bool(seen) is (persona in READS_PRIVATE_ANSWERS), (persona, seen)


@pytest.mark.parametrize("persona", ["participant", "observer"])
def test_search_does_not_reveal_people_who_are_not_listed(world, login, persona):
    url = reverse("people:list", args=[world.programme.slug])
    body = login(world.users[persona]).get(url, {"q": "Peer"}).content.decode()
    assert "Peer Person" not in body
    assert "0 people" in body
