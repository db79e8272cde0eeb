"""At phone and desktop size: record an exchange and confirm it from the other side,
see a one-way flag on the programme page, view the learning network."""

from __future__ import annotations

from datetime import date

import pytest

from peerlearn.mel.models import Exchange
from tests.mel.conftest import learned
from tests.progress.test_browser import fits, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_record_confirm_flag_and_network(world, live_server, page):
    slug = world.programme.slug
    # 1. a participant records what they learned from a peer
    sign_in(page, live_server, "participant@example.org")
    page.click("text=Reform leaders")
    page.click("text=Learning exchanges")
    page.click("text=I learned something from someone")
    page.select_option("#id_giver", str(world.people["peer"].pk))
    page.fill("#id_when", "2026-03-02")
    page.select_option("#id_kind", "tool")
    page.fill("#id_learned", "A template for costing a reform")
    fits(page)
    page.click("button:has-text('Record')")
    page.wait_for_selector("#recorded")
    assert "A template for costing a reform" in page.locator("#recorded").inner_text()
    exchange = Exchange.objects.get()
    assert exchange.giver == world.people["peer"] and exchange.confirmed_at is None

    # 2. the peer confirms it and adds their side
    sign_in(page, live_server, "peer@example.org")
    page.goto(f"{live_server.url}/programmes/{slug}/mel/mine/")
    page.wait_for_selector("#pending")
    page.fill(f"#note-{exchange.pk}", "They showed me their survey in return")
    fits(page)
    page.click("#pending button:has-text('Confirm')")
    page.wait_for_selector("#recorded .tag.ok")
    exchange.refresh_from_db()
    assert exchange.confirmed_at is not None
    assert exchange.other_note == "They showed me their survey in return"

    # 3. the peer only gives: the facilitator sees the flag and the nudge
    for key in ("observer", "module_facilitator"):
        learned(world, key, "peer", when=date(2026, 3, 3))
    sign_in(page, live_server, "facilitator@example.org")
    page.click("text=Reform leaders")
    page.wait_for_selector(".one-way-flags")
    flags = page.locator(".one-way-flags").inner_text()
    assert "Peer Person" in flags and "gives, receives nothing" in flags
    fits(page)

    # 4. the learning network
    page.click("text=Learning exchanges")
    page.click("text=Learning network")
    page.wait_for_selector("svg circle")
    assert page.locator("svg line").count() == 3
    assert "Peer Person" in page.locator("svg").text_content()
    fits(page)


def test_a_large_network_is_drawn_on_a_desktop_and_listed_on_a_phone(
    world, live_server, page, monkeypatch
):
    from peerlearn.mel import network as drawing

    monkeypatch.setattr(drawing, "MAX_LABELLED", 2)  # decided when the snapshot is computed
    learned(world, "participant", "peer")
    learned(world, "observer", "peer", when=date(2026, 3, 3))
    sign_in(page, live_server, "facilitator@example.org")
    page.goto(f"{live_server.url}/programmes/{world.programme.slug}/mel/network/")
    page.wait_for_selector("#network-metrics")
    phone = page.viewport_size["width"] < 600
    assert page.locator("figure.network").is_visible() is not phone
    assert page.locator("#phone-lists").is_visible() is phone
    people = set(world.programme.memberships.values_list("person", flat=True))
    assert page.locator("svg circle").count() == len(people)
    assert page.locator("#network-metrics tbody tr").first.is_visible()
    if not phone:
        title = page.locator("svg circle title", has_text="Peer Person")
        assert title.count() == 1
    fits(page)
