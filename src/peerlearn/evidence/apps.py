from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "peerlearn.evidence"
    label = "evidence"
