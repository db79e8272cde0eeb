"""Survey answers through the API: the survey export, page by page.

Nothing here decides what a reader may see: ``export_plan`` (surveys/exports.py)
chooses the columns, names (identified instruments only), pseudonyms,
suppression below k and the published batches, exactly as for the CSV
download; the options are the export's own (``values``, ``headers``,
``split``).  The first page is recorded as a ``survey.export`` audit event,
as a download is.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.request import Request

from peerlearn import audit
from peerlearn.programmes.models import Programme
from peerlearn.programmes.permissions import Access
from peerlearn.surveys.exports import export_plan, export_rows
from peerlearn.surveys.models import Survey
from peerlearn.surveys.permissions import sees_identities
from peerlearn.surveys.views_results import _export_options, _label_language

PAGE_SIZE = 500
MAX_PAGE_SIZE = 5000


def _whole(request: Request, name: str, default: int, maximum: int | None = None) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or (name == "page_size" and int(raw) < 1):
        raise exceptions.ValidationError({name: [_("A whole number.")]}, code="invalid")
    value = int(raw)
    return min(value, maximum) if maximum is not None else value


def _json_cell(value: object) -> object:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def responses_page(
    request: Request, programme: Programme, access: Access, survey: Survey
) -> dict[str, Any]:
    options = _export_options(request._request)
    if isinstance(options, str):
        raise exceptions.ValidationError({"": [options]}, code="invalid")
    offset = _whole(request, "offset", 0)
    size = _whole(request, "page_size", PAGE_SIZE, MAX_PAGE_SIZE)
    with_names = sees_identities(access, survey)
    plan = export_plan(
        survey,
        values="codes" if options["values"] == "codes" else "labels",
        language=_label_language(request._request, survey.instrument.form),
        with_names=with_names,
        with_emails=with_names and access.sees_contact_of([survey.cohort_id]),
        headers="paths" if options["headers"] == "paths" else "names",
        split_multiple=bool(options["split_multiple"]),
        reuse_counts=True,  # the next page counts nothing again
    )
    # Only this page's rows are read (OFFSET/LIMIT), not every row before it.
    rows = [[_json_cell(cell) for cell in row] for row in export_rows(plan, offset, offset + size)]
    shown = 0 if plan.suppressed else plan.responses
    following = None
    if offset + size < shown:
        query = request.query_params.copy()
        query["offset"] = str(offset + size)
        query["page_size"] = str(size)
        following = request.build_absolute_uri(request.path + "?" + query.urlencode())
    if offset == 0:
        audit.record(
            "survey.export",
            request=request._request,
            programme=programme,
            target=survey,
            detail={
                "format": "api",
                "values": options["values"],
                "headers": plan.headers,
                "split": plan.split_multiple,
                "rows": shown,
                "names": plan.with_names,
                "emails": plan.with_emails,
            },
        )
    return {
        "survey": survey.pk,
        "responses": shown,
        "k": plan.k,
        "suppressed": plan.suppressed,
        "note": plan.note(),
        "columns": plan.header(),
        "rows": rows,
        "next": following,
    }
