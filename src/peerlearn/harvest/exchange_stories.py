"""The outcome stories an exchange contributed to, as a section of the exchange's page.

Only the stories the reader may read (:func:`peerlearn.harvest.permissions.readable_stories`):
a private story never shows to the two people of the exchange.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from peerlearn.harvest.models import VERIFICATION_LABELS
from peerlearn.harvest.permissions import harvests, readable_stories
from peerlearn.mel.exchange_sections import Section

if TYPE_CHECKING:
    from peerlearn.mel.models import Exchange
    from peerlearn.programmes.permissions import Access


def stories_section(access: Access, exchange: Exchange) -> Section:
    stories = readable_stories(access, exchange.outcome_stories.all()).prefetch_related(
        "substantiations"
    )
    return Section(
        "harvest/exchange_stories.html",
        {
            "stories": [(s, VERIFICATION_LABELS[s.verification]) for s in stories],
            "harvests": harvests(access),
        },
    )
