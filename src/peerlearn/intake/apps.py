from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "peerlearn.intake"
    label = "intake"

    def ready(self) -> None:
        # The built-in intake survey writes challenges (peerlearn.intake.from_survey).
        from peerlearn.intake.from_survey import on_response_submitted
        from peerlearn.surveys.signals import response_submitted

        response_submitted.connect(on_response_submitted, dispatch_uid="intake.from_survey")
