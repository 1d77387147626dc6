"""What "today" is for a place: its own zone's date, not the server's (issue "Numbers people can trust")."""

import datetime
from unittest import mock

from twinning.core.dates import country_zone, latest_today, local_today, place_zone

UTC = datetime.UTC


def at(*args: int):
    return mock.patch("django.utils.timezone.now", return_value=datetime.datetime(*args, tzinfo=UTC))


def test_just_before_midnight_utc_it_is_already_tomorrow_twelve_hours_east():
    with at(2025, 3, 31, 23, 30):
        assert local_today("Pacific/Tarawa") == datetime.date(2025, 4, 1)  # UTC+12
        assert local_today("Pacific/Honolulu") == datetime.date(2025, 3, 31)  # UTC-10
        assert local_today("") == datetime.date(2025, 3, 31)  # the installation's zone (UTC in tests)


def test_just_after_midnight_utc_it_is_still_yesterday_ten_hours_west():
    with at(2025, 4, 1, 0, 30):
        assert local_today("Pacific/Honolulu") == datetime.date(2025, 3, 31)
        assert local_today("Pacific/Tarawa") == datetime.date(2025, 4, 1)
        assert local_today("Not/A_Zone") == datetime.date(2025, 4, 1)


def test_a_place_without_a_zone_uses_its_countrys_only_zone():
    assert country_zone("UG") == "Africa/Kampala"
    assert country_zone("US") == "" and country_zone("") == ""  # several zones: no guess
    assert place_zone("", "KI") == ""  # Kiribati spans three zones
    assert place_zone("Pacific/Tarawa", "UG") == "Pacific/Tarawa"


def test_the_latest_today_among_places_is_the_one_furthest_east():
    with at(2025, 12, 31, 23, 30):
        assert latest_today(["Pacific/Honolulu", "Pacific/Tarawa"]) == datetime.date(2026, 1, 1)
        assert latest_today([]) == datetime.date(2025, 12, 31)
