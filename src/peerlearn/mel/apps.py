from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MelConfig(AppConfig):
    name = "peerlearn.mel"
    label = "mel"
    verbose_name = _("Monitoring, evaluation and learning")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The programme page's "Today" section flags one-way relationships.
        from peerlearn.mel.panels import one_way_panel
        from peerlearn.programmes.today import register

        register(one_way_panel)

        # A submitted survey answer naming whom someone learned from becomes an exchange.
        from peerlearn.mel.tasks import watch_responses

        watch_responses()

        # Ledger figures are evidence a theory-of-change node or link can be tied to.
        from peerlearn.mel.evidence import register as register_evidence

        register_evidence()

        # A saved exchange asks for the programme ledger's snapshots to be recomputed.
        from peerlearn.mel import snapshots

        snapshots.connect()
