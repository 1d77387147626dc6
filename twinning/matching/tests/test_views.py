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


def test_accepting_a_pair_in_one_click_shows_the_confirmation_on_the_pair_and_updates_decisions(
    client, world, django_capture_on_commit_callbacks
):
    round, apps = computed_round(world, django_capture_on_commit_callbacks)
    client.force_login(world.manager)
    response = client.post(
        reverse("matching:decide", args=[round.uuid]),
        {"action": "accept", "host": apps["gulu"].uuid, "proposed": apps["leeds"].uuid, "show": "open"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    decision = MatchDecision.objects.get()
    assert decision.reason == "" and decision.partnership.stage == "scoping"
    # The pair stays in the list (although the filter shows pairs to decide) with its confirmation...
    assert f'id="pair-{apps["gulu"].uuid}-{apps["leeds"].uuid}"' in body
    assert 'role="status"' in body and decision.partnership.title in body
    # ...and the decisions section is swapped at the same time.
    assert 'id="decisions" class="card" hx-swap-oob="true"' in body
    # Mbarara's pair is still to decide, with its own one-click form.
    assert body.count('name="action" value="accept"') == 1


def test_without_htmx_accepting_reopens_the_page_at_the_pair_with_its_confirmation(
    client, world, django_capture_on_commit_callbacks
):
    round, apps = computed_round(world, django_capture_on_commit_callbacks)
    client.force_login(world.manager)
    response = client.post(
        reverse("matching:decide", args=[round.uuid]),
        {"action": "accept", "host": apps["gulu"].uuid, "proposed": apps["leeds"].uuid, "q": "Gulu"},
    )
    decision = MatchDecision.objects.get()
    assert response.status_code == 302
    assert f"decided={decision.uuid}" in response["Location"] and "q=Gulu" in response["Location"]
    assert response["Location"].endswith(f"#pair-{apps['gulu'].uuid}-{apps['leeds'].uuid}")
    body = client.get(response["Location"]).content.decode()
    assert 'role="status"' in body and "Mbarara Hospital" not in body.split('id="pairs"')[1].split("</ul>")[0]


def test_candidate_page_after_accepting_shows_the_decision_and_still_ranks_candidates(
    client, world, django_capture_on_commit_callbacks
):
    round, apps = computed_round(world, django_capture_on_commit_callbacks)
    services.decision_accept(actor=world.manager, round=round, host=apps["gulu"], resource=apps["leeds"])
    client.force_login(world.manager)
    body = client.get(
        reverse("matching:recommendations", args=[round.uuid, apps["gulu"].uuid])
    ).content.decode()
    assert "No acceptable candidate" not in body
    ranked = body.split('id="ranked"')[1].split("</section>")[0]
    assert "Leeds Teaching Hospitals" in ranked and "Accepted" in ranked
    decided = body.split('id="decided"')[1].split("</section>")[0]
    assert "Gulu Hospital → Leeds Teaching Hospitals" in decided


def test_round_pairs_are_filtered_and_paginated(client, world, django_capture_on_commit_callbacks):
    round, apps = computed_round(world, django_capture_on_commit_callbacks)
    client.force_login(world.programme_viewer)
    url = reverse("matching:round", args=[round.uuid])
    pairs = lambda body: body.split('id="pairs"')[1].split("</ul>")[0]  # noqa: E731
    assert "Mbarara Hospital" not in pairs(client.get(url, {"q": "gulu"}).content.decode())
    services.decision_accept(actor=world.manager, round=round, host=apps["gulu"], resource=apps["leeds"])
    open_pairs = pairs(client.get(url, {"show": "open"}).content.decode())
    assert "Gulu Hospital" not in open_pairs and "Mbarara Hospital" in open_pairs
    decided = pairs(client.get(url, {"show": "decided"}).content.decode())
    assert "Gulu Hospital" in decided and "Mbarara Hospital" not in decided
    # Values the form does not offer are no filter, not an error.
    response = client.get(url, {"show": "<script>", "method": "x", "page": "²"})
    assert response.status_code == 200 and "Mbarara Hospital" in pairs(response.content.decode())


def test_round_page_shows_twenty_pairs_a_page(client, world, django_capture_on_commit_callbacks):
    from twinning.matching.models import ProposedPair
    from twinning.matching.views import PAIRS_PER_PAGE

    round, apps = computed_round(world, django_capture_on_commit_callbacks)
    hosts = [
        services.applicant_add(
            actor=world.manager, round=round, institution=institution(f"Extra {n:02}"), side="host"
        )
        for n in range(PAIRS_PER_PAGE + 5)
    ]
    ProposedPair.objects.bulk_create(
        ProposedPair(round=round, host=h, resource=apps["lyon"], score=50, in_optimal=True) for h in hosts
    )
    client.force_login(world.manager)
    url = reverse("matching:round", args=[round.uuid])
    first = client.get(url).content.decode()
    assert first.count('class="pair"') == PAIRS_PER_PAGE and "Page 1 of 2" in first
    second = client.get(url, {"page": 2}).content.decode()
    assert second.count('class="pair"') == 2 + PAIRS_PER_PAGE + 5 - PAIRS_PER_PAGE


def test_override_from_the_candidate_page_needs_a_reason_and_returns_there(
    client, world, django_capture_on_commit_callbacks
):
    round, apps = computed_round(world, django_capture_on_commit_callbacks)
    client.force_login(world.manager)
    url = reverse("matching:decide", args=[round.uuid])
    data = {
        "action": "override",
        "back": "candidates",
        "host": apps["gulu"].uuid,
        "proposed": apps["leeds"].uuid,
        "resource": "",
        "reason": "",
    }
    response = client.post(url, data)
    assert response.status_code == 400 and "Say why you override" in response.content.decode()
    response = client.post(url, {**data, "reason": "The host withdrew"})
    assert response["Location"] == reverse("matching:recommendations", args=[round.uuid, apps["gulu"].uuid])
    assert MatchDecision.objects.get().kind == "overridden"


@pytest.mark.parametrize("version", ["abc", "", "-1", "0", "1.5", "99999999999999999999", "²"])
def test_round_edit_with_a_tampered_version_is_a_form_error_not_a_crash(client, world, version):
    round = services.round_create(actor=world.manager, programme=world.programme, name="Round")
    client.force_login(world.manager)
    data = {"name": "Renamed", "description": "", "top_k": 10, "version": version}
    data.update({f"weight_{p}": 10 for p in round.weights})
    response = client.post(reverse("matching:round_edit", args=[round.uuid]), data)
    assert response.status_code == 400
    assert "open the round again" in response.content.decode()
    round.refresh_from_db()
    assert round.name == "Round"


def test_round_edit_with_a_stale_version_is_refused(client, world):
    round = services.round_create(actor=world.manager, programme=world.programme, name="Round")
    client.force_login(world.manager)
    data = {"name": "Renamed", "description": "", "top_k": 10, "version": round.version}
    data.update({f"weight_{p}": 10 for p in round.weights})
    services.round_update(actor=world.manager, round=round, data={"name": "Other"})
    response = client.post(reverse("matching:round_edit", args=[round.uuid]), data)
    assert response.status_code == 400
    round.refresh_from_db()
    assert round.name == "Other"
    data["version"] = round.version
    assert client.post(reverse("matching:round_edit", args=[round.uuid]), data).status_code == 302


def test_profile_errors_in_both_parts_show_beside_their_fields_and_keep_what_was_typed(client, world):
    inst = world.partnership.side_links.get(side="host").institution
    client.force_login(world.coordinator)
    data = {
        "needs-TOTAL_FORMS": 1,
        "needs-INITIAL_FORMS": 0,
        "needs-0-area": "laboratory",
        "needs-0-priority": 7,
        "needs-0-description": "blood cultures",
        "expertise-TOTAL_FORMS": 1,
        "expertise-INITIAL_FORMS": 0,
        "expertise-0-area": "laboratory",
        "expertise-0-depth": 9,
        "expertise-0-description": "microbiology bench",
    }
    response = client.post(reverse("matching:profile", args=[inst.uuid]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_needs-0-priority_error"' in html and 'id="id_expertise-0-depth_error"' in html
    assert "blood cultures" in html and "microbiology bench" in html
    assert not inst.need_items.exists() and not inst.expertise_items.exists()
