"""Pages for authorisations (letters, status, signed copies) and the risks of each stage."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peerlearn import audit
from peerlearn.objectives import access as rules_of
from peerlearn.objectives import letters, uploads
from peerlearn.objectives.builtin_risks import BUILTIN_RISKS
from peerlearn.objectives.forms import AuthorisationForm, RiskForm, SignedCopyForm
from peerlearn.objectives.models import Authorisation, StageRisk
from peerlearn.people.models import Person
from peerlearn.programmes.decorators import manages_programme, programme_view
from peerlearn.programmes.models import STAGE_CHOICES, Group, Membership, Programme
from peerlearn.programmes.permissions import Access


def current_groups(programme: Programme):
    return Group.objects.filter(cohort__programme=programme, archived_at__isnull=True)


def authorisation_rows(programme: Programme) -> list[tuple[Group, Authorisation | None]]:
    """Every current group with its authorisation (``None``: nothing recorded yet)."""
    found = {
        a.group_id: a
        for a in Authorisation.objects.filter(programme=programme, group__isnull=False)
    }
    return [
        (g, found.get(g.pk))
        for g in current_groups(programme).select_related("cohort").order_by("cohort__name", "name")
    ]


@programme_view(rules_of.reads_authorisations)
def authorisations(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    people = Authorisation.objects.filter(programme=programme, person__isnull=False).select_related(
        "person"
    )
    return render(
        request,
        "objectives/authorisations.html",
        {
            "programme": programme,
            "access": access,
            "group_rows": authorisation_rows(programme),
            "person_rows": people,
            "participants": Person.objects.filter(
                memberships__programme=programme, memberships__role="participant"
            )
            .distinct()
            .order_by("name"),
        },
    )


def _edit(
    request: HttpRequest, programme: Programme, authorisation: Authorisation, holder: object
) -> HttpResponse:
    old_status = authorisation.status if authorisation.pk else None
    form = AuthorisationForm(request.POST or None, instance=authorisation)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        audit.record(
            "authorisation.update",
            request=request,
            programme=programme,
            target=saved,
            detail={
                "group": saved.group_id,
                "person": saved.person_id,
                "old_status": old_status,
                "new_status": saved.status,
            },
        )
        messages.success(request, _("Authorisation saved."))
        return redirect("objectives:authorisation", slug=programme.slug, pk=saved.pk)
    return render(
        request,
        "objectives/authorisation_form.html",
        {
            "programme": programme,
            "authorisation": authorisation,
            "holder": holder,
            "form": form,
            "upload_form": SignedCopyForm() if authorisation.pk else None,
            "max_mb": uploads.max_bytes() / (1024 * 1024),
            "languages": request_languages(),
        },
    )


def request_languages() -> list[tuple[str, str]]:
    from django.conf import settings

    return list(settings.LANGUAGES)


@programme_view(manages_programme)
@require_http_methods(["GET", "POST"])
def authorisation_for_group(
    request: HttpRequest, programme: Programme, access: Access, group_id: int
) -> HttpResponse:
    group = get_object_or_404(current_groups(programme), pk=group_id)
    authorisation = Authorisation.objects.filter(programme=programme, group=group).first()
    return _edit(
        request, programme, authorisation or Authorisation(programme=programme, group=group), group
    )


@programme_view(manages_programme)
@require_http_methods(["GET", "POST"])
def authorisation_for_person(
    request: HttpRequest, programme: Programme, access: Access, person_id: int
) -> HttpResponse:
    person = get_object_or_404(Person, pk=person_id)
    if not Membership.objects.filter(programme=programme, person=person).exists():
        raise Http404
    authorisation = Authorisation.objects.filter(programme=programme, person=person).first()
    return _edit(
        request,
        programme,
        authorisation or Authorisation(programme=programme, person=person),
        person,
    )


@programme_view(manages_programme)
@require_http_methods(["GET", "POST"])
def authorisation_edit(
    request: HttpRequest, programme: Programme, access: Access, pk: int
) -> HttpResponse:
    authorisation = get_object_or_404(
        Authorisation.objects.select_related("group", "person"), pk=pk, programme=programme
    )
    return _edit(request, programme, authorisation, authorisation.holder)


def _holder_or_facilitator(
    request: HttpRequest, programme: Programme, access: Access, pk: int
) -> Authorisation:
    """The authorisation for its facilitators and its holder (the person or the group's
    members); 404 for everyone else."""
    authorisation = get_object_or_404(
        Authorisation.objects.select_related("group", "person", "programme"),
        pk=pk,
        programme=programme,
    )
    if access.manages_programme or rules_of.writes_objectives_of(
        request.user, authorisation.person, authorisation.group
    ):
        return authorisation
    raise Http404


def _back(request: HttpRequest, programme: Programme, access: Access, pk: int) -> HttpResponse:
    if access.manages_programme:
        return redirect("objectives:authorisation", slug=programme.slug, pk=pk)
    return redirect("objectives:mine", slug=programme.slug)


@require_GET
@programme_view()
def letter(
    request: HttpRequest, programme: Programme, access: Access, pk: int, fmt: str
) -> HttpResponse:
    """The request letter as DOCX or PDF, in the language asked for (``?lang=``)."""
    if fmt not in ("docx", "pdf"):
        raise Http404
    authorisation = _holder_or_facilitator(request, programme, access, pk)
    language = request.GET.get("lang") or get_language() or "en"
    if language not in dict(request_languages()):
        language = "en"
    try:
        blocks = letters.paragraphs(authorisation, language)
        data = letters.docx_bytes(blocks) if fmt == "docx" else letters.pdf_bytes(blocks)
    except letters.LetterRefused as refused:
        messages.error(request, str(refused))
        return _back(request, programme, access, pk)
    content_type = (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if fmt == "docx"
        else "application/pdf"
    )
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="authorisation-{pk}-{language}.{fmt}"'
    return response


@require_POST
@programme_view(manages_programme)
def signed_upload(
    request: HttpRequest, programme: Programme, access: Access, pk: int
) -> HttpResponse:
    authorisation = get_object_or_404(Authorisation, pk=pk, programme=programme)
    form = SignedCopyForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose the file of the signed letter."))
        return _back(request, programme, access, pk)
    upload = form.cleaned_data["signed_copy"]
    try:
        sniffed = uploads.accept(upload)
    except uploads.UploadRefused as refused:
        messages.error(request, str(refused))
        return _back(request, programme, access, pk)
    with transaction.atomic():
        Authorisation.objects.filter(pk=pk).update(
            signed_copy=sniffed.data,
            signed_copy_type=sniffed.content_type,
            signed_copy_name=f"signed-authorisation-{pk}.{sniffed.extension}",
        )
        audit.record(
            "authorisation.signed_upload",
            request=request,
            programme=programme,
            target=authorisation,
            detail={"bytes": len(sniffed.data), "type": sniffed.content_type},
        )
    messages.success(request, _("Signed copy kept."))
    return _back(request, programme, access, pk)


@require_GET
@programme_view()
def signed_download(
    request: HttpRequest, programme: Programme, access: Access, pk: int
) -> HttpResponse:
    authorisation = _holder_or_facilitator(request, programme, access, pk)
    if not authorisation.signed_copy:
        raise Http404
    audit.record(
        "authorisation.signed_download",
        request=request,
        programme=programme,
        target=authorisation,
        detail={"authorisation": authorisation.pk},
    )
    response = HttpResponse(
        bytes(authorisation.signed_copy), content_type=authorisation.signed_copy_type
    )
    response["Content-Disposition"] = f'attachment; filename="{authorisation.signed_copy_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------- risks per stage


def _risk_people(programme: Programme):
    return (
        Person.objects.filter(
            memberships__programme=programme, memberships__role__in=["facilitator", "evaluator"]
        )
        .distinct()
        .order_by("name")
    )


@programme_view(rules_of.reads_risks)
@require_http_methods(["GET", "POST"])
def risks(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    form = (
        RiskForm(
            request.POST or None, people=_risk_people(programme), initial={"stage": programme.stage}
        )
        if access.manages_programme
        else None
    )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            risk = form.save(commit=False)
            risk.programme = programme
            risk.save()
            messages.success(request, _("Risk added."))
            return redirect("objectives:risks", slug=programme.slug)
    rows = StageRisk.objects.filter(programme=programme).select_related("owner")
    stages = [
        {
            "code": code,
            "label": label,
            "current": code == programme.stage,
            "risks": [r for r in rows if r.stage == code],
        }
        for code, label in STAGE_CHOICES
    ]
    return render(
        request,
        "objectives/risks.html",
        {"programme": programme, "access": access, "stages": stages, "form": form},
    )


@require_POST
@programme_view(manages_programme)
def risks_starting_list(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    """Copy the built-in risks (in the facilitator's language); ones already copied are kept."""
    have = set(
        StageRisk.objects.filter(programme=programme)
        .exclude(builtin_key="")
        .values_list("builtin_key", flat=True)
    )
    new = [
        StageRisk(
            programme=programme,
            stage=b.stage,
            risk=str(b.risk),
            mitigation=str(b.mitigation),
            builtin_key=b.key,
        )
        for b in BUILTIN_RISKS
        if b.key not in have
    ]
    StageRisk.objects.bulk_create(new, ignore_conflicts=True)
    messages.success(
        request, _("%(count)d risks added from the starting list.") % {"count": len(new)}
    )
    return redirect("objectives:risks", slug=programme.slug)


@programme_view(manages_programme)
@require_http_methods(["GET", "POST"])
def risk_edit(request: HttpRequest, programme: Programme, access: Access, pk: int) -> HttpResponse:
    risk = get_object_or_404(StageRisk, pk=pk, programme=programme)
    form = RiskForm(request.POST or None, instance=risk, people=_risk_people(programme))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Risk saved."))
        return redirect(reverse("objectives:risks", args=[programme.slug]))
    return render(
        request, "objectives/risk_form.html", {"programme": programme, "risk": risk, "form": form}
    )
