"""Flat feeds for BI tools: the data package's tables, live, as CSV and JSON.

``/api/v1/feeds/`` lists every feed the caller may read; each is a table of
their data package (:func:`peerlearn.evidence.datapackage.iter_reader_tables`),
or a survey's responses and each of its repeats' linked tables
(:mod:`peerlearn.surveys.exports`, ``_index``/``_parent_index`` as the
survey exports do).

Decisions
---------
* **The package's rules, not new ones.** A feed is a table of the caller's
  data package: the same scope (``programmes/package_scope.py``: the whole programme
  for its facilitators and evaluators, their cohorts for a cohort's
  facilitator), the same columns, pseudonyms, k-suppression and privacy
  rules, because the rows come from the same ``package.py`` functions and
  the CSV from the same writer (:func:`~peerlearn.evidence.datapackage.csv_text`).
  Who may read them is :func:`~peerlearn.programmes.package_scope.asks_for_package`
  through :func:`~peerlearn.api.access.programme_access`: 404 for outsiders
  (and tokens bound to another programme), 403 for members who get no
  package, 404 for a table or survey not in the caller's package.
* **Surveys**: ``surveys/<id>/responses`` is the survey export with its
  options (``values``, ``headers``, ``split``, ``lang``) and the package's
  person ids for pseudonymous instruments; ``surveys/<id>/repeats/<name>``
  one repeat's linked table.
* **CSV is streamed** (UTF-8, no byte-order mark, one header row), so a
  100,000-row table is never held in memory; JSON follows the OData minimal
  subset (:mod:`peerlearn.api.odata`).
* **Audited**: reading a table is an ``api.feed_read`` event (the JSON's
  first page only), reading a survey a ``survey.export`` as downloads are,
  beside the token's own ``api.token_used``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from peerlearn import audit
from peerlearn.api import odata
from peerlearn.api.access import programme_access, reachable_programmes
from peerlearn.core.tabular import Table
from peerlearn.evidence.datapackage import csv_text, iter_reader_tables, scoped_modules
from peerlearn.programmes.models import Programme
from peerlearn.programmes.package_scope import (
    PackageScope,
    asks_for_package,
    package_scope,
    scope_of,
)
from peerlearn.programmes.permissions import access_for
from peerlearn.surveys.exports import ExportPlan, repeat_plans
from peerlearn.surveys.models import Survey
from peerlearn.surveys.package import feed_table, in_scope, plan_for, scoped_surveys
from peerlearn.surveys.views_results import _export_options, _label_language

CSV_TYPE = "text/csv; charset=utf-8"
SURVEY_OPTIONS = ("values", "headers", "split", "lang")


class FirstRenderer(BaseContentNegotiation):
    """The view's first renderer whatever ``Accept`` says: a CSV feed answers
    CSV to ``Accept: text/csv`` (not a 406) and its errors in the API's JSON."""

    def select_parser(self, request: Request, parsers: Any) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Request, renderers: Any, format_suffix: Any = None) -> Any:
        return renderers[0], renderers[0].media_type


class FeedView(APIView):
    content_negotiation_class = FirstRenderer


# ----------------------------------------------------------------- finding


def find_table(programme: Programme, user: Any, name: str) -> Table | None:
    """The caller's package table ``name``, made without making the others it can skip.

    The apps' ``package`` modules are asked in the package's order, as
    :func:`~peerlearn.evidence.datapackage.iter_reader_tables` does; one that
    names its tables (``table_names``) and does not name this one is skipped
    without making its tables, and one that makes a single table (``table``)
    makes only that one.  Without this, a feed of the sessions made every
    survey's tables first, counting every answer twice (``benchmarks/feeds.py``).
    """
    scope = package_scope(programme, user)
    if scope is None:
        return None
    for module in scoped_modules(scope):
        names = getattr(module, "table_names", None)
        if names is not None and name not in names(programme, user):
            continue
        single = getattr(module, "table", None)
        if single is not None:
            return single(programme, user, name)
        found = next((t for t in module.tables(programme, user) if t.name == name), None)
        if found is not None:
            return found
    return None


def _no_such(what: str) -> exceptions.NotFound:
    return exceptions.NotFound(
        _("No such %(what)s in your data package.") % {"what": what}, code="not_found"
    )


def programme_table(request: Request, slug: str, name: str) -> tuple[Programme, Table]:
    programme, _access = programme_access(request, slug, asks_for_package)
    table = find_table(programme, request.user, name)
    if table is None:
        raise _no_such(_("table"))
    return programme, table


def survey_in_scope(request: Request, pk: int) -> tuple[Survey, PackageScope]:
    """The survey if it is in the caller's package (404 otherwise, as a hidden record)."""
    survey = Survey.objects.select_related("programme", "instrument").filter(pk=pk).first()
    if survey is None:
        raise _no_such(_("survey"))
    programme, access = programme_access(request, survey.programme.slug, asks_for_package)
    scope = scope_of(programme, access)
    if scope is None or not in_scope(scope, survey):
        raise _no_such(_("survey"))
    return survey, scope


def survey_plan(request: Request, survey: Survey, scope: PackageScope) -> ExportPlan:
    """The export plan the survey's download would make, with the query's options."""
    options = _export_options(request._request)
    if isinstance(options, str):
        raise exceptions.ValidationError({"": [options]}, code="invalid")
    return plan_for(
        survey,
        scope.access,
        str(options["values"]),
        headers=str(options["headers"]),
        split_multiple=bool(options["split_multiple"]),
        language=_label_language(request._request, survey.instrument.form),
    )


def repeat_plan(plan: ExportPlan, name: str) -> ExportPlan:
    found = next((p for p in repeat_plans(plan) if p.repeat == name), None)
    if found is None:
        raise _no_such(_("repeat"))
    return found


# ----------------------------------------------------------------- answers


def csv_response(table: Table, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        (text.encode("utf-8") for text in csv_text(table)), content_type=CSV_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    return response


def json_response(
    request: Request, page: odata.Paging, table: Table, counted: Callable[[], int]
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        odata.json_pages(request, page, table, counted), content_type="application/json"
    )
    response["Cache-Control"] = "no-store, private"
    return response


def _survey_audit(request: Request, plan: ExportPlan, fmt: str) -> None:
    audit.record(
        "survey.export",
        request=request._request,
        programme=plan.survey.programme,
        target=plan.survey,
        detail={
            "format": f"feed-{fmt}",
            "values": plan.values,
            "headers": plan.headers,
            "split": plan.split_multiple,
            "repeat": plan.repeat,
            "rows": 0 if plan.suppressed else plan.responses,
            "names": plan.with_names,
            "emails": plan.with_emails,
        },
    )


def _with_note(response: StreamingHttpResponse, plan: ExportPlan) -> StreamingHttpResponse:
    if plan.note():
        response["X-Peerlearn-Suppressed"] = plan.note()
    return response


# ----------------------------------------------------------------- schema

CSV_RESPONSE = {(200, "text/csv"): OpenApiTypes.STR}
JSON_RESPONSE = {
    200: odata.json_rows_schema("One page of rows: the OData minimal subset (docs/api.md)")
}
ODATA_PARAMETERS = [
    OpenApiParameter("$top", int, description="At most this many rows", required=False),
    OpenApiParameter("$skip", int, description="Leave out this many rows first"),
    OpenApiParameter("$count", str, enum=["true", "false"], description="Add @odata.count"),
]
SURVEY_PARAMETERS = [
    OpenApiParameter("values", str, enum=["labels", "codes"]),
    OpenApiParameter("headers", str, enum=["names", "paths"]),
    OpenApiParameter("split", str, enum=["0", "1"]),
    OpenApiParameter("lang", str, description="Language of the labels"),
]


class FeedEntrySerializer(serializers.Serializer):
    programme = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=["table", "survey", "repeat"])
    title = serializers.CharField(allow_blank=True)
    description = serializers.CharField(allow_blank=True)
    survey = serializers.IntegerField(allow_null=True)
    columns = serializers.ListField(child=serializers.DictField(), allow_null=True)
    csv = serializers.URLField()
    json = serializers.URLField()


class FeedIndexSerializer(serializers.Serializer):
    feeds = FeedEntrySerializer(many=True)


# ----------------------------------------------------------------- views


class FeedIndex(FeedView):
    """Every feed the caller may read: each data-package table, each survey's
    responses and repeats, with its CSV and JSON address (``?programme=SLUG``: one)."""

    @extend_schema(
        parameters=[OpenApiParameter("programme", str, description="A programme's slug")],
        responses={200: FeedIndexSerializer},
    )
    def get(self, request: Request) -> Response:
        odata.refuse_unknown(request, ["programme"])
        wanted = request.query_params.get("programme")
        entries: list[dict[str, Any]] = []
        for programme in reachable_programmes(request).order_by("pk"):
            if wanted is None or programme.slug == wanted:
                entries += _programme_entries(request, programme)
        return Response({"feeds": entries})


def _urls(request: Request, name: str, *args: Any) -> dict[str, str]:
    return {
        fmt: request.build_absolute_uri(reverse(f"api:{name}_{fmt}", args=args))
        for fmt in ("csv", "json")
    }


def _programme_entries(request: Request, programme: Programme) -> list[dict[str, Any]]:
    scope = scope_of(programme, access_for(request.user, programme))
    if scope is None:
        return []
    out: list[dict[str, Any]] = []
    for table in iter_reader_tables(programme, request.user):
        out.append(
            {
                "programme": programme.slug,
                "name": table.name,
                "kind": "table",
                "title": table.title,
                "description": table.description,
                "survey": None,
                "columns": [
                    {"name": c.name, "type": c.type, "description": c.description}
                    for c in table.columns
                ],
                **_urls(request, "feed", programme.slug, table.name),
            }
        )
    for survey in scoped_surveys(scope):
        base: dict[str, Any] = {"programme": programme.slug, "survey": survey.pk, "columns": None}
        out.append(
            base
            | {"name": f"survey_{survey.pk}/responses", "kind": "survey"}
            | {"title": survey.title, "description": survey.instrument.title}
            | _urls(request, "survey_feed", survey.pk)
        )
        for repeat in survey.instrument.form.repeats():
            out.append(
                base
                | {"name": f"survey_{survey.pk}/repeats/{repeat.name}", "kind": "repeat"}
                | {"title": f"{survey.title}: {repeat.name}", "description": ""}
                | _urls(request, "repeat_feed", survey.pk, repeat.name)
            )
    return out


class TableFeedCsv(FeedView):
    """A table of the caller's data package as CSV (streamed)."""

    @extend_schema(responses=CSV_RESPONSE)
    def get(self, request: Request, slug: str, table: str) -> StreamingHttpResponse:
        odata.refuse_unknown(request, [])
        programme, found = programme_table(request, slug, table)
        _table_audit(request, programme, found, "csv")
        return csv_response(found, f"{programme.slug}-{found.name}.csv")


class TableFeedJson(FeedView):
    """A table of the caller's data package as JSON (``$top``, ``$skip``, ``$count``)."""

    @extend_schema(parameters=ODATA_PARAMETERS, responses=JSON_RESPONSE)
    def get(self, request: Request, slug: str, table: str) -> StreamingHttpResponse:
        odata.refuse_unknown(request, odata.OPTIONS)
        page = odata.paging(request)
        programme, found = programme_table(request, slug, table)
        if page.first_page:
            _table_audit(request, programme, found, "json")

        def counted() -> int:
            again = find_table(programme, request.user, table)
            return sum(1 for _row in again.rows) if again is not None else 0

        return json_response(request, page, found, counted)


def _table_audit(request: Request, programme: Programme, table: Table, fmt: str) -> None:
    audit.record(
        "api.feed_read",
        request=request._request,
        programme=programme,
        detail={"table": table.name, "format": fmt},
    )


class SurveyFeedCsv(FeedView):
    """A survey's responses as its export gives them, as CSV (streamed)."""

    @extend_schema(parameters=SURVEY_PARAMETERS, responses=CSV_RESPONSE)
    def get(self, request: Request, pk: int) -> StreamingHttpResponse:
        odata.refuse_unknown(request, SURVEY_OPTIONS)
        survey, scope = survey_in_scope(request, pk)
        plan = survey_plan(request, survey, scope)
        _survey_audit(request, plan, "csv")
        return _with_note(csv_response(feed_table(plan), f"survey-{pk}-responses.csv"), plan)


class SurveyFeedJson(FeedView):
    """A survey's responses as JSON (``$top``, ``$skip``, ``$count``)."""

    @extend_schema(parameters=SURVEY_PARAMETERS + ODATA_PARAMETERS, responses=JSON_RESPONSE)
    def get(self, request: Request, pk: int) -> StreamingHttpResponse:
        odata.refuse_unknown(request, SURVEY_OPTIONS + odata.OPTIONS)
        page = odata.paging(request)
        survey, scope = survey_in_scope(request, pk)
        plan = survey_plan(request, survey, scope)
        if page.first_page:
            _survey_audit(request, plan, "json")
        table = feed_table(plan)
        response = json_response(request, page, table, lambda: _rows_of(plan))
        return _with_note(response, plan)


def _rows_of(plan: ExportPlan) -> int:
    return sum(1 for _row in feed_table(plan).rows)


class RepeatFeedCsv(FeedView):
    """One repeat's linked table (``_index``, ``_parent_index``) as CSV (streamed)."""

    @extend_schema(parameters=SURVEY_PARAMETERS, responses=CSV_RESPONSE)
    def get(self, request: Request, pk: int, repeat: str) -> StreamingHttpResponse:
        odata.refuse_unknown(request, SURVEY_OPTIONS)
        survey, scope = survey_in_scope(request, pk)
        plan = repeat_plan(survey_plan(request, survey, scope), repeat)
        _survey_audit(request, plan, "csv")
        return _with_note(csv_response(feed_table(plan), f"survey-{pk}-{repeat}.csv"), plan)


class RepeatFeedJson(FeedView):
    """One repeat's linked table as JSON (``$top``, ``$skip``, ``$count``)."""

    @extend_schema(parameters=SURVEY_PARAMETERS + ODATA_PARAMETERS, responses=JSON_RESPONSE)
    def get(self, request: Request, pk: int, repeat: str) -> StreamingHttpResponse:
        odata.refuse_unknown(request, SURVEY_OPTIONS + odata.OPTIONS)
        page = odata.paging(request)
        survey, scope = survey_in_scope(request, pk)
        plan = repeat_plan(survey_plan(request, survey, scope), repeat)
        if page.first_page:
            _survey_audit(request, plan, "json")
        response = json_response(request, page, feed_table(plan), lambda: _rows_of(plan))
        return _with_note(response, plan)
