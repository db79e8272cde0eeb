"""Instrument pages: the programme's instruments, built-in ones, XLSForm import,
a read-only preview, settings and the XLSForm download.

Facilitators of the programme import, install and edit instruments;
facilitators of any cohort and evaluators read them (see
:mod:`peerlearn.surveys.permissions`).  An XLSForm with any problem is shown
back with every problem located by sheet, row and column, and nothing is
stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peerlearn import audit
from peerlearn.people.models import signed_in_person
from peerlearn.programmes.decorators import programme_view
from peerlearn.programmes.models import Programme
from peerlearn.programmes.permissions import Access
from peerlearn.surveys import library
from peerlearn.surveys.instrument_forms import (
    InstrumentSettingsForm,
    XLSFormUploadForm,
    max_upload_bytes,
)
from peerlearn.surveys.instruments import BUILT_IN
from peerlearn.surveys.languages import choose_language
from peerlearn.surveys.models import Instrument, Invitation, Response
from peerlearn.surveys.permissions import manages_instruments, reads_instruments
from peerlearn.surveys.xlsform import (
    NO_LANGUAGE,
    FormProblem,
    Group,
    Question,
    XLSFormInvalid,
    read_xlsform,
    write_xlsform,
)
from peerlearn.surveys.xlsform import Instrument as FormDefinition
from peerlearn.surveys.xlsform.model import Item, Repeat

#: Short, translatable names of the built-in instruments (``BUILT_IN`` holds
#: the longer descriptions).  A built-in missing here shows its file name.
BUILT_IN_TITLES = {
    "intake": gettext_lazy("Intake and needs assessment"),
    "pulse": gettext_lazy("Session pulse"),
    "partnership_health": gettext_lazy("Partnership health"),
    "capabilities": gettext_lazy("Five capabilities self-assessment"),
    "followup_3m": gettext_lazy("Three-month follow-up"),
    "followup_6m": gettext_lazy("Six-month follow-up"),
    "end_review": gettext_lazy("End-of-programme review"),
    "peer_contact": gettext_lazy("Peer contact (participants and control group)"),
}

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _instrument(programme: Programme, pk: int) -> Instrument:
    """The instrument ``pk`` of this programme; another programme's is a 404."""
    return get_object_or_404(Instrument, pk=pk, programme=programme)


# ---------------------------------------------------------------- list


@dataclass(frozen=True)
class BuiltInRow:
    name: str
    title: str
    description: str
    installed: Instrument | None


@programme_view(reads_instruments)
@require_GET
def instruments(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    """The programme's instruments, then the built-in ones that can be added."""
    rows = list(
        Instrument.objects.filter(programme=programme)
        .defer("source_xlsx")
        .annotate(survey_count=Count("surveys"))
    )
    installed = {row.builtin: row for row in rows if row.builtin}
    built_in = [
        BuiltInRow(name, str(BUILT_IN_TITLES.get(name, name)), description, installed.get(name))
        for name, description in BUILT_IN.items()
    ]
    context = {
        "programme": programme,
        "access": access,
        "manages": manages_instruments(access),
        "rows": [(row, len(row.form.questions())) for row in rows],
        "built_in": built_in,
    }
    return render(request, "surveys/instruments/list.html", context)


@programme_view(manages_instruments)
@require_POST
def instrument_install(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    """Add a built-in instrument (installing it twice returns the first copy)."""
    name = request.POST.get("name", "")
    if name not in BUILT_IN:
        message = _("There is no built-in instrument called “%(name)s”.") % {"name": name[:100]}
        context = {"programme": programme, "message": message}
        return render(request, "surveys/instruments/error.html", context, status=400)
    already = Instrument.objects.filter(programme=programme, builtin=name).exists()
    try:
        instrument = library.install_builtin(programme, name, created_by=signed_in_person(request))
    except library.DuplicateInstrument:
        raced = Instrument.objects.filter(programme=programme, builtin=name).first()
        if raced is not None:  # a double click installed it a moment ago
            return redirect("surveys:instrument", slug=programme.slug, pk=raced.pk)
        # An uploaded copy of the built-in workbook already holds its form id and version.
        message = _(
            "This programme already has an instrument with the same form id and version as "
            "the built-in “%(name)s” (imported from a file). Use that one, or change its version."
        ) % {"name": BUILT_IN_TITLES.get(name, name)}
        context = {"programme": programme, "message": message}
        return render(request, "surveys/instruments/error.html", context, status=400)
    if already:
        messages.info(request, _("“%(title)s” was already in this programme.") % _title(instrument))
    else:
        messages.success(request, _("“%(title)s” added to this programme.") % _title(instrument))
    return redirect("surveys:instrument", slug=programme.slug, pk=instrument.pk)


def _title(instrument: Instrument) -> dict[str, str]:
    return {"title": instrument.title}


# ---------------------------------------------------------------- import


@programme_view(manages_instruments)
@require_http_methods(["GET", "POST"])
def instrument_import(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    """Upload an XLSForm.  Any problem: HTTP 400 listing all of them, nothing stored."""
    form = XLSFormUploadForm(request.POST or None, request.FILES or None)
    problems: list[FormProblem] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            instrument = library.import_xlsform(
                programme,
                data,
                filename=(upload.name or "")[:255],
                anonymity=form.cleaned_data["anonymity"],
                created_by=signed_in_person(request),
            )
        except XLSFormInvalid as invalid:
            problems = sorted(invalid.problems, key=_problem_order)
        except library.DuplicateInstrument:
            form.add_error(None, _duplicate_message(programme, data))
        else:
            messages.success(
                request,
                _("“%(title)s” imported with %(n)d questions.")
                % {"title": instrument.title, "n": len(instrument.form.questions())},
            )
            _report_ignored(request, instrument.form.ignored)
            return redirect("surveys:instrument", slug=programme.slug, pk=instrument.pk)
    context = {
        "programme": programme,
        "form": form,
        "problems": problems,
        "max_mb": max_upload_bytes() / 1048576,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "surveys/instruments/import.html", context, status=status)


#: Ignored items listed one by one after an import; the rest are counted.
IGNORED_LISTED = 10


def _report_ignored(request: HttpRequest, ignored: list[str]) -> None:
    """List what the import ignored (settings for ODK servers, comment columns,
    metadata rows): never fatal, but the facilitator should know."""
    if not ignored:
        return
    messages.info(
        request,
        ngettext(
            "%(n)d thing in the workbook changes nothing in peerlearn and was ignored:",
            "%(n)d things in the workbook change nothing in peerlearn and were ignored:",
            len(ignored),
        )
        % {"n": len(ignored)},
    )
    for note in ignored[:IGNORED_LISTED]:
        messages.info(request, note)
    if len(ignored) > IGNORED_LISTED:
        messages.info(
            request,
            _("… and %(n)d more (run “peerlearn survey check” on the file to see them all).")
            % {"n": len(ignored) - IGNORED_LISTED},
        )


def _problem_order(problem: FormProblem) -> tuple[str, int, str]:
    return (problem.sheet or "", problem.row or 0, problem.column or "")


def _duplicate_message(programme: Programme, data: bytes) -> str:
    """Explain the clash and link to the instrument already holding that form id and version."""
    text = _(
        "This programme already has an instrument with the same form id and version. "
        "Change the version in the workbook's settings sheet (for example to today's date, "
        "such as 2024061201) and import it again."
    )
    try:
        parsed = read_xlsform(data)  # only on this error path: it parsed a moment ago
    except XLSFormInvalid:
        return text
    existing = Instrument.objects.filter(
        programme=programme, form_id=parsed.form_id, version=parsed.version
    ).first()
    if existing is None:
        return text
    url = reverse("surveys:instrument", args=[programme.slug, existing.pk])
    return format_html('{} <a href="{}">{}</a>', text, url, existing.title)


# ---------------------------------------------------------------- detail and preview


@dataclass(frozen=True)
class Shown:
    """A text in the preview language, or in another one when it lacks a translation."""

    text: str
    untranslated: bool = False


@dataclass
class PreviewRow:
    """One group, note or question of the preview, with its nesting depth."""

    kind: str  # "group", "note", "calculated" or "question"
    depth: int
    name: str
    type: str = ""
    calculation: str = ""
    choice_filter: str = ""
    label: Shown = Shown("")
    hint: Shown = Shown("")
    required: bool = False
    relevant: str = ""
    constraint: str = ""
    constraint_message: Shown = Shown("")
    list_name: str = ""
    appearance: str = ""
    choices: list[tuple[str, Shown]] = field(default_factory=list)


def shown(text: dict[str, str], language: str) -> Shown:
    """``text`` in ``language``; otherwise the unlabelled text or any other, flagged."""
    if text.get(language):
        return Shown(text[language])
    for value in [text.get(NO_LANGUAGE, ""), *text.values()]:
        if value:
            return Shown(value, untranslated=True)
    return Shown("")


def preview_rows(form: FormDefinition, language: str) -> list[PreviewRow]:
    """Every group, note and question in form order, texts in ``language``."""
    rows: list[PreviewRow] = []

    def visit(items: list[Item], depth: int) -> None:
        for item in items:
            if isinstance(item, Group | Repeat):
                rows.append(
                    PreviewRow(
                        "repeat" if isinstance(item, Repeat) else "group",
                        depth,
                        item.name,
                        label=shown(item.label, language),
                        relevant=item.relevant,
                        appearance=item.appearance,
                    )
                )
                visit(item.children, depth + 1)
            else:
                rows.append(_question_row(form, item, depth, language))

    visit(form.items, 0)
    return rows


def _question_row(form: FormDefinition, q: Question, depth: int, language: str) -> PreviewRow:
    choice_list = form.choice_lists.get(q.list_name or "")
    choices = (
        [(c.name, shown(c.label, language)) for c in choice_list.choices] if choice_list else []
    )
    kind = "question" if q.answerable else ("calculated" if q.calculation else "note")
    return PreviewRow(
        kind,
        depth,
        q.name,
        type=q.type,
        calculation=q.calculation,
        choice_filter=q.choice_filter,
        label=shown(q.label, language),
        hint=shown(q.hint, language),
        required=q.required,
        relevant=q.relevant,
        constraint=q.constraint,
        constraint_message=shown(q.constraint_message, language),
        list_name=q.list_name or "",
        appearance=q.appearance,
        choices=choices,
    )


@programme_view(reads_instruments)
@require_GET
def instrument(request: HttpRequest, programme: Programme, access: Access, pk: int) -> HttpResponse:
    """Settings, languages and a read-only preview of every question (``?lang=es``)."""
    instrument = _instrument(programme, pk)
    form = instrument.form
    language = choose_language(form, [get_language() or ""], requested=request.GET.get("lang"))
    context = {
        "programme": programme,
        "access": access,
        "manages": manages_instruments(access),
        "instrument": instrument,
        "definition": form,
        "languages": [(code, name or code) for code, name in form.languages.items()],
        "language": language,
        "rows": preview_rows(form, language),
        "question_count": len(form.questions()),
        "surveys": instrument.surveys.select_related("cohort").order_by("-opens_at", "pk"),
        "anonymity_locked": anonymity_lock(instrument),
    }
    return render(request, "surveys/instruments/detail.html", context)


# ---------------------------------------------------------------- settings


def anyone_answered(instrument: Instrument) -> bool:
    """Whether anyone submitted or started answering a survey of ``instrument``."""
    return (
        Response.objects.filter(survey__instrument=instrument).exists()
        or Invitation.objects.filter(survey__instrument=instrument)
        .filter(Q(started_at__isnull=False) | Q(draft_saved_at__isnull=False))
        .exists()
    )


def _audit_settings(request: HttpRequest, instrument: Instrument, before: dict) -> None:
    """One audit event per change of k or anonymity, with the old and new values."""
    if before["k"] != instrument.min_respondents:
        audit.record(
            "survey.k_changed",
            request=request,
            programme=instrument.programme,
            target=instrument,
            detail={"old": before["k"], "new": instrument.min_respondents},
        )
    if before["anonymity"] != instrument.anonymity:
        audit.record(
            "survey.anonymity_changed",
            request=request,
            programme=instrument.programme,
            target=instrument,
            detail={"old": before["anonymity"], "new": instrument.anonymity},
        )


def anonymity_lock(instrument: Instrument) -> str:
    """Why the anonymity of ``instrument`` can no longer change ("" while it can).

    It locks as soon as anyone has submitted *or started* answering a survey of
    the instrument: the level was part of what they were told when they
    answered (and drafts become responses under the level in force at submit).
    """
    if not anyone_answered(instrument):
        return ""
    return _(
        "Anonymity can no longer be changed: people have already answered (or started "
        "answering) this instrument under the current level, and changing it would change "
        "what was promised to them. To ask with another level, download the XLSForm, change "
        "its version and import it as a new instrument."
    )


@programme_view(manages_instruments)
@require_http_methods(["GET", "POST"])
def instrument_settings(
    request: HttpRequest, programme: Programme, access: Access, pk: int
) -> HttpResponse:
    """Title, anonymity and k (smallest breakdown shown, 2 to 100).

    Anonymity is frozen once anyone has submitted or started answering a survey
    of this instrument (see :func:`anonymity_lock`).  Decision: this holds for
    a *stricter* level too (e.g. identified -> anonymous).  A stricter label
    would not make earlier answers more anonymous: they were stored with the
    person (or the pseudonym and exact hour) and remain so, also in backups,
    so the new label would overstate the protection; and one instrument would
    mix two levels in its results.  The honest path is a new version of the
    instrument, imported with the stricter level.  Title and k can change at
    any time: the title is only a display name (the XLSForm's own title stays
    in the definition and the download).  k can always be raised; once anyone
    answered it cannot be lowered (see ``InstrumentSettingsForm``).  Every
    change of k or anonymity is an audit event.
    """
    instrument = _instrument(programme, pk)
    before = {"anonymity": instrument.anonymity, "k": instrument.min_respondents}
    form = InstrumentSettingsForm(
        request.POST if request.method == "POST" else None,
        instance=instrument,
        anonymity_locked=anonymity_lock(instrument),
        answered=anyone_answered(instrument),
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        _audit_settings(request, instrument, before)
        messages.success(request, _("Settings of “%(title)s” saved.") % _title(instrument))
        return redirect("surveys:instrument", slug=programme.slug, pk=instrument.pk)
    context = {"programme": programme, "instrument": instrument, "form": form}
    status = 400 if request.method == "POST" else 200
    return render(request, "surveys/instruments/settings.html", context, status=status)


# ---------------------------------------------------------------- export


def export_filename(instrument: Instrument) -> str:
    """``<form_id>-<version>.xlsx`` with only safe characters."""
    stem = "-".join(part for part in (instrument.form_id, instrument.version) if part)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", stem).strip("._") or "instrument"
    return f"{safe}.xlsx"


@programme_view(reads_instruments)
@require_GET
def instrument_export(
    request: HttpRequest, programme: Programme, access: Access, pk: str
) -> HttpResponse:
    """The instrument as an XLSForm workbook; importing it gives the same definition."""
    instrument = _instrument(programme, int(pk))
    response = HttpResponse(write_xlsform(instrument.form), content_type=XLSX_TYPE)
    disposition = content_disposition_header(True, export_filename(instrument))
    response["Content-Disposition"] = disposition or "attachment"  # None only without filename
    return response
