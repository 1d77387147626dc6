"""The programme's graduation pipeline and the share of activities and practices still running after the end:
figures against an independent count (Hypothesis), a constant number of queries, staff only."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twinning.sustainability.models_transition import FollowUp, FollowUpItem, GraduationReview, TransitionPlan
from twinning.sustainability.transition_selectors import graduation_pipeline, still_running
from twinning.testing.factories import PartnershipFactory

pytestmark = pytest.mark.django_db

STATUSES = ("running", "adapted", "stopped")
TODAY = datetime.date(2026, 6, 1)


def _follow_up(partnership, years, statuses, kind="activity", answered=True):
    follow_up = FollowUp.objects.create(
        partnership=partnership,
        years_after=years,
        ended_on=datetime.date(2020, 1, 1),
        outcome="graduate",
        due_date=datetime.date(2020 + years, 1, 1),
        opens_on=datetime.date(2020 + years, 1, 1),
        answered_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC) if answered else None,
    )
    FollowUpItem.objects.bulk_create(
        FollowUpItem(follow_up=follow_up, kind=kind, title=f"Q{n}", status=s) for n, s in enumerate(statuses)
    )
    return follow_up


surveys = st.lists(
    st.tuples(
        st.sampled_from([1, 3, 5]),
        st.lists(st.sampled_from(STATUSES), max_size=6),
        st.sampled_from(["activity", "practice"]),
        st.booleans(),
    ),
    max_size=6,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=surveys)
def test_shares_still_running_match_an_independent_count(world, rows):
    FollowUp.objects.all().delete()
    for n, (years, statuses, kind, answered) in enumerate(rows):
        partnership = PartnershipFactory(programme=world.programme)
        _follow_up(partnership, years, statuses, kind, answered)
        del n
    found = {(r.years, r.kind): r for r in still_running(world.programme)}
    for years in (1, 3, 5):
        for kind in ("activity", "practice"):
            answered = [s for y, ss, k, a in rows if y == years and k == kind and a for s in ss]
            row = found.get((years, kind))
            if kind == "practice" and not answered:
                assert row is None
                continue
            assert row is not None
            assert row.asked == len(answered)
            expected = (
                (Decimal(sum(s in ("running", "adapted") for s in answered)) * 100 / len(answered)).quantize(
                    Decimal("0.1")
                )
                if answered
                else None
            )
            assert row.still_running_percent == expected
            assert row.stopped == answered.count("stopped")


def test_the_pipeline_counts_stages_and_shows_each_ending_partnership(world):
    world.partnership.stage = "transition"
    world.partnership.save()
    TransitionPlan.objects.create(partnership=world.partnership)
    GraduationReview.objects.create(partnership=world.partnership)
    graduated = PartnershipFactory(programme=world.programme, stage="graduated")
    GraduationReview.objects.create(
        partnership=graduated, decision="graduate", reason="Ready", decided_on=datetime.date(2025, 1, 1)
    )
    _follow_up(graduated, 1, ["running"])
    _follow_up(graduated, 3, ["running"], answered=False)
    pipeline = graduation_pipeline(world.programme, today=TODAY)
    assert pipeline.counts == {"transition": 1, "graduated": 1}
    rows = {r.partnership.pk: r for r in pipeline.rows}
    assert rows[world.partnership.pk].plan_status == "draft" and rows[world.partnership.pk].open_review
    assert rows[graduated.pk].last_decision == "graduate"
    assert (rows[graduated.pk].follow_ups_answered, rows[graduated.pk].follow_ups_due) == (1, 1)


def test_the_old_graduation_page_leads_to_the_one_programme_page(client, world):
    old = reverse("sustainability:programme_transition", args=[world.programme.uuid])
    url = reverse("sustainability:programme", args=[world.programme.uuid])
    client.force_login(world.coordinator)
    assert client.get(old).status_code == 404
    client.force_login(world.programme_viewer)
    assert client.get(old)["Location"] == url + "#graduation-pipeline"
    assert (
        client.get(old + "?format=csv&table=still-running")["Location"]
        == url + "?format=csv&table=still-running"
    )
    html = client.get(url).content.decode()
    assert 'id="scores"' in html and 'id="graduation-pipeline"' in html and 'id="still-running"' in html
    home = client.get("/").content.decode()
    assert url in home and old not in home


def test_the_programme_page_is_for_staff_and_its_queries_do_not_grow(client, world):
    url = reverse("sustainability:programme", args=[world.programme.uuid])
    client.force_login(world.coordinator)
    assert client.get(url).status_code == 404
    client.force_login(world.programme_viewer)
    graduated = PartnershipFactory(programme=world.programme, stage="graduated")
    _follow_up(graduated, 1, ["running", "stopped"])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert response.status_code == 200 and "50" in response.content.decode()
    for years in (3, 5):
        for _n in range(3):
            _follow_up(PartnershipFactory(programme=world.programme, stage="closed"), years, ["adapted"] * 3)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) <= len(few.captured_queries)
    assert client.get(url + "?format=csv&table=still-running").status_code == 200
