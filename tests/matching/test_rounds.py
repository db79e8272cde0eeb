"""Publishing a new round keeps the earlier one; move requests are decided once.

Publishing archives the cohort's published groups (members and notes kept,
shown as earlier groupings) after a confirmation page that says how much moves;
two facilitators deciding one move request at once: exactly one wins, and only
the winner's decision is applied.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.urls import reverse

from peerlearn.audit.models import AuditEvent
from peerlearn.matching import services
from peerlearn.matching.models import MatchingRun, Move, MoveRequest
from peerlearn.programmes.models import Group, GroupMember, GroupNote
from tests.concurrency import at_once, tolerated
from tests.matching.conftest import fake_run

pytestmark = pytest.mark.django_db


def publish_url(world, run: MatchingRun) -> str:
    return reverse("matching:run_publish", args=[world.programme.slug, run.pk])


def confirmation(client, world, run: MatchingRun) -> tuple[str, dict[str, str]]:
    """The confirmation page and the form data it would send."""
    body = client.get(publish_url(world, run)).content.decode()
    fields = dict(re.findall(r'name="(version|replaces)" value="([^"]*)"', body))
    return body, fields


def count_in(body: str, element_id: str) -> int:
    found = re.search(rf'id="{element_id}">(\d+)<', body)
    assert found, element_id
    return int(found.group(1))


def test_confirmation_lists_what_moves_to_earlier_groupings_then_publishes(world, login):
    first = fake_run(world)
    g1 = first.result["group_ids"]["G1"]
    GroupNote.objects.create(group_id=g1, author=world.people["participant"], text="Round one")
    second = fake_run(world, published=False)
    client = login(world.users["facilitator"])

    body, fields = confirmation(client, world, second)
    assert "These move to the earlier groupings" in body
    assert count_in(body, "archive-groups") == 2
    assert count_in(body, "archive-members") == 3
    assert count_in(body, "archive-notes") == 1
    assert second.published_at is None and Group.objects.get(pk=g1).archived_at is None, (
        "opening the confirmation changes nothing"
    )

    response = client.post(publish_url(world, second), fields, follow=True)
    assert "Published" in response.content.decode()
    second.refresh_from_db()
    old = Group.objects.get(pk=g1)
    assert second.published_at and old.archived_at and old.source_run == first
    assert GroupNote.objects.filter(group=old, text="Round one").exists()
    assert GroupMember.objects.filter(group_id__in=first.result["group_ids"].values()).count() == 3
    event = AuditEvent.objects.get(action="matching.publish")
    assert event.detail == {"run": second.pk, "kind": "groups", "groups": 2, "archived_groups": 2}
    assert event.actor == world.users["facilitator"] and event.programme_id == world.programme.pk


def test_publishing_pairs_is_audited_with_the_pair_count(world, login):
    p = world.people
    run = MatchingRun.objects.create(
        cohort=world.event,
        kind="pairs",
        parameters={"mode": "peer"},
        status="done",
        result={
            "mode": "peer",
            "pairs": [{"label": "P1", "a": str(p["participant"].pk), "b": str(p["peer"].pk)}],
            "problems": [],
        },
    )
    client = login(world.users["facilitator"])
    _body, fields = confirmation(client, world, run)
    client.post(publish_url(world, run), fields)
    run.refresh_from_db()
    assert run.published_at
    event = AuditEvent.objects.get(action="matching.publish")
    assert event.detail == {"run": run.pk, "kind": "pairs", "pairs": 1, "archived_groups": 0}


def test_first_publish_says_nothing_is_affected(world, login):
    run = fake_run(world, published=False)
    body, fields = confirmation(login(world.users["facilitator"]), world, run)
    assert "No published groups of this cohort are affected" in body
    assert fields == {"version": str(run.version), "replaces": ""}


def test_publish_without_the_confirmation_of_the_current_groups_changes_nothing(world, login):
    first = fake_run(world)
    second = fake_run(world, published=False)
    client = login(world.users["facilitator"])
    response = client.post(publish_url(world, second), {"version": second.version})
    assert response.status_code == 302 and response["Location"] == publish_url(world, second)
    second.refresh_from_db()
    assert second.published_at is None
    assert not Group.objects.filter(archived_at__isnull=False).exists()
    assert services.current_published(world.event, "groups") == first
    assert not AuditEvent.objects.filter(action="matching.publish").exists()


def test_a_confirmation_made_stale_by_another_publish_is_refused(world, login):
    fake_run(world)
    second = fake_run(world, published=False)
    client = login(world.users["facilitator"])
    _body, fields = confirmation(client, world, second)
    third = fake_run(world)  # another facilitator publishes meanwhile
    response = client.post(publish_url(world, second), fields, follow=True)
    assert "changed since you looked" in response.content.decode()
    second.refresh_from_db()
    assert second.published_at is None
    assert services.current_published(world.event, "groups") == third


def test_the_current_grouping_is_not_published_twice(world, login):
    run = fake_run(world)
    client = login(world.users["facilitator"])
    body, _fields = confirmation(client, world, run)
    assert 'id="already-published"' in body and 'id="confirm-publish"' not in body
    outcome = services.publish(run, run.version)
    assert not outcome.ok and outcome.error
    assert not Group.objects.filter(archived_at__isnull=False).exists()


def test_my_group_shows_the_current_group_first_then_earlier_groupings(world, login):
    first = fake_run(world)
    old_g1 = first.result["group_ids"]["G1"]
    GroupNote.objects.create(group_id=old_g1, author=world.people["participant"], text="Old idea")
    second = fake_run(world)
    new_g1 = second.result["group_ids"]["G1"]
    participant = login(world.users["participant"])
    body = participant.get(
        reverse("matching:my_group", args=[world.programme.slug, world.event.pk])
    ).content.decode()
    current = body.index(f"/groups/{new_g1}/")
    earlier = body.index('id="earlier-groupings"')
    assert current < earlier < body.index(f"/groups/{old_g1}/")

    old_page = reverse("programmes:group", args=[world.programme.slug, old_g1])
    page = participant.get(old_page).content.decode()
    assert "Old idea" in page and 'id="earlier-grouping"' in page
    assert 'name="text"' not in page, "earlier groupings are read-only"
    assert participant.post(old_page, {"text": "late note"}).status_code == 403
    assert not GroupNote.objects.filter(text="late note").exists()

    detail = participant.get(world.programme.get_absolute_url()).content.decode()
    assert "Earlier groupings:" in detail and f"/groups/{old_g1}/" in detail
    # the peer was never in the old G1: it stays closed to them
    assert login(world.users["peer"]).get(old_page).status_code == 404


def test_avoid_repeats_still_counts_archived_rounds(world):
    first = fake_run(world)
    run = MatchingRun.objects.get(pk=first.pk)
    run.result = {**run.result, "assignment": dict.fromkeys(run.result["assignment"], "G1")}
    run.save()
    fake_run(world)  # archives the groups of the first round
    later = MatchingRun.objects.create(cohort=world.event, parameters={"avoid_repeats": True})
    pairs = services.history_pairs(later)
    p = world.people
    ids = sorted([str(p["participant"].pk), str(p["peer"].pk)])
    assert tuple(ids) in pairs, "met in the first round, whose groups are archived"


# ---------------------------------------------------------------- move requests


def pending_request(world) -> tuple[MatchingRun, MoveRequest]:
    run = fake_run(world)
    row = MoveRequest.objects.create(
        run=run, person=world.people["participant"], from_group="G1", reason="please"
    )
    return run, row


def test_a_second_decision_on_the_same_request_is_refused(world):
    run, row = pending_request(world)
    first = MoveRequest.objects.select_related("run").get(pk=row.pk)
    second = MoveRequest.objects.select_related("run").get(pk=row.pk)  # a second open page
    by_a, by_b = world.people["facilitator"], world.people["module_facilitator"]
    assert services.decide_request(first, True, "G2", run.version, by_a).ok
    late = services.decide_request(second, False, "", run.version, by_b)
    assert not late.ok and "already decided" in late.error
    row.refresh_from_db()
    assert row.status == "accepted" and row.decided_by == by_a
    assert Move.objects.filter(source="request").count() == 1


def test_a_refused_move_leaves_the_request_pending(world):
    run, row = pending_request(world)
    outcome = services.decide_request(row, True, "G2", run.version - 1, None)
    assert outcome.conflict
    row.refresh_from_db()
    assert row.status == "pending" and row.decided_at is None and not Move.objects.exists()


def test_deciding_is_audited(world, login):
    run, row = pending_request(world)
    client = login(world.users["facilitator"])
    url = reverse("matching:request_decide", args=[world.programme.slug, row.pk])
    client.post(url, {"decision": "decline", "version": run.version})
    client.post(url, {"decision": "accept", "to_group": "G2", "version": run.version})
    event = AuditEvent.objects.get(action="matching.move_decided")
    assert event.detail == {"request": row.pk, "decision": "declined"}
    assert event.target_id == str(row.pk) and event.programme_id == world.programme.pk
    assert not Move.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_facilitators_deciding_at_once_exactly_one_wins(world):
    run, row = pending_request(world)
    people = world.people
    deciders = [
        (MoveRequest.objects.select_related("run").get(pk=row.pk), True, people["facilitator"]),
        (MoveRequest.objects.select_related("run").get(pk=row.pk), False, people["evaluator"]),
    ]
    outcomes, failures = at_once(
        [
            lambda copy=copy, accept=accept, by=by: services.decide_request(
                copy, accept, "G2", run.version, by
            )
            for copy, accept, by in deciders
        ],
        timeout=60,
    )
    assert not tolerated(failures), failures
    winners = [o for o in outcomes if o.ok]
    assert len(winners) == 1, outcomes
    if connection.vendor != "sqlite":
        assert (
            len(outcomes) == 2 and "already decided" in next(o for o in outcomes if not o.ok).error
        )
    row.refresh_from_db()
    moved = Move.objects.filter(run=run, source="request").count()
    in_new_group = GroupMember.objects.filter(
        group_id=run.result["group_ids"]["G2"], person=people["participant"]
    ).exists()
    if row.status == "accepted":
        assert row.decided_by == people["facilitator"] and moved == 1 and in_new_group
    else:
        assert row.status == "declined" and row.decided_by == people["evaluator"]
        assert moved == 0 and not in_new_group


@pytest.mark.django_db(transaction=True)
def test_asking_to_move_twice_at_once_stores_one_request(world):
    """A double submit must not store two pending requests (each e-mails the facilitators)."""
    from django.core import mail
    from django.test import Client

    fake_run(world)
    url = reverse("matching:move_request", args=[world.programme.slug, world.event.pk])
    clients = []
    for _ in range(6):  # six presses: the check-then-create window is short
        client = Client()
        client.force_login(world.users["participant"])
        clients.append(client)
    _done, failures = at_once(
        [lambda c=c: c.post(url, {"reason": "Another group works on my topic."}) for c in clients]
    )
    assert tolerated(failures) == []
    assert MoveRequest.objects.filter(person=world.people["participant"]).count() == 1
    notified = {tuple(message.to) for message in mail.outbox}
    assert len(mail.outbox) == len(notified), "each facilitator told once"


def test_the_database_holds_one_pending_request_per_person(world):
    from django.db import IntegrityError, transaction

    run, _first = pending_request(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        MoveRequest.objects.create(
            run=run, person=world.people["participant"], from_group="G1", reason="again"
        )
    MoveRequest.objects.filter(run=run).update(status="declined")
    MoveRequest.objects.create(  # once decided, asking again is fine
        run=run, person=world.people["participant"], from_group="G1", reason="again"
    )
