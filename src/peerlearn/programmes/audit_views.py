"""The audit log's pages: a programme's facilitators read their programme's events, staff
read all. The log itself (models, ``audit.record``) sits in ``audit``, below every app."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from peerlearn import audit
from peerlearn.audit.labels import ACTION_LABELS, action_label
from peerlearn.audit.models import AuditEvent
from peerlearn.core.writing import neutralise
from peerlearn.programmes.decorators import manages_programme, programme_view
from peerlearn.programmes.models import Programme
from peerlearn.programmes.permissions import Access

PAGE_SIZE = 50


@programme_view(manages_programme)
def programme_log(request: HttpRequest, programme: Programme, access: Access) -> HttpResponse:
    events = AuditEvent.objects.filter(programme=programme)
    return _render_log(request, events, programme=programme)


@programme_view(manages_programme)
def programme_log_csv(
    request: HttpRequest, programme: Programme, access: Access
) -> StreamingHttpResponse:
    events = _filtered(request, AuditEvent.objects.filter(programme=programme))
    audit.record("audit.export", request=request, programme=programme)
    return _csv_response(events, f"audit-{programme.slug}.csv")


@login_required
def site_log(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    return _render_log(request, AuditEvent.objects.all(), programme=None)


@login_required
def site_log_csv(request: HttpRequest) -> StreamingHttpResponse:
    _require_staff(request)
    events = _filtered(request, AuditEvent.objects.all())
    audit.record("audit.export", request=request)
    return _csv_response(events, "audit.csv")


def _require_staff(request: HttpRequest) -> None:
    if not request.user.is_staff:
        raise PermissionDenied


def _filtered(request: HttpRequest, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
    """Narrow by ``?action=`` (an exact key; unknown keys simply match nothing)."""
    action = request.GET.get("action", "").replace("\x00", "")
    return events.filter(action=action) if action else events


def _render_log(
    request: HttpRequest, events: QuerySet[AuditEvent], *, programme: Programme | None
) -> HttpResponse:
    events = _filtered(request, events).select_related("programme")
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"event": event, "label": action_label(event.action)} for event in page]
    choices = sorted(
        ((key, str(label)) for key, label in ACTION_LABELS.items()), key=lambda c: c[1]
    )
    return render(
        request,
        "audit/log.html",
        {
            "programme": programme,
            "page": page,
            "rows": rows,
            "choices": choices,
            "action": request.GET.get("action", ""),
        },
    )


class _Echo:
    """A file-like object whose write returns the line, for streaming csv rows."""

    def write(self, value: str) -> str:
        return value


def _csv_response(events: QuerySet[AuditEvent], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_csv_rows(events), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _csv_rows(events: QuerySet[AuditEvent]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(
        [
            _("when (UTC)"),
            _("action"),
            _("what"),
            _("who"),
            _("programme id"),
            _("record type"),
            _("record id"),
            _("record"),
            _("reason given"),
            _("detail"),
            _("client address"),
        ]
    )
    for event in events.order_by("at", "pk").iterator(chunk_size=2000):
        yield writer.writerow(
            [
                event.at.isoformat(),
                event.action,
                action_label(event.action),
                neutralise(event.actor_label),
                event.programme_id or "",
                event.target_type,
                event.target_id,
                neutralise(event.target_label),
                neutralise(event.reason),
                neutralise(_json(event.detail)),
                event.client_ip or "",
            ]
        )


def _json(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)
