from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from twinning.accounts.models import Notification
from twinning.audit.models import AuditEvent
from twinning.core.services import VersionConflict
from twinning.monitoring import services
from twinning.monitoring.models import PeriodReport, Result, ReviewComment
from twinning.monitoring.tests.factories import monitored

pytestmark = pytest.mark.django_db


def save(world, m, value="12", who=None, period="2024Q1", option=None, version=None, **extra):
    return services.result_save(
        actor=who or world.member,
        plan_indicator=m.trained,
        period=period,
        option=option,
        values={"value": value, **extra},
        expected_version=version,
    )


def test_member_enters_a_result_with_an_audit_row(world):
    m = monitored(world)
    result = save(world, m)
    assert result.value == Decimal("12.0000")
    assert result.version == 1
    report = PeriodReport.objects.get(partnership=world.partnership, period="2024Q1")
    assert report.status == PeriodReport.Status.DRAFT
    assert AuditEvent.objects.for_object(report).filter(action="create").exists()


def test_saving_again_needs_the_version_seen(world):
    m = monitored(world)
    result = save(world, m)
    updated = save(world, m, "13", version=result.version)
    assert updated.version == 2
    with pytest.raises(VersionConflict):
        save(world, m, "14", who=world.coordinator, version=1)
    with pytest.raises(VersionConflict):
        save(world, m, "15", who=world.coordinator, version=None)  # they saw an empty field
    assert Result.objects.get().value == Decimal("13")


def test_blank_value_deletes_the_result(world):
    m = monitored(world)
    result = save(world, m)
    assert save(world, m, "", version=result.version) is None
    assert not Result.objects.exists()


def test_disaggregated_and_overall_rows_are_separate(world):
    m = monitored(world)
    female = m.sex.options.get(code="female")
    save(world, m, "12")
    save(world, m, "7", option=female)
    assert Result.objects.count() == 2


def test_option_of_another_category_is_refused(world):
    from twinning.planning.models import DisaggregationCategory, DisaggregationOption

    m = monitored(world)
    other = DisaggregationCategory.objects.create(programme=world.programme, code="cadre", name="Cadre")
    nurse = DisaggregationOption.objects.create(category=other, code="nurse", name="Nurse")
    with pytest.raises(ValidationError) as exc:
        save(world, m, option=nurse)
    assert "option" in exc.value.message_dict


@pytest.mark.parametrize(
    ("period", "field"),
    [("2024", "period"), ("2031Q1", "period"), ("2099Q1", "period"), ("nonsense", "period")],
)
def test_wrong_periods_are_refused(world, period, field):
    m = monitored(world)
    with pytest.raises(ValidationError) as exc:
        save(world, m, period=period)
    assert field in exc.value.message_dict
    assert not Result.objects.exists()


def test_typed_values_by_measure(world):
    m = monitored(world)
    pct = services.result_save(
        actor=world.member,
        plan_indicator=m.deaths,
        period="2024Q1",
        values={"numerator": "3", "denominator": "4"},
    )
    assert pct.value == Decimal("75")
    for values, field in [
        ({"numerator": "5", "denominator": "4"}, "numerator"),
        ({"numerator": "1", "denominator": "0"}, "denominator"),
        ({"numerator": "1"}, "denominator"),
    ]:
        with pytest.raises(ValidationError) as exc:
            services.result_save(actor=world.member, plan_indicator=m.deaths, period="2024Q2", values=values)
        assert field in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.result_save(
            actor=world.member, plan_indicator=m.protocol, period="2024", values={"value": "2"}
        )
    yes = services.result_save(
        actor=world.member, plan_indicator=m.protocol, period="2024", values={"value": "1"}
    )
    assert yes.value == 1
    story = services.result_save(
        actor=world.member,
        plan_indicator=m.story,
        period="2024",
        values={"text": "Triage works", "score": "4"},
    )
    assert story.text == "Triage works"
    with pytest.raises(ValidationError):
        save(world, m, "twelve", period="2024Q3")
    with pytest.raises(ValidationError):
        save(world, m, "1e20", period="2024Q3")


@pytest.mark.parametrize("role", ["partnership_viewer", "programme_viewer", "finance", "outsider"])
def test_readers_cannot_enter_results(world, role):
    m = monitored(world)
    with pytest.raises(PermissionDenied):
        save(world, m, who=getattr(world, role))


def test_review_cycle_with_feedback_thread_and_notifications(world, django_capture_on_commit_callbacks):
    m = monitored(world)
    save(world, m)
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_submit(actor=world.member, partnership=world.partnership, period="2024Q1")
    assert report.status == "submitted"
    assert Notification.objects.filter(user=world.me_officer).exists()
    assert any(world.manager.email in message.to for message in mail.outbox)
    with pytest.raises(ValidationError):  # locked while under review
        save(world, m, "20", version=1)
    with pytest.raises(PermissionDenied):  # members do not review
        services.report_return(actor=world.coordinator, report=report, feedback="x")
    with pytest.raises(ValidationError) as exc:
        services.report_return(actor=world.me_officer, report=report, feedback="  ")
    assert "feedback" in exc.value.message_dict
    report = services.report_return(actor=world.me_officer, report=report, feedback="Q1 looks too high")
    assert report.status == "returned"
    assert Notification.objects.filter(user=world.coordinator, message__contains="Q1 looks too high").exists()
    feedback = ReviewComment.objects.get(kind="feedback")
    reply = services.comment_add(
        actor=world.coordinator, report=report, body="Corrected from the register", parent=feedback
    )
    assert reply.parent == feedback
    save(world, m, "11", who=world.coordinator, version=1)
    report = services.report_submit(actor=world.coordinator, partnership=world.partnership, period="2024Q1")
    report = services.report_approve(actor=world.manager, report=report)
    assert report.status == "approved"
    with pytest.raises(ValidationError):
        save(world, m, "9", who=world.coordinator, version=2)
    with pytest.raises(ValidationError):
        services.report_unlock(actor=world.manager, report=report, reason="")
    with pytest.raises(PermissionDenied):
        services.report_unlock(actor=world.coordinator, report=report, reason="typo")
    report = services.report_unlock(actor=world.manager, report=report, reason="Register recount")
    assert report.status == "returned"
    assert AuditEvent.objects.filter(reason="Register recount").exists()
    save(world, m, "9", who=world.coordinator, version=2)


def test_submitting_an_empty_report_is_refused(world):
    monitored(world)
    with pytest.raises(ValidationError):
        services.report_submit(actor=world.member, partnership=world.partnership, period="2024Q1")


def test_action_items(world):
    m = monitored(world)
    save(world, m)
    report = PeriodReport.objects.get()
    item = services.comment_add(
        actor=world.me_officer, report=report, body="Attach the register", assignee=world.member
    )
    assert item.is_action
    assert Notification.objects.filter(user=world.member).exists()
    done = services.action_item_set_done(actor=world.member, comment=item)
    assert done.done_at is not None and done.done_by == world.member
    with pytest.raises(ValidationError):
        services.comment_add(actor=world.me_officer, report=report, body="x", assignee=world.outsider)
    with pytest.raises(PermissionDenied):
        services.comment_add(actor=world.partnership_viewer, report=report, body="x")


def test_settings_need_ordered_thresholds(world):
    with pytest.raises(ValidationError):
        services.monitoring_settings_update(
            actor=world.manager,
            programme=world.programme,
            data={"on_track_percent": Decimal("60"), "at_risk_percent": Decimal("70")},
        )
    saved = services.monitoring_settings_update(
        actor=world.manager, programme=world.programme, data={"on_track_percent": Decimal("95")}
    )
    assert saved.on_track_percent == 95
    with pytest.raises(PermissionDenied):
        services.monitoring_settings_update(actor=world.coordinator, programme=world.programme, data={})


def test_a_returned_reports_email_subject_is_short_and_the_feedback_is_in_the_body(
    world, django_capture_on_commit_callbacks
):
    """Issue "Work that finds its people": the subject held the reviewer's whole feedback."""
    m = monitored(world)
    save(world, m)
    report = services.report_submit(actor=world.member, partnership=world.partnership, period="2024Q1")
    mail.outbox.clear()
    feedback = "Q1 looks too high " * 20
    with django_capture_on_commit_callbacks(execute=True):
        services.report_return(actor=world.me_officer, report=report, feedback=feedback)
    [sent, *_rest] = [message for message in mail.outbox if world.coordinator.email in message.to]
    assert sent.subject.startswith("Results returned for correction: " + world.partnership.title)
    assert "Q1 looks too high" not in sent.subject and "Q1 looks too high" in sent.body


def test_a_unit_already_in_the_indicator_name_is_not_repeated(client, world):
    """Issue "Work that finds its people": the entry page read "Maternal deaths audited (%) (%)"."""
    m = monitored(world)
    indicator = m.deaths.indicator
    type(indicator).objects.filter(pk=indicator.pk).update(name="Maternal deaths audited (%)", unit="%")
    client.force_login(world.member)
    html = client.get(f"/monitoring/{world.partnership.uuid}/2024Q1/").content.decode()
    assert "Maternal deaths audited (%)" in html
    assert 'Maternal deaths audited (%) <span class="muted small">(%)</span>' not in html
