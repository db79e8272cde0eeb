from django.apps import AppConfig


class RosterConfig(AppConfig):
    name = "peerlearn.roster"
    label = "roster"
