from django.apps import AppConfig


class ExperimentsConfig(AppConfig):
    name = "peerlearn.experiments"
    label = "experiments"
