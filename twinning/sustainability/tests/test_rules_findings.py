"""A fresh tester's findings on the sustainability rules (issue 13), each proved through the service and through a
page or the API: transition plan dates, repeated items in an API body, graduating with criteria unmet, the
"signatures withdrawn" message, the programme page's gap column, and the programme reading joint action plans."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from twinning.accounts.access import partnership_access
from twinning.partnerships.models import Partnership
from twinning.partnerships.selectors import partnership_today
from twinning.sustainability import graduation_services
from twinning.sustainability import transition_services as services
from twinning.sustainability.models import AssessmentAction, Instrument, Item, Response
from twinning.sustainability.models_transition import FollowUp, GraduationReview, TransitionMilestone
from twinning.sustainability.tests import role_rules
from twinning.sustainability.tests.factories import RoundFactory, sheet, small_version, submit_sides
from twinning.sustainability.tests.test_api import URL, api, open_round
from twinning.sustainability.tests.transition_factories import plan_activities, signed_plan

pytestmark = pytest.mark.django_db


def _dated(world, start: datetime.date, end: datetime.date) -> Partnership:
    Partnership.objects.filter(pk=world.partnership.pk).update(start_date=start, end_date=end)
    world.partnership.refresh_from_db()
    return world.partnership


# --- 1. transition plan dates ------------------------------------------------------------------------------


def test_plan_dates_stay_within_the_partnership_and_milestones_before_the_handover(world):
    partnership = _dated(world, datetime.date(2024, 1, 1), datetime.date(2026, 12, 31))
    assert services.plan_date_range(partnership) == (datetime.date(2024, 1, 1), datetime.date(2031, 12, 31))
    with pytest.raises(ValidationError) as early:
        services.transition_plan_create(
            actor=world.coordinator, partnership=partnership, handover_date=datetime.date(2023, 12, 31)
        )
    assert "Give a date from" in early.value.message_dict["handover_date"][0]
    handover = datetime.date(2027, 3, 31)
    plan = services.transition_plan_create(
        actor=world.coordinator, partnership=partnership, handover_date=handover
    )
    for due, why in (
        (datetime.date(1900, 1, 1), "Give a date from"),
        (datetime.date(2032, 1, 1), "Give a date from"),
        (handover + datetime.timedelta(days=1), "after the handover date"),
    ):
        with pytest.raises(ValidationError) as refused:
            services.transition_milestone_add(actor=world.coordinator, plan=plan, title="Late", due_date=due)
        assert why in refused.value.message_dict["due_date"][0], due
    assert not plan.milestones.exists()
    activity = plan_activities(world, 1)[0]
    with pytest.raises(ValidationError) as late_item:
        services.transition_item_add(
            actor=world.coordinator,
            plan=plan,
            title=activity.title,
            activity=activity,
            owner_role="Training unit",
            takes_over_on=handover + datetime.timedelta(days=1),
        )
    assert "after the handover date" in late_item.value.message_dict["takes_over_on"][0]
    added = services.transition_milestone_add(
        actor=world.coordinator, plan=plan, title="Handover", due_date=handover
    )
    assert added.saved.due_date == handover and not added.withdrew_signatures
    # The handover cannot move before a milestone of the plan.
    with pytest.raises(ValidationError) as moved:
        services.transition_plan_update(
            actor=world.coordinator, plan=plan, data={"handover_date": datetime.date(2027, 1, 31)}
        )
    assert "“Handover” is dated" in moved.value.message_dict["handover_date"][0]
    plan.refresh_from_db()
    assert plan.handover_date == handover


def test_without_funding_dates_a_milestone_of_1900_is_still_refused(world):
    plan = services.transition_plan_create(actor=world.coordinator, partnership=world.partnership)
    with pytest.raises(ValidationError):
        services.transition_milestone_add(
            actor=world.coordinator, plan=plan, title="Old", due_date=datetime.date(1900, 1, 1)
        )
    today = partnership_today(world.partnership)
    services.transition_milestone_add(actor=world.coordinator, plan=plan, title="Soon", due_date=today)


def test_the_milestone_form_refuses_a_bad_date_with_its_message_and_saves_nothing(client, world):
    handover = partnership_today(world.partnership) + datetime.timedelta(days=90)
    services.transition_plan_create(
        actor=world.coordinator, partnership=world.partnership, handover_date=handover
    )
    url = reverse("sustainability:transition_milestone_add", args=[world.partnership.uuid])
    client.force_login(world.coordinator)
    for due in ("1900-01-01", str(handover + datetime.timedelta(days=1))):
        response = client.post(url, {"uuid": str(uuid.uuid4()), "title": "Late", "due_date": due})
        assert response.status_code == 400
        page = response.content.decode()
        assert "Give a date from" in page or "after the handover date" in page
    with translation.override("fr"):
        response = client.post(
            url,
            {"uuid": str(uuid.uuid4()), "title": "Late", "due_date": "1900-01-01"},
            HTTP_ACCEPT_LANGUAGE="fr",
        )
    assert "Indiquez une date" in response.content.decode()
    assert not TransitionMilestone.objects.exists()
    client.force_login(world.partnership_viewer)
    assert client.post(url, {"title": "x", "due_date": str(handover)}).status_code == 403
    client.force_login(world.outsider)
    assert client.post(url, {"title": "x", "due_date": str(handover)}).status_code == 404


def test_the_api_refuses_a_bad_milestone_or_handover_date_with_422_and_saves_nothing(world):
    plan = services.transition_plan_create(
        actor=world.coordinator,
        partnership=world.partnership,
        handover_date=partnership_today(world.partnership) + datetime.timedelta(days=90),
    )
    host = api(world.coordinator)
    path = f"{URL}/transition-plans/{plan.uuid}"
    refused = host.post(
        f"{path}/milestones", {"title": "Old", "due_date": "1900-01-01"}, content_type="application/json"
    )
    assert refused.status_code == 422 and "due_date" in refused.json()["errors"]
    patched = host.patch(path, {"handover_date": "1900-01-01"}, content_type="application/json")
    assert patched.status_code == 422 and "handover_date" in patched.json()["errors"]
    plan.refresh_from_db()
    assert not plan.milestones.exists() and plan.handover_date.year > 2000
    reader = api(world.partnership_viewer).post(
        f"{path}/milestones", {"title": "x", "due_date": "2027-01-01"}, content_type="application/json"
    )
    assert reader.status_code == 403
    outsider = api(world.outsider).post(
        f"{path}/milestones", {"title": "x", "due_date": "2027-01-01"}, content_type="application/json"
    )
    assert outsider.status_code == 404


# --- 2. an item given twice in an API body -----------------------------------------------------------------


def _keys(opened):
    """(key, statement) of each statement of the round, as the API names them."""
    statements = {
        f"{item.section.code}.{item.code}": item.statement
        for item in Item.objects.filter(section__version__rounds__uuid=opened["uuid"]).select_related(
            "section"
        )
    }
    return [(i["key"], statements[i["key"]]) for s in opened["sections"] for i in s["items"]]


def test_an_answer_given_twice_is_refused_naming_the_statement_and_nothing_is_saved(world):
    opened = open_round(world)
    (key, statement), (other, _statement) = _keys(opened)[:2]
    host = api(world.coordinator)
    path = f"{URL}/rounds/{opened['uuid']}/answers/mine"
    body = {"answers": [{"key": key, "value": 1}, {"key": other, "value": 2}, {"key": key, "value": 5}]}
    refused = host.put(path, body, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["errors"] == {key: ["Given more than once (entries 1, 3); give it once."]}
    assert refused.json()["labels"] == {key: statement}
    # The same key twice in one JSON object: json.loads would keep the last one.
    raw = '{"answers": [{"key": "KEY", "value": 1, "value": 5}], "submit": false}'.replace("KEY", key)
    twice = host.put(path, raw, content_type="application/json")
    assert twice.status_code == 422
    assert "“value” is given twice" in twice.json()["errors"]["body"][0]
    assert not Response.objects.exists()


def test_the_422_labels_name_each_field_once_and_never_repeat_a_key(world):
    opened = open_round(world)
    (key, statement), (other, other_statement) = _keys(opened)[:2]
    host = api(world.coordinator)
    path = f"{URL}/rounds/{opened['uuid']}/answers/mine"
    too_big = host.put(
        path,
        {"answers": [{"key": key, "value": 99}, {"key": other, "value": 99}]},
        content_type="application/json",
    )
    assert too_big.json()["labels"] == {"answers.0.value": "Value", "answers.1.value": "Value"}
    off_scale = host.put(
        path,
        {"answers": [{"key": key, "value": 0}, {"key": other, "value": 0}]},
        content_type="application/json",
    )
    assert off_scale.status_code == 422
    assert off_scale.json()["labels"] == {key: statement, other: other_statement}
    assert all(name != label for name, label in off_scale.json()["labels"].items())


def test_a_follow_up_question_answered_twice_is_refused_and_nothing_is_saved(world):
    objects = role_rules.objects(world)
    follow_up = FollowUp.objects.get(uuid=objects["follow_up_uuid"])
    answer = {"question": 1, "status": "running", "funded_by": "host_budget"}
    refused = api(world.coordinator).put(
        f"{URL}/follow-ups/{follow_up.uuid}/answers",
        {
            "questions": [answer, {**answer, "status": "stopped", "funded_by": None}],
            "staff_retained": "all",
            "partner_contact": "regular",
        },
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert "Given more than once (entries 1, 2)" in refused.json()["errors"]["question.1"][0]
    assert refused.json()["labels"] == {"question.1": "Triage training"}
    follow_up.refresh_from_db()
    assert not follow_up.is_answered and follow_up.items.get().status == ""


def test_a_target_given_twice_is_refused(world):
    from twinning.planning.models import Target
    from twinning.planning.tests.factories import plan_with_indicator

    _plan, _objective, adoption = plan_with_indicator(world)
    refused = api(world.coordinator).put(
        f"/api/v1/planning/plan-indicators/{adoption.uuid}/targets",
        {"targets": [{"period": "2024Q1", "value": "5"}, {"period": "2024Q1", "value": "7"}]},
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert "Given more than once (entries 1, 2)" in refused.json()["errors"]["2024Q1"][0]
    assert not Target.objects.exists()


# --- 3. graduating with criteria unmet -----------------------------------------------------------------------


def test_graduating_with_criteria_unmet_needs_an_explicit_confirmation(world):
    review = graduation_services.graduation_review_open(actor=world.manager, partnership=world.partnership)
    with pytest.raises(ValidationError) as refused:
        graduation_services.graduation_review_decide(
            actor=world.manager, review=review, decision="graduate", reason="Ready"
        )
    assert "Only 1 of 4 graduation criteria are met" in refused.value.message_dict["confirm_unmet"][0]
    review.refresh_from_db()
    world.partnership.refresh_from_db()
    assert review.is_open and world.partnership.stage != "graduated" and not FollowUp.objects.exists()
    graduation_services.graduation_review_decide(
        actor=world.manager,
        review=review,
        decision="graduate",
        reason="Ready all the same",
        confirm_unmet=True,
    )
    world.partnership.refresh_from_db()
    assert world.partnership.stage == "graduated"


def test_closing_with_criteria_unmet_needs_no_confirmation(world):
    review = graduation_services.graduation_review_open(actor=world.manager, partnership=world.partnership)
    graduation_services.graduation_review_decide(
        actor=world.manager, review=review, decision="close", reason="Ended"
    )
    review.refresh_from_db()
    assert review.decision == "close"


def test_the_api_refuses_graduation_with_criteria_unmet_unless_confirmed(world):
    review = GraduationReview.objects.create(partnership=world.partnership, opened_by=world.manager)
    path = f"{URL}/graduation-reviews/{review.uuid}/decision"
    manager = api(world.manager)
    refused = manager.post(path, {"decision": "graduate", "reason": "Ready"}, content_type="application/json")
    assert refused.status_code == 422 and "confirm_unmet" in refused.json()["errors"]
    review.refresh_from_db()
    assert review.is_open
    viewer = api(world.programme_viewer).post(
        path, {"decision": "graduate", "reason": "x", "confirm_unmet": True}, content_type="application/json"
    )
    assert viewer.status_code == 403
    outsider = api(world.outsider).post(
        path, {"decision": "graduate", "reason": "x", "confirm_unmet": True}, content_type="application/json"
    )
    assert outsider.status_code == 404
    done = manager.post(
        path,
        {"decision": "graduate", "reason": "Ready", "confirm_unmet": True},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["decision"] == "graduate"


def test_the_decision_form_says_how_many_criteria_are_met_in_the_readers_language(client, world):
    review = GraduationReview.objects.create(partnership=world.partnership, opened_by=world.manager)
    client.force_login(world.manager)
    url = reverse("sustainability:graduation_review", args=[world.partnership.uuid, review.uuid])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Critères remplis\u00a0: 1 sur 4." in page
    assert "Autonomiser bien que tous les critères ne soient pas remplis" in page


# --- 4. "signatures withdrawn" comes from what the service did ---------------------------------------------


def test_the_service_says_whether_a_change_withdrew_signatures(world):
    plan = signed_plan(world)
    first = services.transition_risk_add(actor=world.coordinator, plan=plan, risk="Turnover")
    assert first.withdrew_signatures and not plan.sign_offs.exists()
    second = services.transition_risk_add(actor=world.coordinator, plan=plan, risk="Budget cut")
    assert not second.withdrew_signatures
    removed = services.transition_part_remove(actor=world.coordinator, part=second.saved)
    assert removed.saved is None and not removed.withdrew_signatures


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_page_says_signatures_were_withdrawn_from_the_services_answer(client, world, monkeypatch):
    plan = signed_plan(world)
    client.force_login(world.coordinator)
    url = reverse("sustainability:transition_risk_add", args=[world.partnership.uuid])
    response = client.post(url, {"risk": "Turnover"}, follow=True)
    assert any("it needs signing again" in m for m in _messages(response))
    response = client.post(url, {"risk": "Budget cut"}, follow=True)
    assert not any("it needs signing again" in m for m in _messages(response))
    # Someone else signs between this page's read and the service's lock: the service's answer decides.
    real = services.transition_risk_add

    def signed_meanwhile(**kwargs):
        services.transition_plan_sign(actor=world.coordinator, plan=plan, party="host")
        return real(**kwargs)

    monkeypatch.setattr(services, "transition_risk_add", signed_meanwhile)
    response = client.post(url, {"risk": "Drought"}, follow=True)
    assert any("it needs signing again" in m for m in _messages(response))


# --- 5. the programme page shows the gap it sorts by --------------------------------------------------------


def test_the_programme_page_shows_the_largest_gap_in_the_readers_number_format(client, world):
    version = small_version(sections=1, items=2, low=1, high=5)
    version.instrument.kind = Instrument.Kind.HEALTH_CHECK
    version.instrument.save()
    found = RoundFactory(partnership=world.partnership, instrument_version=version)
    first, second = [i for s in version.sections.all() for i in s.items.all()]
    sheet(found, world.coordinator, "host", {first.pk: 5, second.pk: 4})
    sheet(found, world.resource_coordinator, "resource", {first.pk: 2, second.pk: 2})
    submit_sides(found, "host", "resource")  # host 87.5, resource 25: a gap of 62.5
    client.force_login(world.programme_viewer)
    page = client.get(
        reverse("sustainability:programme", args=[world.programme.uuid]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "Plus grand écart (points)" in page
    assert page.count(">62,5<") == 2  # the largest gap and the health check's gap
    assert ">87,5<" in page and "62.5" not in page


# --- 6. the programme reads joint action plans ---------------------------------------------------------------


def test_programme_staff_read_the_joint_action_plan_but_do_not_change_it(client, world):
    objects = role_rules.objects(world)
    round_uuid = objects["assessment_round_uuid"]
    assessment_round = RoundFactory._meta.model.objects.get(uuid=round_uuid)
    assert partnership_access(world.programme_viewer, world.partnership).can_read_joint_actions
    assert not partnership_access(world.programme_viewer, world.partnership).can_change_joint_actions
    assert not partnership_access(world.partnership_viewer, world.partnership).can_read_joint_actions
    for who in ("programme_viewer", "finance"):
        reader = api(getattr(world, who))
        listed = reader.get(f"{URL}/rounds/{round_uuid}/actions")
        assert listed.status_code == 200 and [a["title"] for a in listed.json()] == [
            "Agree who chairs the joint meeting"
        ]
        added = reader.post(
            f"{URL}/rounds/{round_uuid}/actions", {"title": "x"}, content_type="application/json"
        )
        assert added.status_code == 403
        client.force_login(getattr(world, who))
        page = client.get(reverse("sustainability:round", args=[round_uuid])).content.decode()
        assert "Agree who chairs the joint meeting" in page
        assert (
            client.post(reverse("sustainability:action_add", args=[round_uuid]), {"title": "x"}).status_code
            == 403
        )
    assert api(world.partnership_viewer).get(f"{URL}/rounds/{round_uuid}/actions").status_code == 403
    assert api(world.outsider).get(f"{URL}/rounds/{round_uuid}/actions").status_code == 404
    assert AssessmentAction.objects.filter(round=assessment_round).count() == 1


@pytest.mark.parametrize(
    ("language", "decision", "status", "criteria"),
    [
        ("fr", "Autonomisation", "Terminée", "Critères remplis\u00a0: 1 sur 4."),
        ("ru", "Завершение поддержки", "Выполнено", "Выполнено 1 из 4 критериев."),
    ],
)
def test_a_decision_reads_as_taken_and_an_action_status_agrees_with_action(
    language, decision, status, criteria
):
    # A tester read "Autonomiser" (the verb) in the decision column and "1 critères remplis sur 4".
    from django.utils import translation
    from django.utils.translation import ngettext

    from twinning.sustainability.models import AssessmentAction
    from twinning.sustainability.models_transition import GraduationReview

    with translation.override(language):
        assert str(GraduationReview.Decision.GRADUATE.label) == decision
        assert str(AssessmentAction.Status.DONE.label) == status
        assert (
            ngettext("%(met)s of %(counter)s criterion met.", "%(met)s of %(counter)s criteria met.", 4)
            % {"met": 1, "counter": 4}
            == criteria
        )


@pytest.mark.parametrize(
    "due", [datetime.date(1, 1, 1), datetime.date(1900, 1, 1), datetime.date(9999, 12, 31)]
)
def test_a_round_or_an_action_due_outside_the_partnerships_years_is_refused(world, due):
    # A tester opened rounds due in year 1, 1900 and 9999, and an action due in year 1 failed a graduation
    # criterion ("no overdue open actions") for good.
    from twinning.sustainability import services as assessment_services
    from twinning.sustainability.models import AssessmentRound
    from twinning.sustainability.tests.test_double_posts import _revealed_round
    from twinning.sustainability.tests.test_services import health_check

    rounds = AssessmentRound.objects.count()
    with pytest.raises(ValidationError) as refused:
        assessment_services.round_open(
            actor=world.coordinator, partnership=world.partnership, instrument=health_check(), due_date=due
        )
    assert "due_date" in refused.value.message_dict
    assert AssessmentRound.objects.count() == rounds
    assessment_round = _revealed_round(world)
    actions = assessment_round.actions.count()
    with pytest.raises(ValidationError) as refused:
        assessment_services.action_create(
            actor=world.coordinator, assessment_round=assessment_round, title="Visit", due_date=due
        )
    assert "due_date" in refused.value.message_dict
    answer = api(world.coordinator).post(
        f"{URL}/rounds/{assessment_round.uuid}/actions",
        {"title": "Visit", "due_date": due.isoformat()},
        content_type="application/json",
    )
    assert answer.status_code == 422, answer.json()
    assert assessment_round.actions.count() == actions
