"""Reference data (countries, currencies, languages) from pycountry, cached per process.

The lists never change while the process runs, so caching them is safe across requests.
"""

import re
import unicodedata
import zoneinfo
from functools import cache

import pycountry
from babel.core import Locale, UnknownLocaleError
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import get_language, gettext, gettext_noop, to_locale
from django.utils.translation import gettext_lazy as _

from twinning.core.numbers import format_grouped


@cache
def country_names() -> dict[str, str]:
    return {c.alpha_2: getattr(c, "common_name", c.name) for c in pycountry.countries}


@cache
def currency_names() -> dict[str, str]:
    return {c.alpha_3: c.name for c in pycountry.currencies}


@cache
def time_zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def name_sort_key(name: object) -> tuple[str, str]:
    """How names sort for display (pickers, tables, exports): as a reader expects in any of Twinning's
    languages, letters with accents beside their base letter ("Éthiopie" between "Espagne" and "France", not
    after "Ukraine"), case ignored; the exact text breaks ties so the order is stable. Every place that sorts
    names for people goes through here.

    Raises: nothing.
    """
    text = str(name or "")
    folded = "".join(
        c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c)
    )
    return folded, text


def country_choices() -> list[tuple[str, str]]:
    """[(code, name)] for every ISO 3166 country, named and sorted in the reader's language (`country_name`,
    `name_sort_key`), so that pickers, filters and tables write a country the same way. Call it per request,
    not at import.

    Raises: nothing.
    """
    return sorted(
        ((code, country_name(code)) for code in country_names()), key=lambda item: name_sort_key(item[1])
    )


def currency_choices() -> list[tuple[str, str]]:
    """[(code, "code – name")] for every ISO 4217 currency, the name in the reader's language (`currency_name`).
    Call it per request (a callable `choices`), not at import."""
    # The code leads the label: two ISO 4217 currencies share a name (VED and VES, "Bolívar Soberano").
    return [(code, f"{code} – {currency_name(code)}") for code in sorted(currency_names())]


# ISO 4217 currencies whose name the CLDR data babel ships lacks in some of Twinning's languages (babel 2.19: XAD
# in every language; VED, XSU, XUA and UYW in some of fr, es, ru, pt). Their English name (CLDR's where it has one)
# is marked here for the catalogues, which carry the translations; CLDR still wins wherever it names the currency.
CURRENCY_NAMES_CLDR_LACKS = {
    "VED": gettext_noop("Bolívar Soberano"),
    "UYW": gettext_noop("Uruguayan Nominal Wage Index Unit"),
    "XAD": gettext_noop("Arab Accounting Dinar"),
    "XSU": gettext_noop("Sucre"),
    "XUA": gettext_noop("ADB Unit of Account"),
}


def currency_name(code: str) -> str:
    """The currency `code` names ("USD") in the reader's language ("dollar des États-Unis"), from CLDR through
    babel, else from Twinning's own catalogue for the few CLDR lacks (`CURRENCY_NAMES_CLDR_LACKS`), else
    pycountry's English name, else the code.

    Raises: nothing.
    """
    if not code:
        return ""
    found = _currencies(get_language() or settings.LANGUAGE_CODE).get(code)
    if found:
        return found
    if code in CURRENCY_NAMES_CLDR_LACKS:
        return gettext(CURRENCY_NAMES_CLDR_LACKS[code])
    return currency_names().get(code, code)


@cache
def _currencies(language: str) -> dict[str, str]:
    try:
        return dict(Locale.parse(to_locale(language)).currencies)
    except (UnknownLocaleError, ValueError):
        return {}


def country_name(code: str) -> str:
    """The country `code` names ("UG") in the reader's language ("Uganda", "Ouganda"), from CLDR through babel,
    else pycountry's English name; an empty code is "", a code no list knows is shown as it is."""
    if not code:
        return ""
    return _territories(get_language() or settings.LANGUAGE_CODE).get(code) or country_names().get(code, code)


@cache
def _territories(language: str) -> dict[str, str]:
    try:
        return dict(Locale.parse(to_locale(language)).territories)
    except (UnknownLocaleError, ValueError):
        return {}


def shipped_name(name: str) -> str:
    """A name of the reference data Twinning ships (pillars, health areas and the other seeded vocabularies,
    stored in English and marked with gettext_noop where they are defined, so `make messages` puts them in the
    catalogues) in the reader's language; a name an administrator or programme typed itself has no catalogue
    entry and comes back as it is. Every display of such a name goes through here (the models' __str__).

    Raises: nothing.
    """
    return gettext(name) if name else ""


def shipped_format(text: str, *patterns: str, names: dict[str, str] | None = None) -> str:
    """`text` in the reader's language when it was made from one of `patterns`, shipped texts with named
    placeholders marked with gettext_noop ("%(city)s community hall", a demo planning event's place): the stored
    English is matched against each pattern and the translated pattern is filled with the same values. Any other
    text goes through `shipped_name` (a shipped name is translated, a typed one comes back as it is).

    `names` lists the placeholders whose values are themselves shipped names, mapped to the separator that joins
    several of them ("" for one): each is translated too (a demo transition plan's summary names the plan's
    activities, "Triage protocol workshop; Quarterly clinical audit"). A figure stored with English thousands
    separators ("1,200,000 people") is grouped as the reader's language groups it ("1\u202f200\u202f000" in
    French); other values (an institution's name, a year, a figure under 1,000) are kept as stored.

    Raises: nothing.
    """
    for pattern in patterns:
        found = re.fullmatch(_PLACEHOLDER.sub(_group, re.escape(pattern)), text or "")
        if found:
            values = {
                name: format_grouped(int(value.replace(",", "")))
                if _ENGLISH_FIGURE.fullmatch(value)
                else value
                for name, value in found.groupdict().items()
            }
            for name, separator in (names or {}).items():
                if name in values:
                    parts = values[name].split(separator) if separator else [values[name]]
                    values[name] = separator.join(shipped_name(part) for part in parts)
            try:
                return gettext(pattern) % values
            except (
                KeyError,
                ValueError,
                TypeError,
            ):  # a translation that lost a placeholder: keep the English
                return text
    return shipped_name(text)


_ENGLISH_FIGURE = re.compile(r"\d{1,3}(?:,\d{3})+")  # how the demo writes a figure of 1,000 or more
_PLACEHOLDER = re.compile(r"%\\\((\w+)\\\)s")  # a named placeholder as re.escape writes it


def _group(match: re.Match[str]) -> str:
    return f"(?P<{match.group(1)}>.+?)"


def language_name(code: str, fallback: str = "") -> str:
    """A language's name ("pt") in the reader's language ("portugais" in French), from CLDR through babel, else
    `fallback` (the stored English name), else the code.

    Raises: nothing.
    """
    if not code:
        return fallback
    return _languages(get_language() or settings.LANGUAGE_CODE).get(code) or fallback or code


@cache
def _languages(language: str) -> dict[str, str]:
    try:
        return dict(Locale.parse(to_locale(language)).languages)
    except (UnknownLocaleError, ValueError):
        return {}


def validate_country(value: str) -> None:
    if value not in country_names():
        raise ValidationError(_("%(value)s is not an ISO 3166 country code."), params={"value": value})


def validate_currency(value: str) -> None:
    if value not in currency_names():
        raise ValidationError(_("%(value)s is not an ISO 4217 currency code."), params={"value": value})


def validate_time_zone(value: str) -> None:
    if value and value not in time_zone_names():
        raise ValidationError(_("Use an IANA time zone name, such as Africa/Kampala."))
