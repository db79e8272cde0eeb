"""Reasons that quote (issue 15, item 1): excerpts of the tying sentences, then the theme,
country names in the reader's language; quotes only for readers of the intake answers."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from peerlearn.intake.models import Challenge
from peerlearn.matching import wording
from peerlearn.matching.models import MatchingRun
from tests.matching.conftest import group_form

pytestmark = pytest.mark.django_db


def run_with_texts(world, login, add_participants) -> tuple[object, MatchingRun]:
    add_participants(9)
    client = login(world.users["facilitator"])
    start = reverse("matching:run_new", args=[world.programme.slug, world.event.pk, "groups"])
    client.post(start, group_form(max_per_organisation="", min_size=4, max_size=6))
    run = MatchingRun.objects.latest("pk")
    assert run.status == "done", run.error
    return client, run


def test_facilitator_reads_quotes_of_the_sentences_that_tie_members(world, login, add_participants):
    client, run = run_with_texts(world, login, add_participants)
    ties = [t for m in run.result["members"].values() for t in m["ties"]]
    assert ties, "the engine recorded which challenges tie members"
    pid, info = next((p, m) for p, m in run.result["members"].items() if m["ties"])
    tie = info["ties"][0]
    theirs = list(
        Challenge.objects.filter(person_id=int(tie["peer"]), programme=world.programme)
        .order_by("position", "pk")
        .values_list("text", flat=True)
    )[tie["theirs"]]
    page = client.get(run.get_absolute_url()).content.decode()
    assert f"“{wording.excerpt(theirs)}”" in page
    assert "shared theme:" in page and "closest to" in page


def test_evaluator_of_a_private_intake_sees_no_quotes(world, login, add_participants):
    from peerlearn.intake.permissions import intake_answers_private

    _client, run = run_with_texts(world, login, add_participants)
    assert intake_answers_private(world.programme)  # the default promise
    page = login(world.users["evaluator"]).get(run.get_absolute_url()).content.decode()
    assert "closest to" in page and "“" not in page


def test_countries_by_name_in_the_readers_language():
    shared = {"attribute": "country", "value": "ke", "count": 2}
    assert wording.shared_text(shared) == "country Kenya with 2"
    with translation.override("es"):
        assert "Kenia" in wording.shared_text(shared)
    with translation.override("fr"):
        assert wording.country_name("CI") == "Côte d'Ivoire"
    assert wording.country_name("zz") == "zz"


def test_excerpts_are_short_and_cut_at_a_word():
    long = "word " * 1000 + "end"
    cut = wording.excerpt(long)
    assert len(cut) <= wording.EXCERPT_WIDTH and cut.endswith("…")
    assert wording.excerpt("") == ""


def test_a_groups_why_fits_in_two_lines():
    members = [
        {"mostly": "problems", "shared": [{"attribute": "country", "value": "ke", "count": 1}]},
        {"mostly": "problems", "shared": [{"attribute": "country", "value": "ke", "count": 1}]},
        {"mostly": "context", "shared": [{"attribute": "language", "value": "en"}]},
    ]
    lines = wording.group_why(["land registry", "cadastre", "titles", "more"], members)
    assert lines == [
        "Shared problems: land registry, cadastre, titles.",
        "2 of 3 are linked mostly by similar challenges; 2 share country Kenya.",
    ]
    assert wording.group_why([], []) == []
    with translation.override("es"):
        assert "Kenia" in wording.group_why([], members)[0]


def test_participant_sees_the_why_but_no_quotes(world, login, add_participants):
    from peerlearn.matching import services

    client, run = run_with_texts(world, login, add_participants)
    assert services.publish(run, run.version).ok
    page = (
        login(world.users["participant"])
        .get(reverse("matching:my_group", args=[world.programme.slug, world.event.pk]))
        .content.decode()
    )
    assert 'id="group-why"' in page and "Shared problems:" in page
    assert "“" not in page
