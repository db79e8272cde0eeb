"""1,000 respondents submitting a survey at the same moment, against the production setup.

gunicorn (``peerlearn.site.wsgi``, debug off) and PostgreSQL over loopback:

1. create a fresh database (dropped again at the end unless ``--keep``) and
   migrate it;
2. one programme, one cohort, N participants, the built-in ``pulse``
   instrument, one open survey, one invitation and one personal link per
   person (``Invitation.issue_link()``);
3. start gunicorn on a free port;
4. N client threads each GET their answer page (keeping the ``csrftoken``
   cookie and the form's ``csrfmiddlewaretoken``), wait until every client is
   ready, then POST valid answers with ``action=submit`` all at once; for 10 %
   of them a second thread POSTs the same answers at the same moment (a double
   submit);
5. count: responses stored must equal N exactly (no lost, no duplicated
   answer), every respondent must get exactly one success page
   (``data-submitted="yes"``) and every double submit a 409.

Prints latency (median, p95, max) of GET and POST, status codes, throughput.

    .venv/bin/python benchmarks/survey_concurrency.py [--respondents 1000]
        [--database-url postgres://postgres@127.0.0.1:5432/peerlearn_bench]

Needs gunicorn in the virtual environment (``pip install -e '.[prod]'``) and
a PostgreSQL server the URL's user may create databases on.  Exit code 0 when
every count is right, 1 when not, 2 when the setup cannot run.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import random
import re
import resource
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/peerlearn_bench"
ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
HOST = "127.0.0.1"
SUBMITTED = 'data-submitted="yes"'
TOKEN_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class SetupError(RuntimeError):
    """The benchmark cannot run (missing server, missing page...)."""


# ------------------------------------------------------------------ database


def _server_url(url: str) -> tuple[str, str]:
    """The URL of the server's maintenance database, and the benchmark database's name."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SetupError(f"database name {name!r}: use lower-case letters, digits and _")
    return urlunsplit(parts._replace(path="/postgres")), name


def recreate_database(url: str) -> None:
    import psycopg

    server, name = _server_url(url)
    try:
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        raise SetupError(f"PostgreSQL is not reachable at {server}: {error}") from None


def drop_database(url: str) -> None:
    import psycopg

    server, name = _server_url(url)
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ------------------------------------------------------------------ data


def production_env(database_url: str) -> dict[str, str]:
    """Environment of the production setup (debug off, a real secret, loopback host)."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "peerlearn.site.settings",
            "DATABASE_URL": database_url,
            "PEERLEARN_DEBUG": "false",
            "PEERLEARN_SECRET_KEY": secrets.token_urlsafe(50),
            "PEERLEARN_ALLOWED_HOSTS": f"{HOST},localhost",
            "PEERLEARN_SITE_URL": f"http://{HOST}",
            "PEERLEARN_EMAIL_BACKEND": "memory",
            "PEERLEARN_TASKS_BACKEND": "immediate",
            "PEERLEARN_LOG_LEVEL": "ERROR",
        }
    )
    env.pop("PEERLEARN_ALLOW_DEV_SECRET", None)
    return env


@dataclass
class Respondent:
    index: int
    path: str  # /s/<survey id>/<token>/
    answers: list[tuple[str, str]]
    double: bool


def seed(n: int, double_share: float) -> tuple[int, list[Respondent]]:
    """Programme, cohort, ``n`` participants, pulse, an open survey and personal links."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    from datetime import timedelta

    from django.utils import timezone

    from peerlearn.people.models import Person
    from peerlearn.programmes.models import Cohort, Membership, Programme
    from peerlearn.surveys.library import install_builtin
    from peerlearn.surveys.models import Invitation, Survey

    programme = Programme.objects.create(name="Benchmark network", slug="bench")
    cohort = Cohort.objects.create(programme=programme, name="Benchmark event", kind="event")
    people = Person.objects.bulk_create(
        Person(name=f"Respondent {i}", email=f"r{i}@bench.example") for i in range(n)
    )
    Membership.objects.bulk_create(
        Membership(person=p, programme=programme, cohort=cohort, role="participant") for p in people
    )
    instrument = install_builtin(programme, "pulse")
    survey = Survey.objects.create(
        instrument=instrument,
        programme=programme,
        cohort=cohort,
        title="Benchmark pulse",
        opens_at=timezone.now() - timedelta(hours=1),
    )
    invitations = Invitation.objects.bulk_create(
        Invitation(survey=survey, person=p, sent_at=timezone.now()) for p in people
    )
    rng = random.Random(1)
    every = max(1, round(1 / double_share)) if double_share > 0 else 0
    respondents = [
        Respondent(
            index=i,
            path=f"/s/{survey.pk}/{invitation.issue_link()}/",
            answers=valid_answers(instrument.form, rng, i),
            double=bool(every) and i % every == 0,
        )
        for i, invitation in enumerate(invitations)
    ]
    return survey.pk, respondents


def valid_answers(form: Any, rng: random.Random, i: int) -> list[tuple[str, str]]:
    """Answers to every relevant question of ``form``, as (field, value) pairs.

    Select questions take one of their choices (select_multiple: one or two,
    as repeated fields); texts stay short so every constraint holds.
    """
    from peerlearn.surveys.xlsform import evaluate

    given: dict[str, Any] = {}
    pairs: list[tuple[str, str]] = []
    for question in form.questions():
        if question.relevant and not evaluate(question.relevant, given):
            continue
        choices = form.choice_lists[question.list_name].choices if question.list_name else []
        if question.type == "select_one":
            value: Any = rng.choice(choices).name
            pairs.append((question.name, value))
        elif question.type == "select_multiple":
            value = [rng.choice(choices).name]  # one, so exclusive choices stay valid
            pairs.extend((question.name, v) for v in value)
        elif question.type in ("integer", "decimal"):
            value = "1"
            pairs.append((question.name, value))
        elif question.type == "date":
            value = "2026-01-15"
            pairs.append((question.name, value))
        else:
            value = f"Something to try, from respondent {i}."
            pairs.append((question.name, value))
        given[question.name] = value
    return pairs


# ------------------------------------------------------------------ server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def start_gunicorn(env: dict[str, str], port: int, workers: int, threads: int) -> subprocess.Popen:
    if not GUNICORN.exists():
        raise SetupError(f"{GUNICORN} is missing: pip install -e '.[prod]'")
    command = [
        str(GUNICORN),
        "peerlearn.site.wsgi",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--backlog",
        "4096",
        "--timeout",
        "120",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SetupError(f"gunicorn exited with code {server.returncode}")
        try:
            status, _, _, _ = request(port, "GET", "/accounts/login/")
            if status < 500:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    stop(server)
    raise SetupError("gunicorn did not answer within 60 s")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# ------------------------------------------------------------------ clients


def request(
    port: int,
    method: str,
    path: str,
    body: str | None = None,
    cookies: dict[str, str] | None = None,
) -> tuple[int, str, dict[str, str], float]:
    """One HTTP request on a new connection: status, body, new cookies, seconds taken."""
    headers = {"Host": f"{HOST}:{port}", "User-Agent": "peerlearn-benchmark"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    started = time.perf_counter()
    connection = http.client.HTTPConnection(HOST, port, timeout=300)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        jar: SimpleCookie = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        new = {key: morsel.value for key, morsel in jar.items()}
        return response.status, text, new, time.perf_counter() - started
    finally:
        connection.close()


@dataclass
class Results:
    get_seconds: list[float] = field(default_factory=list)
    post_seconds: list[float] = field(default_factory=list)
    get_status: Counter = field(default_factory=Counter)
    post_status: Counter = field(default_factory=Counter)
    successes: Counter = field(default_factory=Counter)  # respondent -> success pages
    double_status: Counter = field(default_factory=Counter)  # statuses of both double posts
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    post_started: float = 0.0
    post_finished: float = 0.0

    def record_get(self, status: int, seconds: float) -> None:
        with self.lock:
            self.get_status[status] += 1
            self.get_seconds.append(seconds)

    def record_post(self, who: Respondent, status: int, body: str, seconds: float) -> None:
        with self.lock:
            self.post_status[status] += 1
            self.post_seconds.append(seconds)
            self.post_finished = max(self.post_finished, time.perf_counter())
            if status == 200 and SUBMITTED in body:
                self.successes[who.index] += 1
            if who.double:
                self.double_status[status] += 1
            if status not in (200, 409) and len(self.failures) < 10:
                self.failures.append(f"respondent {who.index}: POST {status} {body[:200]!r}")


def respondent_thread(
    port: int, who: Respondent, barrier: threading.Barrier, results: Results
) -> None:
    """GET the page, wait for everyone, POST (twice at once for a double submitter)."""
    form: dict[str, Any] | None = None
    try:
        status, body, cookies, seconds = request(port, "GET", who.path)
        results.record_get(status, seconds)
        token = TOKEN_INPUT.search(body)
        if status == 200 and token and "csrftoken" in cookies:
            data = [("csrfmiddlewaretoken", token.group(1)), ("action", "submit"), *who.answers]
            form = {"body": urlencode(data), "cookies": cookies}
        else:
            with results.lock:
                results.failures.append(f"respondent {who.index}: GET {status}, no form")
    except OSError as error:
        with results.lock:
            results.get_status[f"error {type(error).__name__}"] += 1
    twin = None
    if who.double:
        twin = threading.Thread(target=_post, args=(port, who, form, barrier, results))
        twin.start()
    _post(port, who, form, barrier, results)
    if twin is not None:
        twin.join()


def _post(
    port: int,
    who: Respondent,
    form: dict[str, Any] | None,
    barrier: threading.Barrier,
    results: Results,
) -> None:
    try:
        if barrier.wait(timeout=600) == 0:
            results.post_started = time.perf_counter()
    except threading.BrokenBarrierError:
        pass
    if form is None:
        return
    try:
        status, body, _, seconds = request(port, "POST", who.path, form["body"], form["cookies"])
        results.record_post(who, status, body, seconds)
    except OSError as error:
        with results.lock:
            results.post_status[f"error {type(error).__name__}"] += 1


def probe(port: int, who: Respondent) -> None:
    """Fail clearly before the flood when the answering page is not there."""
    status, body, cookies, _ = request(port, "GET", who.path)
    if status == 404:
        raise SetupError(
            f"GET {who.path} returned 404 for a valid personal link: the answering pages "
            "(surveys:answer in views_answer.py) are not in place yet."
        )
    if status != 200 or not TOKEN_INPUT.search(body) or "csrftoken" not in cookies:
        raise SetupError(
            f"GET {who.path} returned {status} without a form and a csrftoken cookie: "
            f"{body[:300]!r}"
        )


def run_clients(port: int, respondents: list[Respondent]) -> tuple[Results, float]:
    results = Results()
    parties = len(respondents) + sum(1 for r in respondents if r.double)
    barrier = threading.Barrier(parties)
    threading.stack_size(512 * 1024)
    threads = [
        threading.Thread(target=respondent_thread, args=(port, who, barrier, results))
        for who in respondents
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - started


# ------------------------------------------------------------------ report


def percentiles(values: list[float]) -> tuple[str, str, str]:
    if not values:
        return "-", "-", "-"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return (
        f"{statistics.median(ordered) * 1000:.0f} ms",
        f"{p95 * 1000:.0f} ms",
        f"{ordered[-1] * 1000:.0f} ms",
    )


def count_stored(survey_id: int) -> tuple[int, int]:
    from peerlearn.surveys.models import Invitation, Response

    responses = Response.objects.filter(survey_id=survey_id).count()
    submitted = Invitation.objects.filter(survey_id=survey_id, submitted_at__isnull=False).count()
    return responses, submitted


def report(
    n: int,
    respondents: list[Respondent],
    results: Results,
    wall: float,
    survey_id: int,
    setup: dict,
) -> bool:
    responses, submitted = count_stored(survey_id)
    doubles = sum(1 for r in respondents if r.double)
    once = sum(1 for r in respondents if results.successes[r.index] == 1)
    twice = sum(1 for r in respondents if results.successes[r.index] > 1)
    post_window = max(results.post_finished - results.post_started, 1e-9)
    get_median, get_p95, get_max = percentiles(results.get_seconds)
    post_median, post_p95, post_max = percentiles(results.post_seconds)
    rows = [
        ("respondents", f"{n} ({doubles} submitting twice at once)"),
        ("server", setup["server"]),
        ("database", setup["database"]),
        ("GET answer page: median / p95 / max", f"{get_median} / {get_p95} / {get_max}"),
        ("POST submit: median / p95 / max", f"{post_median} / {post_p95} / {post_max}"),
        ("GET status codes", _codes(results.get_status)),
        ("POST status codes", _codes(results.post_status)),
        ("double submits: status codes", _codes(results.double_status)),
        (
            "submit throughput",
            f"{len(results.post_seconds) / post_window:.0f} POST/s "
            f"({post_window:.1f} s for all POSTs)",
        ),
        ("whole run", f"{wall:.1f} s"),
        ("respondents with exactly one success page", f"{once} of {n}"),
        ("respondents with two success pages", str(twice)),
        ("responses stored", f"{responses} (expected {n})"),
        ("invitations marked submitted", f"{submitted} (expected {n})"),
    ]
    width = max(len(label) for label, _ in rows)
    print()
    print(f"{'Survey submit benchmark':<{width}}  result")
    print(f"{'-' * width}  {'-' * 40}")
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    for failure in results.failures:
        print(f"  {failure}")
    ok = (
        responses == n
        and submitted == n
        and once == n
        and twice == 0
        and results.double_status.get(409, 0) == doubles
    )
    print()
    print("PASS: no lost and no duplicated answer." if ok else "FAIL: see the counts above.")
    return ok


def _codes(counter: Counter) -> str:
    return ", ".join(f"{code}: {count}" for code, count in sorted(counter.items(), key=str)) or "-"


# ------------------------------------------------------------------ main


def raise_open_files_limit() -> None:
    """Each client holds a socket; lift the soft limit to the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and (hard == resource.RLIM_INFINITY or soft < hard):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=1000)
    parser.add_argument("--double", type=float, default=0.10, help="share submitting twice")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL))
    cores = os.cpu_count() or 1
    parser.add_argument("--workers", type=int, default=2 * cores + 1)
    parser.add_argument("--threads", type=int, default=4, help="gthread threads per worker")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        print("error: the benchmark needs PostgreSQL (postgres://...)", file=sys.stderr)
        return 2
    raise_open_files_limit()
    env = production_env(args.database_url)
    os.environ.update(env)
    server = None
    try:
        recreate_database(args.database_url)
        started = time.perf_counter()
        survey_id, respondents = seed(args.respondents, args.double)
        print(
            f"seeded {args.respondents} people and links in {time.perf_counter() - started:.1f} s"
        )
        port = free_port()
        server = start_gunicorn(env, port, args.workers, args.threads)
        probe(port, respondents[0])
        results, wall = run_clients(port, respondents)
        setup = {
            "server": f"gunicorn, {args.workers} gthread workers x {args.threads} threads, "
            f"{cores} cores, loopback port {port}",
            "database": f"PostgreSQL ({urlsplit(args.database_url).path.lstrip('/')}, fresh)",
        }
        from django.db import connection

        connection.close()  # the seeding connection may be stale after the run
        ok = report(args.respondents, respondents, results, wall, survey_id, setup)
        return 0 if ok else 1
    except SetupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        if server is not None:
            stop(server)
        with contextlib.suppress(Exception):  # Django may not be set up yet
            from django.db import connections

            connections.close_all()
        if not args.keep:
            try:
                drop_database(args.database_url)
            except Exception as error:  # noqa: BLE001 - report, do not hide the result
                print(f"warning: could not drop the benchmark database: {error}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
