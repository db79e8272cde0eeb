"""Delivery at full size: 10,000 participants in 1,700 groups, 40 sessions and 20 check-ins each.

The issue's performance target, measured in one world. Builds a fresh
database (a temporary SQLite file; with DATABASE_URL set, a new database
``peerlearn_bench_delivery`` on that PostgreSQL server), fills it with 68,000
sessions and 34,000 check-ins, and prints one table:

* the facilitator's programme page with its "Today" panels (sessions of the
  week, RSVPs, check-in rounds with 20 check-ins per group, products due,
  objectives, move requests), target < 1 s, next to the same page for an
  observer (no Today panels) so the ratio is what the panels cost; with the
  number of SQL queries of each page;
* the progress grid (every group's check-ins side by side, 1,700 rows by 21
  rounds): no target in the issue, measured because facilitators open it;
* one person's calendar feed (``/calendar/<token>.ics``, through Django's test
  client), target < 200 ms, next to a naive baseline that loads every session
  of the programme with its groups and filters them in Python;
* the reminder run for one day's sessions (1,700 sessions, 10,000 reminders,
  each with its .ics, to the locmem backend): ``send_session_mail``'s
  ``send_all_due``, target < 60 s, next to a baseline that renders and sends
  the same e-mails with no claims at all (what the claims cost);
* common-problem detection over the cohort's 34,000 check-in texts, as the
  page runs it (``checkins.propose_problems``: read from the database, engine,
  proposals written), target < 30 s, next to the engine alone on the same
  texts already in memory (what reading and writing cost). The texts are
  those of ``benchmarks/progress.py`` (true categories, seeded), one per
  check-in: "where we are stuck" for one group in ten, "help from peers"
  for the others.

    .venv/bin/python benchmarks/delivery.py                 # full size
    .venv/bin/python benchmarks/delivery.py --scale 0.1     # a tenth, to try things
    .venv/bin/python benchmarks/delivery.py --profile       # + queries per panel, cProfile
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python benchmarks/delivery.py
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bench_db import fresh_database  # noqa: E402 - a sibling script module

BENCH_DB = "peerlearn_bench_delivery"
#: The issue's full size: people, groups, sessions per group, check-ins per group.
FULL = {"people": 10_000, "groups": 1_700, "sessions": 40, "check_ins": 20}


#: CPU seconds of this process per measure (the last run's), by ``timed``'s ``name``.
CPU: dict[str, float] = {}


def timed(work: Callable[[], Any], repeat: int = 1, name: str = "") -> tuple[Any, float]:
    """The result of ``work`` and its median wall time over ``repeat`` runs.

    With a ``name``, the CPU time of this process for one run goes to ``CPU``:
    on a shared machine wall time grows with the load, CPU time much less
    (on PostgreSQL the server's own CPU is not in it).
    """
    times, result = [], None
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        result = work()
        times.append(time.perf_counter() - start)
        if name:
            CPU[name] = time.process_time() - cpu
    return result, statistics.median(times)


def build(people: int, groups: int, sessions: int) -> dict[str, Any]:
    """The programme: one cohort, ``groups`` groups, weekly sessions per group."""
    from django.utils import timezone

    from peerlearn.delivery.models import CalendarFeed, Session, SessionMail
    from peerlearn.engine import rhythm
    from peerlearn.people.models import Person
    from peerlearn.programmes.models import Cohort, Group, GroupMember, Membership, Programme

    programme = Programme.objects.create(name="Bench", slug="bench")
    cohort = Cohort.objects.create(programme=programme, name="Cohort")
    Person.objects.bulk_create(
        (Person(name=f"P{i}", email=f"p{i}@bench.example") for i in range(people)),
        batch_size=2000,
    )
    person_ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    Membership.objects.bulk_create(
        (
            Membership(person_id=pk, programme=programme, cohort=cohort, role="participant")
            for pk in person_ids
        ),
        batch_size=2000,
    )
    Group.objects.bulk_create(Group(cohort=cohort, name=f"G{g}") for g in range(groups))
    group_ids = list(Group.objects.order_by("pk").values_list("pk", flat=True))
    GroupMember.objects.bulk_create(
        (
            GroupMember(group_id=group_ids[i % groups], person_id=pk)
            for i, pk in enumerate(person_ids)
        ),
        batch_size=2000,
    )
    # Session k of every group: k weeks from tomorrow (k = 0 is the reminder day).
    soon = timezone.now() + timedelta(hours=20)
    Session.objects.bulk_create(
        (
            Session(
                programme=programme,
                cohort=cohort,
                title=f"G{g} session {k}",
                starts_at=soon + timedelta(weeks=k),
                ends_at=soon + timedelta(weeks=k, minutes=90),
                time_zone="Europe/Paris",
                place="Room",
                plenary=False,
            )
            for k in range(sessions)
            for g in range(groups)
        ),
        batch_size=2000,
    )
    session_ids = list(Session.objects.order_by("pk").values_list("pk", flat=True))
    through = Session.groups.through
    through.objects.bulk_create(
        (
            through(session_id=sid, group_id=group_ids[n % groups])
            for n, sid in enumerate(session_ids)
        ),
        batch_size=5000,
    )
    # Everyone was invited to what falls within the invitation lead already.
    horizon = timezone.now() + rhythm.INVITATION_LEAD
    invited_at = timezone.now() - timedelta(days=10)
    in_lead = Session.objects.filter(starts_at__lte=horizon).values_list("pk", flat=True)
    members = dict(GroupMember.objects.values_list("person_id", "group_id"))
    by_group: dict[int, list[int]] = {}
    for person_id, group_id in members.items():
        by_group.setdefault(group_id, []).append(person_id)
    session_group = dict(through.objects.values_list("session_id", "group_id"))
    SessionMail.objects.bulk_create(
        (
            SessionMail(session_id=sid, person_id=pid, invited_at=invited_at, informed_sequence=0)
            for sid in in_lead
            for pid in by_group[session_group[sid]]
        ),
        batch_size=5000,
    )
    person = Person.objects.get(pk=person_ids[people // 2])
    return {
        "programme": programme,
        "person": person,
        "token": CalendarFeed.issue(person),
        "sessions": len(session_ids),
    }


def add_progress(world: dict[str, Any], check_ins: int) -> dict[str, Any]:
    """``check_ins + 1`` weekly check-in rounds (the last one next week, not filed yet),
    every group reporting in the others with one text each (see the module
    docstring), a product per group due within the fortnight; a facilitator
    and an observer to view the page."""
    from django.utils import timezone

    from peerlearn.accounts.models import User
    from peerlearn.people.models import Person
    from peerlearn.programmes.models import Cohort, Group, Membership
    from peerlearn.progress.models import CheckIn, CheckInRound, Product
    from progress import synthetic_check_ins  # noqa: E402 - a sibling script module

    programme = world["programme"]
    cohort = Cohort.objects.get(programme=programme)
    today = timezone.localdate()
    rounds = check_ins + 1
    CheckInRound.objects.bulk_create(
        CheckInRound(
            cohort=cohort, title=f"Week {r}", due_date=today + timedelta(weeks=r - rounds + 2)
        )
        for r in range(rounds)
    )
    past = list(CheckInRound.objects.filter(due_date__lte=today).values_list("pk", flat=True))
    group_ids = list(Group.objects.filter(cohort=cohort).values_list("pk", flat=True))
    texts, _truth = synthetic_check_ins(len(group_ids), len(past), seed=0)
    text = {(e.group_id, int(str(e.id).split(":")[1])): e.text for e in texts}

    def check_in(n: int, r: int, g: int) -> Any:
        said = text[(n, past.index(r))]
        stuck = n % 10 == 0
        return CheckIn(
            round_id=r,
            group_id=g,
            completed="Drafted the plan",
            stuck=said if stuck else "",
            help_peers="" if stuck else said,
            progress=1 + (n + r) % 5,
        )

    CheckIn.objects.bulk_create(
        (check_in(n, r, g) for r in past for n, g in enumerate(group_ids)),
        batch_size=5000,
    )
    Product.objects.bulk_create(
        Product(
            group_id=g, title=f"Plan {g}", kind="report", due_date=today + timedelta(days=g % 20)
        )
        for g in group_ids
    )
    viewers = {}
    for role in ("facilitator", "observer"):
        user = User.objects.create(email=f"{role}@bench.example")
        person = Person.objects.create(name=role, email=user.email, user=user)
        Membership.objects.create(person=person, programme=programme, role=role)
        viewers[role] = user
    return {"check_ins": CheckIn.objects.count(), "cohort": cohort, **viewers}


def count_queries(work: Callable[[], Any]) -> int:
    """How many SQL queries ``work`` runs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        work()
    return len(captured.captured_queries)


def profile_page(client: Any, url: str, programme: Any, user: Any) -> None:
    """Queries and seconds of each Today panel, then the page's top functions by cProfile."""
    from django.test import RequestFactory

    from peerlearn.programmes import today as dashboard
    from peerlearn.programmes.permissions import access_for

    request = RequestFactory().get(url)
    request.user = user
    access = access_for(user, programme)
    print("\nToday panels for the facilitator (queries, seconds):")
    for builder in dashboard.FACILITATOR_PANELS:
        panel, seconds = timed(lambda b=builder: b(request, programme, access))  # type: ignore[misc]
        queries = count_queries(lambda b=builder: b(request, programme, access))  # type: ignore[misc]
        print(f"  {builder.__module__}.{builder.__name__:<28} {queries:>4} {seconds:>8.3f} s")
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(url)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats("peerlearn", 25)
    stats.sort_stats("tottime").print_stats(20)
    print(out.getvalue())


def naive_feed(person: Any, programme: Any) -> bytes:
    """Baseline: every session of the programme, its groups prefetched, filtered in Python."""
    from peerlearn.delivery import services
    from peerlearn.delivery.models import Session

    mine = set(person.peer_groups.values_list("pk", flat=True))
    chosen = [
        s
        for s in Session.objects.filter(programme=programme).prefetch_related("groups")
        if {g.pk for g in s.groups.all()} & mine
    ]
    return services.calendar(chosen)


def naive_reminders(now: Any) -> int:
    """Baseline: the same e-mails rendered and sent with no claims and no shared connection."""
    from django.core import mail

    from peerlearn.delivery.models import SessionMail
    from peerlearn.delivery.sending import _message

    rows = SessionMail.objects.filter(
        session__starts_at__gt=now, session__starts_at__lte=now + timedelta(days=1)
    ).select_related("session__programme", "person")
    sent = 0
    for row in rows:
        _message(row, "reminder", mail.get_connection()).send()
        sent += 1
    return sent


def run(people: int, groups: int, sessions: int, check_ins: int, *, profile: bool) -> None:
    load_at_start = os.getloadavg()[0]
    label, url = fresh_database(BENCH_DB)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerlearn.site.settings")
    os.environ.setdefault("PEERLEARN_ALLOW_DEV_SECRET", "true")
    os.environ["PEERLEARN_ALLOWED_HOSTS"] = "testserver"
    os.environ["PEERLEARN_SITE_URL"] = "https://peerlearn.example.org"
    import django

    django.setup()
    from django.conf import settings
    from django.core import mail
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    call_command("migrate", verbosity=0)
    from peerlearn.delivery import sending
    from peerlearn.engine.common_problems import propose_common_problems
    from peerlearn.progress import checkins
    from peerlearn.progress.views import GRID_GROUPS_PER_PAGE

    world, build_s = timed(lambda: build(people, groups, sessions))
    client = Client()
    feed_url = reverse("delivery:feed", args=[world["token"]])
    warm = client.get(feed_url)
    assert warm.status_code == 200
    feed, feed_s = timed(lambda: client.get(feed_url), repeat=5, name="feed")
    events = feed.content.count(b"BEGIN:VEVENT")
    naive, naive_feed_s = timed(lambda: naive_feed(world["person"], world["programme"]))
    assert naive.count(b"BEGIN:VEVENT") == events

    progress, progress_s = timed(lambda: add_progress(world, check_ins))
    page_url = reverse("programmes:detail", args=[world["programme"].slug])
    grid_url = reverse("progress:overview", args=[world["programme"].slug])

    def page_for(user: Any, url: str = page_url) -> tuple[Callable[[], Any], int]:
        viewer = Client()
        viewer.force_login(user)
        assert viewer.get(url).status_code == 200  # warm

        def get() -> Any:
            response = viewer.get(url)
            assert response.status_code == 200
            return response

        return get, count_queries(get)

    get_dashboard, dashboard_queries = page_for(progress["facilitator"])
    dashboard, dashboard_s = timed(get_dashboard, repeat=5, name="dashboard")
    assert b"Check-ins and products" in dashboard.content
    get_plain, plain_queries = page_for(progress["observer"])
    _plain, plain_s = timed(get_plain, repeat=5)
    get_grid, grid_queries = page_for(progress["facilitator"], grid_url)
    grid, grid_s = timed(get_grid, repeat=3, name="grid")
    assert grid.content.count(b'<th scope="row">') == min(groups, GRID_GROUPS_PER_PAGE)
    if profile:
        viewer = Client()
        viewer.force_login(progress["facilitator"])
        profile_page(viewer, page_url, world["programme"], progress["facilitator"])

    now = timezone.now()
    results, send_s = timed(lambda: sending.send_all_due(now), name="reminders")
    reminders = sum(r.reminders for _s, r in results)
    invitations = sum(r.invitations for _s, r in results)
    errors = [r.error for _s, r in results if r.error]
    assert not errors, errors[:3]
    sent_mail = len(mail.outbox)
    again, again_s = timed(lambda: sending.send_all_due(now), name="again")
    repeated = sum(r.reminders + r.invitations + r.notices for _s, r in again)
    mail.outbox = []
    baseline_sent, baseline_s = timed(lambda: naive_reminders(now))

    cohort = progress["cohort"]
    texts = checkins._excerpts(
        checkins._check_ins_of(cohort, checkins.PROBLEM_FIELDS), checkins.PROBLEM_FIELDS
    )
    found, problems_s = timed(lambda: checkins.propose_problems(cohort), name="problems")
    _engine, engine_s = timed(lambda: propose_common_problems(texts))

    print(
        f"\nDelivery benchmark ({label}): {people:,} people, {groups:,} groups, "
        f"{world['sessions']:,} sessions, {progress['check_ins']:,} check-ins; "
        f"setup {build_s + progress_s:.1f} s; load average at start {load_at_start:.1f}, "
        f"now {os.getloadavg()[0]:.1f} (2 cores shared: wall times grow with it)\n"
    )
    rows = [
        (
            "dashboard",
            "facilitator's programme page",
            f"{dashboard_queries} queries, x{dashboard_s / plain_s:.1f}",
            dashboard_s,
            "< 1 s",
            plain_s,
            f"observer: no Today, {plain_queries} queries",
        ),
        (
            "grid",
            "progress grid, first page",
            f"{grid_queries} queries",
            grid_s,
            "-",
            None,
            f"{min(groups, GRID_GROUPS_PER_PAGE)} of {groups:,} rows x {check_ins + 1} rounds",
        ),
        (
            "feed",
            "calendar feed of one person",
            f"{events} events",
            feed_s,
            "< 0.2 s",
            naive_feed_s,
            "naive: all sessions, filter in Python",
        ),
        (
            "reminders",
            "reminders for one day",
            f"{reminders:,} sent ({invitations} inv.)",
            send_s,
            "< 60 s",
            baseline_s,
            f"no claims: {baseline_sent:,} sent",
        ),
        ("again", "same run again (idempotent)", f"{repeated} sent", again_s, "0 sent", None, ""),
        (
            "problems",
            "common problems (the page's)",
            f"{len(found)} from {len(texts):,} texts",
            problems_s,
            "< 30 s",
            engine_s,
            "engine alone, texts in memory",
        ),
    ]
    print(
        f"{'measure':<30} {'result':<26} {'time':>9} {'cpu':>9} {'target':>9} {'baseline':>10}"
        "  note"
    )
    for key, name, result, seconds, target, base, note in rows:
        base_text = f"{base:.3f} s" if base is not None else "-"
        print(
            f"{name:<30} {result:<26} {seconds:>7.3f} s {CPU[key]:>7.3f} s {target:>9} "
            f"{base_text:>10}  {note}"
        )
    print(f"\ne-mails in the locmem outbox after the first run: {sent_mail:,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="share of the full size (people and groups; 1.0: 10,000 people in 1,700 groups)",
    )
    parser.add_argument("--people", type=int, help="override the scaled number of people")
    parser.add_argument("--groups", type=int, help="override the scaled number of groups")
    parser.add_argument("--sessions", type=int, default=FULL["sessions"], help="per group")
    parser.add_argument("--check-ins", type=int, default=FULL["check_ins"], help="per group")
    parser.add_argument("--profile", action="store_true", help="queries per panel and cProfile")
    args = parser.parse_args()
    people = args.people or max(2, round(FULL["people"] * args.scale))
    groups = args.groups or max(2, round(FULL["groups"] * args.scale))
    run(people, groups, args.sessions, args.check_ins, profile=args.profile)


if __name__ == "__main__":
    main()
