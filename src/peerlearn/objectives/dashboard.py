"""The objectives app's panels of the programme page's "Today" section.

The section itself (``Panel``, ``register``, ``today_panels``) is the
programme page's (``programmes/today.py``); these builders join it when the
app is ready, as sessions, check-ins and products do from their apps.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerlearn.objectives import rules, services
from peerlearn.objectives.models import (
    AUTHORISATION_STATUS_CHOICES,
    Authorisation,
    LearningObjective,
)
from peerlearn.people.models import Person, signed_in_person
from peerlearn.programmes.models import Group, Membership, Programme
from peerlearn.programmes.permissions import Access
from peerlearn.programmes.today import Panel, register


def _managed_cohort_ids(programme: Programme, access: Access) -> list[int]:
    return [c.pk for c in programme.cohorts.all() if access.manages_cohort(c.pk)]


# ---------------------------------------------------------------- facilitators' panels


def move_requests_panel(request: HttpRequest, programme: Programme, access: Access) -> Panel:
    from peerlearn.matching.models import MoveRequest

    pending = (
        MoveRequest.objects.filter(
            status="pending", run__cohort_id__in=_managed_cohort_ids(programme, access)
        )
        .select_related("person", "run__cohort")
        .order_by("created_at")
    )
    return Panel(
        "move_requests",
        _("Open move requests"),
        "objectives/panels/move_requests.html",
        {"requests": list(pending[:20]), "count": pending.count()},
    )


def surveys_panel(request: HttpRequest, programme: Programme, access: Access) -> Panel:
    from peerlearn.surveys.models import SURVEY_COUNTS, Survey

    now = timezone.now()
    surveys = Survey.objects.filter(
        programme=programme, cancelled_at__isnull=True, opens_at__lte=now
    )
    surveys = surveys.filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now))
    if not access.manages_programme:
        surveys = surveys.filter(cohort_id__in=_managed_cohort_ids(programme, access))
    rows = [
        (s, rules.of(s.n_answered, s.n_invited))  # type: ignore[attr-defined]
        for s in surveys.annotate(**SURVEY_COUNTS).order_by("closes_at")[:10]
    ]
    return Panel(
        "surveys", _("Open surveys: who answered"), "objectives/panels/surveys.html", {"rows": rows}
    )


def objectives_panel(request: HttpRequest, programme: Programme, access: Access) -> Panel:
    participants = Membership.objects.filter(programme=programme, role="participant")
    if not access.manages_programme:
        participants = participants.filter(cohort_id__in=_managed_cohort_ids(programme, access))
    people = Person.objects.filter(pk__in=participants.values("person_id"))
    with_objectives = LearningObjective.objects.filter(programme=programme, person__in=people)
    total = people.count()
    missing = people.exclude(pk__in=with_objectives.values("person_id")).order_by("name")
    settings = services.settings_for(programme)
    return Panel(
        "objectives",
        _("Learning objectives"),
        "objectives/panels/objectives.html",
        {
            "missing_of": rules.of(missing.count(), total),
            "missing": list(missing[:10]),
            "more": max(0, missing.count() - 10),
            "settings": settings,
        },
    )


def authorisations_panel(request: HttpRequest, programme: Programme, access: Access) -> Panel:
    groups = Group.objects.filter(
        cohort_id__in=_managed_cohort_ids(programme, access), archived_at__isnull=True
    )
    counts = dict(
        Authorisation.objects.filter(programme=programme, group__in=groups)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    recorded = sum(counts.values())
    total = groups.count()
    statuses = [
        (
            label,
            rules.of(counts.get(code, 0) + (total - recorded if code == "not_asked" else 0), total),
        )
        for code, label in AUTHORISATION_STATUS_CHOICES
    ]
    authorised = groups.filter(authorisations__status="granted").order_by("name")
    return Panel(
        "authorisations",
        _("Authorisations"),
        "objectives/panels/authorisations.html",
        {"statuses": statuses, "authorised": list(authorised[:20]), "total": total},
    )


# ---------------------------------------------------------------- participants' panel


def my_objectives_panel(request: HttpRequest, programme: Programme, access: Access) -> Panel | None:
    me = signed_in_person(request)
    if me is None:
        return None
    settings = services.settings_for(programme)
    today = timezone.localdate()
    mine = list(LearningObjective.objects.filter(programme=programme, person=me))
    return Panel(
        "my_objectives",
        _("Your learning objectives"),
        "objectives/panels/my_objectives.html",
        {
            "count": len(mine),
            "unrated": sum(1 for o in mine if o.achievement is None),
            "lock_on": settings.lock_on,
            "locked": rules.is_locked(None, settings.lock_on, today),
            "rating_open": services.rating_open(programme, settings, today),
        },
    )


def board_panel(request: HttpRequest, programme: Programme, access: Access) -> Panel | None:
    """Links to the progress board of each cohort the viewer manages or takes part in."""
    from peerlearn.objectives.views_board import board_settings_for

    settings = board_settings_for(programme)
    manages = access.manages_any_cohort
    if not settings.enabled and not manages:
        return None
    cohorts = [
        c
        for c in programme.cohorts.all()
        if access.manages_cohort(c.pk) or "participant" in access.cohort_roles.get(c.pk, ())
    ]
    if not cohorts:
        return None
    return Panel(
        "board",
        _("Progress board"),
        "objectives/panels/board.html",
        {"cohorts": cohorts, "enabled": settings.enabled},
    )


register(move_requests_panel)
register(surveys_panel)
register(objectives_panel)
register(authorisations_panel)
register(board_panel)
register(my_objectives_panel, for_participants=True)
register(board_panel, for_participants=True)
