from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "peerlearn.progress"
    label = "progress"

    def ready(self) -> None:
        # The programme page's "Today" section: check-ins and products to chase.
        from peerlearn.programmes.today import register
        from peerlearn.progress.panels import my_group_progress_panel, progress_panel

        register(progress_panel)
        register(my_group_progress_panel, for_participants=True)
