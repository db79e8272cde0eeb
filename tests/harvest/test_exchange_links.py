"""Outcome stories linked to learning exchanges, seen from both sides, under both rules.

The contribution of peer learning links a story to exchanges. Whoever may edit
the story (its facilitators) links the exchanges *they* may read, of the
story's programme only; links they cannot read stay as they are. Each reader
sees, on the story, the linked exchanges they may read, and on an exchange,
the stories they may read.
"""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from peerlearn.audit.models import AuditEvent
from peerlearn.harvest.package import tables
from peerlearn.mel import services
from peerlearn.mel.models import Exchange
from peerlearn.programmes.models import Membership
from tests.conftest import make_person
from tests.harvest.conftest import make_story


def _exchange(world, giver="peer", receiver="participant", *, programme=None, **kw) -> Exchange:
    values = {"kind": "advice", "learned": "How to cost a reform", "when": date(2026, 3, 2)}
    values.update(kw)
    return services.record_exchange(
        programme or world.programme,
        giver=world.people[giver] if isinstance(giver, str) else giver,
        receiver=world.people[receiver] if isinstance(receiver, str) else receiver,
        recorded_by=None,
        **values,
    )


def _story_url(world, story, name="story"):
    return reverse(f"harvest:{name}", args=[world.programme.slug, story.pk])


def _exchange_url(world, exchange):
    return reverse("mel:exchange", args=[world.programme.slug, exchange.pk])


def test_link_an_exchange_and_see_it_on_both_pages(world, login):
    story = make_story(world, "published")
    exchange = _exchange(world, learned="A quarterly reporting template", applied="yes")
    client = login(world.users["facilitator"])
    page = client.get(_story_url(world, story, "exchanges")).content.decode()
    assert f'name="link" value="{exchange.pk}"' in page  # offered: it involves a change agent
    saved = client.post(_story_url(world, story, "exchanges"), {"link": [exchange.pk]})
    assert saved.status_code == 302
    assert list(story.exchanges.all()) == [exchange]
    event = AuditEvent.objects.get(action="story.exchanges")
    assert event.detail == {"added": [exchange.pk], "removed": []}

    story_page = client.get(_story_url(world, story)).content.decode()
    assert _exchange_url(world, exchange) in story_page
    assert "Participant Person learned from Peer Person" in story_page
    exchange_page = client.get(_exchange_url(world, exchange)).content.decode()
    assert story.title in exchange_page and _story_url(world, story) in exchange_page

    # unlinking takes it off both pages
    client.post(_story_url(world, story, "exchanges"), {"unlink": [exchange.pk]})
    assert not story.exchanges.exists()
    assert story.title not in client.get(_exchange_url(world, exchange)).content.decode()


def test_story_page_lists_only_the_linked_exchanges_the_reader_may_read(world, login):
    story = make_story(world, "published")
    entry = _exchange(world, learned="Entry exchange")
    in_check_in = _exchange(
        world, "peer", "participant", kind="visit", source="checkin", group=world.group_a
    )
    story.exchanges.set([entry, in_check_in])
    seen = {}
    for persona in ("facilitator", "evaluator", "participant", "observer"):
        page = login(world.users[persona]).get(_story_url(world, story)).content.decode()
        seen[persona] = {e.pk for e in (entry, in_check_in) if _exchange_url(world, e) in page}
    assert seen == {
        "facilitator": {entry.pk, in_check_in.pk},
        "evaluator": {entry.pk},  # a check-in exchange is the group's private material
        "participant": {entry.pk, in_check_in.pk},  # their own exchanges
        "observer": set(),  # reads the published story, never someone's exchanges
    }


def test_exchange_page_lists_only_the_stories_the_reader_may_read(world, login):
    exchange = _exchange(world)
    private = make_story(world, "private", title="Private harvest")
    shared = make_story(world, "evaluators", title="For the evaluation")
    published = make_story(world, "published", title="Told to everyone")
    for story in (private, shared, published):
        story.exchanges.add(exchange)
    seen = {}
    for persona in ("facilitator", "evaluator", "participant", "peer"):
        page = login(world.users[persona]).get(_exchange_url(world, exchange)).content.decode()
        seen[persona] = {s.title for s in (private, shared, published) if s.title in page}
    assert seen == {
        "facilitator": {"Private harvest", "For the evaluation", "Told to everyone"},
        "evaluator": {"For the evaluation", "Told to everyone"},
        "participant": {"Told to everyone"},
        "peer": {"Told to everyone"},
    }
    # an observer may not open the exchange at all
    assert login(world.users["observer"]).get(_exchange_url(world, exchange)).status_code == 404


def _module_person(world):
    person = make_person("module_peer", world.people["participant"].organisation)
    Membership.objects.create(
        person=person, programme=world.programme, cohort=world.module, role="participant"
    )
    return person


def test_a_cohort_facilitator_links_only_exchanges_they_may_read(world, login):
    story = make_story(world, "published")
    module_peer = _module_person(world)
    theirs = _exchange(world, module_peer, "participant", learned="From the module")
    event_only = _exchange(world, "peer", "participant", learned="Inside the event")
    elsewhere_giver = make_person("elsewhere", world.people["participant"].organisation)
    for person in (elsewhere_giver, world.people["outsider"]):
        Membership.objects.get_or_create(
            person=person, programme=world.other_programme, defaults={"role": "participant"}
        )
    other = _exchange(
        world, elsewhere_giver, world.people["outsider"], programme=world.other_programme
    )
    client = login(world.users["module_facilitator"])
    url = _story_url(world, story, "exchanges")
    page = client.get(url).content.decode()
    assert f'value="{theirs.pk}"' in page and f'value="{event_only.pk}"' not in page
    for refused in (event_only, other):
        reply = client.post(url, {"link": [theirs.pk, refused.pk]})
        assert reply.status_code == 400
        assert "Choose among the exchanges listed" in reply.content.decode()
        assert not story.exchanges.exists()  # nothing half-written
    assert client.post(url, {"link": ["not-a-number"]}).status_code == 400
    assert client.post(url, {"link": [theirs.pk]}).status_code == 302
    assert list(story.exchanges.all()) == [theirs]


def test_links_the_editor_cannot_read_stay_linked(world, login):
    story = make_story(world, "published")
    event_only = _exchange(world, "peer", "participant")
    story.exchanges.add(event_only)  # linked by the programme's facilitator
    theirs = _exchange(world, _module_person(world), "participant")
    client = login(world.users["module_facilitator"])
    url = _story_url(world, story, "exchanges")
    page = client.get(url).content.decode()
    assert "1 linked exchange you cannot read stays linked." in page
    assert f'value="{event_only.pk}"' not in page
    assert client.post(url, {"unlink": [event_only.pk]}).status_code == 400
    assert client.post(url, {"link": [theirs.pk]}).status_code == 302
    assert set(story.exchanges.all()) == {event_only, theirs}


def test_search_finds_exchanges_by_name_or_words(world, login):
    story = make_story(world, "published")
    costing = _exchange(world, learned="Costing reforms")
    audit = _exchange(world, "facilitator", "peer", learned="Data audits")
    client = login(world.users["facilitator"])
    url = _story_url(world, story, "exchanges")
    found = client.get(url, {"q": "audit"}).content.decode()
    assert f'value="{audit.pk}"' in found and f'value="{costing.pk}"' not in found
    by_name = client.get(url, {"q": "facilitator pers"}).content.decode()
    assert f'value="{audit.pk}"' in by_name and f'value="{costing.pk}"' not in by_name


def test_package_lists_the_linked_exchanges_the_reader_may_read(world):
    story = make_story(world, "evaluators")
    entry = _exchange(world)
    in_check_in = _exchange(world, kind="visit", source="checkin", group=world.group_a)
    story.exchanges.set([entry, in_check_in])

    def exchange_ids(persona):
        (stories, _subs) = tables(world.programme, world.users[persona])
        index = [c.name for c in stories.columns].index("exchange_ids")
        return [row[index] for row in stories.rows]

    assert exchange_ids("facilitator") == [f"{entry.pk} {in_check_in.pk}"]
    assert exchange_ids("evaluator") == [str(entry.pk)]
