from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "peerlearn.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from peerlearn.audit import history

        history.register_models()
