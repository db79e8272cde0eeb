"""One JSON shape for every API error (docs/api.md, "Errors").

::

    {"error": {"status": 404, "code": "not_found", "message": "...", "fields": {...}}}

``code`` is stable and meant for programs; ``message`` is for people, in the
request's language; ``fields`` (400 only) maps each refused field to its
messages.  Unexpected exceptions become a 500 in the same shape, without
details (they are logged as any server error).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

logger = logging.getLogger("django.request")


def error_body(status_code: int, code: str, message: str, fields: Any = None) -> dict[str, Any]:
    error: dict[str, Any] = {"status": status_code, "code": code, "message": message}
    if fields:
        error["fields"] = fields
    return {"error": error}


def _flatten(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {str(key): _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_flatten(item) for item in detail]
    return str(detail)


def _first_leaf(detail: Any) -> Any:
    if isinstance(detail, dict):
        return _first_leaf(next(iter(detail.values()), None))
    if isinstance(detail, list):
        return _first_leaf(detail[0]) if detail else None
    return detail


def _code_of(exc: exceptions.APIException) -> str:
    """The first error's code: ``unknown_filter``, ``required``, ``token_expired``..."""
    leaf = _first_leaf(exc.detail)
    if isinstance(leaf, exceptions.ErrorDetail) and leaf.code:
        return str(leaf.code)
    return str(exc.default_code)


def _message_of(exc: exceptions.APIException) -> str:
    detail = exc.detail
    if isinstance(exc, exceptions.ValidationError) or isinstance(detail, dict | list):
        return _("Some of what was sent is not valid; see “fields”.")
    return str(detail)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(_("You may not do this here."))
    response = exception_handler(exc, context)
    if response is None:
        logger.error("API error", exc_info=exc)
        return Response(
            error_body(500, "server_error", _("Something went wrong on our side.")),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    assert isinstance(exc, exceptions.APIException)
    fields = None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail if isinstance(exc.detail, dict) else {"": exc.detail})
    response.data = error_body(response.status_code, _code_of(exc), _message_of(exc), fields)
    return response


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """An address under /api/v1/ that does not exist (outside DRF's views)."""
    return JsonResponse(error_body(404, "not_found", _("Not found.")), status=404)
