from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "peerlearn.delivery"
    label = "delivery"
    verbose_name = _("Sessions and formats")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The programme page's "Today" section shows the coming sessions.
        from peerlearn.delivery.panels import sessions_panel
        from peerlearn.programmes.today import register

        register(sessions_panel)
