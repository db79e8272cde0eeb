"""Dual tracking page: health per group, k-suppression, quadrants, correlation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from scipy import stats

from peerlearn.experiments import dual
from peerlearn.people.models import Person
from peerlearn.programmes.models import Cohort, GroupMember, Membership
from peerlearn.progress.models import Product
from peerlearn.surveys import answering, sending
from peerlearn.surveys.library import install_builtin
from peerlearn.surveys.models import Instrument, Invitation, Survey

K = 3
DIMENSIONS = ("trust", "openness", "mutual_interest", "challenge", "two_way", "power_balance")


def health_world(world, plan):
    """Groups answering partnership health; ``plan``: (score, challenge, products, members)."""
    cohort = Cohort.objects.create(programme=world.programme, name="Partnerships")
    instrument = install_builtin(world.programme, "partnership_health")
    instrument.min_respondents = K
    instrument.save(update_fields=["min_respondents"])
    survey = Survey.objects.create(
        instrument=instrument,
        programme=world.programme,
        cohort=cohort,
        title="Health at midpoint",
        opens_at=timezone.now() - timedelta(hours=1),
    )
    groups = []
    for g, (_score, _challenge, products, members) in enumerate(plan):
        group = cohort.groups.create(name=f"Partnership {g}")
        groups.append(group)
        for m in range(members):
            person = Person.objects.create(name=f"G{g}M{m}", email=f"g{g}m{m}@example.org")
            Membership.objects.create(
                person=person, programme=world.programme, cohort=cohort, role="participant"
            )
            GroupMember.objects.create(group=group, person=person)
        for _ in range(products):
            Product.objects.create(group=group, title="p", kind="other", state="accepted")
    sending.ensure_invitations(survey)
    for invitation in Invitation.objects.filter(survey=survey).select_related("person"):
        group_index = int(invitation.person.name[1:].split("M")[0])
        score, challenge, _products, _members = plan[group_index]
        data = {d: str(score) for d in DIMENSIONS}
        data["challenge"] = str(challenge)
        assert answering.submit(invitation, data, "en").ok
    return groups


@pytest.mark.django_db
def test_a_group_below_k_shows_no_health(world, login):
    groups = health_world(world, [(4, 4, 2, K), (2, 2, 0, K - 1)])
    tracking = dual.dual_tracking(world.programme)
    rows = {r.group.pk: r for r in tracking.rows}
    assert rows[groups[0].pk].latest.score == pytest.approx(4.0)
    assert rows[groups[1].pk].latest is None
    html = (
        login(world.users["evaluator"])
        .get(reverse("experiments:dual", args=[world.programme.slug]))
        .content.decode()
    )
    assert "too few answers" in html
    assert html.count('class="group-dot"') == 1
    assert "Fewer than four groups can be shown: no correlation yet." in html


@pytest.mark.django_db
def test_quadrants_echo_chamber_and_correlation(world, login):
    plan = [(5, 5, 3, K), (4, 2, 0, K), (2, 2, 2, K), (2, 3, 0, K), (3, 3, 1, K)]
    groups = health_world(world, plan)
    tracking = dual.dual_tracking(world.programme)
    rows = {r.group.pk: r for r in tracking.rows}
    assert rows[groups[0].pk].quadrant == "healthy_productive"
    assert rows[groups[1].pk].quadrant == "healthy_closed"
    assert rows[groups[1].pk].flags == ["echo_chamber"]
    assert rows[groups[2].pk].quadrant == "transactional_delivering"
    assert rows[groups[3].pk].quadrant == "struggling"
    xs = [rows[g.pk].latest.score for g in groups]
    ys = [rows[g.pk].results for g in groups]
    assert tracking.correlation.r == pytest.approx(stats.pearsonr(xs, ys).statistic)
    html = (
        login(world.users["facilitator"])
        .get(reverse("experiments:dual", args=[world.programme.slug]))
        .content.decode()
    )
    assert "Healthy but closed" in html and "Echo chamber?" in html
    assert "Correlation r =" in html
    assert html.count('class="group-dot"') == len(groups)


@pytest.mark.django_db
def test_anonymous_health_surveys_are_left_out(world, login):
    groups = health_world(world, [(4, 4, 2, K)])
    Instrument.objects.filter(builtin="partnership_health").update(anonymity="anonymous")
    tracking = dual.dual_tracking(world.programme)
    assert tracking.anonymous_surveys == 1
    rows = {r.group.pk: r for r in tracking.rows}
    assert rows[groups[0].pk].latest is None and rows[groups[0].pk].series == []
    html = (
        login(world.users["facilitator"])
        .get(reverse("experiments:dual", args=[world.programme.slug]))
        .content.decode()
    )
    assert "Anonymous partnership-health surveys cannot be split by group" in html


def _capabilities(world, k, people):
    instrument = install_builtin(world.programme, "capabilities")
    instrument.min_respondents = k
    instrument.save(update_fields=["min_respondents"])
    cohort = Cohort.objects.create(programme=world.programme, name="Capable")
    for i in range(people):
        person = Person.objects.create(name=f"C{i}", email=f"cap{i}@example.org")
        Membership.objects.create(
            person=person, programme=world.programme, cohort=cohort, role="participant"
        )
    names = [
        f"{level}_{c}"
        for level in ("me", "org")
        for c in ("commit", "deliver", "relate", "balance", "adapt")
    ]
    for days, rating in ((30, "1"), (1, "3")):
        survey = Survey.objects.create(
            instrument=instrument,
            programme=world.programme,
            cohort=cohort,
            title=f"Capabilities {days}",
            opens_at=timezone.now() - timedelta(days=days),
        )
        sending.ensure_invitations(survey)
        for invitation in Invitation.objects.filter(survey=survey):
            data = dict.fromkeys(names, rating)
            data["org_adapt"] = "2"
            assert answering.submit(invitation, data, "en").ok


@pytest.mark.django_db
def test_capability_change_is_paired_and_k_suppressed(world, login):
    _capabilities(world, k=3, people=3)
    tracking = dual.dual_tracking(world.programme)
    rows = {(c.capability, c.level): (c, hidden) for c, hidden in tracking.capabilities}
    change, hidden = rows["commit", "individual"]
    assert not hidden and change.n == 3 and change.change == pytest.approx(2.0)
    assert rows["adapt", "institutional"][0].change == pytest.approx(0.0)
    Instrument.objects.filter(builtin="capabilities").update(min_respondents=4)
    html = (
        login(world.users["evaluator"])
        .get(reverse("experiments:dual", args=[world.programme.slug]))
        .content.decode()
    )
    assert "Fewer than 4 people answered both: not shown" in html


def _story_for(world, group, answer, *, positive=True, visibility="evaluators"):
    from peerlearn.harvest.models import OutcomeStory, Substantiation

    story = OutcomeStory.objects.create(
        programme=world.programme,
        title=f"Change by {group.name} ({answer or 'unverified'})",
        description="What changed",
        social_actor="A unit",
        kind="practice",
        positive=positive,
        visibility=visibility,
    )
    story.groups.add(group)
    if answer:
        Substantiation.objects.create(
            story=story, name="S", email="s@example.org", answer=answer, answered_at=timezone.now()
        )
    return story


def _applied(world, giver, receiver, **kw):
    from datetime import date

    from peerlearn.mel import services

    values = {"kind": "advice", "learned": "x", "when": date(2026, 3, 2), "applied": "yes"}
    values.update(kw)
    return services.record_exchange(
        world.programme, giver=giver, receiver=receiver, recorded_by=None, **values
    )


@pytest.mark.django_db
def test_substantiated_stories_and_applied_exchanges_count_as_results(world, login):
    (group,) = health_world(world, [(4, 4, 0, K)])
    members = list(group.members.order_by("pk"))
    row = dual.dual_tracking(world.programme).rows[-1]
    assert (row.results, row.quadrant) == (0, "healthy_closed")

    _story_for(world, group, "full")
    _story_for(world, group, "partly")
    _story_for(world, group, "not")  # disputed: no result
    _story_for(world, group, "")  # unverified: no result
    _story_for(world, group, "full", positive=False)  # a negative change is no product
    _applied(world, members[0], members[1])  # inside the partnership
    _applied(world, members[1], members[0], applied="unknown")  # not applied
    _applied(world, world.people["peer"], members[2])  # from outside, not at a check-in
    _applied(world, world.people["peer"], members[2], kind="tool", source="checkin", group=group)
    row = {r.group.pk: r for r in dual.dual_tracking(world.programme).rows}[group.pk]
    assert (row.products, row.objectives, row.stories, row.applied_exchanges) == (0, 0, 2, 2)
    assert (row.results, row.quadrant) == (4, "healthy_productive")
    html = (
        login(world.users["facilitator"])
        .get(reverse("experiments:dual", args=[world.programme.slug]))
        .content.decode()
    )
    assert '<td class="stories">2</td><td class="applied">2</td>' in html


@pytest.mark.django_db
def test_stories_and_exchanges_count_only_where_the_reader_may_read_them(world, login):
    (group,) = health_world(world, [(4, 4, 0, K)])
    members = list(group.members.order_by("pk"))
    _story_for(world, group, "full", visibility="private")
    _story_for(world, group, "full", visibility="evaluators")
    _applied(world, members[0], members[1])
    _applied(world, world.people["peer"], members[2], source="checkin", group=group)
    url = reverse("experiments:dual", args=[world.programme.slug])

    def cells(persona):
        html = login(world.users[persona]).get(url).content.decode()
        start = html.index(f'data-group="{group.name}"')
        return html[start : html.index("</tr>", start)]

    assert '<td class="stories">2</td><td class="applied">2</td>' in cells("facilitator")
    # evaluators read neither private stories nor group check-in exchanges
    assert '<td class="stories">1</td><td class="applied">1</td>' in cells("evaluator")
