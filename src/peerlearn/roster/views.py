"""People pages: the programme roster, profiles, import/export, invitations."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from peerlearn import audit
from peerlearn.accounts.models import signed_in_user
from peerlearn.intake.permissions import reads_intake_answers
from peerlearn.people.invitations import send_sign_in_link
from peerlearn.people.models import Organisation, Person
from peerlearn.programmes.decorators import manages_programme, programme_view
from peerlearn.programmes.models import Membership, Programme
from peerlearn.programmes.permissions import Access, listed_people
from peerlearn.roster.apply import RosterConflict, apply_roster
from peerlearn.roster.export import programme_roster_rows
from peerlearn.roster.forms import (
    InviteForm,
    OrganisationForm,
    PersonForm,
    RoleForm,
    RosterUploadForm,
)
from peerlearn.roster.models import RosterUpload
from peerlearn.roster.reading import RosterFileError
from peerlearn.roster.service import preview_roster
from peerlearn.roster.stewardship import (
    may_change_details,
    may_change_email,
    readdress_unused_account,
)
from peerlearn.roster.writing import (
    template_csv,
    template_xlsx,
    write_roster_csv,
    write_roster_xlsx,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
PAGE_SIZE = 50


def _programme_people(programme: Programme):
    return (
        Person.objects.filter(memberships__programme=programme)
        .distinct()
        .select_related("organisation")
        .order_by("name", "pk")
    )


@programme_view()
def people_list(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    people = listed_people(request.user, access, programme, _programme_people(programme))
    # PostgreSQL refuses NUL characters in text: they can mean nothing in a search.
    query = request.GET.get("q", "").replace("\x00", "").strip()
    if query:
        people = people.filter(
            Q(name__icontains=query)
            | Q(organisation__name__icontains=query)
            | Q(role_title__icontains=query)
            | (Q(email__icontains=query) if access.sees_contacts else Q(pk__in=[]))
        )
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    roles: dict[int, list[Membership]] = {}
    for membership in Membership.objects.filter(
        programme=programme, person__in=[p.pk for p in page]
    ).select_related("cohort"):
        roles.setdefault(membership.person_id, []).append(membership)
    rows = [
        {
            "person": p,
            "roles": roles.get(p.pk, []),
            "email": p.email
            if access.sees_contact_of(m.cohort_id for m in roles.get(p.pk, []))
            else "",
        }
        for p in page
    ]
    return render(
        request,
        "people/list.html",
        {"programme": programme, "access": access, "page": page, "rows": rows, "query": query},
    )


def _person_in_programme(programme: Programme, person_id: int) -> Person:
    person = _programme_people(programme).filter(pk=person_id).first()
    if person is None:
        raise Http404
    return person


def _listed_person(
    request: HttpRequest, programme: Programme, access: Access, person_id: int
) -> Person:
    """A person the viewer may see listed; anyone else does not exist for them (404)."""
    people = listed_people(request.user, access, programme, _programme_people(programme))
    person = people.filter(pk=person_id).first()
    if person is None:
        raise Http404
    return person


@programme_view()
def person_detail(
    request: HttpRequest, programme: Programme, access: Access, person_id: int
) -> HttpResponse:
    person = _listed_person(request, programme, access, person_id)
    reads_answers = reads_intake_answers(request.user, access, programme, person)
    return render(
        request,
        "people/detail.html",
        {
            "programme": programme,
            "access": access,
            "person": person,
            "roles": person.memberships.filter(programme=programme).select_related("cohort"),
            "reads_answers": reads_answers,
            "challenges": person.challenges.filter(programme=programme) if reads_answers else [],
            "expectations": (
                person.expectations.filter(programme=programme) if reads_answers else []
            ),
            "email_visible": access.sees_contact_of(
                person.memberships.filter(programme=programme).values_list("cohort_id", flat=True)
            ),
            "is_me": person.user_id is not None and person.user_id == request.user.pk,
            "role_form": RoleForm(programme=programme) if access.manages_programme else None,
        },
    )


@programme_view(manages_programme)
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    form = PersonForm(request.POST or None)
    if request.method == "POST":
        known = Person.objects.filter(email=request.POST.get("email", "").strip().lower()).first()
        if known is not None:
            return _add_known_person(request, programme, known)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            person = form.save()
            membership = Membership.objects.create(
                person=person, programme=programme, role="participant"
            )
            _record_role("role.grant", request, programme, person, membership)
        messages.success(request, _("%(name)s added to the programme.") % {"name": person.name})
        return redirect("people:detail", slug=programme.slug, person_id=person.pk)
    return render(request, "people/form.html", {"form": form, "programme": programme})


def _add_known_person(request: HttpRequest, programme: Programme, person: Person) -> HttpResponse:
    """Someone already stored joins the programme as they are (their details are
    not the adding facilitator's to rewrite); the answer is the one a new person
    gets, so the form does not tell who else is in the network."""
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            person=person, programme=programme, cohort=None, role="participant"
        )
        if created:
            _record_role("role.grant", request, programme, person, membership)
    messages.success(request, _("%(name)s added to the programme.") % {"name": person.name})
    return redirect("people:detail", slug=programme.slug, person_id=person.pk)


@programme_view(manages_programme)
@require_http_methods(["GET", "POST"])
def person_edit(
    request: HttpRequest, programme: Programme, access: Access, person_id: int
) -> HttpResponse:
    person = _person_in_programme(programme, person_id)
    editor = signed_in_user(request)
    form = PersonForm(
        request.POST or None,
        instance=person,
        lock_details=not may_change_details(editor, person),
        lock_email=not may_change_email(editor, person),
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            person = form.save()
            if "email" in form.changed_data:
                readdress_unused_account(person)
            if form.changed_data:
                audit.record(
                    "person.edit",
                    request=request,
                    programme=programme,
                    target=person,
                    detail={"fields": sorted(form.changed_data)},
                )
        messages.success(request, _("Saved."))
        return redirect("people:detail", slug=programme.slug, person_id=person.pk)
    return render(
        request, "people/form.html", {"form": form, "programme": programme, "person": person}
    )


@programme_view(manages_programme)
@require_http_methods(["GET", "POST"])
def roster_import(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        if upload_file.size > settings.ROSTER_MAX_BYTES:
            form.add_error("file", _file_too_large())
        else:
            upload = RosterUpload.objects.create(
                programme=programme,
                uploaded_by=signed_in_user(request),
                filename=upload_file.name[:255],
                data=upload_file.read(),
            )
            return redirect("people:import_preview", slug=programme.slug, upload_id=upload.pk)
    return render(
        request,
        "people/import.html",
        {"form": form, "programme": programme, "max_mb": settings.ROSTER_MAX_BYTES / 1048576},
    )


def _file_too_large() -> str:
    return _("The file is larger than the limit of %(mb).1f MB.") % {
        "mb": settings.ROSTER_MAX_BYTES / 1048576
    }


@programme_view(manages_programme)
@require_http_methods(["GET", "POST"])
def roster_import_preview(
    request: HttpRequest, programme: Programme, access: Access, upload_id: int
) -> HttpResponse:
    upload = get_object_or_404(RosterUpload, pk=upload_id, programme=programme)
    if upload.applied_at:
        messages.info(request, _("This file has already been imported."))
        return redirect("people:list", slug=programme.slug)
    try:
        preview = preview_roster(
            bytes(upload.data), upload.filename, programme, signed_in_user(request)
        )
    except RosterFileError as error:
        upload.delete()
        return render(
            request,
            "people/import_error.html",
            {"programme": programme, "error": str(error)},
            status=400,
        )
    if request.method == "POST":
        if not preview.is_valid:
            messages.error(request, _("Fix every problem in the file and upload it again."))
        else:
            return _confirm_import(request, programme, upload, preview)
    return render(
        request,
        "people/import_preview.html",
        {"programme": programme, "upload": upload, "preview": preview},
    )


def _confirm_import(request, programme, upload, preview):
    try:
        with transaction.atomic():
            # Claim the upload first so a double click cannot import it twice.
            claimed = RosterUpload.objects.filter(pk=upload.pk, applied_at__isnull=True).update(
                applied_at=timezone.now()
            )
            if not claimed:
                messages.info(request, _("This file has already been imported."))
                return redirect("people:list", slug=programme.slug)
            result = apply_roster(preview, programme, signed_in_user(request))
            counts = {
                "created": result.created,
                "updated": result.updated,
                "added_to_programme": result.added_to_programme,
                "kept": result.kept,
                "organisations_created": result.organisations_created,
            }
            RosterUpload.objects.filter(pk=upload.pk).update(summary=counts, data=b"")
            audit.record(
                "roster.import",
                request=request,
                programme=programme,
                target=upload,
                detail={"upload": upload.pk, **counts},
            )
    except RosterConflict:
        # Everything was rolled back, the claim too: the file can be confirmed again.
        messages.error(
            request,
            _(
                "Someone else saved some of these people at the same moment, so nothing from "
                "this file was saved. Check the preview again and confirm."
            ),
        )
        return redirect("people:import_preview", slug=programme.slug, upload_id=upload.pk)
    messages.success(
        request,
        _(
            "Imported: %(created)d people added, %(updated)d updated, "
            "%(orgs)d organisations created."
        )
        % {
            "created": result.added,
            "updated": result.updated,
            "orgs": result.organisations_created,
        },
    )
    if result.kept:
        messages.info(
            request,
            ngettext(
                "%(count)d person also takes part in programmes you do not manage: their "
                "details were left as they are.",
                "%(count)d people also take part in programmes you do not manage: their "
                "details were left as they are.",
                result.kept,
            )
            % {"count": result.kept},
        )
    return redirect("people:list", slug=programme.slug)


@programme_view(manages_programme)
def roster_template(
    request: HttpRequest, programme: Programme, access: Access, fmt: str
) -> HttpResponse:
    if fmt == "xlsx":
        return _download(template_xlsx(), "roster-template.xlsx", XLSX)
    return _download(template_csv(), "roster-template.csv", CSV)


@programme_view(manages_programme)
def roster_export(
    request: HttpRequest, programme: Programme, access: Access, fmt: str
) -> HttpResponse:
    rows = programme_roster_rows(programme)
    audit.record(
        "roster.export",
        request=request,
        programme=programme,
        detail={"rows": len(rows), "format": fmt},
    )
    stamp = timezone.localdate().isoformat()
    if fmt == "xlsx":
        return _download(write_roster_xlsx(rows), f"{programme.slug}-roster-{stamp}.xlsx", XLSX)
    return _download(write_roster_csv(rows), f"{programme.slug}-roster-{stamp}.csv", CSV)


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@programme_view(manages_programme)
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    form = InviteForm(request.POST or None)
    people = _programme_people(programme)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["who"] == "not_invited":
            people = people.filter(invited_at__isnull=True)
        sent = 0
        for person in people:
            send_sign_in_link(person, programme_name=programme.name)
            sent += 1
        messages.success(request, _("%(count)d invitations sent.") % {"count": sent})
        return redirect("people:list", slug=programme.slug)
    waiting = people.filter(invited_at__isnull=True).count()
    return render(
        request,
        "people/invite.html",
        {"form": form, "programme": programme, "waiting": waiting, "total": people.count()},
    )


@programme_view(manages_programme)
@require_POST
def invite_one(
    request: HttpRequest, programme: Programme, access: Access, person_id: int
) -> HttpResponse:
    person = _person_in_programme(programme, person_id)
    send_sign_in_link(person, programme_name=programme.name)
    messages.success(request, _("Invitation sent to %(name)s.") % {"name": person.name})
    return redirect("people:detail", slug=programme.slug, person_id=person.pk)


@programme_view(manages_programme)
@require_POST
def role_add(
    request: HttpRequest, programme: Programme, access: Access, person_id: int
) -> HttpResponse:
    person = _person_in_programme(programme, person_id)
    form = RoleForm(request.POST, programme=programme)
    if form.is_valid():
        with transaction.atomic():
            membership, created = Membership.objects.get_or_create(
                person=person,
                programme=programme,
                cohort=form.cleaned_data["cohort"],
                role=form.cleaned_data["role"],
            )
            if created:
                _record_role("role.grant", request, programme, person, membership)
        if created:
            messages.success(request, _("Role added."))
        else:
            messages.info(request, _("%(name)s already has this role.") % {"name": person.name})
    else:
        messages.error(request, _("Choose a role and where it applies."))
    return redirect("people:detail", slug=programme.slug, person_id=person.pk)


@programme_view(manages_programme)
@require_POST
def role_remove(
    request: HttpRequest, programme: Programme, access: Access, person_id: int, membership_id: int
) -> HttpResponse:
    person = _person_in_programme(programme, person_id)
    membership = get_object_or_404(Membership, pk=membership_id, person=person, programme=programme)
    with transaction.atomic():
        # Two facilitators removing each other at the same moment must not
        # both pass the "at least one facilitator" check: the programme row
        # lock makes the second wait and count again.
        Programme.objects.select_for_update().filter(pk=programme.pk).first()
        refusal = _removal_refused(programme, person, membership)
        if refusal is None:
            _record_role("role.revoke", request, programme, person, membership)
            membership.delete()
    if refusal is None:
        messages.success(request, _("Role removed."))
    else:
        messages.error(request, refusal)
    return redirect("people:detail", slug=programme.slug, person_id=person.pk)


def _removal_refused(programme: Programme, person: Person, membership: Membership) -> str | None:
    """Why this role may not be removed, or None."""
    facilitators = Membership.objects.filter(programme=programme, cohort=None, role="facilitator")
    is_programme_facilitator = membership.role == "facilitator" and membership.cohort_id is None
    if is_programme_facilitator and facilitators.count() == 1:
        return _("A programme keeps at least one facilitator.")
    if person.memberships.filter(programme=programme).count() == 1:
        return _("This is the person's only role here; a person needs one.")
    return None


def _record_role(
    action: str, request: HttpRequest, programme: Programme, person: Person, membership: Membership
) -> None:
    audit.record(
        action,
        request=request,
        programme=programme,
        target=person,
        detail={"role": membership.role, "cohort": membership.cohort_id},
    )


# Organisations are shared by the whole network: anyone who facilitates
# something may keep them.


def _require_some_facilitation(request: HttpRequest) -> None:
    user = signed_in_user(request)
    if user.is_superuser:
        return
    if not Membership.objects.filter(person__user=user, role="facilitator").exists():
        raise PermissionDenied


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    _require_some_facilitation(request)
    organisations = Organisation.objects.all()
    page = Paginator(organisations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "people/organisations.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, organisation_id: int | None = None) -> HttpResponse:
    _require_some_facilitation(request)
    instance = get_object_or_404(Organisation, pk=organisation_id) if organisation_id else None
    form = OrganisationForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Organisation saved."))
        return redirect("people:organisations")
    return render(
        request, "people/organisation_form.html", {"form": form, "organisation": instance}
    )
