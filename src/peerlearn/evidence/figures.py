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
  them read progress (``products`` is ``None`` otherwise).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from peerlearn.evidence.access import k_threshold
from peerlearn.objectives import rules
from peerlearn.objectives.models import ACHIEVED_FROM, LearningObjective, OrganisationalOutcome
from peerlearn.people.models import Person
from peerlearn.programmes.models import Cohort, Programme
from peerlearn.programmes.permissions import Access

if TYPE_CHECKING:
    from peerlearn.delivery.models import Session
    from peerlearn.surveys.analysis import QuestionResult

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

    @property
    def is_empty(self) -> bool:
        return not (
            self.participants
            or self.sessions_planned
            or self.products_total
            or self.outcomes_total
            or self.surveys
        )


# ----------------------------------------------------------------- who took part


def participants(scope: Scope) -> QuerySet[Person]:
    roles = Q(memberships__programme=scope.programme, memberships__role="participant")
    if scope.cohort is not None:
        roles &= Q(memberships__cohort=scope.cohort)
    return Person.objects.filter(roles).distinct()


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
    rows = list(
        participants(scope).values_list(
            "country", "organisation__kind", "seniority", "gender", "organisation_id"
        )
    )
    country = Counter((c or "").upper() for c, *_ in rows)
    kind = Counter(row[1] or NOT_GIVEN for row in rows)
    seniority = Counter(row[2] or NOT_GIVEN for row in rows)
    gender = Counter((row[3] or "").strip().lower() for row in rows)
    return {
        "participants": len(rows),
        "by_country": _tallies(country),
        "by_organisation_kind": _tallies(kind),
        "by_seniority": _tallies(seniority),
        "by_gender": _gender(gender, k),
        "organisations": len({row[4] for row in rows if row[4] is not None}),
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


def _headline(survey, k: int) -> QuestionResult | None:
    from peerlearn.surveys.analysis import summarise
    from peerlearn.surveys.publication import last_batch, published

    form = survey.instrument.form
    answers = (
        published(survey, last_batch(survey))
        .order_by()
        .values_list("answers", flat=True)
        .iterator(2000)
    )
    results = summarise(
        form, (a if isinstance(a, dict) else {} for a in answers), k=k, language=None
    )
    closed = [q for q in results.questions if q.type in ("select_one", "integer", "decimal")]
    return closed[0] if closed else None


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
        responses = published(survey, last_batch(survey)).count()
        suppressed = responses < k
        out.append(
            SurveyFigure(
                survey_id=survey.pk,
                title=survey.title,
                invited=survey.n_invited,
                responses=responses,
                k=k,
                suppressed=suppressed,
                headline=None if suppressed else _headline(survey, k),
            )
        )
    return out


# ----------------------------------------------------------------- the one entry point


def headline_figures(scope: Scope, access: Access, *, now: datetime | None = None) -> Figures:
    """Every headline figure of ``scope`` as ``access`` may read it."""
    now = now or timezone.now()
    k = k_threshold()
    parts: dict[str, object] = {}
    parts.update(_people(scope, k))
    parts.update(_rhythm(scope, now))
    parts.update(_products(scope, access))
    parts.update(_objectives(scope, k))
    parts.update(_outcomes(scope))
    return Figures(scope=scope, k=k, surveys=_surveys(scope, access), **parts)  # type: ignore[arg-type]
