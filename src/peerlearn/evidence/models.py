"""A data package built in the background for one requester.

One build at a time per programme (a partial unique constraint over the
queued and running builds), so a second request while one is building is
told so instead of starting another.  The finished zip is kept in the
database, like roster uploads, so whichever app server answers the download
has it; only its requester may download it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

STATUS_CHOICES = (
    ("queued", _("Queued")),
    ("running", _("Building")),
    ("done", _("Ready")),
    ("failed", _("Failed")),
)
ACTIVE = ("queued", "running")


class PackageBuild(models.Model):
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="package_builds"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=STATUS_CHOICES, default="queued")
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    error = models.TextField(_("error"), blank=True)
    archive = models.BinaryField(default=b"", blank=True)
    archive_size = models.PositiveBigIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("data package")
        verbose_name_plural = _("data packages")
        constraints = [
            models.UniqueConstraint(
                "programme",
                condition=Q(status__in=ACTIVE),
                name="package_build_one_active_per_programme",
            )
        ]

    def __str__(self) -> str:
        return f"data package {self.pk} of programme {self.programme_id}"

    @property
    def active(self) -> bool:
        return self.status in ACTIVE
