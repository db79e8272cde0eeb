"""Every write of a challenge leaves a version: one test per path that writes them.

All of them go through ``peerlearn.intake.answers.write_answers``; each test
drives a real path (page, command line, admin, loader) and reads the versions
back from the database.
"""

from __future__ import annotations

import csv
import io
import time

import pytest
from django.db import OperationalError, connection
from django.urls import reverse

from peerlearn.cli import main
from peerlearn.intake import services
from peerlearn.intake.answers import Answers, Entry, write_answers
from peerlearn.intake.models import Challenge, IntakeInvitation, IntakeVersion, LearningExpectation
from peerlearn.people.models import Person
from peerlearn.programmes.models import Programme
from tests.concurrency import at_once


def versions(person, programme):
    return list(
        IntakeVersion.objects.filter(
            invitation__person=person, invitation__programme=programme
        ).order_by("number")
    )


def challenge_texts(person, programme):
    rows = Challenge.objects.filter(person=person, programme=programme).order_by("position")
    return [c.text for c in rows]


def roster_csv(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["email", "name", "country", "challenge_1", "challenge_2", "expectation_1"])
    writer.writerows(rows)
    return buffer.getvalue().encode()


def test_intake_link_versions_each_submission(world, client):
    invitation = services.invitation_for(world.people["peer"], world.programme)
    url = reverse("intake:answer", args=[invitation.issue_token()])
    data = {"n_challenges": "3", "n_expectations": "1", "challenge_1": "Teams"}
    data |= {"challenge_2": "Budgets", "challenge_3": "Land", "expectation_1": "Peers"}
    assert client.post(url, data).status_code == 200
    assert client.post(url, data).status_code == 200  # unchanged: the person confirmed
    first, second = versions(world.people["peer"], world.programme)
    assert first.challenges == second.challenges == ["Teams", "Budgets", "Land"]
    assert (first.number, second.number) == (1, 2) and not second.on_behalf
    invitation.refresh_from_db()
    assert invitation.submitted_at == second.created_at


def test_own_page_versions_the_edit(world, login):
    """Was tests/intake/test_intake.py::test_record_version_snapshots_edits_made_elsewhere."""
    person = world.people["participant"]
    existing = Challenge.objects.get(person=person)
    data = {"c-TOTAL_FORMS": "2", "c-INITIAL_FORMS": "1", "c-MIN_NUM_FORMS": "0"}
    data |= {"c-MAX_NUM_FORMS": "10", "c-0-id": str(existing.pk), "c-0-tags": "teams"}
    data |= {"c-0-text": "Building a reform team", "c-1-text": "A new one", "c-1-tags": ""}
    data |= {"e-TOTAL_FORMS": "0", "e-INITIAL_FORMS": "0", "e-MIN_NUM_FORMS": "0"}
    data |= {"e-MAX_NUM_FORMS": "10"}
    url = reverse("people:my_challenges", args=[world.programme.slug])
    assert login(world.users["participant"]).post(url, data).status_code == 302
    (version,) = versions(person, world.programme)
    assert version.challenges == ["Building a reform team", "A new one"]
    assert not version.on_behalf and version.entered_by == person
    existing.refresh_from_db()
    assert existing.tags == ["teams"]  # the stored row was kept and updated, not replaced


def test_roster_import_page_versions_changed_people_only(world, login):
    client = login(world.users["facilitator"])
    url = reverse("people:import", args=[world.programme.slug])

    def import_roster(rows):
        file = io.BytesIO(roster_csv(rows))
        file.name = "roster.csv"
        assert client.post(client.post(url, {"file": file})["Location"]).status_code == 302

    import_roster([["new@example.org", "New Person", "KE", "Teams", "", "Peers"]])
    new = Person.objects.get(email="new@example.org")
    (version,) = versions(new, world.programme)
    assert version.challenges == ["Teams"] and version.expectations == ["Peers"]
    assert version.on_behalf and version.entered_by == world.people["facilitator"]
    import_roster([["new@example.org", "New Person", "KE", "Teams", "", "Peers"]])
    assert len(versions(new, world.programme)) == 1  # nothing changed, no new version
    import_roster([["new@example.org", "New Person", "KE", "", "Budgets", ""]])
    # challenge_2 added, blank challenge_1 and expectation_1 keep what is stored
    assert versions(new, world.programme)[-1].challenges == ["Teams", "Budgets"]
    assert versions(new, world.programme)[-1].expectations == ["Peers"]
    assert new.intake_invitations.get().submitted_at is None  # an import answers for nobody


@pytest.mark.django_db(transaction=True)
def test_cli_import_versions_the_challenges(tmp_path, capsys):
    programme = Programme.objects.create(name="Network", slug="network")
    roster = tmp_path / "roster.csv"
    roster.write_bytes(roster_csv([["a@example.org", "Ana", "PE", "Teams", "", ""]]))
    assert main(["import", str(roster), "--programme", "network"]) == 0
    roster.write_bytes(roster_csv([["a@example.org", "Ana", "PE", "Land reform", "", ""]]))
    assert main(["import", str(roster), "--programme", "network"]) == 0
    ana = Person.objects.get(email="a@example.org")
    first, second = versions(ana, programme)
    assert (first.challenges, second.challenges) == (["Teams"], ["Land reform"])
    assert second.on_behalf and second.entered_by is None  # an operator


def admin_data(person, programme, challenges, expectations=()):
    """The admin change form of ``person`` with these inline rows (all new)."""
    data = {
        "name": person.name,
        "email": person.email,
        "organisation": str(person.organisation_id),
        "country": person.country,
        "role_title": person.role_title,
        "seniority": person.seniority,
        "languages": '["en"]',
        "gender": "",
        "consent_to_contact": "on",
        "invited_at_0": "",
        "invited_at_1": "",
    }
    for prefix, rows in (("challenges", challenges), ("expectations", expectations)):
        data |= {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
        data |= {f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}
        for i, (position, text, pk) in enumerate(rows):
            data |= {f"{prefix}-{i}-programme": str(programme.pk), f"{prefix}-{i}-text": text}
            data |= {
                f"{prefix}-{i}-position": str(position),
                f"{prefix}-{i}-person": str(person.pk),
            }
            if prefix == "challenges":
                data[f"{prefix}-{i}-tags"] = "[]"
            if pk is not None:
                data[f"{prefix}-{i}-id"] = str(pk)
    initial = sum(1 for *_rest, pk in challenges if pk is not None)
    data["challenges-INITIAL_FORMS"] = str(initial)
    return data


@pytest.fixture
def superuser(world, login):
    admin = world.users["facilitator"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    return login(admin)


def test_admin_edit_versions_the_change(world, superuser):
    person = world.people["participant"]
    existing = Challenge.objects.get(person=person)
    url = reverse("admin:people_person_change", args=[person.pk])
    rows = [(1, "Building a reform team, again", existing.pk), (2, "Budgets", None)]
    data = admin_data(person, world.programme, rows, [(1, "Peers", None)])
    response = superuser.post(url, data)
    assert response.status_code == 302
    assert challenge_texts(person, world.programme) == ["Building a reform team, again", "Budgets"]
    (version,) = versions(person, world.programme)
    assert version.challenges == ["Building a reform team, again", "Budgets"]
    assert version.expectations == ["Peers"]
    assert version.on_behalf and version.entered_by == world.people["facilitator"]
    assert Challenge.objects.filter(pk=existing.pk).exists()  # kept, not re-created


def test_admin_refuses_two_entries_at_one_position(world, superuser):
    person = world.people["participant"]
    existing = Challenge.objects.get(person=person)
    url = reverse("admin:people_person_change", args=[person.pk])
    rows = [(1, "Building a reform team", existing.pk), (1, "Another first", None)]
    response = superuser.post(url, admin_data(person, world.programme, rows))
    assert response.status_code == 200  # the form again, with the error
    assert challenge_texts(person, world.programme) == ["Building a reform team"]
    assert versions(person, world.programme) == []


def test_demo_loader_versions_once_and_reloads_without_new_versions(db):
    from peerlearn.demo.load import load_demo

    load_demo()
    count = IntakeVersion.objects.count()
    assert count == Challenge.objects.values("person", "programme").distinct().count() > 0
    load_demo()
    assert IntakeVersion.objects.count() == count


def test_writer_keeps_tags_when_a_form_gives_none_and_deletes_what_replace_leaves_out(world):
    person, programme = world.people["peer"], world.programme
    answers = Answers({1: Entry("A", ("x",)), 2: Entry("B")}, {1: "E"})
    write_answers(programme, {person.pk: answers}, entered_by=None, on_behalf=True)
    texts = Answers.from_texts(["A2"], [])
    write_answers(programme, {person.pk: texts}, entered_by=person, on_behalf=False)
    (row,) = Challenge.objects.filter(person=person, programme=programme)
    assert (row.position, row.text, row.tags) == (1, "A2", ["x"])
    assert not LearningExpectation.objects.filter(person=person, programme=programme).exists()
    assert [v.challenges for v in versions(person, programme)] == [["A", "B"], ["A2"]]


def save_waiting_for_locks(invitation, challenges):
    """``save_answers``, retried while SQLite's shared-cache test database refuses a writer.

    As tests/surveys/test_answering.py::submit_waiting_for_locks explains, the
    in-memory SQLite refuses a second writer at once instead of waiting; the
    refused transaction rolled back entirely, so trying again is what a busy
    timeout would do.  PostgreSQL waits on the row lock instead.
    """
    for _attempt in range(200):
        try:
            return services.save_answers(invitation, challenges, [])
        except OperationalError as error:
            if connection.vendor != "sqlite" or "locked" not in str(error):
                raise
            time.sleep(0.01)
    raise AssertionError("the database stayed locked")


@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_once_leave_one_row_per_position_and_two_versions(world):
    """Both see no challenge at positions 2 and 3; the person's row lock orders them."""
    person = world.people["participant"]
    invitation = services.invitation_for(person, world.programme)

    # Each writer's copy is read before the race: on SQLite's shared-cache test
    # database even a read is refused while the other writes.
    copies = [
        (IntakeInvitation.objects.select_related("person", "programme").get(pk=invitation.pk), t)
        for t in (["A", "B", "C"], ["X", "Y", "Z"])
    ]
    _done, errors = at_once(
        [lambda mine=mine, t=t: save_waiting_for_locks(mine, t) for mine, t in copies],
        timeout=60,
    )
    assert errors == []
    rows = Challenge.objects.filter(person=person, programme=world.programme)
    assert sorted(rows.values_list("position", flat=True)) == [1, 2, 3]
    numbers = [v.number for v in versions(person, world.programme)]
    assert numbers == [1, 2]
    assert versions(person, world.programme)[-1].challenges == challenge_texts(
        person, world.programme
    )
