"""Accounts: who can sign in, and single-use sign-in links.

A `User` is only a way to sign in. What a person may see or do in a programme
comes from their memberships (see ``peerlearn.programmes.permissions``), not
from the account, so one person can facilitate one module and attend another.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EmailUserManager(UserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)


class User(AbstractUser):
    """An account, identified by its e-mail address (the user name mirrors it)."""

    email = models.EmailField(_("e-mail address"), unique=True)

    objects = EmailUserManager()  # type: ignore[misc]

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        if not self.username:
            self.username = self.email
        super().save(*args, **kwargs)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh secret for an e-mailed link and the hash to store (the secret never is)."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


class HashedLink(models.Model):
    """What every personal link shares: a secret shown once, only its SHA-256 kept.

    Sign-in links, intake links, survey links and calendar feeds are all a
    URL with a random secret that stands for a person. Each keeps the hash
    only, so a copy of the database (a backup, a leaked dump) opens nothing;
    what differs is what the link opens and when it stops working, which the
    subclasses add (``used_at``, ``revoked_at``, an invitation's deadline).
    Rate limits on asking for links live in :mod:`peerlearn.accounts.throttle`.
    """

    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    @classmethod
    def create_with_token(cls, **fields: Any) -> tuple[Any, str]:
        """Store a new link with ``fields``; return it and its secret (never stored)."""
        token, digest = new_token()
        return cls._default_manager.create(token_hash=digest, **fields), token

    @classmethod
    def with_token(cls, token: str) -> models.QuerySet[Any]:
        """The links whose secret is ``token`` (at most one: the hash is unique)."""
        return cls._default_manager.filter(token_hash=hash_token(token))


class SignInLinkQuerySet(models.QuerySet["SignInLink"]):
    def usable(self) -> SignInLinkQuerySet:
        return self.filter(used_at__isnull=True, expires_at__gt=timezone.now())


class SignInLink(HashedLink):
    """A single-use sign-in link sent by e-mail.

    Only a hash of the token is stored (:class:`HashedLink`), so a copy of
    the database cannot be used to sign in as anyone.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    objects = SignInLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("sign-in link")
        verbose_name_plural = _("sign-in links")

    def __str__(self) -> str:
        return f"sign-in link for user {self.user_id}"

    @classmethod
    def issue(cls, user: User) -> str:
        """Create a link for ``user`` and return its secret token (shown once).

        At most ``SIGN_IN_LINKS_LIVE`` of the account's links stay usable:
        older ones are revoked, so a mailbox full of requests does not hold
        dozens of working links.
        """
        _link, token = cls.create_with_token(
            user=user, expires_at=timezone.now() + timedelta(hours=settings.SIGN_IN_LINK_HOURS)
        )
        cls.revoke_all_but_newest(user, settings.SIGN_IN_LINKS_LIVE)
        return token

    @classmethod
    def revoke_all_but_newest(cls, user: User, keep: int) -> int:
        """Expire the account's usable links except the ``keep`` newest; returns how many.

        A conditional UPDATE: only links still usable are touched, so a link
        redeemed meanwhile keeps its ``used_at``, and two requests issuing at
        once both leave the same newest links alive.
        """
        newest = (
            cls.objects.usable()
            .filter(user=user)
            .order_by("-created_at", "-pk")
            .values_list("pk", flat=True)
        )[:keep]
        now = timezone.now()
        return (
            cls.objects.usable()
            .filter(user=user)
            .exclude(pk__in=list(newest))
            .update(expires_at=now)
        )

    @classmethod
    def redeem(cls, token: str) -> User | None:
        """Mark the link used and return its user, or None if unknown, used or expired.

        The update is conditional so two clicks racing each other cannot both win.
        """
        link = cls.objects.usable().filter(token_hash=hash_token(token)).first()
        if link is None:
            return None
        claimed = cls.objects.usable().filter(pk=link.pk).update(used_at=timezone.now())
        if not claimed:
            return None
        return link.user


def signed_in_user(request: Any) -> User:
    """The request's user, for views already behind ``login_required``."""
    user = request.user
    if not isinstance(user, User):
        raise TypeError("signed_in_user() needs a signed-in user")
    return user
