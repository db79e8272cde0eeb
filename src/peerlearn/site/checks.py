"""Deploy checks of our own, next to Django's (`peerlearn manage check --deploy`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def site_url_is_set(app_configs: Any, **kwargs: Any) -> list[Warning]:
    """Cron jobs and task workers e-mail links: they have no request to take a host from."""
    if settings.SITE_URL:
        return []
    return [
        Warning(
            "PEERLEARN_SITE_URL is not set: e-mails sent by cron jobs and task workers "
            "cannot contain links.",
            hint="Set PEERLEARN_SITE_URL to the public address, e.g. https://peerlearn.example.org",
            id="peerlearn.W001",
        )
    ]
