"""The report's "how they were matched and why": the run page's own figures, no challenge text."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.urls import reverse
from django.utils import translation

from peerlearn.evidence.figures import Scope, headline_figures
from peerlearn.evidence.matching_figures import matching
from peerlearn.evidence.presenting import sections
from peerlearn.intake.models import Challenge
from peerlearn.matching import services
from peerlearn.matching.models import MatchingRun
from peerlearn.matching.summary import run_summary
from peerlearn.programmes.permissions import Access, access_for
from tests.evidence.test_figures import pdf_text, report_url
from tests.matching.conftest import add_participants, group_form  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def published_grouping(world, login, add_participants):  # noqa: F811 - the fixture
    """A real run of 23 people (groups of 4-6, themes from the matching fixtures' challenges),
    published, with one member moved by hand afterwards."""
    add_participants(20)
    client = login(world.users["facilitator"])
    start = reverse("matching:run_new", args=[world.programme.slug, world.event.pk, "groups"])
    client.post(start, group_form(weight_problems=10, weight_context=1, max_per_organisation=""))
    run = MatchingRun.objects.latest("pk")
    assert run.status == "done", run.error
    outcome = services.publish(run, run.version)
    assert outcome.ok, outcome
    run.refresh_from_db()
    assignment = run.result["assignment"]
    mover = next(iter(assignment))
    target = next(label for label in run.result["labels"] if label != assignment[mover])
    moved = services.move_member(
        run, mover, target, run.version, by=world.people["facilitator"], force=True
    )
    assert moved.ok, moved
    run.refresh_from_db()
    return run


def matching_section(response):
    (section,) = [s for s in response.context["sections"] if s.key == "matching"]
    return section


def test_the_report_shows_the_run_pages_figures(world, login, add_participants):  # noqa: F811
    run = published_grouping(world, login, add_participants)
    page = login(world.users["facilitator"]).get(run.get_absolute_url())
    shown = page.context["summary"]
    assert shown == run_summary(run)
    assert shown.moves == 1 and shown.people == 23 and shown.units == len(run.result["labels"])

    report = login(world.users["evaluator"]).get(report_url(world.programme))
    assert report.status_code == 200
    (cohort,) = [c for c in report.context["figures"].matching.cohorts if c.runs]
    (reported,) = cohort.runs
    # One computation: the same summary, its themes only narrowed (no whole challenge).
    assert replace(reported, themes=shown.themes) == shown
    assert reported.themes and set(reported.themes) <= set(shown.themes)

    section = matching_section(report)
    (table,) = section.tables
    values = [value for _label, value in table.rows]
    assert page.context["contributions"] and all(
        line in values for line in page.context["contributions"]
    )
    assert page.context["moves_line"] in values and "1 move among 23 people" in values
    assert f"{shown.units} groups for 23 people" in values
    sizes = table.chart.shares()
    assert sum(count for _label, count, _share in sizes) == shown.units
    assert all(share.endswith(f"of {shown.units}") for _label, _count, share in sizes)
    for theme, n in reported.themes:
        assert f"{theme}: {n} of {shown.units} groups" in values
    assert section.lines[0].value == "1 of 2"  # cohorts with a published run, of all

    # The dashboard's funder view and the PDF carry the same figures.
    dashboard = login(world.users["evaluator"]).get(
        reverse("evidence:dashboard", args=[world.programme.slug]) + "?view=funder"
    )
    assert matching_section(dashboard).tables[0].rows == table.rows
    text = pdf_text(
        login(world.users["evaluator"]).get(report_url(world.programme, pdf=True)).content
    )
    assert "1 move among 23 people" in text and f"{shown.units} groups for 23 people" in text


def test_the_report_never_quotes_a_challenge(world, login, add_participants):  # noqa: F811
    run = published_grouping(world, login, add_participants)
    client = login(world.users["evaluator"])
    html = client.get(report_url(world.programme)).content.decode()
    pdf = pdf_text(client.get(report_url(world.programme, pdf=True)).content)
    texts = list(Challenge.objects.filter(programme=world.programme).values_list("text", flat=True))
    assert texts
    for text in texts:
        assert text not in html and text not in pdf
    # The run page's themes hold a whole challenge of the fixtures ("Building a reform
    # team"): the report leaves that one out and keeps the others.
    themes = [t for t, _n in run_summary(run).themes]
    assert "Building a reform team" in themes
    assert any(f"{t}: " in html for t in themes if t != "Building a reform team")
    assert "closest to" not in html  # no member's reason


def test_who_reads_the_matching_section(world, login, add_participants):  # noqa: F811
    published_grouping(world, login, add_participants)
    for persona in ("participant", "peer", "observer"):
        assert login(world.users[persona]).get(report_url(world.programme)).status_code == 403
    assert matching(Scope(world.programme), Access()) is None
    nobody = headline_figures(Scope(world.programme), Access())
    (section,) = [s for s in sections(nobody, "funder") if s.key == "matching"]
    assert not section.tables and "does not let you read" in section.note
    facilitator = access_for(world.users["facilitator"], world.programme)
    assert matching(Scope(world.programme), facilitator).published == 1


def test_an_empty_programme_says_nothing_is_published(world, login):
    report = login(world.users["facilitator"]).get(report_url(world.programme))
    section = matching_section(report)
    assert section.note == "No grouping or pairing published yet." and not section.tables


def test_the_section_is_translated(world, login, add_participants):  # noqa: F811
    published_grouping(world, login, add_participants)
    figures = headline_figures(
        Scope(world.programme), access_for(world.users["evaluator"], world.programme), outside=True
    )
    for language, title in (("es", "Cómo se emparejaron"), ("fr", "Comment")):
        with translation.override(language):
            (section,) = [s for s in sections(figures, "funder") if s.key == "matching"]
            assert section.title.startswith(title), section.title
            labels = [label for label, _value in section.tables[0].rows]
            english = {"Matched", "Criteria and their weights", "Changed by hand after the run"}
            assert not english & set(labels)
