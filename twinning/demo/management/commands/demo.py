"""`manage.py demo` (or `twinning demo`): load a realistic, deterministic demo programme and print its logins."""

import argparse
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import ProtectedError
from django.test.utils import override_settings

from twinning.accounts.models import PartnershipMembership, User
from twinning.demo.load import demo_load, directory_counts, loaded_profile
from twinning.demo.plan import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD, PROGRAMME_NAMES, demo_logins


class Command(BaseCommand):
    help = (
        "Load the demo programme with one sign-in per role (password 'demo'). "
        "--scale large loads a programme the size of a large real one, for benchmarks; --scale huge ten times that "
        "(the load benchmark's)."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--scale", choices=sorted(PROGRAMME_NAMES), default="default", help="which demo to load"
        )
        parser.add_argument(
            "--reset", action="store_true", help="delete the demo data first, then load it afresh"
        )
        # Shrinks the large profile so the test suite can exercise it quickly; not for people.
        parser.add_argument("--scale-factor", type=float, default=1.0, help=argparse.SUPPRESS)

    def handle(self, *args: Any, scale: str, reset: bool, scale_factor: float, **options: Any) -> None:
        if scale_factor <= 0:
            raise CommandError("--scale-factor must be positive.")
        loaded = loaded_profile()
        if loaded and not reset:
            self.stdout.write(
                f"The demo programme '{PROGRAMME_NAMES[loaded]}' is already loaded; "
                "run with --reset to delete it and load it afresh."
            )
            self.print_counts()
            self.print_logins()
            return
        started = time.monotonic()
        try:
            # Demo addresses are fictional: keep the notifications the services send in memory, never the
            # configured mailer (which may be a real SMTP server).
            with override_settings(
                MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
            ):
                result = demo_load(scale, scale_factor)
        except ProtectedError as exc:
            raise CommandError(
                f"Cannot delete the previous demo data: other records still use it ({exc.args[0]})"
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded '{result.plan.programme_name}' in {time.monotonic() - started:.1f} s."
            )
        )
        self.print_counts()
        self.print_logins()

    def print_counts(self) -> None:
        # Counted the way the pages count (the directory's and the partnership list's selectors, as the demo's
        # administrator sees them), so the figures printed are the ones the pages then show.
        admin = User.objects.get(email=f"admin@{DEMO_EMAIL_DOMAIN}")
        c = directory_counts(admin)
        self.stdout.write(
            f"The directory lists {c['institutions']} institutions in {c['countries']} countries, "
            f"with {c['people']} people; {c['partnerships']} partnerships."
        )

    def print_logins(self) -> None:
        logins = demo_logins(0, 1)
        where = dict(
            PartnershipMembership.objects.filter(user__email__in=[u.email for u in logins]).values_list(
                "user__email", "partnership__title"
            )
        )
        width = max(len(u.email) for u in logins)
        self.stdout.write("")
        self.stdout.write(f"{'Sign in as'.ljust(width)}  {'Password'.ljust(8)}  Role")
        self.stdout.write(f"{'-' * width}  {'-' * 8}  {'-' * 36}")
        for user in logins:
            in_partnership = f" of '{where[user.email]}'" if user.email in where else ""
            self.stdout.write(
                f"{user.email.ljust(width)}  {DEMO_PASSWORD.ljust(8)}  {user.label}{in_partnership}"
            )
        self.stdout.write("")
