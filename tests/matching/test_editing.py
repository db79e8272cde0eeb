"""Editing that works: swaps, recomputed reasons and figures, moving back, names, exports, mail.

Real engine, real database, real CSV/XLSX files and the memory mail backend.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.core import mail
from django.urls import reverse

from peerlearn.engine.grouping import score_grouping
from peerlearn.matching import services
from peerlearn.matching.models import MatchingRun, Move
from peerlearn.matching.reading import cohort_people, to_engine
from peerlearn.people.models import Person
from peerlearn.programmes.models import Group
from tests.matching.conftest import group_form

pytestmark = pytest.mark.django_db


def full_groups_run(client, world, add_participants) -> MatchingRun:
    """12 people in two full groups of 6 (every single move breaks a size rule)."""
    add_participants(9)
    url = reverse("matching:run_new", args=[world.programme.slug, world.event.pk, "groups"])
    response = client.post(
        url, group_form(min_size=6, max_size=6, max_per_organisation="", avoid_repeats=None)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    run = MatchingRun.objects.latest("pk")
    assert run.status == "done", run.error
    assert sorted(map(len, run.run_result.groups_in_order().values())) == [6, 6]
    return run


def url(world, run, name) -> str:
    return reverse(f"matching:{name}", args=[world.programme.slug, run.pk])


def two_in_different_groups(run) -> tuple[str, str]:
    groups = list(run.run_result.groups_in_order().values())
    return groups[0][0], groups[1][0]


def expected_cohesion(run) -> float:
    """The cohesion of the run's current groups, computed afresh by the engine."""
    people = to_engine(cohort_people(run.cohort), run.cohort.programme_id)
    solved = score_grouping(
        people, run.run_result.assignment, weights=run.run_parameters.criteria()
    )
    return round(solved.cohesion, 4)


def test_swap_in_full_groups_is_one_step_and_recomputes_reasons_and_figures(
    world, login, add_participants
):
    client = login(world.users["facilitator"])
    run = full_groups_run(client, world, add_participants)
    a, b = two_in_different_groups(run)
    home_a, home_b = run.result["assignment"][a], run.result["assignment"][b]

    # A single move is refused for the size rule, as before.
    refused = client.post(
        url(world, run, "run_move"), {"person": a, "to_group": home_b, "version": run.version}
    )
    assert refused.status_code == 302
    run.refresh_from_db()
    assert run.version == 1 and not Move.objects.exists()

    response = client.post(
        url(world, run, "run_swap"),
        {"person": a, "other": b, "version": run.version, "reason": "closer problems"},
        follow=True,
    )
    body = response.content.decode()
    assert "Swapped:" in body, body[:3000]
    run.refresh_from_db()
    stored = run.run_result
    assert stored.assignment[a] == home_b and stored.assignment[b] == home_a
    assert sorted(map(len, stored.groups_in_order().values())) == [6, 6]
    assert run.version == 2 and Move.objects.filter(run=run).count() == 2
    assert stored.problems == []
    # Reasons recomputed: a's closest peers are now members of a's new group.
    new_group = set(stored.groups_in_order()[home_b]) - {a}
    assert stored.members[a]["closest"] and set(stored.members[a]["closest"]) <= new_group
    assert stored.members[a]["moved"] is True and stored.members[a]["home"] == home_a
    # Quality figures recomputed for the edited grouping.
    assert run.quality["cohesion"] == expected_cohesion(run)
    assert run.quality["people"] == 12
    assert body.count("moved by hand") == 2

    # Swapping back: nobody is "moved by hand" any more.
    client.post(url(world, run, "run_swap"), {"person": a, "other": b, "version": run.version})
    run.refresh_from_db()
    assert run.result["assignment"][a] == home_a and run.version == 3
    assert not run.result["members"][a]["moved"] and not run.result["members"][b]["moved"]
    assert "moved by hand" not in client.get(run.get_absolute_url()).content.decode()
    assert run.quality["cohesion"] == expected_cohesion(run)


def test_swapping_a_locked_member_is_refused_with_their_name(world, login, add_participants):
    client = login(world.users["facilitator"])
    run = full_groups_run(client, world, add_participants)
    a, b = two_in_different_groups(run)
    client.post(url(world, run, "run_lock"), {"person": a, "lock": "1", "version": run.version})
    run.refresh_from_db()
    assert a in run.result["locked"]
    version = run.version
    body = client.post(
        url(world, run, "run_swap"), {"person": b, "other": a, "version": version}, follow=True
    ).content.decode()
    name = Person.objects.get(pk=int(a)).name
    assert f"{name} is locked in group" in body and "unlock them first" in body
    run.refresh_from_db()
    assert run.version == version and not Move.objects.exists()


@pytest.mark.parametrize(
    ("person", "other", "message"),
    [
        ("same", "same", "Choose two different people."),
        ("999999", "a", "This person is not in this run."),
        ("a", "mate", "both in group"),
    ],
)
def test_bad_swaps_are_refused_clearly(world, login, add_participants, person, other, message):
    client = login(world.users["facilitator"])
    run = full_groups_run(client, world, add_participants)
    a, _b = two_in_different_groups(run)
    mate = run.run_result.groups_in_order()[run.result["assignment"][a]][1]
    ids = {"same": a, "a": a, "mate": mate}
    response = client.post(
        url(world, run, "run_swap"),
        {"person": ids.get(person, person), "other": ids.get(other, other), "version": 1},
        follow=True,
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert not Move.objects.exists()


def test_a_move_back_home_clears_the_moved_mark(world, login, add_participants):
    add_participants(9)
    client = login(world.users["facilitator"])
    start = reverse("matching:run_new", args=[world.programme.slug, world.event.pk, "groups"])
    client.post(start, group_form(min_size=2, max_size=8, max_per_organisation=""))
    run = MatchingRun.objects.latest("pk")
    pid, home = next(iter(run.result["assignment"].items()))
    other = next(label for label in run.result["labels"] if label != home)
    client.post(url(world, run, "run_move"), {"person": pid, "to_group": other, "version": 1})
    run.refresh_from_db()
    assert run.result["members"][pid]["moved"] is True
    client.post(url(world, run, "run_move"), {"person": pid, "to_group": home, "version": 2})
    run.refresh_from_db()
    assert run.result["assignment"][pid] == home
    assert run.result["members"][pid]["moved"] is False
    assert "moved by hand" not in client.get(run.get_absolute_url()).content.decode()


def test_facilitator_names_groups_and_the_name_is_published(world, login, add_participants):
    client = login(world.users["facilitator"])
    run = full_groups_run(client, world, add_participants)
    first, second = run.result["labels"][:2]
    response = client.post(
        url(world, run, "run_rename"),
        {"label": first, "name": "  Getting   ministries on board ", "version": run.version},
        follow=True,
    )
    assert "Group name saved." in response.content.decode()
    run.refresh_from_db()
    assert run.result["groups"][first]["name"] == "Getting ministries on board"
    assert "Getting ministries on board" in client.get(run.get_absolute_url()).content.decode()

    for bad, message in [
        ("getting ministries ON BOARD", "already called"),
        ("x" * 81, "at most 80 characters"),
        ("tab\x00null", "control characters"),
    ]:
        body = client.post(
            url(world, run, "run_rename"),
            {"label": second, "name": bad, "version": run.version},
            follow=True,
        ).content.decode()
        assert message in body, bad
    run.refresh_from_db()
    assert not run.result["groups"][second].get("name")

    assert services.publish(run, run.version).ok
    assert Group.objects.filter(source_run=run, name="Getting ministries on board").exists()
    run.refresh_from_db()
    client.post(
        url(world, run, "run_rename"),
        {"label": first, "name": "VAT and informal firms", "version": run.version},
    )
    assert Group.objects.filter(source_run=run, name="VAT and informal firms").exists()
    # The name survives a swap (the explanation is recomputed, the name kept).
    run.refresh_from_db()
    a, b = two_in_different_groups(run)
    assert services.swap_members(run, a, b, run.version, by=None).ok
    run.refresh_from_db()
    assert run.result["groups"][first]["name"] == "VAT and informal firms"


def test_groups_export_as_csv_and_xlsx(world, login, add_participants):
    from openpyxl import load_workbook

    client = login(world.users["facilitator"])
    run = full_groups_run(client, world, add_participants)
    label = run.result["labels"][0]
    services.rename_group(run, label, "=Reform team", run.version)

    response = client.get(url(world, run, "run_export") + "?format=csv")
    assert response["Content-Disposition"].endswith(f'groups-run-{run.pk}.csv"')
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["Group", "Group name", "Name", "E-mail"]
    assert len(rows) == 13
    named = [r for r in rows[1:] if r[0] == label]
    assert len(named) == 6 and all(r[1] == "'=Reform team" for r in named)  # no formula
    assert {r[2] for r in rows[1:]} == {
        p.name for p in Person.objects.filter(pk__in=[int(i) for i in run.result["assignment"]])
    }

    response = client.get(url(world, run, "run_export") + "?format=xlsx")
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    cells = [list(row) for row in book["groups"].iter_rows(values_only=True)]
    assert cells[0][0] == "Group" and len(cells) == 13
    assert client.get(url(world, run, "run_export") + "?format=pdf").status_code == 404


def test_publishing_mails_each_member_their_group_in_their_language(world, login, add_participants):
    client = login(world.users["facilitator"])
    run = full_groups_run(client, world, add_participants)
    spanish = Person.objects.get(pk=int(next(iter(run.result["assignment"]))))
    spanish.languages = ["es", "en"]  # still shares English with the group
    spanish.save()
    mail.outbox.clear()
    response = client.post(url(world, run, "run_publish"), {"version": run.version}, follow=True)
    run.refresh_from_db()
    assert run.published_at, response.content.decode()[:3000]
    with_email = Person.objects.filter(pk__in=[int(i) for i in run.result["assignment"]]).exclude(
        email=""
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in with_email)
    mine = next(m for m in mail.outbox if m.to == [spanish.email])
    assert "grupo" in mine.subject.lower() and "my-group" in mine.body
    english = next(m for m in mail.outbox if m.to != [spanish.email])
    assert "Your peer-learning group" in english.subject
    # Group-mates are named; challenges are not.
    run.refresh_from_db()
    label = run.result["assignment"][str(spanish.pk)]
    mate = next(pid for pid in run.run_result.groups_in_order()[label] if pid != str(spanish.pk))
    assert Person.objects.get(pk=int(mate)).name in mine.body
    assert "reform team" not in mine.body.lower()
