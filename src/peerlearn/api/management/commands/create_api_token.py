"""``peerlearn manage create_api_token EMAIL [--programme SLUG] [--read-only]``.

For scripts: the new token is printed alone on the last line
(``TOKEN=$(peerlearn manage create_api_token a@b.org | tail -n 1)``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from peerlearn import audit
from peerlearn.accounts.models import User
from peerlearn.api.models import ApiToken
from peerlearn.programmes.models import Programme


class Command(BaseCommand):
    help = "Make an API token for a user; prints the token alone on the last line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="the account's e-mail address")
        parser.add_argument("--programme", help="limit the token to this programme (its slug)")
        parser.add_argument("--read-only", action="store_true", help="the token only reads")
        parser.add_argument("--name", default="command line", help="what the token is for")
        parser.add_argument(
            "--days", type=int, default=None, help="expire after this many days (default: never)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"].strip()).first()
        if user is None or not user.is_active:
            raise CommandError(f"No active account has the e-mail {options['email']!r}.")
        programme = None
        if options["programme"]:
            programme = Programme.objects.filter(slug=options["programme"]).first()
            if programme is None:
                raise CommandError(f"No programme has the short name {options['programme']!r}.")
        days = options["days"]
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1.")
        with transaction.atomic():
            token, secret = ApiToken.issue(
                user,
                options["name"],
                scope="read" if options["read_only"] else "write",
                programme=programme,
                expires_at=timezone.now() + timedelta(days=days) if days else None,
            )
            audit.record(
                "api.token_create",
                actor=None,
                programme=programme,
                target=token,
                detail={"scope": token.scope, "by": "command line"},
            )
        where = programme.slug if programme else "every programme"
        self.stderr.write(f"Token {token.hint}… for {user.email} ({token.scope}, {where}):")
        self.stdout.write(secret)
