from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "peerlearn.programmes"
    label = "programmes"
