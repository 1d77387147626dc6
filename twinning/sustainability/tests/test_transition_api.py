"""The API of transition plans, graduation reviews and follow-ups: the same rules as the pages."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from twinning.accounts.services import api_token_create
from twinning.partnerships.selectors import partnership_today
from twinning.partnerships.services import partnership_stage_change
from twinning.sustainability import transition_services
from twinning.sustainability.models_transition import FollowUp, GraduationReview, TransitionPlan

pytestmark = pytest.mark.django_db
URL = "/api/v1/sustainability"


def api(user) -> Client:
    _token, raw = api_token_create(actor=user, user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _checks_off(world):
    transition_services.graduation_policy_set(
        actor=world.manager,
        programme=world.programme,
        data={
            "min_readiness_score": None,
            "min_on_track_percent": None,
            "require_no_open_priority_actions": False,
            "require_signed_transition_plan": False,
        },
    )


def _last_week(world):
    return partnership_today(world.partnership) - datetime.timedelta(days=7)


def _post(client, path, data):
    return client.post(f"{URL}{path}", data, content_type="application/json")


def test_coordinators_draft_and_sign_a_plan_over_the_api(world):
    host = api(world.coordinator)
    created = _post(
        host, "/transition-plans", {"partnership": str(world.partnership.uuid), "summary": "Handover"}
    )
    assert created.status_code == 201, created.json()
    plan = created.json()["uuid"]
    item = _post(
        host,
        f"/transition-plans/{plan}/items",
        {"title": "Triage", "kind": "role", "owner_role": "Head of nursing", "funding_source": "ministry"},
    )
    assert item.status_code == 201 and item.json()["funding_source"] == "ministry"
    assert _post(host, f"/transition-plans/{plan}/risks", {"risk": "Staff turnover"}).status_code == 201
    version = host.get(f"{URL}/transition-plans/{plan}").json()["version"]
    assert (
        _post(host, f"/transition-plans/{plan}/sign", {"party": "host", "version": version}).status_code
        == 201
    )
    assert (
        _post(
            api(world.resource_coordinator),
            f"/transition-plans/{plan}/sign",
            {"party": "resource", "version": version},
        ).status_code
        == 201
    )
    detail = host.get(f"{URL}/transition-plans/{plan}").json()
    assert detail["signed_at"] and len(detail["sign_offs"]) == 2 and detail["items"][0]["title"] == "Triage"
    changed = host.patch(
        f"{URL}/transition-plans/{plan}", {"summary": "New"}, content_type="application/json"
    )
    assert (
        changed.status_code == 200
        and changed.json()["signed_at"] is None
        and changed.json()["sign_offs"] == []
    )


def test_a_signature_over_a_plan_changed_since_it_was_read_is_refused(world):
    # A tester's finding (issue 13): the M&E officer added an item after the coordinator read the plan; signing
    # the version read would sign content the coordinator never saw.
    plan = transition_services.transition_plan_create(actor=world.coordinator, partnership=world.partnership)
    transition_services.transition_item_add(
        actor=world.coordinator,
        plan=plan,
        title="Triage",
        kind="role",
        owner_role="Nurse",
        funding_source="ministry",
    )
    read = api(world.resource_coordinator).get(f"{URL}/transition-plans/{plan.uuid}").json()["version"]
    added = _post(api(world.me_officer), f"/transition-plans/{plan.uuid}/risks", {"risk": "Staff turnover"})
    assert added.status_code == 201
    path = f"/transition-plans/{plan.uuid}/sign"
    stale = _post(api(world.resource_coordinator), path, {"party": "resource", "version": read})
    assert stale.status_code == 409 and not plan.sign_offs.exists()
    # Required: leaving it out does not sign whatever is there now.
    assert _post(api(world.resource_coordinator), path, {"party": "resource"}).status_code == 422
    assert not plan.sign_offs.exists()
    fresh = api(world.resource_coordinator).get(f"{URL}/transition-plans/{plan.uuid}").json()["version"]
    assert fresh > read
    signed = _post(api(world.resource_coordinator), path, {"party": "resource", "version": fresh})
    assert signed.status_code == 201 and list(plan.sign_offs.values_list("party", flat=True)) == ["resource"]


def test_plan_bad_input_and_access(world):
    host = api(world.coordinator)
    plan = TransitionPlan.objects.create(partnership=world.partnership)
    bad = _post(host, f"/transition-plans/{plan.uuid}/items", {"title": "", "funding_source": "lottery"})
    assert bad.status_code == 422
    assert (
        _post(host, f"/transition-plans/{plan.uuid}/items", {"title": "x", "colour": "red"}).status_code
        == 422
    )
    assert api(world.outsider).get(f"{URL}/transition-plans/{plan.uuid}").status_code == 404
    assert (
        _post(
            api(world.partnership_viewer), f"/transition-plans/{plan.uuid}/risks", {"risk": "x"}
        ).status_code
        == 403
    )
    assert (
        _post(
            api(world.coordinator), f"/transition-plans/{plan.uuid}/sign", {"party": "resource", "version": 1}
        ).status_code
        == 403
    )
    # Who edits no partnership is refused before the body is read; who edits another gets 404 for the partnership
    # the body names, as in a path (twinning.core.api).
    refused = _post(api(world.outsider), "/transition-plans", {"partnership": str(world.partnership.uuid)})
    assert refused.status_code == 403
    hidden = _post(
        api(world.other_coordinator), "/transition-plans", {"partnership": str(world.partnership.uuid)}
    )
    assert (hidden.status_code, hidden.json()) == (404, {"detail": "Not found."})


def test_a_readers_bad_body_is_403_where_a_writers_is_422(world):
    # django-ninja refuses a bad body before the view runs; the view's lookup still asks the write rule first.
    plan = TransitionPlan.objects.create(partnership=world.partnership)
    review = GraduationReview.objects.create(partnership=world.partnership, opened_by=world.manager)
    today = datetime.date.today()
    follow_up = FollowUp.objects.create(
        partnership=world.partnership,
        years_after=1,
        ended_on=today,
        outcome="graduate",
        due_date=today,
        opens_on=today,
    )
    bad = {"surprise": 1}
    writes = [
        ("patch", f"/transition-plans/{plan.uuid}", world.coordinator),
        ("post", f"/transition-plans/{plan.uuid}/risks", world.coordinator),
        ("post", f"/transition-plans/{plan.uuid}/milestones", world.coordinator),
        ("post", f"/transition-plans/{plan.uuid}/sign", world.resource_coordinator),
        ("post", f"/graduation-reviews/{review.uuid}/decision", world.me_officer),
        ("put", f"/follow-ups/{follow_up.uuid}/answers", world.member),
    ]
    for method, path, writer in writes:
        for reader in (world.programme_viewer, world.partnership_viewer):
            refused = getattr(api(reader), method)(f"{URL}{path}", bad, content_type="application/json")
            assert refused.status_code == 403, (path, reader)
        invalid = getattr(api(writer), method)(f"{URL}{path}", bad, content_type="application/json")
        assert invalid.status_code == 422, path
    # Whoever may sign for no party (a manager, when the ministry's signature is not asked for) nor answer for the
    # host side (its resource side) is refused before the body is read, too.
    sign = api(world.manager).post(
        f"{URL}/transition-plans/{plan.uuid}/sign", bad, content_type="application/json"
    )
    assert sign.status_code == 403
    answers = api(world.resource_coordinator).put(
        f"{URL}/follow-ups/{follow_up.uuid}/answers", bad, content_type="application/json"
    )
    assert answers.status_code == 403


def test_staff_open_and_decide_a_review_and_the_stage_moves(world):
    _checks_off(world)
    manager = api(world.manager)
    opened = _post(manager, "/graduation-reviews", {"partnership": str(world.partnership.uuid)})
    assert opened.status_code == 201, opened.json()
    review = opened.json()
    assert {c["code"] for c in review["criteria"]} == {
        "readiness",
        "indicators",
        "transition_plan",
        "actions",
    }
    decided = _post(
        manager, f"/graduation-reviews/{review['uuid']}/decision", {"decision": "graduate", "reason": "Ready"}
    )
    assert decided.status_code == 200 and decided.json()["decision"] == "graduate"
    world.partnership.refresh_from_db()
    assert world.partnership.stage == "graduated"
    assert FollowUp.objects.filter(partnership=world.partnership).count() == 3
    again = _post(
        manager, f"/graduation-reviews/{review['uuid']}/decision", {"decision": "close", "reason": "x"}
    )
    assert again.status_code == 409
    assert "Someone else recorded the decision on this review first" in again.json()["detail"]


def test_a_back_dated_decision_is_refused_on_its_date_and_saves_nothing(world):
    partnership_stage_change(
        actor=world.manager, partnership=world.partnership, stage="transition", changed_on=_last_week(world)
    )
    review = GraduationReview.objects.create(partnership=world.partnership, opened_by=world.manager)
    answer = _post(
        api(world.manager),
        f"/graduation-reviews/{review.uuid}/decision",
        {
            "decision": "graduate",
            "reason": "Ready",
            "decided_on": str(_last_week(world) - datetime.timedelta(days=30)),
        },
    )
    assert answer.status_code == 422
    assert "cannot be earlier" in answer.json()["errors"]["decided_on"][0]
    review.refresh_from_db()
    assert review.is_open


def test_review_access(world):
    review = GraduationReview.objects.create(partnership=world.partnership, opened_by=world.manager)
    assert api(world.outsider).get(f"{URL}/graduation-reviews/{review.uuid}").status_code == 404
    # The programme's viewers read its reviews (read-only); the partnership's own viewers do not.
    assert api(world.programme_viewer).get(f"{URL}/graduation-reviews/{review.uuid}").status_code == 200
    assert api(world.programme_viewer).get(f"{URL}/graduation-reviews").json()["count"] == 1
    assert api(world.partnership_viewer).get(f"{URL}/graduation-reviews/{review.uuid}").status_code == 403
    assert api(world.partnership_viewer).get(f"{URL}/graduation-reviews").json()["count"] == 0
    refused = _post(
        api(world.programme_viewer),
        f"/graduation-reviews/{review.uuid}/decision",
        {"decision": "graduate", "reason": "x"},
    )
    assert refused.status_code == 403
    decided = _post(
        api(world.coordinator),
        f"/graduation-reviews/{review.uuid}/decision",
        {"decision": "graduate", "reason": "x"},
    )
    assert decided.status_code == 403
    assert (
        _post(
            api(world.me_officer),
            f"/graduation-reviews/{review.uuid}/decision",
            {"decision": "graduate", "reason": ""},
        ).status_code
        == 422
    )


def test_the_host_side_answers_a_follow_up_over_the_api(world):
    today = datetime.date.today()
    follow_up = FollowUp.objects.create(
        partnership=world.partnership,
        years_after=1,
        ended_on=today - datetime.timedelta(days=365),
        outcome="graduate",
        due_date=today,
        opens_on=today - datetime.timedelta(days=30),
    )
    follow_up.items.create(kind="activity", title="Triage")
    answers = {
        "questions": [{"question": 1, "status": "adapted", "funded_by": "local_government"}],
        "staff_retained": "most",
        "partner_contact": "regular",
    }
    path = f"{URL}/follow-ups/{follow_up.uuid}/answers"
    assert (
        api(world.resource_coordinator).put(path, answers, content_type="application/json").status_code == 403
    )
    assert api(world.outsider).put(path, answers, content_type="application/json").status_code == 404
    bad = {**answers, "questions": [{"question": 1, "status": "adapted"}]}
    assert api(world.member).put(path, bad, content_type="application/json").status_code == 422
    unknown = {**answers, "questions": [{"question": 2, "status": "stopped"}]}
    assert api(world.member).put(path, unknown, content_type="application/json").status_code == 422
    done = api(world.member).put(path, answers, content_type="application/json")
    assert done.status_code == 200, done.json()
    assert done.json()["questions"][0]["status"] == "adapted" and done.json()["answered_at"]
    assert done.json()["questions"][0]["number"] == 1


def test_follow_up_list_queries_are_constant(world):
    client = api(world.coordinator)
    today = datetime.date.today()

    def add(years):
        FollowUp.objects.create(
            partnership=world.partnership,
            years_after=years,
            ended_on=today,
            outcome="graduate",
            due_date=today + datetime.timedelta(days=365 * years),
            opens_on=today,
        )

    add(1)
    client.get(f"{URL}/follow-ups")  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as one:
        assert client.get(f"{URL}/follow-ups").json()["count"] == 1
    for years in (2, 3, 4, 5):
        add(years)
    with CaptureQueriesContext(connection) as five:
        assert client.get(f"{URL}/follow-ups").json()["count"] == 5
    assert len(five.captured_queries) == len(one.captured_queries)
