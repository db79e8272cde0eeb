"""Issue 11: the engine returns records; the web words them in the page's language.

A Spanish or French run page must show none of the English the CLI writes
(``peerlearn.engine.wording.ENGLISH_PHRASES``, built from the CLI's own
templates), and no command-line option.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from peerlearn.engine import wording as cli_wording
from peerlearn.matching import services
from peerlearn.matching import wording as web_wording
from peerlearn.matching.models import MatchingRun
from tests.matching.conftest import group_form

pytestmark = pytest.mark.django_db

LANGUAGES = ("es", "fr")


def english_in(body: str) -> list[str]:
    return sorted(p for p in cli_wording.ENGLISH_PHRASES if p in body)


def test_every_engine_kind_has_web_wording() -> None:
    engine_findings = set(cli_wording.GROUP_FINDINGS) | set(cli_wording.FINDINGS)
    assert engine_findings == set(web_wording.FINDINGS)
    assert set(cli_wording.CONFLICTS) == set(web_wording.CONFLICTS)
    assert set(cli_wording.SEARCH_ADVICE) == set(web_wording.SEARCH_ADVICE)
    assert set(cli_wording.CRITERION_WORDS) == set(web_wording.CRITERIA)
    assert set(cli_wording.PAIR_REASONS) == set(web_wording.PAIR_REASONS)


def test_the_phrase_list_holds_the_cli_english() -> None:
    """The list the page tests use is the CLI's wording, so it cannot go stale."""
    assert "similar challenges" in cli_wording.ENGLISH_PHRASES
    assert "--max-per" in cli_wording.ENGLISH_PHRASES
    assert any("per organisation is impossible" in p for p in cli_wording.ENGLISH_PHRASES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_failed_run_page_has_no_engine_english(world, login, add_participants, language):
    add_participants(3)  # 6 people, 3 from the Ministry of Finance: one group of 4-6 at most
    client = login(world.users["facilitator"])
    url = reverse("matching:run_new", args=[world.programme.slug, world.event.pk, "groups"])
    client.post(url, group_form())
    run = MatchingRun.objects.latest("pk")
    assert run.status == "failed"
    assert run.result["conflicts"][0]["kind"] == "organisation_limit_too_tight"
    body = client.get(run.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert 'id="run-error"' in body and "Ministry of Finance" in body
    assert english_in(body) == []
    assert "--" + "max" not in body


@pytest.mark.parametrize("language", LANGUAGES)
def test_review_page_with_problems_and_reasons_has_no_engine_english(
    world, login, add_participants, language
):
    add_participants(9)
    client = login(world.users["facilitator"])
    url = reverse("matching:run_new", args=[world.programme.slug, world.event.pk, "groups"])
    client.post(url, group_form(min_size=3, max_size=6))
    run = MatchingRun.objects.latest("pk")
    assert run.status == "done", run.error
    assert any(m.get("mostly") == "problems" for m in run.result["members"].values())
    mof = [str(world.people[k].pk) for k in ("participant", "peer")]
    target = run.result["assignment"][mof[1]]
    outcome = services.move_member(run, mof[0], target, run.version, by=None, force=True)
    assert outcome.ok
    run.refresh_from_db()
    assert run.result["problems"][0]["kind"] == "organisation_limit"
    body = client.get(run.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert 'id="problems"' in body and "Ministry of Finance" in body
    assert english_in(body) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_failed_pairs_page_has_no_engine_english(world, login, add_participants, language):
    add_participants(8, external=1)
    client = login(world.users["facilitator"])
    url = reverse("matching:run_new", args=[world.programme.slug, world.event.pk, "pairs"])
    client.post(url, group_form(mode="external-local", capacity=2))
    run = MatchingRun.objects.latest("pk")
    assert run.status == "failed"
    body = client.get(run.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert 'id="run-error"' in body
    assert english_in(body) == []
    assert "--capacity" not in body
