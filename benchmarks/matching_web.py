"""Matching in the web app at scale: a 10,000-person cohort.

Prints one table per database (SQLite, and PostgreSQL when reachable):

* the matching run started from the web layer (read people from the
  database, solve, explain, store) next to the engine alone on the same
  people in the same process: the target is the engine's plus 20 %;
* the review page of that run (first and a middle page), target < 1 s;
* a member move (validated against every hard constraint), target < 200 ms.

    .venv/bin/python benchmarks/matching_web.py [--people 10000]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def roster(n: int) -> bytes:
    """A roster of ``n`` labelled synthetic people (3 challenges each) for one cohort."""
    from peerlearn.engine.synthetic import synthetic_people

    people, _truth = synthetic_people(n, seed=1)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "email",
            "name",
            "organisation",
            "country",
            "cohort",
            "challenge_1",
            "challenge_2",
            "challenge_3",
        ]
    )
    for i, p in enumerate(people):
        writer.writerow(
            [
                f"p{i}@bench.example",
                f"Person {i}",
                p.organisation or f"Org {i}",
                p.country or "KE",
                "Cohort",
                *list(p.challenges)[:3],
            ]
        )
    return buffer.getvalue().encode()


def timed(function: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = function()
    return result, time.perf_counter() - started


def child(n: int) -> dict[str, float]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerlearn.site.settings")
    os.environ.setdefault("PEERLEARN_ALLOW_DEV_SECRET", "true")
    os.environ["PEERLEARN_ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    call_command("migrate", verbosity=0)
    from peerlearn.accounts.models import User
    from peerlearn.engine.grouping import solve_groups
    from peerlearn.matching import services
    from peerlearn.people.models import Person
    from peerlearn.programmes.models import Cohort, Membership, Programme
    from peerlearn.roster.apply import apply_roster
    from peerlearn.roster.service import preview_roster

    programme = Programme.objects.create(name="Bench", slug="bench")
    cohort = Cohort.objects.create(programme=programme, name="Cohort")
    preview = preview_roster(roster(n), "r.csv", programme)
    assert preview.is_valid, preview.problems[:3]
    apply_roster(preview, programme)
    user = User.objects.create_user(
        username="f@bench.example",
        email="f@bench.example",
        password="bench-only",  # noqa: S106
    )
    facilitator = Person.objects.create(name="F", email="f@bench.example", user=user)
    Membership.objects.create(person=facilitator, programme=programme, role="facilitator")

    parameters = {
        "weights": {"problems": 1, "role": 0, "policy": 0, "context": 0},
        "max_per_organisation": 1,
        "max_per_country": None,
        "keep_apart": [],
        "avoid_repeats": False,
        "shared_language": True,
        "time_limit": None,
        "role_mode": "equal",
        "min_size": 5,
        "max_size": 6,
        "min_countries": 0,
        "keep_together": [],
        "locked": {},
    }
    # Baseline: the engine alone, same people, same constraints, same process.
    draft = services.MatchingRun(cohort=cohort, kind="groups", parameters=parameters, seed=1)
    engine_people = services.to_engine(services.cohort_people(cohort), programme.pk)
    constraints = services.constraints_for(draft, {p.id for p in engine_people}, history=())
    _, engine_s = timed(lambda: solve_groups(engine_people, constraints, "problems", seed=1))
    run, web_s = timed(lambda: services.start_run(cohort, "groups", parameters, 1, facilitator))
    assert run.status == "done", run.error

    client = Client()
    client.force_login(user)
    url = reverse("matching:run", args=[programme.slug, run.pk])
    first, review_s = timed(lambda: client.get(url))
    assert first.status_code == 200
    middle, review_mid_s = timed(lambda: client.get(url + "?page=20"))
    assert middle.status_code == 200
    groups = services.groups_of(run)
    small = [label for label, ids in groups.items() if len(ids) == 5]
    large = [label for label, ids in groups.items() if len(ids) == 6]
    move_url = reverse("matching:run_move", args=[programme.slug, run.pk])
    move_s, moved = 0.0, False
    for label in large[:20]:  # the first move that keeps every rule
        run.refresh_from_db()
        person = groups[label][0]
        data = {"person": person, "to_group": small[0], "version": run.version}
        response, move_s = timed(lambda data=data: client.post(move_url, data))
        assert response.status_code in (200, 302)
        run.refresh_from_db()
        if services.groups_of(run).get(small[0], []).count(person):
            moved = True
            break
    return {
        "engine_s": engine_s,
        "web_s": web_s,
        "review_s": review_s,
        "review_mid_s": review_mid_s,
        "move_s": move_s,
        "moved": float(moved),
        "groups": float(len(groups)),
    }


def postgres_url() -> str | None:
    try:
        import psycopg

        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True, connect_timeout=3
        ) as conn:
            conn.execute("DROP DATABASE IF EXISTS peerlearn_bench_web")
            conn.execute("CREATE DATABASE peerlearn_bench_web")
    except Exception:
        return None
    return "postgres://postgres@127.0.0.1:5432/peerlearn_bench_web"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.people)))
        return
    with tempfile.TemporaryDirectory() as folder:
        databases = [("SQLite", f"sqlite:///{Path(folder) / 'bench.sqlite3'}")]
        pg = postgres_url()
        if pg:
            databases.append(("PostgreSQL", pg))
        print(f"Matching in the web app, one cohort of {args.people:,} people, groups of 5-6")
        header = (
            f"{'database':<11} {'engine s':>8} {'web run s':>9} {'ratio':>6} "
            f"{'review p1 s':>11} {'review p20 s':>12} {'move s':>7}"
        )
        print(header)
        print("-" * len(header))
        for name, url in databases:
            out = subprocess.run(
                [sys.executable, __file__, "--child", "--people", str(args.people)],
                env={**os.environ, "DATABASE_URL": url},
                capture_output=True,
                text=True,
                check=False,
            )
            if out.returncode:
                print(f"{name:<11} failed: {out.stderr.strip().splitlines()[-1:]}")
                continue
            r = json.loads(out.stdout.strip().splitlines()[-1])
            note = "" if r["moved"] else "  (no valid move found in 20 tries; time is of a refusal)"
            print(
                f"{name:<11} {r['engine_s']:>8.1f} {r['web_s']:>9.1f} "
                f"{r['web_s'] / r['engine_s']:>6.2f} {r['review_s']:>11.3f} "
                f"{r['review_mid_s']:>12.3f} {r['move_s']:>7.3f}{note}"
            )
    print("Targets: web run <= engine target (60 s) + 20 %; review < 1 s; move < 0.2 s.")


if __name__ == "__main__":
    main()
