"""Problems first by default; each criterion's contribution in plain words (issue 15, item 2)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from peerlearn.matching import wording
from peerlearn.matching.forms import GroupRunForm
from peerlearn.matching.models import MatchingRun
from tests.matching.conftest import group_form

pytestmark = pytest.mark.django_db


def test_default_weights_put_problems_first():
    form = GroupRunForm()
    assert form.fields["weight_problems"].initial == 10
    others = [form.fields[f"weight_{k}"].initial for k in ("role", "policy", "context")]
    assert max(others) <= 1  # tie-breakers


def test_run_page_words_each_criterion_instead_of_raw_cohesion(world, login, add_participants):
    add_participants(9)
    client = login(world.users["facilitator"])
    start = reverse("matching:run_new", args=[world.programme.slug, world.event.pk, "groups"])
    client.post(start, group_form(weight_problems=10, weight_context=1, max_per_organisation=""))
    run = MatchingRun.objects.latest("pk")
    assert run.status == "done", run.error
    shares = run.quality["criteria"]
    assert set(shares) == {"problems", "context"}
    assert all(
        0.0 <= s["share"] <= 1.0 and s["cohesion"] <= s["bound"] + 1e-6 for s in shares.values()
    )
    page = client.get(run.get_absolute_url()).content.decode()
    percent = round(100 * shares["problems"]["share"])
    assert (
        f"Shared problems (weight 10): these groups share {percent} % of what the closest" in page
    )
    assert page.index("Shared problems") < page.index("Shared context")  # heaviest first
    assert "upper bound" not in page and "Cohesion (higher" not in page


def test_contribution_lines_are_translated():
    shares = {"problems": {"share": 0.72}, "context": {"share": 0.5}}
    with translation.override("es"):
        es = wording.contribution_lines(shares, {"problems": 10, "context": 1})
    with translation.override("fr"):
        fr = wording.contribution_lines(shares, {"problems": 10, "context": 1})
    assert "72 %" in es[0] and "comparten" in es[0]
    assert "72 %" in fr[0] and "partagent" in fr[0]


def test_pairs_page_words_how_close_the_pairs_are(world, login, add_participants):
    """A pairs run says its total affinity against the upper bound in words, and counts
    its pairs and people from the result (matching/summary.py, as the report does)."""
    add_participants(12, external=4)
    client = login(world.users["facilitator"])
    url = reverse("matching:run_new", args=[world.programme.slug, world.event.pk, "pairs"])
    client.post(url, group_form(mode="external-local", capacity=4))
    run = MatchingRun.objects.latest("pk")
    assert run.kind == "pairs" and run.status == "done", run.error
    response = client.get(run.get_absolute_url())
    page = response.content.decode()
    percent = round(100 * run.quality["ratio"])
    assert f"These pairs reach {percent} % of what the closest possible pairing would." in page
    summary = response.context["summary"]
    assert summary.units == run.quality["pairs"] == 11 and summary.people == run.quality["people"]
    assert f'id="summary-units">{summary.units}<' in page
    with translation.override("fr"):
        assert "binômes" in wording.closeness_text("pairs", run.quality["ratio"])
    assert (
        wording.closeness_text("groups", 0.5) == "" and wording.closeness_text("pairs", None) == ""
    )
