"""A programme's headline figures: the one computation behind the dashboard and the funder report.

:func:`headline_figures` returns plain data (counts, keys, shares with their
denominator); the dashboard page and the report (HTML and PDF) only word and
draw it, so the same figure is always the same number in both.

Decisions
---------
* **Scope**: the whole programme, or one cohort (its people by membership,
  its sessions, its groups' products and objectives, its surveys); a period
  (``start``..``end``, inclusive dates) narrows what happens in time:
  sessions by start, products by creation, surveys by opening.  Who took
  part is not narrowed by the period (people have no dates of their own).
* **Who took part**: people holding the participant role in the scope, by
  country, organisation kind, seniority and gender where given ("not given"
  is its own row).  Gender is self-described, so a gender held by fewer than
  k people is counted under "other or fewer than k" instead of named.
* **Every share has its denominator**: :class:`Share` keeps ``part`` and
  ``whole``; the web layer writes "8 of 11" (:func:`peerlearn.objectives.rules.of`).
* **k**: figures from survey answers come from
  :func:`peerlearn.surveys.analysis.summarise` over the published responses
  with the instrument's k, so they are suppressed exactly as on the results
  page; objectives set vs achieved come from the objectives summary (nothing
  below k people who rated).
* **What the reader may read**: products and check-ins are counted for the
  programme's facilitators, and for evaluators only when the programme lets
  them read progress (``products`` is ``None`` otherwise).  The MEL figures
  (:mod:`peerlearn.evidence.mel_figures`) follow each app's own page rules.
* **Outside readers**: the evaluator and funder views of the dashboard and
  the funder report (HTML and PDF) are read *as the programme's evaluators
  read it* (:func:`as_outside_reader`), whoever opens them: a report meant to
  leave the programme team never holds private group material (check-in
  exchanges), stories private to the facilitators, or products the
  programme does not share with evaluators.  Only the facilitator view of
  the dashboard shows a facilitator everything they may read.
* **Speed**: every figure is counted in the database (one grouped query per
  breakdown; a survey's headline question is grouped by its answer there,
  then summarised), never person by person; the views compute
  :class:`Figures` once per request and every section reads that object
  (``benchmarks/evidence.py``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from peerlearn.objectives import rules
from peerlearn.objectives.models import ACHIEVED_FROM, LearningObjective, OrganisationalOutcome
from peerlearn.people.models import Person
from peerlearn.programmes.models import Cohort, Membership, Programme
from peerlearn.programmes.package_scope import k_threshold
from peerlearn.programmes.permissions import Access

if TYPE_CHECKING:
    from peerlearn.delivery.models import Session
    from peerlearn.evidence.matching_figures import MatchingFigure
    from peerlearn.evidence.mel_figures import (
        DualFigure,
        ExperimentFigure,
        MutualityFigure,
        ReachFigure,
        StoriesFigure,
        TheoryFigure,
    )
    from peerlearn.surveys.analysis import QuestionResult
    from peerlearn.surveys.models import Survey

#: The key of people who did not give a value.
NOT_GIVEN = ""
#: The key gathering genders held by fewer than k people.
FEW = "_few"


@dataclass(frozen=True)
class Share:
    """``part`` of ``whole`` (both ``None`` when suppressed)."""

    part: int | None
    whole: int | None

    @property
    def suppressed(self) -> bool:
        return self.part is None or self.whole is None


@dataclass(frozen=True)
class Tally:
    """One row of a breakdown: a stored key and how many."""

    key: str
    count: int


@dataclass(frozen=True)
class Scope:
    programme: Programme
    cohort: Cohort | None = None
    start: date | None = None
    end: date | None = None

    @property
    def narrowed(self) -> bool:
        """A cohort or a period is chosen (whole-programme figures then say so)."""
        return self.cohort is not None or self.start is not None or self.end is not None

    def moments(self) -> tuple[datetime | None, datetime | None]:
        """The period as aware datetimes: from the start of ``start`` to the end of ``end``."""
        tz = timezone.get_current_timezone()
        first = datetime.combine(self.start, time.min, tz) if self.start else None
        last = datetime.combine(self.end + timedelta(days=1), time.min, tz) if self.end else None
        return first, last


@dataclass
class SurveyFigure:
    survey_id: int
    title: str
    invited: int
    responses: int  # published
    k: int
    suppressed: bool
    #: The first closed question's result (``None`` when the survey has none).
    headline: QuestionResult | None = None


@dataclass
class Figures:
    scope: Scope
    k: int
    participants: int
    by_country: list[Tally]
    by_organisation_kind: list[Tally]
    by_seniority: list[Tally]
    by_gender: list[Tally]
    organisations: int
    countries: int
    sessions_planned: int
    sessions_held: int
    sessions_cancelled: int
    attendance: Share  # people marked present of those marked, in held sessions
    products: list[Tally] | None  # by state; None when the reader may not read them
    products_total: int | None
    objectives: rules.ObjectivesSummary
    objectives_rated: Share
    objectives_achieved: Share
    outcomes: list[Tally]
    outcomes_total: int
    surveys: list[SurveyFigure] = field(default_factory=list)
    #: Read as the programme's evaluators read it (:func:`as_outside_reader`).
    outside: bool = False
    #: How they were matched (None: the reader reads no cohort's runs).
    matching: MatchingFigure | None = None
    # The MEL apps' figures (None: the reader may not read them)
    mutuality: MutualityFigure | None = None
    stories: StoriesFigure | None = None
    reach: ReachFigure | None = None
    theory: TheoryFigure | None = None
    experiments: list[ExperimentFigure] | None = None
    dual: DualFigure | None = None

    @property
    def is_empty(self) -> bool:
        return not (
            self.participants
            or self.sessions_planned
            or self.products_total
            or self.outcomes_total
            or self.surveys
            or (self.mutuality is not None and self.mutuality.exchanges)
            or (self.stories is not None and self.stories.total)
        )


# ----------------------------------------------------------------- who took part


def participants(scope: Scope) -> QuerySet[Person]:
    """People holding the participant role in the scope, each once (a subquery, no join)."""
    roles = Membership.objects.filter(programme=scope.programme, role="participant")
    if scope.cohort is not None:
        roles = roles.filter(cohort=scope.cohort)
    return Person.objects.filter(pk__in=roles.values("person_id"))


def _tallies(counter: Counter[str]) -> list[Tally]:
    """Largest first, "not given" last, ties by key."""
    items = sorted(counter.items(), key=lambda kv: (kv[0] == NOT_GIVEN, -kv[1], kv[0]))
    return [Tally(key, count) for key, count in items]


def _gender(counter: Counter[str], k: int) -> list[Tally]:
    """Genders held by fewer than k people are gathered under :data:`FEW`."""
    kept: Counter[str] = Counter()
    for key, count in counter.items():
        kept[key if key == NOT_GIVEN or count >= k else FEW] += count
    return _tallies(kept)


def _people(scope: Scope, k: int) -> dict[str, object]:
    """Two queries: one count per (country, kind, seniority, gender) combination, whatever
    the number of people, and the organisations.  Values are normalised in Python on
    those few rows, so "Woman " and "woman" count together on every database."""
    people = participants(scope)
    country: Counter[str] = Counter()
    kind: Counter[str] = Counter()
    seniority: Counter[str] = Counter()
    gender: Counter[str] = Counter()
    combinations = (
        people.values_list("country", "organisation__kind", "seniority", "gender")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for c, o, s, g, n in combinations:
        country[(c or "").upper()] += n
        kind[o or NOT_GIVEN] += n
        seniority[s or NOT_GIVEN] += n
        gender[(g or "").strip().lower()] += n
    organisations = people.aggregate(n=Count("organisation_id", distinct=True))["n"]
    return {
        "participants": sum(country.values()),
        "by_country": _tallies(country),
        "by_organisation_kind": _tallies(kind),
        "by_seniority": _tallies(seniority),
        "by_gender": _gender(gender, k),
        "organisations": organisations,
        "countries": len({c for c in country if c}),
    }


# ----------------------------------------------------------------- rhythm


def _sessions(scope: Scope) -> QuerySet[Session]:
    from peerlearn.delivery.models import Session

    sessions = Session.objects.filter(programme=scope.programme)
    if scope.cohort is not None:
        sessions = sessions.filter(cohort=scope.cohort)
    first, last = scope.moments()
    if first:
        sessions = sessions.filter(starts_at__gte=first)
    if last:
        sessions = sessions.filter(starts_at__lt=last)
    return sessions


def _rhythm(scope: Scope, now: datetime) -> dict[str, object]:
    from peerlearn.delivery.models import Attendance

    sessions = _sessions(scope)
    counts = sessions.aggregate(
        planned=Count("pk", filter=Q(status="scheduled")),
        held=Count("pk", filter=Q(status="scheduled", starts_at__lt=now)),
        cancelled=Count("pk", filter=Q(status="cancelled")),
    )
    held = sessions.filter(status="scheduled", starts_at__lt=now)
    marks = Attendance.objects.filter(session__in=held).aggregate(
        marked=Count("pk"), present=Count("pk", filter=Q(present=True))
    )
    return {
        "sessions_planned": counts["planned"],
        "sessions_held": counts["held"],
        "sessions_cancelled": counts["cancelled"],
        "attendance": Share(marks["present"], marks["marked"]),
    }


# ----------------------------------------------------------------- products, objectives


def _reads_progress(access: Access, programme: Programme) -> bool:
    from peerlearn.progress.permissions import evaluator_reads

    return access.manages_programme or evaluator_reads(access, programme)


def _products(scope: Scope, access: Access) -> dict[str, object]:
    from peerlearn.progress.models import Product

    if not _reads_progress(access, scope.programme):
        return {"products": None, "products_total": None}
    products = Product.objects.filter(group__cohort__programme=scope.programme)
    if scope.cohort is not None:
        products = products.filter(group__cohort=scope.cohort)
    first, last = scope.moments()
    if first:
        products = products.filter(created_at__gte=first)
    if last:
        products = products.filter(created_at__lt=last)
    states = Counter(dict(products.values_list("state").annotate(n=Count("pk")).order_by()))
    return {"products": _tallies(states), "products_total": sum(states.values())}


def _objectives(scope: Scope, k: int) -> dict[str, object]:
    rows = LearningObjective.objects.filter(programme=scope.programme, person__isnull=False)
    if scope.cohort is not None:
        rows = rows.filter(
            person__memberships__cohort=scope.cohort, person__memberships__role="participant"
        ).distinct()
    summary = rules.summarise(
        (rules.Rated(p, a) for p, a in rows.values_list("person_id", "achievement")),
        k=k,
        achieved_from=ACHIEVED_FROM,
    )
    return {
        "objectives": summary,
        "objectives_rated": Share(summary.rated, summary.objectives),
        "objectives_achieved": Share(summary.achieved, summary.rated),
    }


def _outcomes(scope: Scope) -> dict[str, object]:
    outcomes = OrganisationalOutcome.objects.filter(programme=scope.programme)
    if scope.cohort is not None:
        organisations = participants(scope).values("organisation_id")
        outcomes = outcomes.filter(organisation_id__in=organisations)
    reviews = Counter(dict(outcomes.values_list("review").annotate(n=Count("pk")).order_by()))
    return {"outcomes": _tallies(reviews), "outcomes_total": sum(reviews.values())}


# ----------------------------------------------------------------- surveys


CLOSED = ("select_one", "integer", "decimal")


def _headline(survey: Survey, batch: int, k: int) -> QuestionResult | None:
    """The first closed question's result, by :func:`surveys.analysis.summarise`.

    Only that question and the fields its relevance reads are fetched,
    grouped by value in the database, and summarised on the form cut down to
    that question (:func:`peerlearn.surveys.one_question.summarise_question`):
    the same result as summarising every whole response, without decoding
    every answer of every response.
    """
    from peerlearn.surveys.analysis import plan
    from peerlearn.surveys.one_question import summarise_question
    from peerlearn.surveys.publication import published

    form = survey.instrument.form
    first = next((p for p in plan(form) if p.question.type in CLOSED), None)
    if first is None:
        return None
    return summarise_question(form, first, published(survey, batch), k=k)


def _surveys(scope: Scope, access: Access) -> list[SurveyFigure]:
    from peerlearn.surveys.models import Survey
    from peerlearn.surveys.permissions import reads_survey
    from peerlearn.surveys.publication import last_batch, published

    surveys = Survey.objects.filter(programme=scope.programme, cancelled_at__isnull=True)
    if scope.cohort is not None:
        surveys = surveys.filter(cohort=scope.cohort)
    first, last = scope.moments()
    if first:
        surveys = surveys.filter(opens_at__gte=first)
    if last:
        surveys = surveys.filter(opens_at__lt=last)
    surveys = (
        surveys.select_related("instrument")
        .annotate(n_invited=Count("invitations"))
        .order_by("opens_at", "pk")
    )
    out = []
    for survey in surveys:
        if not reads_survey(access, survey):
            continue
        k = max(1, survey.instrument.min_respondents)
        batch = last_batch(survey)
        responses = published(survey, batch).count()
        suppressed = responses < k
        out.append(
            SurveyFigure(
                survey_id=survey.pk,
                title=survey.title,
                invited=survey.n_invited,
                responses=responses,
                k=k,
                suppressed=suppressed,
                headline=None if suppressed else _headline(survey, batch, k),
            )
        )
    return out


# ----------------------------------------------------------------- the one entry point


def as_outside_reader(access: Access) -> Access:
    """The programme as its evaluators read it: what a report leaving the team may hold."""
    return Access(programme_roles=frozenset({"evaluator"})) if access.any_role else access


def headline_figures(
    scope: Scope, access: Access, *, outside: bool = False, now: datetime | None = None
) -> Figures:
    """Every headline figure of ``scope`` as ``access`` may read it (``outside``: as the
    programme's evaluators read it, for the evaluator and funder views and the report)."""
    from peerlearn.evidence import mel_figures as mel
    from peerlearn.evidence.matching_figures import matching

    now = now or timezone.now()
    if outside:
        access = as_outside_reader(access)
    k = k_threshold()
    parts: dict[str, object] = {}
    parts.update(_people(scope, k))
    parts.update(_rhythm(scope, now))
    parts.update(_products(scope, access))
    parts.update(_objectives(scope, k))
    parts.update(_outcomes(scope))
    return Figures(
        scope=scope,
        k=k,
        surveys=_surveys(scope, access),
        outside=outside,
        matching=matching(scope, access),
        mutuality=mel.mutuality(scope, access, k),
        stories=mel.stories(scope, access),
        reach=mel.reach(scope, access),
        theory=mel.theory(scope, access),
        experiments=mel.experiments(scope, access),
        dual=mel.dual(scope, access),
        **parts,  # type: ignore[arg-type]
    )
