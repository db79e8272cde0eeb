"""The demo's surveys: built-in instruments installed, answers invented once, safely."""

from __future__ import annotations

import random

import pytest

from peerlearn.demo.load import load_demo
from peerlearn.demo.surveys import invented_answers
from peerlearn.surveys.instruments import BUILT_IN, path
from peerlearn.surveys.models import Instrument, Response, Survey
from peerlearn.surveys.publication import published
from peerlearn.surveys.xlsform import read_xlsform


@pytest.mark.django_db
def test_demo_surveys_have_answers_and_reloading_keeps_them():
    load_demo()
    programme_instruments = Instrument.objects.filter(programme__slug="reform-leaders-2026")
    assert set(programme_instruments.values_list("builtin", flat=True)) == set(BUILT_IN)
    surveys = Survey.objects.filter(programme__slug="reform-leaders-2026")
    assert surveys.count() == 4
    counts = {s.title: s.responses.count() for s in surveys}
    # Every demo survey has enough answers to be shown (k = 5) but not everyone answered,
    # and its results pages have published answers to show (batches of k).
    for survey in surveys:
        assert 5 <= counts[survey.title] < survey.invitations.count()
        assert published(survey).count() >= survey.instrument.min_respondents
    load_demo()
    assert {s.title: s.responses.count() for s in surveys} == counts
    assert Survey.objects.count() == 4


@pytest.mark.django_db
def test_anonymous_demo_answers_keep_no_identity():
    load_demo()
    pulse = Survey.objects.get(instrument__builtin="pulse")
    assert pulse.instrument.anonymity == "anonymous"
    assert not Response.objects.filter(survey=pulse, person__isnull=False).exists()
    assert not Response.objects.filter(survey=pulse).exclude(pseudonym="").exists()


def test_invented_answers_respect_relevance_and_choice_lists():
    form = read_xlsform(path("pulse"))
    lists = {q.name: q.list_name for q in form.questions()}
    seen_follow_up = False
    for seed in range(40):
        answers = invented_answers(form, random.Random(seed))
        for name, value in answers.items():
            if lists[name]:
                assert value in {c.name for c in form.choice_lists[lists[name]].choices}
        # "what will you try" is only asked after a yes to "will you try something".
        if "what_try" in answers:
            assert answers["will_try"] == "yes"
            seen_follow_up = True
    assert seen_follow_up
