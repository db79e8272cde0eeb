"""Flat feeds at scale: a 100,000-row CSV feed streamed in bounded memory.

For each size, a fresh database (a temporary SQLite file; with DATABASE_URL
set, a new database ``peerlearn_bench_feeds`` on that PostgreSQL server) holds
a programme with ``rows / 10`` participants (memberships, a group per 5) and
one anonymous 10-question survey with ``rows`` responses (anonymous: a
pseudonymous survey holds one response per person, and 100,000 people is
not the point here).  Each feed is read
with a facilitator's token through Django's test client (in process), its
body consumed piece by piece as a BI tool would.  Prints one table:

* ``responses.csv`` of the survey (``rows`` rows): time, megabytes sent, peak
  Python memory (tracemalloc, in a second run so tracing does not slow the
  timed one);
* the baseline in the same process: the same rows held in memory and written
  into one body before anything is sent (what streaming avoids): its peak,
  and the streamed feed's peak as a share of it;
* ``people.csv`` (``rows / 10`` rows) and the survey's JSON feed read to the
  end through ``@odata.nextLink`` (pages of ``odata.PAGE_ROWS`` rows): time;
* ``sessions.csv`` (empty): a table of an app after the surveys', whose feed
  should not make the surveys' tables (count their answers) to find it.

    .venv/bin/python benchmarks/feeds.py [--rows 10000 100000]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
from typing import Any

from bench_db import fresh_database  # noqa: E402 - a sibling script module
from measure import timed, traced_peak  # noqa: E402 - a sibling script module
from survey_results import answers_for, form_definition  # noqa: E402 - a sibling script module

BENCH_DB = "peerlearn_bench_feeds"


def fill(rows: int) -> tuple[Any, Any, str]:
    """(programme, survey, token secret) with ``rows`` responses and ``rows / 10`` people."""
    from django.utils import timezone

    from peerlearn.accounts.models import User
    from peerlearn.api.models import ApiToken
    from peerlearn.people.models import Organisation, Person
    from peerlearn.programmes.models import Cohort, Group, GroupMember, Membership, Programme
    from peerlearn.surveys.models import Instrument, Invitation, Response, Survey

    slug = f"feeds-{rows}"
    size = max(10, rows // 10)
    programme = Programme.objects.create(name=f"Feeds {rows}", slug=slug)
    cohort = Cohort.objects.create(programme=programme, name="Cohort")
    user = User.objects.create_user(username=f"f@{slug}.example", email=f"f@{slug}.example")
    boss = Person.objects.create(name="F", email=user.email, user=user)
    Membership.objects.create(person=boss, programme=programme, role="facilitator")
    orgs = Organisation.objects.bulk_create(
        Organisation(name=f"{slug} org {i}", country="KE") for i in range(max(1, size // 20))
    )
    people = Person.objects.bulk_create(
        (
            Person(
                name=f"P {slug} {i}", email=f"p{i}@{slug}.example", organisation=orgs[i % len(orgs)]
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
    groups = Group.objects.bulk_create(Group(cohort=cohort, name=f"G{i}") for i in range(size // 5))
    GroupMember.objects.bulk_create(
        (
            GroupMember(group=groups[i // 5], person=p)
            for i, p in enumerate(people[: len(groups) * 5])
        ),
        batch_size=1000,
    )
    now = timezone.now()
    instrument = Instrument.objects.create(
        programme=programme,
        title="Benchmark",
        form_id="bench",
        version="1",
        anonymity="anonymous",
        definition=form_definition(),
    )
    survey = Survey.objects.create(
        instrument=instrument, programme=programme, cohort=cohort, title="Feed", opens_at=now
    )
    Invitation.objects.bulk_create(
        (Invitation(survey=survey, person=p, submitted_at=now) for p in people), batch_size=1000
    )
    # answers differ row by row (an anonymous export is ordered by them)
    Response.objects.bulk_create(
        (
            Response(
                survey=survey,
                answers=answers_for(i),
                language="en",
                submitted_at=now.replace(minute=0, second=0, microsecond=0),
                batch=1,
            )
            for i in range(rows)
        ),
        batch_size=2000,
    )
    _token, secret = ApiToken.issue(user, "bench", scope="read")
    return programme, survey, secret


def read_feed(client: Any, url: str, headers: dict[str, str]) -> int:
    """Read a CSV feed piece by piece (as a BI tool would); the bytes received."""
    response = client.get(url, **headers)
    assert response.status_code == 200, response.content[:300]
    return sum(len(piece) for piece in response.streaming_content)


def read_json(client: Any, url: str, headers: dict[str, str]) -> int:
    """Every row of a JSON feed, following ``@odata.nextLink``; the rows read."""
    import json

    rows = 0
    while url:
        response = client.get(url, **headers)
        assert response.status_code == 200, response.content[:300]
        document = json.loads(b"".join(response.streaming_content))
        rows += len(document["value"])
        url = document.get("@odata.nextLink", "").replace("http://testserver", "")
    return rows


def in_memory(survey: Any, user: Any) -> int:
    """The baseline: the same rows held, then one CSV body, before anything is sent."""
    from peerlearn.evidence.datapackage import cell
    from peerlearn.programmes.package_scope import package_scope
    from peerlearn.surveys.package import feed_table, plan_for

    scope = package_scope(survey.programme, user)
    assert scope is not None
    table = feed_table(plan_for(survey, scope.access, "labels", split_multiple=False))
    held = list(table.rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.header)
    writer.writerows([cell(v) for v in row] for row in held)
    return len(out.getvalue().encode("utf-8"))


def run(sizes: list[int]) -> None:
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
    client = Client()
    print(f"Flat feeds benchmark on {label}")
    header = (
        f"{'rows':>7} {'csv s':>7} {'csv MB':>7} {'peak MiB':>9} {'held MiB':>9} "
        f"{'peak/held':>9} {'people.csv s':>12} {'json all s':>10} {'json rows':>9} "
        f"{'sessions.csv s':>14}"
    )
    print(header)
    print("-" * len(header))
    warm = fill(50)  # imports and first queries paid before any size is timed
    read_feed(client, f"/api/v1/feeds/surveys/{warm[1].pk}/responses.csv", _headers(warm[2]))
    for rows in sizes:
        programme, survey, secret = fill(rows)
        headers = _headers(secret)
        user = programme.memberships.get(role="facilitator").person.user
        responses = f"/api/v1/feeds/surveys/{survey.pk}/responses.csv"
        sent, seconds = timed(lambda: read_feed(client, responses, headers))  # noqa: B023
        peak = traced_peak(lambda: read_feed(client, responses, headers))  # noqa: B023
        held = traced_peak(lambda: in_memory(survey, user))  # noqa: B023
        people = f"/api/v1/feeds/{programme.slug}/people.csv"
        _bytes, people_seconds = timed(lambda: read_feed(client, people, headers))  # noqa: B023
        as_json = f"/api/v1/feeds/surveys/{survey.pk}/responses.json"
        json_rows, json_seconds = timed(lambda: read_json(client, as_json, headers))  # noqa: B023
        sessions = f"/api/v1/feeds/{programme.slug}/sessions.csv"
        _bytes, sessions_seconds = timed(lambda: read_feed(client, sessions, headers))  # noqa: B023
        print(
            f"{rows:>7} {seconds:>7.2f} {sent / 1e6:>7.1f} {peak:>9.1f} {held:>9.1f} "
            f"{peak / held:>9.2f} {people_seconds:>12.2f} {json_seconds:>10.2f} {json_rows:>9} "
            f"{sessions_seconds:>14.2f}"
        )
    print("target: 100,000 rows streamed in bounded memory (the peak does not grow with rows)")


def _headers(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Token {secret}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    run(parser.parse_args().rows)


if __name__ == "__main__":
    main()
