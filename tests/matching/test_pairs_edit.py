"""Changing finished pairs by hand: re-pair, force, conflicts, locks, published pairs.

Real database and real engine: 4 external peers (capacity 4) and 11 local peers.
"""

from __future__ import annotations

from collections import Counter

import pytest
from django.urls import reverse

from peerlearn.matching.models import MatchingRun, Move, PublishedPair
from peerlearn.programmes.models import Group, GroupMember, GroupNote
from tests.matching.conftest import group_form

pytestmark = pytest.mark.django_db


def start_pairs(client, world, **overrides) -> MatchingRun:
    url = reverse("matching:run_new", args=[world.programme.slug, world.event.pk, "pairs"])
    data = {"mode": "external-local", "capacity": 4, **overrides}
    response = client.post(url, group_form(**data))
    assert response.status_code == 302
    run = MatchingRun.objects.latest("pk")
    assert run.kind == "pairs" and run.status == "done", run.error
    return run


def run_url(world, run, name) -> str:
    return reverse(f"matching:{name}", args=[world.programme.slug, run.pk])


def partner_of(run, pid: str) -> str:
    return next(p["a"] for p in run.result["pairs"] if p["b"] == pid)


def setting(world, login, add_participants):
    people = add_participants(12, external=4)
    client = login(world.users["facilitator"])
    run = start_pairs(client, world)
    externals = [str(p.pk) for p in people[:4]]
    local = str(people[5].pk)
    old = partner_of(run, local)
    load = Counter(p["a"] for p in run.result["pairs"])
    new = min((e for e in externals if e != old), key=lambda e: load[e])
    return client, run, people, local, old, new


def test_repair_allowed_is_recorded_as_a_move(world, login, add_participants):
    client, run, _people, local, old, new = setting(world, login, add_participants)
    old_label = next(p["label"] for p in run.result["pairs"] if p["b"] == local)
    old_count = len([p for p in run.result["pairs"] if p["a"] == old])
    page = client.get(run.get_absolute_url()).content.decode()
    assert 'id="repair-form"' in page
    response = client.post(
        run_url(world, run, "run_repair"),
        {"person": local, "partner": new, "version": run.version},
        follow=True,
    )
    assert "re-paired" in response.content.decode()
    run.refresh_from_db()
    assert partner_of(run, local) == new and run.version == 2
    assert len([p for p in run.result["pairs"] if p["a"] == old]) == old_count - 1
    assert len(run.result["pairs"]) == 11 and run.result["problems"] == []
    move = Move.objects.get(run=run)
    assert move.person_id == int(local) and move.source == "facilitator"
    assert move.from_group == old_label
    assert move.to_group == next(p["label"] for p in run.result["pairs"] if p["b"] == local)


def test_repair_refused_then_forced_then_publish_refused(world, login, add_participants):
    client, run, people, local, _old, _new = setting(world, login, add_participants)
    other_local = str(people[6].pk)
    before = MatchingRun.objects.get(pk=run.pk)
    response = client.post(
        run_url(world, run, "run_repair"),
        {"person": local, "partner": other_local, "version": run.version},
        follow=True,
    )
    body = response.content.decode()
    assert "Not re-paired" in body and "is not an external peer" in body
    after = MatchingRun.objects.get(pk=run.pk)
    assert after.result == before.result and after.version == before.version
    assert not Move.objects.exists()
    # Forced: saved, the problems are listed and publishing is refused.
    client.post(
        run_url(world, run, "run_repair"),
        {"person": local, "partner": other_local, "version": run.version, "force": "1"},
    )
    run.refresh_from_db()
    assert run.result["problems"] and Move.objects.count() == 1
    assert 'id="problems"' in client.get(run.get_absolute_url()).content.decode()
    response = client.post(
        run_url(world, run, "run_publish"), {"version": run.version}, follow=True
    )
    assert "Not published" in response.content.decode()
    run.refresh_from_db()
    assert run.published_at is None and not PublishedPair.objects.exists()


def test_repair_with_a_stale_version_is_a_conflict(world, login, add_participants):
    client, run, _people, local, old, new = setting(world, login, add_participants)
    label = run.result["pairs"][0]["label"]
    client.post(run_url(world, run, "run_lock"), {"pair": label, "lock": "1", "version": 1})
    before = MatchingRun.objects.get(pk=run.pk)
    assert before.version == 2
    response = client.post(
        run_url(world, run, "run_repair"),
        {"person": local, "partner": new, "version": 1},
        follow=True,
    )
    assert "Someone else changed this run" in response.content.decode()
    after = MatchingRun.objects.get(pk=run.pk)
    assert after.result == before.result and after.version == 2
    assert partner_of(after, local) == old and not Move.objects.exists()


def test_locked_pair_is_kept_on_rerun(world, login, add_participants):
    client, run, _people, local, _old, new = setting(world, login, add_participants)
    client.post(run_url(world, run, "run_repair"), {"person": local, "partner": new, "version": 1})
    run.refresh_from_db()
    label = next(p["label"] for p in run.result["pairs"] if p["b"] == local)
    client.post(run_url(world, run, "run_lock"), {"pair": label, "lock": "1", "version": 2})
    run.refresh_from_db()
    assert run.result["locked_pairs"] == [label] and run.version == 3
    assert "Unlock pair" in client.get(run.get_absolute_url()).content.decode()
    response = client.post(run_url(world, run, "run_rerun"), {"seed": 99})
    rerun = MatchingRun.objects.latest("pk")
    assert response["Location"] == rerun.get_absolute_url()
    assert rerun.parent == run and rerun.status == "done", rerun.error
    assert rerun.parameters["locked_pairs"] == [[new, local, label]]
    assert partner_of(rerun, local) == new
    assert rerun.result["locked_pairs"] == ["L1"]
    assert len(rerun.result["pairs"]) == 11 and rerun.result["problems"] == []
    # Unlock.
    client.post(run_url(world, run, "run_lock"), {"pair": label, "lock": "0", "version": 3})
    run.refresh_from_db()
    assert run.result["locked_pairs"] == []


def test_repair_updates_published_pairs(world, login, add_participants):
    client, run, _people, local, old, new = setting(world, login, add_participants)
    client.post(run_url(world, run, "run_publish"), {"version": 1})
    run.refresh_from_db()
    assert run.published_at and PublishedPair.objects.get(run=run, b_id=int(local)).a_id == int(old)
    client.post(run_url(world, run, "run_repair"), {"person": local, "partner": new, "version": 2})
    run.refresh_from_db()
    assert run.version == 3 and partner_of(run, local) == new
    assert PublishedPair.objects.filter(run=run).count() == 11
    assert PublishedPair.objects.get(run=run, b_id=int(local)).a_id == int(new)


def test_repair_of_published_pairs_keeps_their_pair_groups_in_step(world, login, add_participants):
    client, run, _people, local, old, new = setting(world, login, add_participants)
    client.post(run_url(world, run, "run_publish"), {"version": 1})
    run.refresh_from_db()
    before = {r.label: r.group_id for r in PublishedPair.objects.filter(run=run)}
    mine = PublishedPair.objects.get(run=run, b_id=int(local)).group
    GroupNote.objects.create(group=mine, text="What we agreed")
    client.post(run_url(world, run, "run_repair"), {"person": local, "partner": new, "version": 2})
    rows = list(PublishedPair.objects.filter(run=run).select_related("group"))
    people: dict[int, set[int]] = {}
    for row in rows:
        assert row.group.kind == "pair" and not row.group.is_archived
        people.setdefault(row.group_id, set()).update({row.a_id, row.b_id})
    for group_id, ids in people.items():
        assert (
            set(GroupMember.objects.filter(group_id=group_id).values_list("person_id", flat=True))
            == ids
        )
    current = Group.objects.filter(kind="pair", archived_at__isnull=True)
    assert set(current.values_list("pk", flat=True)) == set(people)
    assert people[PublishedPair.objects.get(run=run, b_id=int(local)).group_id] == {
        int(local),
        int(new),
    }
    # pairs nobody touched keep their group; nothing is deleted
    untouched = [r for r in rows if int(local) not in (r.a_id, r.b_id)]
    assert all(before.get(r.label) == r.group_id for r in untouched if r.label in before)
    assert GroupNote.objects.filter(text="What we agreed").count() == 1


def test_peer_mode_repair_leaves_partners_alone_until_they_are_paired(
    world, login, add_participants
):
    add_participants(9)  # 12 people: 6 peer pairs
    client = login(world.users["facilitator"])
    run = start_pairs(client, world, mode="peer", capacity="", max_per_organisation="")
    pairs = [p for p in run.result["pairs"] if len({p["a"], p["b"]}) == 2]
    (a, b), (c, d) = (pairs[0]["a"], pairs[0]["b"]), (pairs[1]["a"], pairs[1]["b"])
    url = run_url(world, run, "run_repair")
    response = client.post(url, {"person": a, "partner": c, "version": 1}, follow=True)
    assert "has no partner" in response.content.decode()
    client.post(url, {"person": a, "partner": c, "version": 1, "force": "1"})
    run.refresh_from_db()
    assert sorted(run.result["left_out"]) == sorted([b, d]) and run.result["problems"]
    client.post(url, {"person": b, "partner": d, "version": 2})
    run.refresh_from_db()
    assert run.version == 3 and run.result["problems"] == [] and run.result["left_out"] == []
    assert Move.objects.filter(run=run).count() == 2
    client.post(run_url(world, run, "run_publish"), {"version": 3})
    run.refresh_from_db()
    assert run.published_at and PublishedPair.objects.filter(run=run).count() == 6
