"""Absolute links for e-mails: one place decides which address they start with.

``PEERLEARN_SITE_URL`` wins when it is set (production: the public address,
whatever host a request came in on). When it is empty, links start with the
address of the request being answered, so a demo served on another port or
host still e-mails working links. Work done outside a request (cron jobs, task
workers, the command line) needs ``PEERLEARN_SITE_URL``; without it the link
cannot be built and the error says so.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponseBase

_current_request: ContextVar[HttpRequest | None] = ContextVar("current_request", default=None)


def absolute_url(path: str, request: HttpRequest | None = None) -> str:
    """``path`` (from ``reverse``) as a full address someone can open from an e-mail."""
    if settings.SITE_URL:
        return settings.SITE_URL + path
    request = request or _current_request.get()
    if request is not None:
        return request.build_absolute_uri(path)
    raise ImproperlyConfigured(
        "PEERLEARN_SITE_URL must be set to build links outside a web request "
        "(cron jobs, task workers, the command line), e.g. https://peerlearn.example.org"
    )


class CurrentRequestMiddleware:
    """Remember the request being answered, for links built deep in services.

    Services that e-mail links (sign-in, intake, surveys) are called from views
    and from cron jobs alike and take no request; a context variable gives them
    the request's host without threading it through every call.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)
