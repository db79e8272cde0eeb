"""experiments/package.py: arms and assignments for readers only, people as pseudonyms."""

from __future__ import annotations

from peerlearn.core.tabular import pseudonym
from peerlearn.evidence.datapackage import reader_tables as package_tables
from peerlearn.experiments.models import Arm, AssignedMember, Assignment, Experiment


def test_tables_carry_arms_and_pseudonymous_assignments_for_readers_only(world):
    experiment = Experiment.objects.create(programme=world.programme, name="E", design="match_role")
    arm = Arm.objects.create(experiment=experiment, name="By role", source="assigned")
    assignment = Assignment.objects.create(experiment=experiment, cohort=world.event, seed=42)
    AssignedMember.objects.create(assignment=assignment, arm=arm, person=world.people["peer"])

    by_name = {t.name: t for t in package_tables(world.programme, world.users["evaluator"])}
    rows = list(by_name["experiment_assignments"].rows)
    assert rows == [
        [
            assignment.pk,
            42,
            world.event.pk,
            arm.pk,
            pseudonym(world.programme, world.people["peer"].pk),
        ]
    ]
    assert "peer@example.org" not in repr(rows)
    assert [r[2] for r in by_name["experiment_arms"].rows] == ["By role"]
    for persona in ("participant", "observer", "module_facilitator"):
        names = {t.name for t in package_tables(world.programme, world.users[persona])}
        assert not names & {"experiments", "experiment_arms", "experiment_assignments"}
