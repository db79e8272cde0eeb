"""Intake pages: the personal-link form, the facilitator's status page, entry on behalf.

The personal link does not sign anyone in: it only opens the form of one
person in one programme, until the programme's intake deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_tasks.base import TaskResult, TaskResultStatus

from peerlearn.intake import services, tasks
from peerlearn.intake.forms import IntakeForm, IntakeSettingsForm
from peerlearn.intake.models import IntakeInvitation
from peerlearn.intake.permissions import lists_intake_names, reads_intake_answers
from peerlearn.people.models import Person, signed_in_person
from peerlearn.programmes.decorators import manages_programme, programme_view
from peerlearn.programmes.models import Cohort, Programme
from peerlearn.programmes.permissions import Access


@dataclass(frozen=True)
class StatusRow:
    person: Person
    invitation: IntakeInvitation | None
    on_behalf: bool

    @property
    def answered(self) -> bool:
        return self.invitation is not None and self.invitation.submitted_at is not None

    @property
    def invited(self) -> bool:
        return self.invitation is not None and self.invitation.sent_at is not None


def _reads_status(access: Access) -> bool:
    return access.reads_everything


def _no_referrer(response: HttpResponse) -> HttpResponse:
    """Never leak the token to another site (``no-referrer`` would make browsers
    send ``Origin: null`` with the form, which CSRF checking rightly refuses)."""
    response["Referrer-Policy"] = "same-origin"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """The personal link: GET shows the form (pre-filled), POST saves a new version."""
    invitation = IntakeInvitation.for_token(token)
    if invitation is None:
        return _no_referrer(render(request, "intake/link_invalid.html", status=404))
    person, programme = invitation.person, invitation.programme
    intake = services.settings_for(programme)
    if not intake.is_open():
        response = render(
            request,
            "intake/link_closed.html",
            {"programme": programme, "intake": intake, "invitation": invitation},
            status=410,
        )
        return _no_referrer(response)
    challenges, expectations = services.current_answers(person, programme)
    form = IntakeForm(
        request.POST if request.method == "POST" else None,
        asked=programme.min_challenges,
        challenges=challenges,
        expectations=expectations,
    )
    if request.method == "POST" and form.is_valid():
        new_challenges, new_expectations = form.answers()
        version = services.save_answers(
            invitation, new_challenges, new_expectations, entered_by=person
        )
        response = render(
            request,
            "intake/link_thanks.html",
            {"programme": programme, "intake": intake, "person": person, "version": version},
        )
        return _no_referrer(response)
    context = {
        "programme": programme,
        "intake": intake,
        "person": person,
        "form": form,
        "asked": programme.min_challenges,
        "answered": invitation.submitted_at is not None,
    }
    return _no_referrer(render(request, "intake/answer_form.html", context))


@programme_view(_reads_status)
def status(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    """Who has answered and who has not; invitations, reminders, settings."""
    intake = services.settings_for(programme)
    people = list(services.intake_people(programme))
    invitations = {
        inv.person_id: inv
        for inv in IntakeInvitation.objects.filter(programme=programme)
        .annotate(version_count=Count("versions"), last_version=Max("versions__number"))
        .order_by()
    }
    on_behalf = set(
        IntakeInvitation.objects.filter(programme=programme, versions__on_behalf=True).values_list(
            "person_id", flat=True
        )
    )
    rows = [
        StatusRow(person, invitations.get(person.pk), person.pk in on_behalf) for person in people
    ]
    answered = sum(1 for row in rows if row.answered)
    names = lists_intake_names(access, programme)
    context = {
        "programme": programme,
        "access": access,
        "intake": intake,
        "is_open": intake.is_open(),
        "rows": rows if names else [],
        "lists_names": names,
        "cohort_counts": services.cohort_counts(programme),
        "asked": len(rows),
        "answered": answered,
        "waiting": len(rows) - answered,
        "not_invited": sum(1 for row in rows if not row.invited and not row.answered),
        "to_remind": sum(1 for row in rows if row.invited and not row.answered),
        "sending": _sending(request, programme) if access.manages_programme else None,
        "settings_form": IntakeSettingsForm(instance=intake) if access.manages_programme else None,
        "reads_answers": names,
    }
    return render(request, "intake/status.html", context)


@programme_view(manages_programme)
@require_POST
def settings_update(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    intake = services.settings_for(programme)
    form = IntakeSettingsForm(request.POST, instance=intake)
    if form.is_valid():
        form.save()
        messages.success(request, _("Intake settings saved."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("intake:status", slug=programme.slug)


def _posted_cohort(request: HttpRequest, programme: Programme) -> Cohort | None:
    """The cohort a button is limited to (none: the whole programme); 404 for another's."""
    raw = request.POST.get("cohort") or ""
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404
    cohort = programme.cohorts.filter(pk=int(raw)).first()
    if cohort is None:
        raise Http404
    return cohort


@programme_view(manages_programme)
@require_POST
def invite(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    if not services.settings_for(programme).is_open():
        messages.error(request, _("The intake deadline has passed: no invitations sent."))
        return redirect("intake:status", slug=programme.slug)
    cohort = _posted_cohort(request, programme)
    since = timezone.now()
    result = tasks.send_intake_invitations.enqueue(programme.pk, cohort.pk if cohort else None)
    _report(request, result, "invitation", programme, cohort, since)
    return redirect("intake:status", slug=programme.slug)


@programme_view(manages_programme)
@require_POST
def remind(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    if not services.settings_for(programme).is_open():
        messages.error(request, _("The intake deadline has passed: no reminders sent."))
        return redirect("intake:status", slug=programme.slug)
    cohort = _posted_cohort(request, programme)
    since = timezone.now()
    result = tasks.send_intake_reminders.enqueue(
        programme.pk, cohort_id=cohort.pk if cohort else None
    )
    _report(request, result, "reminder", programme, cohort, since)
    return redirect("intake:status", slug=programme.slug)


def _sending_key(programme: Programme) -> str:
    return f"intake-sending-{programme.pk}"


def _report(
    request: HttpRequest,
    result: TaskResult[int],
    kind: str,
    programme: Programme,
    cohort: Cohort | None,
    since: datetime,
) -> None:
    if result.status == TaskResultStatus.SUCCESSFUL:
        count = int(result.return_value or 0)
        if kind == "invitation":
            text = ngettext("%(n)d invitation sent.", "%(n)d invitations sent.", count)
        else:
            text = ngettext("%(n)d reminder sent.", "%(n)d reminders sent.", count)
        messages.success(request, text % {"n": count})
    elif result.is_finished:
        messages.error(request, _("Sending failed; please try again or check the mail settings."))
    else:
        messages.info(request, _("Sending in the background; refresh this page in a moment."))
        total = services.pending(programme, kind, cohort)
        request.session[_sending_key(programme)] = {
            "id": str(result.id),
            "kind": kind,
            "since": since.isoformat(),
            "cohort": cohort.pk if cohort else None,
            "total": total,
        }


@dataclass(frozen=True)
class Sending:
    """A sending in the background, as the status page shows it."""

    kind: str
    done: int
    total: int
    finished: bool
    failed: bool


def _sending(request: HttpRequest, programme: Programme) -> Sending | None:
    """The progress of the last sending queued from this browser (counted in the database)."""
    state = request.session.get(_sending_key(programme))
    if not state:
        return None
    task = (
        tasks.send_intake_invitations
        if state["kind"] == "invitation"
        else tasks.send_intake_reminders
    )
    try:
        result = task.get_result(state["id"])
    except Exception:  # unknown id, or a backend that keeps no results
        request.session.pop(_sending_key(programme), None)
        return None
    cohort = programme.cohorts.filter(pk=state["cohort"]).first() if state["cohort"] else None
    done = services.sent_since(
        programme, state["kind"], datetime.fromisoformat(state["since"]), cohort
    )
    if result.is_finished:
        request.session.pop(_sending_key(programme), None)
    return Sending(
        kind=state["kind"],
        done=done,
        total=max(int(state["total"]), done),
        finished=result.is_finished,
        failed=result.status == TaskResultStatus.FAILED,
    )


def _asked_person(programme: Programme, person_id: int) -> Person:
    person = services.intake_people(programme).filter(pk=person_id).first()
    if person is None:
        raise Http404
    return person


@programme_view()
def person_answers(
    request: HttpRequest, programme: Programme, access: Access, person_id: int
) -> HttpResponse:
    """One person's current answers and every earlier version (the same rule as their profile)."""
    person = _asked_person(programme, person_id)
    if not reads_intake_answers(request.user, access, programme, person):
        raise PermissionDenied
    challenges, expectations = services.current_answers(person, programme)
    invitation = IntakeInvitation.objects.filter(person=person, programme=programme).first()
    versions = invitation.versions.select_related("entered_by") if invitation else []
    context = {
        "programme": programme,
        "access": access,
        "person": person,
        "invitation": invitation,
        "challenges": challenges,
        "expectations": expectations,
        "versions": versions,
    }
    return render(request, "intake/person_answers.html", context)


@programme_view(manages_programme)
@require_http_methods(["GET", "POST"])
def enter_on_behalf(
    request: HttpRequest, programme: Programme, access: Access, person_id: int
) -> HttpResponse:
    """A facilitator types in someone's answers (e.g. from a calibration call)."""
    person = _asked_person(programme, person_id)
    challenges, expectations = services.current_answers(person, programme)
    form = IntakeForm(
        request.POST if request.method == "POST" else None,
        asked=programme.min_challenges,
        challenges=challenges,
        expectations=expectations,
    )
    if request.method == "POST" and form.is_valid():
        facilitator = signed_in_person(request)
        new_challenges, new_expectations = form.answers()
        services.save_answers(
            services.invitation_for(person, programme),
            new_challenges,
            new_expectations,
            entered_by=facilitator,
            on_behalf=True,
        )
        messages.success(request, _("Answers saved on behalf of %(name)s.") % {"name": person.name})
        return redirect("intake:person", slug=programme.slug, person_id=person.pk)
    context = {
        "programme": programme,
        "person": person,
        "form": form,
        "asked": programme.min_challenges,
        "intake": services.settings_for(programme),
    }
    return render(request, "intake/on_behalf.html", context)
