"""Cursor pagination: stable under inserts, ids never reused, cursors opaque.

A cursor that was changed by hand is a 400 ``invalid_cursor`` (DRF's own
answer is a 404, which would read as "this resource does not exist").
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.pagination import CursorPagination


class InvalidCursor(exceptions.APIException):
    status_code = 400
    default_code = "invalid_cursor"


class IdCursorPagination(CursorPagination):
    ordering = "pk"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound as error:
            raise InvalidCursor(
                _("This page cursor is not valid: use the “next” address as given.")
            ) from error

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and not (raw.isdigit() and int(raw) > 0):
            raise exceptions.ValidationError(
                {self.page_size_query_param: [_("A whole number of at least 1.")]},
                code="invalid",
            )
        return super().get_page_size(request)
