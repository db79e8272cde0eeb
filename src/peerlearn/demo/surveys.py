"""Demo surveys: built-in instruments, scheduled surveys and invented answers.

So that ``make run`` shows results pages with real-looking numbers, the demo
programme gets every built-in instrument and four surveys with answers drawn
from a seeded random generator (the same answers on every run):

* an anonymous session pulse at the foundational event;
* partnership health in the in-country cohort (pseudonymous);
* the capabilities self-assessment at the start and the end of the
  in-country cohort, so two time points can be compared.

Answers are only generated once per survey; running the loader again keeps them.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone

from peerlearn.people.models import Person
from peerlearn.programmes.models import Cohort, Programme
from peerlearn.surveys.answering import submit
from peerlearn.surveys.instruments import BUILT_IN
from peerlearn.surveys.library import install_builtin
from peerlearn.surveys.models import Instrument, Invitation, Survey
from peerlearn.surveys.xlsform import Group, Question, evaluate
from peerlearn.surveys.xlsform import Instrument as Form

DEMO_TEXTS = [
    "Mapping who decides before drafting the reform plan.",
    "Agreeing a shared data standard with the statistics office.",
    "Asking the minister for a short weekly check-in.",
    "Getting other agencies to share their budget data.",
    "Using the peer's template for the procurement review.",
    "Keeping the team motivated after the election.",
]


def load_demo_surveys(programme: Programme, cohorts: dict[str, Cohort]) -> int:
    """Install built-ins and the demo surveys; returns the number of surveys."""
    for name in BUILT_IN:
        install_builtin(programme, name)
    event, national = cohorts["event"], cohorts["in-country"]
    plans = [
        ("pulse", event, "Session pulse: day 3, leading reform teams", event.start, 0.8, 1),
        (
            "partnership_health",
            national,
            "Partnership health: month 2",
            national.start,
            0.75,
            2,
        ),
        ("capabilities", national, "Capabilities: start", national.start, 0.9, 3),
        ("capabilities", national, "Capabilities: end", national.end, 0.85, 4),
    ]
    for builtin, cohort, title, day, share, seed in plans:
        instrument = Instrument.objects.get(programme=programme, builtin=builtin)
        survey = _survey(programme, cohort, instrument, title, day)
        if not survey.responses.exists():
            lift = 1.0 if title.endswith("end") else 0.0
            _answer(survey, cohort, share, random.Random(seed), lift)
    return len(plans)


def _survey(
    programme: Programme, cohort: Cohort, instrument: Instrument, title: str, day: Any
) -> Survey:
    opens = timezone.make_aware(datetime.combine(day, time(16, 0)))
    survey, _ = Survey.objects.get_or_create(
        programme=programme,
        title=title,
        defaults={
            "instrument": instrument,
            "cohort": cohort,
            "opens_at": opens,
            "closes_at": opens + timedelta(days=14),
            "reminder_days": [3, 7],
        },
    )
    return survey


def _answer(survey: Survey, cohort: Cohort, share: float, rng: random.Random, lift: float) -> None:
    people = list(
        Person.objects.filter(memberships__cohort=cohort, memberships__role="participant")
        .distinct()
        .order_by("pk")
    )
    form = survey.instrument.form
    for person in people:
        invitation, _ = Invitation.objects.get_or_create(
            survey=survey, person=person, defaults={"sent_at": survey.opens_at}
        )
        if rng.random() > share:
            continue
        moment = survey.opens_at + timedelta(hours=rng.randint(1, 200))
        # The same path as a person answering on the page: anonymity, times and
        # publication in batches of k are applied exactly as in production.
        submitted = submit(
            invitation, _as_posted(invented_answers(form, rng, lift)), "en", now=moment
        )
        if not submitted.checked.valid:
            raise ValueError(f"demo answers rejected by {survey}: {submitted.checked.errors}")


def _as_posted(answers: dict[str, Any]) -> dict[str, Any]:
    """Typed answers as a form would post them (text; a list for several choices)."""
    return {
        name: value if isinstance(value, list) else str(value) for name, value in answers.items()
    }


def invented_answers(form: Form, rng: random.Random, lift: float = 0.0) -> dict[str, Any]:
    """Plausible answers to every relevant question (ordinal lists lean positive)."""
    answers: dict[str, Any] = {}
    _fill(form, form.items, answers, rng, lift)
    return answers


def _fill(form: Form, items: list[Any], answers: dict[str, Any], rng: random.Random, lift: float):
    for item in items:
        if item.relevant and not evaluate(item.relevant, answers):
            continue
        if isinstance(item, Group):
            _fill(form, item.children, answers, rng, lift)
        elif isinstance(item, Question) and item.answerable:
            value = _value(form, item, rng, lift)
            if value is not None:
                answers[item.name] = value


def _value(form: Form, question: Question, rng: random.Random, lift: float) -> Any:
    if question.type in ("select_one", "select_multiple"):
        names = [c.name for c in form.choice_lists[question.list_name or ""].choices]
        if question.type == "select_multiple":
            return rng.sample(names, k=rng.randint(1, min(2, len(names))))
        # Later choices of an ordinal scale are the better ones: lean towards them.
        position = min(
            len(names) - 1,
            int(rng.triangular(0, len(names), min(len(names), len(names) * 0.7 + lift))),
        )
        return names[position]
    if question.type == "text":
        return rng.choice(DEMO_TEXTS) if rng.random() < 0.6 else None
    if question.type == "integer":
        return rng.randint(0, 10)
    if question.type == "decimal":
        return round(rng.uniform(0, 10), 1)
    if question.type == "date":
        return "2026-05-01"
    return None
