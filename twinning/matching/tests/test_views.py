import pytest
from django.urls import reverse

from twinning.matching import services
from twinning.matching.models import MatchDecision, MatchingRound, RoundApplicant
from twinning.matching.tests.factories import institution, small_round
from twinning.partnerships.models import Partnership

pytestmark = pytest.mark.django_db


def computed_round(world, capture):
    round, apps = small_round(world.manager, world.programme)
    with capture(execute=True):
        services.round_run(actor=world.manager, round=round)
    round.refresh_from_db()
    return round, apps


def test_manager_creates_a_round_from_the_form(client, world):
    client.force_login(world.manager)
    data = {"programme": world.programme.uuid, "name": "Spring round", "description": "", "top_k": 10}
    data.update(
        {
            f"weight_{p}": 10
            for p in (
                "coverage",
                "text",
                "mutual",
                "type",
                "specialties",
                "language",
                "time_zone",
                "capacity",
                "prior_ties",
            )
        }
    )
    response = client.post(reverse("matching:round_create"), data)
    round = MatchingRound.objects.get()
    assert response.status_code == 302 and round.name == "Spring round" and round.weight_coverage == 10


def test_round_page_shows_both_assignments_side_by_side_with_totals(
    client, world, django_capture_on_commit_callbacks
):
    round, _apps = computed_round(world, django_capture_on_commit_callbacks)
    client.force_login(world.programme_viewer)
    response = client.get(reverse("matching:round", args=[round.uuid]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Optimal" in body and "Stable" in body and str(round.optimal_total) in body
    assert "CHU de Québec" in body  # listed as unmatched
    assert 'name="action"' not in body  # a viewer cannot decide


def test_manager_accepts_a_pair_on_the_page_and_a_partnership_appears(
    client, world, django_capture_on_commit_callbacks
):
    round, apps = computed_round(world, django_capture_on_commit_callbacks)
    client.force_login(world.manager)
    response = client.post(
        reverse("matching:decide", args=[round.uuid]),
        {"action": "accept", "host": apps["gulu"].uuid, "proposed": apps["leeds"].uuid, "reason": "Fits"},
    )
    assert response.status_code == 302
    decision = MatchDecision.objects.get()
    assert decision.partnership.stage == "scoping"


def test_override_without_reason_is_refused_with_a_message(client, world, django_capture_on_commit_callbacks):
    round, apps = computed_round(world, django_capture_on_commit_callbacks)
    client.force_login(world.manager)
    count = Partnership.objects.count()
    response = client.post(
        reverse("matching:decide", args=[round.uuid]),
        {"action": "override", "host": apps["gulu"].uuid, "proposed": apps["leeds"].uuid, "reason": ""},
    )
    assert response.status_code == 400
    assert "Say why you override" in response.content.decode()
    assert not MatchDecision.objects.exists() and Partnership.objects.count() == count


def test_viewer_cannot_decide_and_outsider_does_not_see_the_round(
    client, world, django_capture_on_commit_callbacks
):
    round, apps = computed_round(world, django_capture_on_commit_callbacks)
    data = {"action": "accept", "host": apps["gulu"].uuid, "proposed": apps["leeds"].uuid}
    client.force_login(world.programme_viewer)
    assert client.post(reverse("matching:decide", args=[round.uuid]), data).status_code == 403
    client.force_login(world.coordinator)
    assert client.get(reverse("matching:round", args=[round.uuid])).status_code == 404
    assert not MatchDecision.objects.exists()


def test_recommendations_show_parts_weights_and_excluding_constraint(
    client, world, django_capture_on_commit_callbacks
):
    round, apps = computed_round(world, django_capture_on_commit_callbacks)
    client.force_login(world.me_officer)
    response = client.get(reverse("matching:recommendations", args=[round.uuid, apps["gulu"].uuid]))
    body = response.content.decode()
    assert "Leeds Teaching Hospitals" in body and "Expertise covers needs" in body
    assert "No common working language" in body  # Lyon and Québec speak French only


def test_round_page_queries_do_not_grow_with_applicants(
    client, world, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    round, _apps = computed_round(world, django_capture_on_commit_callbacks)
    client.force_login(world.manager)
    url = reverse("matching:round", args=[round.uuid])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for n in range(6):
        services.applicant_add(
            actor=world.manager, round=round, institution=institution(f"Extra {n}"), side="host"
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.round_run(actor=world.manager, round=round)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("Extra ") >= 6


def test_adding_an_applicant_twice_is_refused(client, world):
    round, apps = small_round(world.manager, world.programme)
    client.force_login(world.manager)
    response = client.post(
        reverse("matching:applicant_add", args=[round.uuid]),
        {"institution": apps["gulu"].institution.uuid, "side": "resource"},
    )
    assert response.status_code == 400 and "already in the round" in response.content.decode()
    assert RoundApplicant.objects.filter(round=round).count() == 5


def test_profile_page_saves_priority_depth_and_description(client, world):
    inst = world.partnership.side_links.get(side="host").institution
    client.force_login(world.coordinator)
    data = {
        "needs-TOTAL_FORMS": 1,
        "needs-INITIAL_FORMS": 0,
        "needs-0-area": "laboratory",
        "needs-0-priority": 3,
        "needs-0-description": "blood cultures",
        "expertise-TOTAL_FORMS": 0,
        "expertise-INITIAL_FORMS": 0,
    }
    response = client.post(reverse("matching:profile", args=[inst.uuid]), data)
    assert response.status_code == 302
    need = inst.need_items.get()
    assert (need.priority, need.description) == (3, "blood cultures")
    data["needs-0-priority"] = 7
    assert client.post(reverse("matching:profile", args=[inst.uuid]), data).status_code == 400
    assert inst.need_items.get().priority == 3


def test_progress_fragment_tells_htmx_to_refresh_when_done(client, world, django_capture_on_commit_callbacks):
    round, _apps = computed_round(world, django_capture_on_commit_callbacks)
    client.force_login(world.manager)
    response = client.get(
        reverse("matching:round_progress", args=[round.uuid]), headers={"HX-Request": "true"}
    )
    assert response["HX-Refresh"] == "true"
