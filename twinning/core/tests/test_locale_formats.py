"""Figures are written as the reader's language writes them (CLDR), and what is shown reads back as typed."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.template.defaultfilters import floatformat
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from twinning.core.numbers import format_grouped, format_money, format_percent, parse_decimal

NNBSP, NBSP = "\u202f", "\u00a0"


@pytest.mark.parametrize(
    "language, grouped, percent, money",
    [
        ("en", "1,234.5", "45.5%", f"1,234.50{NBSP}USD"),
        ("fr", f"1{NNBSP}234,5", f"45,5{NBSP}%", f"1{NNBSP}234,50{NBSP}USD"),
        ("es", "1.234,5", f"45,5{NBSP}%", f"1.234,50{NBSP}USD"),
        ("ru", f"1{NBSP}234,5", f"45,5{NBSP}%", f"1{NBSP}234,50{NBSP}USD"),
        ("pt", "1.234,5", "45,5%", f"1.234,50{NBSP}USD"),
    ],
)
def test_each_language_writes_figures_its_own_way(language, grouped, percent, money):
    with translation.override(language):
        assert format_grouped(Decimal("1234.5"), decimals=1) == grouped
        assert format_percent(Decimal("45.5")) == percent
        assert format_money(Decimal("1234.5"), "USD") == money
        # Django's own filters use the same separators (settings.FORMAT_MODULE_PATH), so pages agree.
        assert floatformat(Decimal("1234.5"), "1g") == grouped


def test_the_template_filters_write_the_readers_form():
    template = Template(
        "{% load core %}{{ a|money:'EUR' }}|{{ p|percent:0 }}|{{ n|grouped:2 }}|{{ none|money:'EUR' }}"
    )
    with translation.override("fr"):
        text = template.render(Context({"a": Decimal("12345.678"), "p": 99.6, "n": 1000, "none": None}))
    assert text == f"12{NNBSP}345,68{NBSP}EUR|100{NBSP}%|1{NNBSP}000,00|"


def test_rounding_is_half_up_and_never_negative_zero():
    assert format_grouped(Decimal("2.5"), locale="en") == "3"
    assert format_grouped(Decimal("-0.4"), locale="en") == "0"
    assert format_percent(Decimal("-0.04"), locale="en") == "0%"


@given(
    st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False),
    st.sampled_from(["en", "fr", "es", "ru", "pt"]),
)
def test_a_grouped_figure_reads_back_as_the_same_value(value, language):
    shown = format_grouped(value, decimals=2, locale=language)
    assert parse_decimal(shown, locale=language) == value.quantize(Decimal("0.01"))
