"""What an offline client needs of the results API: a value it creates under its own UUID, sent again because
the first answer was lost, is not written twice and is no conflict; the same value changed by someone else
meanwhile is a conflict; the UUID of another value is refused; the usual scoping holds."""

import uuid

import pytest

from twinning.monitoring import services
from twinning.monitoring.models import PeriodReport, Result
from twinning.monitoring.tests.factories import monitored
from twinning.monitoring.tests.test_api import put

pytestmark = pytest.mark.django_db


def test_a_create_sent_twice_under_its_client_uuid_answers_the_same_value(client, world):
    monitored(world)
    client_uuid = str(uuid.uuid4())
    first = put(client, world, world.member, value="12", uuid=client_uuid)
    again = put(client, world, world.member, value="12", uuid=client_uuid)
    assert first.status_code == again.status_code == 200
    assert first.json()["uuid"] == again.json()["uuid"] == client_uuid
    assert again.json()["version"] == first.json()["version"]
    assert Result.objects.get().uuid == uuid.UUID(client_uuid)


def test_a_create_whose_value_someone_changed_meanwhile_is_a_conflict(client, world):
    monitored(world)
    client_uuid = str(uuid.uuid4())
    created = put(client, world, world.member, value="12", uuid=client_uuid).json()
    put(client, world, world.coordinator, value="15", version=created["version"])
    assert put(client, world, world.member, value="12", uuid=client_uuid).status_code == 409
    assert Result.objects.get().value == 15


def test_a_create_where_someone_else_created_the_value_meanwhile_is_a_conflict(client, world):
    monitored(world)
    put(client, world, world.coordinator, value="15")
    assert put(client, world, world.member, value="12", uuid=str(uuid.uuid4())).status_code == 409
    assert Result.objects.get().value == 15


def test_the_uuid_of_another_value_of_the_same_partnership_is_a_conflict_that_says_so(client, world):
    m = monitored(world)
    other = put(client, world, world.member, value="3", option="sex:female").json()
    response = put(client, world, world.member, value="12", uuid=other["uuid"])
    assert response.status_code == 409 and "uuid" in response.json()["errors"]
    assert "already names another record" in response.json()["detail"]
    assert Result.objects.filter(indicator=m.trained.indicator, option=None).count() == 0
    assert Result.objects.get(uuid=other["uuid"]).value == 3


def test_a_malformed_client_uuid_is_refused(client, world):
    monitored(world)
    response = put(client, world, world.member, value="12", uuid="not-a-uuid")
    assert response.status_code == 422 and "uuid" in response.json()["errors"]


def test_an_approved_period_refuses_the_offline_value_with_its_reason(client, world):
    monitored(world)
    services.report_get_or_create(world.partnership, "2024Q1")
    PeriodReport.objects.filter(partnership=world.partnership, period="2024Q1").update(status="approved")
    response = put(client, world, world.member, value="12", uuid=str(uuid.uuid4()))
    assert response.status_code == 422
    assert "approved and locked" in response.json()["detail"]
    assert not Result.objects.exists()


def test_a_reader_gets_403_and_an_outsider_cannot_name_the_partnership(client, world):
    monitored(world)
    assert put(client, world, world.partnership_viewer, value="5", uuid=str(uuid.uuid4())).status_code == 403
    # Who enters data nowhere is refused before the body is read; who does elsewhere does not see this
    # partnership, named in the body: 404, as in a path (twinning.core.api).
    assert put(client, world, world.outsider, value="5", uuid=str(uuid.uuid4())).status_code == 403
    other = put(client, world, world.other_coordinator, value="5", uuid=str(uuid.uuid4()))
    assert (other.status_code, other.json()) == (404, {"detail": "Not found."})
    assert not Result.objects.exists()


def test_an_outsider_cannot_replay_a_members_create(client, world):
    monitored(world)
    client_uuid = str(uuid.uuid4())
    put(client, world, world.member, value="12", uuid=client_uuid)
    assert put(client, world, world.outsider, value="12", uuid=client_uuid).status_code == 403
    assert put(client, world, world.other_coordinator, value="12", uuid=client_uuid).status_code == 404
    assert put(client, world, world.partnership_viewer, value="12", uuid=client_uuid).status_code == 403
