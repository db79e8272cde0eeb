"""Roster import at scale: preview (read + validate) and commit of a 10,000-row file.

Prints one table: per database (SQLite, and PostgreSQL when reachable), the
wall time and peak Python memory of the preview and of the commit, next to a
baseline run in the same process on the same file: the obvious row-by-row
ORM import (``update_or_create`` per person and per challenge).

    .venv/bin/python benchmarks/roster_import.py [--rows 10000] [--baseline-rows 2000]

The target (issue 2) is a commit of 10,000 rows in at most 10 s on 2 cores.
The baseline runs on fewer rows (it is slow) and its time is scaled linearly
to the full size; the table says so.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COUNTRIES = ["KE", "Ghana", "PER", "Colombia", "UA", "Viet Nam", "SN", "Morocco", "Nepal", "BR"]
SENIORITY = ["political", "senior", "middle", "technical"]


def roster_csv(rows: int) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "email",
            "name",
            "organisation",
            "country",
            "role_title",
            "seniority",
            "languages",
            "external",
            "challenge_1",
            "challenge_1_tags",
            "challenge_2",
            "challenge_3",
            "expectation_1",
        ]
    )
    for i in range(rows):
        writer.writerow(
            [
                f"person{i}@network.example",
                f"Persona Número {i}",
                f"Ministry {i % 400}",
                COUNTRIES[i % len(COUNTRIES)],
                "Director of reform",
                SENIORITY[i % 4],
                "en|es",
                "yes" if i % 20 == 0 else "no",
                f"Building a reform team in unit {i % 50}",
                "teams",
                "Getting other ministries on board",
                "Managing a difficult principal",
                "Learn how peers kept reforms going",
            ]
        )
    return buffer.getvalue().encode()


def measure(function):  # type: ignore[no-untyped-def]
    """Wall time of one call. Memory is the process's peak RSS (tracemalloc would
    slow the ORM down several-fold and distort the times)."""
    started = time.perf_counter()
    result = function()
    return result, time.perf_counter() - started


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(rows: int, baseline_rows: int) -> dict[str, float]:
    """Runs inside a process whose DATABASE_URL points at an empty database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerlearn.site.settings")
    os.environ.setdefault("PEERLEARN_ALLOW_DEV_SECRET", "true")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from peerlearn.intake.models import Challenge
    from peerlearn.people.models import Organisation, Person
    from peerlearn.programmes.models import Membership, Programme
    from peerlearn.roster.apply import apply_roster
    from peerlearn.roster.service import preview_roster

    programme = Programme.objects.create(name="Bench", slug="bench")
    data = roster_csv(rows)
    preview, preview_s = measure(lambda: preview_roster(data, "r.csv", programme))
    preview_mb = peak_rss_mb()
    assert preview.is_valid, preview.problems[:3]
    _, commit_s = measure(lambda: apply_roster(preview, programme))
    commit_mb = peak_rss_mb()
    assert Person.objects.count() == rows
    # Re-importing the same file: every row is an update.
    preview2 = preview_roster(data, "r.csv", programme)
    _, update_s = measure(lambda: apply_roster(preview2, programme))

    def naive() -> None:
        baseline = Programme.objects.create(name="Naive", slug="naive")
        for record in preview.records[:baseline_rows]:
            organisation, _ = Organisation.objects.get_or_create(
                name=f"naive {record.organisation}"
            )
            person, _ = Person.objects.update_or_create(
                email="naive-" + record.email,
                defaults={
                    "name": record.name,
                    "organisation": organisation,
                    "country": record.country,
                },
            )
            Membership.objects.get_or_create(person=person, programme=baseline, role="participant")
            for position, challenge in enumerate(record.challenges, start=1):
                Challenge.objects.update_or_create(
                    person=person,
                    programme=baseline,
                    position=position,
                    defaults={"text": challenge.text},
                )

    _, naive_s = measure(naive)
    return {
        "preview_s": preview_s,
        "preview_mb": preview_mb,
        "commit_s": commit_s,
        "commit_mb": commit_mb,
        "update_s": update_s,
        "naive_scaled_s": naive_s * rows / baseline_rows,
    }


def postgres_url() -> str | None:
    try:
        import psycopg
    except ImportError:
        return None
    try:
        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True, connect_timeout=3
        ) as conn:
            conn.execute("DROP DATABASE IF EXISTS peerlearn_bench")
            conn.execute("CREATE DATABASE peerlearn_bench")
    except Exception:
        return None
    return "postgres://postgres@127.0.0.1:5432/peerlearn_bench"


def run_child(database_url: str, rows: int, baseline_rows: int) -> dict[str, float]:
    env = {**os.environ, "DATABASE_URL": database_url}
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            "--rows",
            str(rows),
            "--baseline-rows",
            str(baseline_rows),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--baseline-rows", type=int, default=1_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.rows, args.baseline_rows)))
        return
    databases = []
    with tempfile.TemporaryDirectory() as folder:
        databases.append(("SQLite", f"sqlite:///{Path(folder) / 'bench.sqlite3'}"))
        pg = postgres_url()
        if pg:
            databases.append(("PostgreSQL", pg))
        print(
            f"Roster import, {args.rows:,} rows x 3 challenges (baseline: row-by-row ORM on "
            f"{args.baseline_rows:,} rows, scaled to {args.rows:,})"
        )
        header = (
            f"{'database':<11} {'preview s':>9} {'RSS MB':>10} {'commit s':>8} {'RSS MB':>9} "
            f"{'re-import s':>11} {'baseline s':>10} {'speed-up':>8}"
        )
        print(header)
        print("-" * len(header))
        for name, url in databases:
            r = run_child(url, args.rows, args.baseline_rows)
            print(
                f"{name:<11} {r['preview_s']:>9.2f} {r['preview_mb']:>10.1f} {r['commit_s']:>8.2f} "
                f"{r['commit_mb']:>9.1f} {r['update_s']:>11.2f} {r['naive_scaled_s']:>10.1f} "
                f"{r['naive_scaled_s'] / r['commit_s']:>7.1f}x"
            )
        if not pg:
            print("PostgreSQL: not reachable at 127.0.0.1:5432, not measured")
    print("Target: commit <= 10 s on 2 cores.")


if __name__ == "__main__":
    main()
