"""What a notice says, kept as what it says rather than as text, so each reader reads it in their own language.

A notice is an English message id (marked for translation where the caller defines it, so `make messages` puts
it in the catalogues) and named parameters. Each parameter is stored raw with a kind, and the kind's formatter
words it in the reader's language when the notice is shown: a period id becomes "T1 2026" for a French reader,
a date takes the reader's date format, a shipped label ("Published publicly", "Host") is translated, and text
people typed (a partnership's title, a comment) is shown as typed.

Stored form (Notification.message_id, message_plural, params): params is {name: [kind, raw]}, JSON, e.g.
{"period": ["period", "2026Q1"], "partnership": ["text", "Kampala–Leeds"]}. It is bounded by construction:
at most MAX_PARAMS parameters, typed text cut at TEXT_MAX characters, a `words` parameter of at most MAX_WORDS
parts none of which is itself `words`. Wording never raises: a parameter that cannot be read is shown raw, a
translation that lost a placeholder gives the English wording, and a row that cannot be worded at all shows
its stored text.
"""

import datetime
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import translation
from django.utils.formats import date_format
from django.utils.functional import Promise

from twinning.core.choices import Side
from twinning.core.numbers import current_locale, format_grouped
from twinning.core.periods import period_label
from twinning.core.reference import shipped_name

logger = logging.getLogger(__name__)

MAX_PARAMS = 12
MAX_WORDS = 4
TEXT_MAX = 300
NAME_MAX = 40

TEXT = "text"  # typed by people (a title, a comment, a file name): shown as typed
SHIPPED = "shipped"  # English that Twinning ships (a choice's label, a seeded name): translated when shown
PERIOD = "period"  # a reporting period id ("2026Q1"), shown as core.periods.period_label words it
DATE = "date"  # an ISO date ("2026-03-31"), shown in the reader's DATE_FORMAT
NUMBER = "number"  # a decimal as text ("12.5"), shown in the reader's locale ("12,5")
COUNT = "count"  # a whole number that also chooses the plural form of the message
SIDE = "side"  # a partnership side ("host"), shown as its label in lower case, as inside a sentence
WORDS = "words"  # parameters written one after another with a space ("Sustainability assessment" + "2026")


@dataclass(frozen=True)
class Param:
    """One parameter of a notice: its kind (one of the constants above) and its raw, JSON-able value. Build it
    with the functions below (text, shipped, period, ...), which bound it."""

    kind: str
    value: Any

    def encoded(self) -> list[Any]:
        return [self.kind, self.value]


def text(value: object) -> Param:
    return Param(TEXT, str(value)[:TEXT_MAX])


def shipped(value: str | Promise) -> Param:
    """A shipped English text; a lazy label (a Choices label) is stored as its English msgid, whatever language
    is active when the notice is sent."""
    if isinstance(value, Promise):
        with translation.override(None):  # no catalogue: gettext gives back the msgid
            value = str(value)
    return Param(SHIPPED, str(value)[:TEXT_MAX])


def period(period_id: str) -> Param:
    return Param(PERIOD, str(period_id)[:TEXT_MAX])


def date(day: datetime.date) -> Param:
    return Param(DATE, day.isoformat())


def number(value: Decimal | int) -> Param:
    return Param(NUMBER, str(Decimal(value)))


def count(value: int) -> Param:
    return Param(COUNT, int(value))


def side(value: str) -> Param:
    return Param(SIDE, str(Side(value)))


def words(*parts: Param) -> Param:
    if len(parts) > MAX_WORDS or any(part.kind == WORDS for part in parts):
        raise ValueError(f"words: at most {MAX_WORDS} parts, none of them words")
    return Param(WORDS, [part.encoded() for part in parts])


@dataclass(frozen=True)
class Notice:
    """A message id (English, with %(name)s placeholders), its parameters, and, for a message that depends on
    a number, its English plural (the form is chosen by the one `count` parameter, as ngettext does).

    Raises (when built): ValueError for more than MAX_PARAMS parameters, a name that is not a short identifier,
    a value that is not a Param, or a plural without a `count` parameter: mistakes of the caller's code.
    """

    message_id: str
    params: Mapping[str, Param] = field(default_factory=dict)
    plural: str = ""

    def __post_init__(self) -> None:
        if len(self.params) > MAX_PARAMS:
            raise ValueError(f"a notice takes at most {MAX_PARAMS} parameters")
        for name, param in self.params.items():
            if not (name.isidentifier() and len(name) <= NAME_MAX) or not isinstance(param, Param):
                raise ValueError(f"bad notice parameter {name!r}")
        if self.plural and not any(param.kind == COUNT for param in self.params.values()):
            raise ValueError("a plural notice needs a count parameter")

    def encoded_params(self) -> dict[str, list[Any]]:
        return {name: param.encoded() for name, param in self.params.items()}

    def word(self) -> str:
        """The notice in the active language.

        Raises: nothing."""
        return word(self.message_id, self.plural, self.encoded_params())


def notice(message_id: str, /, *, plural: str = "", **params: Param) -> Notice:
    """Notice(message_id, params, plural), written as a call: notice(gettext_noop("… %(period)s …"),
    period=period("2026Q1"))."""
    return Notice(message_id, params, plural)


def plural_ids(forms: Callable[[int], str]) -> tuple[str, str]:
    """The English (singular, plural) message ids of a message whose forms depend on a number, written where
    the caller defines it as `lambda n: ngettext("… %(years)s year …", "… %(years)s years …", n)`, so that
    `make messages` finds the pair: for notice(singular, plural=plural, years=count(3)).

    Raises: nothing beyond what `forms` raises.
    """
    with translation.override(None):  # no catalogue: ngettext gives back the English forms
        return forms(1), forms(2)


def _date(raw: Any) -> str:
    return date_format(datetime.date.fromisoformat(raw), "DATE_FORMAT")


def _number(raw: Any) -> str:
    # Read in a sentence, so grouped as the reader's language groups thousands ("1.250,5" in Portuguese), with the
    # places the value has and no trailing zeros (fresh tester, issue 15: "1250,5 horas").
    number = Decimal(raw)
    number = number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()
    places = max(0, -int(number.as_tuple().exponent))
    return format_grouped(number, decimals=places, locale=current_locale())


def _words(raw: Any) -> str:
    return " ".join(_format(part, nested=True) for part in raw[:MAX_WORDS])


FORMATTERS: dict[str, Callable[[Any], str]] = {
    TEXT: str,
    SHIPPED: lambda raw: shipped_name(str(raw)),
    PERIOD: lambda raw: period_label(str(raw)),
    DATE: _date,
    NUMBER: _number,
    COUNT: lambda raw: str(int(raw)),
    SIDE: lambda raw: str(Side(raw).label).lower(),
    WORDS: _words,
}


def _format(encoded: Any, nested: bool = False) -> str:
    """One stored parameter in the reader's language; its raw value when it cannot be read (an unknown kind, a
    malformed value): a notice is shown, never an error."""
    try:
        kind, raw = encoded
    except (TypeError, ValueError):
        return str(encoded)[:TEXT_MAX]
    formatter = FORMATTERS.get(kind)
    if formatter is None or (nested and kind == WORDS):
        return str(raw)[:TEXT_MAX]
    try:
        return formatter(raw)
    except (TypeError, ValueError, KeyError, IndexError, InvalidOperation):
        return str(raw)[:TEXT_MAX]


def _count(params: Mapping[str, Any]) -> int:
    for encoded in params.values():
        if isinstance(encoded, list | tuple) and len(encoded) == 2 and encoded[0] == COUNT:
            try:
                return int(encoded[1])
            except (TypeError, ValueError):
                return 1
    return 1


def word(message_id: str, plural: str, params: Any, fallback: str = "") -> str:
    """A stored notice in the active language: the translated message filled with each parameter as its kind
    words it. A translation that does not take the parameters (a lost or misspelt placeholder) gives the
    English wording; a message that cannot be worded at all gives `fallback` (the row's stored text).

    Raises: nothing.
    """
    if not message_id:
        return fallback
    params = params if isinstance(params, dict) else {}
    values = {str(name): _format(encoded) for name, encoded in list(params.items())[:MAX_PARAMS]}
    n = _count(params)
    try:
        translated = (
            translation.ngettext(message_id, plural, n) if plural else translation.gettext(message_id)
        )
        return translated % values
    except (KeyError, ValueError, TypeError):
        logger.warning("Notice %r does not take its parameters in %s", message_id, translation.get_language())
    english = plural if plural and n != 1 else message_id
    try:
        return english % values
    except (KeyError, ValueError, TypeError):
        return fallback or message_id
