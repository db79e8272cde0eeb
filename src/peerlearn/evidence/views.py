"""The programme dashboard and the funder report (HTML and PDF).

Both call :func:`peerlearn.evidence.figures.headline_figures` once per
request with the same scope and draw :func:`peerlearn.evidence.presenting.sections`
from that one :class:`Figures`, so a figure on the report is the figure on
the dashboard.  Readers: the programme's facilitators and evaluators (as for
the data package).  The report, and the dashboard's evaluator and funder
views, read the programme as its evaluators do (``outside``); the
facilitator view shows a facilitator everything they may read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from peerlearn.evidence.figures import Figures, Scope, headline_figures
from peerlearn.evidence.pdf import report_pdf_bytes
from peerlearn.evidence.presenting import ROLE_LABELS, ROLE_SECTIONS, sections
from peerlearn.programmes.decorators import programme_view
from peerlearn.programmes.models import Programme
from peerlearn.programmes.package_scope import builds_package
from peerlearn.programmes.permissions import Access


@dataclass
class Request:
    scope: Scope
    role: str
    errors: list[str]

    def query(self) -> str:
        parts = []
        if self.scope.cohort is not None:
            parts.append(f"cohort={self.scope.cohort.pk}")
        if self.scope.start:
            parts.append(f"start={self.scope.start.isoformat()}")
        if self.scope.end:
            parts.append(f"end={self.scope.end.isoformat()}")
        return "&".join(parts)


def _date(value: str, errors: list[str], message: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.append(message)
        return None


def read_request(request: HttpRequest, programme: Programme, access: Access) -> Request:
    """The scope and audience asked for; unknown values become errors, never a 500."""
    errors: list[str] = []
    cohort = None
    raw = request.GET.get("cohort", "")
    if raw:
        cohort = programme.cohorts.filter(pk=int(raw)).first() if raw.isdigit() else None
        if cohort is None:
            errors.append(_("There is no such cohort in this programme."))
    start = _date(
        request.GET.get("start", ""), errors, _("The start date must look like 2026-03-31.")
    )
    end = _date(request.GET.get("end", ""), errors, _("The end date must look like 2026-03-31."))
    if start and end and end < start:
        errors.append(_("The end of the period is before its start."))
        start = end = None
    default = "facilitator" if access.manages_programme else "evaluator"
    role = request.GET.get("view", default)
    if role not in ROLE_SECTIONS:
        errors.append(_("There is no such view of the dashboard."))
        role = default
    return Request(Scope(programme, cohort, start, end), role, errors)


def _context(programme: Programme, asked: Request, figures: Figures) -> dict:
    return {
        "programme": programme,
        "figures": figures,
        "sections": sections(figures, asked.role),
        "asked": asked,
        "query": asked.query(),
        "roles": [(key, label) for key, label in ROLE_LABELS.items()],
        "cohorts": list(programme.cohorts.all()),
        "generated": timezone.now(),
    }


def outside(role: str) -> bool:
    """Views meant for readers beyond the facilitators read as the evaluators do."""
    return role != "facilitator"


@require_GET
@programme_view(builds_package)
def dashboard(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    asked = read_request(request, programme, access)
    figures = headline_figures(asked.scope, access, outside=outside(asked.role))
    status = 400 if asked.errors else 200
    return render(
        request, "evidence/dashboard.html", _context(programme, asked, figures), status=status
    )


@require_GET
@programme_view(builds_package)
def report(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    asked = read_request(request, programme, access)
    asked.role = "funder"
    figures = headline_figures(asked.scope, access, outside=True)
    status = 400 if asked.errors else 200
    return render(
        request, "evidence/report.html", _context(programme, asked, figures), status=status
    )


@require_GET
@programme_view(builds_package)
def report_pdf(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    asked = read_request(request, programme, access)
    if asked.errors:
        return HttpResponse(" ".join(asked.errors), status=400, content_type="text/plain")
    figures = headline_figures(asked.scope, access, outside=True)
    data = report_pdf_bytes(programme, asked.scope, sections(figures, "funder"), figures)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{programme.slug}-report.pdf"'
    response["Cache-Control"] = "no-store, private"
    return response
