"""The one number parser (issue 9 §4): what people type in each UI language, and what the API sends."""

from decimal import Decimal

import pytest
from babel.numbers import format_decimal
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from twinning.core.numbers import current_locale, format_number, parse_decimal

UI_LANGUAGES = ["en", "fr", "es", "ru", "pt"]


@pytest.mark.parametrize(
    ("locale", "text", "expected"),
    [
        # Issue 9 §4: typed in a result field by a user whose language writes a decimal comma.
        ("pt", "12,5", "12.5"),
        ("pt", "4,5", "4.5"),
        ("pt", "3,5", "3.5"),
        ("pt", "189,30", "189.30"),
        ("pt", "1.234,5", "1234.5"),
        ("pt", "1.234", "1234"),
        ("pt", "12.345.678", "12345678"),
        ("es", "1.234,5", "1234.5"),
        ("fr", "12,5", "12.5"),
        ("fr", "1 234,5", "1234.5"),  # an ordinary space, as keyboards type it
        ("fr", "1\u00a0234,5", "1234.5"),  # no-break space
        ("fr", "1\u202f234,5", "1234.5"),  # narrow no-break space, as CLDR writes French
        ("ru", "1 234 567,25", "1234567.25"),
        ("en", "12.5", "12.5"),
        ("en", "1,234.5", "1234.5"),
        ("en", "1,234", "1234"),
        ("en", "-7", "-7"),
        ("en", "+7", "7"),
        ("en", "  42\u00a0", "42"),
        ("en", "-0", "0"),
        ("pt-br", "12,5", "12.5"),
        # The machine form, where the language cannot read the text otherwise.
        ("pt", "12.5", "12.5"),
        ("es", "1.2345", "1.2345"),
        ("fr", "12.5", "12.5"),
        ("ru", "0.125", "0.125"),
    ],
)
def test_a_number_is_read_as_the_users_language_writes_it(locale, text, expected):
    assert parse_decimal(text, locale=locale) == Decimal(expected)


@pytest.mark.parametrize(
    ("locale", "text", "message"),
    [
        ("en", "12,5", "“12,5” is not a number. Enter a number such as 12.5."),
        ("en", "0,125", "“0,125” is not a number. Enter a number such as 12.5."),
        ("en", "1.234,5", "“1.234,5” is not a number. Enter a number such as 12.5."),
        ("en", "1 234", "“1 234” is not a number. Enter a number such as 12.5."),
        ("pt", "1,234.5", "“1,234.5” is not a number. Enter a number such as 12,5."),
        ("pt", "12,5%", "“12,5%” is not a number. Enter a number such as 12,5."),
        ("pt", "1 234", "“1 234” is not a number. Enter a number such as 12,5."),
        ("fr", "12.345.678", "“12.345.678” is not a number. Enter a number such as 12,5."),
        ("fr", "NaN", "“NaN” is not a number. Enter a number such as 12,5."),
        ("en", "Infinity", "“Infinity” is not a number. Enter a number such as 12.5."),
        ("en", "-inf", "“-inf” is not a number. Enter a number such as 12.5."),
        ("en", "1e5", "“1e5” is not a number. Enter a number such as 12.5."),
        ("en", "1E-3", "“1E-3” is not a number. Enter a number such as 12.5."),
        ("en", "--5", "“--5” is not a number. Enter a number such as 12.5."),
        ("en", "5-", "“5-” is not a number. Enter a number such as 12.5."),
        ("en", "١٢", "“١٢” is not a number. Enter a number such as 12.5."),
        ("en", "   ", "“” is not a number. Enter a number such as 12.5."),
        ("en", "1" * 61, "“111111111111111111111111111111…” is not a number. Enter a number such as 12.5."),
    ],
)
def test_text_that_is_not_a_number_in_the_users_form_is_refused_naming_it(locale, text, message):
    with pytest.raises(ValidationError) as caught:
        parse_decimal(text, locale=locale)
    assert caught.value.messages == [message]
    assert caught.value.code == "invalid"


@pytest.mark.parametrize("locale", ["fr", "ru"])
def test_a_dot_before_three_digits_is_ambiguous_where_the_dot_is_no_separator(locale):
    with pytest.raises(ValidationError) as caught:
        parse_decimal("1.234", locale=locale)
    assert caught.value.code == "ambiguous"
    assert caught.value.messages == [
        "“1.234” could be read two ways. Enter 1234 for the thousands, or 1,234 for the decimal number."
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12.5", "12.5"), ("-3", "-3"), ("0.0001", "0.0001"), (".5", "0.5"), ("1234", "1234")],
)
def test_the_machine_form_is_a_dot_decimal_without_grouping(text, expected):
    assert parse_decimal(text, locale=None) == Decimal(expected)


@pytest.mark.parametrize("text", ["12,5", "1,234", "1.234,5", "1 234", "NaN", "1e3", "Infinity", "0x10", ""])
def test_the_machine_form_refuses_locale_forms_and_special_values(text):
    with pytest.raises(ValidationError) as caught:
        parse_decimal(text, locale=None)
    assert caught.value.code == "invalid"
    assert "such as “12.5”" in caught.value.messages[0]


def test_the_locale_is_the_active_language():
    with translation.override("pt"):
        assert current_locale() == "pt"
        assert parse_decimal("12,5", locale=current_locale()) == Decimal("12.5")
    with translation.override("en"):
        assert current_locale() == "en"


@pytest.mark.parametrize(
    ("locale", "value", "shown"),
    [
        ("pt", Decimal("12.5000"), "12,5"),
        ("pt", Decimal("1234.5"), "1234,5"),
        ("en", Decimal("1234.5"), "1234.5"),
        ("fr", Decimal("1E+3"), "1000"),
        ("ru", Decimal("0.0001"), "0,0001"),
        ("es", Decimal("-7.00"), "-7"),
    ],
)
def test_an_input_shows_a_value_in_the_users_form_without_grouping(locale, value, shown):
    assert format_number(value, locale=locale) == shown


finite_decimals = st.decimals(
    allow_nan=False, allow_infinity=False, min_value=-(10**18), max_value=10**18, places=6
)


@given(value=finite_decimals, locale=st.sampled_from(UI_LANGUAGES), grouped=st.booleans())
def test_whatever_babel_shows_in_a_ui_language_reads_back_as_the_same_value(value, locale, grouped):
    shown = format_decimal(value, locale=locale, group_separator=grouped, decimal_quantization=False)
    assert parse_decimal(shown, locale=locale) == value


@given(value=finite_decimals, locale=st.sampled_from(UI_LANGUAGES))
def test_what_an_input_shows_reads_back_as_the_same_value(value, locale):
    assert parse_decimal(format_number(value, locale=locale), locale=locale) == value
