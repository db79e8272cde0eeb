"""The results and comparison pages, rendered from real responses in the database."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from peerlearn.people.models import Person
from peerlearn.surveys.models import Invitation, Response, Survey
from tests.surveys.conftest import make_survey

USEFUL = "Today helped me with my own challenge."
STUCK = "Where are you stuck? (optional)"


def respond(
    survey: Survey,
    answers: dict,
    *,
    audience: str = "participant",
    person: Person | None = None,
    pseudonym: str = "",
    language: str = "en",
    when=None,
    published: bool = True,
) -> Response:
    """A stored response; ``published`` ones count at once (batch 0, as for data
    stored before batches existed), others wait for :func:`publication.release`."""
    return Response.objects.create(
        survey=survey,
        answers=answers,
        audience=audience,
        person=person,
        pseudonym=pseudonym,
        language=language,
        submitted_at=when or timezone.now(),
        batch=0 if published else None,
    )


def invite(survey: Survey, count: int, answered: int, *, audience: str = "participant") -> None:
    """``count`` invitations of new people, the first ``answered`` of them submitted."""
    for i in range(count):
        person = Person.objects.create(
            name=f"Invitee {audience} {i}", email=f"invitee-{audience}-{i}@example.org"
        )
        Invitation.objects.create(
            survey=survey,
            person=person,
            audience=audience,
            sent_at=timezone.now(),
            submitted_at=timezone.now() if i < answered else None,
        )


def eleven_pulses(survey: Survey) -> None:
    """11 responses: 8 answer "useful" (5 agree, 3 strongly agree), 6 say what they will try."""
    for i in range(11):
        answers: dict = {"heard": "4", "will_try": "yes" if i < 6 else "no"}
        if i < 8:
            answers["useful"] = "4" if i < 5 else "5"
        if i < 6:
            answers["what_try"] = f"Try idea {i}"
        respond(survey, answers)


def results_url(survey: Survey, query: str = "") -> str:
    return reverse("surveys:results", args=[survey.programme.slug, survey.pk]) + query


def compare_url(world, query: str = "") -> str:
    return reverse("surveys:compare", args=[world.programme.slug]) + query


def test_results_show_response_rate_denominators_and_choices(world, login):
    survey = make_survey(world, "pulse")
    invite(survey, 20, 11)
    eleven_pulses(survey)
    response = login(world.users["facilitator"]).get(results_url(survey))
    assert response.status_code == 200
    body = response.content.decode()
    assert "11 of 20 invited answered" in body
    assert "11 responses" in body
    assert USEFUL in body and "8 of 11 answered" in body
    # 5 of 8 agree = 62.5 % -> 62 (banker's rounding) or 63; 3 of 8 = 38 %
    assert "Agree" in body and "Strongly agree" in body
    assert "38%" in body and 'class="bar pct-38"' in body
    # what_try is only asked of those who will try: 6 of 6
    assert "6 of 6 answered" in body and "Try idea 3" in body
    assert "Anonymous: nothing links answers to a person" in body
    for name, fmt in (("export", "csv"), ("export", "xlsx"), ("codebook", "csv")):
        assert reverse(f"surveys:{name}", args=[world.programme.slug, survey.pk, fmt]) in body
    assert compare_url(world) + f"?a={survey.pk}" in body


def test_response_rate_counts_invited_as_the_survey_page_does(world, login):
    """Invitations not e-mailed yet are not "invited" on either page."""
    survey = make_survey(world, "pulse")
    invite(survey, 4, 1)
    for i in range(3):
        person = Person.objects.create(name=f"Waiting {i}", email=f"waiting-{i}@example.org")
        Invitation.objects.create(survey=survey, person=person)
    client = login(world.users["facilitator"])
    assert "1 of 4 invited answered" in client.get(results_url(survey)).content.decode()
    detail = reverse("surveys:survey", args=[world.programme.slug, survey.pk])
    assert "1 of 4 (25%)" in client.get(detail).content.decode()


def test_fewer_than_k_responses_show_nothing_but_the_explanation(world, login):
    survey = make_survey(world, "pulse")
    for _ in range(4):
        respond(survey, {"useful": "5", "stuck": "A very private worry"})
    body = login(world.users["facilitator"]).get(results_url(survey)).content.decode()
    assert "Fewer than 5 responses so far" in body
    assert "A very private worry" not in body
    assert USEFUL not in body and "Strongly agree" not in body
    respond(survey, {"useful": "5"})
    body = login(world.users["facilitator"]).get(results_url(survey)).content.decode()
    assert "Fewer than 5 responses" not in body and "5 of 5 answered" in body


def test_a_question_with_fewer_than_k_answers_is_hidden_for_facilitators_too(world, login):
    survey = make_survey(world, "pulse")
    for i in range(6):
        respond(survey, {"useful": "4", **({"stuck": f"Private {i}"} if i < 4 else {})})
    for persona in ("facilitator", "evaluator"):
        body = login(world.users[persona]).get(results_url(survey)).content.decode()
        assert STUCK in body and "Fewer than 5 answers: not shown" in body
        assert "Private 0" not in body and "4 of 6 answered" not in body


def test_k_is_the_instruments_minimum(world, login):
    survey = make_survey(world, "pulse")
    survey.instrument.min_respondents = 3
    survey.instrument.save()
    for _ in range(3):
        respond(survey, {"useful": "2"})
    body = login(world.users["facilitator"]).get(results_url(survey)).content.decode()
    assert "3 of 3 answered" in body and "fewer than 3 people" in body


def test_text_answers_are_escaped(world, login):
    survey = make_survey(world, "pulse")
    for _ in range(5):
        respond(survey, {"stuck": "<script>alert(1)</script>", "useful": "3"})
    body = login(world.users["facilitator"]).get(results_url(survey)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert(1)</script>" not in body


def test_labels_follow_the_language_switch(world, login):
    survey = make_survey(world, "pulse")
    eleven_pulses(survey)
    client = login(world.users["facilitator"])
    french = survey.instrument.form.find("useful").label["fr"]
    body = client.get(results_url(survey, "?lang=fr")).content.decode()
    assert escape(french) in body and USEFUL not in body
    assert "Plutôt d&#x27;accord" in body  # choice label "Agree" in French
    assert 'lang="es"' in body and "?lang=es" in body
    # an unknown language falls back to the page language (English)
    body = client.get(results_url(survey, "?lang=xx")).content.decode()
    assert USEFUL in body


def test_many_text_answers_are_capped_on_the_page(world, login):
    survey = make_survey(world, "pulse")
    Response.objects.bulk_create(
        Response(
            survey=survey,
            answers={"stuck": f"Worry {i:03d}"},
            submitted_at=timezone.now(),
            batch=0,
        )
        for i in range(60)
    )
    body = login(world.users["facilitator"]).get(results_url(survey)).content.decode()
    assert "Worry 049" in body and "Worry 050" not in body
    assert "50 of 60 answers shown" in body


def test_breakdown_by_participant_and_control_group(world, login):
    survey = make_survey(world, "peer_contact")
    for i in range(7):
        respond(survey, {"respondent": "participant", "peers": 3 + i % 2})
    for _ in range(6):
        respond(survey, {"respondent": "colleague", "peers": 1}, audience="control")
    body = login(world.users["evaluator"]).get(results_url(survey)).content.decode()
    assert "By respondent group" in body
    assert "Control group" in body and "Participant" in body
    section = body.split('id="breakdown"')[1]
    assert "7 of 7" in section and "6 of 6" in section
    assert "3.43" in section  # mean peers of the participants: 24 / 7


def test_breakdown_hides_a_small_control_group_and_its_complement(world, login):
    survey = make_survey(world, "peer_contact")
    for _ in range(9):
        respond(survey, {"respondent": "participant", "peers": 3})
    for _ in range(3):
        respond(survey, {"respondent": "colleague", "peers": 1}, audience="control")
    body = login(world.users["facilitator"]).get(results_url(survey)).content.decode()
    section = body.split('id="breakdown"')[1]
    assert "fewer than 5" in section and "hidden to protect the other group" in section
    assert "9 of 9" not in section and "no breakdown can be shown" in section
    # the overall results are still there
    assert "12 of 12 answered" in body


def test_no_breakdown_without_a_control_group(world, login):
    survey = make_survey(world, "pulse")
    eleven_pulses(survey)
    body = login(world.users["facilitator"]).get(results_url(survey)).content.decode()
    assert "By respondent group" not in body


def test_compare_two_cohorts_of_the_same_instrument(world, login):
    event = make_survey(world, "pulse", title="Pulse, event")
    module = make_survey(world, "pulse", title="Pulse, module", cohort=world.module)
    for _ in range(6):
        respond(event, {"useful": "4"})
    for i in range(5):
        respond(module, {"useful": "4" if i < 2 else "2"})
    response = login(world.users["facilitator"]).get(
        compare_url(world, f"?a={event.pk}&b={module.pk}")
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Pulse, event" in body and "Pulse, module" in body
    assert "6 of 6" in body and "5 of 5" in body
    assert "-60 points" in body  # "Agree": 100 % -> 40 %
    assert "30 points" not in body


def test_compare_two_time_points_with_one_side_suppressed(world, login):
    now = timezone.now()
    before = make_survey(world, "pulse", title="Pulse, day 1", opens_at=now - timedelta(days=30))
    after = make_survey(world, "pulse", title="Pulse, day 30", opens_at=now - timedelta(hours=2))
    for _ in range(5):
        respond(before, {"useful": "3", "heard": "4"})
    for _ in range(3):
        respond(after, {"useful": "5", "heard": "4"})
    body = (
        login(world.users["evaluator"])
        .get(compare_url(world, f"?a={before.pk}&b={after.pk}"))
        .content.decode()
    )
    assert "Pulse, day 1" in body and "Pulse, day 30" in body
    assert "fewer than 5 responses" in body
    assert "points" not in body.split("<main")[1].split("Each side is shown")[1]


def test_compare_surveys_of_different_instruments_is_a_clear_400(world, login):
    pulse = make_survey(world, "pulse")
    contact = make_survey(world, "peer_contact")
    response = login(world.users["facilitator"]).get(
        compare_url(world, f"?a={pulse.pk}&b={contact.pk}")
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Only surveys of the same instrument can be compared" in body
    assert pulse.instrument.title in body and contact.instrument.title in body


def test_compare_without_parameters_offers_a_picker(world, login):
    pulse = make_survey(world, "pulse", title="Pulse for picking")
    response = login(world.users["facilitator"]).get(compare_url(world))
    assert response.status_code == 200
    body = response.content.decode()
    assert '<select id="compare-a" name="a"' in body and "Pulse for picking" in body
    assert f'value="{pulse.pk}"' in body
    response = login(world.users["facilitator"]).get(compare_url(world, f"?a={pulse.pk}"))
    assert (
        response.status_code == 200 and f'value="{pulse.pk}" selected' in response.content.decode()
    )


def test_compare_with_bad_parameters_is_400_not_500(world, login):
    client = login(world.users["facilitator"])
    for query in ("?a=x&b=1", "?a=1&b=-3", "?a=1&b=99999999999999999999999"):
        response = client.get(compare_url(world, query))
        assert response.status_code in (400, 404), query
    assert client.get(compare_url(world, "?a=x&b=1")).status_code == 400


def test_compare_with_a_survey_of_another_programme_is_404(world, login):
    from peerlearn.surveys.library import install_builtin

    mine = make_survey(world, "pulse")
    theirs = Survey.objects.create(
        instrument=install_builtin(world.other_programme, "pulse"),
        programme=world.other_programme,
        title="Elsewhere",
        opens_at=timezone.now(),
    )
    response = login(world.users["facilitator"]).get(
        compare_url(world, f"?a={mine.pk}&b={theirs.pk}")
    )
    assert response.status_code == 404


def test_results_of_a_survey_of_another_programme_is_404(world, login):
    from peerlearn.surveys.library import install_builtin

    theirs = Survey.objects.create(
        instrument=install_builtin(world.other_programme, "pulse"),
        programme=world.other_programme,
        title="Elsewhere",
        opens_at=timezone.now(),
    )
    url = reverse("surveys:results", args=[world.programme.slug, theirs.pk])
    assert login(world.users["facilitator"]).get(url).status_code == 404


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_results_page_in_a_real_browser(world, live_server, page):
    """Bars are drawn, numbers are text, and a phone never scrolls sideways."""
    from tests.conftest import PASSWORD

    survey = make_survey(world, "peer_contact")
    for i in range(9):
        respond(
            survey,
            {
                "respondent": "participant",
                "peers": 2 + i % 4,
                "gained": ["ideas", "network"] if i % 2 else ["support"],
                "example": "<b>not bold</b> " + "a long answer " * (3 + i),
            },
        )
    for _ in range(6):
        respond(survey, {"respondent": "colleague", "peers": 1}, audience="control")
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", "facilitator@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]:has-text('Sign in')")
    page.wait_for_selector("h1")
    page.goto(live_server.url + results_url(survey))
    assert "15 of 15 answered" in page.inner_text("main")
    widths = page.eval_on_selector_all(
        ".bar", "bars => bars.map(b => b.getBoundingClientRect().width)"
    )
    assert widths and max(widths) > 20
    assert page.locator("text=<b>not bold</b>").count() >= 1  # shown as text, not markup
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1
    folder = os.environ.get("PEERLEARN_SCREENSHOTS")
    if folder:
        width = page.viewport_size["width"]
        page.screenshot(path=f"{folder}/results-{width}.png", full_page=True)
        page.locator("#breakdown").scroll_into_view_if_needed()
        page.screenshot(path=f"{folder}/results-{width}-breakdown.png")
        page.locator("#q-gained").scroll_into_view_if_needed()
        page.screenshot(path=f"{folder}/results-{width}-gained.png")
