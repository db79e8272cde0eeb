"""Recording, confirming and reading exchanges; each privacy promise of docs/mel.md."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from peerlearn.audit.models import AuditEvent
from peerlearn.mel import access as rules
from peerlearn.mel import services
from peerlearn.mel.models import Exchange
from peerlearn.people.models import Organisation
from peerlearn.programmes.models import Membership
from peerlearn.programmes.permissions import access_for
from tests.conftest import make_person
from tests.mel.conftest import learned

DAY = date(2026, 3, 2)


def post_record(client, world, **data):
    payload = {"when": DAY.isoformat(), "kind": "advice", "learned": "Costing", "applied": "yes"}
    payload.update(data)
    return client.post(reverse("mel:record", args=[world.programme.slug]), payload)


def visible_to(world, persona):
    person = world.people[persona]
    found = rules.visible_exchanges(
        access_for(person.user, world.programme), world.programme, person
    )
    return set(found.values_list("pk", flat=True))


def test_participant_records_what_they_learned_and_the_other_side_confirms(world, login):
    client = login(world.users["participant"])
    response = post_record(client, world, giver=world.people["peer"].pk)
    assert response.status_code == 302
    exchange = Exchange.objects.get()
    assert (exchange.giver, exchange.receiver) == (
        world.people["peer"],
        world.people["participant"],
    )
    assert exchange.recorded_by == world.people["participant"] and exchange.applied == "yes"
    assert AuditEvent.objects.filter(action="exchange.record").count() == 1

    client = login(world.users["peer"])
    mine = client.get(reverse("mel:mine", args=[world.programme.slug]))
    assert "Waiting for your confirmation" in mine.content.decode()
    url = reverse("mel:confirm", args=[world.programme.slug, exchange.pk])
    assert client.post(url, {"note": "I learned their survey design too"}).status_code == 302
    exchange.refresh_from_db()
    assert exchange.confirmed_at is not None
    assert exchange.other_note == "I learned their survey design too"
    assert not services.pending_for(world.people["peer"], world.programme).exists()


def test_duplicate_exchange_gets_a_clear_message_and_nothing_is_written(world, login):
    learned(world)
    client = login(world.users["participant"])
    response = post_record(client, world, giver=world.people["peer"].pk)
    assert response.status_code == 200
    assert "already recorded: same people, same kind, same day" in response.content.decode()
    assert Exchange.objects.count() == 1
    # Another kind the same day is another exchange.
    assert post_record(client, world, giver=world.people["peer"].pk, kind="tool").status_code == 302


def test_self_loops_and_people_outside_the_programme_are_refused(world, login):
    client = login(world.users["participant"])
    for giver in (world.people["participant"], world.people["outsider"]):
        response = post_record(client, world, giver=giver.pk)
        assert "Choose someone in this programme." in response.content.decode()
    with pytest.raises(services.ExchangeError) as error:
        learned(world, "participant", "participant")
    assert error.value.code == "self_loop"
    with pytest.raises(services.ExchangeError) as error:
        learned(world, "participant", "outsider")
    assert error.value.code == "outside"
    assert Exchange.objects.count() == 0


def test_future_dates_are_refused(world, login):
    client = login(world.users["participant"])
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = post_record(client, world, giver=world.people["peer"].pk, when=tomorrow.isoformat())
    assert "cannot be in the future" in response.content.decode()


def test_facilitator_records_for_anyone_in_their_cohort_only(world, login):
    client = login(world.users["facilitator"])
    response = post_record(
        client, world, giver=world.people["participant"].pk, receiver=world.people["peer"].pk
    )
    assert response.status_code == 302
    exchange = Exchange.objects.get()
    assert exchange.other_side_ids() == {world.people["participant"].pk, world.people["peer"].pk}
    # The module's facilitator cannot record for people of the event.
    client = login(world.users["module_facilitator"])
    response = post_record(
        client,
        world,
        giver=world.people["participant"].pk,
        receiver=world.people["peer"].pk,
        kind="visit",
    )
    assert "Choose someone in this programme." in response.content.decode()
    assert Exchange.objects.count() == 1


def test_an_exchange_is_seen_by_its_two_people_facilitators_and_evaluators_only(world, login):
    exchange = learned(world)
    seen = {p for p in world.people if p != "outsider" and exchange.pk in visible_to(world, p)}
    assert seen == {"participant", "peer", "facilitator", "evaluator"}
    # The page says so, and shows it to them (not to the observer).
    client = login(world.users["evaluator"])
    page = client.get(
        reverse("mel:pair", args=[world.programme.slug, exchange.giver_id, exchange.receiver_id])
    )
    assert "How to cost a reform" in page.content.decode()
    client = login(world.users["observer"])
    assert client.get(reverse("mel:ledger", args=[world.programme.slug])).status_code == 403


def test_exchanges_recorded_in_a_group_check_in_are_kept_from_evaluators(world, login):
    exchange = learned(world, source="checkin", group=world.group_a, learned="Group A's secret")
    seen = {p for p in world.people if p != "outsider" and exchange.pk in visible_to(world, p)}
    assert seen == {"participant", "peer", "facilitator"}
    client = login(world.users["evaluator"])
    for name, args in [
        ("mel:ledger", []),
        ("mel:pair", [exchange.giver_id, exchange.receiver_id]),
        ("mel:person", [exchange.receiver_id]),
    ]:
        page = client.get(reverse(name, args=[world.programme.slug, *args])).content.decode()
        assert "Group A&#x27;s secret" not in page and "Group A's secret" not in page
        assert "1 exchange recorded" not in page


def test_ledger_shows_both_reciprocities_and_the_dyad_census(world, login):
    learned(world, "participant", "peer")
    learned(world, "peer", "participant", when=DAY + timedelta(days=1))
    learned(world, "participant", "observer")
    client = login(world.users["facilitator"])
    page = client.get(reverse("mel:ledger", args=[world.programme.slug])).content.decode()
    assert "Ties returned (edgewise reciprocity): 2 of 3 (0.67)" in page
    assert "Pairs learning both ways (dyadic reciprocity): 1 of 2 (0.50)" in page
    people = (
        Membership.objects.filter(programme=world.programme).values("person").distinct().count()
    )
    null = people * (people - 1) // 2 - 2
    assert f'data-label="No exchange">{null}<' in page


def test_one_way_flag_and_nudge_on_the_programme_page(world, login):
    for key in ("participant", "module_facilitator", "observer"):
        learned(world, key, "peer")
    client = login(world.users["facilitator"])
    page = client.get(reverse("programmes:detail", args=[world.programme.slug])).content.decode()
    assert "One-way relationships" in page and "gives, receives nothing" in page
    assert "Ask what they took back home" in page
    ledger = client.get(reverse("mel:ledger", args=[world.programme.slug])).content.decode()
    assert "gives, receives nothing" in ledger and "receives, gives nothing" not in ledger
    # Once learning flows back, the flag goes.
    learned(world, "peer", "participant", when=DAY + timedelta(days=3))
    page = client.get(reverse("programmes:detail", args=[world.programme.slug])).content.decode()
    assert "gives, receives nothing" not in page


def test_unanticipated_learning_is_highlighted(world, login):
    learned(world, "participant", "peer", learned="Land registry")
    learned(world, "peer", "participant", when=DAY + timedelta(days=60), learned="Their app")
    client = login(world.users["peer"])
    page = client.get(reverse("mel:person", args=[world.programme.slug, world.people["peer"].pk]))
    text = page.content.decode()
    assert "Unanticipated learning" in text
    assert "Peer Person</strong> gave 1 time to Participant Person" in text


def test_organisation_ledger_aggregates_people(world, login):
    statistics = Organisation.objects.create(name="Statistics Office", country="RW")
    visitor = make_person("visitor", statistics)
    Membership.objects.create(
        person=visitor, programme=world.programme, cohort=world.event, role="participant"
    )
    for key in ("participant", "peer"):
        services.record_exchange(
            world.programme,
            giver=visitor,
            receiver=world.people[key],
            when=DAY,
            kind="visit",
            learned="Census methods",
            recorded_by=world.people[key],
        )
    client = login(world.users["facilitator"])
    url = reverse("mel:organisation", args=[world.programme.slug, statistics.pk])
    page = client.get(url).content.decode()
    assert "Statistics Office" in page
    # Two exchanges from the office to the ministry: one tie, one way.
    assert "2 exchanges recorded" in page
    assert 'data-label="One way">1<' in page
    assert 'data-label="Given">2<' in page


def test_participants_name_only_people_they_may_see_listed(world, login):
    world.people["peer"].consent_to_contact = False
    world.people["peer"].save()
    client = login(world.users["participant"])
    response = post_record(client, world, giver=world.people["peer"].pk)
    assert "Choose someone in this programme." in response.content.decode()
    assert Exchange.objects.count() == 0


def test_the_check_in_step_records_group_material_from_another_group(world, login):
    client = login(world.users["participant"])
    group_page = reverse("progress:group", args=[world.programme.slug, world.group_a.pk])
    url = reverse("mel:group_learned", args=[world.programme.slug, world.group_a.pk])
    assert url in client.get(group_page).content.decode()
    payload = {
        "when": DAY.isoformat(),
        "kind": "advice",
        "learned": "Their land app",
        "applied": "no",
    }
    response = client.post(url, {**payload, "giver": world.people["peer"].pk})
    assert response.status_code == 302
    exchange = Exchange.objects.get()
    assert exchange.source == "checkin" and exchange.group == world.group_a
    assert exchange.pk not in visible_to(world, "evaluator")
    assert exchange.pk in visible_to(world, "peer")
    # A group-mate (or oneself) is not "another group".
    response = client.post(url, {**payload, "giver": world.people["participant"].pk})
    assert "Choose someone in this programme." in response.content.decode()
