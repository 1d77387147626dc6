"""Queue a sweep of the follow-up reminders due and not sent yet (run daily, e.g. from cron)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from twinning.sustainability.follow_ups import reminders_due, reminders_send_due
from twinning.sustainability.tasks import follow_up_reminders_sweep_task


class Command(BaseCommand):
    help = (
        "Queue the follow-up reminders that are due and not sent yet for the task worker (or send them now)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", action="store_true", help="Send them in this process instead of the worker."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        due = len(reminders_due())
        if options["now"]:
            sent = reminders_send_due()
            self.stdout.write(f"{due} reminder steps due; {sent} sent.")
            return
        follow_up_reminders_sweep_task.enqueue()
        self.stdout.write(f"{due} reminder steps due; a sweep is queued for the task worker.")
