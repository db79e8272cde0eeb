"""Facilitators' survey pages: schedule, progress, send now, control group, cancel.

Facilitators of the programme manage every survey; facilitators of a cohort
manage that cohort's surveys; evaluators read the list and progress (counts
only, no buttons).  Who has or has not answered is shown only for identified
instruments, and only to the survey's facilitators: for pseudonymous and
anonymous instruments the pages show counts, never names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django_tasks.base import TaskResultStatus

from peerlearn import audit
from peerlearn.people.models import Person, signed_in_person
from peerlearn.programmes.decorators import manages_any_cohort, programme_view
from peerlearn.programmes.models import Programme
from peerlearn.programmes.permissions import Access
from peerlearn.surveys import sending, tasks
from peerlearn.surveys.forms import ControlGroupForm, SurveyForm
from peerlearn.surveys.models import SURVEY_COUNTS as COUNTS
from peerlearn.surveys.models import Invitation, Survey
from peerlearn.surveys.permissions import manages_survey, reads_instruments, reads_survey

# ---------------------------------------------------------------- helpers


def _survey(programme: Programme, pk: int) -> Survey:
    """The survey ``pk`` of this programme (404 for another programme's)."""
    queryset = Survey.objects.select_related("instrument", "cohort", "programme")
    return get_object_or_404(queryset.annotate(**COUNTS), pk=pk, programme=programme)


def _read_survey(programme: Programme, access: Access, pk: int) -> Survey:
    survey = _survey(programme, pk)
    if not reads_survey(access, survey):
        raise PermissionDenied
    return survey


def _managed_survey(programme: Programme, access: Access, pk: int) -> Survey:
    survey = _survey(programme, pk)
    if not manages_survey(access, survey):
        raise PermissionDenied
    return survey


def _visible_surveys(programme: Programme, access: Access) -> QuerySet[Survey]:
    surveys = Survey.objects.filter(programme=programme)
    if not access.reads_everything:
        managed = [pk for pk in access.cohort_roles if access.manages_cohort(pk)]
        surveys = surveys.filter(cohort_id__in=managed)
    return surveys.select_related("instrument", "cohort").annotate(**COUNTS)


def _rate_of(survey: Survey) -> str:
    """The response rate of a survey annotated with :data:`COUNTS`."""
    return rate(getattr(survey, "n_answered", 0), getattr(survey, "n_invited", 0))


def rate(answered: int, invited: int) -> str:
    """``"8 of 11 (73%)"``; ``"0 of 0"`` without a percentage."""
    if not invited:
        return _("%(answered)d of %(invited)d") % {"answered": answered, "invited": invited}
    return _("%(answered)d of %(invited)d (%(percent)d%%)") % {
        "answered": answered,
        "invited": invited,
        "percent": round(100 * answered / invited),
    }


def status(survey: Survey, now: datetime) -> str:
    if survey.cancelled_at is not None:
        return _("Cancelled")
    if now < survey.opens_at:
        return _("Not open yet")
    if survey.closes_at is not None and now >= survey.closes_at:
        return _("Closed")
    return _("Open")


def anchor_text(survey: Survey) -> str:
    """What the opening follows, in words."""
    days = survey.offset_days
    if survey.anchor == "session":
        if days:
            return ngettext(
                "%(days)d day after the session “%(name)s”",
                "%(days)d days after the session “%(name)s”",
                days,
            ) % {"days": days, "name": survey.session_name}
        return _("At the session “%(name)s”") % {"name": survey.session_name}
    if survey.anchor in ("cohort_start", "cohort_end"):
        name = survey.cohort.name if survey.cohort else ""
        if survey.anchor == "cohort_start":
            text = ngettext(
                "%(days)d day after “%(name)s” starts",
                "%(days)d days after “%(name)s” starts",
                days,
            )
        else:
            text = ngettext(
                "%(days)d day after “%(name)s” ends", "%(days)d days after “%(name)s” ends", days
            )
        return text % {"days": days, "name": name}
    return _("On a date")


@dataclass(frozen=True)
class Reminder:
    number: int
    days: int
    when: datetime
    past: bool


def _reminders(survey: Survey, now: datetime) -> list[Reminder]:
    times = sending.reminder_times(survey)
    return [
        Reminder(n, int(days), when, when <= now)
        for n, (days, when) in enumerate(zip(survey.reminder_days, times, strict=True), start=1)
    ]


def _report(request: HttpRequest, result: Any) -> None:
    """Tell what the "send now" task did (or that it runs in the background)."""
    if result.status == TaskResultStatus.SUCCESSFUL:
        value = result.return_value or {}
        invitations, reminders = int(value.get("invitations", 0)), int(value.get("reminders", 0))
        text = ngettext("%(n)d invitation sent", "%(n)d invitations sent", invitations) % {
            "n": invitations
        }
        text += ", " + ngettext("%(n)d reminder sent.", "%(n)d reminders sent.", reminders) % {
            "n": reminders
        }
        messages.success(request, text)
        if value.get("error"):
            messages.error(
                request, _("Sending stopped by an error; what is left goes with the next run.")
            )
    elif result.is_finished:
        messages.error(request, _("Sending failed; please try again or check the mail settings."))
    else:
        messages.info(request, _("Sending in the background; refresh this page in a moment."))


# ---------------------------------------------------------------- pages


@programme_view(reads_instruments)
def surveys(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    """The programme's surveys (those the viewer reads) with invited / answered / rate."""
    now = timezone.now()
    rows = [
        {"survey": s, "status": status(s, now), "rate": _rate_of(s)}
        for s in _visible_surveys(programme, access).order_by("-opens_at", "pk")
    ]
    context = {
        "programme": programme,
        "access": access,
        "rows": rows,
        "can_schedule": access.manages_any_cohort,
    }
    return render(request, "surveys/survey/list.html", context)


@programme_view(manages_any_cohort)
@require_http_methods(["GET", "POST"])
def survey_new(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    initial: dict[str, Any] = {"anchor": "date", "invite_participants": True}
    chosen = request.GET.get("instrument", "")
    if chosen.isdigit():
        initial["instrument"] = int(chosen)
    form = SurveyForm(
        request.POST if request.method == "POST" else None,
        programme=programme,
        access=access,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        survey = form.save(commit=False)
        survey.created_by = signed_in_person(request)
        survey.save()
        messages.success(request, _("Survey scheduled."))
        return redirect("surveys:survey", slug=programme.slug, pk=survey.pk)
    context = {"programme": programme, "form": form, "survey": None}
    return render(request, "surveys/survey/form.html", context)


@programme_view(manages_any_cohort)
@require_http_methods(["GET", "POST"])
def survey_edit(
    request: HttpRequest, programme: Programme, access: Access, pk: int
) -> HttpResponse:
    survey = _managed_survey(programme, access, pk)
    form = SurveyForm(
        request.POST if request.method == "POST" else None,
        programme=programme,
        access=access,
        instance=survey,
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Survey saved."))
        return redirect("surveys:survey", slug=programme.slug, pk=survey.pk)
    context = {"programme": programme, "form": form, "survey": survey}
    return render(request, "surveys/survey/form.html", context)


@programme_view(reads_instruments)
def survey(request: HttpRequest, programme: Programme, access: Access, pk: int) -> HttpResponse:
    """Schedule and progress; who answered only for identified instruments, to managers."""
    found = _read_survey(programme, access, pk)
    now = timezone.now()
    manages = manages_survey(access, found)
    shows_people = manages and found.instrument.keeps_identity
    invitations = (
        found.invitations.select_related("person").order_by("person__name", "pk")
        if shows_people
        else Invitation.objects.none()
    )
    context = {
        "programme": programme,
        "survey": found,
        "manages": manages,
        "is_open": found.is_open(now),
        "status": status(found, now),
        "anchor_text": anchor_text(found),
        "reminders": _reminders(found, now),
        "audience": sending.audience_size(found),
        "rate": _rate_of(found),
        "questions": len(found.instrument.form.questions()),
        "shows_people": shows_people,
        "invitations": invitations,
    }
    return render(request, "surveys/survey/detail.html", context)


@programme_view(manages_any_cohort)
@require_POST
def survey_send(
    request: HttpRequest, programme: Programme, access: Access, pk: int
) -> HttpResponse:
    """Send what is due now (the same idempotent path as cron)."""
    found = _managed_survey(programme, access, pk)
    if not found.is_open():
        messages.error(request, _("The survey is not open: nothing sent."))
    else:
        _report(request, tasks.send_survey_mail.enqueue(found.pk))
    return redirect("surveys:survey", slug=programme.slug, pk=found.pk)


@programme_view(manages_any_cohort)
@require_http_methods(["GET", "POST"])
def survey_control(
    request: HttpRequest, programme: Programme, access: Access, pk: int
) -> HttpResponse:
    """Add control-group respondents by e-mail address (see :class:`ControlGroupForm`).

    What the page says is the same whether an address belongs to someone
    elsewhere in the network or to nobody yet (then a person with only that
    address is created), and the list shows addresses only, never the name
    another programme keeps for that person.
    """
    found = _managed_survey(programme, access, pk)
    form = ControlGroupForm(request.POST if request.method == "POST" else None, survey=found)
    if request.method == "POST" and form.is_valid():
        people = _people_for(form.cleaned_data["addresses"])
        already = set(
            Invitation.objects.filter(survey=found, person__in=people).values_list(
                "person_id", flat=True
            )
        )
        new = [p for p in people if p.pk not in already]
        Invitation.objects.bulk_create(
            [Invitation(survey=found, person=p, audience="control") for p in new],
            ignore_conflicts=True,
        )
        if new:
            audit.record(
                "survey.control_added",
                request=request,
                programme=programme,
                target=found,
                detail={"count": len(new), "people": [p.pk for p in new]},
            )
        messages.success(
            request,
            ngettext(
                "%(n)d person added to the control group.",
                "%(n)d people added to the control group.",
                len(new),
            )
            % {"n": len(new)},
        )
        if already:
            messages.info(
                request,
                ngettext(
                    "%(n)d person was already asked by this survey.",
                    "%(n)d people were already asked by this survey.",
                    len(already),
                )
                % {"n": len(already)},
            )
        return redirect("surveys:survey_control", slug=programme.slug, pk=found.pk)
    control = found.invitations.filter(audience="control").select_related("person")
    context = {
        "programme": programme,
        "survey": found,
        "form": form,
        "control": control.order_by("person__email", "pk"),
    }
    return render(request, "surveys/survey/control.html", context)


def _people_for(addresses: list[str]) -> list[Person]:
    """The person of each address, creating one (address only) where nobody has it."""
    people = []
    for address in addresses:
        person, _created = Person.objects.get_or_create(
            email=address, defaults={"name": address.split("@")[0]}
        )
        people.append(person)
    return people


@programme_view(manages_any_cohort)
@require_POST
def survey_cancel(
    request: HttpRequest, programme: Programme, access: Access, pk: int
) -> HttpResponse:
    """Stop the survey: no more e-mails, links stop accepting answers."""
    found = _managed_survey(programme, access, pk)
    cancelled = Survey.objects.filter(pk=found.pk, cancelled_at__isnull=True).update(
        cancelled_at=timezone.now()
    )
    if cancelled:
        messages.success(request, _("Survey cancelled: nothing more will be sent."))
    else:
        messages.info(request, _("The survey was already cancelled."))
    return redirect("surveys:survey", slug=programme.slug, pk=found.pk)
