"""django-filter, made strict: a query parameter that is no filter is a 400.

Silently ignoring ``?cohrt=3`` would hand a BI tool the whole table while its
author believes it is filtered.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions

#: Parameters that are not filters but are understood everywhere.
GENERAL_PARAMETERS = frozenset({"cursor", "page_size", "format", "lang"})


class StrictFilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request: Any, queryset: Any, view: Any) -> Any:
        filterset_class = self.get_filterset_class(view, queryset)
        known = set(GENERAL_PARAMETERS) | set(getattr(view, "extra_query_parameters", ()))
        if filterset_class is not None:
            known |= set(filterset_class.base_filters)
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            raise exceptions.ValidationError(
                {
                    name: [
                        _("No such filter here. Filters: %(known)s.")
                        % {"known": ", ".join(sorted(known - GENERAL_PARAMETERS)) or "-"}
                    ]
                    for name in unknown
                },
                code="unknown_filter",
            )
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise exceptions.ValidationError(
                {name: [str(m) for m in messages] for name, messages in filterset.errors.items()},
                code="invalid_filter",
            )
        return filterset.qs
