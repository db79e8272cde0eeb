"""Theory-of-change records (decisions in docs/theory-of-change.md).

Nodes and links live in each revision's JSON snapshot, not in tables: a
revision is then complete by construction, old maps cannot drift when a
node is edited later, and the diff between two revisions is the engine's
:func:`~peerlearn.engine.theory.diff` of two snapshots.  Evidence ties and
overrides name a node or link by its id in the map, so they survive
revisions that keep the id.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerlearn.engine.theory import STATUSES

STATUS_CHOICES = [(s, s) for s in STATUSES]


class TheoryOfChange(models.Model):
    """One per programme; ``draft`` is the working copy facilitators edit."""

    programme = models.OneToOneField(
        "programmes.Programme", on_delete=models.CASCADE, related_name="theory_of_change"
    )
    draft = models.JSONField(_("working copy"), default=dict)
    shared_with_participants = models.BooleanField(
        _("participants and observers read the approved map"), default=False
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("theory of change")
        verbose_name_plural = _("theories of change")

    def __str__(self) -> str:
        return str(self.programme)


class Revision(models.Model):
    """A proposed map; it counts from ``approved_at`` on (the map of a date is the
    last revision approved by then)."""

    theory = models.ForeignKey(TheoryOfChange, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("revision"))
    created_at = models.DateTimeField(_("proposed"), default=timezone.now)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("why"), max_length=3000)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    snapshot = models.JSONField(_("map"), default=dict)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint("theory", "number", name="theory_revision_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.theory} r{self.number}"


class EvidenceTie(models.Model):
    """A node or link (``element`` = its id in the map) tied to one source of evidence.

    ``params`` depends on ``kind`` (the registry in :mod:`.evidence`): for a
    survey question ``{"instrument": id, "question": name, "baseline": x,
    "target": y, "direction": "increase"}``.
    """

    theory = models.ForeignKey(TheoryOfChange, on_delete=models.CASCADE, related_name="ties")
    element = models.CharField(_("node or link"), max_length=80)
    kind = models.CharField(_("kind of evidence"), max_length=40)
    params = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["element", "pk"]

    def __str__(self) -> str:
        return f"{self.element}: {self.kind}"


class StatusOverride(models.Model):
    """A facilitator's status for a node or link, with the reason; the latest one counts.

    Clearing an override is a row with an empty status, so the history stays.
    """

    theory = models.ForeignKey(TheoryOfChange, on_delete=models.CASCADE, related_name="overrides")
    element = models.CharField(_("node or link"), max_length=80)
    status = models.CharField(_("status"), max_length=20, blank=True)
    reason = models.TextField(_("reason"), max_length=2000)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.element}: {self.status or '-'}"
