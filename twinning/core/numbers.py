"""Numbers as people type them: the one parser every number entering Twinning goes through.

Issue 9 §4: a Portuguese user typing ``12,5`` got 125 saved, because the old code dropped commas. Every web
form, import and API now reads numbers here, so a number is read the same way everywhere and never silently
multiplied (or divided) by a thousand.

Two forms are read:

- **A person's form**, in their locale (``locale="pt"``): the decimal sign and thousands separator of the
  user's language, as CLDR defines them (through babel): ``12,5`` and ``1.234,5`` in Portuguese and Spanish,
  ``12.5`` and ``1,234.5`` in English, ``1 234,5`` in French and Russian (an ordinary, non-breaking or narrow
  space groups thousands there). What the product itself shows a user is always read back as the same value.
- **The machine form** (``locale=None``, and as a fallback for a person): an optional sign, digits and at
  most one dot, ``-12.5``; never a comma, a thousands separator or an exponent. A person may type it when
  their locale cannot read the text otherwise (``12.5`` in Portuguese, whose dot groups thousands).

Refused, with a message that quotes what was typed and shows the expected form:
- anything that is not digits, one leading sign, the locale's separators and spaces: letters, so ``NaN``,
  ``Infinity`` and exponents such as ``1e5`` (an exponent is how a typo becomes a huge number);
- a misplaced separator (``12,5`` in English: its comma groups thousands, so this is neither 125 nor 12.5);
- text that reads as two different numbers: ``1.234`` in French or Russian, where the dot is neither the
  decimal sign nor the thousands separator, may be 1.234 typed the machine's way or 1234 typed with a dot
  between thousands as in Portuguese or Spanish; the user is asked to type ``1234`` or ``1,234``.
"""

import functools
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any

from babel import Locale, UnknownLocaleError
from babel.numbers import (
    NumberFormatError,
    NumberPattern,
    get_currency_precision,
    get_decimal_symbol,
    get_group_symbol,
    parse_pattern,
)
from babel.numbers import parse_decimal as babel_parse_decimal
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import get_language, gettext, to_locale
from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

# Long enough for any amount the models store (18 digits and a sign, grouped); a longer text is a paste error.
MAX_LENGTH = 60
# People group thousands with whichever space their keyboard gives them; CLDR says narrow no-break space for
# French and no-break space for Russian, and babel only accepts the exact one.
SPACES = " \u00a0\u202f\u2009"
# An optional sign, then digits, dots, commas and spaces: anything else (letters, exponents) is not a number.
SHAPE = re.compile(r"[+\-]?[0-9.,\u00a0\u202f\u2009 ]+")
MACHINE = re.compile(r"[+\-]?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)")
# One dot followed by exactly three digits: the shape that reads as a decimal and as a thousands group.
DOT_GROUPED = re.compile(r"[+\-]?[1-9][0-9]{0,2}\.[0-9]{3}")
EXAMPLE = Decimal("12.5")


def current_locale() -> str:
    """The babel locale of the request's active language (e.g. "pt", "en"), as LocaleMiddleware set it.

    The language comes from the language chooser (its cookie) or the browser, as for every translated page;
    outside a request it is the site's LANGUAGE_CODE.
    """
    return to_locale(get_language() or settings.LANGUAGE_CODE)


@functools.lru_cache(maxsize=64)
def babel_locale(locale: str) -> Locale:
    """The babel Locale for `locale` ("pt", "pt_BR", "en-gb"), the site's LANGUAGE_CODE for one babel does not
    know; one object per locale for the life of the process.

    Why kept: babel builds a new Locale on every `Locale.parse`, and a new one loads its CLDR data again on first
    use; passing a string locale to `format_decimal` did both for every table cell (about 60 µs a number, against
    8 µs with this object and a `number_pattern`). Locales are read-only once loaded, so sharing one is safe.

    Raises: nothing.
    """
    try:
        return Locale.parse(to_locale(locale))
    except (ValueError, UnknownLocaleError):
        return Locale.parse(to_locale(settings.LANGUAGE_CODE))


@functools.lru_cache(maxsize=256)
def number_pattern(pattern: str) -> NumberPattern:
    """A CLDR number pattern ("#,##0.##") parsed once per process; `.apply(value, babel_locale(...))` writes a
    number exactly as `babel.numbers.format_decimal(value, format=pattern, locale=...)` does, without parsing
    the pattern and the locale again for every cell.

    Raises: ValueError for a pattern babel cannot read.
    """
    return parse_pattern(pattern)


def format_with(
    value: Decimal | int | float,
    pattern: str | None,
    *,
    locale: str | None = None,
    decimal_quantization: bool = True,
    group_separator: bool = True,
) -> str:
    """`value` written with the CLDR `pattern` (None: the locale's standard decimal pattern) in `locale` (default:
    the active language, `current_locale`): what babel's `format_decimal(value, format=pattern, locale=locale,
    ...)` returns, with the parsed pattern and locale kept (`number_pattern`, `babel_locale`). Every number a
    page shows in a table goes through here.

    Raises: ValueError for a pattern babel cannot read.
    """
    loc = babel_locale(locale or current_locale())
    return (loc.decimal_formats[None] if pattern is None else number_pattern(pattern)).apply(
        value, loc, decimal_quantization=decimal_quantization, group_separator=group_separator
    )


def _shown(text: str) -> str:
    return text if len(text) <= 30 else text[:30] + "…"


def format_number(value: Decimal | int, *, locale: str) -> str:
    """`value` in the locale's form without thousands separators and without trailing zeros: `12,5` in "pt".

    What an input shows for editing; `parse_decimal(format_number(v, locale=L), locale=L) == v` for every
    finite Decimal.
    """
    number = Decimal(value)
    # normalize() alone would turn 1000 into 1E+3.
    number = number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()
    return format_with(number, None, locale=locale, group_separator=False, decimal_quantization=False)


def _rounded(value: Decimal | int | float, decimals: int) -> Decimal:
    # Half up, as people round by hand (and as floatformat does); a value that rounds to zero is never "-0".
    number = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return number.copy_abs() if number.is_zero() else number


def format_grouped(value: Decimal | int | float, *, decimals: int = 0, locale: str | None = None) -> str:
    """`value` rounded to `decimals` places, grouped as the reader's language groups thousands (CLDR):
    "1,234.5" in English, "1\u202f234,5" in French (a narrow no-break space), "1.234,5" in Portuguese.
    `locale` defaults to the active language (`current_locale`). Trailing zeros are kept: a figure's places say
    how precise it is.
    """
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_with(_rounded(value, decimals), pattern, locale=locale)


def format_percent(value: Decimal | int | float, *, decimals: int = 1, locale: str | None = None) -> str:
    """A percentage (`value` in percent, 45.5 for 45.5 %) written as the reader's language writes one, at most
    `decimals` places (trailing zeros dropped): "45.5%" in English, "45,5\u00a0%" in French and Russian.
    """
    number = _rounded(value, decimals)
    number = number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()
    loc = babel_locale(locale or current_locale())
    return loc.percent_formats[None].apply(number / 100, loc, decimal_quantization=False)


def currency_decimals(currency: str) -> int:
    """How many decimal places money in `currency` shows: its minor unit (ISO 4217 through babel's CLDR data),
    2 for USD and EUR, 0 for JPY and UGX, 3 for KWD; 2 for an empty or unknown code. The one rule for money
    everywhere (pages, tables, downloads), so an amount never reads "1.250,5" on one page and "1.250,50" on
    another."""
    return int(get_currency_precision(currency)) if currency else 2


def format_money(
    amount: Decimal | int | float, currency: str, *, decimals: int | None = None, locale: str | None = None
) -> str:
    """An amount and its ISO currency code as the page shows money: the number grouped for the reader's language
    (`format_grouped`, the currency's decimals (`currency_decimals`) unless `decimals` says otherwise, as a
    summary's whole-unit totals do), then the code, joined by a no-break space so it never wraps away:
    "1,234.50 USD" in English, "1\u202f234,50 USD" in French. The code, not a symbol: "$" is several currencies.
    """
    places = currency_decimals(currency) if decimals is None else decimals
    text = format_grouped(amount, decimals=places, locale=locale)
    return f"{text}\u00a0{currency}" if currency else text


def example(*, locale: str | None) -> str:
    """A number in the expected form for error messages: `12,5` in Portuguese, `12.5` in English and the API."""
    return "12.5" if locale is None else format_number(EXAMPLE, locale=locale)


def invalid(text: str, *, locale: str | None) -> ValidationError:
    """The error for text that is not a number in the expected form (code "invalid")."""
    if locale is None:
        message = gettext(
            "“%(text)s” is not a number in the API's form: send a JSON number or a string such as "
            "“12.5” (a dot for decimals, no thousands separators)."
        )
    else:
        message = gettext("“%(text)s” is not a number. Enter a number such as %(example)s.")
    return ValidationError(
        message, code="invalid", params={"text": _shown(text), "example": example(locale=locale)}
    )


def parse_decimal(text: str, *, locale: str | None) -> Decimal:
    """The Decimal a person (`locale`, e.g. "pt" or "en-gb") or a machine (`locale=None`) wrote as `text`.

    `text` must not be blank (callers decide what blank means). Surrounding spaces are ignored. The result
    is finite, has no exponent form and is never negative zero; its size is the caller's to check.

    Raises ValidationError with code "invalid" (not a number in that form) or "ambiguous" (reads as two
    different numbers), its message naming the text and the expected form, e.g. "Enter a number such as 12,5."
    The rules are in the module docstring (issue 9 §4); the locale's symbols come from CLDR through babel.
    """
    stripped = text.strip(SPACES)
    if not stripped or len(stripped) > MAX_LENGTH:
        raise invalid(stripped, locale=locale)
    if locale is None:
        if not MACHINE.fullmatch(stripped):
            raise invalid(stripped, locale=None)
        return _finite(Decimal(stripped), stripped, locale)
    if not SHAPE.fullmatch(stripped):
        raise invalid(stripped, locale=locale)
    loc = babel_locale(locale)
    decimal_sign, group_sign = get_decimal_symbol(loc), get_group_symbol(loc)
    if group_sign in SPACES:
        spaced = re.sub(f"[{SPACES}]", group_sign, stripped)
    elif any(space in stripped for space in SPACES):
        raise invalid(stripped, locale=locale)
    else:
        spaced = stripped
    if "." not in (decimal_sign, group_sign) and DOT_GROUPED.fullmatch(spaced):
        whole, fraction = spaced.split(".")
        raise ValidationError(
            gettext(
                "“%(text)s” could be read two ways. Enter %(thousands)s for the thousands, or %(decimal)s "
                "for the decimal number."
            ),
            code="ambiguous",
            params={
                "text": stripped,
                "thousands": whole + fraction,
                "decimal": f"{whole}{decimal_sign}{fraction}",
            },
        )
    try:
        number = babel_parse_decimal(spaced, locale=loc, strict=True)
    except NumberFormatError:
        if not MACHINE.fullmatch(stripped):
            raise invalid(stripped, locale=locale) from None
        number = Decimal(stripped)
    return _finite(number, stripped, locale)


def _finite(number: Decimal, text: str, locale: str | None) -> Decimal:
    # The shape checks already rule out NaN and exponents; this guards the babel path all the same.
    if not number.is_finite():
        raise invalid(text, locale=locale)
    return number.copy_abs() if number.is_zero() else number  # -0 reads as 0


def _machine_decimal(value: Any) -> Any:
    if isinstance(value, bool):  # JSON true is not 1
        raise PydanticCustomError("decimal_type", gettext("Enter a number."))
    if isinstance(value, str):
        try:
            return parse_decimal(value, locale=None)
        except ValidationError as exc:
            # Braces would be read as placeholders by pydantic; the message quotes what the client sent.
            message = exc.messages[0].replace("{", "(").replace("}", ")")
            raise PydanticCustomError("decimal_form", message) from None
    return value


MachineDecimal = Annotated[
    Decimal,
    BeforeValidator(_machine_decimal),
    Field(
        description='A JSON number, or a string in machine form such as "12.5": a dot for decimals, no '
        'thousands separators, no exponent. A locale form such as "12,5" is refused (422), never read as 125.'
    ),
]
"""Every decimal the API takes (issue 9 §4): JSON numbers as they are, strings through `parse_decimal`."""


ASCII_DIGITS = re.compile(r"[0-9]{1,18}")


def query_int(value: Any, *, minimum: int, maximum: int) -> int | None:
    """A whole number from a query string or hidden field (ASCII digits only), or None when the text is not one
    or lies outside [minimum, maximum]; for optional parameters that are simply ignored when wrong.

    `str.isdigit()` is no guard: it accepts superscripts such as ``²``, which `int()` then refuses (a 500).

    Raises: nothing.
    """
    if not isinstance(value, str) or not ASCII_DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if minimum <= number <= maximum else None
