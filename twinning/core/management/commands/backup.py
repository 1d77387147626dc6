"""`twinning backup DIR`: back up the database and the uploaded files into a new directory."""

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from twinning.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database and the uploaded files (MEDIA_ROOT) into DIR (new or empty)."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument("--database", default="default", help="the database alias (default: default)")

    def handle(self, *args: Any, directory: Path, database: str, **options: Any) -> None:
        try:
            manifest = backup(directory, using=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up the {manifest['vendor']} database and {manifest['media_files']} uploaded files "
                f"to {directory}."
            )
        )
