"""View decorators that load a programme and enforce who may see it.

Outsiders get 404 (a programme's existence is itself private); members
without the needed role get 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from peerlearn.programmes.models import Programme
from peerlearn.programmes.permissions import Access, access_for

Check = Callable[[Access], bool]


def _is_member(access: Access) -> bool:
    return access.any_role


def programme_view(check: Check = _is_member) -> Callable[..., Callable[..., HttpResponse]]:
    """Wrap a view ``view(request, programme, access, ...)`` taking ``slug`` from the URL."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            programme = get_object_or_404(Programme, slug=slug)
            access = access_for(request.user, programme)
            if not access.any_role:
                raise Http404
            if not check(access):
                raise PermissionDenied
            return view(request, programme, access, *args, **kwargs)

        return wrapped

    return decorate


def manages_programme(access: Access) -> bool:
    return access.manages_programme


def manages_any_cohort(access: Access) -> bool:
    return access.manages_any_cohort
