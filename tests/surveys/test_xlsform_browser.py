"""Cascading selects and answers quoted in labels, live in a real browser (issue 10)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from peerlearn.surveys.library import import_xlsform
from peerlearn.surveys.models import Invitation, Response, Survey
from tests.surveys import write_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ministries_follow_the_country_and_the_note_quotes_it(world, live_server, page, tmp_path):
    path = write_form(
        tmp_path / "cascade.xlsx",
        [
            ["type", "name", "label", "choice_filter"],
            ["select_one country", "country", "Country", None],
            ["select_one ministry", "ministry", "Ministry", "country = ${country}"],
            ["note", "echo", "Ministries of ${country}", None],
        ],
        [
            ["list_name", "name", "label", "country"],
            ["country", "ke", "Kenya", None],
            ["country", "pe", "Peru", None],
            ["ministry", "health_ke", "Health (Kenya)", "ke"],
            ["ministry", "health_pe", "Salud (Perú)", "pe"],
        ],
        [["form_title", "form_id"], ["Cascade", "cascade"]],
    )
    instrument = import_xlsform(world.programme, path.read_bytes())
    survey = Survey.objects.create(
        instrument=instrument,
        programme=world.programme,
        cohort=world.event,
        title="Cascade",
        opens_at=timezone.now() - timedelta(hours=1),
    )
    invitation = Invitation.objects.create(survey=survey, person=world.people["participant"])
    page.goto(
        live_server.url + reverse("surveys:answer", args=[survey.pk, invitation.issue_link()])
    )
    kenya = page.locator("label[for=in-ministry-1]")
    peru = page.locator("label[for=in-ministry-2]")

    assert kenya.is_hidden() and peru.is_hidden()  # no country yet: no ministry, as in ODK
    page.click("label[for=in-country-2]")  # Peru
    peru.wait_for(state="visible")
    assert kenya.is_hidden()
    page.locator("[data-text=label-echo]", has_text="Ministries of Peru").wait_for()

    page.click("label[for=in-ministry-2]")
    page.click("label[for=in-country-1]")  # Kenya: the Peruvian ministry goes, unticked
    peru.wait_for(state="hidden")
    assert kenya.is_visible() and not page.is_checked("#in-ministry-2")
    page.click("label[for=in-ministry-1]")
    page.click("#submit-answers")
    page.wait_for_selector("[data-submitted=yes]")
    assert Response.objects.get().answers == {"country": "ke", "ministry": "health_ke"}
