"""Rendering helpers (template filters, chart builders, labels) never take a page down.

A page shows records written over years, by code that has since changed: a history entry may name a field that
is gone or is a relation, a stored number may be odd, a period id may be one no parser knows. A helper that meets
such data logs it (so it gets fixed) and shows the raw value instead of answering 500 to everyone who opens the
page. Wrap every helper that turns stored data into text or markup with `degrades_to`.
"""

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import pgettext

logger = logging.getLogger(__name__)


def degrades_to[**P, R](fallback: Callable[..., R]) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a rendering helper: on any exception, log it at ERROR and return `fallback(*args, **kwargs)`.

    The fallback takes the helper's own arguments and must not fail itself (show the raw value, or nothing for
    a chart whose numbers are in the table beside it). Django's template filter registration sees the wrapped
    function's signature, so filters keep their argument checks.
    """

    def decorate(helper: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(helper)
        def safe(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return helper(*args, **kwargs)
            except Exception:
                logger.exception("%s could not render %r; showing it plainly", helper.__qualname__, args)
                return fallback(*args, **kwargs)

        return safe

    return decorate


def as_text(value: Any, *args: Any, **kwargs: Any) -> str:
    """The fallback that shows the value as it is stored."""
    return "" if value is None else str(value)


def nothing(*args: Any, **kwargs: Any) -> SafeString:
    """The fallback for markup (charts) whose numbers the page also shows as text."""
    return mark_safe("")


def colon() -> str:
    """What joins a label and its value ("Target: 95"), in the reader's language: French puts a no-break space
    before the colon ("Cible : 95"). Every label glued to a value goes through here (or the `colon` tag), never
    a hard-coded ": "."""
    return pgettext("between a label and its value", ": ")


def labelled(label: object, value: object) -> str:
    """`label` and `value` joined as the reader's language joins them (`colon`): "Sexe : Femme" in French."""
    return f"{label}{colon()}{value}"
