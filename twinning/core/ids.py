import uuid
from typing import Any

from django.http import Http404


def parse_uuid(value: Any) -> uuid.UUID:
    """A UUID from a URL or API path; anything else is simply not found."""
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError as exc:
        raise Http404 from exc
