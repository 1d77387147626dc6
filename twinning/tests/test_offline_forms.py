"""My work's "Keep these forms for offline use": which pages it keeps, for whom, and that the page offers it only
to people who enter data (nothing is fetched until the button is pressed; see test_browser_offline_keep)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from twinning.accounts.models import PartnershipMembership
from twinning.monitoring.models import PeriodReport
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


def test_every_open_period_is_kept_the_current_one_included_but_not_a_submitted_or_future_one(world):
    monitored(world)
    p = world.partnership.uuid
    PeriodReport.objects.create(partnership=world.partnership, period="2024Q2", status="submitted")
    PeriodReport.objects.create(partnership=world.partnership, period="2024Q3", status="returned")
    today = datetime.date(2025, 5, 10)
    forms = offline_forms(world.member, work_for_user(world.member, today=today), today=today)
    entries = [url.split("/")[3] for url in forms if url.startswith("/monitoring/")]
    # Due first (My work's order), then the open periods not yet due: the current quarter and year.
    assert entries[0] == "2024Q1"
    assert {"2024Q3", "2024Q4", "2025Q1", "2024", "2025Q2", "2025"} <= set(entries)
    assert entries[-2:] == ["2025Q2", "2025"]
    assert "2024Q2" not in entries and "2025Q3" not in entries and "2026" not in entries
    # Without the due list (My work computed elsewhere) the open periods are still all there, newest first.
    alone = [
        u.split("/")[3]
        for u in offline_forms(world.member, [], today=today)
        if u.startswith(f"/monitoring/{p}/")
    ]
    assert alone[:3] == ["2025Q2", "2025Q1", "2025"] and "2024Q2" not in alone and len(alone) == 7


def test_at_most_thirty_forms_in_a_fixed_number_of_queries_however_many_partnerships(world):
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
    assert cost == again <= 6


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
