"""The sessions panel of the programme page's "Today" section (programmes.today).

Facilitators see the sessions of the next seven days in the cohorts they
manage, each with how many invited people have not answered the RSVP yet:
the first thing to chase in the morning.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerlearn.delivery.models import Session
from peerlearn.programmes.models import Programme
from peerlearn.programmes.permissions import Access
from peerlearn.programmes.today import Panel

HORIZON = timedelta(days=7)
SHOWN = 10


def sessions_panel(request: HttpRequest, programme: Programme, access: Access) -> Panel:
    now = timezone.now()
    sessions = Session.objects.filter(
        programme=programme, status="scheduled", ends_at__gte=now, starts_at__lt=now + HORIZON
    )
    if not access.manages_programme:
        managed = [c.pk for c in programme.cohorts.all() if access.manages_cohort(c.pk)]
        sessions = sessions.filter(cohort_id__in=managed)
    rows = [
        (session, max(0, session.n_invited - session.n_answered))
        for session in sessions.annotate(
            n_invited=Count("mails", distinct=True),
            n_answered=Count("rsvps", distinct=True),
        ).order_by("starts_at")[:SHOWN]
    ]
    return Panel(
        "sessions",
        _("Sessions in the next seven days"),
        "delivery/panels/sessions.html",
        {"rows": rows, "programme": programme},
    )
