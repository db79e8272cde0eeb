"""A participant answers the built-in pulse through the personal link in a real
browser (desktop and a 390 px phone): autosave, resume, relevance, submit once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from peerlearn.surveys.models import Invitation, Response
from tests.surveys.conftest import make_survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def personal_link(world, live_server, **survey_fields) -> tuple[Invitation, str]:
    survey = make_survey(world, "pulse", **survey_fields)
    invitation = Invitation.objects.create(survey=survey, person=world.people["participant"])
    path = reverse("surveys:answer", args=[survey.pk, invitation.issue_link()])
    return invitation, live_server.url + path


def test_participant_answers_the_pulse_through_the_link(world, live_server, page):
    invitation, url = personal_link(world, live_server)
    page.goto(url)
    assert "Session pulse" in page.locator("h1").inner_text()
    assert fits_the_screen(page)

    # Big tap targets: every choice is at least 44 px each way, on a phone too.
    for box in (c.bounding_box() for c in page.locator("label.choice").all()):
        assert box is not None and box["height"] >= 44 and box["width"] >= 44
        assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"]

    # One tap, and the answer is saved without pressing anything.
    page.click("label[for=in-useful-4]")
    page.wait_for_selector("#save-status:has-text('Saved at')")
    invitation.refresh_from_db()
    # the "who did you learn from" repeat starts with one empty instance
    assert invitation.draft == {"useful": "4", "learned": [{}]}
    assert invitation.started_at is not None

    # Reloading (or coming back tomorrow) shows the saved answer.
    page.reload()
    assert page.is_checked("#in-useful-4")
    assert not page.is_checked("#in-useful-5")

    page.click("label[for=in-heard-5]")
    page.click("label[for=in-will_try-2]")  # "No"
    page.fill("#in-stuck", "Getting the minister's time")
    page.wait_for_selector("#save-status:has-text('Saved at')")

    # A second tab opened before submitting (to try to submit twice).
    second = page.context.new_page()
    second.goto(url)
    assert second.is_checked("#in-heard-5") or second.is_checked("#in-useful-4")

    page.click("#submit-answers")
    page.wait_for_selector("[data-submitted=yes]")
    shown = page.locator("[data-submitted=yes]").inner_text()
    assert "Agree" in shown and "Getting the minister's time" in shown
    assert fits_the_screen(page)

    # Back button: the form is not shown again.
    page.go_back()
    page.wait_for_selector("[data-already=yes]")
    assert "already answered" in page.locator("main").inner_text()
    assert page.locator("#answer-form").count() == 0

    # Submitting from the tab opened earlier: refused, still one response.
    second.click("#submit-answers")
    second.wait_for_selector("[data-already=yes]")
    assert Response.objects.filter(survey=invitation.survey).count() == 1
    response = Response.objects.get()
    assert response.answers == {
        "useful": "4",
        "heard": "5",
        "will_try": "no",
        "stuck": "Getting the minister's time",
    }
    assert response.person is None and response.pseudonym == ""  # the pulse is anonymous
    invitation.refresh_from_db()
    assert invitation.draft == {}, "anonymous: the draft is erased once submitted"
    second.close()


def test_a_question_appears_only_after_the_answer_it_depends_on(world, live_server, page):
    _, url = personal_link(world, live_server)
    page.goto(url)
    follow_up = page.locator("#q-what_try")
    assert follow_up.is_hidden()

    page.click("label[for=in-will_try-1]")  # "Yes": now "What will you try?"
    follow_up.wait_for(state="visible")
    page.fill("#in-what_try", "A weekly stand-up")
    assert fits_the_screen(page)

    page.click("label[for=in-will_try-2]")  # "No": hidden again
    follow_up.wait_for(state="hidden")

    # An irrelevant answer is not kept when the survey is submitted.
    page.click("label[for=in-useful-3]")
    page.click("label[for=in-heard-3]")
    page.click("#submit-answers")
    page.wait_for_selector("[data-submitted=yes]")
    assert "what_try" not in Response.objects.get().answers


def test_missing_answers_are_shown_next_to_their_questions(world, live_server, page):
    _, url = personal_link(world, live_server)
    page.goto(url)
    page.click("label[for=in-useful-2]")
    page.click("#submit-answers")
    page.wait_for_selector("#error-summary")
    assert page.locator("#err-heard").is_visible()
    assert page.locator("#err-useful").is_hidden()
    assert page.is_checked("#in-useful-2"), "answers given are kept"
    assert fits_the_screen(page)
    assert not Response.objects.exists()
