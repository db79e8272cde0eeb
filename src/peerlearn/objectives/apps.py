from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObjectivesConfig(AppConfig):
    name = "peerlearn.objectives"
    label = "objectives"
    verbose_name = _("Objectives, outcomes, authorisations and risks")

    def ready(self) -> None:
        from peerlearn.objectives import dashboard  # noqa: F401 - registers its Today panels
