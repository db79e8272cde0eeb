"""Dates show unambiguously in every language: month names, never 12/01/2026.

Django's short formats are numeric and read differently in English and in
Spanish or French; ``peerlearn.site.formats`` names the month instead. Key
pages that show dates are rendered in en, es and fr and searched for a
numeric-only date in their visible text (form values and attributes, which
must stay machine-readable, are left out).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation

from peerlearn.intake import curation, services
from peerlearn.intake.models import Challenge, IntakeSettings

#: 12/01/2026, 1.12.2026, 2026-12-01, 12-01-26...
NUMERIC_DATE = re.compile(r"\b\d{1,4}[/.\-]\d{1,2}[/.\-]\d{2,4}\b")
LANGUAGES = ["en", "es", "fr"]


def visible_text(html: str) -> str:
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.parametrize("language", LANGUAGES)
def test_short_formats_name_the_month(language):
    moment = timezone.now().replace(month=12, day=1)
    with translation.override(language):
        for name in ("SHORT_DATE_FORMAT", "SHORT_DATETIME_FORMAT", "DATE_FORMAT"):
            shown = formats.date_format(moment, name)
            assert not NUMERIC_DATE.search(shown), (language, name, shown)
            assert re.search(r"[^\W\d_]{3}", shown), (language, name, shown)


@pytest.fixture
def dated(world):
    """A programme with invitations, reminders, answers, a deadline and a saved baseline."""
    IntakeSettings.objects.update_or_create(
        programme=world.programme, defaults={"deadline": timezone.now() + timedelta(days=30)}
    )
    services.invite_all(world.programme.pk)
    services.remind_all(world.programme.pk, min_interval=timedelta(0))
    for i, text in enumerate(["Land registry gaps", "Land registry titles", "Budget cuts"]):
        Challenge.objects.get_or_create(
            person=world.people["peer"], programme=world.programme, position=i + 2, text=text
        )
    draft = curation.propose_draft(world.programme, world.people["facilitator"], n_topics=2)
    curation.save_baseline(draft, world.people["facilitator"])
    return world


@pytest.mark.parametrize("language", LANGUAGES)
def test_key_pages_show_no_numeric_date(dated, login, language):
    client = login(dated.users["facilitator"])
    slug = dated.programme.slug
    pages = [
        reverse("intake:status", args=[slug]),
        reverse("intake:topics", args=[slug]),
        reverse("intake:topics_curate", args=[slug]),
        reverse("intake:topics_print", args=[slug]),
        reverse("intake:person", args=[slug, dated.people["peer"].pk]),
        reverse("api:tokens"),
    ]
    dates_seen = 0
    for url in pages:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
        text = visible_text(response.content.decode())
        assert not NUMERIC_DATE.search(text), (url, language, NUMERIC_DATE.findall(text))
        dates_seen += len(re.findall(r"\b20\d\d\b", text))
    assert dates_seen >= 5, "the pages really show dates"
