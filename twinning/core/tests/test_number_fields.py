"""Every number a person types in a web form is read by the one parser (issue 9 §4)."""

import importlib
import inspect
from decimal import Decimal

import pytest
from django import forms
from django.apps import apps
from django.utils import translation

from twinning.core.forms import LocalizedDecimalField, LocalizedIntegerField


def numeric_form_fields() -> list[tuple[str, forms.Field]]:
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("twinning."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.forms")
        except ModuleNotFoundError:
            continue
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                for field_name, field in cls.base_fields.items():
                    if isinstance(field, forms.DecimalField | forms.FloatField | forms.IntegerField):
                        found.append((f"{module.__name__}.{name}.{field_name}", field))
    return found


def test_every_number_people_type_in_a_form_goes_through_the_parser():
    typed = {
        label: field
        for label, field in numeric_form_fields()
        if not isinstance(field.widget, forms.HiddenInput)
    }
    # Amounts, rates, quantities, baselines, targets, results, settings, capacities: the kind is covered.
    for expected in [
        "twinning.contributions.forms.GiftForm.fair_value",
        "twinning.contributions.forms.ValuationRateForm.hourly_rate",
        "twinning.planning.forms.AdoptForm.baseline_value",
        "twinning.monitoring.forms.ResultRowForm.numerator",
        "twinning.monitoring.forms.SettingsForm.report_due_days",
        "twinning.matching.forms.ApplicantForm.capacity",
    ]:
        assert expected in typed
    bypassing = [
        label
        for label, field in typed.items()
        if not isinstance(field, LocalizedDecimalField | LocalizedIntegerField)
    ]
    assert bypassing == []


class Sample(forms.Form):
    amount = LocalizedDecimalField(max_digits=8, decimal_places=2)
    count = LocalizedIntegerField(min_value=0)


@pytest.mark.parametrize(
    ("language", "amount", "count", "expected"),
    [
        ("pt", "1.234,5", "1.500", (Decimal("1234.5"), 1500)),
        ("en", "1,234.5", "1,500", (Decimal("1234.5"), 1500)),
        ("fr", "1 234,5", "1 500", (Decimal("1234.5"), 1500)),
        ("es", "12,5", "3", (Decimal("12.5"), 3)),
        ("ru", "0,25", "0", (Decimal("0.25"), 0)),
    ],
)
def test_a_form_reads_numbers_in_the_users_language(language, amount, count, expected):
    with translation.override(language):
        form = Sample({"amount": amount, "count": count})
        assert form.is_valid(), form.errors
    assert (form.cleaned_data["amount"], form.cleaned_data["count"]) == expected


def test_a_whole_number_field_refuses_a_fraction_instead_of_cutting_it():
    with translation.override("pt"):
        form = Sample({"amount": "1", "count": "1,5"})
        assert not form.is_valid()
    assert form.errors["count"] == ["Enter a whole number."]


def test_a_form_refuses_what_the_parser_refuses_with_its_message():
    with translation.override("en"):
        form = Sample({"amount": "12,5", "count": "1e3"})
        assert not form.is_valid()
    assert form.errors["amount"] == ["“12,5” is not a number. Enter a number such as 12.5."]
    assert form.errors["count"] == ["“1e3” is not a number. Enter a number such as 12.5."]


def test_a_form_shows_the_current_value_in_the_users_language():
    form = Sample(initial={"amount": Decimal("12.50"), "count": 1500})
    with translation.override("pt"):
        html = str(form["amount"]) + str(form["count"])
    assert 'value="12,5"' in html and 'value="1500"' in html
    assert 'inputmode="decimal"' in html and 'inputmode="numeric"' in html and 'type="text"' in html


def test_a_refused_form_shows_back_what_was_typed():
    with translation.override("pt"):
        form = Sample({"amount": "12,5x", "count": "2"})
        assert not form.is_valid()
        assert 'value="12,5x"' in str(form["amount"])


@pytest.mark.parametrize("language", ["en", "fr", "ru", "es", "pt"])
def test_a_date_box_holds_its_value_in_iso_form_in_every_language(language):
    # A date box reads only ISO 8601; Django wrote "30/06/2028" in French, the box showed empty and saving erased
    # the date.
    import datetime

    from django import forms as django_forms
    from django.utils import translation

    from twinning.core.forms import DateInput

    class Form(django_forms.Form):
        handover = django_forms.DateField(widget=DateInput)

    with translation.override(language):
        html = str(Form(initial={"handover": datetime.date(2028, 6, 30)})["handover"])
    assert 'type="date"' in html and 'value="2028-06-30"' in html
