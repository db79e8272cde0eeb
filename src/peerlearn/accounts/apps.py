from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "peerlearn.accounts"
    label = "accounts"
