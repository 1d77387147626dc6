"""Backing up and restoring an installation: its database and its uploaded files (MEDIA_ROOT).

A backup is a directory:
- `database.sqlite3` (SQLite, copied with SQLite's online backup API, so the site may keep running) or
  `database.pgdump` (PostgreSQL, `pg_dump --format=custom`, a consistent snapshot while the site runs);
- `media/`, a copy of MEDIA_ROOT;
- `backup.json`, what was backed up and when, so a restore refuses a backup made on another kind of database.

Restoring replaces the database's content and MEDIA_ROOT with the backup's. Stop the web processes and task
workers first. PostgreSQL needs `pg_dump`/`pg_restore` of the server's major version on the PATH.
"""

import datetime
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections

from twinning.audit.services import changes_recorded

MANIFEST = "backup.json"
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.pgdump"


class BackupError(Exception):
    """The backup or restore could not be made; the message says why, in words for an administrator."""


def _postgres_env(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = ["--host", str(db.get("HOST") or "localhost"), "--dbname", str(db["NAME"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL client tools are needed).") from exc
    except subprocess.CalledProcessError as exc:
        raise BackupError(f"{command[0]} failed: {exc.stderr.strip()}") from exc


def backup(directory: Path, *, using: str = "default") -> dict[str, Any]:
    """Write a backup of database `using` and of MEDIA_ROOT into `directory` (created; must be empty).

    Returns the manifest written to `directory/backup.json`. Raises BackupError.
    """
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty; back up into a new directory.")
    directory.mkdir(parents=True, exist_ok=True)
    connection = connections[using]
    vendor = connection.vendor
    if vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(directory / SQLITE_FILE)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    elif vendor == "postgresql":
        args, env = _postgres_env(connection.settings_dict)
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--file", str(directory / POSTGRES_FILE), *args], env
        )
    else:
        raise BackupError(f"Backing up a {vendor} database is not supported.")
    media = Path(settings.MEDIA_ROOT)
    if media.exists():
        shutil.copytree(media, directory / "media")
    else:
        (directory / "media").mkdir()
    manifest = {
        "vendor": vendor,
        "made_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "media_files": sum(1 for p in (directory / "media").rglob("*") if p.is_file()),
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2))
    return manifest


def restore(directory: Path, *, using: str = "default") -> dict[str, Any]:
    """Replace database `using` and MEDIA_ROOT with the backup in `directory`. Returns its manifest.

    Raises BackupError when the directory holds no backup or one made on another kind of database.
    """
    directory = Path(directory)
    try:
        manifest = json.loads((directory / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{directory} holds no backup ({MANIFEST} is missing or unreadable).") from exc
    connection = connections[using]
    if manifest.get("vendor") != connection.vendor:
        raise BackupError(
            f"This backup is of a {manifest.get('vendor')} database; the configured one is {connection.vendor}."
        )
    if connection.vendor == "sqlite":
        source = sqlite3.connect(directory / SQLITE_FILE)
        connection.ensure_connection()
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        args, env = _postgres_env(connection.settings_dict)
        # Close ours so nothing holds a lock on the tables pg_restore drops and recreates.
        connection.close()
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                *args,
                str(directory / POSTGRES_FILE),
            ],
            env,
        )
    media = Path(settings.MEDIA_ROOT)
    if media.exists():
        shutil.rmtree(media)
    shutil.copytree(directory / "media", media)
    # Figures and rendered page parts kept under the audit change stamp describe the data before the restore: a new
    # stamp has every one computed again from the restored data on its next read.
    changes_recorded()
    return manifest
