from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "peerlearn.intake"
    label = "intake"
