"""A facilitator signs in, opens a programme, imports a roster and sees the people."""

from __future__ import annotations

import csv

import pytest

from peerlearn.people.models import Person
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def write_roster(path):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["email", "name", "organisation", "country", "cohort", "challenge_1"])
        writer.writerow(
            [
                "lucia@hacienda.example",
                "Lucía Fernández",
                "Ministerio de Hacienda",
                "Paraguay",
                "Ten-day event",
                "Building a reform team",
            ]
        )
        writer.writerow(
            [
                "kwame@finance.example",
                "Kwame Mensah",
                "Ministry of Finance",
                "GH",
                "",
                "Managing a difficult minister",
            ]
        )
        writer.writerow(
            [
                "olena@city.example",
                "Олена Коваленко",
                "Lviv City Council",
                "Ukraine",
                "",
                "Creating a new agency",
            ]
        )


def test_sign_in_open_programme_import_roster(world, live_server, page, tmp_path):
    roster = tmp_path / "roster.csv"
    write_roster(roster)
    page.goto(live_server.url + "/")
    page.fill("input[name=username]", "facilitator@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]:has-text('Sign in')")
    page.click("text=Reform leaders")
    assert page.locator("h1").inner_text() == "Reform leaders"
    page.click("text=Import a roster")
    page.set_input_files("input[type=file]", str(roster))
    page.click("text=Preview the import")
    assert "3 new people" in page.locator("#summary").inner_text()
    page.click("#confirm")
    page.wait_for_selector("#people")
    table = page.locator("#people").inner_text()
    for name in ("Lucía Fernández", "Kwame Mensah", "Олена Коваленко"):
        assert name in table
    assert Person.objects.filter(email="lucia@hacienda.example", country="PY").exists()
    # Nothing overflows sideways, on a phone too.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1


def test_preview_lists_problems_and_saves_nothing(world, live_server, page, tmp_path):
    roster = tmp_path / "bad.csv"
    roster.write_text("email,name,country\nnot-an-email,Ana,Atlantis\n", encoding="utf-8")
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", "facilitator@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]:has-text('Sign in')")
    page.goto(live_server.url + f"/programmes/{world.programme.slug}/people/import/")
    page.set_input_files("input[type=file]", str(roster))
    page.click("text=Preview the import")
    problems = page.locator("#problems").inner_text()
    assert "Atlantis" in problems and "not-an-email" in problems
    assert page.locator("#confirm").count() == 0
    assert not Person.objects.filter(name="Ana").exists()
