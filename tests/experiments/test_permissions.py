"""A permission test for every experiments page, with every persona.

Facilitators of the programme set experiments up; they and the evaluators
read the comparisons. Everyone else in the programme gets 403, outsiders 404.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from peerlearn.experiments import urls as experiments_urls
from peerlearn.experiments.models import Arm, Experiment
from tests.programmes.test_permissions import PERSONAS, expect, request_as

READERS = {"facilitator", "evaluator"}


def experiment(w) -> Experiment:
    found = Experiment.objects.filter(programme=w.programme).first()
    if found is None:
        found = Experiment.objects.create(programme=w.programme, name="Designs", design="format")
        arm = Arm.objects.create(experiment=found, name="Group A", source="groups")
        arm.groups.add(w.group_a)
        arm = Arm.objects.create(experiment=found, name="Group B", source="groups", position=1)
        arm.groups.add(w.group_b)
    return found


def url(name, with_experiment=True):
    def build(w):
        args = [w.programme.slug] + ([experiment(w).pk] if with_experiment else [])
        return reverse(f"experiments:{name}", args=args)

    return build


CASES = [
    ("experiments:list", url("list", False), "get", expect(READERS)),
    ("experiments:new", url("new", False), "get", expect({"facilitator"})),
    ("experiments:new post", url("new", False), "post", expect({"facilitator"})),
    ("experiments:detail", url("detail"), "get", expect(READERS)),
    ("experiments:arm_new", url("arm_new"), "get", expect({"facilitator"})),
    ("experiments:outcome_new", url("outcome_new"), "get", expect({"facilitator"})),
    ("experiments:assign", url("assign"), "get", expect({"facilitator"})),
    ("experiments:assign post", url("assign"), "post", expect({"facilitator"})),
    ("experiments:dual", url("dual", False), "get", expect(READERS)),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "url", "method", "expected"), CASES, ids=[c[0] for c in CASES])
def test_view_permissions(world, login, persona, name, url, method, expected):
    request_as(world, login, persona, name, url, method, expected)


def test_an_experiment_of_another_programme_is_not_found(world, login):
    other = Experiment.objects.create(programme=world.other_programme, name="X", design="other")
    client = login(world.users["facilitator"])
    response = client.get(reverse("experiments:detail", args=[world.programme.slug, other.pk]))
    assert response.status_code == 404


def test_every_experiments_url_has_a_permission_row():
    """A new experiments page without a row in CASES fails here."""
    covered = {name.split(" ")[0] for name, *_ in CASES}
    declared = {f"{experiments_urls.app_name}:{p.name}" for p in experiments_urls.urlpatterns}
    missing = declared - covered
    assert not missing, f"no permission test for {sorted(missing)}"
