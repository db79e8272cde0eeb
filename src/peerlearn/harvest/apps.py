from django.apps import AppConfig


class HarvestConfig(AppConfig):
    name = "peerlearn.harvest"
    label = "harvest"

    def ready(self) -> None:
        # Outcome stories are evidence a theory-of-change node or link can be tied to.
        from peerlearn.harvest.evidence import register
        from peerlearn.harvest.exchange_stories import stories_section
        from peerlearn.mel import exchange_sections

        register()
        # The stories an exchange contributed to, on the exchange's page.
        exchange_sections.register(stories_section)
