"""Volunteer time and gift pledges recorded offline are sent as creates under the UUID the browser made: sent
twice because the first answer was lost, each is recorded once; a UUID that names another record (of this
partnership or another) is a conflict, never a silent success; a later change carries the version it was read at."""

import uuid
from decimal import Decimal

import pytest

from twinning.contributions.models import Gift, TimeEntry
from twinning.contributions.tests.factories import GiftFactory, TimeEntryFactory
from twinning.contributions.tests.test_api import API, GIFT, call

pytestmark = pytest.mark.django_db


def time_body(world) -> dict:
    host = world.partnership.side_links.get(side="host").institution
    return {
        "side": "host",
        "institution": str(host.uuid),
        "cadre": "nurse",
        "start_date": "2024-05-06",
        "end_date": "2024-05-06",
        "quantity": "6",
        "unit": "hours",
    }


def time_url(partnership) -> str:
    return f"{API}/partnerships/{partnership.uuid}/time-entries"


def gifts_url(partnership) -> str:
    return f"{API}/partnerships/{partnership.uuid}/gifts"


def test_time_sent_twice_under_its_client_uuid_is_recorded_once(world):
    sent = {**time_body(world), "uuid": str(uuid.uuid4())}
    first = call("post", time_url(world.partnership), world.member, sent)
    again = call("post", time_url(world.partnership), world.member, sent)
    assert first.status_code == again.status_code == 201, again.content
    assert first.json()["uuid"] == again.json()["uuid"] == sent["uuid"]
    assert TimeEntry.objects.get(uuid=sent["uuid"]).hours == Decimal("6")
    assert TimeEntry.objects.count() == 1


def test_a_gift_sent_twice_under_its_client_uuid_is_pledged_once(world):
    sent = {**GIFT, "uuid": str(uuid.uuid4())}
    first = call("post", gifts_url(world.partnership), world.member, sent)
    again = call("post", gifts_url(world.partnership), world.member, sent)
    assert first.status_code == again.status_code == 201, again.content
    assert first.json()["uuid"] == again.json()["uuid"] == sent["uuid"]
    gift = Gift.objects.get()
    assert (gift.fair_value, gift.currency, gift.status) == (Decimal("3200.00"), "GBP", "pledged")


def test_the_uuid_of_another_partnerships_record_is_refused(world):
    their_gift = GiftFactory(partnership=world.other_partnership)
    their_time = TimeEntryFactory(partnership=world.other_partnership)
    gift = call("post", gifts_url(world.partnership), world.member, {**GIFT, "uuid": str(their_gift.uuid)})
    time = call(
        "post", time_url(world.partnership), world.member, {**time_body(world), "uuid": str(their_time.uuid)}
    )
    assert gift.status_code == time.status_code == 409
    assert "uuid" in gift.json()["errors"] and "uuid" in time.json()["errors"]
    assert Gift.objects.get(uuid=their_gift.uuid).partnership == world.other_partnership
    assert TimeEntry.objects.get(uuid=their_time.uuid).partnership == world.other_partnership


@pytest.mark.parametrize(
    ("url", "body", "other", "model"),
    [
        (
            time_url,
            time_body,
            {"start_date": "2024-06-01", "end_date": "2024-06-01", "quantity": "3"},
            TimeEntry,
        ),
        (gifts_url, lambda world: GIFT, {"description": "Two microscopes", "fair_value": "900"}, Gift),
    ],
)
def test_the_uuid_of_another_record_of_the_same_partnership_is_a_conflict_not_dropped(
    world, url, body, other, model
):
    client_uuid = str(uuid.uuid4())
    first = call("post", url(world.partnership), world.member, {**body(world), "uuid": client_uuid})
    assert first.status_code == 201
    reused = call("post", url(world.partnership), world.member, {**body(world), **other, "uuid": client_uuid})
    assert reused.status_code == 409, reused.content
    assert "already names another record" in reused.json()["detail"] and "uuid" in reused.json()["errors"]
    assert model.objects.count() == 1 and model.objects.get().version == first.json()["version"]


@pytest.mark.parametrize(("url", "body"), [(time_url, time_body), (gifts_url, lambda world: GIFT)])
def test_outsider_gets_404_reader_403_and_bad_input_422(world, url, body):
    body = body(world)
    sent = {**body, "uuid": str(uuid.uuid4())}
    assert call("post", url(world.partnership), world.outsider, sent).status_code == 404
    assert call("post", url(world.partnership), world.partnership_viewer, sent).status_code == 403
    bad_uuid = call("post", url(world.partnership), world.member, {**body, "uuid": "not-a-uuid"})
    assert bad_uuid.status_code == 422 and "uuid" in bad_uuid.json()["errors"]
    # A number in a locale's form is refused, never read as another number.
    bad_number = call("post", url(world.partnership), world.member, {**sent, "quantity": "6,5"})
    assert bad_number.status_code == 422 and "quantity" in bad_number.json()["errors"]
    assert not Gift.objects.exists() and not TimeEntry.objects.exists()


def test_a_change_read_at_an_older_version_is_a_conflict(world):
    created = call("post", gifts_url(world.partnership), world.member, {**GIFT, "uuid": str(uuid.uuid4())})
    url = f"{API}/gifts/{created.json()['uuid']}"
    version = created.json()["version"]
    assert (
        call("patch", url, world.coordinator, {"fair_value": "3000", "version": version}).status_code == 200
    )
    stale = call("patch", url, world.member, {"fair_value": "2500", "version": version})
    assert stale.status_code == 409
    assert Gift.objects.get().fair_value == Decimal("3000")


@pytest.mark.parametrize(("form", "api"), [("time/new/", "time-entries"), ("gifts/new/", "gifts")])
def test_the_time_and_gift_forms_are_kept_offline_and_send_to_their_api(client, world, form, api):
    url = f"/contributions/partnerships/{world.partnership.uuid}/{form}"
    client.force_login(world.member)
    page = client.get(url)
    assert page.status_code == 200 and page["Twinning-Offline"] == "keep"
    assert f'data-offline="create" data-api="{API}/partnerships/{world.partnership.uuid}/{api}"' in page.text
    client.force_login(world.partnership_viewer)
    assert client.get(url).status_code == 403
    client.force_login(world.outsider)
    refused = client.get(url)
    assert refused.status_code == 404 and "Twinning-Offline" not in refused
