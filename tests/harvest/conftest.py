"""Harvest fixtures on top of the shared ``world``: stories, evidence, substantiation links."""

from __future__ import annotations

from peerlearn.harvest.models import ActorResponse, Evidence, OutcomeStory, Substantiation

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def make_story(world, visibility: str = "private", **fields) -> OutcomeStory:
    values = {
        "title": "Budget unit publishes quarterly reports",
        "description": "Since June 2026 the budget unit of the Ministry of Finance in Nairobi "
        "publishes its execution reports every quarter.",
        "social_actor": "Budget unit, Ministry of Finance",
        "kind": "practice",
        "contribution": "The participant adapted a peer's template.",
        "harvester": world.users["facilitator"],
        **fields,
    }
    story = OutcomeStory.objects.create(programme=world.programme, visibility=visibility, **values)
    story.change_agents.set([world.people["participant"]])
    story.groups.set([world.group_a])
    return story


def with_file(story: OutcomeStory) -> Evidence:
    return Evidence.objects.create(
        story=story, data=PDF, filename="report.pdf", content_type="application/pdf", size=len(PDF)
    )


def ask(story: OutcomeStory, name: str = "Amina Wanjiru", email: str = "amina@example.org"):
    """A substantiation request with a live link; returns ``(request, token)``."""
    item = Substantiation.objects.create(story=story, name=name, email=email)
    token = item.issue_token()
    item.refresh_from_db()
    return item, token


def fill_harvest_models(programme, person, user) -> None:
    """A row in every harvest model, for the backup round trip (tests/site/test_backup.py)."""
    story = OutcomeStory.objects.create(
        programme=programme,
        title="Quarterly reports",
        description="The budget unit publishes quarterly reports.",
        social_actor="Budget unit",
        kind="practice",
        harvester=user,
    )
    story.change_agents.set([person])
    # the contribution of peer learning: the exchanges the mel fill wrote, if any
    from peerlearn.mel.models import Exchange

    story.exchanges.set(Exchange.objects.filter(programme=programme)[:1])
    Evidence.objects.create(story=story, link="https://example.org/report")
    item = Substantiation.objects.create(
        story=story, name="A. Substantiator", email="s@example.org"
    )
    item.issue_token()
    ActorResponse.objects.create(
        programme=programme, story=story, actor="Minister", response="reinforcing"
    )
