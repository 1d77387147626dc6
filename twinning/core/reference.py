"""Reference data (countries, currencies, languages) from pycountry, cached per process.

The lists never change while the process runs, so caching them is safe across requests.
"""

import zoneinfo
from functools import cache

import pycountry
from babel.core import Locale, UnknownLocaleError
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import get_language, gettext, to_locale
from django.utils.translation import gettext_lazy as _


@cache
def country_names() -> dict[str, str]:
    return {c.alpha_2: getattr(c, "common_name", c.name) for c in pycountry.countries}


@cache
def currency_names() -> dict[str, str]:
    return {c.alpha_3: c.name for c in pycountry.currencies}


@cache
def time_zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def country_choices() -> list[tuple[str, str]]:
    """[(code, name)] for every ISO 3166 country, named and sorted in the reader's language (`country_name`), so
    that pickers, filters and tables write a country the same way. Call it per request, not at import.

    Raises: nothing.
    """
    return sorted(
        ((code, country_name(code)) for code in country_names()), key=lambda item: item[1].casefold()
    )


def currency_choices() -> list[tuple[str, str]]:
    # The code leads the label: two ISO 4217 currencies share a name (VED and VES, "Bolívar Soberano").
    return [(code, f"{code} – {name}") for code, name in sorted(currency_names().items())]


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
