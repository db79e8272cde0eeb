"""Pairs report like groups: publishing pairs writes a pair ``Group`` per pair.

Real database, real publishing (``matching.publishing``), real pages. The
pair of the tests is the participant and the module facilitator (who takes
part in the event cohort); the peer is in another group and in no pair.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from peerlearn.matching import services
from peerlearn.matching.models import PublishedPair
from peerlearn.programmes.models import Group, GroupMember, GroupNote, Membership
from peerlearn.progress.models import CheckIn
from tests.conftest import make_person
from tests.matching.conftest import fake_run
from tests.progress.conftest import file_check_in, make_round, pair_group, pairs_run, publish

pytestmark = pytest.mark.django_db


def members(group: Group) -> set[str]:
    return set(group.members.values_list("email", flat=True))


def add_participant(world, key: str):
    person = make_person(key, world.people["peer"].organisation)
    Membership.objects.create(
        person=person, programme=world.programme, cohort=world.event, role="participant"
    )
    return person


def test_publishing_pairs_writes_one_pair_group_per_pair_and_trio(world):
    p = world.people
    x, y = add_participant(world, "xavier"), add_participant(world, "yara")
    run = pairs_run(
        world, {"P1": [p["participant"], p["module_facilitator"]], "P2": [p["peer"], x, y]}
    )
    publish(run)
    pairs = Group.objects.filter(kind="pair").order_by("name")
    assert [g.name for g in pairs] == ["Pair P1", "Pair P2"]
    assert all(g.source_run_id == run.pk and not g.is_archived for g in pairs)
    assert members(pairs[0]) == {"participant@example.org", "module_facilitator@example.org"}
    assert members(pairs[1]) == {"peer@example.org", "xavier@example.org", "yara@example.org"}
    # every row of the trio points at the one group of its label
    assert {r.label: r.group_id for r in PublishedPair.objects.filter(run=run)} == {
        "P1": pairs[0].pk,
        "P2": pairs[1].pk,
    }
    assert PublishedPair.objects.filter(run=run, label="P2").count() == 3
    # hand-made groups are groups
    assert Group.objects.get(pk=world.group_a.pk).kind == "group"


def test_publishing_the_same_pairs_again_keeps_their_groups_and_check_ins(world):
    group = pair_group(world)
    round = make_round(world)
    file_check_in(world, group, round, completed="Agreed the plan")
    run = group.source_run
    outcome = publish(run)
    assert outcome.archived == 0
    assert list(Group.objects.filter(kind="pair").values_list("pk", flat=True)) == [group.pk]
    assert GroupMember.objects.filter(group=group).count() == 2
    assert CheckIn.objects.get(round=round).group_id == group.pk
    assert not Group.objects.filter(archived_at__isnull=False).exists()


def test_a_new_pairs_run_archives_earlier_pairs_only(world, login):
    p = world.people
    grouping = fake_run(world)  # Group G1 and G2, published
    old = pair_group(world)
    GroupNote.objects.create(group=old, author=p["participant"], text="Our pair's notes")
    file_check_in(world, old, make_round(world), completed="Met twice")
    second = pairs_run(world, {"P1": [p["participant"], p["peer"]]})
    client = login(world.users["facilitator"])
    page = client.get(reverse("matching:run_publish", args=[world.programme.slug, second.pk]))
    body = page.content.decode()
    assert "These move to the earlier pairs" in body and 'id="archive-groups">1<' in body
    # the token of what was shown must still hold
    publish(second, confirmed=page.context["preview"].token)
    old.refresh_from_db()
    assert old.is_archived and members(old) == {
        "participant@example.org",
        "module_facilitator@example.org",
    }
    assert GroupNote.objects.filter(group=old).exists() and CheckIn.objects.filter(group=old)
    new = Group.objects.get(kind="pair", archived_at__isnull=True)
    assert new.source_run == second and members(new) == {
        "participant@example.org",
        "peer@example.org",
    }
    grouping_ids = set(grouping.result["group_ids"].values())
    current = set(Group.objects.filter(archived_at__isnull=True).values_list("pk", flat=True))
    assert grouping_ids | {world.group_a.pk, world.group_b.pk, new.pk} == current


def test_publishing_groups_leaves_the_pairs_current(world):
    first = fake_run(world)
    pair = pair_group(world)
    second = fake_run(world, published=False)
    first_ids = tuple(sorted(first.result["group_ids"].values()))
    assert services.publish_preview(second).group_ids == first_ids  # no pair among them
    assert publish(second).archived == 2
    archived = Group.objects.filter(archived_at__isnull=False).values_list("pk", flat=True)
    assert tuple(sorted(archived)) == first_ids
    pair.refresh_from_db()
    assert not pair.is_archived and members(pair) == {
        "participant@example.org",
        "module_facilitator@example.org",
    }


def test_a_stale_pairs_preview_publishes_nothing(world):
    p = world.people
    pair_group(world)
    second = pairs_run(world, {"P1": [p["participant"], p["peer"]]})
    outcome = services.publish(second, second.version, confirmed="")
    assert outcome.stale_preview and not outcome.ok
    second.refresh_from_db()
    assert second.published_at is None
    assert Group.objects.filter(kind="pair", archived_at__isnull=True).count() == 1


def test_a_pair_member_files_a_check_in_and_the_partner_reads_it(world, login):
    group = pair_group(world)
    round = make_round(world)
    url = reverse("progress:check_in", args=[world.programme.slug, group.pk, round.pk])
    client = login(world.users["participant"])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"completed": "Visited the registry together", "stuck": "", "progress": "3"}
    )
    assert response.status_code == 302
    check_in = CheckIn.objects.get(round=round)
    assert check_in.group_id == group.pk and check_in.author == world.people["participant"]
    page = login(world.users["module_facilitator"]).get(
        reverse("progress:group", args=[world.programme.slug, group.pk])
    )
    body = page.content.decode()
    assert "Visited the registry together" in body and "Only this pair" in body
    # the peer (another group, no pair) is told nothing exists; the facilitator reads only
    assert login(world.users["peer"]).get(url).status_code == 404
    assert login(world.users["facilitator"]).get(url).status_code == 403


def test_my_pair_links_to_the_pairs_page(world, login):
    group = pair_group(world)
    page = login(world.users["participant"]).get(
        reverse("matching:my_pair", args=[world.programme.slug, world.event.pk])
    )
    assert reverse("progress:group", args=[world.programme.slug, group.pk]) in page.content.decode()


def test_facilitators_see_pairs_side_by_side_and_counted_today(world, login):
    group = pair_group(world)
    round = make_round(world, title="This week", due=timezone.localdate() + timedelta(days=1))
    file_check_in(world, group, round, stuck="We cannot get the data")
    file_check_in(world, world.group_a, round, completed="Draft")
    client = login(world.users["facilitator"])
    grid = client.get(reverse("progress:overview", args=[world.programme.slug]))
    rows = grid.context["rows"]
    assert [r["group"].name for r in rows] == ["Group A", "Group B", "Pair P1"]
    assert "Group or pair" in grid.content.decode()
    page = client.get(reverse("programmes:detail", args=[world.programme.slug])).content.decode()
    panel = page.split("Check-ins and products")[1]
    assert "checked in: 2 of 3" in panel
    assert "Group B" in panel.split("Not yet:")[1].split("<br>")[0]
    assert "Pair P1" in panel.split("Stuck:")[1]
    assert 'class="pairs"' in page and "Pairs:" in page


def test_the_pair_member_sees_the_pairs_check_in_due(world, login):
    group = pair_group(world)
    make_round(world, title="This week", due=timezone.localdate() + timedelta(days=1))
    page = login(world.users["module_facilitator"]).get(
        reverse("programmes:detail", args=[world.programme.slug])
    )
    panel = page.content.decode().split("Your group&#x27;s work")[1]
    assert "Pair P1" in panel and "File the check-in" in panel
    assert reverse("progress:group", args=[world.programme.slug, group.pk]) in panel


def test_the_grid_pages_through_groups_then_pairs(world, login, monkeypatch):
    from peerlearn.progress import views

    monkeypatch.setattr(views, "GRID_GROUPS_PER_PAGE", 2)
    group = pair_group(world)
    Group.objects.create(cohort=world.event, name="Zeta team")
    file_check_in(world, group, make_round(world), completed="Met")
    client = login(world.users["facilitator"])
    url = reverse("progress:overview", args=[world.programme.slug])
    first = client.get(url, {"cohort": world.event.pk})
    assert [r["group"].name for r in first.context["rows"]] == ["Group A", "Group B"]
    assert "Page 1 of 2 (4 groups and pairs)" in first.content.decode()
    second = client.get(url, {"cohort": world.event.pk, "page": 2})
    rows = second.context["rows"]
    assert [r["group"].name for r in rows] == ["Zeta team", "Pair P1"]
    assert rows[1]["cells"][0].completed == "Met" and rows[0]["cells"] == [None]


def test_the_data_package_tells_pairs_from_groups(world):
    from peerlearn.programmes import package

    group = pair_group(world)
    (table,) = [
        t for t in package.tables(world.programme, world.users["facilitator"]) if t.name == "groups"
    ]
    names = [c.name for c in table.columns]
    kinds = {row[0]: row[names.index("kind")] for row in table.rows}
    assert kinds[group.pk] == "pair" and kinds[world.group_a.pk] == "group"
