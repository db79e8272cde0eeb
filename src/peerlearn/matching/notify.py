"""E-mail the facilitators when a participant asks to move, and members when groups are published.

Until this existed a move request waited unseen until a facilitator happened
to open the run. The facilitators of the programme and of the request's cohort
each get one e-mail in their own language. The e-mail names the person and the
cohort, never the reason (which stays on the site, behind sign-in). A failing
mail server does not undo the request: it is already saved and on the
programme page's "Today" panel.

When a grouping is published each member gets one e-mail, in their own
language, naming their group and its other members (the names they will see
on the page anyway) and linking to "My group"; challenges are never in it.
Both are sent from tasks (:mod:`peerlearn.matching.tasks`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from peerlearn.core.urls_abs import absolute_url
from peerlearn.matching.models import MatchingRun, MoveRequest
from peerlearn.people.models import Person
from peerlearn.programmes.models import Membership

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


def _send(person: Person, template: str, context: Mapping[str, object]) -> bool:
    """One e-mail in ``person``'s language; ``False`` (logged) when the server fails."""
    try:
        with translation.override(person.site_language()):
            subject = " ".join(
                render_to_string(f"matching/email/{template}_subject.txt", context).split()
            )
            body = render_to_string(f"matching/email/{template}_body.txt", context)
        send_mail(subject, body, None, [person.email])
    except Exception:  # the groups are published; the page shows them
        log.exception("%s: e-mail to person %s failed", template, person.pk)
        return False
    return True


def notify_group_published(run_id: int) -> int:
    """E-mail every member of a published grouping their group; returns how many were sent."""
    run = MatchingRun.objects.select_related("cohort__programme").get(pk=run_id)
    if run.kind != "groups" or not run.published_at:
        return 0
    cohort = run.cohort
    programme = cohort.programme
    stored = run.run_result
    members: dict[str, list[str]] = {}
    for pid, label in stored.assignment.items():
        members.setdefault(label, []).append(pid)
    ids = [int(pid) for pid in stored.assignment if pid.isdigit()]
    people = Person.objects.filter(pk__in=ids).in_bulk()
    url = absolute_url(reverse("matching:my_group", args=[programme.slug, cohort.pk]))
    sent = 0
    for label, pids in members.items():
        group = [people[int(pid)] for pid in pids if int(pid) in people]
        name = str((stored.groups.get(label) or {}).get("name") or "")
        for person in group:
            if not person.email:
                continue
            context = {
                "cohort": cohort.name,
                "programme": programme.name,
                "label": label,
                "name": name,
                "mates": sorted(p.name for p in group if p.pk != person.pk),
                "url": url,
            }
            sent += _send(person, "group_published", context)
    return sent
