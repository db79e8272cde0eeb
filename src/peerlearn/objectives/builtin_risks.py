"""A starting list of risks per stage of the process map, with mitigations.

Written for this project from the findings summarised in docs/objectives.md.
A programme copies them (in the facilitator's language) and then edits,
closes or adds its own: they are a prompt, not a checklist.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class BuiltinRisk:
    key: str
    stage: str
    risk: Promise
    mitigation: Promise


BUILTIN_RISKS = (
    BuiltinRisk(
        "magic_bullet",
        "curation",
        _(
            "Treating the programme as good in itself: peers meet, so they must be learning, "
            "so it must be worth it."
        ),
        _(
            "Write down what the programme is for and whose demand it answers before "
            "recruiting; test each topic against the challenges peers named at intake."
        ),
    ),
    BuiltinRisk(
        "organisers_topics",
        "curation",
        _("Topics chosen by the organisers or funders rather than named by the peers."),
        _("Start from each peer's own challenges; hold calibration calls before fixing topics."),
    ),
    BuiltinRisk(
        "seniority_ladder",
        "matching",
        _("Groups sort themselves by rank and become one-way mentoring instead of peer learning."),
        _(
            "Match on shared, self-named problems; watch who speaks in the first sessions and "
            "let people move early."
        ),
    ),
    BuiltinRisk(
        "formal_targets",
        "engagement",
        _(
            "Meeting the formal targets (sessions held, products filed) while missing the "
            "political point that would make the work matter."
        ),
        _(
            "Ask in every check-in what changed in the real work, not only what was delivered; "
            "build trust early and keep momentum between meetings."
        ),
    ),
    BuiltinRisk(
        "standard_solutions",
        "engagement",
        _(
            "Peers hand each other ready-made reform packages instead of working out what "
            "fits their own context."
        ),
        _(
            "Bring research evidence and each home context into the sessions; use formats "
            "where everyone speaks; add short formal training where a gap shows."
        ),
    ),
    BuiltinRisk(
        "weak_evaluation",
        "outcomes",
        _("The engagement is evaluated weakly or not at all: nobody can say what was learned."),
        _(
            "Set learning objectives before the first session and rate them at the end; "
            "collect feedback during delivery and correct course."
        ),
    ),
    BuiltinRisk(
        "stays_personal",
        "diffusion",
        _(
            "What individuals learn stays with them and does not reach their organisations "
            "or results at scale."
        ),
        _(
            "Ask the peers' heads for a mandate, plan report-back sessions, name anticipated "
            "organisational outcomes and link peers to a community of practice at home."
        ),
    ),
)
