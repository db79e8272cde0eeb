"""The programme ledger's snapshots: recomputed by a task when exchanges change, read by the page.

The immediate task backend (the tests' default) computes inside the write;
the database backend queues, and ``db_worker`` does the work, as in production.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from peerlearn.mel import services, snapshots
from peerlearn.mel.models import Exchange, MutualityRecompute, MutualitySnapshot
from peerlearn.programmes.models import Membership
from peerlearn.programmes.permissions import access_for
from tests.conftest import make_person
from tests.mel.conftest import learned

DAY = date(2026, 3, 2)
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def snapshot(world, audience="programme") -> services.Figures:
    row = MutualitySnapshot.objects.get(programme=world.programme, audience=audience)
    return services.Figures.from_json(row.figures)


def ledger_page(client, world) -> str:
    return client.get(reverse("mel:ledger", args=[world.programme.slug])).content.decode()


def test_snapshot_updates_when_an_exchange_is_added(world):
    learned(world, "participant", "peer")
    assert snapshot(world).count == 1
    learned(world, "peer", "participant", when=DAY + timedelta(days=1))
    found = snapshot(world)
    assert found.count == 2 and found.census.mutual == 1
    state = MutualityRecompute.objects.get(programme=world.programme)
    assert (state.pending, state.started_at, state.progress) == (False, None, 100)
    # Confirming changes no figure: no recompute.
    before = MutualitySnapshot.objects.get(programme=world.programme, audience="programme")
    first = Exchange.objects.get(giver=world.people["peer"])
    services.confirm_exchange(first, world.people["peer"])
    after = MutualitySnapshot.objects.get(programme=world.programme, audience="programme")
    assert after.as_of == before.as_of


def test_evaluators_snapshot_leaves_check_in_exchanges_out(world):
    learned(world, "participant", "peer")
    learned(world, "peer", "participant", source="checkin", group=world.group_a)
    assert snapshot(world, "programme").count == 2
    assert snapshot(world, "evaluator").count == 1


@pytest.mark.django_db(transaction=True)
def test_one_recompute_waits_per_programme_and_the_worker_claims_it(world):
    with override_settings(TASKS=DATABASE_QUEUE):
        for days in range(3):
            learned(world, "participant", "peer", when=DAY + timedelta(days=days))
        assert DBTaskResult.objects.count() == 1, "debounced: one task for three exchanges"
        assert MutualityRecompute.objects.get(programme=world.programme).pending
        assert not MutualitySnapshot.objects.exists(), "nothing computed inside the writes"
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
        assert snapshot(world).count == 3
        assert not MutualityRecompute.objects.get(programme=world.programme).pending
        # Claimed once: a second run of the task finds nothing waiting.
        assert snapshots.recompute(world.programme.pk) is False
        learned(world, "peer", "participant", when=DAY)
        assert DBTaskResult.objects.count() == 2, "a later exchange enqueues the next one"


@pytest.mark.django_db(transaction=True)
def test_page_shows_the_last_snapshot_its_time_and_the_progress_of_the_next(world, login):
    learned(world, "participant", "peer")
    client = login(world.users["facilitator"])
    page = ledger_page(client, world)
    assert "1 exchange recorded" in page and "Figures as of" in page
    assert "Recomputing" not in page
    with override_settings(TASKS=DATABASE_QUEUE):
        learned(world, "peer", "participant", when=DAY + timedelta(days=1))
        page = ledger_page(client, world)
        assert "1 exchange recorded" in page, "the last snapshot, until the next is built"
        assert "Recomputing… 0 %" in page
        MutualityRecompute.objects.filter(programme=world.programme).update(
            started_at=timezone.now(), progress=40
        )
        assert 'Recomputing… 40 % <progress max="100" value="40">' in ledger_page(client, world)
        MutualityRecompute.objects.filter(programme=world.programme).update(started_at=None)
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    page = ledger_page(client, world)
    assert "2 exchanges recorded" in page and "Recomputing" not in page


def test_page_reads_the_snapshot_in_a_bounded_number_of_queries(
    world, login, django_assert_max_num_queries
):
    learned(world, "participant", "peer")
    row = MutualitySnapshot.objects.get(programme=world.programme, audience="programme")
    row.figures = {**row.figures, "count": 4242}
    row.save()
    client = login(world.users["facilitator"])
    with django_assert_max_num_queries(16):
        page = ledger_page(client, world)
    assert "4242 exchanges recorded" in page, "the figures come from the snapshot"
    # Forty more people, each giving once: as many queries as before.
    for i in range(40):
        person = make_person(f"extra{i}", world.people["peer"].organisation, with_user=False)
        Membership.objects.create(person=person, programme=world.programme, role="participant")
        services.record_exchange(
            world.programme,
            giver=person,
            receiver=world.people["peer"],
            when=DAY,
            kind="advice",
            learned="Costing",
            recorded_by=None,
        )
    with django_assert_max_num_queries(16):
        page = ledger_page(client, world)
    assert "41 exchanges recorded" in page


def test_writes_that_send_no_signal_are_caught_by_the_fingerprint(world, login):
    learned(world, "participant", "peer")
    Exchange.objects.bulk_create(
        [
            Exchange(
                programme=world.programme,
                giver=world.people["participant"],
                receiver=world.people["peer"],
                when=DAY,
                learned="Bulk",
            )
        ]
    )
    assert snapshot(world).count == 1, "bulk_create sends no signal"
    client = login(world.users["facilitator"])
    assert "2 exchanges recorded" in ledger_page(client, world)
    Exchange.objects.filter(learned="Bulk").delete()
    assert "1 exchange recorded" in ledger_page(client, world)


@pytest.mark.django_db(transaction=True)
def test_a_large_programme_without_a_snapshot_says_it_is_being_computed(world, login, monkeypatch):
    monkeypatch.setattr(snapshots, "LIVE_LIMIT", 0)
    client = login(world.users["facilitator"])
    with override_settings(TASKS=DATABASE_QUEUE):
        learned(world, "participant", "peer")
        page = ledger_page(client, world)
        assert "being computed" in page and 'http-equiv="refresh"' in page
        assert "exchange recorded" not in page
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    page = ledger_page(client, world)
    assert "1 exchange recorded" in page and 'http-equiv="refresh"' not in page


@pytest.mark.django_db(transaction=True)
def test_a_small_programme_without_a_snapshot_is_computed_in_the_request(world, login):
    client = login(world.users["facilitator"])
    with override_settings(TASKS=DATABASE_QUEUE):
        learned(world, "participant", "peer")
        page = ledger_page(client, world)
    assert "1 exchange recorded" in page and "Recomputing… 0 %" in page
    assert "Figures as of" not in page


def test_a_recompute_lost_with_its_worker_is_asked_again(world, login):
    learned(world, "participant", "peer")
    long_ago = timezone.now() - snapshots.STALE_AFTER - timedelta(minutes=1)
    MutualityRecompute.objects.filter(programme=world.programme).update(
        pending=True, requested_at=long_ago
    )
    Exchange.objects.bulk_create(
        [
            Exchange(
                programme=world.programme,
                giver=world.people["participant"],
                receiver=world.people["peer"],
                when=DAY,
                learned="Bulk",
            )
        ]
    )
    client = login(world.users["facilitator"])
    page = ledger_page(client, world)
    assert "2 exchanges recorded" in page and "Recomputing" not in page


def test_who_reads_which_snapshot(world):
    def audience(persona):
        person = world.people[persona]
        access = access_for(person.user, world.programme)
        return snapshots.audience_for(access, world.programme, person)

    assert audience("facilitator") == "programme"
    assert audience("evaluator") == "evaluator"
    assert audience("module_facilitator") is None, "a cohort's facilitator: live, their scope"
    # An evaluator who is a side of a check-in exchange sees it: not the shared snapshot.
    Membership.objects.create(
        person=world.people["evaluator"],
        programme=world.programme,
        cohort=world.event,
        role="participant",
    )
    learned(world, "evaluator", "participant", source="checkin", group=world.group_a)
    assert audience("evaluator") is None


def test_evaluators_page_shows_their_snapshot_never_check_in_exchanges(world, login):
    learned(world, "participant", "peer")
    learned(world, "peer", "participant", source="checkin", group=world.group_a)
    page = ledger_page(login(world.users["evaluator"]), world)
    assert "1 exchange recorded" in page and "2 exchanges recorded" not in page
    page = ledger_page(login(world.users["facilitator"]), world)
    assert "2 exchanges recorded" in page


def test_long_lists_show_the_busiest_and_say_how_many_more(world, login, monkeypatch):
    monkeypatch.setattr(services, "SHOWN", 2)
    for key in ("participant", "module_facilitator", "observer"):
        learned(world, key, "peer")
    page = ledger_page(login(world.users["facilitator"]), world)
    assert "The busiest are shown; 2 more are in the data package." in page
    assert page.count('data-label="Who"') == 2


def test_group_and_organisation_ledgers_are_linked_with_their_names_escaped(world, login):
    world.group_a.name = "<b>A & B</b>"
    world.group_a.save()
    page = ledger_page(login(world.users["facilitator"]), world)
    link = reverse("mel:group", args=[world.programme.slug, world.group_a.pk])
    assert f'<a href="{link}">&lt;b&gt;A &amp; B&lt;/b&gt;</a>' in page
    assert "<b>A & B</b>" not in page
    organisation = world.people["peer"].organisation
    link = reverse("mel:organisation", args=[world.programme.slug, organisation.pk])
    assert f'<a href="{link}">{organisation.name}</a>' in page


def test_a_snapshot_from_before_it_counted_known_outcomes_is_recomputed(world, login):
    learned(world, "participant", "peer", applied="no")
    row = MutualitySnapshot.objects.get(programme=world.programme, audience="evaluator")
    row.figures = {k: v for k, v in row.figures.items() if k != "applied_known"}
    row.save()
    assert snapshots.read(world.programme, "evaluator").figures.applied_known == 1
    row.refresh_from_db()
    assert row.figures["applied_known"] == 1
