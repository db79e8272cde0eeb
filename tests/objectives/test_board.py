"""The groups' progress board: ranks, opt-in, and never a person."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from peerlearn.audit.models import AuditEvent
from peerlearn.objectives.board import competition_ranks, visible_ranks
from peerlearn.objectives.models import BoardSettings
from peerlearn.programmes.models import Group
from tests.objectives.conftest import authorisation, objective


def test_ties_share_a_rank_and_the_next_skips():
    assert competition_ranks({1: 5, 2: 5, 3: 2, 4: 0}) == {1: 1, 2: 1, 3: 3, 4: 4}


def test_near_mode_shows_a_participant_only_the_neighbouring_ranks():
    ranks = {1: 1, 2: 2, 3: 3, 4: 4, 5: 5}
    assert visible_ranks(ranks, "near", {3}, sees_all=False) == {2: 2, 3: 3, 4: 4}
    assert visible_ranks(ranks, "near", set(), sees_all=False) == {}
    assert visible_ranks(ranks, "near", set(), sees_all=True) == ranks
    assert visible_ranks(ranks, "none", {3}, sees_all=True) == {}


def _url(world, name="board"):
    return reverse(f"objectives:{name}", args=[world.programme.slug, world.event.pk])


@pytest.mark.django_db
def test_board_is_off_until_the_facilitator_switches_it_on(world, login):
    objective(world, group=world.group_a)
    page = login(world.users["participant"]).get(_url(world)).content.decode()
    assert "switched off" in page and 'id="board"' not in page
    facilitator = login(world.users["facilitator"])
    assert 'id="board"' in facilitator.get(_url(world)).content.decode()  # facilitators preview
    facilitator.post(_url(world, "board_settings"), {"enabled": "on", "ranks": "near"})
    assert BoardSettings.objects.get().enabled
    assert AuditEvent.objects.filter(action="board.settings", detail__new__enabled=True).exists()
    page = login(world.users["participant"]).get(_url(world)).content.decode()
    assert 'id="board"' in page and "your group" in page
    facilitator = login(world.users["facilitator"])
    facilitator.post(_url(world, "board_settings"), {"ranks": "near"})  # switched off again
    page = login(world.users["peer"]).get(_url(world)).content.decode()
    assert 'id="board"' not in page


@pytest.mark.django_db
def test_board_shows_groups_never_people(world, login):
    BoardSettings.objects.create(programme=world.programme, enabled=True, ranks="near")
    objective(world, group=world.group_a, statement="Group aim text")
    objective(world, statement="Personal aim text")
    authorisation(world, status="granted", status_on=timezone.localdate())
    page = login(world.users["peer"]).get(_url(world)).content.decode()
    table = page.split('id="board"')[1].split("</table>")[0]
    assert "Group A" in table and "Group B" in table
    assert "Personal aim" not in page and "Group aim" not in page
    for person in world.people.values():
        assert person.name not in table
    # Group A: 1 objective, 0 achieved, authorised; ranks 1 and 2 are neighbours of B.
    assert "<td>1</td><td>Group A</td><td>1</td><td>0</td><td>1</td>" in table.replace("\n", "")


@pytest.mark.django_db
def test_no_ranks_mode_shows_no_rank_column_even_to_facilitators(world, login):
    BoardSettings.objects.create(programme=world.programme, enabled=True, ranks="none")
    Group.objects.create(cohort=world.event, name="Group C")
    page = login(world.users["facilitator"]).get(_url(world)).content.decode()
    assert ">Rank<" not in page
