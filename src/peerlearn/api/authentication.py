"""``Authorization: Token <secret>`` (or ``Bearer <secret>``) for the API.

A token that is unknown, revoked or expired is refused with 401 and a code
saying which (``token_unknown``, ``token_revoked``, ``token_expired``), so a
script's owner knows whether to make a new one.  Each use is recorded
(``last_used_at`` and an ``api.token_used`` audit event) at most once per
token per minute (:data:`peerlearn.api.models.USE_RECORD_INTERVAL`).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from peerlearn import audit
from peerlearn.api.models import ApiToken, hash_secret

KEYWORDS = (b"token", b"bearer")


class TokenRefused(exceptions.AuthenticationFailed):
    """401 with a specific code."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, code=code)


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise TokenRefused(
                _("Send the token as “Authorization: Token <token>”, with no spaces in it."),
                "token_malformed",
            )
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise TokenRefused(_("This token is not valid."), "token_unknown") from error
        token = (
            ApiToken.objects.select_related("user", "programme")
            .filter(token_hash=hash_secret(secret))
            .first()
        )
        if token is None or not token.user.is_active:
            raise TokenRefused(_("This token is not valid."), "token_unknown")
        if token.is_revoked:
            raise TokenRefused(_("This token was revoked; make a new one."), "token_revoked")
        if token.is_expired:
            raise TokenRefused(_("This token has expired; make a new one."), "token_expired")
        if token.note_use():
            audit.record(
                "api.token_used",
                request=request._request,
                actor=token.user,
                programme=token.programme,
                target=token,
                detail={"method": request.method, "path": request.path[:200]},
            )
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 (not 403) to a request without credentials.
        return 'Token realm="api"'
