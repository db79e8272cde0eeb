"""Survey results at scale: 10,000 responses to a 10-question instrument.

Builds a fresh database (a temporary SQLite file; with DATABASE_URL set, a new
database ``peerlearn_bench_survey`` on that PostgreSQL server), fills it, and
prints one table:

* the results page (summary of every question plus the breakdown by
  respondent group), through Django's test client, target < 1 s, next to a
  naive baseline in the same process that re-reads the responses from the
  database once per question and evaluates relevance without memoising;
* the CSV and XLSX exports of the 100,000 answers: time and peak Python
  memory (tracemalloc, in a separate run so tracing does not slow the timed
  one), next to a baseline that builds the whole CSV in memory.

    .venv/bin/python benchmarks/survey_results.py [--responses 10000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python benchmarks/survey_results.py
"""

from __future__ import annotations

import argparse
import csv
import io
import os
from typing import Any

from bench_db import fresh_database  # noqa: E402 - a sibling script module
from measure import timed, traced_peak  # noqa: E402 - a sibling script module

BENCH_DB = "peerlearn_bench_survey"


def form_definition() -> dict[str, Any]:
    """A 10-question instrument: Likert items, a multi-select, numbers, a date, a text."""
    from peerlearn.surveys.xlsform import Choice, ChoiceList, Group, Question, to_dict
    from peerlearn.surveys.xlsform import Instrument as Form

    agree = ChoiceList(
        "agree5", [Choice(str(n), {"en": f"Level {n}", "fr": f"Niveau {n}"}) for n in range(1, 6)]
    )
    gain = ChoiceList(
        "gain", [Choice(c, {"en": c.title()}) for c in ("ideas", "solutions", "network", "none")]
    )

    def likert(name: str) -> Question:
        return Question("select_one", name, {"en": f"Statement {name}"}, list_name="agree5")

    form = Form(
        title="Benchmark",
        form_id="bench",
        version="1",
        default_language="en",
        languages={"en": "English", "fr": "Français"},
        items=[
            likert("trust"),
            likert("openness"),
            likert("clarity"),
            likert("challenge"),
            Question("integer", "peers", {"en": "Peers"}),
            Group(
                "contact",
                {"en": "Contact"},
                relevant="${peers} > 0",
                children=[
                    Question("integer", "lasting", {"en": "Lasting contacts"}),
                    Question("select_multiple", "gained", {"en": "Gained"}, list_name="gain"),
                    Question(
                        "text",
                        "example",
                        {"en": "Example"},
                        relevant="selected(${gained}, 'ideas')",
                    ),
                ],
            ),
            Question("decimal", "hours", {"en": "Hours a month"}),
            Question("date", "since", {"en": "In contact since"}),
        ],
        choice_lists={"agree5": agree, "gain": gain},
    )
    return to_dict(form)


def answers_for(i: int) -> dict[str, object]:
    peers = i % 6
    answers: dict[str, object] = {
        "trust": str(1 + i % 5),
        "openness": str(1 + (i * 7) % 5),
        "clarity": str(1 + (i * 3) % 5),
        "challenge": str(1 + (i * 11) % 5),
        "peers": peers,
        "hours": round((i % 40) / 4, 2),
        "since": f"20{20 + i % 5}-{1 + i % 12:02d}-{1 + i % 28:02d}",
    }
    if peers:
        gained = ["ideas", "network"] if i % 3 == 0 else ["solutions"]
        answers.update(lasting=i % 4, gained=gained)
        if "ideas" in gained:
            answers["example"] = f"We copied the budget calendar of peer {i % 97}"
    return answers


def naive_results(survey: Any) -> dict[str, dict[str, int]]:
    """The baseline: one database read per question, relevance evaluated afresh each time."""
    from peerlearn.surveys.analysis import is_empty, plan
    from peerlearn.surveys.models import Response
    from peerlearn.surveys.xlsform import evaluate

    out: dict[str, dict[str, int]] = {}
    for item in plan(survey.instrument.form):
        name = item.question.name
        counts = {"respondents": 0, "answered": 0}
        for answers in Response.objects.filter(survey=survey).values_list("answers", flat=True):
            if all(evaluate(e, answers) for e in item.chain):
                counts["respondents"] += 1
                counts["answered"] += not is_empty(answers.get(name))
        out[name] = counts
    return out


def naive_csv(survey: Any) -> bytes:
    """The baseline export: every row in a list, the whole file in one string."""
    from peerlearn.surveys.models import Response

    names = [q.name for q in survey.instrument.form.questions()]
    rows = list(Response.objects.filter(survey=survey).values_list("answers", flat=True))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(names)
    for answers in rows:
        writer.writerow([answers.get(n, "") for n in names])
    return buffer.getvalue().encode("utf-8-sig")


def consume(response: Any) -> int:
    """Read a (streaming or file) response to the end, keeping only its size."""
    assert response.status_code == 200, response.status_code
    if response.streaming:
        size = sum(len(chunk) for chunk in response.streaming_content)
        response.close()
        return size
    return len(response.content)


def run(responses: int) -> None:
    label, url = fresh_database(BENCH_DB)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerlearn.site.settings")
    os.environ.setdefault("PEERLEARN_ALLOW_DEV_SECRET", "true")
    os.environ["PEERLEARN_ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from peerlearn.accounts.models import User
    from peerlearn.people.models import Person
    from peerlearn.programmes.models import Membership, Programme
    from peerlearn.surveys.models import Instrument, Response, Survey

    programme = Programme.objects.create(name="Bench", slug="bench")
    user = User.objects.create_user(
        username="f@bench.example",
        email="f@bench.example",
        password="bench-only",  # noqa: S106
    )
    facilitator = Person.objects.create(name="F", email="f@bench.example", user=user)
    Membership.objects.create(person=facilitator, programme=programme, role="facilitator")
    instrument = Instrument.objects.create(
        programme=programme,
        title="Benchmark",
        form_id="bench",
        version="1",
        anonymity="pseudonymous",
        definition=form_definition(),
    )
    survey = Survey.objects.create(
        instrument=instrument, programme=programme, title="Bench survey", opens_at=timezone.now()
    )
    now = timezone.now()
    _, fill_s = timed(
        lambda: Response.objects.bulk_create(
            (
                Response(
                    survey=survey,
                    answers=answers_for(i),
                    pseudonym=f"P-{i:010d}",
                    audience="control" if i % 10 == 0 else "participant",
                    language="en",
                    submitted_at=now,
                )
                for i in range(responses)
            ),
            batch_size=1000,
        )
    )
    answers_total = sum(1 for a in Response.objects.values_list("answers", flat=True) for _ in a)
    client = Client()
    client.force_login(user)
    results_url = reverse("surveys:results", args=[programme.slug, survey.pk])
    csv_url = reverse("surveys:export", args=[programme.slug, survey.pk, "csv"])
    xlsx_url = reverse("surveys:export", args=[programme.slug, survey.pk, "xlsx"])

    consume(client.get(results_url))  # warm-up: templates compiled, connection open
    page, page_s = timed(lambda: client.get(results_url), repeat=3)
    assert b"answered" in page.content
    _, naive_s = timed(lambda: naive_results(survey))
    csv_size, csv_s = timed(lambda: consume(client.get(csv_url)))
    xlsx_size, xlsx_s = timed(lambda: consume(client.get(xlsx_url)))
    naive_bytes, naive_csv_s = timed(lambda: naive_csv(survey))
    csv_peak = traced_peak(lambda: consume(client.get(csv_url)))
    xlsx_peak = traced_peak(lambda: consume(client.get(xlsx_url)))
    naive_peak = traced_peak(lambda: naive_csv(survey))

    print(
        f"Survey results on {label}: {responses:,} responses, {answers_total:,} answers "
        f"(10 questions, 1 in 10 in a control group); filled in {fill_s:.1f} s"
    )
    header = f"{'what':<34} {'time s':>8} {'peak MiB':>9} {'vs baseline':>12}"
    print(header)
    print("-" * len(header))
    print(f"{'results page (median of 3)':<34} {page_s:>8.3f} {'':>9} {naive_s / page_s:>11.1f}x")
    print(f"{'  baseline: per-question re-scan':<34} {naive_s:>8.3f} {'':>9} {'1.0x':>12}")
    print(
        f"{'CSV export, streamed':<34} {csv_s:>8.3f} {csv_peak:>9.1f} "
        f"{naive_peak / csv_peak:>8.1f}x mem"
    )
    print(
        f"{'XLSX export (temp file)':<34} {xlsx_s:>8.3f} {xlsx_peak:>9.1f} "
        f"{naive_peak / xlsx_peak:>8.1f}x mem"
    )
    print(
        f"{'  baseline: whole CSV in memory':<34} {naive_csv_s:>8.3f} {naive_peak:>9.1f} "
        f"{'1.0x':>12}"
    )
    print(
        f"Sizes: CSV {csv_size / 2**20:.1f} MiB, XLSX {xlsx_size / 2**20:.1f} MiB, "
        f"naive CSV {len(naive_bytes) / 2**20:.1f} MiB."
    )
    print("Targets: results page < 1 s; exports stream with a peak that does not grow with rows.")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--responses", type=int, default=10_000)
    args = parser.parse_args()
    run(args.responses)


if __name__ == "__main__":
    main()
