"""Graduation reviews: each criterion met and not met, with its evidence; the decision moves the stage through
the partnerships' stage service (audited) and schedules the follow-ups; access and bad input."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from twinning.audit.models import AuditEvent
from twinning.core.services import VersionConflict
from twinning.monitoring.models import PeriodReport, ReviewComment
from twinning.partnerships.models import StageChange
from twinning.partnerships.selectors import partnership_today
from twinning.partnerships.services import partnership_stage_change
from twinning.sustainability import graduation_services
from twinning.sustainability import transition_services as services
from twinning.sustainability.graduation import evaluate
from twinning.sustainability.models import AssessmentAction, Instrument
from twinning.sustainability.models_transition import FollowUp, GraduationReview
from twinning.sustainability.tests.factories import (
    RoundFactory,
    sheet,
    small_version,
    submit_sides,
)
from twinning.sustainability.tests.transition_factories import TODAY, agreed_plan_with_results, signed_plan

pytestmark = pytest.mark.django_db


def _only(world, **policy):
    """A policy checking only the criteria given (the others switched off)."""
    data = {
        "min_readiness_score": None,
        "min_on_track_percent": None,
        "require_signed_transition_plan": False,
        "require_no_open_priority_actions": False,
        **policy,
    }
    services.graduation_policy_set(actor=world.manager, programme=world.programme, data=data)


def _criterion(world, code):
    return next(c for c in evaluate(world.partnership, today=TODAY).criteria if c.code == code)


def _readiness_round(world, point: int):
    """A completed transition-readiness round of world.partnership where every sheet gives every item `point`
    on a 1-5 scale: the combined score is (point - 1) / 4 x 100."""
    version = small_version(sections=1, items=2)
    version.instrument.kind = Instrument.Kind.READINESS
    version.instrument.save()
    assessment_round = RoundFactory(
        partnership=world.partnership, instrument_version=version, title="Readiness 2024"
    )
    items = [i.pk for s in version.sections.all() for i in s.items.all()]
    sheet(assessment_round, world.coordinator, "host", dict.fromkeys(items, point))
    sheet(assessment_round, world.resource_coordinator, "resource", dict.fromkeys(items, point))
    submit_sides(assessment_round, "host", "resource")
    return assessment_round


def test_readiness_at_the_threshold_is_met_and_below_it_is_not(world):
    _only(world, min_readiness_score=Decimal("75"))
    assert _criterion(world, "readiness").met is False  # no round yet
    _readiness_round(world, 4)  # 75 of 100
    found = _criterion(world, "readiness")
    assert found.met is True and "75" in found.summary and "Readiness 2024" in found.evidence[0]
    _only(world, min_readiness_score=Decimal("80"))
    assert _criterion(world, "readiness").met is False


def test_a_round_waiting_for_a_side_gives_no_readiness_score(world):
    _only(world, min_readiness_score=Decimal("10"))
    version = small_version(sections=1, items=1)
    version.instrument.kind = Instrument.Kind.READINESS
    version.instrument.save()
    assessment_round = RoundFactory(partnership=world.partnership, instrument_version=version)
    item = version.sections.get().items.get()
    sheet(assessment_round, world.coordinator, "host", {item.pk: 5})
    submit_sides(assessment_round, "host")
    assert _criterion(world, "readiness").met is False


def test_key_indicators_on_track_met_and_not_met(world):
    _only(world, min_on_track_percent=Decimal("100"))
    assert _criterion(world, "indicators").met is False  # no agreed plan
    agreed_plan_with_results(world, achieved=Decimal("10"))
    found = _criterion(world, "indicators")
    assert found.met is True and "1 of 1" in found.summary and "HW1" in found.evidence[0]


def test_key_indicators_off_track_are_not_met(world):
    _only(world, min_on_track_percent=Decimal("50"))
    agreed_plan_with_results(world, achieved=Decimal("2"))
    found = _criterion(world, "indicators")
    assert found.met is False and "0 of 1" in found.summary and "Off track" in found.evidence[0]


def test_transition_plan_signed_met_and_not_met(world):
    _only(world, require_signed_transition_plan=True)
    assert _criterion(world, "transition_plan").met is False
    plan = services.transition_plan_create(actor=world.coordinator, partnership=world.partnership)
    services.transition_item_add(
        actor=world.coordinator, plan=plan, title="Triage", kind="role", owner_role="Head of nursing"
    )
    services.transition_plan_sign(actor=world.coordinator, plan=plan, party="host")
    found = _criterion(world, "transition_plan")
    assert found.met is False and any("Resource side: not signed" in line for line in found.evidence)
    services.transition_plan_sign(actor=world.resource_coordinator, plan=plan, party="resource")
    assert _criterion(world, "transition_plan").met is True


def test_overdue_open_actions_hold_graduation_back(world):
    _only(world, require_no_open_priority_actions=True)
    assert _criterion(world, "actions").met is True
    assessment_round = RoundFactory(partnership=world.partnership)
    action = AssessmentAction.objects.create(
        round=assessment_round, title="Agree the budget line", due_date=TODAY - datetime.timedelta(days=1)
    )
    found = _criterion(world, "actions")
    assert found.met is False and "Agree the budget line" in found.evidence[0]
    action.status = AssessmentAction.Status.DONE
    action.save()
    report = PeriodReport.objects.create(partnership=world.partnership, period="2024Q4")
    ReviewComment.objects.create(
        report=report, body="Upload the register", is_action=True, due_date=TODAY - datetime.timedelta(days=3)
    )
    assert _criterion(world, "actions").met is False
    ReviewComment.objects.update(due_date=TODAY)  # due today is not overdue
    assert _criterion(world, "actions").met is True


def test_criteria_switched_off_do_not_apply(world):
    _only(world)
    evaluation = evaluate(world.partnership, today=TODAY)
    assert evaluation.applying_count == 0 and evaluation.all_met


def test_graduating_moves_the_stage_audited_and_schedules_follow_ups(world):
    _only(world, require_signed_transition_plan=True)
    signed_plan(world)
    review = graduation_services.graduation_review_open(actor=world.manager, partnership=world.partnership)
    graduation_services.graduation_review_decide(
        actor=world.me_officer, review=review, decision="graduate", reason="All criteria met"
    )
    world.partnership.refresh_from_db()
    review.refresh_from_db()
    assert world.partnership.stage == "graduated"
    assert StageChange.objects.filter(partnership=world.partnership, stage="graduated").exists()
    stage_event = AuditEvent.objects.for_object(world.partnership).get(action="stage")
    assert stage_event.reason == "All criteria met" and stage_event.actor == world.me_officer
    assert review.evidence[2]["code"] == "transition_plan" and review.evidence[2]["met"] is True
    assert AuditEvent.objects.for_object(review).filter(action="update").exists()
    years = list(FollowUp.objects.filter(partnership=world.partnership).values_list("years_after", flat=True))
    assert sorted(years) == [1, 3, 5]
    first = FollowUp.objects.get(years_after=1)
    assert [q.title for q in first.items.all()] == ["Triage training 1"]


def test_closing_moves_to_closed_and_extending_moves_the_end(world):
    world.partnership.end_date = datetime.date(2025, 12, 31)
    world.partnership.save()
    review = graduation_services.graduation_review_open(actor=world.manager, partnership=world.partnership)
    graduation_services.graduation_review_decide(
        actor=world.manager,
        review=review,
        decision="extend",
        reason="Handover needs a year",
        extended_to=datetime.date(2026, 12, 31),
    )
    world.partnership.refresh_from_db()
    assert (
        world.partnership.end_date == datetime.date(2026, 12, 31) and world.partnership.stage != "graduated"
    )
    assert not FollowUp.objects.exists()
    review = graduation_services.graduation_review_open(actor=world.manager, partnership=world.partnership)
    graduation_services.graduation_review_decide(
        actor=world.manager, review=review, decision="close", reason="Ended"
    )
    world.partnership.refresh_from_db()
    assert world.partnership.stage == "closed"
    assert FollowUp.objects.filter(outcome="close").count() == 3


def test_bad_decisions_are_refused_and_change_nothing(world):
    review = graduation_services.graduation_review_open(actor=world.manager, partnership=world.partnership)
    for kwargs in (
        {"decision": "graduate", "reason": "  "},
        {"decision": "promote", "reason": "x"},
        {"decision": "extend", "reason": "x"},
        {"decision": "graduate", "reason": "x", "extended_to": datetime.date(2030, 1, 1)},
        {"decision": "graduate", "reason": "x", "decided_on": datetime.date(2999, 1, 1)},
    ):
        with pytest.raises(ValidationError):
            graduation_services.graduation_review_decide(actor=world.manager, review=review, **kwargs)
    review.refresh_from_db()
    world.partnership.refresh_from_db()
    assert review.is_open and world.partnership.stage == "scoping" and not FollowUp.objects.exists()


def test_one_open_review_and_none_after_the_end(world):
    review = graduation_services.graduation_review_open(actor=world.manager, partnership=world.partnership)
    with pytest.raises(ValidationError):
        graduation_services.graduation_review_open(actor=world.manager, partnership=world.partnership)
    graduation_services.graduation_review_decide(
        actor=world.manager, review=review, decision="graduate", reason="x", confirm_unmet=True
    )
    with pytest.raises(ValidationError):
        graduation_services.graduation_review_open(actor=world.manager, partnership=world.partnership)
    with pytest.raises(ValidationError, match="Someone else recorded the decision on this review first"):
        graduation_services.graduation_review_decide(
            actor=world.manager, review=review, decision="close", reason="x"
        )


def test_only_programme_editors_decide(world):
    with pytest.raises(PermissionDenied):
        graduation_services.graduation_review_open(actor=world.coordinator, partnership=world.partnership)
    with pytest.raises(PermissionDenied):
        graduation_services.graduation_review_open(
            actor=world.programme_viewer, partnership=world.partnership
        )
    with pytest.raises(Http404):
        graduation_services.graduation_review_open(actor=world.outsider, partnership=world.partnership)
    review = graduation_services.graduation_review_open(actor=world.manager, partnership=world.partnership)
    with pytest.raises(PermissionDenied):
        graduation_services.graduation_review_decide(
            actor=world.finance, review=review, decision="graduate", reason="x"
        )
    assert GraduationReview.objects.get().is_open


# --- pages ---------------------------------------------------------------------------------------------


def test_staff_open_and_decide_a_review_on_its_pages(client, world):
    client.force_login(world.manager)
    url = reverse("sustainability:graduation", args=[world.partnership.uuid])
    assert "Transition plan signed" in client.get(url).content.decode()
    assert (
        client.post(reverse("sustainability:graduation_open", args=[world.partnership.uuid])).status_code
        == 302
    )
    review = GraduationReview.objects.get()
    review_url = reverse("sustainability:graduation_review", args=[world.partnership.uuid, review.uuid])
    response = client.post(review_url, {"decision": "graduate", "reason": "", "version": review.version})
    assert response.status_code == 400
    # One of four criteria is met here: the form says so, and graduating needs the box ticked (tester's finding).
    page = client.get(review_url).content.decode()
    assert "1 of 4 criteria met." in page and 'name="confirm_unmet"' in page
    response = client.post(review_url, {"decision": "graduate", "reason": "Ready", "version": review.version})
    assert response.status_code == 400
    assert "Only 1 of 4 graduation criteria are met" in response.content.decode()
    world.partnership.refresh_from_db()
    review.refresh_from_db()
    assert world.partnership.stage != "graduated" and review.is_open
    response = client.post(
        review_url,
        {"decision": "graduate", "reason": "Ready", "version": review.version, "confirm_unmet": "on"},
    )
    assert response.status_code == 302
    world.partnership.refresh_from_db()
    assert world.partnership.stage == "graduated"
    html = client.get(review_url).content.decode()
    assert "as they stood at the decision" in html


def test_graduation_pages_outsider_404_reader_403_coordinator_reads(client, world):
    url = reverse("sustainability:graduation", args=[world.partnership.uuid])
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404
    client.force_login(world.partnership_viewer)
    assert client.get(url).status_code == 403
    client.force_login(world.coordinator)
    assert client.get(url).status_code == 200
    assert (
        client.post(reverse("sustainability:graduation_open", args=[world.partnership.uuid])).status_code
        == 403
    )


def _back_dated(world):
    """A review of world.partnership whose stage last changed a week ago, and a date a month before that."""
    last = partnership_today(world.partnership) - datetime.timedelta(days=7)
    partnership_stage_change(
        actor=world.manager, partnership=world.partnership, stage="transition", changed_on=last
    )
    review = graduation_services.graduation_review_open(actor=world.manager, partnership=world.partnership)
    return review, last - datetime.timedelta(days=30)


def test_a_decision_dated_before_the_last_stage_change_is_refused_on_its_date(world):
    review, too_early = _back_dated(world)
    with pytest.raises(ValidationError) as refused:
        graduation_services.graduation_review_decide(
            actor=world.manager, review=review, decision="graduate", reason="Ready", decided_on=too_early
        )
    assert "cannot be earlier" in refused.value.message_dict["decided_on"][0]
    stored = GraduationReview.objects.get()
    assert stored.is_open and not FollowUp.objects.exists()


def test_a_back_dated_decision_on_the_page_shows_its_error_and_nothing_as_decided(client, world):
    review, too_early = _back_dated(world)
    client.force_login(world.manager)
    url = reverse("sustainability:graduation_review", args=[world.partnership.uuid, review.uuid])
    response = client.post(
        url,
        {
            "decision": "graduate",
            "reason": "Ready",
            "decided_on": too_early.isoformat(),
            "version": review.version,
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "cannot be earlier" in html
    assert "Record the decision" in html and "<dt>Decision</dt>" not in html
    assert GraduationReview.objects.get().is_open
    world.partnership.refresh_from_db()
    assert world.partnership.stage == "transition"


def test_a_second_decider_with_an_old_form_is_told_someone_decided_first(client, world):
    review = graduation_services.graduation_review_open(actor=world.manager, partnership=world.partnership)
    url = reverse("sustainability:graduation_review", args=[world.partnership.uuid, review.uuid])
    client.force_login(world.manager)
    first = client.post(url, {"decision": "close", "reason": "Ended", "version": review.version})
    assert first.status_code == 302
    client.force_login(world.me_officer)
    second = client.post(url, {"decision": "graduate", "reason": "Ready", "version": review.version})
    assert second.status_code == 400
    assert "Someone else recorded the decision on this review first" in second.content.decode()
    stored = GraduationReview.objects.get()
    assert stored.decision == "close" and stored.decided_by == world.manager
    with pytest.raises(ValidationError, match="Someone else recorded the decision"):
        graduation_services.graduation_review_decide(
            actor=world.me_officer, review=review, decision="graduate", reason="x", expected_version=1
        )


def test_a_stale_version_of_an_open_review_is_a_conflict(world):
    review = graduation_services.graduation_review_open(actor=world.manager, partnership=world.partnership)
    GraduationReview.objects.filter(pk=review.pk).update(version=review.version + 1)
    with pytest.raises(VersionConflict):
        graduation_services.graduation_review_decide(
            actor=world.manager, review=review, decision="close", reason="x", expected_version=review.version
        )
    assert GraduationReview.objects.get().is_open


def test_the_programme_viewer_reads_graduation_reviews_but_cannot_change_them(client, world):
    review = graduation_services.graduation_review_open(actor=world.manager, partnership=world.partnership)
    review_url = reverse("sustainability:graduation_review", args=[world.partnership.uuid, review.uuid])
    client.force_login(world.programme_viewer)
    page = client.get(reverse("sustainability:graduation", args=[world.partnership.uuid]))
    assert page.status_code == 200
    assert review_url in page.content.decode()
    assert "Open a graduation review" not in page.content.decode()
    detail = client.get(review_url)
    assert detail.status_code == 200
    assert "Transition plan signed" in detail.content.decode()
    assert 'name="decision"' not in detail.content.decode()
    assert client.post(review_url, {"decision": "graduate", "reason": "x", "version": 1}).status_code == 403
    opened = client.post(reverse("sustainability:graduation_open", args=[world.partnership.uuid]))
    assert opened.status_code == 403
    assert GraduationReview.objects.get().is_open


def test_the_graduation_page_links_the_policy_only_for_those_who_can_open_it(client, world):
    url = reverse("sustainability:graduation", args=[world.partnership.uuid])
    policy = reverse("sustainability:policy", args=[world.programme.uuid])
    client.force_login(world.coordinator)
    assert policy not in client.get(url).content.decode()
    assert client.get(policy).status_code == 404
    client.force_login(world.programme_viewer)
    assert policy in client.get(url).content.decode()
    assert client.get(policy).status_code == 200


def test_a_criterion_not_met_wears_the_danger_badge(client, world):
    _only(world, require_signed_transition_plan=True)
    client.force_login(world.manager)
    html = client.get(reverse("sustainability:graduation", args=[world.partnership.uuid])).content.decode()
    assert '<span class="badge danger">Not met</span>' in html
    assert "badge warn" not in html
