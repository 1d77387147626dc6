"""Offline data entry: which pages a service worker keeps, and the worker's script.

A view decorated with `offline_page` answers with the header `Twinning-Offline: keep`; the service worker
(`/sw.js`) keeps a copy of such pages (network first, the copy only when the network fails), so the data entry
pages of a user's partnerships open without a connection. What the user types offline is kept in the browser
by offline.js and sent through the API when the connection returns; nothing here stores it.
"""

import hashlib
import json
from collections.abc import Callable
from functools import cache, wraps
from pathlib import Path
from typing import Any

from django.http import HttpResponse

HEADER = "Twinning-Offline"


def offline_page[F: Callable[..., HttpResponse]](view: F) -> F:
    """Mark a page as one the service worker keeps for offline use (only its successful answers)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> HttpResponse:
        response = view(*args, **kwargs)
        if response.status_code == 200:
            response[HEADER] = "keep"
        return response

    return wrapper  # type: ignore[return-value]


@cache
def _worker_source() -> str:
    return (Path(__file__).parent / "sw.js").read_text(encoding="utf-8")


def service_worker_script(*, shell: list[str], offline_url: str) -> str:
    """The worker's script: the app shell's URLs (static names change with their content) and a version that
    changes whenever the script or a shell URL does, so browsers install the new worker."""
    source = _worker_source()
    version = hashlib.sha256(json.dumps([source, shell, offline_url]).encode()).hexdigest()[:12]
    return (
        f"var SHELL = {json.dumps(shell)};\nvar OFFLINE = {json.dumps(offline_url)};\n"
        f"var VERSION = {json.dumps(version)};\n{source}"
    )
