"""A stage's date "cannot be in the future" where the partnership's host institution is, not on the server
(issue "Numbers people can trust")."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from twinning.directory.models import Institution
from twinning.partnerships import services
from twinning.testing.factories import InstitutionFactory

pytestmark = pytest.mark.django_db


def at(*args: int):
    return mock.patch("django.utils.timezone.now", return_value=datetime.datetime(*args, tzinfo=datetime.UTC))


def test_a_stage_change_defaults_to_and_is_bounded_by_the_hosts_date(world):
    hosts = Institution.objects.filter(side_links__partnership=world.partnership, side_links__side="host")
    hosts.update(time_zone="Pacific/Honolulu")
    with at(2025, 4, 1, 0, 30), pytest.raises(ValidationError, match="cannot be dated in the future"):
        services.partnership_stage_change(
            actor=world.manager,
            partnership=world.partnership,
            stage="planning",
            changed_on=datetime.date(2025, 4, 1),
        )
    hosts.update(time_zone="Pacific/Tarawa")
    with at(2025, 3, 31, 23, 30):
        services.partnership_stage_change(
            actor=world.manager, partnership=world.partnership, stage="planning"
        )
    assert world.partnership.stage_changes.first().changed_on == datetime.date(2025, 4, 1)


def test_a_new_partnership_starts_its_first_stage_on_the_hosts_date(world):
    host = InstitutionFactory.create(time_zone="Pacific/Tarawa")
    with at(2025, 3, 31, 23, 30):
        partnership = services.partnership_create(
            actor=world.manager,
            programme=world.programme,
            title="East of the date line",
            hosts=[host],
            resources=[InstitutionFactory.create(country="GB")],
        )
        with pytest.raises(ValidationError, match="cannot start in the future"):
            services.partnership_create(
                actor=world.manager,
                programme=world.programme,
                title="Too early",
                hosts=[InstitutionFactory.create(time_zone="Pacific/Honolulu")],
                resources=[InstitutionFactory.create(country="GB")],
                stage_since=datetime.date(2025, 4, 1),
            )
    assert partnership.stage_changes.get().changed_on == datetime.date(2025, 4, 1)
