"""The participants' way to the shared map: a panel on the programme page.

When a programme shares its approved theory of change with participants
(``TheoryOfChange.shared_with_participants``, off by default), its
participants find a read-only link to the map in force in the programme
page's "Today" section.  Facilitators and evaluators have the "Theory of
change" button instead; when nothing is shared, or nothing is approved yet,
there is no panel and the map's address answers 403 to members (404 to
outsiders), as the permission table says.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from peerlearn.programmes.models import Programme
from peerlearn.programmes.permissions import Access
from peerlearn.programmes.today import Panel
from peerlearn.theory.models import TheoryOfChange
from peerlearn.theory.permissions import reads_published_map, reads_theory
from peerlearn.theory.services import approved_revision


def shared_map_panel(request: HttpRequest, programme: Programme, access: Access) -> Panel | None:
    if reads_theory(access):
        return None  # facilitators and evaluators have the programme page's button
    theory = TheoryOfChange.objects.filter(
        programme=programme, shared_with_participants=True
    ).first()
    if theory is None or not reads_published_map(access, theory):
        return None
    revision = approved_revision(theory)
    if revision is None:
        return None
    return Panel(
        "theory_shared",
        _("Theory of change"),
        "theory/panels/shared.html",
        {"programme": programme, "revision": revision},
    )
