"""One exchange on its own page, with what other apps add below it.

Who may open it is the ledger's rule (:func:`peerlearn.mel.access.visible_exchanges`).
The outcome stories it contributed to are a section the harvest app adds
(``mel/exchange_sections.py``; ``harvest/exchange_stories.py`` lists only the
stories the reader may read: a private story never shows to the two people
of the exchange).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from peerlearn.mel import access as rules
from peerlearn.mel.exchange_sections import sections_for
from peerlearn.mel.forms import ConfirmForm
from peerlearn.people.models import signed_in_person
from peerlearn.programmes.decorators import programme_view
from peerlearn.programmes.models import Programme
from peerlearn.programmes.permissions import Access


@programme_view()
def exchange(request: HttpRequest, programme: Programme, access: Access, pk: int) -> HttpResponse:
    me = signed_in_person(request)
    found = get_object_or_404(
        rules.visible_exchanges(access, programme, me).select_related(
            "giver", "receiver", "session", "group", "recorded_by"
        ),
        pk=pk,
    )
    return render(
        request,
        "mel/exchange.html",
        {
            "programme": programme,
            "e": found,
            "sections": sections_for(access, found),
            "can_confirm": me is not None
            and found.confirmed_at is None
            and me.pk in found.other_side_ids(),
            "confirm_form": ConfirmForm(),
        },
    )
