"""The MEL sections of the dashboard and the funder report, from real rows of each app.

Every figure is checked against the app's own service on the same rows
(the ledger, the network metrics, the stories' verification, share-forward
reach, theory statuses, experiment comparisons, dual tracking), and every
privacy rule per reader: evaluators and the report never see check-in
exchanges or stories private to the facilitators.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from peerlearn.evidence.figures import Scope, headline_figures
from peerlearn.evidence.presenting import sections
from peerlearn.experiments import comparisons, dual
from peerlearn.harvest.models import OutcomeStory
from peerlearn.harvest.reach import programme_reach
from peerlearn.mel import access as mel_rules
from peerlearn.mel import services as mel_services
from peerlearn.mel.network import graph_for
from peerlearn.people.models import Organisation
from peerlearn.programmes.permissions import access_for
from peerlearn.theory import services as theory_services
from peerlearn.theory.models import EvidenceTie, TheoryOfChange
from tests.evidence.test_figures import dashboard_url, pdf_text, report_url
from tests.experiments.conftest import ARM_SIZE, PUBLISHED_TABLE, peer_contact_survey
from tests.experiments.test_dual_pages import _capabilities, health_world
from tests.experiments.test_published_table import build_experiment
from tests.harvest.conftest import ask, make_story
from tests.harvest.test_reach import SHARED, _answer, _followup, _people
from tests.mel.conftest import learned
from tests.progress.conftest import file_check_in, make_round


def figures_for(world, persona="facilitator", *, outside=False, **scope):
    access = access_for(world.users[persona], world.programme)
    return headline_figures(Scope(world.programme, **scope), access, outside=outside)


def section_of(figures, key, role="facilitator"):
    return next(s for s in sections(figures, role) if s.key == key)


def texts(section) -> str:
    parts = [section.note, *section.notes]
    parts += [f"{line.label}: {line.value}" for line in section.lines]
    parts += [str(chart.shares()) for chart in section.all_charts()]
    parts += [str(table.rows) + str(table.notes) for table in section.tables]
    return "\n".join(parts)


# ----------------------------------------------------------------- exchanges


def exchanges(world):
    """participant ⇄ peer, peer → module facilitator three times (who never gives back), and
    one more from peer to participant inside a group's check-in."""
    ghana = Organisation.objects.create(name="Ghana Treasury", country="GH")
    world.people["peer"].organisation = ghana
    world.people["peer"].country = "GH"
    world.people["peer"].save()
    learned(world, "participant", "peer")
    learned(world, "peer", "participant", when=date(2026, 3, 3))
    for day in (4, 5, 6):
        learned(world, "module_facilitator", "peer", when=date(2026, 3, day))
    learned(
        world,
        "participant",
        "peer",
        when=date(2026, 3, 9),
        source="checkin",
        group=world.group_a,
    )


def test_mutuality_figures_are_the_ledgers_and_the_networks(world, settings):
    settings.PEERLEARN_MIN_RESPONDENTS = 3
    exchanges(world)
    access = access_for(world.users["facilitator"], world.programme)
    figure = figures_for(world).mutuality
    people = mel_rules.programme_people(world.programme)
    visible = mel_rules.visible_exchanges(access, world.programme, None)
    ledger = mel_services.ledger(
        mel_services.as_records(visible), people.values_list("pk", flat=True), {}
    )
    assert figure.exchanges == ledger.count == 6
    assert (figure.ties_returned.part, figure.ties_returned.whole) == (
        ledger.returned_ties,
        ledger.all_ties,
    )
    assert (figure.pairs_mutual.part, figure.pairs_mutual.whole) == (
        ledger.census.mutual,
        ledger.census.connected,
    )
    assert figure.one_way.part == len(ledger.flags) == 1  # the module facilitator only receives
    assert (figure.one_way.whole, figure.resources, figure.recipients) == (3, 0, 1)
    from peerlearn.engine import network

    graph, _labels = graph_for(visible, people, "person", programme=world.programme, names=False)
    cross = network.metrics(graph).cross
    assert (figure.cross_organisation.part, figure.cross_organisation.whole) == cross[
        "organisation"
    ]
    assert (figure.cross_country.part, figure.cross_country.whole) == cross["country"]
    assert cross["country"] == (3, 3)
    text = texts(section_of(figures_for(world), "mutuality"))
    assert "Ties returned (edgewise reciprocity): 2 of 3" in text
    assert "Pairs learning both ways (dyadic reciprocity): 1 of 2" in text
    assert "One-way relationships (of people with 3 exchanges or more): 1 of 3" in text
    assert "Ties across countries (of ties where both are known): 3 of 3" in text


def test_mutuality_below_k_shows_no_figure(world, settings):
    settings.PEERLEARN_MIN_RESPONDENTS = 5
    exchanges(world)
    figure = figures_for(world).mutuality
    assert figure.exchanges == 6 and figure.people == 3 and not figure.shown
    assert figure.ties_returned.suppressed and figure.one_way.suppressed
    section = section_of(figures_for(world), "mutuality")
    assert [line.value for line in section.lines] == ["6"]
    assert "Fewer than 5 people took part" in section.note
    assert section.charts == []


def test_the_cohort_and_period_narrow_the_exchanges(world, settings):
    settings.PEERLEARN_MIN_RESPONDENTS = 1
    exchanges(world)
    assert figures_for(world, cohort=world.module).mutuality.exchanges == 0
    assert figures_for(world, cohort=world.event).mutuality.exchanges == 6
    assert figures_for(world, start=date(2026, 3, 4), end=date(2026, 3, 5)).mutuality.exchanges == 2


# ----------------------------------------------------------------- stories


def stories(world):
    """Four stories: one of each visibility, and one more shared with the evaluators."""
    substantiated = make_story(world, "private", title="Private and substantiated")
    item, token = ask(substantiated)
    assert item.redeem(token, "full", "Yes")
    partly = make_story(world, "evaluators", title="Partly", kind="policy")
    for answer, email in (("full", "a@example.org"), ("partly", "b@example.org")):
        item, token = ask(partly, email=email)
        assert item.redeem(token, answer, "")
    disputed = make_story(world, "published", title="Disputed", kind="behaviour")
    item, token = ask(disputed)
    assert item.redeem(token, "not", "It was not them")
    make_story(world, "evaluators", title="Unverified", kind="action", positive=False)


def test_stories_by_kind_and_verification_substantiated_first(world):
    stories(world)
    figure = figures_for(world).stories
    expected = {s.pk: s.verification for s in OutcomeStory.objects.all()}
    assert {line.pk: line.verification for line in figure.stories} == expected
    assert [line.title for line in figure.stories] == [
        "Private and substantiated",
        "Partly",
        "Unverified",
        "Disputed",
    ]
    assert figure.by_verification == [
        ("substantiated", 1),
        ("partly", 1),
        ("unverified", 1),
        ("disputed", 1),
    ]
    assert dict(figure.by_kind) == {"practice": 1, "policy": 1, "behaviour": 1, "action": 1}
    text = texts(section_of(figures_for(world), "stories"))
    assert "Substantiated by the people asked: 1 of 4" in text
    assert "Negative changes: 1 of 4" in text


def test_evaluators_never_count_stories_private_to_the_facilitators(world, login):
    stories(world)
    figure = figures_for(world, "evaluator").stories
    assert figure.total == 3 and figure.substantiated.part == 0
    assert "Private and substantiated" not in [line.title for line in figure.stories]
    html = login(world.users["evaluator"]).get(dashboard_url(world.programme)).content.decode()
    assert "Private and substantiated" not in html and "Disputed" in html


def test_report_leaves_out_check_in_exchanges_and_private_stories(world, login, settings):
    settings.PEERLEARN_MIN_RESPONDENTS = 1
    exchanges(world)
    stories(world)
    client = login(world.users["facilitator"])
    own = client.get(dashboard_url(world.programme)).context["figures"]
    assert own.mutuality.exchanges == 6 and own.stories.total == 4 and not own.outside
    for response in (
        client.get(report_url(world.programme)),
        client.get(dashboard_url(world.programme, "?view=funder")),
        client.get(dashboard_url(world.programme, "?view=evaluator")),
        login(world.users["evaluator"]).get(dashboard_url(world.programme, "?view=facilitator")),
    ):
        figures = response.context["figures"]
        assert figures.mutuality.exchanges == 5  # the check-in exchange is the group's
        assert figures.stories.total == 3
        html = response.content.decode()
        assert "Private and substantiated" not in html
    report = client.get(report_url(world.programme)).context
    assert report["figures"].products is None  # the programme keeps them from evaluators
    products = next(s for s in report["sections"] if s.key == "products")
    assert "keeps the groups' products to its facilitators" in products.note
    pdf = pdf_text(client.get(report_url(world.programme, pdf=True)).content)
    assert "Partly" in pdf and "Private and substantiated" not in pdf
    assert "private to the group: left out" in pdf


def test_a_cohort_keeps_the_stories_of_its_groups_and_people(world):
    stories(world)
    assert figures_for(world, cohort=world.event).stories.total == 4
    assert figures_for(world, cohort=world.module).stories.total == 0


# ----------------------------------------------------------------- reach


def test_reach_figures_are_the_harvest_pages(world):
    survey = _followup(world, k=3)
    for person in _people(world, "Treasury", 4):
        _answer(survey, person, {**SHARED, "shared_how_many": 5, "shared_form": ["report_back"]})
    for person in _people(world, "Statistics", 2):
        _answer(survey, person, {"in_contact": "no", "shared": "no"})
    access = access_for(world.users["evaluator"], world.programme)
    expected = programme_reach(world.programme, access)
    figure = figures_for(world, "evaluator").reach
    assert figure.shown and figure.respondents == expected.respondents == 6
    assert (figure.shared.part, figure.shared.whole) == (
        expected.total.shared,
        expected.total.respondents,
    )
    assert figure.people_reached == expected.total.people == 20
    assert dict(figure.audiences) == expected.total.audiences == {"manager": 4, "team": 4}
    section = section_of(figures_for(world, "evaluator"), "reach")
    text = texts(section)
    assert "Shared what they learned: 4 of 6" in text
    assert "People reached, as the respondents counted them: 20" in text
    chart = next(c for c in section.charts if c.key == "chart-reach-audience")
    assert [share for _label, _count, share in chart.shares()] == ["4 of 4", "4 of 4"]


def test_reach_below_k_shows_no_figure(world):
    survey = _followup(world, k=3)
    for person in _people(world, "Treasury", 2):
        _answer(survey, person, SHARED)
    figure = figures_for(world).reach
    assert (figure.respondents, figure.shown, figure.audiences) == (2, False, [])
    section = section_of(figures_for(world), "reach")
    assert "Fewer than 3 follow-up responses" in section.note
    assert [line.value for line in section.lines] == ["2"] and section.charts == []


# ----------------------------------------------------------------- theory of change


def approved_theory(world):
    user = world.users["facilitator"]
    theory = theory_services.theory_for(world.programme)
    theory_services.approve(theory.revisions.get(number=1), user)
    theory_map = theory_services.draft_map(theory)
    activity = next(n for n in theory_map.nodes if n.kind == "activity")
    capability = next(n for n in theory_map.nodes if n.kind == "capability")
    EvidenceTie.objects.create(theory=theory, element=activity.id, kind="check_ins")
    file_check_in(world, world.group_a, make_round(world), completed="A first draft")
    theory_services.override(theory, capability.id, "contested", "Peers disagree", user)
    return theory, activity, capability


def test_theory_of_change_with_evidence_status_per_node(world):
    theory, activity, capability = approved_theory(world)
    figure = figures_for(world, "evaluator").theory
    theory_map = theory_services.revision_map(theory_services.approved_revision(theory))
    statuses = theory_services.statuses(theory, theory_map)
    assert figure.revision == 1
    assert {n.id: n.status for n in figure.nodes} == {
        k: r.status for k, r in statuses.items() if k in {n.id for n in theory_map.nodes}
    }
    nodes = {n.id: n for n in figure.nodes}
    assert nodes[activity.id].status == "supported" and nodes[activity.id].supports == 1
    assert nodes[capability.id].status == "contested" and nodes[capability.id].overridden
    total = len(theory_map.nodes)
    untested = total - 2
    section = section_of(figures_for(world, "evaluator"), "theory")
    text = texts(section)
    assert f"Nodes supported: 1 of {total}" in text
    assert f"Nodes untested: {untested} of {total}" in text
    assert "Contested · set by a facilitator" in text


def test_a_programme_without_a_theory_gets_none_created(world, login):
    response = login(world.users["facilitator"]).get(dashboard_url(world.programme))
    assert response.status_code == 200
    assert TheoryOfChange.objects.count() == 0
    assert "No theory of change approved yet." in response.content.decode()


# ----------------------------------------------------------------- experiments


def test_experiments_show_each_arm_with_its_denominator_and_p_value(world, login):
    facilitator = login(world.users["facilitator"])
    survey = peer_contact_survey(world, facilitator)
    experiment = build_experiment(world, facilitator, survey)
    (found,) = figures_for(world, "evaluator").experiments
    assert found.name == experiment.name and len(found.outcomes) == len(PUBLISHED_TABLE)
    results = comparisons.compare_experiment(experiment)
    for outcome, result, key in zip(found.outcomes, results, PUBLISHED_TABLE, strict=True):
        participants, control = PUBLISHED_TABLE[key]
        assert [(a.count, a.n) for a in outcome.arms] == [
            (participants, ARM_SIZE),
            (control, ARM_SIZE),
        ]
        assert outcome.contrasts[0].p_value == result.comparison.contrasts[0].p_value
        assert "small_arm" in outcome.flags
    section = section_of(figures_for(world, "evaluator"), "experiments")
    table = section.tables[0]
    assert table.rows[0][1].startswith(f"{PUBLISHED_TABLE['lasting'][0]} of {ARM_SIZE}")
    assert table.rows[1][3].endswith("(Fisher's exact test)")
    assert any("Small numbers" in note for note in table.notes)
    assert table.chart is not None and table.chart.shares() == [
        ("Review participants", 8, "8 of 11"),
        ("Control group", 9, "9 of 11"),
    ]


def test_experiment_arm_below_k_shows_no_figure(world, login):
    facilitator = login(world.users["facilitator"])
    survey = peer_contact_survey(world, facilitator)
    build_experiment(world, facilitator, survey)
    survey.instrument.min_respondents = ARM_SIZE + 1
    survey.instrument.save(update_fields=["min_respondents"])
    (found,) = figures_for(world).experiments
    for outcome in found.outcomes:
        assert all(a.suppressed and a.n is None and a.count is None for a in outcome.arms)
        assert outcome.contrasts == []
    text = texts(section_of(figures_for(world), "experiments"))
    assert f"fewer than {ARM_SIZE + 1}: not shown" in text
    assert f"of {ARM_SIZE}" not in text


# ----------------------------------------------------------------- dual tracking


def test_partnership_health_and_results_are_dual_trackings(world):
    plan = [(5, 5, 3, 3), (4, 2, 0, 3), (2, 2, 2, 3), (2, 3, 0, 3), (3, 3, 1, 3)]
    health_world(world, plan)
    tracking = dual.dual_tracking(world.programme)
    figure = figures_for(world, "evaluator").dual
    assert figure.r == tracking.correlation.r and figure.correlation_n == 5
    assert (figure.placed.part, figure.placed.whole) == (5, len(tracking.rows))
    assert dict(figure.quadrants) == {
        "healthy_productive": 1,
        "healthy_closed": 1,
        "transactional_delivering": 2,
        "struggling": 1,
    }
    assert figure.echo_chambers == 1
    section = section_of(figures_for(world, "evaluator"), "dual")
    text = texts(section)
    assert f"Groups with a health figure (k or more answers): 5 of {len(tracking.rows)}" in text
    assert "Echo chamber warnings (high trust, little challenge): 1 of 5" in text
    assert "correlation r = " in text and "over 5 groups" in text
    assert section.charts[0].shares()[0] == ("Healthy and productive", 1, "1 of 5")


def test_dual_group_below_k_is_not_placed(world):
    from peerlearn.surveys.models import Instrument

    health_world(world, [(4, 4, 2, 3), (2, 2, 0, 2)])
    figure = figures_for(world).dual
    assert figure.placed.part == 1 and dict(figure.quadrants) == {"healthy_productive": 1}
    text = texts(section_of(figures_for(world), "dual"))
    assert "Fewer than four groups can be shown: no correlation yet." in text
    Instrument.objects.filter(builtin="partnership_health").update(anonymity="anonymous")
    section = section_of(figures_for(world), "dual")
    assert "cannot be split by group: left out" in texts(section)
    assert section.note == "No partnership-health survey yet."


def test_capability_change_is_paired_and_k_suppressed(world):
    _capabilities(world, k=3, people=3)
    figure = figures_for(world).dual
    rows = {(c.capability, c.level): c for c in figure.capabilities}
    commit = rows["commit", "individual"]
    assert not commit.suppressed and commit.n == 3 and commit.change == pytest.approx(2.0)
    table = section_of(figures_for(world), "capabilities").tables[0]
    assert table.rows[0] == ["Commit and engage", "Individual", "3", "1.00", "3.00", "+2.00"]


def test_capability_below_k_is_not_shown(world):
    from peerlearn.surveys.models import Instrument

    _capabilities(world, k=3, people=3)
    Instrument.objects.filter(builtin="capabilities").update(min_respondents=4)
    figure = figures_for(world).dual
    assert all(c.suppressed and c.n is None and c.change is None for c in figure.capabilities)
    table = section_of(figures_for(world), "capabilities").tables[0]
    assert table.rows[0][2] == "fewer than 4 people answered both: not shown"
    assert "3.00" not in str(table.rows)


# ----------------------------------------------------------------- one computation, every page


def everything(world, login):
    exchanges(world)
    stories(world)
    approved_theory(world)
    survey = _followup(world, k=1)
    for person in _people(world, "Treasury", 3):
        _answer(survey, person, SHARED)
    health_world(world, [(4, 4, 2, 3), (3, 2, 0, 3)])
    _capabilities(world, k=2, people=2)
    facilitator = login(world.users["facilitator"])
    build_experiment(world, facilitator, peer_contact_survey(world, facilitator))
    return facilitator


MEL = ("mutuality", "stories", "reach", "theory", "experiments", "dual", "capabilities")


def test_dashboard_and_report_show_the_same_mel_figures(world, login, settings):
    settings.PEERLEARN_MIN_RESPONDENTS = 2
    client = everything(world, login)
    dashboard = client.get(dashboard_url(world.programme, "?view=funder"))
    report = client.get(report_url(world.programme))
    assert dashboard.status_code == report.status_code == 200
    assert dashboard.context["figures"] == report.context["figures"]
    shown = {s.key: s for s in dashboard.context["sections"]}
    printed = {s.key: s for s in report.context["sections"]}
    for key in MEL:
        assert texts(shown[key]) == texts(printed[key]), key
        assert not shown[key].note.startswith("No "), (key, shown[key].note)
    html = report.content.decode()
    for chart in [c for key in MEL for c in printed[key].all_charts()]:
        assert f'aria-labelledby="{chart.key}-title"' in html and f'id="{chart.key}-data"' in html
    pdf = client.get(report_url(world.programme, pdf=True))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = pdf_text(pdf.content)
    for key in MEL:
        for line in printed[key].lines:
            assert line.value in text, (key, line)
        for table in printed[key].tables:
            for row in table.rows:
                assert row[0][:20] in text, (key, row)


def test_an_empty_programme_says_there_is_no_data_yet(world, login):
    page = login(world.users["evaluator"]).get(dashboard_url(world.programme))
    assert page.status_code == 200
    notes = {s.key: s.note for s in page.context["sections"]}
    assert notes["mutuality"] == "No learning exchange recorded yet."
    assert notes["stories"] == "No outcome story harvested yet."
    assert notes["reach"] == "No follow-up survey asking what was shared yet."
    assert notes["theory"] == "No theory of change approved yet."
    assert notes["experiments"] == "No experiment set up yet."
    assert notes["dual"] == "No group yet." or notes["dual"] == "No partnership-health survey yet."
    assert notes["capabilities"].startswith("Capability change needs two")


def test_whole_programme_sections_say_so_when_a_cohort_is_chosen(world, login):
    response = login(world.users["facilitator"]).get(
        dashboard_url(world.programme, f"?cohort={world.event.pk}")
    )
    notes = {s.key: s.notes for s in response.context["sections"]}
    for key in ("theory", "experiments", "dual", "capabilities"):
        assert any("For the whole programme" in n for n in notes[key]), key
    assert not any("For the whole programme" in n for n in notes["mutuality"])
    assert reverse("evidence:dashboard", args=[world.programme.slug])


def test_the_figures_take_as_many_queries_for_many_people_as_for_few(world, login, settings):
    """Counted in the database, never person by person: more people, the same queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from peerlearn.objectives.models import LearningObjective

    settings.PEERLEARN_MIN_RESPONDENTS = 2
    everything(world, login)
    access = access_for(world.users["facilitator"], world.programme)
    survey = _followup(world, k=1)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            headline_figures(Scope(world.programme), access)
        return len(captured.captured_queries)

    def more(organisation: str) -> None:
        people = _people(world, organisation, 8)
        for giver, receiver in zip(people, people[1:], strict=False):
            mel_services.record_exchange(
                world.programme,
                giver=giver,
                receiver=receiver,
                when=date(2026, 4, 1),
                kind="advice",
                learned="x",
                recorded_by=receiver,
            )
        for person in people:
            _answer(survey, person, SHARED)
            LearningObjective.objects.create(
                programme=world.programme,
                person=person,
                statement="s",
                why="w",
                success_sign="x",
                start_rating=1,
                achievement=3,
            )
        make_story(world, "evaluators", title=f"Story of {organisation}")

    more("Audit")
    few = queries()
    more("Customs")
    more("Revenue")
    assert queries() == few
