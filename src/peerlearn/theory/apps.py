from django.apps import AppConfig


class TheoryConfig(AppConfig):
    name = "peerlearn.theory"
    label = "theory"

    def ready(self) -> None:
        # Participants reach a shared map from the programme page's "Today" section.
        from peerlearn.programmes.today import register
        from peerlearn.theory.panels import shared_map_panel

        register(shared_map_panel, for_participants=True)
