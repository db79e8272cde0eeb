"""The programme's mutuality page at 50,000 people and 500,000 exchanges, from its snapshot.

Builds a fresh database (a temporary SQLite file; with DATABASE_URL set, a new
database ``peerlearn_bench_mel`` on that PostgreSQL server): one programme,
``--people`` people in 500 organisations and groups of eight, and
``--exchanges`` exchanges mostly inside the groups (``benchmarks/mutuality.py``'s
ledger), a tenth of them recorded in check-ins. Then prints one table:

* the recompute task (both audiences' snapshots), its time and the process's
  peak memory;
* the programme ledger page (``mel:ledger``, through Django's test client) for
  the programme's facilitator and for an evaluator, each read from its
  snapshot: p50 and p95 over ``--repeat`` requests, target under 1 s;
* the baseline, in the same process: the same figures computed in the request,
  as the page did before the snapshot (loading every exchange included);
* the programme page, whose "Today" section carries the one-way flags panel;
* the learning network page (``mel:network``) from the snapshot, at the
  people and the organisations level, and a filter matching more exchanges
  than the page computes in the request (it says so);
* the network part of the task on its own, for one audience (every level:
  ties, betweenness from 200 sampled sources, communities, shares, layouts of
  what is drawn), its time and the process's peak memory (target: under 30 s
  and 2 GB).

    .venv/bin/python benchmarks/mel_snapshot.py [--people 50000 --exchanges 500000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python benchmarks/mel_snapshot.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import date, timedelta
from typing import Any

import numpy as np
from bench_db import fresh_database  # noqa: E402 - a sibling script module
from measure import peak_mb, timed  # noqa: E402 - a sibling script module

BENCH_DB = "peerlearn_bench_mel"
TARGET_S = 1.0
COMPUTE_TARGET_S = 30.0
KINDS = ["advice", "tool", "visit", "joint_task", "contact"]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def pairs(people: int, exchanges: int, seed: int = 0) -> list[tuple[int, int, int, int]]:
    """(giver, receiver, day, kind) codes: mostly inside groups of 8, a third returned."""
    rng = np.random.default_rng(seed)
    giver = rng.integers(0, people, exchanges)
    local = rng.random(exchanges) < 0.8
    offset = np.where(local, rng.integers(1, 8, exchanges), rng.integers(1, people, exchanges))
    receiver = np.where(
        local, giver - giver % 8 + (giver % 8 + offset) % 8, (giver + offset) % people
    )
    receiver = np.minimum(receiver, people - 1)
    back = rng.random(exchanges) < 0.3
    giver, receiver = np.where(back, receiver, giver), np.where(back, giver, receiver)
    days = rng.integers(0, 720, exchanges)
    kinds = rng.integers(0, len(KINDS), exchanges)
    keep = giver != receiver
    seen = set()
    out = []
    columns = (giver[keep], receiver[keep], days[keep], kinds[keep])
    for row in zip(*(c.tolist() for c in columns), strict=True):
        if row not in seen:  # the ledger's unique constraint: once a day per kind
            seen.add(row)
            out.append(row)
    return out


def build(people: int, exchanges: int) -> dict[str, Any]:
    from django.utils import timezone

    from peerlearn.accounts.models import User
    from peerlearn.core.bulk import insert_rows
    from peerlearn.mel.models import Exchange
    from peerlearn.people.models import Organisation, Person
    from peerlearn.programmes.models import Cohort, Group, GroupMember, Membership, Programme

    programme = Programme.objects.create(name="Bench", slug="bench")
    cohort = Cohort.objects.create(programme=programme, name="Cohort")
    orgs = Organisation.objects.bulk_create(
        Organisation(name=f"Ministry {i:03d}", country="KE") for i in range(500)
    )
    Person.objects.bulk_create(
        (
            Person(name=f"P{i:05d}", email=f"p{i}@bench.example", organisation=orgs[i % 500])
            for i in range(people)
        ),
        batch_size=2000,
    )
    ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    Membership.objects.bulk_create(
        (
            Membership(person_id=pk, programme=programme, cohort=cohort, role="participant")
            for pk in ids
        ),
        batch_size=2000,
    )
    Group.objects.bulk_create(Group(cohort=cohort, name=f"G{g:05d}") for g in range(people // 8))
    groups = list(Group.objects.order_by("pk").values_list("pk", flat=True))
    GroupMember.objects.bulk_create(
        (
            GroupMember(group_id=groups[i // 8], person_id=pk)
            for i, pk in enumerate(ids[: 8 * len(groups)])
        ),
        batch_size=5000,
    )
    start, now = date(2024, 1, 1), timezone.now()
    rows = pairs(people, exchanges)
    fields = [
        "programme", "giver", "receiver", "when", "kind", "learned", "applied",
        "source", "other_note", "created_at", "group", "response_item",
    ]  # fmt: skip
    insert_rows(
        Exchange,
        fields,
        (
            [
                programme.pk,
                ids[g],
                ids[r],
                start + timedelta(days=d),
                KINDS[k],
                "Costing a reform",
                "yes" if n % 3 == 0 else "unknown",
                "checkin" if n % 10 == 0 else "entry",
                "",
                now,
                groups[min(r // 8, len(groups) - 1)] if n % 10 == 0 else None,
                0,
            ]
            for n, (g, r, d, k) in enumerate(rows)
        ),
    )
    viewers = {}
    for role in ("facilitator", "evaluator"):
        user = User.objects.create(email=f"{role}@bench.example")
        person = Person.objects.create(name=role, email=user.email, user=user)
        Membership.objects.create(person=person, programme=programme, role=role)
        viewers[role] = user
    return {"programme": programme, "exchanges": len(rows), **viewers}


def network_part(programme: Any) -> tuple[str, list[float], str]:
    """The network summaries of one audience, as the task computes them, on their own."""
    from peerlearn.mel import network, services, snapshots
    from peerlearn.mel.access import programme_people
    from peerlearn.mel.models import Exchange

    people = network.person_rows(programme_people(programme))
    records = services.as_records(Exchange.objects.filter(programme=programme))
    before, cpu = peak_mb(), time.process_time()
    summaries, seconds = timed(lambda: snapshots.network_summaries(records, people))
    cpu = time.process_time() - cpu
    ties = summaries["person"]["ties"]
    note = f"{ties:,} ties; CPU {cpu:.1f} s; peak {peak_mb():.0f} MB (was {before:.0f})"
    return ("network summaries (one audience)", [seconds], note)


def run(people: int, exchanges: int, repeat: int, name: str) -> None:
    label, url = fresh_database(name)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerlearn.site.settings")
    os.environ.setdefault("PEERLEARN_ALLOW_DEV_SECRET", "true")
    os.environ["PEERLEARN_ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from peerlearn.mel import snapshots

    call_command("migrate", verbosity=0)
    from django.db import connection, transaction

    with transaction.atomic():  # one commit (SQLite would sync the disk per row)
        world, build_s = timed(lambda: build(people, exchanges))
    with connection.cursor() as cursor:
        # What autovacuum does for a live database: statistics and the visibility
        # map (PostgreSQL counts the exchanges from the index alone with it).
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    programme = world["programme"]
    before, cpu = peak_mb(), time.process_time()
    _, task_s = timed(lambda: snapshots.request_recompute(programme.pk))  # immediate backend
    task_mb, cpu = peak_mb(), time.process_time() - cpu
    rows: list[tuple[str, list[float], str]] = [
        (
            "recompute task (both audiences)",
            [task_s],
            f"CPU {cpu:.1f} s; peak {task_mb:.0f} MB (was {before:.0f})",
        )
    ]
    _, live_s = timed(lambda: snapshots._live(programme, "programme"))
    rows.append(("baseline: figures in the request", [live_s], "what the page did before"))

    def page(user: Any, address: str, expect: str) -> list[float]:
        client = Client()
        client.force_login(user)
        first = client.get(address)
        assert first.status_code == 200 and expect in first.content.decode(), address
        times = []
        for _ in range(repeat):
            response, seconds = timed(lambda: client.get(address))
            assert response.status_code == 200
            times.append(seconds)
        return times

    ledger = reverse("mel:ledger", args=[programme.slug])
    for role in ("facilitator", "evaluator"):
        times = page(world[role], ledger, "Figures as of")
        rows.append((f"ledger page, {role} (snapshot)", times, f"{len(times)} requests"))
    detail = reverse("programmes:detail", args=[programme.slug])
    times = page(world["facilitator"], detail, "One-way relationships")
    rows.append(("programme page, facilitator", times, "Today panels, one-way flags"))
    network = reverse("mel:network", args=[programme.slug])
    for role in ("facilitator", "evaluator"):
        times = page(world[role], network, "estimated from the shortest paths of 200")
        rows.append((f"network page, {role} (snapshot)", times, "people: lists, sampled"))
    times = page(world["facilitator"], f"{network}?level=organisation", "<svg")
    rows.append(("network page, organisations", times, "500 nodes drawn"))
    times = page(world["facilitator"], f"{network}?kind=advice", 'id="too-many"')
    rows.append(("network page, filtered (too many)", times, "says to narrow the filter"))
    rows.append(network_part(programme))

    print(
        f"{label}: {people:,} people, {world['exchanges']:,} exchanges; built in {build_s:.0f} s\n"
    )
    print(f"{'step':36} {'p50 s':>8} {'p95 s':>8} {'target':>8}  note")
    for name, times, note in rows:
        verdict = ""
        if "page" in name:
            verdict = "ok" if p95(times) < TARGET_S else "SLOW"
        elif name.startswith("network summaries"):
            verdict = "ok" if max(times) < COMPUTE_TARGET_S else "SLOW"
        print(f"{name:36} {statistics.median(times):8.3f} {p95(times):8.3f} {verdict:>8}  {note}")
    facilitator = statistics.median(rows[2][1])
    print(f"\nratio figures-in-the-request / snapshot page: {live_s / facilitator:.0f}x")
    one, five, fifteen = os.getloadavg()
    print(f"load average at the end: {one:.2f} {five:.2f} {fifteen:.2f} (2 cores, shared)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--exchanges", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--db-name", default=BENCH_DB, help="PostgreSQL database to make anew")
    args = parser.parse_args()
    run(args.people, args.exchanges, args.repeat, args.db_name)


if __name__ == "__main__":
    main()
