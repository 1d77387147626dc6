"""Rendering helpers show data they do not expect plainly (and log it) instead of failing the page."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.contenttypes.models import ContentType

from twinning.core.charts import bar_chart, bar_line_chart
from twinning.core.periods import period_label
from twinning.core.templatetags.core import field_label
from twinning.exchanges.templatetags.exchanges import get
from twinning.planning.models import Plan
from twinning.planning.templatetags.planning import plain_number

pytestmark = pytest.mark.django_db


def event_about(model: type) -> SimpleNamespace:
    return SimpleNamespace(target_type=ContentType.objects.get_for_model(model))


def test_history_names_a_field_by_its_label():
    assert field_label("first_year", event_about(Plan)) == "first year"
    assert field_label("title", event_about(Plan)) == "title"


def test_history_names_a_relation_by_its_records():
    assert field_label("sign_offs", event_about(Plan)) == "plan sign-offs"


def test_history_names_a_field_that_is_gone_or_odd_by_its_raw_name():
    assert field_label("retired_field", event_about(Plan)) == "retired field"
    gone = SimpleNamespace(target_type=SimpleNamespace(model_class=lambda: None))
    assert field_label("some_field", gone) == "some field"
    assert field_label(12, event_about(Plan)) == "12"


def test_an_unknown_period_is_shown_as_stored(caplog):
    assert period_label("2026Q1") == "Q1 2026"
    assert period_label("2026W5") == "2026W5"
    assert period_label(None) == "None"


def test_odd_numbers_in_charts_leave_the_chart_out_and_log_it(caplog):
    odd = [Decimal("NaN"), Decimal("1")]
    assert bar_line_chart("Trained", ["Q1", "Q2"], odd, [None, None]) == ""
    assert bar_chart([("Uganda", odd)], series=["a", "b"], title="Value") == ""
    assert bar_chart([("Visits", [float("nan")]), ("Other", [1.0])], title="Visits") == ""
    assert "could not render" in caplog.text


def test_filters_show_odd_values_plainly():
    assert plain_number(Decimal("120.000")) == "120"
    assert plain_number(Decimal("sNaN")) == "sNaN"
    assert get(None, "key") is None
