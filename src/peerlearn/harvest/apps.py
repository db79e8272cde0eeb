from django.apps import AppConfig


class HarvestConfig(AppConfig):
    name = "peerlearn.harvest"
    label = "harvest"
