"""Personal API tokens: named, scoped, expiring, revocable; only a hash is kept."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: Every token starts with this, so secret scanners and people recognise one.
TOKEN_PREFIX = "pl_"  # noqa: S105 - a marker, not a secret

SCOPE_CHOICES = (
    ("read", _("Read only")),
    ("write", _("Read and write")),
)

#: ``last_used_at`` (and the audit event that goes with it) is written at most
#: once per token per this interval, so a client polling the API does not
#: flood the audit log or write a row on every read (docs/api.md, "Tokens").
USE_RECORD_INTERVAL = timedelta(minutes=1)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiToken(models.Model):
    """A secret a person's scripts send as ``Authorization: Token <secret>``.

    The secret is shown once, when made; the database keeps its SHA-256 only
    (a leaked backup lets nobody in), plus its first characters so the owner
    can tell their tokens apart.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    scope = models.CharField(_("scope"), max_length=5, choices=SCOPE_CHOICES, default="read")
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        help_text=_("Empty: every programme you belong to."),
    )
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    #: The one-time value of the token page's form that made it (empty for the
    #: command line): a second submission of the same form makes nothing
    #: (unique per user, see ``api/pages.py``).
    form_nonce = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.UniqueConstraint(
                "user",
                "form_nonce",
                condition=~Q(form_nonce=""),
                name="api_token_one_per_form",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def issue(cls, user: Any, name: str, **fields: Any) -> tuple[ApiToken, str]:
        """Store a new token and return it with its secret (never stored)."""
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            token_hash=hash_secret(secret),
            hint=secret[: len(TOKEN_PREFIX) + 6],
            **fields,
        )
        return token, secret

    @property
    def read_only(self) -> bool:
        return self.scope != "write"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_live(self) -> bool:
        return not self.is_revoked and not self.is_expired

    def note_use(self) -> bool:
        """Set ``last_used_at`` unless set within :data:`USE_RECORD_INTERVAL`.

        One conditional UPDATE: of two requests racing in two processes only
        one wins, so each interval is recorded once.  True when this call
        recorded the use (the caller then writes the audit event).
        """
        now = timezone.now()
        updated = (
            ApiToken.objects.filter(pk=self.pk)
            .filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - USE_RECORD_INTERVAL))
            .update(last_used_at=now)
        )
        if updated:
            self.last_used_at = now
        return bool(updated)
