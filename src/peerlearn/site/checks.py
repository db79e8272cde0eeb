"""Deploy checks of our own, next to Django's (`peerlearn manage check --deploy`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


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


@register()
def similarity_backend_is_installed(app_configs: Any, **kwargs: Any) -> list[Error]:
    """A backend chosen but not installed fails at start-up, not in the first matching run.

    tf-idf needs only the base dependencies, so the engine (numpy, scipy,
    scikit-learn: seconds to import) is loaded here only for another choice.
    """
    if settings.SIMILARITY_BACKEND == "tfidf":
        return []
    from peerlearn.engine.similarity import SEMANTIC_INSTALL_HINT, available_backends

    if settings.SIMILARITY_BACKEND in available_backends():
        return []
    return [
        Error(
            f"PEERLEARN_SIMILARITY_BACKEND is {settings.SIMILARITY_BACKEND!r}, "
            "but its packages are not installed.",
            hint=f"Install the semantic extra ({SEMANTIC_INSTALL_HINT}) or set "
            "PEERLEARN_SIMILARITY_BACKEND=tfidf.",
            id="peerlearn.E001",
        )
    ]
