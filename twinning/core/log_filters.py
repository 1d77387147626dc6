"""Logging filters for the project's LOGGING setting (settings.py)."""

import logging

from django.core.exceptions import PermissionDenied


class PermissionDeniedWithoutTraceback(logging.Filter):
    """Keeps a refused request (403, PermissionDenied) as one warning line in the log: Django logs it with the
    exception's traceback, which for an expected refusal only buries the real errors. Other records pass
    unchanged; none is dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], PermissionDenied):
            record.exc_info = None
            record.exc_text = None
        return True
