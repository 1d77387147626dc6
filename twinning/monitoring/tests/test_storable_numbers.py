"""A figure is stored exactly as typed or refused (issue "Numbers people can trust", tester finding: the value
99999999999999.9999 passed validation, was kept by SQLite as 100000000000000 and from then on every page showing
the partnership's results answered 500)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twinning.core.validators import validate_storable_decimal
from twinning.monitoring import services
from twinning.monitoring.models import Result
from twinning.monitoring.tests.factories import measures_a_change, monitored
from twinning.monitoring.tests.test_api import auth, put
from twinning.monitoring.tests.test_entry_page import PERIOD, entry, key, page_url, save_all, typed

pytestmark = pytest.mark.django_db

TOO_LONG = "99999999999999.9999"


def test_the_testers_value_is_refused_by_the_service_and_nothing_is_stored(world):
    m = monitored(world)
    measures_a_change(m.trained)  # a count would be refused sooner, as not whole
    with pytest.raises(services.ResultsRejected) as refused:
        save_all(world, m, [entry(m, value=TOO_LONG)])
    assert "significant digits" in str(refused.value.row_errors[key(m.trained)])
    assert not Result.objects.exists()


def test_the_entry_page_shows_the_error_beside_the_field_not_a_500(client, world):
    m = monitored(world)
    measures_a_change(m.trained)
    client.force_login(world.member)
    response = client.post(page_url(world, "save/"), typed(m, trained=TOO_LONG))
    assert response.status_code == 400
    assert b"significant digits" in response.content
    assert not Result.objects.exists()
    assert client.get(page_url(world)).status_code == 200


def test_the_api_refuses_it_with_422(client, world):
    monitored(world)
    response = put(client, world, world.member, value=TOO_LONG)
    assert response.status_code == 422, response.content
    assert not Result.objects.exists()
    assert client.get("/api/v1/monitoring/results", **auth(world.member)).status_code == 200


def test_fifteen_significant_digits_are_accepted_and_trailing_zeros_do_not_count():
    validate_storable_decimal(Decimal("12345678901.2345"))
    validate_storable_decimal(Decimal("100000000000000.0000"))
    validate_storable_decimal(None)
    for bad in ("1234567890123.4567", TOO_LONG, "NaN", "Infinity"):
        with pytest.raises(ValidationError):
            validate_storable_decimal(Decimal(bad))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.decimals(
        min_value=Decimal("-99999999999.9999"),
        max_value=Decimal("99999999999.9999"),
        places=4,
        allow_nan=False,
        allow_infinity=False,
    )
)
def test_every_accepted_value_reads_back_exactly_on_this_database(world, value):
    """What the validator accepts (here up to the 15 digits it allows), the database gives back unchanged: SQLite
    keeps decimals as floats. The examples share the test's database, so the indicators are made once."""
    if not hasattr(world, "monitored"):
        world.monitored = monitored(world)
        world.monitored.trained.indicator.allows_negative = True
        world.monitored.trained.indicator.save(update_fields=["allows_negative"])
    m = world.monitored
    Result.objects.all().delete()
    save_all(world, m, [entry(m, value=str(value))], who=world.coordinator)
    assert Result.objects.get(indicator=m.trained.indicator, option=None, period=PERIOD).value == value
