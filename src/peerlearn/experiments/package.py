"""The experiments' tables for the evaluator's data package (see ``core/tabular.py``).

Readers of experiments (facilitators of the programme, evaluators) get the
experiments, their arms and every random assignment, people as pseudonyms.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from peerlearn.core.tabular import Column, Table, pseudonym
from peerlearn.experiments.models import Arm, AssignedMember, Experiment
from peerlearn.programmes.permissions import access_for

if TYPE_CHECKING:
    from peerlearn.accounts.models import User
    from peerlearn.programmes.models import Programme


def tables(programme: Programme, user: User) -> list[Table]:
    if not access_for(user, programme).reads_everything:
        return []
    experiments = Experiment.objects.filter(programme=programme).order_by("pk")
    arms = Arm.objects.filter(experiment__programme=programme).order_by(
        "experiment_id", "position", "pk"
    )
    assigned = (
        AssignedMember.objects.filter(assignment__experiment__programme=programme)
        .select_related("assignment")
        .order_by("assignment_id", "arm_id", "person_id")
    )
    return [
        Table(
            "experiments",
            "Experiments",
            [
                Column("experiment_id", "integer"),
                Column("name"),
                Column(
                    "design",
                    description="match_problems, match_role, match_area, format, control or other",
                ),
                Column("created_at", "datetime"),
            ],
            ([e.pk, e.name, e.design, e.created_at.isoformat()] for e in experiments),
            primary_key=["experiment_id"],
        ),
        Table(
            "experiment_arms",
            "Arms of the experiments",
            [
                Column("arm_id", "integer"),
                Column("experiment_id", "integer"),
                Column("name"),
                Column("position", "integer", "0 is the reference arm"),
                Column(
                    "source",
                    description="groups, cohort, survey_participants, survey_control or assigned",
                ),
            ],
            ([a.pk, a.experiment_id, a.name, a.position, a.source] for a in arms),
            primary_key=["arm_id"],
            foreign_keys={"experiment_id": ("experiments", "experiment_id")},
        ),
        Table(
            "experiment_assignments",
            "Random assignments of people to arms",
            [
                Column("assignment_id", "integer"),
                Column(
                    "seed",
                    "integer",
                    "reproduces the draw with engine.experiments.assign_at_random",
                ),
                Column("cohort_id", "integer"),
                Column("arm_id", "integer"),
                Column("person", description="pseudonym, the same in every table of the programme"),
            ],
            (
                [
                    m.assignment_id,
                    m.assignment.seed,
                    m.assignment.cohort_id,
                    m.arm_id,
                    pseudonym(programme, m.person_id),
                ]
                for m in assigned
            ),
            foreign_keys={"arm_id": ("experiment_arms", "arm_id")},
        ),
    ]
