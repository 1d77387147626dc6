"""Whole numbers in query strings and hidden fields: a wrong one is ignored or a form error, never a 500."""

import pytest
from django.urls import reverse

from twinning.core.numbers import query_int


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024", 2024),
        ("²", None),
        ("２０２４", None),
        ("-1", None),
        ("1e3", None),
        ("", None),
        ("9" * 40, None),
    ],
)
def test_query_int_reads_ascii_digits_only_within_bounds(text, expected):
    assert query_int(text, minimum=1000, maximum=9999) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["monitoring:programme", "contributions:disclosure", "contributions:disclosure_xlsx"]
)
def test_a_year_that_is_not_a_number_is_ignored(client, world, name):
    client.force_login(world.manager)
    response = client.get(reverse(name, args=[world.programme.uuid]), {"year": "²²²²"})
    assert response.status_code == 200
