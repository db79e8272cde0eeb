"""The programme page's "Today" section: small panels, one function and one template each.

:func:`today_panels` is the one call the programme page makes. Each builder
takes ``(request, programme, access)`` and returns a :class:`Panel` or
``None`` (nothing to show this viewer). The apps above add their panels with
:func:`register` (from their ``AppConfig.ready``), so objectives, sessions,
check-ins and products join the same section without the programme page
importing them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.utils.functional import Promise

from peerlearn.programmes.models import Programme
from peerlearn.programmes.permissions import Access


@dataclass
class Panel:
    key: str
    title: str | Promise
    template: str
    context: dict[str, Any] = field(default_factory=dict)


Builder = Callable[[HttpRequest, Programme, Access], "Panel | None"]

FACILITATOR_PANELS: list[Builder] = []
PARTICIPANT_PANELS: list[Builder] = []


def register(builder: Builder, *, for_participants: bool = False) -> Builder:
    """Add a panel builder (idempotent: registering twice keeps one)."""
    panels = PARTICIPANT_PANELS if for_participants else FACILITATOR_PANELS
    if builder not in panels:
        panels.append(builder)
    return builder


def today_panels(request: HttpRequest, programme: Programme, access: Access) -> dict[str, Any]:
    """Context for ``programmes/today.html``: the viewer's panels, facilitators' first."""
    panels: list[Panel] = []
    if access.manages_any_cohort:
        panels += [p for b in FACILITATOR_PANELS if (p := b(request, programme, access))]
    if access.holds("participant"):
        panels += [p for b in PARTICIPANT_PANELS if (p := b(request, programme, access))]
    # A facilitator who also takes part gets a panel both lists share only once.
    unique = {p.key: p for p in reversed(panels)}
    return {"today_panels": [p for p in panels if unique[p.key] is p]}
