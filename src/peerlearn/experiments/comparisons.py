"""From an experiment's arms and outcomes to the figures of its comparison page.

Each arm resolves to its members; each outcome turns members into one value
per *unit* (a survey response, a group for products, an objective), and the
engine (:mod:`peerlearn.engine.experiments`) compares the arms.

Decisions
---------
* **Who is in an arm.**  ``survey_participants`` / ``survey_control``: the
  responses of that audience when the outcome asks the arm's own survey,
  else the people invited with that audience.  ``groups``: their members
  (for products: the groups themselves).  ``cohort``: its participants.
  ``assigned``: the people a random assignment put there.
* **Responses to people.**  Identified responses carry the person; pseudonymous
  ones the programme's stable pseudonym, which we compute for the arm's
  members (:func:`peerlearn.surveys.identity.pseudonym_for`).  Anonymous
  responses link to nobody, so only the survey's own audience arms can use
  them (error ``anonymous_survey`` otherwise).
* **Only published responses** count (:func:`peerlearn.surveys.publication.published`),
  the rule of every results page.
* **Denominator**: the units that have a value (a question not answered or
  not relevant to a respondent is left out, as on the results pages).
* **k-suppression** (the rule of :mod:`peerlearn.surveys.analysis`): an arm
  with fewer than ``k`` values shows no figures and takes part in no
  contrast; ``k`` is the instrument's ``min_respondents`` for survey
  outcomes and ``PEERLEARN_MIN_RESPONDENTS`` for products and objectives.
  When the reference arm is hidden, no contrast is shown at all.  No total
  is shown beside the arms, so there is nothing to subtract a hidden arm from.
* An arm with no values at all is reported as the engine's ``empty_arm``
  error, not hidden as small: it usually means the arm is set up wrongly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from peerlearn.engine import experiments as engine
from peerlearn.experiments.models import Arm, Experiment, Outcome
from peerlearn.objectives.models import ACHIEVED_FROM, LearningObjective
from peerlearn.programmes.models import Group, GroupMember, Membership
from peerlearn.progress import states
from peerlearn.progress.models import Product
from peerlearn.surveys.analysis import choice_codes, is_empty
from peerlearn.surveys.identity import pseudonym_for
from peerlearn.surveys.models import Invitation, Response, default_min_respondents
from peerlearn.surveys.publication import published

AUDIENCE_OF_SOURCE = {"survey_participants": "participant", "survey_control": "control"}
#: Product states that count as "accepted" (a published product was accepted first).
ACCEPTED_STATES = (states.ACCEPTED, states.PUBLISHED)


@dataclass
class ArmFigures:
    """One arm on one outcome; ``suppressed`` arms carry no numbers."""

    arm: Arm
    suppressed: bool = False
    summary: engine.ArmSummary | None = None


@dataclass
class OutcomeResult:
    outcome: Outcome
    k: int
    arms: list[ArmFigures] = field(default_factory=list)
    comparison: engine.Comparison | None = None
    errors: list[engine.ArmError] = field(default_factory=list)

    @property
    def flags(self) -> frozenset[str]:
        return self.comparison.flags if self.comparison is not None else frozenset()


# ------------------------------------------------------------------ members


def arm_people(arm: Arm) -> set[int]:
    """Person ids in ``arm`` (for survey arms: the people invited with that audience)."""
    if arm.source == "groups":
        return set(
            GroupMember.objects.filter(group__in=arm.groups.all()).values_list(
                "person_id", flat=True
            )
        )
    if arm.source == "cohort":
        return set(
            Membership.objects.filter(cohort=arm.cohort, role="participant").values_list(
                "person_id", flat=True
            )
        )
    if arm.source in AUDIENCE_OF_SOURCE:
        return set(
            Invitation.objects.filter(
                survey=arm.survey, audience=AUDIENCE_OF_SOURCE[arm.source]
            ).values_list("person_id", flat=True)
        )
    return set(arm.assigned.values_list("person_id", flat=True))


def arm_groups(arm: Arm) -> set[int]:
    """Group ids of ``arm``: its groups, or the groups its people belong to."""
    if arm.source == "groups":
        return set(arm.groups.values_list("pk", flat=True))
    people = arm_people(arm)
    return set(
        GroupMember.objects.filter(
            person_id__in=people, group__cohort__programme=arm.experiment.programme
        ).values_list("group_id", flat=True)
    )


def member_count(arm: Arm) -> int:
    return len(arm_groups(arm)) if arm.source == "groups" else len(arm_people(arm))


# ------------------------------------------------------------------ values


def answer_value(outcome: Outcome, answer: object) -> bool | float | None:
    """The value one answer gives for ``outcome`` (``None``: no value)."""
    if is_empty(answer):
        return None
    if outcome.measure == "choices":
        return bool(set(choice_codes(answer)) & set(outcome.choices))
    try:
        number = float(answer)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if outcome.measure == "at_least":
        return number >= (outcome.threshold or 0.0)
    return number


def _survey_values(outcome: Outcome, arm: Arm) -> list[bool | float] | engine.ArmError:
    survey = outcome.survey
    assert survey is not None
    responses = published(survey)
    if arm.source in AUDIENCE_OF_SOURCE and arm.survey_id == survey.pk:
        responses = responses.filter(audience=AUDIENCE_OF_SOURCE[arm.source])
    elif survey.instrument.anonymity == "anonymous":
        return engine.ArmError("anonymous_survey", arm.name)
    elif survey.instrument.anonymity == "identified":
        responses = responses.filter(person_id__in=arm_people(arm))
    else:
        codes = [pseudonym_for(survey.programme_id, pk) for pk in arm_people(arm)]
        responses = responses.filter(pseudonym__in=codes)
    return _values(outcome, (r.get(outcome.question) for r in _answers(responses)))


def _answers(responses: Iterable[Response]) -> Iterable[Mapping[str, object]]:
    return (answers for answers in responses.values_list("answers", flat=True))  # type: ignore[attr-defined]


def _values(outcome: Outcome, answers: Iterable[object]) -> list[bool | float]:
    values = (answer_value(outcome, a) for a in answers)
    return [v for v in values if v is not None]


def _product_values(outcome: Outcome, arm: Arm) -> list[bool | float]:
    groups = arm_groups(arm)
    accepted = dict.fromkeys(groups, 0)
    rows = Product.objects.filter(group_id__in=groups, state__in=ACCEPTED_STATES)
    for group_id in rows.values_list("group_id", flat=True):
        accepted[group_id] += 1
    return _values(outcome, accepted.values())


def _objective_values(outcome: Outcome, arm: Arm) -> list[bool | float]:
    programme = arm.experiment.programme
    if arm.source == "groups":
        objectives = LearningObjective.objects.filter(group__in=arm.groups.all())
    else:
        objectives = LearningObjective.objects.filter(person_id__in=arm_people(arm))
    ratings = [
        int(r)
        for r in objectives.filter(programme=programme, achievement__isnull=False).values_list(
            "achievement", flat=True
        )
        if r is not None
    ]
    if outcome.measure == "mean":
        return [float(r) for r in ratings]
    threshold = outcome.threshold if outcome.threshold is not None else ACHIEVED_FROM
    return [r >= threshold for r in ratings]


def arm_values(outcome: Outcome, arm: Arm) -> list[bool | float] | engine.ArmError:
    """One value per unit of ``arm`` for ``outcome``, or why there cannot be any."""
    if outcome.source == "survey":
        return _survey_values(outcome, arm)
    if outcome.source == "products":
        return _product_values(outcome, arm)
    return _objective_values(outcome, arm)


def k_for(outcome: Outcome) -> int:
    if outcome.source == "survey" and outcome.survey is not None:
        return max(1, int(outcome.survey.instrument.min_respondents))
    return max(1, default_min_respondents())


# ------------------------------------------------------------------ comparing


def compare_outcome(outcome: Outcome, arms: list[Arm]) -> OutcomeResult:
    """The figures of one outcome row, suppressed and checked."""
    result = OutcomeResult(outcome, k_for(outcome))
    data: dict[str, list[bool | float]] = {}
    for arm in arms:
        values = arm_values(outcome, arm)
        if isinstance(values, engine.ArmError):
            result.errors.append(values)
            continue
        if not values:
            result.errors.append(engine.ArmError("empty_arm", arm.name))
            continue
        data[arm.name] = values
    if len(arms) < 2:
        result.errors.append(engine.ArmError("too_few_arms"))
    if result.errors:
        result.arms = [ArmFigures(arm) for arm in arms]
        return result
    shown = {name: values for name, values in data.items() if len(values) >= result.k}
    if arms[0].name in shown and len(shown) >= 2:
        result.comparison = engine.compare(outcome.kind, shown)
    # an arm shown without a contrast (its reference is hidden) still has its figures
    summaries = {
        name: engine.summarise_arm(outcome.kind, name, values) for name, values in shown.items()
    }
    result.arms = [ArmFigures(arm, arm.name not in shown, summaries.get(arm.name)) for arm in arms]
    return result


def compare_experiment(experiment: Experiment) -> list[OutcomeResult]:
    """Every outcome row of ``experiment``."""
    arms = list(experiment.arms.select_related("survey", "cohort", "experiment__programme"))
    outcomes = experiment.outcomes.select_related("survey__instrument")
    return [compare_outcome(outcome, arms) for outcome in outcomes]


def groups_of(experiment: Experiment) -> list[Group]:
    """Groups of the experiment's programme (for the arm form)."""
    return list(
        Group.objects.filter(cohort__programme=experiment.programme, archived_at__isnull=True)
    )
