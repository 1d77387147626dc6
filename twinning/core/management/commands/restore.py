"""`twinning restore DIR --yes`: replace the database and the uploaded files with a backup's."""

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from twinning.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Replace the database and the uploaded files (MEDIA_ROOT) with the backup in DIR. "
        "Stop the web processes and task workers first."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument("--database", default="default", help="the database alias (default: default)")
        parser.add_argument(
            "--yes", action="store_true", help="confirm that the current data may be replaced"
        )

    def handle(self, *args: Any, directory: Path, database: str, yes: bool, **options: Any) -> None:
        if not yes:
            raise CommandError("Restoring replaces all current data; run again with --yes to go ahead.")
        try:
            manifest = restore(directory, using=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Restored the backup made at {manifest['made_at']} from {directory}.")
        )
