from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "peerlearn.accounts"
    label = "accounts"

    def ready(self) -> None:
        from peerlearn.accounts import signals  # noqa: F401 - connects the receivers
