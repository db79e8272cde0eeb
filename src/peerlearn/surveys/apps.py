from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "peerlearn.surveys"
    label = "surveys"
    verbose_name = "Surveys"
