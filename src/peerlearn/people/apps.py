from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "peerlearn.people"
    label = "people"
