"""A permission test for every harvest page, with every persona, and the visibility rule.

Stories: private ones are read by the facilitators (of the programme or of a
cohort), "shared with evaluators" ones by the evaluators too, published ones
by every member.  A story someone may not read is 404, as if it did not
exist.  Only facilitators write (403 for other members).  The substantiation
link needs no account.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from peerlearn.harvest import urls as harvest_urls
from peerlearn.harvest.models import OutcomeStory
from peerlearn.harvest.permissions import readable_stories, reads_story
from peerlearn.programmes.permissions import access_for
from tests.harvest.conftest import ask, make_story, with_file
from tests.programmes.test_permissions import MEMBERS, PERSONAS, expect, request_as

FACILITATORS = {"facilitator", "module_facilitator"}
READERS = FACILITATORS | {"evaluator"}


def table(allowed, *, forbidden=(), ok=200, hidden=404):
    """``allowed`` get ok, ``forbidden`` 403, other members ``hidden``, outsiders 404."""
    out = expect(set(allowed), member=hidden, ok=ok)
    for persona in forbidden:
        out[persona] = 403
    return out


def everyone(status):
    return dict.fromkeys(PERSONAS, status)


def url(name, args=lambda w: []):
    return lambda w: reverse(f"harvest:{name}", args=[w.programme.slug, *args(w)])


def _story(visibility):
    return lambda w: [make_story(w, visibility).pk]


def _evidence(visibility):
    def build(w):
        story = make_story(w, visibility)
        return [story.pk, with_file(story).pk]

    return build


def _link(w):
    return reverse("harvest:substantiate", args=[ask(make_story(w))[1]])


def _tampered(token: str) -> str:
    """The same link with its first character changed (never equal to the real one)."""
    return ("A" if token[0] != "A" else "B") + token[1:]


CASES = [
    ("harvest:list", url("list"), "get", expect(MEMBERS)),
    ("harvest:new", url("new"), "get", expect(FACILITATORS)),
    ("harvest:story private", url("story", _story("private")), "get", table(FACILITATORS)),
    ("harvest:story evaluators", url("story", _story("evaluators")), "get", table(READERS)),
    ("harvest:story published", url("story", _story("published")), "get", expect(MEMBERS)),
    ("harvest:edit", url("edit", _story("published")), "get", expect(FACILITATORS)),
    (
        "harvest:evidence_add",
        url("evidence_add", _story("published")),
        "post",
        expect(FACILITATORS, ok=400),  # an empty form comes back with its error
    ),
    (
        "harvest:evidence_file private",
        url("evidence_file", _evidence("private")),
        "get",
        table(FACILITATORS),
    ),
    (
        "harvest:evidence_file published",
        url("evidence_file", _evidence("published")),
        "get",
        expect(MEMBERS),
    ),
    ("harvest:exchanges", url("exchanges", _story("published")), "get", expect(FACILITATORS)),
    # members who do not harvest are refused before any story is looked up (403 either way)
    ("harvest:exchanges private", url("exchanges", _story("private")), "get", expect(FACILITATORS)),
    (
        # an empty form comes back with its error
        "harvest:exchanges post",
        url("exchanges", _story("published")),
        "post",
        expect(FACILITATORS, ok=400),
    ),
    (
        "harvest:substantiator_add",
        url("substantiator_add", _story("private")),
        "post",
        expect(FACILITATORS, ok=400),
    ),
    ("harvest:reach", url("reach"), "get", expect(READERS)),
    ("harvest:responses", url("responses"), "get", expect(READERS)),
    (
        "harvest:responses post",
        url("responses"),
        "post",
        table(FACILITATORS, forbidden={"evaluator"}, ok=400, hidden=403),
    ),
    ("harvest:substantiate", _link, "get", everyone(200)),
    (
        "harvest:substantiate tampered",
        lambda w: reverse("harvest:substantiate", args=[_tampered(ask(make_story(w))[1])]),
        "get",
        everyone(404),
    ),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "url", "method", "expected"), CASES, ids=[c[0] for c in CASES])
def test_view_permissions(world, login, persona, name, url, method, expected):
    if name.startswith("harvest:substantiate"):
        client = login(None if persona == "anonymous" else world.users[persona])
        response = client.get(url(world))
        assert response.status_code == expected[persona], f"{name} as {persona}"
        return
    request_as(world, login, persona, name, url, method, expected)


def test_every_harvest_url_has_a_permission_row():
    """A new harvest page without a row in CASES fails here."""
    covered = {name.split(" ")[0] for name, *_ in CASES}
    declared = {f"{harvest_urls.app_name}:{p.name}" for p in harvest_urls.urlpatterns}
    missing = declared - covered
    assert not missing, f"no permission test for {sorted(missing)}"


def _readers(world, story) -> set[str]:
    keys = ["facilitator", "module_facilitator", "evaluator", "participant", "peer", "observer"]
    keys.append("outsider")
    return {k for k in keys if reads_story(access_for(world.users[k], world.programme), story)}


def test_private_story_is_read_by_facilitators_only(world, login):
    story = make_story(world, "private", title="Secret reform")
    assert _readers(world, story) == FACILITATORS
    client = login(world.users["evaluator"])
    page = client.get(reverse("harvest:list", args=[world.programme.slug]))
    assert "Secret reform" not in page.content.decode()
    client = login(world.users["facilitator"])
    page = client.get(reverse("harvest:list", args=[world.programme.slug]))
    assert "Secret reform" in page.content.decode()


def test_story_shared_with_evaluators_is_hidden_from_participants(world, login):
    story = make_story(world, "evaluators", title="For the evaluation")
    assert _readers(world, story) == READERS
    for persona in ("participant", "observer"):
        page = login(world.users[persona]).get(reverse("harvest:list", args=[world.programme.slug]))
        assert "For the evaluation" not in page.content.decode()


def test_published_story_is_read_by_every_member(world, login):
    story = make_story(world, "published", title="Told to everyone")
    assert _readers(world, story) == MEMBERS
    page = login(world.users["observer"]).get(reverse("harvest:list", args=[world.programme.slug]))
    assert "Told to everyone" in page.content.decode()
    outsider = access_for(world.users["outsider"], world.programme)
    assert not readable_stories(outsider, OutcomeStory.objects.all()).exists()


def test_members_see_status_but_not_substantiators(world, login):
    story = make_story(world, "published")
    item, token = ask(story, name="Zawadi Otieno", email="zawadi@example.org")
    assert item.redeem(token, "partly", "The reports are half-yearly")
    page = login(world.users["participant"]).get(
        reverse("harvest:story", args=[world.programme.slug, story.pk])
    )
    text = page.content.decode()
    assert "Partly substantiated" in text
    assert "Zawadi" not in text and "half-yearly" not in text
    page = login(world.users["evaluator"]).get(
        reverse("harvest:story", args=[world.programme.slug, story.pk])
    )
    assert "half-yearly" in page.content.decode() and "Zawadi" not in page.content.decode()
    page = login(world.users["facilitator"]).get(
        reverse("harvest:story", args=[world.programme.slug, story.pk])
    )
    assert "Zawadi" in page.content.decode()


def test_actor_responses_follow_their_story(world, login):
    from peerlearn.harvest.models import ActorResponse
    from peerlearn.harvest.permissions import readable_responses

    private = make_story(world, "private")
    ActorResponse.objects.create(
        programme=world.programme, story=private, actor="Treasury", response="obstructive"
    )
    ActorResponse.objects.create(programme=world.programme, actor="Auditor", response="neutral")
    rows = ActorResponse.objects.filter(programme=world.programme)
    evaluator = access_for(world.users["evaluator"], world.programme)
    facilitator = access_for(world.users["facilitator"], world.programme)
    assert [r.actor for r in readable_responses(evaluator, rows)] == ["Auditor"]
    assert {r.actor for r in readable_responses(facilitator, rows)} == {"Auditor", "Treasury"}
