"""The answering pages through Django's test client: personal links, languages,
autosave, resume, submit once, bad input, and "My surveys"."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peerlearn.accounts.models import User
from peerlearn.surveys.library import import_xlsform
from peerlearn.surveys.models import Invitation, Response, Survey
from tests.surveys import full_form
from tests.surveys.conftest import make_survey

PULSE_OK = {"useful": "5", "heard": "4", "will_try": "no", "stuck": "Finding a sponsor"}


def link(survey: Survey, person) -> tuple[Invitation, str]:
    invitation, _ = Invitation.objects.get_or_create(survey=survey, person=person)
    token = invitation.issue_link()
    return invitation, reverse("surveys:answer", args=[survey.pk, token])


def save_url(answer_url: str) -> str:
    return answer_url + "save/"


def body(response) -> str:
    return response.content.decode()


@pytest.fixture
def full_survey(world, tmp_path) -> Survey:
    data = full_form(tmp_path / "full.xlsx").read_bytes()
    instrument = import_xlsform(world.programme, data, anonymity="identified")
    return Survey.objects.create(
        instrument=instrument,
        programme=world.programme,
        cohort=world.event,
        title="Full check",
        opens_at=timezone.now() - timedelta(hours=1),
    )


# ------------------------------------------------------------------ the link itself


def test_the_link_opens_the_whole_pulse_on_one_page(world, client, pulse_survey):
    _, url = link(pulse_survey, world.people["participant"])
    response = client.get(url)
    assert response.status_code == 200
    html = body(response)
    # 5 + 5 Likert, yes/no; then the "who did you learn from" repeat: 5 kinds, 3 applied
    assert html.count('type="radio" ') == 20
    assert 'name="learned[0].learned_from"' in html and 'value="add:learned"' in html
    assert 'class="choices likert"' in html
    assert "<legend>Two minutes on today&#x27;s session</legend>" in html
    assert f'maxlength="{django_settings.SURVEY_MAX_TEXT}"' in html
    assert 'data-name="what_try" hidden' in html  # only after "yes"
    assert "Save and continue later" in html and 'value="submit"' in html
    assert response["Referrer-Policy"] == "same-origin"


def test_tampered_token_is_404(world, client, pulse_survey):
    _, url = link(pulse_survey, world.people["participant"])
    tampered = url[:-2] + ("A/" if url[-2] != "A" else "B/")
    response = client.get(tampered)
    assert response.status_code == 404
    assert "not recognised" in body(response)
    assert client.post(save_url(tampered), PULSE_OK).status_code == 404
    assert client.post(tampered, PULSE_OK).status_code == 404
    assert not Response.objects.exists()


def test_token_of_one_survey_on_another_surveys_address_is_404(world, client, pulse_survey):
    other = make_survey(world, "pulse", title="Second pulse")
    person = world.people["participant"]
    _, url_a = link(pulse_survey, person)
    link(other, person)  # the person is invited to both
    token_a = url_a.rstrip("/").rsplit("/", 1)[1]
    url_b = reverse("surveys:answer", args=[other.pk, token_a])
    assert client.get(url_a).status_code == 200
    assert client.get(url_b).status_code == 404
    assert client.post(url_b, PULSE_OK).status_code == 404
    assert client.post(save_url(url_b), PULSE_OK).status_code == 404


def test_closed_survey_is_410_and_says_when(world, client):
    closed = make_survey(world, "pulse", closes_at=timezone.now() - timedelta(minutes=5))
    _, url = link(closed, world.people["participant"])
    response = client.get(url)
    assert response.status_code == 410
    assert "This survey closed on" in body(response)
    assert client.post(url, PULSE_OK).status_code == 410
    assert client.post(save_url(url), PULSE_OK).status_code == 410
    assert not Response.objects.exists()


def test_cancelled_survey_is_410(world, client):
    cancelled = make_survey(world, "pulse", cancelled_at=timezone.now())
    _, url = link(cancelled, world.people["participant"])
    assert client.get(url).status_code == 410


def test_survey_not_open_yet_is_403_and_says_when(world, client):
    later = make_survey(world, "pulse", opens_at=timezone.now() + timedelta(days=2))
    _, url = link(later, world.people["participant"])
    response = client.get(url)
    assert response.status_code == 403
    assert "This survey opens on" in body(response)
    assert client.post(url, PULSE_OK).status_code == 403
    assert client.post(save_url(url), PULSE_OK).status_code == 403


def test_submit_then_every_later_visit_is_409(world, client, pulse_survey):
    _, url = link(pulse_survey, world.people["participant"])
    first = client.post(url, {**PULSE_OK, "action": "submit"})
    assert first.status_code == 200
    assert 'data-submitted="yes"' in body(first)
    again = client.post(url, {**PULSE_OK, "action": "submit"})  # back button, double click
    assert again.status_code == 409
    assert "You already answered this survey." in body(again)
    assert "not even the date" in body(again), "pulse is anonymous: no date is kept"
    assert client.get(url).status_code == 409  # never the form again
    assert 'name="useful"' not in body(client.get(url))
    assert client.post(save_url(url), PULSE_OK).status_code == 409
    assert Response.objects.filter(survey=pulse_survey).count() == 1


def test_a_second_link_to_the_same_invitation_cannot_submit_again(world, client, pulse_survey):
    person = world.people["participant"]
    _, first_url = link(pulse_survey, person)
    _, second_url = link(pulse_survey, person)  # a reminder e-mail with a new link
    assert client.post(first_url, PULSE_OK).status_code == 200
    assert client.post(second_url, PULSE_OK).status_code == 409
    assert Response.objects.count() == 1


# ------------------------------------------------------------------ language


def test_language_comes_from_the_person_and_can_be_switched(world, client, pulse_survey):
    person = world.people["participant"]
    person.languages = ["pt", "es"]
    person.save()
    invitation, url = link(pulse_survey, person)
    html = body(client.get(url))
    assert "Hoy avancé en mi propio desafío." in html
    assert "Today helped me with my own challenge." not in html
    assert '<html lang="es">' in html  # the page's own texts follow
    assert 'href="?lang=fr"' in html and 'href="?lang=en"' in html
    invitation.refresh_from_db()
    assert invitation.language == "es"

    french = body(client.get(url + "?lang=fr"))
    assert "La séance m&#x27;a aidé·e sur mon propre défi." in french
    invitation.refresh_from_db()
    assert invitation.language == "fr"
    assert "La séance" in body(client.get(url)), "the choice is remembered"
    assert "Today helped" in body(client.get(url + "?lang=xx&lang=en"))

    client.post(url + "?lang=es", PULSE_OK)
    response = Response.objects.get()
    assert response.language == "", "pulse is anonymous: its responses keep no language"
    invitation.refresh_from_db()
    assert invitation.language == "", "nor does the invitation, once answered"


def test_thank_you_page_shows_the_answers_with_labels_in_that_language(world, client, pulse_survey):
    _, url = link(pulse_survey, world.people["participant"])
    html = body(client.post(url + "?lang=es", PULSE_OK))
    assert 'data-submitted="yes"' in html
    assert "Muy de acuerdo" in html  # useful = 5
    assert "Finding a sponsor" in html


def test_script_typed_into_an_answer_is_shown_escaped(world, client, pulse_survey):
    _, url = link(pulse_survey, world.people["participant"])
    attack = "<script>alert(1)</script>"
    html = body(client.post(url, {**PULSE_OK, "stuck": attack}))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert attack not in html
    assert Response.objects.get().answers["stuck"] == attack  # kept as typed, escaped on output


def test_script_in_a_saved_draft_is_escaped_when_resumed(world, client, pulse_survey):
    _, url = link(pulse_survey, world.people["participant"])
    client.post(save_url(url), {"stuck": "</textarea><script>alert(1)</script>"})
    html = body(client.get(url))
    assert "<script>alert(1)" not in html
    assert "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html


# ------------------------------------------------------------------ bad input


def test_oversized_body_is_a_clean_400(world, client, pulse_survey):
    _, url = link(pulse_survey, world.people["participant"])
    huge = urlencode({**PULSE_OK, "stuck": "x" * (django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    form_type = "application/x-www-form-urlencoded"
    response = client.post(url, huge, content_type=form_type)
    assert response.status_code == 400
    assert "too long" in body(response)
    saved = client.post(save_url(url), huge, content_type=form_type)
    assert saved.status_code == 400
    assert "message" in saved.json()
    assert not Response.objects.exists()


def test_oversized_body_is_400_with_csrf_checks_on(world, pulse_survey):
    """In production the CSRF check reads the body first: still a 400, never a 500."""
    client = Client(enforce_csrf_checks=True)
    _, url = link(pulse_survey, world.people["participant"])
    client.get(url)
    token = client.cookies[django_settings.CSRF_COOKIE_NAME].value
    huge = urlencode(
        {
            "csrfmiddlewaretoken": token,
            **PULSE_OK,
            "stuck": "x" * (django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
        }
    )
    response = client.post(url, huge, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400


def test_too_many_fields_is_a_clean_400(world, client, pulse_survey):
    _, url = link(pulse_survey, world.people["participant"])
    many = [("useful", "5")] * (django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)
    response = client.post(url, urlencode(many), content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400


def test_nul_characters_are_dropped_not_a_database_error(world, client, pulse_survey):
    """PostgreSQL refuses NUL in JSON text; a pasted NUL must not become a 500."""
    invitation, url = link(pulse_survey, world.people["participant"])
    assert client.post(save_url(url), {"stuck": "a\x00b"}).status_code == 200
    invitation.refresh_from_db()
    assert invitation.draft == {"stuck": "ab", "learned": [{}]}
    assert client.post(url, {**PULSE_OK, "stuck": "c\x00d"}).status_code == 200
    assert Response.objects.get().answers["stuck"] == "cd"


def test_text_longer_than_the_limit_is_refused_next_to_its_question(
    world, client, pulse_survey, settings
):
    settings.SURVEY_MAX_TEXT = 200
    _, url = link(pulse_survey, world.people["participant"])
    response = client.post(url, {**PULSE_OK, "stuck": "y" * 201})
    assert response.status_code == 400
    html = body(response)
    assert 'id="error-summary"' in html
    assert "At most 200 characters." in html
    assert not Response.objects.exists()


def test_refused_submit_shows_each_error_and_keeps_the_answers(world, client, pulse_survey):
    invitation, url = link(pulse_survey, world.people["participant"])
    response = client.post(url, {"heard": "2", "will_try": "yes", "what_try": "z" * 281})
    assert response.status_code == 400
    html = body(response)
    assert 'id="error-summary"' in html
    assert 'href="#q-useful"' in html and 'href="#q-what_try"' in html
    assert 'id="err-useful" data-error-for="useful">Please answer this question.' in html
    assert "At most 280 characters." in html  # the form's own constraint message
    assert 'value="2" checked' in html  # "heard" kept
    assert 'data-name="what_try" hidden' not in html  # relevant: shown
    invitation.refresh_from_db()
    assert invitation.submitted_at is None
    assert invitation.draft["heard"] == "2", "what was typed is kept for later"


def test_numbers_of_another_shape_are_refused_with_a_message(world, client, full_survey):
    _, url = link(full_survey, world.people["participant"])
    response = client.post(url, {"role": "Chief", "years": "twelve", "trust": "4"})
    assert response.status_code == 400
    assert "Enter a whole number, digits only." in body(response)


# ------------------------------------------------------------------ autosave and resume


def test_autosave_reply_and_relevance_flip(world, client, full_survey):
    invitation, url = link(full_survey, world.people["participant"])
    reply = client.post(save_url(url), {"years": "3", "nonsense": "ignored"})
    assert reply.status_code == 200
    data = reply.json()
    assert set(data) == {"saved_at", "relevant", "errors", "choices", "texts"}
    assert data["relevant"]["views"] is False  # the group needs a role
    assert data["relevant"]["trust"] is False and data["relevant"]["budget"] is True
    assert data["errors"] == {"role": "Please answer this question."}

    flipped = client.post(save_url(url), {"years": "3", "role": "Chief"}).json()
    assert flipped["relevant"]["views"] is True and flipped["relevant"]["trust"] is True
    assert flipped["relevant"]["other_topic"] is False
    assert flipped["errors"] == {"trust": "Please answer this question."}
    other = client.post(
        save_url(url), {"years": "3", "role": "Chief", "topics": ["other", "hr"]}
    ).json()
    assert other["relevant"]["other_topic"] is True

    invitation.refresh_from_db()
    assert invitation.draft == {"role": "Chief", "years": "3", "topics": ["other", "hr"]}
    assert invitation.started_at is not None
    assert invitation.draft_saved_at.isoformat() == other["saved_at"]


def test_autosave_needs_the_csrf_header(world, full_survey):
    client = Client(enforce_csrf_checks=True)
    _, url = link(full_survey, world.people["participant"])
    client.get(url)
    assert client.post(save_url(url), {"years": "3"}).status_code == 403
    token = client.cookies[django_settings.CSRF_COOKIE_NAME].value
    ok = client.post(save_url(url), {"years": "3"}, headers={"X-CSRFToken": token})
    assert ok.status_code == 200
    assert client.get(save_url(url)).status_code == 405


def test_autosave_keeps_invalid_answers_and_reports_them(world, client, full_survey):
    invitation, url = link(full_survey, world.people["participant"])
    data = client.post(save_url(url), {"role": "Chief", "years": "99", "started": "soon"}).json()
    assert data["errors"]["years"] == "0 to 60"
    assert "year-month-day" in data["errors"]["started"]
    invitation.refresh_from_db()
    assert invitation.draft["years"] == "99"


def test_resume_shows_the_saved_answers(world, client, pulse_survey):
    _, url = link(pulse_survey, world.people["participant"])
    client.post(save_url(url), {"useful": "4", "will_try": "yes", "what_try": "Daily check-ins"})
    html = body(client.get(url))
    assert 'id="in-useful-4" name="useful" value="4" checked' in html
    assert 'id="in-will_try-1" name="will_try" value="yes" checked' in html
    assert "Daily check-ins</textarea>" in html
    assert 'data-name="what_try" hidden' not in html
    assert "Saved at" in html


def test_save_and_continue_later_without_javascript(world, client, full_survey):
    invitation, url = link(full_survey, world.people["participant"])
    response = client.post(url, {"action": "save", "role": "Chief", "started": "2024-05-01"})
    assert response.status_code == 302
    assert response["Location"].startswith(url + "?")
    page = client.get(response["Location"])
    html = body(page)
    assert "Your answers are saved." in html
    assert 'value="2024-05-01"' in html
    assert 'data-name="views" hidden' not in html  # the group now shows
    invitation.refresh_from_db()
    assert invitation.submitted_at is None and invitation.draft["role"] == "Chief"


def test_whole_full_form_submits_with_typed_answers(world, client, full_survey):
    _, url = link(full_survey, world.people["peer"])
    answers = {
        "role": "Chief",
        "years": "4",
        "budget": "10.5",
        "started": "2023-01-09",
        "trust": "5",
        "topics": ["budget", "other"],
        "other_topic": "Audit",
        "action": "submit",
    }
    response = client.post(url, answers)
    assert response.status_code == 200, body(response)
    stored = Response.objects.get()
    assert stored.person == world.people["peer"]  # identified
    assert stored.answers == {
        "role": "Chief",
        "years": 4,
        "budget": 10.5,
        "started": "2023-01-09",
        "trust": "5",
        "topics": ["budget", "other"],
        "other_topic": "Audit",
    }


# ------------------------------------------------------------------ my surveys


def test_my_surveys_lists_only_my_invitations(world, login, pulse_survey):
    me, peer = world.people["participant"], world.people["peer"]
    answered = make_survey(world, "pulse", title="Answered pulse")
    closed = make_survey(world, "pulse", title="Closed pulse", closes_at=timezone.now())
    theirs = make_survey(world, "pulse", title="Pulse for the peer only")
    link(pulse_survey, me)
    done, done_url = link(answered, me)
    link(closed, me)
    link(theirs, peer)
    Client().post(done_url, PULSE_OK)
    html = body(login(world.users["participant"]).get(reverse("surveys:my_surveys")))
    assert "Session pulse (event)" in html
    assert "Reform leaders" in html
    assert "Answered pulse" in html and "answered" in html
    assert "Closed pulse" not in html
    assert "Pulse for the peer only" not in html
    mine = Invitation.objects.get(survey=pulse_survey, person=me)
    assert reverse("surveys:my_survey_open", args=[mine.pk]) in html
    assert reverse("surveys:my_survey_open", args=[done.pk]) not in html


def test_my_survey_open_issues_a_fresh_link_to_my_own_invitation(world, login, pulse_survey):
    mine, _ = link(pulse_survey, world.people["participant"])
    client = login(world.users["participant"])
    response = client.post(reverse("surveys:my_survey_open", args=[mine.pk]))
    assert response.status_code == 302
    prefix = reverse("surveys:answer", args=[pulse_survey.pk, "T"])[:-2]
    assert response["Location"].startswith(prefix)
    assert mine.links.count() == 2
    assert client.get(response["Location"]).status_code == 200


def test_my_survey_open_refuses_someone_elses_invitation(world, login, pulse_survey):
    theirs, _ = link(pulse_survey, world.people["peer"])
    client = login(world.users["participant"])
    assert client.post(reverse("surveys:my_survey_open", args=[theirs.pk])).status_code == 404
    assert theirs.links.count() == 1, "no link issued"
    assert client.get(reverse("surveys:my_survey_open", args=[theirs.pk])).status_code == 405


def test_my_surveys_for_an_account_without_a_person_is_empty(db, client):
    user = User.objects.create_user(username="staff@example.org", email="staff@example.org")
    client.force_login(user)
    response = client.get(reverse("surveys:my_surveys"))
    assert response.status_code == 200
    assert "No survey is waiting for your answers." in body(response)


def test_autosave_reply_is_json_even_for_refusals(world, client, pulse_survey):
    _, url = link(pulse_survey, world.people["participant"])
    tail = "zz/" if url[-3:] != "zz/" else "yy/"
    bad = client.post(save_url(url[:-3] + tail), {})
    assert bad.status_code == 404 and json.loads(bad.content)["message"]
