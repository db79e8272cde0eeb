"""A draft of topics stays with the facilitators until it is saved as the baseline."""

from __future__ import annotations

import pytest
from django.urls import reverse

from peerlearn.intake import curation
from peerlearn.intake.models import Topic
from tests.intake.test_topics import challenged  # noqa: F401 (a fixture)

DRAFT_LABEL = "Draft label the facilitators are still debating"


@pytest.fixture
def drafted(challenged):  # noqa: F811 (the fixture above)
    draft = curation.propose_draft(challenged.programme, None, n_topics=2)
    Topic.objects.filter(pk=draft.topics.first().pk).update(label=DRAFT_LABEL)
    return challenged


@pytest.mark.parametrize(
    "persona", ["participant", "peer", "module_facilitator", "evaluator", "observer"]
)
def test_draft_topics_are_not_shown_until_saved(drafted, login, persona):
    client = login(drafted.users[persona])
    for name in ("intake:topics", "intake:topics_print"):
        response = client.get(reverse(name, args=[drafted.programme.slug]))
        assert response.status_code == 200, name
        assert DRAFT_LABEL not in response.content.decode(), (name, persona)
    curation.save_baseline(curation.draft_of(drafted.programme), None)
    saved = client.get(reverse("intake:topics", args=[drafted.programme.slug]))
    assert DRAFT_LABEL in saved.content.decode(), "saved: now everyone sees the label"


def test_the_facilitator_is_told_a_draft_is_in_progress(drafted, login):
    client = login(drafted.users["facilitator"])
    body = client.get(reverse("intake:topics", args=[drafted.programme.slug])).content.decode()
    assert "A draft is in progress" in body and DRAFT_LABEL not in body
    curate = client.get(reverse("intake:topics_curate", args=[drafted.programme.slug]))
    assert DRAFT_LABEL in curate.content.decode()
