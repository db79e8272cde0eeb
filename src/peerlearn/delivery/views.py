"""Session pages: thin views over :mod:`peerlearn.delivery.services`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peerlearn import audit
from peerlearn.delivery import formats, services
from peerlearn.delivery.forms import FormatForm, MoveForm, PlanForm, RsvpForm, StepFormSet
from peerlearn.delivery.models import Attendance, CalendarFeed, MeetingFormat, Rsvp, Session
from peerlearn.engine import rhythm
from peerlearn.people.models import Person, signed_in_person
from peerlearn.programmes.decorators import manages_any_cohort, manages_programme, programme_view
from peerlearn.programmes.models import Programme
from peerlearn.programmes.permissions import Access, manageable_cohorts


def _me(request: HttpRequest) -> Person | None:
    return signed_in_person(request)


def _session(request: HttpRequest, programme: Programme, access: Access, pk: int) -> Session:
    """The session, or 404 when it is elsewhere or not for this viewer."""
    session = get_object_or_404(Session, pk=pk, programme=programme)
    if not services.can_see(request.user, session, access):
        raise Http404
    return session


def _managed(request, programme, access, pk) -> Session:
    session = _session(request, programme, access, pk)
    if not services.manages(session, access):
        raise PermissionDenied
    return session


@programme_view()
def sessions(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    visible = services.visible_sessions(request.user, programme, access)
    now = timezone.now()
    return render(
        request,
        "delivery/sessions.html",
        {
            "programme": programme,
            "access": access,
            "upcoming": visible.filter(ends_at__gt=now).prefetch_related("groups")[:200],
            "past": visible.filter(ends_at__lte=now).order_by("-starts_at")[:50],
            "can_plan": access.manages_any_cohort,
        },
    )


@programme_view(manages_any_cohort)
@require_http_methods(["GET", "POST"])
def session_new(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    cohorts = manageable_cohorts(programme, access)
    form = PlanForm(request.POST or None, programme=programme, cohorts=cohorts)
    if request.method == "POST" and form.is_valid():
        plan = form.plan()
        try:
            planned = services.plan_sessions(programme, plan)
        except rhythm.RecurrenceError as error:
            form.add_error(None, services.recurrence_message(error))
        else:
            audit.record(
                "session.plan",
                request=request,
                programme=programme,
                target=planned[0],
                detail={"sessions": len(planned), "cohort": plan.cohort.pk},
            )
            messages.success(
                request,
                _("%(count)s session(s) planned.") % {"count": len(planned)},
            )
            return redirect("delivery:session", programme.slug, planned[0].pk)
    return render(request, "delivery/session_new.html", {"programme": programme, "form": form})


@programme_view()
def session(request: HttpRequest, programme: Programme, access: Access, pk: int) -> HttpResponse:
    found = _session(request, programme, access, pk)
    me = _me(request)
    rsvp = Rsvp.objects.filter(session=found, person=me).first() if me else None
    steps = formats.agenda(found.format) if found.format else []
    return render(
        request,
        "delivery/session.html",
        {
            "programme": programme,
            "session": found,
            "local_start": found.starts_at.astimezone(rhythm.zone(found.time_zone)),
            "local_end": found.ends_at.astimezone(rhythm.zone(found.time_zone)),
            "manages": services.manages(found, access),
            "rsvp": rsvp,
            "rsvp_form": RsvpForm(initial={"answer": rsvp.answer if rsvp else "yes"}),
            "steps": steps,
            "format_name": formats.shown_name(found.format) if found.format else "",
            "total_minutes": sum(s.minutes for s in steps),
            "changes": found.changes.all(),
        },
    )


@programme_view(manages_any_cohort)
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, programme: Programme, access: Access, pk: int):
    found = _managed(request, programme, access, pk)
    tz = rhythm.zone(found.time_zone)
    local = found.starts_at.astimezone(tz)
    initial = {
        "day": local.date(),
        "start": local.time().replace(second=0, microsecond=0),
        "minutes": int((found.ends_at - found.starts_at).total_seconds() // 60),
        "time_zone": found.time_zone,
        "place": found.place,
        "online_link": found.online_link,
    }
    form = MoveForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid() and not found.is_cancelled:
        data = form.cleaned_data
        new_tz = rhythm.zone(data["time_zone"])
        start = rhythm.localise(form.wall_start(), new_tz)
        me = _me(request)
        with transaction.atomic():
            if data["scope"] == "later" and found.series_id:
                old_wall = local.replace(tzinfo=None)
                changed = services.shift_series(
                    found, form.wall_start() - old_wall, data["place"], data["online_link"], me
                )
            else:
                found.time_zone = data["time_zone"]
                changed = int(
                    services.reschedule(
                        found,
                        starts_at=start,
                        ends_at=start + form.duration(),
                        place=data["place"],
                        online_link=data["online_link"],
                        actor=me,
                    )
                )
            audit.record(
                "session.reschedule",
                request=request,
                programme=programme,
                target=found,
                detail={"sessions": changed, "scope": data["scope"]},
            )
        messages.success(request, _("Saved. People already told get a change notice."))
        return redirect("delivery:session", programme.slug, found.pk)
    return render(
        request,
        "delivery/session_edit.html",
        {"programme": programme, "session": found, "form": form},
    )


@programme_view(manages_any_cohort)
@require_POST
def session_cancel(request: HttpRequest, programme: Programme, access: Access, pk: int):
    found = _managed(request, programme, access, pk)
    targets = (
        list(services.later_in_series(found)) if request.POST.get("scope") == "later" else [found]
    )
    me = _me(request)
    with transaction.atomic():
        count = sum(services.cancel(each, me) for each in targets)
        audit.record(
            "session.cancel",
            request=request,
            programme=programme,
            target=found,
            detail={"sessions": count},
        )
    messages.success(request, _("%(count)s session(s) cancelled.") % {"count": count})
    return redirect("delivery:session", programme.slug, found.pk)


@programme_view()
@require_POST
def session_rsvp(request: HttpRequest, programme: Programme, access: Access, pk: int):
    found = _session(request, programme, access, pk)
    me = _me(request)
    form = RsvpForm(request.POST)
    if me is None or not form.is_valid():
        messages.error(request, _("Choose whether you will come."))
    else:
        Rsvp.objects.update_or_create(
            session=found,
            person=me,
            defaults={"answer": form.cleaned_data["answer"], "at": timezone.now()},
        )
        messages.success(request, _("Thank you: your answer is saved."))
    return redirect("delivery:session", programme.slug, found.pk)


@programme_view(manages_any_cohort)
@require_http_methods(["GET", "POST"])
def session_attendance(request: HttpRequest, programme: Programme, access: Access, pk: int):
    found = _managed(request, programme, access, pk)
    people = list(services.audience(found).order_by("name"))
    if request.method == "POST":
        present = {int(v) for v in request.POST.getlist("present") if v.isdigit()}
        me = _me(request)
        with transaction.atomic():
            for person in people:
                Attendance.objects.update_or_create(
                    session=found,
                    person=person,
                    defaults={"present": person.pk in present, "marked_by": me},
                )
            audit.record(
                "session.attendance",
                request=request,
                programme=programme,
                target=found,
                detail={"present": len(present & {p.pk for p in people}), "of": len(people)},
            )
        messages.success(request, _("Attendance saved."))
        return redirect("delivery:session", programme.slug, found.pk)
    marked = dict(Attendance.objects.filter(session=found).values_list("person_id", "present"))
    answers = dict(Rsvp.objects.filter(session=found).values_list("person_id", "answer"))
    rows = [
        {"person": p, "present": marked.get(p.pk, False), "rsvp": answers.get(p.pk, "")}
        for p in people
    ]
    return render(
        request,
        "delivery/attendance.html",
        {"programme": programme, "session": found, "rows": rows},
    )


@programme_view()
def session_ics(request: HttpRequest, programme: Programme, access: Access, pk: int):
    found = _session(request, programme, access, pk)
    response = HttpResponse(services.session_ics(found), content_type="text/calendar")
    response["Content-Disposition"] = f'attachment; filename="session-{found.pk}.ics"'
    return response


@programme_view(manages_any_cohort)
@require_http_methods(["GET", "POST"])
def formats_list(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    if request.method == "POST":
        if not access.manages_programme:
            raise PermissionDenied
        added = formats.install_library(programme)
        messages.success(request, _("%(count)s format(s) added.") % {"count": added})
        return redirect("delivery:formats", programme.slug)
    rows = [
        {"format": f, "name": formats.shown_name(f), "steps": formats.agenda(f)}
        for f in MeetingFormat.objects.filter(programme=programme).prefetch_related("steps")
    ]
    return render(
        request,
        "delivery/formats.html",
        {"programme": programme, "rows": rows, "access": access},
    )


@programme_view(manages_programme)
@require_http_methods(["GET", "POST"])
def format_edit(request: HttpRequest, programme: Programme, access: Access, pk: int):
    found = get_object_or_404(MeetingFormat, pk=pk, programme=programme)
    form = FormatForm(request.POST or None, instance=found)
    steps = StepFormSet(request.POST or None, instance=found)
    if request.method == "POST" and form.is_valid() and steps.is_valid():
        with transaction.atomic():
            edited = form.save(commit=False)
            edited.customised = True
            edited.save()
            steps.save()
            audit.record(
                "format.edit", request=request, programme=programme, target=edited, detail={}
            )
        messages.success(request, _("Format saved."))
        return redirect("delivery:formats", programme.slug)
    return render(
        request,
        "delivery/format_edit.html",
        {"programme": programme, "format": found, "form": form, "steps": steps},
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_calendar(request: HttpRequest) -> HttpResponse:
    """The person's private feed address: shown once when made, revocable."""
    me = _me(request)
    if me is None:
        raise Http404
    token = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            CalendarFeed.objects.filter(person=me, revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )
            audit.record("calendar.revoke", request=request, target=me, detail={})
            messages.success(request, _("Your calendar address is switched off."))
        else:
            with transaction.atomic():
                token = CalendarFeed.issue(me)
                audit.record("calendar.issue", request=request, target=me, detail={})
    live = CalendarFeed.objects.filter(person=me, revoked_at__isnull=True).exists()
    feed_url = request.build_absolute_uri(reverse("delivery:feed", args=[token])) if token else ""
    return render(request, "delivery/my_calendar.html", {"live": live, "feed_url": feed_url})


def feed(request: HttpRequest, token: str) -> HttpResponse:
    """A person's sessions as a calendar; a wrong or revoked token is 404, nothing more."""
    found = CalendarFeed.live(token)
    if found is None:
        raise Http404
    response = HttpResponse(services.feed_ics(found.person), content_type="text/calendar")
    response["Cache-Control"] = "private, no-store"
    return response
