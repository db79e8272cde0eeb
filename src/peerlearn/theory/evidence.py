"""The open registry of evidence kinds: kind → function computing an evidence record.

Each function takes the programme and a tie's ``params`` and returns an
engine evidence item (:mod:`peerlearn.engine.theory`) or ``None`` when the
source is gone.  Other apps add their kinds by calling :func:`register` from
their ``AppConfig.ready``; the theory app never imports them: outcome
stories (``outcome_story``, the harvest app) and exchange metrics
(``exchange_metric``, the mel app).  A kind may say what a tie points at
(``choose``: the parameter, ``options``: the programme's choices, e.g. its
stories), whether a tie carries a threshold and a direction, and how to
word one computed item (``describe``) on the evidence page.

Registered here: ``survey_question`` (an indicator: the mean of a number or
numbered-scale question of one of the programme's instruments, through
:func:`peerlearn.surveys.analysis.summarise`, so a question answered by
fewer than the instrument's k respondents has no current value and tests
nothing), ``objectives_achieved`` (learning objectives rated mostly or fully
achieved out of those rated) and ``check_ins`` (check-ins filed in the
programme).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from peerlearn.engine.theory import CheckIns, EvidenceItem, Indicator, Share
from peerlearn.programmes.models import Programme

Compute = Callable[[Programme, Mapping[str, Any]], EvidenceItem | None]


Options = Callable[[Programme], list[tuple[str, str]]]
Describe = Callable[[EvidenceItem], str]


@dataclass(frozen=True)
class EvidenceKind:
    label: str | Promise
    compute: Compute
    #: The parameter a tie chooses (``"story"``), and the programme's choices for it.
    choose: str = ""
    options: Options | None = None
    #: Ties of this kind carry ``threshold`` and ``direction``.
    threshold: bool = False
    describe: Describe | None = None


REGISTRY: dict[str, EvidenceKind] = {}


def register(
    kind: str,
    label: str | Promise,
    compute: Compute,
    *,
    choose: str = "",
    options: Options | None = None,
    threshold: bool = False,
    describe: Describe | None = None,
) -> None:
    REGISTRY[kind] = EvidenceKind(label, compute, choose, options, threshold, describe)


def sources(programme: Programme) -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped choices ``kind:value`` for the kinds that choose something (the tie form)."""
    out = []
    for kind, entry in REGISTRY.items():
        if entry.choose and entry.options is not None:
            options = [(f"{kind}:{value}", label) for value, label in entry.options(programme)]
            out.append((str(entry.label), options))
    return out


def describe(kind: str, item: EvidenceItem) -> str:
    """The words for one computed item, when its kind words its own (else empty)."""
    entry = REGISTRY.get(kind)
    return entry.describe(item) if entry is not None and entry.describe is not None else ""


def compute(programme: Programme, kind: str, params: Mapping[str, Any]) -> EvidenceItem | None:
    """The evidence record of one tie; ``None`` for an unknown kind or a vanished source."""
    entry = REGISTRY.get(kind)
    return None if entry is None else entry.compute(programme, params)


def survey_question(programme: Programme, params: Mapping[str, Any]) -> EvidenceItem | None:
    """The question's current mean over every response to the instrument (controls aside).

    Only that question (and what its relevance reads) is fetched, grouped by
    value in the database: the same result as summarising every whole
    response (:mod:`peerlearn.surveys.one_question`), which cost a quarter
    of the dashboard at 70,000 answers.
    """
    from peerlearn.surveys.analysis import plan
    from peerlearn.surveys.models import Instrument, Response
    from peerlearn.surveys.one_question import summarise_question

    instrument_id = params.get("instrument")
    if not isinstance(instrument_id, int):
        return None
    instrument = Instrument.objects.filter(programme=programme, pk=instrument_id).first()
    if instrument is None:
        return None
    name = str(params.get("question", ""))
    form = instrument.form
    item = next((p for p in plan(form) if p.question.name == name), None)
    question = None
    if item is not None:
        responses = Response.objects.filter(survey__instrument=instrument).exclude(
            audience="control"
        )
        question = summarise_question(form, item, responses, k=instrument.min_respondents)
    current = None if question is None or question.suppressed else _mean(question)
    return Indicator(
        name=name,
        baseline=float(params.get("baseline", 0)),
        target=float(params.get("target", 0)),
        current=current,
        direction="decrease" if params.get("direction") == "decrease" else "increase",
    )


def _mean(question: Any) -> float | None:
    """A number question's mean, or a scale's mean choice code (``1``..``4``)."""
    if question.numbers is not None:
        return float(question.numbers.mean)
    try:
        coded = [(float(c.name), c.count) for c in question.choices]
    except ValueError:
        return None  # choices that are not a scale have no mean
    total = sum(count for _code, count in coded)
    return sum(code * count for code, count in coded) / total if total else None


def objectives_achieved(programme: Programme, params: Mapping[str, Any]) -> EvidenceItem:
    from peerlearn.objectives.models import ACHIEVED_FROM, LearningObjective

    rated = LearningObjective.objects.filter(programme=programme, achievement__isnull=False)
    return Share(
        name="objectives_achieved",
        count=rated.filter(achievement__gte=ACHIEVED_FROM).count(),
        total=rated.count(),
        threshold=float(params.get("threshold", 0.5)),
    )


def check_ins(programme: Programme, params: Mapping[str, Any]) -> EvidenceItem:
    from peerlearn.progress.models import CheckIn

    return CheckIns("check_ins", CheckIn.objects.filter(group__cohort__programme=programme).count())


register("survey_question", _("survey question (indicator)"), survey_question)
register("objectives_achieved", _("learning objectives achieved"), objectives_achieved)
register("check_ins", _("check-ins filed"), check_ins)
