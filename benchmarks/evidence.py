"""The programme dashboard and the funder report at scale: render time and query count.

For each size, a programme with that many participants in a fresh database
(a temporary SQLite file; with DATABASE_URL set, a new database
``peerlearn_bench_evidence`` on that PostgreSQL server), with something in
every app the figures read:

* people in 500-person cohorts, an organisation per 20, a group per 5, a
  session per 50 with everyone's attendance marked, a learning objective
  each (half rated), a product per group;
* about ten survey answers per person (10,000 people give about 100,000
  answers): a pseudonymous 10-question survey answered by 70 %, a
  follow-up (``followup_3m``) by a fifth, two partnership-health surveys by
  15 % (in groups of five), two capability self-assessments by 5 %;
* a published grouping per cohort (the cohort's groups of five as its
  result, themes and reasons per member as a run stores them, a move);
* two learning exchanges per person (some returned, a fifth recorded in
  check-ins), an outcome story per 50 people with substantiations, the
  built-in theory of change approved with evidence tied to it, and an
  experiment comparing two cohorts on a survey question and on objectives.

Prints one table per database: the dashboard (facilitator's view), the
funder report in HTML and in PDF, each as the facilitator and the evaluator
see them: median seconds over ``--repeat`` renders, SQL queries per render
and the ratio to the baseline, the same page of an empty programme rendered
in the same process (what every page costs anyway: middleware, template,
sign-in).  Targets: the dashboard under 1 s, the report (HTML and PDF)
under 10 s at 10,000 people.

    .venv/bin/python benchmarks/evidence.py [--people 1000 10000] [--repeat 3] [--profile]

Then, at the largest size, the seconds and queries of each figure; and with
``--profile`` the 25 most expensive functions (cProfile, cumulative) of one
dashboard render.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from bench_db import fresh_database  # noqa: E402 - a sibling script module
from survey_results import answers_for, form_definition  # noqa: E402 - a sibling script module

BENCH_DB = "peerlearn_bench_evidence"
TARGETS = {"dashboard": 1.0, "report": 10.0, "report_pdf": 10.0}
COHORT_SIZE = 500


def _people(programme: Any, size: int, slug: str) -> tuple[list[Any], list[Any], list[Any]]:
    """People, their cohorts and their groups of five."""
    from peerlearn.people.models import Organisation, Person
    from peerlearn.programmes.models import Cohort, Group, GroupMember, Membership

    kinds = ["ministry", "agency", "municipality", "think_tank"]
    countries = ["KE", "GH", "PE", "ID"]
    orgs = Organisation.objects.bulk_create(
        Organisation(name=f"{slug} org {i}", country=countries[i % 4], kind=kinds[i % 4])
        for i in range(max(1, size // 20))
    )
    people = Person.objects.bulk_create(
        (
            Person(
                name=f"Person {slug} {i}",
                email=f"p{i}@{slug}.example",
                organisation=orgs[i % len(orgs)],
                country=countries[(i // 20) % 4],
                seniority=["senior", "middle", "technical"][i % 3],
                gender=["woman", "man", ""][i % 3],
            )
            for i in range(size)
        ),
        batch_size=1000,
    )
    cohorts = Cohort.objects.bulk_create(
        Cohort(programme=programme, name=f"Cohort {c}")
        for c in range(max(1, -(-size // COHORT_SIZE)))
    )
    Membership.objects.bulk_create(
        (
            Membership(
                person=p, programme=programme, cohort=cohorts[i // COHORT_SIZE], role="participant"
            )
            for i, p in enumerate(people)
        ),
        batch_size=1000,
    )
    groups = Group.objects.bulk_create(
        Group(cohort=cohorts[(g * 5) // COHORT_SIZE], name=f"G{g}")
        for g in range(max(1, size // 5))
    )
    GroupMember.objects.bulk_create(
        (
            GroupMember(group=groups[min(i // 5, len(groups) - 1)], person=p)
            for i, p in enumerate(people)
        ),
        batch_size=1000,
    )
    return people, cohorts, groups


def _delivery(programme: Any, people: list[Any], cohorts: list[Any], groups: list[Any]) -> None:
    from django.utils import timezone

    from peerlearn.delivery.models import Attendance, Session
    from peerlearn.objectives.models import LearningObjective
    from peerlearn.progress.models import Product

    now = timezone.now()
    sessions = Session.objects.bulk_create(
        Session(
            programme=programme,
            cohort=cohorts[i % len(cohorts)],
            title=f"S{i}",
            starts_at=now - timedelta(days=i + 1),
            ends_at=now - timedelta(days=i + 1) + timedelta(hours=1),
            time_zone="UTC",
        )
        for i in range(max(1, len(people) // 50))
    )
    Attendance.objects.bulk_create(
        (
            Attendance(session=sessions[i % len(sessions)], person=p, present=i % 4 != 0)
            for i, p in enumerate(people)
        ),
        batch_size=1000,
    )
    LearningObjective.objects.bulk_create(
        (
            LearningObjective(
                programme=programme,
                person=p,
                statement="Cost a reform",
                why="Because",
                success_sign="A costed plan",
                start_rating=2,
                achievement=(1 + i % 4) if i % 2 else None,
            )
            for i, p in enumerate(people)
        ),
        batch_size=1000,
    )
    states = ["draft", "submitted", "accepted", "published"]
    Product.objects.bulk_create(
        (
            Product(group=g, title=f"Plan {i}", kind="action_plan", state=states[i % 4])
            for i, g in enumerate(groups)
        ),
        batch_size=1000,
    )


def _responses(survey: Any, people: list[Any], answers: Callable[[int], dict[str, Any]]) -> int:
    from django.utils import timezone

    from peerlearn.surveys.identity import pseudonym_for
    from peerlearn.surveys.models import Invitation, Response

    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    Invitation.objects.bulk_create(
        (Invitation(survey=survey, person=p, submitted_at=now) for p in people), batch_size=1000
    )
    rows = [
        Response(
            survey=survey,
            answers=answers(i),
            pseudonym=pseudonym_for(survey.programme_id, p.pk),
            language="en",
            submitted_at=now,
            batch=1,
        )
        for i, p in enumerate(people)
    ]
    Response.objects.bulk_create(rows, batch_size=1000)
    return sum(len(r.answers) for r in rows)


def _followup_answers(i: int) -> dict[str, Any]:
    shared = i % 3 != 0
    answers: dict[str, Any] = {
        "in_contact": "yes" if i % 2 else "no",
        "shared": "yes" if shared else "no",
    }
    if shared:
        answers.update(
            shared_with=["team", "manager", "leadership"][: 1 + i % 3],
            shared_form=["report_back"] if i % 2 else ["document", "community_of_practice"],
            shared_how_many=3 + i % 20,
            shared_what="The costing template",
        )
    if i % 7 == 0:
        answers["what_changed"] = f"The unit now costs every reform before it goes to cabinet ({i})"
    return answers


def _health_answers(i: int) -> dict[str, Any]:
    names = ("trust", "openness", "mutual_interest", "challenge", "two_way", "power_balance")
    return {name: str(1 + (i + j) % 5) for j, name in enumerate(names)}


def _capability_answers(start: bool) -> Callable[[int], dict[str, Any]]:
    names = [
        f"{level}_{c}"
        for level in ("me", "org")
        for c in ("commit", "deliver", "relate", "balance", "adapt")
    ]
    return lambda i: {name: str(1 + (i + (0 if start else 1)) % 4) for name in names}


def _surveys(programme: Any, people: list[Any], cohorts: list[Any]) -> tuple[int, Any]:
    """Every survey and its answers; returns (answers, the 10-question instrument)."""
    from django.utils import timezone

    from peerlearn.surveys.library import install_builtin
    from peerlearn.surveys.models import Instrument, Survey

    now = timezone.now()
    instrument = Instrument.objects.create(
        programme=programme,
        title="Benchmark",
        form_id="bench",
        version="1",
        anonymity="pseudonymous",
        definition=form_definition(),
    )

    def survey(instrument: Any, title: str, days: int) -> Any:
        return Survey.objects.create(
            instrument=instrument,
            programme=programme,
            title=title,
            opens_at=now - timedelta(days=days),
        )

    answering = [p for i, p in enumerate(people) if i % 10 < 7]
    answers = _responses(survey(instrument, "Bench survey", 20), answering, answers_for)
    followup = install_builtin(programme, "followup_3m")
    answers += _responses(survey(followup, "Follow-up", 10), people[::5], _followup_answers)
    health = install_builtin(programme, "partnership_health")
    health_people = [p for i, p in enumerate(people) if (i // 5) % 7 == 0]  # whole groups
    for days in (40, 5):
        answers += _responses(
            survey(health, f"Health {days}", days), health_people, _health_answers
        )
    capabilities = install_builtin(programme, "capabilities")
    for days, start in ((60, True), (2, False)):
        answers += _responses(
            survey(capabilities, f"Capabilities {days}", days),
            people[::20],
            _capability_answers(start),
        )
    return answers, instrument


def _matching(people: list[Any], cohorts: list[Any]) -> None:
    """A published groups run per cohort, stored as the engine stores one (5 per group)."""
    from django.utils import timezone

    from peerlearn.matching.models import MatchingRun, Move

    themes = ["land registry", "budget tagging", "reform team", "new agency", "civil service"]
    for c, cohort in enumerate(cohorts):
        members = people[c * COHORT_SIZE : (c + 1) * COHORT_SIZE]
        assignment = {str(p.pk): f"G{1 + i // 5}" for i, p in enumerate(members)}
        labels = list(dict.fromkeys(assignment.values()))
        run = MatchingRun.objects.create(
            cohort=cohort,
            kind="groups",
            status="done",
            parameters={"weights": {"problems": 10, "context": 1}, "min_size": 5, "max_size": 6},
            quality={
                "people": len(members),
                "groups": len(labels),
                "ratio": 0.8,
                "criteria": {
                    "problems": {"cohesion": 70.0, "bound": 100.0, "share": 0.7},
                    "context": {"cohesion": 20.0, "bound": 50.0, "share": 0.4},
                },
            },
            result={
                "labels": labels,
                "assignment": assignment,
                "groups": {
                    label: {"themes": [themes[g % 5], themes[(g + 1) % 5]], "mean": 0.5}
                    for g, label in enumerate(labels)
                },
                "members": {
                    pid: {
                        "fit": 0.5,
                        "closest": list(assignment)[:2],
                        "shared": [{"attribute": "country", "value": "KE", "count": 2}],
                        "mostly": "problems",
                        "ties": [],
                    }
                    for pid in assignment
                },
            },
            published_at=timezone.now(),
        )
        Move.objects.create(run=run, person=members[0], from_group="G1", to_group="G2")


def _mel(programme: Any, people: list[Any], groups: list[Any], user: Any) -> None:
    from peerlearn.harvest.models import OutcomeStory, Substantiation
    from peerlearn.mel.models import Exchange

    rng = random.Random(0)
    seen: set[tuple[int, int, int]] = set()
    rows = []
    start = date(2025, 1, 1)
    for i, giver in enumerate(people):
        for j in range(2):
            receiver = people[(i + 1 + rng.randrange(40)) % len(people)]
            day = rng.randrange(400)
            if receiver.pk == giver.pk or (giver.pk, receiver.pk, day) in seen:
                continue
            seen.add((giver.pk, receiver.pk, day))
            rows.append(
                Exchange(
                    programme=programme,
                    giver=giver,
                    receiver=receiver,
                    when=start + timedelta(days=day),
                    kind="advice",
                    learned="How to cost a reform",
                    source="checkin" if (i + j) % 5 == 0 else "entry",
                    group=groups[min(i // 5, len(groups) - 1)] if (i + j) % 5 == 0 else None,
                    applied=["yes", "no", "unknown"][i % 3],
                )
            )
            if j == 0 and i % 3 == 0:  # returned
                rows.append(
                    Exchange(
                        programme=programme,
                        giver=receiver,
                        receiver=giver,
                        when=start + timedelta(days=day),
                        kind="tool",
                        learned="A template back",
                    )
                )
    Exchange.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    kinds = ["behaviour", "relationship", "policy", "practice", "action"]
    visibility = ["private", "evaluators", "published"]
    stories = OutcomeStory.objects.bulk_create(
        OutcomeStory(
            programme=programme,
            title=f"Story {i}",
            description="The unit costs every reform",
            social_actor="Budget unit",
            kind=kinds[i % 5],
            visibility=visibility[i % 3],
            observed_on=start + timedelta(days=i),
            harvester=user,
        )
        for i in range(max(3, len(people) // 50))
    )
    answers = ["full", "partly", "not", ""]
    Substantiation.objects.bulk_create(
        Substantiation(
            story=story,
            name="S",
            email=f"s{i}@example.org",
            answer=answers[i % 4],
            answered_at=None if i % 4 == 3 else story.created_at,
        )
        for i, story in enumerate(stories)
    )


def _theory_and_experiment(programme: Any, cohorts: list[Any], instrument: Any, user: Any) -> None:
    from django.utils import timezone

    from peerlearn.experiments.models import Arm, Experiment, Outcome
    from peerlearn.surveys.models import Survey
    from peerlearn.theory.builtin import starting_map
    from peerlearn.theory.models import EvidenceTie, Revision, TheoryOfChange

    start = starting_map()
    theory = TheoryOfChange.objects.create(programme=programme, draft=start.to_dict())
    Revision.objects.create(
        theory=theory,
        number=1,
        reason="Built-in",
        snapshot=start.to_dict(),
        approved_by=user,
        approved_at=timezone.now(),
    )
    nodes = [n.id for n in start.nodes]
    EvidenceTie.objects.bulk_create(
        [
            EvidenceTie(theory=theory, element=nodes[0], kind="check_ins"),
            EvidenceTie(theory=theory, element=nodes[1], kind="objectives_achieved"),
            EvidenceTie(
                theory=theory,
                element=nodes[-1],
                kind="survey_question",
                params={
                    "instrument": instrument.pk,
                    "question": "trust",
                    "baseline": 2,
                    "target": 4,
                },
            ),
        ]
    )
    experiment = Experiment.objects.create(programme=programme, name="Cohorts", design="format")
    Arm.objects.create(
        experiment=experiment, name="First", position=0, source="cohort", cohort=cohorts[0]
    )
    Arm.objects.create(
        experiment=experiment, name="Second", position=1, source="cohort", cohort=cohorts[-1]
    )
    survey = Survey.objects.get(programme=programme, instrument=instrument)
    Outcome.objects.create(
        experiment=experiment,
        label="Trust at least 4",
        source="survey",
        survey=survey,
        question="trust",
        measure="at_least",
        threshold=4,
    )
    Outcome.objects.create(
        experiment=experiment, label="Objectives achieved", source="objectives", measure="at_least"
    )


def fill(size: int) -> tuple[Any, dict[str, Any], int]:
    """A programme of ``size`` participants; returns (programme, users by role, answers)."""
    from peerlearn.accounts.models import User
    from peerlearn.people.models import Person
    from peerlearn.programmes.models import Membership, Programme

    slug = f"bench-{size}"
    programme = Programme.objects.create(name=f"Bench {size}", slug=slug, purpose="Benchmark")
    users = {}
    for role in ("facilitator", "evaluator"):
        email = f"{role}@{slug}.example"
        users[role] = User.objects.create_user(username=email, email=email)
        person = Person.objects.create(name=role, email=email, user=users[role])
        Membership.objects.create(person=person, programme=programme, role=role)
    if size == 0:
        return programme, users, 0
    people, cohorts, groups = _people(programme, size, slug)
    _delivery(programme, people, cohorts, groups)
    answers, instrument = _surveys(programme, people, cohorts)
    _matching(people, cohorts)
    _mel(programme, people, groups, users["facilitator"])
    _theory_and_experiment(programme, cohorts, instrument, users["facilitator"])
    return programme, users, answers


# ----------------------------------------------------------------- measuring


def render(client: Any, programme: Any, page: str) -> Any:
    from django.urls import reverse

    name = {"dashboard": "evidence:dashboard", "report": "evidence:report"}.get(
        page, "evidence:report_pdf"
    )
    response = client.get(reverse(name, args=[programme.slug]))
    assert response.status_code == 200, (page, response.status_code)
    return response


def measure(client: Any, programme: Any, page: str, repeat: int) -> tuple[float, float, int]:
    """Median wall and CPU seconds over ``repeat`` renders, and the queries of one render.

    CPU seconds are this process's (on SQLite they include the database's
    work, on PostgreSQL not): on a machine shared with other jobs they show
    what the render costs when the wall clock also counts waiting for a core.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        render(client, programme, page)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    with CaptureQueriesContext(connection) as queries:
        render(client, programme, page)
    return statistics.median(times), statistics.median(cpu), len(queries.captured_queries)


def parts(programme: Any, user: Any) -> None:
    """Seconds and queries of each figure of the dashboard (the facilitator's reading)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from peerlearn.evidence import figures as f
    from peerlearn.evidence import mel_figures as mel
    from peerlearn.evidence.matching_figures import matching
    from peerlearn.programmes.package_scope import k_threshold
    from peerlearn.programmes.permissions import access_for

    access = access_for(user, programme)
    scope = f.Scope(programme)
    k = k_threshold()
    steps: dict[str, Callable[[], Any]] = {
        "who took part": lambda: f._people(scope, k),
        "rhythm": lambda: f._rhythm(scope, timezone.now()),
        "products": lambda: f._products(scope, access),
        "objectives": lambda: f._objectives(scope, k),
        "outcomes": lambda: f._outcomes(scope),
        "matching": lambda: matching(scope, access),
        "surveys": lambda: f._surveys(scope, access),
        "mutuality": lambda: mel.mutuality(scope, access, k),
        "stories": lambda: mel.stories(scope, access),
        "reach": lambda: mel.reach(scope, access),
        "theory": lambda: mel.theory(scope, access),
        "experiments": lambda: mel.experiments(scope, access),
        "dual tracking": lambda: mel.dual(scope, access),
    }
    print(f"{'figure':>14} {'seconds':>8} {'queries':>8}")
    for name, step in steps.items():
        step()  # warm
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            step()
            seconds = time.perf_counter() - started
        print(f"{name:>14} {seconds:>8.3f} {len(queries.captured_queries):>8}")


def profile(client: Any, programme: Any, page: str) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    render(client, programme, page)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
    print(out.getvalue())


def run(sizes: list[int], repeat: int, with_profile: bool) -> None:
    label, url = fresh_database(BENCH_DB)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerlearn.site.settings")
    os.environ.setdefault("PEERLEARN_ALLOW_DEV_SECRET", "true")
    os.environ["PEERLEARN_ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    empty, empty_users, _answers = fill(0)
    warm, warm_users, _answers = fill(50)
    client = Client()
    baselines: dict[tuple[str, str], float] = {}
    for role in ("facilitator", "evaluator"):
        client.force_login(warm_users[role])
        for page in TARGETS:
            render(client, warm, page)  # imports, template loading, fonts
        client.force_login(empty_users[role])
        for page in TARGETS:
            baselines[role, page] = measure(client, empty, page, repeat)[0]
    load = os.getloadavg()[0]
    print(
        f"Dashboard and funder report on {label} (median of {repeat} renders; "
        f"load average {load:.1f} on {os.cpu_count()} cores)"
    )
    header = (
        f"{'people':>7} {'answers':>8} {'reader':>12} {'page':>11} {'seconds':>8} "
        f"{'cpu s':>6} {'queries':>8} {'baseline s':>10} {'ratio':>7} {'target s':>8}"
    )
    print(header)
    print("-" * len(header))
    for size in sizes:
        started = time.perf_counter()
        programme, users, answers = fill(size)
        filled = time.perf_counter() - started
        for role in ("facilitator", "evaluator"):
            client.force_login(users[role])
            for page, target in TARGETS.items():
                seconds, cpu, queries = measure(client, programme, page, repeat)
                base = baselines[role, page]
                print(
                    f"{size:>7} {answers:>8} {role:>12} {page:>11} {seconds:>8.3f} "
                    f"{cpu:>6.3f} {queries:>8} {base:>10.3f} {seconds / base:>7.1f} "
                    f"{target:>8.1f}"
                )
        print(f"(filled {size} people in {filled:.0f} s)")
    print(f"Each figure at {sizes[-1]} people (facilitator):")
    parts(programme, users["facilitator"])
    if with_profile:
        client.force_login(users["facilitator"])
        profile(client, programme, "dashboard")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    arguments = parser.parse_args()
    run(arguments.people, arguments.repeat, arguments.profile)


if __name__ == "__main__":
    main()
