"""A refused activity progress or participant says why where the person looks, and keeps what they typed (fresh
tester, issue 10: a second coordinator's progress was dropped without a word; a participant posted from an
out-of-date version went nowhere)."""

import pytest
from django.urls import reverse

from twinning.planning import services
from twinning.planning.models import PlanningParticipant
from twinning.planning.tests.factories import agree, plan_with_indicator

pytestmark = pytest.mark.django_db


def _progress(world):
    plan, objective, _adoption = plan_with_indicator(world)
    agree(world, plan)
    activity = objective.activities.get()
    url = reverse("planning:activity_progress", args=[world.partnership.uuid, activity.uuid])
    return activity, url


@pytest.mark.parametrize("htmx", [True, False])
def test_a_second_coordinators_progress_comes_back_with_the_reason_the_saved_values_and_what_they_typed(
    client, world, htmx
):
    activity, url = _progress(world)
    seen_version = activity.version
    services.activity_progress_update(
        actor=world.coordinator,
        activity=activity,
        status="in_progress",
        progress_note="Host side: 12 of 40 trained",
        expected_version=seen_version,
    )
    client.force_login(world.resource_coordinator)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.post(
        url,
        {"status": "delayed", "progress_note": "Resource side: trainers delayed", "version": seen_version},
        **headers,
    )

    assert response.status_code == (200 if htmx else 400)
    body = response.content.decode()
    row = body[body.index(f'id="progress-{activity.uuid}"') :]
    assert "Someone else changed this record" in row
    assert "Host side: 12 of 40 trained" in row  # what is saved now
    assert 'value="Resource side: trainers delayed"' in row  # what they typed, kept
    assert '<option value="delayed" selected>' in row
    activity.refresh_from_db()
    assert (activity.status, activity.progress_note) == ("in_progress", "Host side: 12 of 40 trained")
    # Saving again, from the page that came back, replaces the values on purpose.
    again = client.post(
        url,
        {
            "status": "delayed",
            "progress_note": "Resource side: trainers delayed",
            "version": activity.version,
        },
        **headers,
    )
    assert again.status_code == (200 if htmx else 302)
    activity.refresh_from_db()
    assert (activity.status, activity.progress_note) == ("delayed", "Resource side: trainers delayed")


def test_a_bad_status_is_refused_in_its_row_and_changes_nothing(client, world):
    activity, url = _progress(world)
    client.force_login(world.coordinator)
    response = client.post(
        url,
        {"status": "finished-ish", "progress_note": "typed", "version": activity.version},
        HTTP_HX_REQUEST="true",
    )
    row = response.content.decode().split(f'id="progress-{activity.uuid}"', 1)[1]
    assert "Select a valid choice" in row and 'value="typed"' in row
    activity.refresh_from_db()
    assert activity.progress_note == ""


@pytest.mark.parametrize("htmx", [True, False])
def test_a_participant_posted_to_an_out_of_date_version_is_refused_where_it_shows(client, world, htmx):
    plan, _objective, _adoption = plan_with_indicator(world)
    event = services.planning_event_create(
        actor=world.coordinator, plan=plan, kind="consultation", date=plan.created_at.date(), place="Gulu"
    )
    agree(world, plan)
    services.plan_new_version(actor=world.manager, plan=plan, reason="Mid-term review")
    client.force_login(world.coordinator)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.post(
        reverse("planning:participant_add", args=[world.partnership.uuid, event.uuid]),
        {"name": "Stale participant", "group": "community", "organisation": ""},
        **headers,
    )

    assert response.status_code == (200 if htmx else 400)
    body = response.content.decode()
    assert 'role="alert"' in body and "superseded" in body.lower()
    assert not PlanningParticipant.objects.filter(name="Stale participant").exists()


def test_a_refused_delete_answered_to_htmx_says_why_at_once_and_only_once(client, world):
    plan, objective, _adoption = plan_with_indicator(world)
    agree(world, plan)
    client.force_login(world.coordinator)
    response = client.post(
        reverse("planning:objective_delete", args=[world.partnership.uuid, objective.uuid]),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.index('id="objectives"') < body.index('<div id="messages" hx-swap-oob="true" ')
    oob = body[body.index('<div id="messages" hx-swap-oob="true" ') :]
    assert "new version" in oob.lower()
    assert plan.objectives.filter(pk=objective.pk).exists()
    # Said with the answer, so not again on the next page.
    assert (
        "new version"
        not in client.get(reverse("planning:plan", args=[world.partnership.uuid]))
        .content.decode()
        .split('<div id="messages" ', 1)[1]
        .split(">", 1)[1]
        .split("</div>", 1)[0]
        .lower()
    )


def test_a_full_page_shows_its_messages_where_it_always_did(client, world):
    plan, objective, _adoption = plan_with_indicator(world)
    agree(world, plan)
    client.force_login(world.coordinator)
    response = client.post(
        reverse("planning:objective_delete", args=[world.partnership.uuid, objective.uuid]), follow=True
    )
    body = response.content.decode()
    assert "hx-swap-oob" not in body
    listed = body.split('<div id="messages" ', 1)[1].split(">", 1)[1].split("</div>", 1)[0]
    assert '<ul class="messages">' in listed and "new version" in listed.lower()
