from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from twinning.accounts.models import ApiToken, User
from twinning.accounts.services import api_token_create, api_token_revoke


class Command(BaseCommand):
    help = "Create, list or revoke personal API tokens: `twinning token create EMAIL [--name NAME]`."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token and print it once.")
        create.add_argument("email")
        create.add_argument("--name", default="command line")
        listing = sub.add_parser("list", help="List a user's tokens (never the tokens themselves).")
        listing.add_argument("email")
        revoke = sub.add_parser("revoke", help="Revoke a token by the characters it starts with.")
        revoke.add_argument("email")
        revoke.add_argument("hint")

    def handle(self, *args: Any, action: str, email: str, **options: Any) -> None:
        user = User.objects.filter(email=email.lower()).first()
        if user is None:
            raise CommandError(f"No user with the email address {email}.")
        if action == "create":
            try:
                # The command line is an administrator's tool, so it acts as the user themselves.
                _token, raw = api_token_create(actor=user, user=user, name=options["name"])
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
            self.stdout.write(raw)
            self.stderr.write("Store this token now: it is not kept and cannot be shown again.")
        elif action == "list":
            for token in ApiToken.objects.filter(user=user):
                state = "revoked" if token.revoked_at else "active"
                self.stdout.write(
                    f"{token.hint}…\t{token.name}\t{state}\tcreated {token.created_at:%Y-%m-%d}"
                )
        else:
            matches = list(ApiToken.objects.active().filter(user=user, hint__startswith=options["hint"]))
            if len(matches) != 1:
                raise CommandError(
                    f"{len(matches)} active tokens start with {options['hint']!r}; give more characters."
                )
            api_token_revoke(actor=user, token=matches[0])
            self.stdout.write(f"Revoked {matches[0]}.")
