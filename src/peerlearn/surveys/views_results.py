"""Results pages and exports of surveys.

Who sees them (:func:`peerlearn.surveys.permissions.reads_survey`): the
survey's facilitators and the programme's evaluators; other members get 403,
outsiders 404.  Small numbers are suppressed for every reader alike
(:mod:`peerlearn.surveys.analysis`); names and e-mails appear only for
identified instruments (:mod:`peerlearn.surveys.exports`).
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Iterable
from typing import IO, Literal

from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, render
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from peerlearn import audit
from peerlearn.programmes.decorators import programme_view
from peerlearn.programmes.models import Programme
from peerlearn.programmes.permissions import Access
from peerlearn.surveys.analysis import (
    Breakdown,
    summarise,
    summarise_by_group,
    summarise_repeats,
)
from peerlearn.surveys.analysis import compare as compare_results
from peerlearn.surveys.exports import (
    ExportPlan,
    codebook_rows,
    csv_chunks,
    export_plan,
    export_rows,
    identity_columns,
    meta_columns,
    repeat_plans,
    write_statistical,
    write_xlsx,
)
from peerlearn.surveys.languages import choose_language
from peerlearn.surveys.models import AUDIENCE_CHOICES, SURVEY_COUNTS, Survey
from peerlearn.surveys.permissions import reads_instruments, reads_survey, sees_identities
from peerlearn.surveys.publication import published
from peerlearn.surveys.xlsform import Instrument as Form

#: Text answers listed on the page per question; the export has them all.
TEXTS_SHOWN = 50
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
STATISTICAL_TYPES = {"sav": "application/x-spss-sav", "dta": "application/x-stata-dta"}


def _survey_for(programme: Programme, access: Access, pk: int) -> Survey:
    """The survey ``pk`` of ``programme`` (404 elsewhere), if the reader may read it (403)."""
    survey = get_object_or_404(
        Survey.objects.select_related("instrument", "cohort"), pk=pk, programme=programme
    )
    if not reads_survey(access, survey):
        raise PermissionDenied
    return survey


def _label_language(request: HttpRequest, form: Form) -> str:
    """``?lang=`` if the form has it, else the page language, else the form's default."""
    return choose_language(form, [get_language() or ""], requested=request.GET.get("lang"))


def _response_rate(survey: Survey) -> dict[str, int]:
    """Answered of invited, counted as on the survey's own page."""
    wanted = {name: SURVEY_COUNTS[name] for name in ("n_invited", "n_answered")}
    counts = Survey.objects.filter(pk=survey.pk).aggregate(**wanted)
    return {"invited": counts["n_invited"], "answered": counts["n_answered"]}


def _languages(form: Form) -> list[tuple[str, str]]:
    return [(code, name or code) for code, name in form.languages.items()]


@require_GET
@programme_view()
def results(request: HttpRequest, programme: Programme, access: Access, pk: int) -> HttpResponse:
    """Counts, shares, numbers and texts per question; a breakdown by respondent group."""
    survey = _survey_for(programme, access, pk)
    instrument = survey.instrument
    form = instrument.form
    k = instrument.min_respondents
    language = _label_language(request, form)
    rows = list(published(survey).order_by().values_list("answers", "audience"))
    audiences = {audience for _a, audience in rows}
    has_control = "control" in audiences or survey.invitations.filter(audience="control").exists()
    groups: Breakdown | None = None
    if has_control:
        keys = [key for key, _label in AUDIENCE_CHOICES]
        keys += sorted(audiences - set(keys))
        summary, groups = summarise_by_group(form, rows, keys, k=k, language=language)
    else:
        summary = summarise(form, (answers for answers, _a in rows), k=k, language=language)
    context: dict[str, object] = {
        "programme": programme,
        "access": access,
        "survey": survey,
        "instrument": instrument,
        "summary": summary,
        "repeats": summarise_repeats(form, [a for a, _au in rows], k=k, language=language)
        if form.repeats() and not summary.suppressed
        else [],
        "k": k,
        "rate": _response_rate(survey),
        "breakdown": groups,
        "texts_slice": f":{TEXTS_SHOWN}",
        "language": language,
        "languages": _languages(form),
        "texts_shown": TEXTS_SHOWN,
        "sees_identities": sees_identities(access, survey),
    }
    if groups is not None:
        context.update(_breakdown_table(groups))
    return render(request, "surveys/results/results.html", context)


def _breakdown_table(groups: Breakdown) -> dict[str, object]:
    """The breakdown with each cell next to its group's label (for phone cards)."""
    labels = dict(AUDIENCE_CHOICES)
    names = [str(labels.get(g.key, g.key)) for g in groups.groups]
    rows, hidden = [], []
    for row in groups.rows:
        if not row.any_shown:
            hidden.append(row.label)
            continue
        numeric = row.type in ("integer", "decimal")
        choices = row.choice_table() if row.type.startswith("select_") else []
        rows.append(
            {
                "row": row,
                "cells": list(zip(names, row.cells, strict=True)),
                "choices": [
                    (label, list(zip(names, found, strict=True))) for label, found in choices
                ],
                "numbers": numeric,
            }
        )
    return {
        "breakdown_groups": list(zip(groups.groups, names, strict=True)),
        "breakdown_rows": rows,
        "breakdown_hidden": hidden,
    }


def _readable_surveys(programme: Programme, access: Access) -> list[Survey]:
    surveys = Survey.objects.filter(programme=programme).select_related("instrument", "cohort")
    return [
        s
        for s in surveys.order_by("instrument__title", "opens_at", "pk")
        if reads_survey(access, s)
    ]


def _picker(
    request: HttpRequest,
    programme: Programme,
    access: Access,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    surveys = _readable_surveys(programme, access)
    by_instrument: dict[str, list[Survey]] = {}
    for survey in surveys:
        by_instrument.setdefault(survey.instrument.title, []).append(survey)
    context = {
        "programme": programme,
        "by_instrument": by_instrument,
        "error": error,
        "a": request.GET.get("a", ""),
        "b": request.GET.get("b", ""),
    }
    return render(request, "surveys/results/compare_picker.html", context, status=status)


def _int_or_none(value: str) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


@require_GET
@programme_view(reads_instruments)
def compare(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    """Two surveys of the same instrument side by side (two cohorts, or two time points)."""
    raw_a, raw_b = request.GET.get("a", ""), request.GET.get("b", "")
    if not raw_a or not raw_b:
        return _picker(request, programme, access)
    pk_a, pk_b = _int_or_none(raw_a), _int_or_none(raw_b)
    if pk_a is None or pk_b is None:
        return _picker(request, programme, access, _("Choose two surveys from the lists."), 400)
    a = _survey_for(programme, access, pk_a)
    b = _survey_for(programme, access, pk_b)
    if a.instrument_id != b.instrument_id:
        mismatch = {"programme": programme, "a": a, "b": b}
        return render(request, "surveys/results/compare_error.html", mismatch, status=400)
    instrument = a.instrument
    form = instrument.form
    k = instrument.min_respondents
    language = _label_language(request, form)
    comparison = compare_results(form, _answers_of(a), _answers_of(b), k=k, language=language)
    context: dict[str, object] = {
        "programme": programme,
        "a": a,
        "b": b,
        "instrument": instrument,
        "comparison": comparison,
        "side_query": f"a={a.pk}&b={b.pk}&",
        "k": k,
        "language": language,
        "languages": _languages(form),
    }
    return render(request, "surveys/results/compare.html", context)


def _answers_of(survey: Survey) -> Iterable[dict]:
    return published(survey).order_by().values_list("answers", flat=True)


def _filename(survey: Survey, suffix: str, fmt: str) -> str:
    title = slugify(survey.title)[:50] or "survey"
    return f"{title}-{survey.pk}-{suffix}.{fmt}"


def _no_store(response: HttpResponseBase) -> HttpResponseBase:
    """Answers are personal data: no cache keeps a copy."""
    response["Cache-Control"] = "no-store, private"
    return response


def _export_options(request: HttpRequest) -> dict[str, object] | str:
    """The export's options from the query, or the message saying which one is wrong."""
    values = request.GET.get("values", "labels")
    if values not in ("labels", "codes"):
        return _("values must be labels or codes.")
    headers = request.GET.get("headers", "names")
    if headers not in ("names", "paths"):
        return _("headers must be names or paths.")
    split = request.GET.get("split", "0")
    if split not in ("0", "1"):
        return _("split must be 0 or 1.")
    return {"values": values, "headers": headers, "split_multiple": split == "1"}


@require_GET
@programme_view()
def export(
    request: HttpRequest, programme: Programme, access: Access, pk: int, fmt: str
) -> HttpResponseBase:
    """Every response as a row (CSV streamed; XLSX, SPSS and Stata from a temporary file).

    Options: ``values`` (labels or codes; SPSS and Stata always store codes
    with their labels as value labels), ``headers`` (names, or ``paths`` for
    Kobo's ``group/question``), ``split=1`` (a 0/1 column per choice of a
    select_multiple, as Kobo does).
    """
    survey = _survey_for(programme, access, int(pk))
    options = _export_options(request)
    if isinstance(options, str):
        return HttpResponse(options, status=400, content_type="text/plain")
    statistical = fmt in ("sav", "dta")
    values = "codes" if statistical else str(options["values"])
    form = survey.instrument.form
    language = _label_language(request, form)
    with_names = sees_identities(access, survey)
    plan = export_plan(
        survey,
        values="codes" if values == "codes" else "labels",
        language=language,
        with_names=with_names,
        with_emails=with_names and access.sees_contact_of([survey.cohort_id]),
        headers="paths" if options["headers"] == "paths" else "names",
        split_multiple=bool(options["split_multiple"]),
    )
    filename = _filename(survey, f"responses-{values}", fmt)
    linked = repeat_plans(plan)
    response: HttpResponseBase
    if linked and fmt != "xlsx":
        # the main table and one linked table per repeat, as KoboToolbox does
        response = FileResponse(
            _linked_zip(plan, linked, fmt, filename),
            as_attachment=True,
            filename=filename.rsplit(".", 1)[0] + ".zip",
            content_type="application/zip",
        )
    elif fmt == "csv":
        response = StreamingHttpResponse(
            csv_chunks(plan.header(), export_rows(plan)), content_type=CSV_TYPE
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    elif statistical:
        response = FileResponse(
            _statistical_file(plan, "sav" if fmt == "sav" else "dta"),
            as_attachment=True,
            filename=filename,
            content_type=STATISTICAL_TYPES[fmt],
        )
    else:
        target = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
        write_xlsx(
            target,
            plan.header(),
            export_rows(plan),
            codebook=codebook_rows(
                form,
                language,
                plan.meta_columns(),
                paths=plan.headers == "paths",
                split_multiple=plan.split_multiple,
            ),
            notes=plan.explanations() + [n for p in linked for n in _repeat_notes(p)],
            linked=[(p.repeat, p.header(), export_rows(p)) for p in linked],
        )
        target.seek(0)
        response = FileResponse(
            target, as_attachment=True, filename=filename, content_type=XLSX_TYPE
        )
    if plan.note():
        response["X-Peerlearn-Suppressed"] = plan.note()
    audit.record(
        "survey.export",
        request=request,
        programme=programme,
        target=survey,
        detail={
            "format": fmt,
            "values": values,
            "headers": plan.headers,
            "split": plan.split_multiple,
            "rows": 0 if plan.suppressed else plan.responses,
            "names": plan.with_names,
            "emails": plan.with_emails,
        },
    )
    return _no_store(response)


def _repeat_notes(plan: ExportPlan) -> list[str]:
    return [f"{plan.repeat}: {note}" for note in plan.explanations()] if not plan.suppressed else []


def _linked_zip(plan: ExportPlan, linked: list[ExportPlan], fmt: str, filename: str) -> IO[bytes]:
    """A zip of the main table and each repeat's table (``NAME-REPEAT.ext``),
    written to a temporary file that vanishes once the download is closed."""
    stem = filename.rsplit(".", 1)[0]
    target = tempfile.TemporaryFile(suffix=".zip")  # noqa: SIM115 - FileResponse closes it
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, name in [(plan, stem), *((p, f"{stem}-{p.repeat}") for p in linked)]:
            if fmt == "csv":
                with archive.open(f"{name}.csv", "w") as member:
                    for chunk in csv_chunks(part.header(), export_rows(part)):
                        member.write(chunk.encode("utf-8"))
            else:
                with _statistical_file(part, "sav" if fmt == "sav" else "dta") as opened:
                    archive.writestr(f"{name}.{fmt}", opened.read())
    target.seek(0)
    return target


def _statistical_file(plan: ExportPlan, fmt: Literal["sav", "dta"]) -> IO[bytes]:
    """Write the SPSS or Stata file (pyreadstat wants a path) and return it opened.

    The file is unlinked once open, so nothing stays on disk after the download.
    """
    directory = tempfile.mkdtemp(prefix="peerlearn-export-")
    path = os.path.join(directory, f"responses.{fmt}")
    try:
        write_statistical(path, plan, fmt)
        opened = open(path, "rb")  # noqa: SIM115 - FileResponse closes it
    finally:
        if os.path.exists(path):
            os.unlink(path)
        os.rmdir(directory)
    return opened


@require_GET
@programme_view()
def codebook(
    request: HttpRequest, programme: Programme, access: Access, pk: int, fmt: str
) -> HttpResponseBase:
    """Variables, labels, types, rules and choice codes of the export (same ``headers``
    and ``split`` options)."""
    survey = _survey_for(programme, access, int(pk))
    form = survey.instrument.form
    language = _label_language(request, form)
    with_names = sees_identities(access, survey)
    columns = meta_columns(
        *identity_columns(
            survey.instrument.anonymity,
            names=with_names,
            emails=with_names and access.sees_contact_of([survey.cohort_id]),
        )
    )
    options = _export_options(request)
    if isinstance(options, str):
        return HttpResponse(options, status=400, content_type="text/plain")
    rows = codebook_rows(
        form,
        language,
        columns,
        paths=options["headers"] == "paths",
        split_multiple=bool(options["split_multiple"]),
    )
    filename = _filename(survey, "codebook", fmt)
    if fmt == "csv":
        response = HttpResponse("".join(csv_chunks(rows[0], rows[1:])), content_type=CSV_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return _no_store(response)
    target = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    write_xlsx(target, rows[0], rows[1:], sheet_title="codebook")
    target.seek(0)
    return _no_store(
        FileResponse(target, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
    )
