"""Share-forward reach of a programme: follow-up answers from the database into the engine.

A survey counts as a follow-up when its instrument asks the share-back
question (``engine.diffusion.FIELDS["shared"]``, the built-in
``followup_3m``'s ``shared``), whatever its schedule.  Only published
responses of participants are read (``surveys.publication.published``), and
the instrument's ``min_respondents`` is k:

* fewer than k responses in all: nothing is shown;
* per organisation: an organisation below k is suppressed, with one more
  (``engine.diffusion.suppressed``, the rule of ``surveys.analysis``);
  organisations are known for identified instruments only;
* per participant: names for identified instruments, codes for pseudonymous
  ones, nothing for anonymous ones, as the survey results pages do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from peerlearn.engine import diffusion
from peerlearn.programmes.models import Programme
from peerlearn.programmes.permissions import Access
from peerlearn.surveys.analysis import text_in
from peerlearn.surveys.models import Response, Survey
from peerlearn.surveys.permissions import reads_survey
from peerlearn.surveys.publication import published


@dataclass
class ProgrammeReach:
    k: int
    respondents: int
    shown: bool
    total: diffusion.Reach
    organisations: list[tuple[diffusion.Reach, bool]] = field(default_factory=list)
    participants: list[tuple[str, diffusion.Reach]] = field(default_factory=list)
    candidates: list[diffusion.Candidate] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    surveys: list[Survey] = field(default_factory=list)


def followup_surveys(programme: Programme) -> list[Survey]:
    """The programme's surveys whose instrument asks what was shared back home."""
    surveys = Survey.objects.filter(programme=programme).select_related("instrument")
    wanted = {diffusion.FIELDS["shared"], *diffusion.CHANGE_FIELDS}
    return [s for s in surveys if wanted & {q.name for q in s.instrument.form.questions()}]


def _rows(survey: Survey) -> list[dict[str, Any]]:
    anonymity = survey.instrument.anonymity
    responses = (
        published(survey).filter(audience="participant").select_related("person__organisation")
    )
    rows = []
    for response in responses:
        person, organisation = "", ""
        if anonymity == "identified" and response.person is not None:
            person = f"id:{response.person_id}"
            organisation = response.person.organisation.name if response.person.organisation else ""
        elif anonymity == "pseudonymous":
            person = response.pseudonym
        rows.append(
            {
                "key": f"r{response.pk}",
                "person": person,
                "organisation": organisation,
                "answers": response.answers,
                "survey": survey,
                "response": response,
            }
        )
    return rows


def _labels(surveys: list[Survey]) -> dict[str, str]:
    """Choice labels of the audience and form questions, in the page's language."""
    language = translation.get_language()
    names = {diffusion.FIELDS["audience"], diffusion.FIELDS["form"]}
    out: dict[str, str] = {}
    for survey in surveys:
        form = survey.instrument.form
        for question in form.questions():
            if question.name in names and question.list_name in form.choice_lists:
                for choice in form.choice_lists[question.list_name].choices:
                    out.setdefault(
                        choice.name, text_in(choice.label, language, form.default_language)
                    )
    return out


def programme_reach(programme: Programme, access: Access) -> ProgrammeReach:
    """Reach over the follow-ups this reader may read (``surveys.permissions.reads_survey``):
    a module's facilitator sees the follow-ups of their module only."""
    surveys = [s for s in followup_surveys(programme) if reads_survey(access, s)]
    rows = [row for survey in surveys for row in _rows(survey)]
    k = max([s.instrument.min_respondents for s in surveys] or [1])
    k = max(1, k)
    result = ProgrammeReach(
        k=k,
        respondents=len(rows),
        shown=len(rows) >= k,
        total=diffusion.total(rows),
        surveys=surveys,
        labels=_labels(surveys),
    )
    if not result.shown:
        return result
    by_org = diffusion.share_forward([r for r in rows if r["organisation"]], by="organisation")
    hidden = diffusion.suppressed([r.respondents for r in by_org], k)
    result.organisations = [(reach, i in hidden) for i, reach in enumerate(by_org)]
    names = {
        f"id:{r['response'].person_id}": r["response"].person.name
        for r in rows
        if r["person"].startswith("id:")
    }
    result.participants = [
        (names.get(reach.key, reach.key), reach) for reach in diffusion.share_forward(rows)
    ]
    result.candidates = diffusion.candidates(rows)
    return result


@dataclass
class ReachTotal:
    """Reach over some follow-ups in total only (``total`` is ``None`` below k)."""

    k: int
    respondents: int
    total: diffusion.Reach | None
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def shown(self) -> bool:
        return self.total is not None


def reach_total(surveys: list[Survey]) -> ReachTotal:
    """The first figures of :func:`programme_reach` over ``surveys``, and nothing else.

    The same responses (published, participants), the same k (the highest
    ``min_respondents``) and the same :func:`engine.diffusion.total`, read as
    answers only: the dashboard and the funder report need the total, not
    the per-participant and per-organisation passes or the candidates.
    """
    answers = [
        given
        for survey in surveys
        for given in published(survey)
        .filter(audience="participant")
        .values_list("answers", flat=True)
    ]
    k = max([1, *(s.instrument.min_respondents for s in surveys)])
    if len(answers) < k:
        return ReachTotal(k, len(answers), None)
    total = diffusion.total({"answers": given} for given in answers)
    return ReachTotal(k, len(answers), total, _labels(surveys))


def candidate_initial(programme: Programme, key: str, access: Access) -> dict[str, Any]:
    """Initial story fields from a candidate key (``r<response id>:<question>``); {} if unknown."""
    response_part, _sep, question = key.partition(":")
    if not response_part.startswith("r") or not response_part[1:].isdigit():
        return {}
    reach = programme_reach(programme, access)
    found = next((c for c in reach.candidates if c.key == key), None)
    if found is None:
        return {}
    response = Response.objects.select_related("survey", "person__organisation").get(
        pk=int(response_part[1:])
    )
    initial: dict[str, Any] = {
        "title": found.text[:80],
        "description": found.text,
        "informant": _("Follow-up answer (%(survey)s)") % {"survey": response.survey.title},
    }
    if found.kind:
        initial["kind"] = found.kind
    if found.person.startswith("id:") and response.person is not None:
        initial["change_agents"] = [response.person.pk]
        if response.person.organisation is not None:
            initial["social_actor"] = response.person.organisation.name
            initial["actor_organisation"] = response.person.organisation.pk
    return initial
