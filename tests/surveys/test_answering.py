"""The answering rules (peerlearn.surveys.answering): parsing, relevance, constraints,
drafts, and submitting exactly once with the right identity kept.

Forms are real XLSForm workbooks written to disk and read back; responses are
real rows in the test database.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import OperationalError, connection
from django.utils import timezone, translation
from django.utils.translation import gettext

from peerlearn.surveys import answering
from peerlearn.surveys.identity import pseudonym_for
from peerlearn.surveys.instruments import path as builtin_path
from peerlearn.surveys.library import import_xlsform, install_builtin
from peerlearn.surveys.models import Instrument, Invitation, Response, Survey
from peerlearn.surveys.xlsform import NO_LANGUAGE, read_xlsform
from tests.concurrency import at_once
from tests.surveys import EN, ES, full_form, write_form
from tests.surveys.conftest import make_survey

GENERIC_CONSTRAINT = "This answer is not accepted; please check it."


@pytest.fixture
def full(tmp_path):
    """The form using every supported feature (tests/surveys/__init__.py)."""
    return read_xlsform(full_form(tmp_path / "full.xlsx").read_bytes())


@pytest.fixture
def pulse():
    return read_xlsform(builtin_path("pulse").read_bytes())


@pytest.fixture
def plain(tmp_path):
    """A one-language form with plain ``label`` columns and one free-text question."""
    survey = [["type", "name", "label", "required"], ["text", "comment", "Comment", "no"]]
    settings = [["form_title", "form_id", "version"], ["Plain", "plain", "1"]]
    return read_xlsform(write_form(tmp_path / "plain.xlsx", survey, None, settings).read_bytes())


def check(form, data, language="en"):
    return answering.check_answers(form, data, language)


#: A complete, valid set of answers to the full form.
FULL_OK = {
    "role": "Director of budget",
    "years": "12",
    "budget": "2,5",
    "started": "2024-06-30",
    "trust": "4",
    "topics": ["hr", "other"],
    "other_topic": "Pensions",
}


# ------------------------------------------------------------------ parsing each type


@pytest.mark.parametrize(
    ("raw", "typed"),
    [
        ("42", 42),
        (" 7 ", 7),
        ("+3", 3),
        ("0", 0),
        ("١٢", 12),
    ],  # phones may type Arabic-Indic digits
)
def test_integer_answers_are_stored_as_int(full, raw, typed):
    checked = check(full, {**FULL_OK, "years": raw, "budget": ""})
    assert "years" not in checked.errors
    assert checked.typed["years"] == typed and type(checked.typed["years"]) is int


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("4.5", "Enter a whole number"),
        ("12abc", "Enter a whole number"),
        ("1" * 16, "too large"),
    ],
)
def test_integer_errors(full, raw, message):
    checked = check(full, {**FULL_OK, "years": raw})
    assert message in checked.errors["years"]
    assert "years" not in checked.typed


@pytest.mark.parametrize(("raw", "typed"), [("2.5", 2.5), ("2,5", 2.5), (".5", 0.5), ("3", 3.0)])
def test_decimal_answers_accept_point_or_comma(full, raw, typed):
    checked = check(full, {**FULL_OK, "budget": raw})
    assert checked.typed["budget"] == typed and type(checked.typed["budget"]) is float


@pytest.mark.parametrize("raw", ["nan", "inf", "1e3", "2.5.1", "abc", "9" * 20])
def test_decimal_errors(full, raw):
    checked = check(full, {**FULL_OK, "budget": raw})
    assert "budget" in checked.errors
    assert "budget" not in checked.typed


def test_dates_must_be_real_iso_dates(full):
    assert check(full, FULL_OK).typed["started"] == "2024-06-30"
    for bad in ("2024-02-30", "30/06/2024", "2024-6-3", "yesterday"):
        checked = check(full, {**FULL_OK, "started": bad})
        assert "year-month-day" in checked.errors["started"], bad


def test_select_one_value_must_be_in_its_list(full):
    assert check(full, FULL_OK).typed["trust"] == "4"
    checked = check(full, {**FULL_OK, "trust": "9"})
    assert checked.errors["trust"] == "Choose one of the options."


def test_select_multiple_is_a_subset_in_list_order_without_repeats(full):
    checked = check(full, {**FULL_OK, "topics": ["other", "hr", "hr"]})
    assert checked.typed["topics"] == ["hr", "other"]
    checked = check(full, {**FULL_OK, "topics": ["budget", "bogus"]})
    assert checked.errors["topics"] == "Choose only among the options shown."


def test_unknown_names_are_ignored_and_nul_characters_removed(full):
    raw = answering.raw_answers(
        full, {**FULL_OK, "role": "Dir\x00ector", "bogus": "x", "csrfmiddlewaretoken": "t"}
    )
    assert set(raw) == set(FULL_OK)
    assert raw["role"] == "Director"


# ------------------------------------------------------------------ relevance and required


def test_required_only_when_the_question_and_its_groups_are_relevant(full):
    empty = check(full, {})
    # role and years are required and always shown; trust is required but its
    # group ("views") is relevant only once a role is given.
    assert set(empty.errors) == {"role", "years"}
    assert empty.relevant["views"] is False
    assert empty.relevant["trust"] is False and empty.relevant["inner"] is False
    with_role = check(full, {"role": "Director", "years": "3"})
    assert with_role.relevant["views"] is True
    assert set(with_role.errors) == {"trust"}
    assert with_role.errors["trust"] == "Please answer this question."


def test_relevance_flips_with_the_answer_it_depends_on(full):
    base = {**FULL_OK, "topics": ["hr"]}
    assert check(full, base).relevant["other_topic"] is False
    assert check(full, {**base, "topics": ["hr", "other"]}).relevant["other_topic"] is True
    # Notes have relevance too: "bye" needs trust >= 4 or years >= 2.
    assert check(full, {**base, "trust": "1", "years": "1"}).relevant["bye"] is False
    assert check(full, {**base, "trust": "5", "years": "1"}).relevant["bye"] is True


def test_errors_of_irrelevant_questions_do_not_count(full):
    # A bad budget, then years 0 makes the budget irrelevant: no error left.
    checked = check(full, {**FULL_OK, "years": "0", "budget": "lots"})
    assert "budget" not in checked.errors
    assert checked.valid


# ------------------------------------------------------------------ constraints


def test_constraint_message_from_the_form_in_the_respondents_language(full, pulse):
    assert check(full, {**FULL_OK, "years": "99"}).errors["years"] == "0 to 60"
    long_try = {"useful": "4", "heard": "4", "will_try": "yes", "what_try": "x" * 281}
    assert check(pulse, long_try, "en").errors["what_try"] == "At most 280 characters."
    assert check(pulse, long_try, "es").errors["what_try"] == "Máximo 280 caracteres."
    assert check(pulse, long_try, "fr").errors["what_try"] == "280 caractères au maximum."


def test_constraint_without_a_message_in_that_language_gets_a_generic_translated_one(full):
    # The full form has an English message only; a Spanish respondent is not
    # shown English, but the generic message of the Spanish pages.
    with translation.override("es"):
        expected = gettext(GENERIC_CONSTRAINT)
    assert check(full, {**FULL_OK, "years": "99"}, "es").errors["years"] == expected
    checked = check(full, {**FULL_OK, "topics": ["none", "hr"]})
    assert checked.errors["topics"] == "None alone"


def test_a_constraint_is_checked_against_the_typed_value(full):
    assert "years" not in check(full, {**FULL_OK, "years": "60"}).errors
    assert "years" in check(full, {**FULL_OK, "years": "61"}).errors
    assert "budget" in check(full, {**FULL_OK, "budget": "-1"}).errors  # ". > 0"


def test_oversized_text_is_refused_and_bounded_in_the_draft(plain, settings):
    settings.SURVEY_MAX_TEXT = 100
    assert check(plain, {"comment": "x" * 100}).valid
    checked = check(plain, {"comment": "x" * 101})
    assert checked.errors["comment"] == "At most 100 characters."
    # A megabyte of text is kept (for the draft) only up to twice the limit.
    huge = check(plain, {"comment": "y" * 1_000_000})
    assert len(huge.raw["comment"]) == 200
    assert "comment" in huge.errors


def test_line_breaks_count_once(plain, settings):
    settings.SURVEY_MAX_TEXT = 100
    text = "ab\r\n" * 25  # 100 characters in a browser's maxlength, 100 here
    checked = check(plain, {"comment": text})
    assert checked.valid, checked.errors
    assert checked.typed["comment"] == ("ab\n" * 25).strip()


# ------------------------------------------------------------------ language


def test_choose_language(full, plain):
    assert answering.choose_language(full, ["fr"]) == "fr"
    assert answering.choose_language(full, ["pt", "es"]) == "es"
    assert answering.choose_language(full, ["es-MX"]) == "es"
    assert answering.choose_language(full, ["pt"]) == "en"  # the form's default
    assert answering.choose_language(full, ["fr"], requested="es") == "es"
    assert answering.choose_language(full, ["fr"], requested="xx") == "fr"
    assert answering.choose_language(full, ["fr"], remembered="es") == "es"
    assert answering.choose_language(plain, ["fr"]) == NO_LANGUAGE
    assert answering.text_in(plain.questions()[0].label, "fr", plain.default_language) == "Comment"


def test_first_form_language_when_there_is_no_default(tmp_path):
    survey = [["type", "name", f"label::{ES}", f"label::{EN}"], ["text", "a", "Uno", "One"]]
    form = read_xlsform(write_form(tmp_path / "f.xlsx", survey).read_bytes())
    assert form.default_language is None
    assert answering.choose_language(form, ["de"]) == "es"


# ------------------------------------------------------------------ saving and submitting


@pytest.fixture
def full_instrument(world, tmp_path) -> Instrument:
    data = full_form(tmp_path / "full.xlsx").read_bytes()
    return import_xlsform(world.programme, data, filename="full.xlsx", anonymity="identified")


def survey_of(world, instrument: Instrument, programme=None, **fields) -> Survey:
    values = {
        "instrument": instrument,
        "programme": programme or world.programme,
        "cohort": None if programme else world.event,
        "title": "Check-in",
        "opens_at": timezone.now() - timedelta(days=1),
        **fields,
    }
    return Survey.objects.create(**values)


def invite(survey: Survey, person) -> Invitation:
    return Invitation.objects.create(survey=survey, person=person, audience="control")


def test_save_keeps_invalid_drafts_and_starts_once(world, full_instrument):
    invitation = invite(survey_of(world, full_instrument), world.people["participant"])
    first = answering.save_draft(invitation, {"years": "many"}, "en")
    assert first is not None and first.errors["years"].startswith("Enter a whole number")
    invitation.refresh_from_db()
    assert invitation.draft == {"years": "many"}
    started = invitation.started_at
    assert started is not None and invitation.draft_saved_at is not None
    answering.save_draft(invitation, {"years": "5", "role": "Chief"}, "es")
    invitation.refresh_from_db()
    assert invitation.draft == {"years": "5", "role": "Chief"}
    assert invitation.started_at == started
    assert invitation.language == "es"


def test_submit_refuses_errors_and_stores_nothing(world, full_instrument):
    invitation = invite(survey_of(world, full_instrument), world.people["participant"])
    outcome = answering.submit(invitation, {**FULL_OK, "years": "99"}, "en")
    assert not outcome.ok and not outcome.already
    assert outcome.checked.errors == {"years": "0 to 60"}
    invitation.refresh_from_db()
    assert invitation.submitted_at is None
    assert not Response.objects.exists()


def test_submit_drops_irrelevant_answers_and_stores_typed_values(world, full_instrument):
    invitation = invite(survey_of(world, full_instrument), world.people["participant"])
    # "other_topic" was typed, then "other" unticked: it must not be kept.
    answers = {**FULL_OK, "topics": ["hr"], "other_topic": "Pensions"}
    outcome = answering.submit(invitation, answers, "es")
    assert outcome.ok
    response = Response.objects.get()
    assert response.answers == {
        "role": "Director of budget",
        "years": 12,
        "budget": 2.5,
        "started": "2024-06-30",
        "trust": "4",
        "topics": ["hr"],
    }
    assert response.language == "es" and response.audience == "control"
    invitation.refresh_from_db()
    assert invitation.submitted_at is not None and invitation.language == "es"


def test_identified_response_keeps_the_person_and_the_draft(world, full_instrument):
    person = world.people["participant"]
    invitation = invite(survey_of(world, full_instrument), person)
    answering.save_draft(invitation, {"role": "x"}, "en")
    before = timezone.now()
    answering.submit(invitation, FULL_OK, "en")
    response = Response.objects.get()
    assert response.person == person and response.pseudonym == ""
    assert response.submitted_at >= before  # the exact time, not rounded
    invitation.refresh_from_db()
    assert invitation.draft == answering.raw_answers(full_instrument.form, FULL_OK)


PULSE_OK = {"useful": "5", "heard": "4", "will_try": "yes", "what_try": "A stand-up"}


@pytest.mark.parametrize("anonymity", ["pseudonymous", "anonymous"])
def test_drafts_are_erased_on_submit_unless_identified(world, anonymity):
    survey = make_survey(world, "pulse", anonymity=anonymity)
    invitation = invite(survey, world.people["participant"])
    answering.save_draft(invitation, {"useful": "5"}, "en")
    draft = Invitation.objects.get(pk=invitation.pk).draft
    assert draft == {"useful": "5", "learned": [{}]}  # the repeat starts with one instance
    assert answering.submit(invitation, PULSE_OK, "en").ok
    invitation.refresh_from_db()
    assert invitation.draft == {} and invitation.draft_saved_at is None
    # A late autosave (slow network, second tab) must not put the draft back.
    assert answering.save_draft(invitation, PULSE_OK, "en") is None
    invitation.refresh_from_db()
    assert invitation.draft == {}


def test_pseudonym_is_stable_in_a_programme_and_differs_across_programmes(world):
    person = world.people["participant"]
    first = make_survey(world, "pulse", anonymity="pseudonymous")
    second = make_survey(world, "pulse", anonymity="pseudonymous", title="Pulse, day 2")
    other_instrument = install_builtin(world.other_programme, "pulse")
    other_instrument.anonymity = "pseudonymous"
    other_instrument.save()
    elsewhere = survey_of(world, other_instrument, programme=world.other_programme)
    for survey in (first, second, elsewhere):
        assert answering.submit(invite(survey, person), PULSE_OK, "en").ok
    codes = {r.survey_id: r for r in Response.objects.all()}
    assert all(r.person is None for r in codes.values())
    assert codes[first.pk].pseudonym == codes[second.pk].pseudonym
    assert codes[first.pk].pseudonym == pseudonym_for(world.programme.pk, person.pk)
    assert codes[elsewhere.pk].pseudonym != codes[first.pk].pseudonym
    assert person.name not in str(codes[first.pk].answers)


def test_anonymous_response_keeps_neither_person_nor_code_nor_time_nor_language(world):
    survey = make_survey(world, "pulse", anonymity="anonymous")
    invitation = invite(survey, world.people["participant"])
    moment = timezone.now().replace(minute=37, second=12, microsecond=5)
    assert answering.submit(invitation, PULSE_OK, "fr", now=moment).ok
    response = Response.objects.get()
    assert response.person is None and response.pseudonym == ""
    assert response.submitted_at is None and response.language == ""
    invitation.refresh_from_db()
    same = survey.created_at  # one time for everyone: it orders nobody
    assert invitation.submitted_at == same and invitation.started_at == same
    assert invitation.sent_at == same and invitation.created_at == same
    assert invitation.language == "" and invitation.draft == {}


def test_pseudonymous_response_keeps_the_hour_and_the_language(world):
    survey = make_survey(world, "pulse", anonymity="pseudonymous")
    invitation = invite(survey, world.people["participant"])
    moment = timezone.now().replace(minute=37, second=12, microsecond=5)
    assert answering.submit(invitation, PULSE_OK, "fr", now=moment).ok
    response = Response.objects.get()
    assert response.submitted_at == moment.replace(minute=0, second=0, microsecond=0)
    assert response.language == "fr"
    invitation.refresh_from_db()
    assert invitation.submitted_at == moment


def test_submitting_twice_gives_one_response(world):
    survey = make_survey(world, "pulse")
    invitation = invite(survey, world.people["participant"])
    assert answering.submit(invitation, PULSE_OK, "en").ok
    stale = Invitation.objects.get(pk=invitation.pk)
    stale.submitted_at = None  # a second tab loaded before the first submit
    again = answering.submit(stale, PULSE_OK, "en")
    assert again.already and not again.ok
    assert Response.objects.filter(survey=survey).count() == 1


def submit_waiting_for_locks(invitation, answers):
    """``submit``, retried while SQLite reports a lock conflict.

    The SQLite test database lives in memory with a shared cache, where a
    second writer is refused at once ("database table is locked") instead of
    waiting as it does on a database file (Django's default 5 s busy
    timeout).  The refused transaction rolled back entirely, so trying again
    is what the busy timeout would do.  PostgreSQL never needs this.
    """
    for _attempt in range(200):
        try:
            return answering.submit(invitation, answers, "en")
        except OperationalError as error:
            if connection.vendor != "sqlite" or "locked" not in str(error):
                raise
            time.sleep(0.01)
    raise AssertionError("the database stayed locked")


@pytest.mark.django_db(transaction=True)
def test_two_threads_submitting_at_once_make_one_response(world):
    """Runs on SQLite and on PostgreSQL (DATABASE_URL): exactly one response.

    Anonymous, so no unique constraint on Response can help: the claim alone
    must keep the second submission out.
    """
    survey = make_survey(world, "pulse", anonymity="anonymous")
    invitation = invite(survey, world.people["participant"])
    copies = [
        Invitation.objects.select_related("survey__instrument", "person").get(pk=invitation.pk)
        for _ in range(2)
    ]

    def attempt(mine: Invitation) -> str:
        outcome = submit_waiting_for_locks(mine, PULSE_OK)
        return "ok" if outcome.ok else "already" if outcome.already else "invalid"

    outcomes, failures = at_once([lambda mine=mine: attempt(mine) for mine in copies], timeout=30)
    assert failures == []
    assert sorted(outcomes) == ["already", "ok"], outcomes
    assert Response.objects.filter(survey=survey).count() == 1


def test_availability(world):
    survey = make_survey(world, "pulse")
    invitation = invite(survey, world.people["participant"])
    now = timezone.now()
    assert answering.availability(invitation, now) == "open"
    survey.opens_at = now + timedelta(days=1)
    assert answering.availability(invitation, now) == "not_open"
    survey.opens_at, survey.closes_at = now - timedelta(days=2), now - timedelta(days=1)
    assert answering.availability(invitation, now) == "closed"
    survey.closes_at, survey.cancelled_at = None, now
    assert answering.availability(invitation, now) == "closed"
    invitation.submitted_at = now
    assert answering.availability(invitation, now) == "submitted"


def test_answers_shown_back_with_labels_in_the_respondents_language(full):
    trust = full.find("trust")
    topics = full.find("topics")
    assert trust is not None and topics is not None
    assert answering.answer_text(trust, "4", full, "es") == "Ae4"
    assert answering.answer_text(topics, ["hr", "other"], full, "fr") == "Personnes, Autre"
    years = full.find("years")
    assert years is not None and answering.answer_text(years, 12, full, "en") == "12"
