"""Volunteer time cannot be received before it is given (issue "Numbers people can trust", tester finding: time
starting tomorrow was accepted as received through the form and the API, where a gift is refused)."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from twinning.contributions import services
from twinning.contributions.models import ContributionStatus, TimeEntry
from twinning.contributions.tests.test_services import time_fields
from twinning.directory.models import Institution

pytestmark = pytest.mark.django_db


def at(*args):
    return mock.patch("django.utils.timezone.now", return_value=datetime.datetime(*args, tzinfo=datetime.UTC))


def test_time_starting_tomorrow_is_refused_as_received_and_kept_as_pledged(world):
    tomorrow = datetime.date(2025, 4, 2)
    with at(2025, 4, 1, 12, 0):
        with pytest.raises(ValidationError, match="before it is given"):
            services.time_entry_create(
                actor=world.member,
                partnership=world.partnership,
                **time_fields(world, start_date=tomorrow, end_date=tomorrow),
            )
        assert not TimeEntry.objects.exists()
        pledged = services.time_entry_create(
            actor=world.member,
            partnership=world.partnership,
            status=ContributionStatus.PLEDGED,
            **time_fields(world, start_date=tomorrow, end_date=tomorrow),
        )
    assert pledged.status == ContributionStatus.PLEDGED


def test_moving_received_time_into_the_future_is_refused(world):
    with at(2025, 4, 1, 12, 0):
        entry = services.time_entry_create(
            actor=world.member,
            partnership=world.partnership,
            **time_fields(world, start_date=datetime.date(2025, 3, 30), end_date=datetime.date(2025, 3, 31)),
        )
        with pytest.raises(ValidationError, match="before it is given"):
            services.time_entry_update(
                actor=world.member,
                entry=entry,
                data={"start_date": datetime.date(2025, 4, 5), "end_date": datetime.date(2025, 4, 6)},
            )
    entry.refresh_from_db()
    assert entry.start_date == datetime.date(2025, 3, 30)


def test_today_is_the_latest_date_at_either_side(world):
    """At 23:30 UTC on 31 March it is already 1 April in Tarawa (UTC+12): a host there may record that day."""
    Institution.objects.filter(side_links__partnership=world.partnership, side_links__side="host").update(
        time_zone="Pacific/Tarawa"
    )
    first_of_april = datetime.date(2025, 4, 1)
    with at(2025, 3, 31, 23, 30):
        entry = services.time_entry_create(
            actor=world.member,
            partnership=world.partnership,
            **time_fields(world, start_date=first_of_april, end_date=first_of_april),
        )
    assert entry.status == ContributionStatus.RECEIVED


def test_the_api_refuses_time_received_in_the_future(client, world):
    from twinning.monitoring.tests.test_api import auth

    person = time_fields(world)["person"]
    with at(2025, 4, 1, 12, 0):
        response = client.post(
            f"/api/v1/contributions/partnerships/{world.partnership.uuid}/time-entries",
            {
                "side": "resource",
                "person": str(person.uuid),
                "start_date": "2027-03-01",
                "end_date": "2027-03-02",
                "quantity": "1",
                "unit": "days",
                "status": "received",
            },
            content_type="application/json",
            **auth(world.member),
        )
    assert response.status_code == 422, response.content
    assert not TimeEntry.objects.exists()
