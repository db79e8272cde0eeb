"""Which programme a request may reach, under the pages' rules.

The API decides nothing of its own: ``access_for`` (programmes/permissions.py)
gives the caller's roles, the same check functions the pages use decide, and
outsiders get 404 as on the pages.  A token bound to one programme makes every
other programme an outsider's (404); a read-only token is refused any write
(403 ``read_only_token``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from peerlearn.api.models import ApiToken
from peerlearn.programmes.models import Programme
from peerlearn.programmes.permissions import Access, access_for, visible_programmes

Check = Callable[[Access], bool]


def token_of(request: Request) -> ApiToken | None:
    return request.auth if isinstance(request.auth, ApiToken) else None


def reachable_programmes(request: Request) -> QuerySet[Programme]:
    """The programmes the caller belongs to, narrowed to the token's programme."""
    programmes = visible_programmes(request.user)
    token = token_of(request)
    if token is not None and token.programme_id is not None:
        programmes = programmes.filter(pk=token.programme_id)
    return programmes


def programme_access(request: Request, slug: str, check: Check) -> tuple[Programme, Access]:
    """The programme and the caller's roles in it: 404 for outsiders, 403 without ``check``."""
    programme = Programme.objects.filter(slug=slug).first()
    token = token_of(request)
    if programme is None or (token is not None and token.programme_id not in (None, programme.pk)):
        raise exceptions.NotFound(_("No such programme (or it is not yours to see)."))
    access = access_for(request.user, programme)
    if not access.any_role:
        raise exceptions.NotFound(_("No such programme (or it is not yours to see)."))
    if not check(access):
        raise exceptions.PermissionDenied(_("Your role in this programme does not allow this."))
    return programme, access


class TokenScope(BasePermission):
    """Signed in (token or session), and a read-only token only reads."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            raise exceptions.NotAuthenticated(
                _("Send an API token: “Authorization: Token <token>”.")
            )
        token = token_of(request)
        if token is not None and token.read_only and request.method not in SAFE_METHODS:
            raise exceptions.PermissionDenied(
                _("This token is read-only: make a read-and-write token to change things."),
                code="read_only_token",
            )
        return True
