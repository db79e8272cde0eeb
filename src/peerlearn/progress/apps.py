from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "peerlearn.progress"
    label = "progress"
