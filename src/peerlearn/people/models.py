"""The network: organisations and people.

What a person does in a programme (memberships, challenges, roster files)
belongs to the apps above: ``programmes``, ``intake`` and ``roster``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from peerlearn.accounts.models import signed_in_user
from peerlearn.people.choices import ORGANISATION_KIND_CHOICES, SENIORITY_CHOICES


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO code"))
    kind = models.CharField(
        _("kind"), max_length=20, choices=ORGANISATION_KIND_CHOICES, default="other"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [models.UniqueConstraint(Lower("name"), name="organisation_name_unique_ci")]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """Anyone in the network: a peer, an external or resource peer, an alumnus,
    a facilitator or an evaluator.  What they do in a programme is a
    membership (``programmes.Membership``), not a property of the person."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), unique=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
    )
    country = models.CharField(_("country"), max_length=2, blank=True)
    role_title = models.CharField(_("formal role or title"), max_length=200, blank=True)
    seniority = models.CharField(
        _("seniority"), max_length=20, choices=SENIORITY_CHOICES, blank=True
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    gender = models.CharField(_("gender (self-described, optional)"), max_length=64, blank=True)
    is_external = models.BooleanField(_("external or resource peer"), default=False)
    is_alumni = models.BooleanField(_("alumni"), default=False)
    consent_to_contact = models.BooleanField(_("agrees to be contacted"), default=False)
    invited_at = models.DateTimeField(_("last invited"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    def site_language(self) -> str:
        """The first of the person's languages the site speaks, else the site's default.

        E-mails and pages addressed to the person are written in it.
        """
        supported = {code for code, _name in settings.LANGUAGES}
        for code in self.languages or []:
            if code in supported:
                return str(code)
        return str(settings.LANGUAGE_CODE)


def signed_in_person(request: Any) -> Person | None:
    """The Person of the request's signed-in user (``None`` for accounts without one)."""
    return Person.objects.filter(user=signed_in_user(request)).first()
