"""The evaluator's data package at scale: people count vs build time and peak memory.

For each size, a programme with that many participants (an organisation per
20, a group per 5, a session per 50 with everyone's attendance marked, one
pseudonymous 10-question survey answered by everyone: 10,000 people give about
100,000 answers) in a fresh database (a temporary SQLite file; with
DATABASE_URL set, a new database ``peerlearn_bench_package`` on that
PostgreSQL server).  Prints one table:

* the package build (every CSV, datapackage.json, README, SPSS and Stata,
  the XLSForm): time, and peak Python memory (tracemalloc, in a second run so
  tracing does not slow the timed one);
* the baseline in the same process: the same tables with every row held in
  memory before writing (what streaming avoids): its peak memory, and the
  ratio of the streamed build's peak to it;
* the headline figures of the dashboard and the report (target < 1 s).

    .venv/bin/python benchmarks/data_package.py [--people 1000 5000 10000]
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import tempfile
from functools import partial
from pathlib import Path
from typing import Any

from bench_db import fresh_database  # noqa: E402 - a sibling script module
from measure import timed, traced_peak  # noqa: E402 - a sibling script module
from survey_results import answers_for, form_definition  # noqa: E402 - a sibling script module

BENCH_DB = "peerlearn_bench_package"


def fill(size: int) -> tuple[Any, Any]:
    """A programme of ``size`` participants; returns (programme, facilitator's user)."""
    from django.utils import timezone

    from peerlearn.accounts.models import User
    from peerlearn.delivery.models import Attendance, Session
    from peerlearn.people.models import Organisation, Person
    from peerlearn.programmes.models import Cohort, Group, GroupMember, Membership, Programme
    from peerlearn.surveys.identity import pseudonym_for
    from peerlearn.surveys.models import Instrument, Invitation, Response, Survey

    slug = f"bench-{size}"
    programme = Programme.objects.create(name=f"Bench {size}", slug=slug)
    cohort = Cohort.objects.create(programme=programme, name="Cohort")
    user = User.objects.create_user(username=f"f@{slug}.example", email=f"f@{slug}.example")
    facilitator = Person.objects.create(name="F", email=f"f@{slug}.example", user=user)
    Membership.objects.create(person=facilitator, programme=programme, role="facilitator")
    kinds = ["ministry", "agency", "municipality", "think_tank"]
    orgs = Organisation.objects.bulk_create(
        Organisation(
            name=f"{slug} org {i}", country=["KE", "GH", "PE", "ID"][i % 4], kind=kinds[i % 4]
        )
        for i in range(max(1, size // 20))
    )
    people = Person.objects.bulk_create(
        (
            Person(
                name=f"Person {slug} {i}",
                email=f"p{i}@{slug}.example",
                organisation=orgs[i % len(orgs)],
                country=["KE", "GH", "PE", "ID"][i % 4],
                seniority=["senior", "middle", "technical"][i % 3],
                gender=["woman", "man", ""][i % 3],
            )
            for i in range(size)
        ),
        batch_size=1000,
    )
    Membership.objects.bulk_create(
        (
            Membership(person=p, programme=programme, cohort=cohort, role="participant")
            for p in people
        ),
        batch_size=1000,
    )
    groups = Group.objects.bulk_create(
        Group(cohort=cohort, name=f"G{i}") for i in range(max(1, size // 5))
    )
    GroupMember.objects.bulk_create(
        (GroupMember(group=groups[i // 5 % len(groups)], person=p) for i, p in enumerate(people)),
        batch_size=1000,
    )
    now = timezone.now()
    sessions = Session.objects.bulk_create(
        Session(
            programme=programme,
            cohort=cohort,
            title=f"S{i}",
            starts_at=now - timezone.timedelta(days=i + 1),
            ends_at=now - timezone.timedelta(days=i + 1) + timezone.timedelta(hours=1),
            time_zone="UTC",
        )
        for i in range(max(1, size // 50))
    )
    Attendance.objects.bulk_create(
        (
            Attendance(session=sessions[i % len(sessions)], person=p, present=i % 4 != 0)
            for i, p in enumerate(people)
        ),
        batch_size=1000,
    )
    instrument = Instrument.objects.create(
        programme=programme,
        title="Benchmark",
        form_id="bench",
        version="1",
        anonymity="pseudonymous",
        definition=form_definition(),
    )
    survey = Survey.objects.create(
        instrument=instrument, programme=programme, title="Bench survey", opens_at=now
    )
    Invitation.objects.bulk_create(
        (Invitation(survey=survey, person=p, submitted_at=now) for p in people), batch_size=1000
    )
    Response.objects.bulk_create(
        (
            Response(
                survey=survey,
                answers=answers_for(i),
                pseudonym=pseudonym_for(programme.pk, p.pk),
                language="en",
                submitted_at=now.replace(minute=0, second=0, microsecond=0),
                batch=1,
            )
            for i, p in enumerate(people)
        ),
        batch_size=1000,
    )
    return programme, user


def build(programme: Any, user: Any) -> int:
    from peerlearn.evidence.datapackage import build_package

    folder = Path(tempfile.mkdtemp(prefix="bench-package-"))
    try:
        summary = build_package(programme, user, folder / "package")
        return sum(r.rows or 0 for r in summary.resources)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def build_in_memory(programme: Any, user: Any) -> int:
    """The baseline: every table's rows in a list before a line is written."""
    from peerlearn.evidence.datapackage import cell
    from peerlearn.evidence.datapackage import reader_tables as package_tables

    folder = Path(tempfile.mkdtemp(prefix="bench-naive-"))
    try:
        held = [(table, list(table.rows)) for table in package_tables(programme, user)]
        for table, rows in held:
            with (folder / f"{table.name}.csv").open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(table.header)
                writer.writerows([cell(v) for v in row] for row in rows)
        return sum(len(rows) for _table, rows in held)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def figures(programme: Any, user: Any) -> Any:
    from peerlearn.evidence.figures import Scope, headline_figures
    from peerlearn.programmes.permissions import access_for

    return headline_figures(Scope(programme), access_for(user, programme))


def run(sizes: list[int]) -> None:
    label, url = fresh_database(BENCH_DB)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerlearn.site.settings")
    os.environ.setdefault("PEERLEARN_ALLOW_DEV_SECRET", "true")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"Data package benchmark on {label}")
    header = (
        f"{'people':>7} {'answers':>8} {'rows':>8} {'build s':>8} {'peak MiB':>9} "
        f"{'naive MiB':>10} {'peak/naive':>10} {'figures s':>10}"
    )
    print(header)
    print("-" * len(header))
    from peerlearn.surveys.models import Response

    # Warm up (imports of pandas, pyreadstat, openpyxl...) so no size pays for them.
    warm = fill(20)
    build(*warm)
    figures(*warm)
    for size in sizes:
        programme, user = fill(size)
        answers = sum(
            len(a)
            for a in Response.objects.filter(survey__programme=programme).values_list(
                "answers", flat=True
            )
        )
        rows, seconds = timed(partial(build, programme, user))
        peak = traced_peak(partial(build, programme, user))
        naive = traced_peak(partial(build_in_memory, programme, user))
        _figures, figure_seconds = timed(partial(figures, programme, user))
        print(
            f"{size:>7} {answers:>8} {rows:>8} {seconds:>8.2f} {peak:>9.1f} "
            f"{naive:>10.1f} {peak / naive:>10.2f} {figure_seconds:>10.2f}"
        )
    print("targets: the package of 10,000 people under 60 s with bounded memory; figures under 1 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, nargs="+", default=[1000, 5000, 10000])
    run(parser.parse_args().people)


if __name__ == "__main__":
    main()
