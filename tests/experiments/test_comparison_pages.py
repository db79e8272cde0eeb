"""Experiment pages: k-suppression per arm, empty arms, bad input, random assignment."""

from __future__ import annotations

import pytest
from django.urls import reverse

from peerlearn.audit.models import AuditEvent
from peerlearn.engine.experiments import assign_at_random
from peerlearn.experiments.models import Arm, AssignedMember, Experiment, Outcome
from peerlearn.people.models import Person
from peerlearn.programmes.models import Cohort, Membership
from peerlearn.progress.models import Product
from tests.experiments.conftest import ARM_SIZE, peer_contact_survey


def detail(client, world, experiment):
    return client.get(reverse("experiments:detail", args=[world.programme.slug, experiment.pk]))


def survey_experiment(world, survey) -> Experiment:
    experiment = Experiment.objects.create(programme=world.programme, name="E", design="control")
    Arm.objects.create(
        experiment=experiment, name="Participants", source="survey_participants", survey=survey
    )
    Arm.objects.create(
        experiment=experiment, name="Control", source="survey_control", survey=survey, position=1
    )
    Outcome.objects.create(
        experiment=experiment,
        label="Shared task",
        source="survey",
        survey=survey,
        question="shared_task",
        measure="choices",
        choices=["yes"],
    )
    return experiment


@pytest.mark.django_db
def test_an_arm_below_k_shows_no_figures(world, login):
    facilitator = login(world.users["facilitator"])
    survey = peer_contact_survey(world, facilitator)
    experiment = survey_experiment(world, survey)
    # k above the arms' size: both arms hidden, and no difference either
    survey.instrument.min_respondents = ARM_SIZE + 1
    survey.instrument.save(update_fields=["min_respondents"])
    html = detail(facilitator, world, experiment).content.decode()
    assert f"Fewer than {ARM_SIZE + 1}: not shown" in html
    assert f"/ {ARM_SIZE}" not in html
    assert 'class="p-value"' not in html
    survey.instrument.min_respondents = ARM_SIZE
    survey.instrument.save(update_fields=["min_respondents"])
    html = detail(facilitator, world, experiment).content.decode()
    assert f"1 / {ARM_SIZE}" in html and f"6 / {ARM_SIZE}" in html


def test_an_empty_arm_is_named_in_a_clear_message(world, login):
    experiment = Experiment.objects.create(programme=world.programme, name="E", design="format")
    a = Arm.objects.create(experiment=experiment, name="Group A arm", source="groups")
    a.groups.add(world.group_a)
    Arm.objects.create(
        experiment=experiment, name="Nobody", source="cohort", cohort=world.module, position=1
    )
    Outcome.objects.create(
        experiment=experiment, label="Products", source="products", measure="mean"
    )
    html = detail(login(world.users["evaluator"]), world, experiment).content.decode()
    assert "The arm “Nobody” has no answers or results for this outcome." in html


def test_products_accepted_per_group_compared_with_hedges_g(world, login):
    experiment = Experiment.objects.create(programme=world.programme, name="E", design="format")
    cohort = Cohort.objects.create(programme=world.programme, name="Big cohort")
    arms = []
    for position, name in enumerate(("Online", "In person")):
        arm = Arm.objects.create(
            experiment=experiment, name=name, source="groups", position=position
        )
        for i in range(6):
            group = cohort.groups.create(name=f"{name} {i}")
            for _ in range(i % 3 + position):
                Product.objects.create(group=group, title="p", kind="other", state="accepted")
            Product.objects.create(group=group, title="draft", kind="other")
            arm.groups.add(group)
        arms.append(arm)
    Outcome.objects.create(
        experiment=experiment, label="Products", source="products", measure="mean"
    )
    page = detail(login(world.users["facilitator"]), world, experiment)
    html = page.content.decode()
    # online: 0,1,2,0,1,2 -> mean 1.00; in person: 1,2,3,1,2,3 -> mean 2.00
    assert "1.00" in html and "2.00" in html
    assert "Hedges" in html
    row = page.context["rows"][0]
    assert row["contrasts"][0]["contrast"].effect > 0


def test_outcome_form_refuses_unknown_answer_codes_and_stores_nothing(world, login):
    facilitator = login(world.users["facilitator"])
    survey = peer_contact_survey(world, facilitator)
    experiment = survey_experiment(world, survey)
    response = facilitator.post(
        reverse("experiments:outcome_new", args=[world.programme.slug, experiment.pk]),
        {
            "label": "x",
            "source": "survey",
            "question": f"{survey.pk}:frequency",
            "measure": "choices",
            "choices": "daily",
        },
    )
    assert response.status_code == 200
    assert "Not answers of this question: daily" in " ".join(
        response.context["form"].errors["choices"]
    )
    assert experiment.outcomes.count() == 1


def test_arm_form_needs_its_members(world, login):
    experiment = Experiment.objects.create(programme=world.programme, name="E", design="format")
    response = login(world.users["facilitator"]).post(
        reverse("experiments:arm_new", args=[world.programme.slug, experiment.pk]),
        {"name": "A", "source": "groups"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["groups"]
    assert not experiment.arms.exists()


def test_random_assignment_is_recorded_reproducible_and_audited(world, login):
    cohort = Cohort.objects.create(programme=world.programme, name="Assigned cohort")
    people = []
    for i in range(9):
        person = Person.objects.create(name=f"P{i}", email=f"p{i}@example.org")
        Membership.objects.create(
            person=person, programme=world.programme, cohort=cohort, role="participant"
        )
        people.append(person.pk)
    experiment = Experiment.objects.create(programme=world.programme, name="E", design="match_role")
    for position, name in enumerate(("By role", "By problem")):
        Arm.objects.create(experiment=experiment, name=name, source="assigned", position=position)
    client = login(world.users["facilitator"])
    url = reverse("experiments:assign", args=[world.programme.slug, experiment.pk])
    response = client.post(url, {"cohort": cohort.pk, "seed": "2024"})
    assert response.status_code == 302
    stored = {m.person_id: str(m.arm_id) for m in AssignedMember.objects.all()}
    arm_keys = [str(a.pk) for a in experiment.arms.all()]
    assert stored == assign_at_random(people, arm_keys, 2024)
    assert sorted(list(stored.values()).count(k) for k in arm_keys) == [4, 5]
    assert AuditEvent.objects.filter(action="experiments.assign").count() == 1
    # the same cohort twice is refused, nothing changes
    again = client.post(url, {"cohort": cohort.pk, "seed": "1"})
    assert again.status_code == 200 and AssignedMember.objects.count() == 9
    html = detail(client, world, experiment).content.decode()
    assert "seed 2024" in html


def test_an_anonymous_survey_cannot_be_split_by_person(world, login):
    from tests.surveys.conftest import make_survey

    survey = make_survey(world, "pulse")  # anonymous
    experiment = Experiment.objects.create(programme=world.programme, name="E", design="format")
    for position, group in enumerate((world.group_a, world.group_b)):
        arm = Arm.objects.create(
            experiment=experiment, name=group.name, source="groups", position=position
        )
        arm.groups.add(group)
    Outcome.objects.create(
        experiment=experiment,
        label="Useful",
        source="survey",
        survey=survey,
        question="useful",
        measure="mean",
    )
    html = detail(login(world.users["facilitator"]), world, experiment).content.decode()
    assert (
        "The survey is anonymous, so its answers cannot be linked to the people of the arm" in html
    )
