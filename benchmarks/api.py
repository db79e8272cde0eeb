"""API list endpoints over loopback against gunicorn + PostgreSQL: p50/p95 per page.

Issue 14's target: at 10,000 people and 100,000 survey answers, every list
endpoint answers a page in under 200 ms at the 95th percentile.

Fills the PostgreSQL database ``--database`` (dropped and made again: it must be
a benchmark's own) with one programme: ``--people`` participants in 500
organisations and groups of five, three challenges each, 5,000 published
pairs, a 10-question survey every participant answered (10,000 people give
100,000 answers), weekly sessions, five check-in rounds, a product per group
and an objective per person. Then starts gunicorn on a free loopback port
(``--workers`` sync workers, the production server of docs/operations.md) and,
with a read-only token for each persona (the programme's facilitator and a
participant), requests each list endpoint's first page and a later one (its
``next`` cursor followed ``--skip`` times) over HTTP, in ``--repeat`` rounds over
every row (round robin, so a burst of load on a shared machine falls on every
row alike rather than on one endpoint).

The baseline, in the same process and over the same server, is the API's
cheapest call: ``programmes/`` (one row). Prints p50/p95 per endpoint and
page, the ratio of the p50 to the baseline's, and ``SLOW`` over 200 ms.

    .venv/bin/python benchmarks/api.py [--people 10000 --repeat 20 --workers 2]
    .venv/bin/python benchmarks/api.py --database postgres://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from survey_results import answers_for, form_definition  # noqa: E402 - a sibling script module

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/h_perf_bench"
TARGET_MS = 200.0
SRC = Path(__file__).resolve().parent.parent / "src"

ENDPOINTS = [
    "cohorts/",
    "people/",
    "organisations/",
    "memberships/",
    "challenges/",
    "matching-runs/",
    "groups/",
    "pairs/",
    "instruments/",
    "surveys/",
    "surveys/{survey}/responses/",
    "sessions/",
    "check-ins/",
    "products/",
    "objectives/",
]


def recreate(url: str) -> None:
    """Drop and create the database ``url`` names, on its own server."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"not a plain database name: {name!r}")
    server = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(server, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def fill(people: int) -> dict[str, Any]:
    """The programme; returns its slug, the survey's id and one token per persona."""
    from django.utils import timezone

    from peerlearn.accounts.models import User
    from peerlearn.api.models import ApiToken
    from peerlearn.delivery.models import Session
    from peerlearn.intake.models import Challenge
    from peerlearn.matching.models import MatchingRun, PublishedPair
    from peerlearn.objectives.models import LearningObjective
    from peerlearn.people.models import Organisation, Person
    from peerlearn.programmes.models import Cohort, Group, GroupMember, Membership, Programme
    from peerlearn.progress.models import CheckIn, CheckInRound, Product
    from peerlearn.surveys.identity import pseudonym_for
    from peerlearn.surveys.models import Instrument, Invitation, Response, Survey

    now = timezone.now()
    programme = Programme.objects.create(name="Bench", slug="bench")
    cohort = Cohort.objects.create(programme=programme, name="Event")
    orgs = Organisation.objects.bulk_create(
        Organisation(name=f"Ministry {i:03d}", country=["KE", "GH", "PE", "ID"][i % 4])
        for i in range(500)
    )
    batch = {"batch_size": 2000}
    Person.objects.bulk_create(
        (
            Person(
                name=f"Person {i:05d}",
                email=f"p{i}@bench.example",
                organisation=orgs[i % 500],
                country=["KE", "GH", "PE", "ID"][i % 4],
                consent_to_contact=i % 3 == 0,
            )
            for i in range(people)
        ),
        **batch,
    )
    ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    Membership.objects.bulk_create(
        (
            Membership(person_id=pk, programme=programme, cohort=cohort, role="participant")
            for pk in ids
        ),
        **batch,
    )
    Challenge.objects.bulk_create(
        (
            Challenge(person_id=pk, programme=programme, position=n, text=f"Challenge {n}")
            for pk in ids
            for n in (1, 2, 3)
        ),
        **batch,
    )
    Group.objects.bulk_create(Group(cohort=cohort, name=f"G{g:05d}") for g in range(people // 5))
    groups = list(Group.objects.order_by("pk").values_list("pk", flat=True))
    GroupMember.objects.bulk_create(
        (GroupMember(group_id=groups[i // 5], person_id=pk) for i, pk in enumerate(ids)), **batch
    )
    runs = MatchingRun.objects.bulk_create(
        MatchingRun(cohort=cohort, kind=kind, status="done", result={"assignment": {}})
        for kind in ("groups", "pairs", "groups")
    )
    PublishedPair.objects.bulk_create(
        (
            PublishedPair(
                run=runs[1], cohort=cohort, label=f"P{i}", a_id=ids[2 * i], b_id=ids[2 * i + 1]
            )
            for i in range(people // 2)
        ),
        **batch,
    )
    instrument = Instrument.objects.create(
        programme=programme,
        title="Bench",
        form_id="bench",
        version="1",
        anonymity="pseudonymous",
        definition=form_definition(),
    )
    survey = Survey.objects.create(
        instrument=instrument, programme=programme, title="Bench survey", opens_at=now
    )
    Invitation.objects.bulk_create(
        (Invitation(survey=survey, person_id=pk, submitted_at=now) for pk in ids), **batch
    )
    Response.objects.bulk_create(
        (
            Response(
                survey=survey,
                answers=answers_for(i),
                pseudonym=pseudonym_for(programme.pk, pk),
                language="en",
                submitted_at=now.replace(minute=0, second=0, microsecond=0),
                batch=1,
            )
            for i, pk in enumerate(ids)
        ),
        **batch,
    )
    sessions = Session.objects.bulk_create(
        Session(
            programme=programme,
            cohort=cohort,
            title=f"Week {w}",
            starts_at=now + timedelta(weeks=w),
            ends_at=now + timedelta(weeks=w, hours=1),
            time_zone="UTC",
            plenary=True,
        )
        for w in range(40)
    )
    through = Session.groups.through
    through.objects.bulk_create(
        (through(session_id=s.pk, group_id=g) for s in sessions[:5] for g in groups), **batch
    )
    rounds = CheckInRound.objects.bulk_create(
        CheckInRound(cohort=cohort, title=f"Round {r}", due_date=now.date()) for r in range(5)
    )
    CheckIn.objects.bulk_create(
        (
            CheckIn(round=r, group_id=g, completed="Drafted the plan")
            for r in rounds
            for g in groups
        ),
        **batch,
    )
    Product.objects.bulk_create(
        (Product(group_id=g, title=f"Plan {g}", kind="report") for g in groups), **batch
    )
    LearningObjective.objects.bulk_create(
        (
            LearningObjective(
                programme=programme,
                person_id=pk,
                statement="Cost a reform",
                why="Budget",
                success_sign="A costed plan",
                start_rating=2,
            )
            for pk in ids
        ),
        **batch,
    )
    tokens = {}
    participant = Person.objects.get(pk=ids[1])
    participant.user = User.objects.create_user(username=participant.email, email=participant.email)
    participant.save()
    facilitator = User.objects.create_user(username="f@bench.example", email="f@bench.example")
    boss = Person.objects.create(name="Facilitator", email=facilitator.email, user=facilitator)
    Membership.objects.create(person=boss, programme=programme, role="facilitator")
    for persona, user in (("facilitator", facilitator), ("participant", participant.user)):
        _token, tokens[persona] = ApiToken.issue(user, "bench", scope="read")
    return {"slug": programme.slug, "survey": survey.pk, "tokens": tokens}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_environment(database: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database,
            "DJANGO_SETTINGS_MODULE": "peerlearn.site.settings",
            "PEERLEARN_ALLOW_DEV_SECRET": "true",
            "PEERLEARN_ALLOWED_HOSTS": "127.0.0.1",
            "PEERLEARN_API_RATE": "1000000/minute",
            "PYTHONPATH": os.pathsep.join([str(SRC), env.get("PYTHONPATH", "")]),
        }
    )
    return env


def start_gunicorn(database: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "peerlearn.site.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    log = Path(tempfile.gettempdir()) / f"peerlearn-bench-api-{port}.log"
    print(f"gunicorn's log: {log}")
    with log.open("wb") as out:  # the server's 403 warnings would cut through the table
        server = subprocess.Popen(
            command, env=server_environment(database), stdout=out, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _body, _ms = get(port, "/api/v1/programmes/", None)
            if status == 401:
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not answer within 60 s")


def get(port: int, path: str, token: str | None) -> tuple[int, bytes, float]:
    """One request on a new connection (gunicorn's sync workers close each one)."""
    headers = {"Authorization": f"Token {token}"} if token else {}
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    return response.status, body, (time.perf_counter() - start) * 1000


def later_page(port: int, path: str, token: str, skip: int) -> str | None:
    """The address of the page ``skip`` pages after ``path`` (following ``next``)."""
    for _ in range(skip):
        status, body, _ms = get(port, path, token)
        if status != 200:
            return None
        following = json.loads(body).get("next")
        if not following:
            return None
        parts = urlsplit(following)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
    return path


def first_look(port: int, path: str, token: str) -> int:
    """Rows on the page (after this warm-up request), or minus the status of a refusal
    (the persona may not read it, as on the pages: 403)."""
    status, body, _ms = get(port, path, token)
    if status in (403, 404):
        return -status
    assert status == 200, (path, status, body[:300])
    data = json.loads(body)
    return len(data.get("results", data.get("rows", [])))


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def run(args: argparse.Namespace) -> None:
    recreate(args.database)
    os.environ.update(server_environment(args.database))
    sys.path.insert(0, str(SRC))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    with transaction.atomic():
        world = fill(args.people)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # what autovacuum does for a live database
    filled = time.perf_counter() - start
    connection.close()
    port = free_port()
    server = start_gunicorn(args.database, port, args.workers)
    try:
        report(args, world, port, filled)
    finally:
        server.terminate()
        server.wait(timeout=30)


def report(args: argparse.Namespace, world: dict[str, Any], port: int, filled: float) -> None:
    base = f"/api/v1/programmes/{world['slug']}/"
    query = f"?page_size={args.page_size}"
    print(
        f"PostgreSQL + gunicorn ({args.workers} sync workers) on loopback; {args.people:,} "
        f"people, {args.people * 10:,} survey answers; filled in {filled:.0f} s; "
        f"{args.repeat} rounds over every row, pages of {args.page_size}\n"
    )
    header = f"{'persona':<12} {'endpoint':<30} {'page':<6} {'rows':>5} "
    print(header + f"{'p50 ms':>8} {'p95 ms':>8} {'x base':>7} {'target':>7}")
    rows: list[tuple[str, str, str, str, str, int]] = []
    for persona, token in world["tokens"].items():
        rows.append((persona, token, "programmes/ (baseline)", "first", "/api/v1/programmes/", 1))
        for endpoint in ENDPOINTS:
            first = base + endpoint.format(survey=world["survey"]) + query
            for page, path in (
                ("first", first),
                ("later", later_page(port, first, token, args.skip)),
            ):
                if path is not None:
                    rows.append(
                        (persona, token, endpoint, page, path, first_look(port, path, token))
                    )
    # Round robin: a burst of load on the shared machine falls on every row alike.
    times: list[list[float]] = [[] for _ in rows]
    for _ in range(args.repeat):
        for i, (_persona, token, _endpoint, _page, path, shown) in enumerate(rows):
            if shown >= 0:
                status, _body, ms = get(port, path, token)
                assert status == 200, path
                times[i].append(ms)
    slow = 0
    base_p50 = 1.0
    for (persona, _token, endpoint, page, _path, shown), took in zip(rows, times, strict=True):
        line = f"{persona:<12} {endpoint:<30} {page:<6} "
        if shown < 0:
            print(line + f"refused ({-shown}, as on the pages)")
            continue
        median = statistics.median(took)
        if endpoint.endswith("(baseline)"):
            base_p50 = median
            print(line + f"{shown:>5} {median:8.1f} {p95(took):8.1f} {1.0:7.1f} {'':>7}")
            continue
        verdict = "ok" if p95(took) < TARGET_MS else "SLOW"
        slow += verdict == "SLOW"
        print(
            line + f"{shown:>5} {median:8.1f} {p95(took):8.1f} "
            f"{median / base_p50:7.1f} {verdict:>7}"
        )
    print(f"\n{slow} page(s) over the {TARGET_MS:.0f} ms target at p95")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--skip", type=int, default=5, help="the later page: next followed N times")
    parser.add_argument("--workers", type=int, default=2)
    run(parser.parse_args())


if __name__ == "__main__":
    main()
