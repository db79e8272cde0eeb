"""Sessions at scale: 10,000 participants in 1,700 groups, 40 weekly sessions per group.

Builds a fresh database (a temporary SQLite file; with DATABASE_URL set, a new
database ``peerlearn_bench_delivery`` on that PostgreSQL server), fills it with
68,000 sessions, and prints one table:

* one person's calendar feed (``/calendar/<token>.ics``, through Django's test
  client), target < 200 ms, next to a naive baseline that loads every session
  of the programme with its groups and filters them in Python;
* the facilitator's programme page with its "Today" panels (sessions of the
  week, RSVPs, check-in rounds with 20 check-ins per group, products due,
  objectives, move requests), target < 1 s, next to the same page for an
  observer (no Today panels) so the ratio is what the panels cost;
* the reminder run for one day's sessions (1,700 sessions, 10,000 reminders,
  each with its .ics, to the locmem backend): ``send_session_mail``'s
  ``send_all_due``, target < 60 s, next to a baseline that renders and sends
  the same e-mails with no claims at all (what the claims cost).

    .venv/bin/python benchmarks/delivery.py [--people 10000 --groups 1700 --sessions 40]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python benchmarks/delivery.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bench_db import fresh_database  # noqa: E402 - a sibling script module

BENCH_DB = "peerlearn_bench_delivery"


def timed(work: Callable[[], Any], repeat: int = 1) -> tuple[Any, float]:
    """The result of ``work`` and its median wall time over ``repeat`` runs."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
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


def add_progress(world: dict[str, Any], rounds: int) -> dict[str, Any]:
    """``rounds`` weekly check-in rounds (the last one next week), every group
    reporting in the past ones (one in ten stuck), a product per group due
    within the fortnight; a facilitator and an observer to view the page."""
    from django.utils import timezone

    from peerlearn.accounts.models import User
    from peerlearn.people.models import Person
    from peerlearn.programmes.models import Cohort, Group, Membership
    from peerlearn.progress.models import CheckIn, CheckInRound, Product

    programme = world["programme"]
    cohort = Cohort.objects.get(programme=programme)
    today = timezone.localdate()
    CheckInRound.objects.bulk_create(
        CheckInRound(
            cohort=cohort, title=f"Week {r}", due_date=today + timedelta(weeks=r - rounds + 2)
        )
        for r in range(rounds)
    )
    past = list(CheckInRound.objects.filter(due_date__lte=today).values_list("pk", flat=True))
    group_ids = list(Group.objects.filter(cohort=cohort).values_list("pk", flat=True))
    CheckIn.objects.bulk_create(
        (
            CheckIn(
                round_id=r,
                group_id=g,
                completed="Drafted the plan",
                stuck="Land records are missing" if g % 10 == 0 else "",
            )
            for r in past
            for g in group_ids
        ),
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
    return {"check_ins": CheckIn.objects.count(), **viewers}


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


def run(people: int, groups: int, sessions: int) -> None:
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

    world, build_s = timed(lambda: build(people, groups, sessions))
    client = Client()
    feed_url = reverse("delivery:feed", args=[world["token"]])
    warm = client.get(feed_url)
    assert warm.status_code == 200
    feed, feed_s = timed(lambda: client.get(feed_url), repeat=5)
    events = feed.content.count(b"BEGIN:VEVENT")
    naive, naive_feed_s = timed(lambda: naive_feed(world["person"], world["programme"]))
    assert naive.count(b"BEGIN:VEVENT") == events

    progress, progress_s = timed(lambda: add_progress(world, rounds=20))
    page_url = reverse("programmes:detail", args=[world["programme"].slug])

    def page_for(user: Any) -> Callable[[], Any]:
        viewer = Client()
        viewer.force_login(user)
        assert viewer.get(page_url).status_code == 200  # warm

        def get() -> Any:
            response = viewer.get(page_url)
            assert response.status_code == 200
            return response

        return get

    dashboard, dashboard_s = timed(page_for(progress["facilitator"]), repeat=5)
    assert b"Check-ins and products" in dashboard.content
    _plain, plain_s = timed(page_for(progress["observer"]), repeat=5)

    now = timezone.now()
    results, send_s = timed(lambda: sending.send_all_due(now))
    reminders = sum(r.reminders for _s, r in results)
    invitations = sum(r.invitations for _s, r in results)
    errors = [r.error for _s, r in results if r.error]
    assert not errors, errors[:3]
    sent_mail = len(mail.outbox)
    again, again_s = timed(lambda: sending.send_all_due(now))
    repeated = sum(r.reminders + r.invitations + r.notices for _s, r in again)
    mail.outbox = []
    baseline_sent, baseline_s = timed(lambda: naive_reminders(now))

    print(
        f"\nDelivery benchmark ({label}): {people:,} people, {groups:,} groups, "
        f"{world['sessions']:,} sessions, {progress['check_ins']:,} check-ins; "
        f"setup {build_s + progress_s:.1f} s\n"
    )
    rows = [
        (
            "facilitator's programme page",
            f"x{dashboard_s / plain_s:.1f} of the plain page",
            dashboard_s,
            "< 1 s",
            plain_s,
            "observer: same page, no Today",
        ),
        (
            "calendar feed of one person",
            f"{events} events",
            feed_s,
            "< 0.2 s",
            naive_feed_s,
            "naive: all sessions, filter in Python",
        ),
        (
            "reminders for one day",
            f"{reminders:,} sent ({invitations} inv.)",
            send_s,
            "< 60 s",
            baseline_s,
            f"no claims: {baseline_sent:,} sent",
        ),
        ("same run again (idempotent)", f"{repeated} sent", again_s, "0 sent", None, ""),
    ]
    print(f"{'measure':<30} {'result':<26} {'time':>9} {'target':>9} {'baseline':>10}  note")
    for name, result, seconds, target, base, note in rows:
        base_text = f"{base:.3f} s" if base is not None else "-"
        print(f"{name:<30} {result:<26} {seconds:>7.3f} s {target:>9} {base_text:>10}  {note}")
    print(f"\ne-mails in the locmem outbox after the first run: {sent_mail:,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--groups", type=int, default=1_700)
    parser.add_argument("--sessions", type=int, default=40)
    args = parser.parse_args()
    run(args.people, args.groups, args.sessions)


if __name__ == "__main__":
    main()
