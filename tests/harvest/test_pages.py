"""Registering, editing and listing stories; evidence; bad input writes nothing."""

from __future__ import annotations

from django.urls import reverse

from peerlearn.audit.models import AuditEvent
from peerlearn.harvest.models import ActorResponse, Evidence, OutcomeStory
from tests.harvest.conftest import PDF, make_story


def _story_data(world, **overrides):
    data = {
        "title": "Procurement unit adopts e-tendering",
        "description": "In March 2026 the procurement unit in Kisumu moved all tenders online.",
        "social_actor": "Procurement unit",
        "kind": "practice",
        "intended": "True",
        "positive": "True",
        "visibility": "evaluators",
        "change_agents": [world.people["participant"].pk],
        "groups": [world.group_a.pk],
        "contribution": "A peer from Ghana showed their system.",
    }
    data.update(overrides)
    return data


def test_facilitator_registers_and_edits_a_story(world, login):
    client = login(world.users["facilitator"])
    response = client.post(reverse("harvest:new", args=[world.programme.slug]), _story_data(world))
    story = OutcomeStory.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{story.pk}/")
    assert story.harvester == world.users["facilitator"]
    assert list(story.change_agents.all()) == [world.people["participant"]]
    assert list(story.groups.all()) == [world.group_a]
    assert AuditEvent.objects.filter(action="story.create").count() == 1
    edited = client.post(
        reverse("harvest:edit", args=[world.programme.slug, story.pk]),
        _story_data(world, kind="policy", positive="False", groups=[]),
    )
    assert edited.status_code == 302
    story.refresh_from_db()
    assert (story.kind, story.positive, story.groups.count()) == ("policy", False, 0)
    assert AuditEvent.objects.filter(action="story.edit").count() == 1


def test_story_without_description_is_refused(world, login):
    client = login(world.users["facilitator"])
    response = client.post(
        reverse("harvest:new", args=[world.programme.slug]), _story_data(world, description="  ")
    )
    assert response.status_code == 200
    assert "Describe the change" in response.content.decode()
    assert not OutcomeStory.objects.exists()
    assert not AuditEvent.objects.filter(action="story.create").exists()


def test_change_agents_must_be_in_the_programme(world, login):
    client = login(world.users["facilitator"])
    response = client.post(
        reverse("harvest:new", args=[world.programme.slug]),
        _story_data(world, change_agents=[world.people["outsider"].pk]),
    )
    assert response.status_code == 200 and not OutcomeStory.objects.exists()


def test_list_filters_by_kind_and_status(world, login):
    make_story(world, "published", title="A practice", kind="practice")
    make_story(world, "published", title="A policy", kind="policy")
    client = login(world.users["participant"])
    url = reverse("harvest:list", args=[world.programme.slug])
    text = client.get(url, {"kind": "policy"}).content.decode()
    assert "A policy" in text and "A practice" not in text
    text = client.get(url, {"status": "substantiated"}).content.decode()
    assert "A policy" not in text and "No stories yet" in text
    assert "A practice" in client.get(url, {"status": "unverified"}).content.decode()


def test_evidence_file_is_sniffed_and_downloaded(world, login):
    story = make_story(world, "published")
    client = login(world.users["facilitator"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("minutes.docx", PDF, content_type="application/msword")
    response = client.post(
        reverse("harvest:evidence_add", args=[world.programme.slug, story.pk]),
        {"file": upload, "note": "Minutes"},
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.filename, evidence.content_type) == ("minutes.pdf", "application/pdf")
    download = login(world.users["observer"]).get(
        reverse("harvest:evidence_file", args=[world.programme.slug, story.pk, evidence.pk])
    )
    assert download.content == PDF and download["Content-Disposition"].startswith("attachment")
    assert AuditEvent.objects.filter(action="story.evidence_added").count() == 1


def test_evidence_over_the_limit_is_refused_and_nothing_written(world, login, settings):
    settings.PRODUCT_MAX_BYTES = 50
    story = make_story(world)
    client = login(world.users["facilitator"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    big = SimpleUploadedFile("big.pdf", PDF + b"0" * 100, content_type="application/pdf")
    response = client.post(
        reverse("harvest:evidence_add", args=[world.programme.slug, story.pk]), {"file": big}
    )
    assert response.status_code == 400
    assert "too large" in response.content.decode()
    assert not Evidence.objects.exists()
    assert not AuditEvent.objects.filter(action="story.evidence_added").exists()


def test_evidence_of_a_refused_type_is_refused(world, login):
    story = make_story(world)
    client = login(world.users["facilitator"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    program = SimpleUploadedFile("report.pdf", b"MZ\x90\x00rest", content_type="application/pdf")
    response = client.post(
        reverse("harvest:evidence_add", args=[world.programme.slug, story.pk]), {"file": program}
    )
    assert response.status_code == 400 and "not accepted" in response.content.decode()
    assert not Evidence.objects.exists()


def test_evidence_link(world, login):
    story = make_story(world)
    client = login(world.users["facilitator"])
    client.post(
        reverse("harvest:evidence_add", args=[world.programme.slug, story.pk]),
        {"link": "https://example.org/gazette"},
    )
    assert Evidence.objects.get().link == "https://example.org/gazette"


def test_actor_response_is_recorded_and_listed(world, login):
    story = make_story(world, "evaluators")
    client = login(world.users["facilitator"])
    url = reverse("harvest:responses", args=[world.programme.slug])
    response = client.post(
        url,
        {"actor": "Permanent Secretary", "response": "reinforcing", "story": story.pk, "note": ""},
    )
    assert response.status_code == 302
    row = ActorResponse.objects.get()
    assert (row.story, row.recorded_by) == (story, world.users["facilitator"])
    text = login(world.users["evaluator"]).get(url).content.decode()
    assert "Permanent Secretary" in text and "Reinforcing: 1" in text
    assert AuditEvent.objects.filter(action="story.actor_response").count() == 1


def test_programme_page_links_the_stories(world, login):
    page = login(world.users["participant"]).get(
        reverse("programmes:detail", args=[world.programme.slug])
    )
    assert reverse("harvest:list", args=[world.programme.slug]) in page.content.decode()


def test_groups_of_another_programme_are_refused(world, login):
    from peerlearn.programmes.models import Cohort, Group

    cohort = Cohort.objects.create(programme=world.other_programme, name="Other", kind="event")
    foreign = Group.objects.create(cohort=cohort, name="Foreign group")
    client = login(world.users["facilitator"])
    response = client.post(
        reverse("harvest:new", args=[world.programme.slug]),
        _story_data(world, groups=[foreign.pk]),
    )
    assert response.status_code == 200 and response.context["form"].errors["groups"]
    assert not OutcomeStory.objects.exists()
