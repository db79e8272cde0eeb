"""API list endpoints at scale: p50/p95 per page, target p95 under 200 ms.

Builds a fresh database (a temporary SQLite file; with DATABASE_URL set, a new
PostgreSQL database) with one programme of ``--people`` people (memberships,
organisations, groups of five), then pages through ``people/``,
``memberships/`` and ``groups/`` with a facilitator's token through Django's
test client (in process: no network; loopback through gunicorn adds a few ms).
The baseline is ``programmes/`` (one row), measured in the same process, so
the ratio shows what a large list costs over the cheapest call.

    .venv/bin/python benchmarks/api.py [--people 10000] [--page-size 100] [--pages 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from bench_db import fresh_database  # noqa: E402 - a sibling script module

BENCH_DB = "peerlearn_bench_api"
TARGET_MS = 200.0


def build(people: int) -> tuple[object, str]:
    from peerlearn.accounts.models import User
    from peerlearn.api.models import ApiToken
    from peerlearn.people.models import Organisation, Person
    from peerlearn.programmes.models import Cohort, Group, GroupMember, Membership, Programme

    programme = Programme.objects.create(name="Bench", slug="bench")
    cohort = Cohort.objects.create(programme=programme, name="Event")
    orgs = Organisation.objects.bulk_create(
        Organisation(name=f"Ministry {i}", country="KE") for i in range(200)
    )
    Person.objects.bulk_create(
        Person(name=f"Person {i:05d}", email=f"p{i}@example.org", organisation=orgs[i % 200])
        for i in range(people)
    )
    ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    Membership.objects.bulk_create(
        Membership(person_id=pk, programme=programme, cohort=cohort, role="participant")
        for pk in ids
    )
    user = User.objects.create(email="facilitator@example.org")
    boss = Person.objects.create(name="Facilitator", email=user.email, user=user)
    Membership.objects.create(person=boss, programme=programme, role="facilitator")
    Group.objects.bulk_create(Group(cohort=cohort, name=f"G{g}") for g in range(people // 5))
    groups = list(Group.objects.order_by("pk").values_list("pk", flat=True))
    GroupMember.objects.bulk_create(
        GroupMember(group_id=groups[i // 5], person_id=pk)
        for i, pk in enumerate(ids[: len(groups) * 5])
    )
    _token, secret = ApiToken.issue(user, "bench", scope="read")
    return programme, secret


def timed_pages(client, url: str, headers: dict[str, str], pages: int) -> list[float]:
    times = []
    for _ in range(pages):
        start = time.perf_counter()
        response = client.get(url, **headers)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.content[:200]
        url = response.json().get("next")
        if not url:
            break
    return times


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def run(people: int, page_size: int, pages: int) -> None:
    label, url = fresh_database(BENCH_DB)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerlearn.site.settings")
    os.environ.setdefault("PEERLEARN_ALLOW_DEV_SECRET", "true")
    os.environ["PEERLEARN_ALLOWED_HOSTS"] = "testserver"
    os.environ["PEERLEARN_API_RATE"] = "100000/minute"
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    programme, secret = build(people)
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Token {secret}"}
    base = f"/api/v1/programmes/{programme.slug}/"  # type: ignore[attr-defined]
    rows = [("programmes/ (baseline)", "/api/v1/programmes/")] + [
        (name, f"{base}{name}?page_size={page_size}")
        for name in ("people/", "memberships/", "groups/", "organisations/")
    ]
    print(f"{label}, {people:,} people, pages of {page_size}, up to {pages} pages each\n")
    print(f"{'endpoint':<24} {'pages':>5} {'p50 ms':>8} {'p95 ms':>8} {'target':>8} {'x base':>7}")
    baseline = None
    for name, address in rows:
        timed_pages(client, address, headers, 2)  # warm up
        times = timed_pages(client, address, headers, pages)
        median = statistics.median(times)
        baseline = baseline or median
        verdict = "ok" if p95(times) < TARGET_MS else "SLOW"
        print(
            f"{name:<24} {len(times):>5} {median:>8.1f} {p95(times):>8.1f} "
            f"{verdict:>8} {median / baseline:>7.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--pages", type=int, default=20)
    args = parser.parse_args()
    run(args.people, args.page_size, args.pages)


if __name__ == "__main__":
    main()
