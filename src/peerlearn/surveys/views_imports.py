"""Importing answers collected in KoboToolbox or ODK (:mod:`peerlearn.surveys.imports`).

Only the survey's facilitators (of the programme, or of the survey's cohort)
import; evaluators and other members get 403, outsiders 404.  Upload, then a
preview listing every problem by row and column, then confirm: every row or
none is stored.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from peerlearn import audit
from peerlearn.accounts.models import signed_in_user
from peerlearn.core.spreadsheets import format_size
from peerlearn.programmes.decorators import programme_view
from peerlearn.programmes.models import Programme
from peerlearn.programmes.permissions import Access
from peerlearn.surveys.imports import (
    ImportFileError,
    ImportPreview,
    ImportRace,
    apply_import,
    claim,
    max_import_bytes,
    preview_import,
)
from peerlearn.surveys.models import ResponseImport, Survey
from peerlearn.surveys.permissions import manages_survey


class ResponseImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Export from KoboToolbox or ODK (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )


def _managed_survey(programme: Programme, access: Access, pk: int) -> Survey:
    survey = get_object_or_404(
        Survey.objects.select_related("instrument", "cohort"), pk=pk, programme=programme
    )
    if not manages_survey(access, survey):
        raise PermissionDenied
    return survey


def forget_stale_imports() -> int:
    """Delete uploads never confirmed after PEERLEARN_ROSTER_UPLOAD_DAYS (they hold answers).

    Run at each new upload: ``purge_uploads`` (site.retention) knows roster
    files only.  One conditional DELETE on "not applied" decides, so an upload
    confirmed at the same moment is either kept or gone, never half applied.
    """
    cutoff = timezone.now() - timedelta(days=settings.ROSTER_UPLOAD_DAYS)
    deleted, _per_model = ResponseImport.objects.filter(
        applied_at__isnull=True, created_at__lt=cutoff
    ).delete()
    return deleted


def _too_large() -> str:
    return _("The file is too large; the limit is %(limit)s.") % {
        "limit": format_size(max_import_bytes())
    }


@programme_view()
@require_http_methods(["GET", "POST"])
def response_import(
    request: HttpRequest, programme: Programme, access: Access, pk: int
) -> HttpResponse:
    """Upload an export; it waits (in the database) for the preview and confirmation."""
    survey = _managed_survey(programme, access, pk)
    form = ResponseImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        forget_stale_imports()
        upload = form.cleaned_data["file"]
        if (upload.size or 0) > max_import_bytes():
            form.add_error("file", _too_large())
        else:
            pending = ResponseImport.objects.create(
                survey=survey,
                uploaded_by=signed_in_user(request),
                filename=(upload.name or "")[:255],
                data=upload.read(),
            )
            return redirect(
                "surveys:response_import_preview",
                slug=programme.slug,
                pk=survey.pk,
                upload_id=pending.pk,
            )
    context = {
        "programme": programme,
        "survey": survey,
        "instrument": survey.instrument,
        "form": form,
        "limit": format_size(max_import_bytes()),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "surveys/imports/upload.html", context, status=status)


@programme_view()
@require_http_methods(["GET", "POST"])
def response_import_preview(
    request: HttpRequest, programme: Programme, access: Access, pk: int, upload_id: int
) -> HttpResponse:
    """The preview (GET) and the all-or-nothing confirmation (POST)."""
    survey = _managed_survey(programme, access, pk)
    upload = get_object_or_404(ResponseImport, pk=upload_id, survey=survey)
    if upload.applied_at:
        messages.info(request, _("This file has already been imported."))
        return redirect("surveys:survey", slug=programme.slug, pk=survey.pk)
    try:
        preview = preview_import(survey, bytes(upload.data), upload.filename)
    except ImportFileError as error:
        upload.delete()
        context = {"programme": programme, "survey": survey, "error": str(error)}
        return render(request, "surveys/imports/error.html", context, status=400)
    if request.method == "POST" and preview.is_valid:
        return _confirm(request, programme, survey, upload, preview)
    if not preview.is_valid:
        # The file holds answers (and maybe addresses): it is not kept for a retry.
        upload.delete()
    context = {
        "programme": programme,
        "survey": survey,
        "instrument": survey.instrument,
        "upload": upload,
        "preview": preview,
        "problems": sorted(preview.problems, key=lambda p: (p.row or 0, p.column or "")),
    }
    status = 400 if not preview.is_valid else 200
    return render(request, "surveys/imports/preview.html", context, status=status)


def _confirm(
    request: HttpRequest,
    programme: Programme,
    survey: Survey,
    upload: ResponseImport,
    preview: ImportPreview,
) -> HttpResponse:
    try:
        with transaction.atomic():
            if not claim(upload):  # a double click, a second tab
                messages.info(request, _("This file has already been imported."))
                return redirect("surveys:survey", slug=programme.slug, pk=survey.pk)
            imported = apply_import(preview)
            counts = {
                "imported": imported,
                "skipped": preview.skipped,
                "duplicates": preview.duplicates,
                "already_answered": preview.already_answered,
                "without_id": preview.without_id,
            }
            # The file holds answers: it is not kept once they are stored.
            ResponseImport.objects.filter(pk=upload.pk).update(summary=counts, data=b"")
            audit.record(
                "survey.import",
                request=request,
                programme=programme,
                target=survey,
                detail={"upload": upload.pk, "format": preview.sheet.format, **counts},
            )
    except ImportRace:
        messages.error(
            request,
            _(
                "Another import stored some of these answers at the same moment; nothing "
                "was stored. Open the preview again to see what is left."
            ),
        )
        return redirect(
            "surveys:response_import_preview",
            slug=programme.slug,
            pk=survey.pk,
            upload_id=upload.pk,
        )
    messages.success(
        request,
        _("%(imported)d responses imported; %(skipped)d skipped (already in this survey).")
        % {"imported": imported, "skipped": preview.skipped},
    )
    return redirect("surveys:survey", slug=programme.slug, pk=survey.pk)
