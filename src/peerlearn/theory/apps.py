from django.apps import AppConfig


class TheoryConfig(AppConfig):
    name = "peerlearn.theory"
    label = "theory"
