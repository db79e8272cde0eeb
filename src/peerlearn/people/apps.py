from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "peerlearn.people"
    label = "people"

    def ready(self) -> None:
        from peerlearn.people import tasks  # noqa: F401 - answers accounts' link requests
