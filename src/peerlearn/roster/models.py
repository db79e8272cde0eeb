"""Roster files waiting for a facilitator's confirmation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RosterUpload(models.Model):
    """A roster file waiting for the facilitator to confirm its preview.

    The file itself is kept (in the database, so every app server sees it)
    until it is applied; confirming validates it again against the database
    as it is then, and applies it all-or-nothing.
    """

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="roster_uploads"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=255)
    data = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("roster upload")
        verbose_name_plural = _("roster uploads")
        db_table = "people_rosterupload"  # moved from people (issue 11); the table stays

    def __str__(self) -> str:
        return self.filename
