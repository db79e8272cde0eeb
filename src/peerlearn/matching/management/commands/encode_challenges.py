"""``peerlearn manage encode_challenges``: fill the similarity cache after a model change."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from peerlearn.intake.vectors import caches_vectors, encode_everything, prune_vectors


class Command(BaseCommand):
    help = (
        "Queue the encoding of every challenge missing from the similarity cache (after "
        "changing PEERLEARN_SIMILARITY_BACKEND or upgrading its model); with --prune, "
        "delete the vectors of other backends and model versions."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--prune", action="store_true", help="delete vectors no current run can use"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["prune"]:
            self.stdout.write(f"{prune_vectors()} cached vectors of other models deleted")
        if not caches_vectors():
            self.stdout.write("this backend compares texts afresh in each run: nothing to encode")
            return
        self.stdout.write(f"encoding queued for the challenges of {encode_everything()} people")
