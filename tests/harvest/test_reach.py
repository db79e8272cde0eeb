"""Share-forward reach from real follow-up responses (built-in followup_3m), k-suppressed."""

from __future__ import annotations

from django.urls import reverse

from peerlearn.harvest.models import OutcomeStory
from peerlearn.harvest.reach import programme_reach
from peerlearn.people.models import Organisation, Person
from peerlearn.programmes.models import Membership
from peerlearn.programmes.permissions import access_for
from peerlearn.surveys.models import Response
from tests.surveys.conftest import make_survey


def _access(world, persona="facilitator"):
    return access_for(world.users[persona], world.programme)


SHARED = {
    "in_contact": "no",
    "shared": "yes",
    "shared_with": ["team", "manager"],
    "shared_what": "x",
}


def _people(world, organisation: str, n: int) -> list[Person]:
    org, _ = Organisation.objects.get_or_create(name=organisation, defaults={"country": "GH"})
    out = []
    for i in range(n):
        person = Person.objects.create(
            name=f"{organisation} official {i}",
            email=f"{organisation[:3]}{i}@example.org".lower(),
            organisation=org,
        )
        Membership.objects.create(
            person=person, programme=world.programme, cohort=world.event, role="participant"
        )
        out.append(person)
    return out


def _followup(world, k: int = 3, anonymity: str = "identified"):
    survey = make_survey(world, "followup_3m", anonymity=anonymity)
    survey.instrument.min_respondents = k
    survey.instrument.save(update_fields=["min_respondents"])
    return survey


def _answer(survey, person, answers, pseudonym=""):
    return Response.objects.create(
        survey=survey, person=person, pseudonym=pseudonym, answers=answers, batch=1
    )


def test_reach_below_k_shows_nothing(world, login):
    survey = _followup(world, k=3)
    for person in _people(world, "Treasury", 2):
        _answer(survey, person, SHARED)
    result = programme_reach(world.programme, _access(world))
    assert (result.respondents, result.shown) == (2, False)
    assert result.organisations == [] and result.participants == [] and result.candidates == []
    page = login(world.users["evaluator"]).get(
        reverse("harvest:reach", args=[world.programme.slug])
    )
    text = page.content.decode()
    assert 'id="reach-suppressed"' in text and "Treasury" not in text
    assert 'id="reach-total"' not in text


def test_small_organisations_are_suppressed_with_a_complement(world, login):
    survey = _followup(world, k=3)
    for person in _people(world, "Treasury", 4):
        _answer(survey, person, {**SHARED, "shared_with": ["team"]})
    for person in _people(world, "Statistics", 3):
        _answer(survey, person, {"in_contact": "no", "shared": "no"})
    for person in _people(world, "Audit", 1):
        _answer(survey, person, SHARED)
    result = programme_reach(world.programme, _access(world))
    shown = {reach.key: hidden for reach, hidden in result.organisations}
    assert shown == {"Audit": True, "Statistics": True, "Treasury": False}
    treasury = next(r for r, _h in result.organisations if r.key == "Treasury")
    assert (treasury.respondents, treasury.shared, treasury.audiences) == (4, 4, {"team": 4})
    assert (result.total.respondents, result.total.shared) == (8, 5)
    assert result.total.audiences == {"manager": 1, "team": 5}
    page = login(world.users["facilitator"]).get(
        reverse("harvest:reach", args=[world.programme.slug])
    )
    text = page.content.decode()
    assert "My team: 4" in text and "too few respondents to show" in text
    assert "Audit official 0" in text  # identified: facilitators read who answered
    unpublished = Response.objects.filter(survey=survey).first()
    Response.objects.filter(pk=unpublished.pk).update(audience="control")
    assert (
        programme_reach(world.programme, _access(world)).respondents == 7
    )  # control group left out


def test_pseudonymous_follow_up_shows_codes_and_no_organisations(world):
    survey = _followup(world, k=2, anonymity="pseudonymous")
    for i, _person in enumerate(_people(world, "Treasury", 3)):
        _answer(survey, None, SHARED, pseudonym=f"code{i}")
    result = programme_reach(world.programme, _access(world))
    assert result.organisations == []
    assert [name for name, _r in result.participants] == ["code0", "code1", "code2"]


def test_candidate_turns_into_a_prefilled_story(world, login):
    survey = _followup(world, k=2)
    people = _people(world, "Treasury", 2)
    _answer(survey, people[0], SHARED)
    task = {
        **SHARED,
        "in_contact": "yes",
        "joint_task": "yes",
        "joint_task_what": "We wrote a joint cash-management circular with Ghana",
    }
    response = _answer(survey, people[1], task)
    client = login(world.users["facilitator"])
    page = client.get(reverse("harvest:reach", args=[world.programme.slug])).content.decode()
    assert "joint cash-management circular" in page and "Turn into a story" in page
    key = f"r{response.pk}:joint_task_what"
    form = client.get(reverse("harvest:new", args=[world.programme.slug]), {"candidate": key})
    prefilled = form.context["form"].initial
    assert prefilled["kind"] == "action" and prefilled["change_agents"] == [people[1].pk]
    assert prefilled["social_actor"] == "Treasury"
    saved = client.post(
        reverse("harvest:new", args=[world.programme.slug]),
        {
            **{k: v for k, v in prefilled.items() if k != "actor_organisation"},
            "source_key": key,
            "intended": "True",
            "positive": "True",
            "visibility": "private",
        },
    )
    assert saved.status_code == 302
    assert OutcomeStory.objects.get().source_key == key
    page = client.get(reverse("harvest:reach", args=[world.programme.slug])).content.decode()
    assert "already a story" in page
    evaluator = login(world.users["evaluator"]).get(
        reverse("harvest:reach", args=[world.programme.slug])
    )
    assert "Turn into a story" not in evaluator.content.decode()


def test_unknown_candidate_prefills_nothing(world):
    from peerlearn.harvest.reach import candidate_initial

    assert candidate_initial(world.programme, "r999:what_changed", _access(world)) == {}
    assert candidate_initial(world.programme, "nonsense", _access(world)) == {}


def test_a_module_facilitator_reads_only_their_modules_follow_ups(world, login):
    survey = _followup(world, k=1)
    _answer(survey, _people(world, "Treasury", 1)[0], SHARED)
    module = _access(world, "module_facilitator")
    assert programme_reach(world.programme, module).surveys == []
    assert programme_reach(world.programme, _access(world)).respondents == 1
    page = login(world.users["module_facilitator"]).get(
        reverse("harvest:reach", args=[world.programme.slug])
    )
    assert "Treasury" not in page.content.decode()


def test_the_built_in_follow_ups_ask_what_share_forward_reach_reads():
    """The engine reads the follow-up's questions by name: renaming one breaks reach."""
    from peerlearn.engine import diffusion
    from peerlearn.surveys.instruments import path
    from peerlearn.surveys.xlsform import read_xlsform

    for name in ("followup_3m", "followup_6m"):
        form = read_xlsform(path(name))
        questions = {q.name: q for q in form.questions()}
        assert set(diffusion.FIELDS.values()) <= set(questions), name
        assert "what_changed" in questions
        shared_form = questions[diffusion.FIELDS["form"]]
        offered = [c.name for c in form.choice_lists[shared_form.list_name].choices]
        assert offered == list(diffusion.FORMS)


def test_reach_counts_forms_and_people_reached_from_the_follow_up(world):
    survey = _followup(world, k=3)
    for i, person in enumerate(_people(world, "Treasury", 3)):
        _answer(
            survey,
            person,
            {
                **SHARED,
                "shared_form": ["report_back", "document"][: 1 + i % 2],
                "shared_how_many": 10,
            },
        )
    result = programme_reach(world.programme, _access(world))
    assert result.shown
    assert result.total.forms == {"report_back": 3, "document": 1}
    assert result.total.people == 30
