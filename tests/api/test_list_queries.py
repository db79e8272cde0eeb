"""List pages cost a bounded number of queries, whatever the rows hold (benchmarks/api.py)."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from peerlearn.delivery.models import Session
from peerlearn.programmes.models import Group
from tests.api.test_reads import base, client_of


def plenary_sessions(world, count: int, groups: int, prefix: str) -> list[Session]:
    """``count`` sessions of the event, each for ``groups`` new groups (named backwards)."""
    made = [
        Group.objects.create(cohort=world.event, name=f"{prefix}{groups - i:03d}")
        for i in range(groups)
    ]
    start = timezone.now() + timedelta(days=1)
    sessions = []
    for n in range(count):
        session = Session.objects.create(
            programme=world.programme,
            cohort=world.event,
            title=f"S{n}",
            starts_at=start + timedelta(days=n),
            ends_at=start + timedelta(days=n, hours=1),
            time_zone="UTC",
        )
        session.groups.set(made)
        sessions.append(session)
    return sessions


def queries(client, url) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.json()


def test_sessions_list_their_group_ids_by_name_in_one_query_for_the_page(world):
    client = client_of(world.users["facilitator"])
    url = base(world) + "sessions/"
    client.get(url)  # the token's use is recorded once a minute: not in what is counted
    plenary_sessions(world, 2, 3, "Z")
    few, body = queries(client, url)
    expected = list(
        Group.objects.filter(name__startswith="Z").order_by("name").values_list("pk", flat=True)
    )
    assert [s["groups"] for s in body["results"]] == [expected, expected]
    plenary_sessions(world, 6, 20, "Y")
    many, body = queries(client, url)
    assert len(body["results"]) == 8 and many == few
    one = body["results"][0]
    detail = client.get(f"{url}{one['id']}/").json()
    assert detail["groups"] == one["groups"]


def test_groups_list_member_ids_in_a_bounded_number_of_queries(world):
    client = client_of(world.users["facilitator"])
    url = base(world) + "groups/"
    client.get(url)
    few, body = queries(client, url)
    members = {g["name"]: g["members"] for g in body["results"]}
    assert members["Group A"] == [world.people["participant"].pk]
    for i in range(10):
        group = Group.objects.create(cohort=world.event, name=f"More {i}")
        group.members.set([world.people["peer"], world.people["participant"]])
    many, body = queries(client, url)
    assert len(body["results"]) == 12 and many == few
