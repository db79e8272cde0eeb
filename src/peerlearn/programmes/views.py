"""Programme pages: list, create, detail, edit; cohorts; groups."""

from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from peerlearn import audit
from peerlearn.accounts.models import signed_in_user
from peerlearn.people.models import Person, signed_in_person
from peerlearn.programmes.decorators import manages_programme, programme_view
from peerlearn.programmes.forms import (
    CohortForm,
    GroupNoteForm,
    PrivateReadReasonForm,
    ProgrammeForm,
)
from peerlearn.programmes.models import Cohort, Group, Membership, Programme
from peerlearn.programmes.permissions import (
    Access,
    can_create_programme,
    can_see_group,
    can_see_group_notes,
    private_read_needs_reason,
    visible_groups,
    visible_programmes,
)
from peerlearn.programmes.today import today_panels


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    programmes = visible_programmes(request.user).select_related("facilitating_organisation")
    return render(
        request,
        "programmes/list.html",
        {"programmes": programmes, "can_create": can_create_programme(request.user)},
    )


def _person_for(user) -> Person:
    """The person behind an account, created on first need (e.g. an admin-made user)."""
    person = Person.objects.filter(user=user).first()
    if person is None:
        person, _created = Person.objects.get_or_create(
            email=user.email.lower(), defaults={"name": user.get_full_name() or user.email}
        )
        person.user = user
        person.save(update_fields=["user"])
    return person


@login_required
@require_http_methods(["GET", "POST"])
def programme_create(request: HttpRequest) -> HttpResponse:
    if not can_create_programme(request.user):
        raise PermissionDenied
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            programme = form.save()
            Membership.objects.create(
                person=_person_for(request.user), programme=programme, role="facilitator"
            )
        messages.success(request, _("Programme created. Add its cohorts next."))
        return redirect(programme)
    return render(request, "programmes/form.html", {"form": form, "creating": True})


@programme_view()
def programme_detail(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    cohorts = programme.cohorts.all()
    cohort_rows = []
    for cohort in cohorts:
        groups = visible_groups(request.user, cohort.groups.all(), access)
        cohort_rows.append(
            {
                "cohort": cohort,
                "earlier_groups": sorted(
                    (g for g in groups if g.is_archived),
                    key=lambda g: (g.archived_at, g.pk),
                    reverse=True,
                ),
                "manages": access.manages_cohort(cohort.pk),
                "is_participant": "participant" in access.cohort_roles.get(cohort.pk, ()),
                "groups": [g for g in groups if not g.is_archived and not g.is_pair],
                "pairs": [g for g in groups if not g.is_archived and g.is_pair],
                "people": cohort.memberships.filter(role="participant").count(),
            }
        )
    return render(
        request,
        "programmes/detail.html",
        {
            "programme": programme,
            "access": access,
            "cohort_rows": cohort_rows,
            "people_count": Person.objects.filter(memberships__programme=programme)
            .distinct()
            .count(),
            "my_roles": _my_roles(request, programme),
            **today_panels(request, programme, access),
        },
    )


def _my_roles(request: HttpRequest, programme: Programme) -> list[Membership]:
    return list(
        Membership.objects.filter(
            programme=programme, person__user=signed_in_user(request)
        ).select_related("cohort")
    )


@programme_view(manages_programme)
@require_http_methods(["GET", "POST"])
def programme_edit(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    form = ProgrammeForm(request.POST or None, instance=programme)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Programme saved."))
        return redirect(programme)
    return render(request, "programmes/form.html", {"form": form, "programme": programme})


@programme_view(manages_programme)
@require_http_methods(["GET", "POST"])
def cohort_create(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    form = CohortForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        form.instance.programme = programme
        form.save()
        messages.success(request, _("Cohort added."))
        return redirect(programme)
    return render(request, "programmes/cohort_form.html", {"form": form, "programme": programme})


@programme_view()
@require_http_methods(["GET", "POST"])
def cohort_edit(
    request: HttpRequest, programme: Programme, access: Access, cohort_id: int
) -> HttpResponse:
    cohort = get_object_or_404(Cohort, pk=cohort_id, programme=programme)
    if not access.manages_cohort(cohort.pk):
        raise PermissionDenied
    form = CohortForm(request.POST or None, instance=cohort, programme=programme)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Cohort saved."))
        return redirect(programme)
    return render(
        request,
        "programmes/cohort_form.html",
        {"form": form, "programme": programme, "cohort": cohort},
    )


PRIVATE_READ_SECONDS = 3600
"""How long a superuser's reason for reading one group's private material lasts."""


def _reason_key(group: Group) -> str:
    return f"peerlearn.group_private_read.{group.pk}"


def _reason_given(request: HttpRequest, group: Group) -> bool:
    """Did this session give a reason for ``group`` within the last hour?"""
    given = request.session.get(_reason_key(group))
    return isinstance(given, (int, float)) and time.time() - given < PRIVATE_READ_SECONDS


def _ask_reason(
    request: HttpRequest, programme: Programme, group: Group, access: Access
) -> HttpResponse:
    """The reason form in place of the group's private material; a valid reason is audited."""
    form = PrivateReadReasonForm(request.POST if "read_reason" in request.POST else None)
    if form.is_valid():
        audit.record(
            "group.private_read",
            request=request,
            programme=programme,
            target=group,
            detail={"group": group.pk, "cohort": group.cohort_id},
            reason=form.cleaned_data["read_reason"],
        )
        request.session[_reason_key(group)] = time.time()
        return redirect("programmes:group", slug=programme.slug, group_id=group.pk)
    return _group_page(request, programme, group, access, reason_form=form)


@programme_view()
@require_http_methods(["GET", "POST"])
def group_detail(
    request: HttpRequest, programme: Programme, access: Access, group_id: int
) -> HttpResponse:
    """A group's members and, for members and facilitators, what is shared in it.

    Groups of earlier rounds (archived) are read-only. A superuser with no
    facilitator role here gives a reason first (:func:`private_read_needs_reason`).
    """
    group = get_object_or_404(
        Group.objects.select_related("cohort", "source_run"),
        pk=group_id,
        cohort__programme=programme,
    )
    if not can_see_group(request.user, group, access):
        raise Http404
    sees_notes = can_see_group_notes(request.user, group, access)
    if (
        sees_notes
        and private_read_needs_reason(request.user, group, access)
        and not _reason_given(request, group)
    ):
        return _ask_reason(request, programme, group, access)
    form = GroupNoteForm(request.POST or None) if sees_notes and not group.is_archived else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            form.instance.group = group
            form.instance.author = signed_in_person(request)
            form.save()
            messages.success(request, _("Shared with your group."))
            return redirect("programmes:group", slug=programme.slug, group_id=group.pk)
    return _group_page(request, programme, group, access, form=form, sees_notes=sees_notes)


def _group_page(
    request: HttpRequest,
    programme: Programme,
    group: Group,
    access: Access,
    *,
    form: GroupNoteForm | None = None,
    sees_notes: bool = False,
    reason_form: PrivateReadReasonForm | None = None,
) -> HttpResponse:
    members = group.members.select_related("organisation")
    return render(
        request,
        "programmes/group.html",
        {
            "programme": programme,
            "group": group,
            "members": members,
            "notes": group.notes.select_related("author") if sees_notes else None,
            "form": form,
            "reason_form": reason_form,
            "access": access,
        },
    )
