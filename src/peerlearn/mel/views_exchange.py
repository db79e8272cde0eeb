"""One exchange on its own page, with the outcome stories it contributed to.

Who may open it is the ledger's rule (:func:`peerlearn.mel.access.visible_exchanges`);
the stories listed are those the reader may read
(:func:`peerlearn.harvest.permissions.readable_stories`): a private story never
shows to the two people of the exchange.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from peerlearn.harvest.models import VERIFICATION_LABELS
from peerlearn.harvest.permissions import harvests, readable_stories
from peerlearn.mel import access as rules
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
    stories = readable_stories(access, found.outcome_stories.all()).prefetch_related(
        "substantiations"
    )
    return render(
        request,
        "mel/exchange.html",
        {
            "programme": programme,
            "e": found,
            "stories": [(s, VERIFICATION_LABELS[s.verification]) for s in stories],
            "can_confirm": me is not None
            and found.confirmed_at is None
            and me.pk in found.other_side_ids(),
            "confirm_form": ConfirmForm(),
            "harvests": harvests(access),
        },
    )
