import datetime
import itertools

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from twinning.planning.periods import (
    Frequency,
    parse_period,
    period_containing,
    periods_between,
    validate_period_id,
)


@pytest.mark.parametrize(
    ("period_id", "start", "end", "adx"),
    [
        ("2024", datetime.date(2024, 1, 1), datetime.date(2024, 12, 31), "2024-01-01/P1Y"),
        ("2024S2", datetime.date(2024, 7, 1), datetime.date(2024, 12, 31), "2024-07-01/P6M"),
        ("2024Q1", datetime.date(2024, 1, 1), datetime.date(2024, 3, 31), "2024-01-01/P3M"),
        ("202402", datetime.date(2024, 2, 1), datetime.date(2024, 2, 29), "2024-02-01/P1M"),
    ],
)
def test_dhis2_identifiers_parse_to_their_dates(period_id, start, end, adx):
    period = parse_period(period_id)
    assert (period.start, period.end, period.adx()) == (start, end, adx)


@pytest.mark.parametrize("bad", ["", "24", "2024Q5", "2024S3", "202413", "2024-01", "2024q1", "2024W5"])
def test_anything_else_is_refused(bad):
    with pytest.raises(ValueError):
        parse_period(bad)
    with pytest.raises(ValidationError):
        validate_period_id(bad)


def test_labels_are_words_not_codes():
    assert parse_period("2024Q3").label() == "Q3 2024"
    assert parse_period("2024S1").label() == "H1 2024"
    assert parse_period("202401").label() == "January 2024"


@given(
    day=st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2100, 12, 31)),
    frequency=st.sampled_from(list(Frequency)),
)
def test_the_period_containing_a_day_contains_it_and_round_trips(day, frequency):
    period = period_containing(day, frequency)
    assert period.start <= day <= period.end
    assert parse_period(period.id) == period


@given(
    first=st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2030, 12, 31)),
    days=st.integers(min_value=0, max_value=2000),
    frequency=st.sampled_from(list(Frequency)),
)
def test_periods_between_tile_the_range_without_gaps(first, days, frequency):
    last = first + datetime.timedelta(days=days)
    periods = periods_between(first, last, frequency)
    assert periods[0].start <= first and periods[-1].end >= last
    for earlier, later in itertools.pairwise(periods):
        assert later.start == earlier.end + datetime.timedelta(days=1)
