"""The headline figures: one computation for the dashboard and the funder report."""

from __future__ import annotations

import zlib

import pytest
from django.urls import reverse
from django.utils import timezone

from peerlearn.evidence.figures import FEW, Scope, headline_figures
from peerlearn.evidence.presenting import sections
from peerlearn.programmes.models import Membership, Programme
from peerlearn.programmes.permissions import access_for
from tests.conftest import make_person
from tests.surveys.conftest import make_survey
from tests.surveys.test_results_pages import respond


def dashboard_url(programme, query=""):
    return reverse("evidence:dashboard", args=[programme.slug]) + query


def report_url(programme, query="", pdf=False):
    name = "evidence:report_pdf" if pdf else "evidence:report"
    return reverse(name, args=[programme.slug]) + query


def pdf_text(data: bytes) -> str:
    """The text of fpdf2's content streams (deflated), enough to find figures in."""
    out = []
    for chunk in data.split(b"stream\n")[1:]:
        body = chunk.split(b"\nendstream")[0]
        try:
            out.append(zlib.decompress(body).decode("latin-1"))
        except zlib.error:
            out.append(body.decode("latin-1"))
    return "\n".join(out)


def test_report_figures_are_the_dashboards(full_world, login):
    world = full_world
    client = login(world.users["facilitator"])
    query = f"?cohort={world.event.pk}"
    dashboard = client.get(dashboard_url(world.programme, query + "&view=funder"))
    report = client.get(report_url(world.programme, query))
    assert dashboard.status_code == report.status_code == 200
    assert dashboard.context["figures"] == report.context["figures"]
    assert [s.lines for s in dashboard.context["sections"]] == [
        s.lines for s in report.context["sections"]
    ]
    pdf = client.get(report_url(world.programme, query, pdf=True))
    assert pdf.content.startswith(b"%PDF")
    text = pdf_text(pdf.content)
    for section in report.context["sections"]:
        for line in section.lines:
            assert line.value in text, line


def test_every_share_has_its_denominator(full_world, login):
    world = full_world
    page = login(world.users["facilitator"]).get(dashboard_url(world.programme)).content.decode()
    figures = headline_figures(
        Scope(world.programme), access_for(world.users["facilitator"], world.programme)
    )
    assert figures.sessions_planned == 2
    assert f"{figures.sessions_held} of 2" in page
    assert figures.attendance.whole == 0 or "of" in page
    assert figures.participants == 3  # participant, peer, module facilitator (event)
    assert '<svg class="chart"' in page and 'id="chart-country-data"' in page


def test_the_cohort_filter_narrows_the_figures(full_world):
    world = full_world
    access = access_for(world.users["facilitator"], world.programme)
    everything = headline_figures(Scope(world.programme), access)
    module = headline_figures(Scope(world.programme, cohort=world.module), access)
    assert everything.sessions_planned == 2 and module.sessions_planned == 0
    assert module.participants == 0 and everything.participants == 3


def test_gender_below_k_is_not_named(world, settings):
    settings.PEERLEARN_MIN_RESPONDENTS = 3
    org = world.people["participant"].organisation
    for i in range(3):
        person = make_person(f"woman{i}", org, with_user=False)
        person.gender = "Woman"
        person.save()
        Membership.objects.create(
            person=person, programme=world.programme, cohort=world.event, role="participant"
        )
    lone = world.people["peer"]
    lone.gender = "Non-binary"
    lone.save()
    access = access_for(world.users["facilitator"], world.programme)
    figures = headline_figures(Scope(world.programme), access)
    genders = {t.key: t.count for t in figures.by_gender}
    assert genders["woman"] == 3
    assert "non-binary" not in genders and genders[FEW] == 1
    text = str([s.charts for s in sections(figures, "facilitator")])
    assert "Non-binary" not in text and "Non-Binary" not in text


def test_survey_headline_is_k_suppressed(world):
    access = access_for(world.users["evaluator"], world.programme)
    survey = make_survey(world, "pulse")
    for _ in range(4):
        respond(survey, {"useful": "4"})
    figure = headline_figures(Scope(world.programme), access).surveys[0]
    assert figure.suppressed and figure.headline is None and figure.responses == 4
    respond(survey, {"useful": "5"})
    figure = headline_figures(Scope(world.programme), access).surveys[0]
    assert not figure.suppressed and figure.headline is not None
    assert sum(c.count for c in figure.headline.choices) == 5


def test_products_hidden_from_evaluators_unless_allowed(full_world):
    from tests.progress.conftest import let_evaluators_read

    world = full_world
    access = access_for(world.users["evaluator"], world.programme)
    assert headline_figures(Scope(world.programme), access).products is None
    let_evaluators_read(world)
    assert headline_figures(Scope(world.programme), access).products_total == 1


@pytest.mark.parametrize("view", ["dashboard", "report", "report_pdf"])
def test_a_programme_with_no_data_is_a_clear_page(db, login, view):
    from peerlearn.accounts.models import User
    from peerlearn.people.models import Person

    programme = Programme.objects.create(name="Empty", slug="empty")
    user = User.objects.create_user(username="f@example.org", email="f@example.org", password="x")
    person = Person.objects.create(name="F", email="f@example.org", user=user)
    Membership.objects.create(person=person, programme=programme, role="facilitator")
    response = login(user).get(reverse(f"evidence:{view}", args=[programme.slug]))
    assert response.status_code == 200
    if view == "report_pdf":
        assert response.content.startswith(b"%PDF")
        assert "Nothing has been recorded" in pdf_text(response.content)
    else:
        assert 'id="no-data"' in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "?cohort=abc",
        "?cohort=99999",
        "?start=31-12-2026",
        "?start=2026-05-01&end=2026-01-01",
        "?view=boss",
    ],
)
def test_bad_filters_are_a_clear_400(world, login, query):
    client = login(world.users["evaluator"])
    for url in (dashboard_url(world.programme, query), report_url(world.programme, query)):
        response = client.get(url)
        assert response.status_code == 400
        assert 'role="alert"' in response.content.decode()
    assert client.get(report_url(world.programme, query, pdf=True)).status_code == 400


def test_a_cohort_of_another_programme_is_refused(world, login):
    from peerlearn.programmes.models import Cohort

    foreign = Cohort.objects.create(programme=world.other_programme, name="Theirs")
    response = login(world.users["facilitator"]).get(
        dashboard_url(world.programme, f"?cohort={foreign.pk}")
    )
    assert response.status_code == 400


def test_objectives_below_k_show_no_figure(full_world, settings):
    from peerlearn.objectives.models import LearningObjective

    world = full_world
    LearningObjective.objects.update(achievement=3)
    access = access_for(world.users["facilitator"], world.programme)
    figures = headline_figures(Scope(world.programme), access)
    assert figures.objectives.suppressed and figures.objectives_achieved.suppressed
    section = next(s for s in sections(figures, "funder") if s.key == "objectives")
    assert section.lines == [] and "Fewer than" in section.note
    settings.PEERLEARN_MIN_RESPONDENTS = 1
    figures = headline_figures(Scope(world.programme), access)
    section = next(s for s in sections(figures, "funder") if s.key == "objectives")
    assert [line.value for line in section.lines] == ["1", "1 of 1", "1 of 1"]


def _gated_survey(world):
    """A survey whose first closed question sits in a group only some respondents see."""
    from peerlearn.surveys.models import Instrument, Survey
    from peerlearn.surveys.xlsform import Choice, ChoiceList, Group, Question, to_dict
    from peerlearn.surveys.xlsform import Instrument as Form

    codes = ChoiceList("codes", [Choice(c, {"en": f"Code {c}"}) for c in ("1", "2", "true", "x")])
    form = Form(
        title="Gated",
        form_id="gated",
        version="1",
        default_language="en",
        items=[
            Question("text", "role", {"en": "Role"}),
            Group(
                "leads",
                {"en": "For team leads"},
                relevant="${role} = 'lead'",
                children=[Question("select_one", "how", {"en": "How"}, list_name="codes")],
            ),
            Question("integer", "peers", {"en": "Peers"}),
        ],
        choice_lists={"codes": codes},
    )
    instrument = Instrument.objects.create(
        programme=world.programme,
        title="Gated",
        form_id="gated",
        version="1",
        anonymity="anonymous",
        min_respondents=2,
        definition=to_dict(form),
    )
    return Survey.objects.create(
        instrument=instrument, programme=world.programme, title="Gated", opens_at=timezone.now()
    )


def test_survey_headline_is_the_summary_of_every_whole_response(world):
    """Grouped in the database by the answers the question needs: the very result of
    summarising every response whole (types kept: "1" stays a string, "true" too)."""
    from peerlearn.surveys.analysis import summarise
    from peerlearn.surveys.models import Response

    survey = _gated_survey(world)
    given = [
        {"role": "lead", "how": "1", "peers": 3},
        {"role": "lead", "how": "1"},
        {"role": "lead", "how": "true", "peers": 0},
        {"role": "lead", "how": "x"},
        {"role": "lead"},
        {"role": "member", "how": "2"},  # not relevant: not counted
        {"role": "lead", "how": None},
        {},
    ]
    for answers in given:
        respond(survey, answers)
    figure = headline_figures(
        Scope(world.programme), access_for(world.users["evaluator"], world.programme)
    ).surveys[0]
    whole = summarise(
        survey.instrument.form,
        Response.objects.filter(survey=survey).values_list("answers", flat=True),
        k=2,
        language=None,
    )
    expected = next(q for q in whole.questions if q.name == "how")
    assert figure.headline == expected
    assert [(c.name, c.count) for c in figure.headline.choices] == [
        ("1", 2),
        ("2", 0),
        ("true", 1),
        ("x", 1),
    ]
    assert figure.headline.sections == ("For team leads",)
