"""My work's "Keep these forms for offline use": which pages it keeps, for whom, and that the page offers it only
to people who enter data (nothing is fetched until the button is pressed; see test_browser_offline_keep)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from twinning.accounts.models import PartnershipMembership
from twinning.monitoring.tests.factories import monitored
from twinning.testing.factories import PartnershipFactory
from twinning.work import MAX_OFFLINE_FORMS, offline_forms, work_for_user

pytestmark = pytest.mark.django_db


def test_the_results_due_come_first_then_each_partnerships_forms(world):
    monitored(world)
    forms = offline_forms(world.member, work_for_user(world.member))
    p = world.partnership.uuid
    assert forms[0].startswith(f"/monitoring/{p}/")
    assert forms[-3:] == [
        f"/exchanges/{p}/new/",
        f"/contributions/partnerships/{p}/time/new/",
        f"/contributions/partnerships/{p}/gifts/new/",
    ]
    assert len(forms) == len(set(forms))


def test_at_most_twenty_forms_in_one_query_however_many_partnerships(world):
    def measured() -> tuple[list[str], int]:
        with CaptureQueriesContext(connection) as queries:
            forms = offline_forms(world.member, [])
        return forms, len(queries)

    few, cost = measured()
    for _n in range(10):
        partnership = PartnershipFactory(programme=world.programme)
        PartnershipMembership.objects.create(
            user=world.member, partnership=partnership, side="host", role="member"
        )
    many, again = measured()
    assert len(few) == 3 and len(many) == MAX_OFFLINE_FORMS
    assert cost == again == 1


def test_only_people_who_enter_data_are_offered_the_button(client, world):
    monitored(world)
    client.force_login(world.member)
    page = client.get("/my-work/").text
    assert "Keep these forms for offline use" in page
    assert f"/contributions/partnerships/{world.partnership.uuid}/gifts/new/" in page
    for reader in (world.partnership_viewer, world.outsider, world.programme_viewer):
        assert offline_forms(reader, work_for_user(reader)) == []
        client.force_login(reader)
        response = client.get("/my-work/")
        assert response.status_code == 200 and "Keep these forms for offline use" not in response.text
