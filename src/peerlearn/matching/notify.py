"""E-mail the facilitators when a participant asks to move group.

Until this existed a move request waited unseen until a facilitator happened
to open the run. The facilitators of the programme and of the request's cohort
each get one e-mail in their own language. The e-mail names the person and the
cohort, never the reason (which stays on the site, behind sign-in). A failing
mail server does not undo the request: it is already saved and on the
programme page's "Today" panel.
"""

from __future__ import annotations

import logging

from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from peerlearn.matching.models import MoveRequest
from peerlearn.people.models import Person
from peerlearn.programmes.models import Membership
from peerlearn.site.urls_abs import absolute_url

log = logging.getLogger(__name__)


def facilitators_of(request_row: MoveRequest) -> list[Person]:
    """Facilitators of the programme and of the request's cohort (one role row each)."""
    cohort = request_row.run.cohort
    roles = Membership.objects.filter(
        Q(cohort__isnull=True) | Q(cohort=cohort),
        programme_id=cohort.programme_id,
        role="facilitator",
    )
    return list(
        Person.objects.filter(pk__in=roles.values("person_id")).exclude(email="").order_by("pk")
    )


def notify_move_request(request_row: MoveRequest) -> int:
    """Send the e-mails; returns how many were sent."""
    cohort = request_row.run.cohort
    programme = cohort.programme
    url = absolute_url(reverse("matching:run", args=[programme.slug, request_row.run_id]))
    sent = 0
    for facilitator in facilitators_of(request_row):
        context = {
            "person_name": request_row.person.name,
            "cohort": cohort.name,
            "programme": programme.name,
            "group": request_row.from_group,
            "url": url,
        }
        try:
            with translation.override(facilitator.site_language()):
                subject = " ".join(
                    render_to_string("matching/email/move_request_subject.txt", context).split()
                )
                body = render_to_string("matching/email/move_request_body.txt", context)
            send_mail(subject, body, None, [facilitator.email])
            sent += 1
        except Exception:  # the request is saved; the dashboard still shows it
            log.exception(
                "move request %s: e-mail to person %s failed", request_row.pk, facilitator.pk
            )
    return sent
