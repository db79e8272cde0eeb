from django.apps import AppConfig


class HarvestConfig(AppConfig):
    name = "peerlearn.harvest"
    label = "harvest"

    def ready(self) -> None:
        # Outcome stories are evidence a theory-of-change node or link can be tied to.
        from peerlearn.harvest.evidence import register

        register()
