"""The one-way relationships panel of the programme page's "Today" section.

Facilitators see the people in their cohorts whose exchanges run one way
(only giving, or only receiving), with a nudge: ask a "resource" what they
took back, invite a "recipient" to share their own experience.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from peerlearn.engine import mutuality as mu
from peerlearn.mel import access as rules
from peerlearn.mel import services, snapshots
from peerlearn.people.models import Person, signed_in_person
from peerlearn.programmes.models import Programme
from peerlearn.programmes.permissions import Access
from peerlearn.programmes.today import Panel

SHOWN = 10


def _flags(request: HttpRequest, programme: Programme, access: Access) -> tuple[list[mu.Flag], int]:
    """The flags this viewer may see, busiest first, and how many there are.

    The programme's facilitators read them from the programme ledger's
    snapshot (``mel/snapshots.py``: at 500,000 exchanges computing them took
    seconds of every programme page); cohort facilitators over their cohorts.
    """
    if access.manages_programme:
        found = snapshots.read(programme, "programme").figures
        return ([], 0) if found is None else (found.flags, found.flags_total)
    visible = rules.visible_exchanges(access, programme, signed_in_person(request))
    flags = mu.one_way_flags(
        services.as_records(visible),
        min_exchanges=services.FLAG_MIN_EXCHANGES,
        max_other_share=services.FLAG_MAX_OTHER_SHARE,
    )
    mine = set(
        rules.people_of_cohorts(programme, rules.managed_cohort_ids(programme, access)).values_list(
            "pk", flat=True
        )
    )
    flags = [f for f in flags if f.node in mine]
    return flags, len(flags)


def one_way_panel(request: HttpRequest, programme: Programme, access: Access) -> Panel:
    flags, total = _flags(request, programme, access)
    people = Person.objects.in_bulk([f.node for f in flags[:SHOWN]])
    return Panel(
        "one_way",
        _("One-way relationships"),
        "mel/panels/one_way.html",
        {
            "rows": [(people[f.node], f) for f in flags[:SHOWN] if f.node in people],
            "more": max(0, total - SHOWN),
            "programme": programme,
        },
    )
