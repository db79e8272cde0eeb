from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The site itself: settings checks and site-wide commands (purge_uploads)."""

    name = "peerlearn.site"
    label = "peerlearn_site"
    verbose_name = "peerlearn site"

    def ready(self) -> None:
        from peerlearn.site import checks  # noqa: F401 - registers the deploy checks
