"""Post-funding follow-ups: scheduled when a partnership ends, answered by its host side (who keep access after
graduation), and reminded exactly once per step, in each recipient's language, even across worker restarts."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.http import Http404
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from twinning.accounts.models import Notification
from twinning.audit.models import AuditEvent
from twinning.sustainability import follow_ups as services
from twinning.sustainability import graduation_services, transition_services
from twinning.sustainability.follow_ups import (
    ItemAnswer,
    follow_up_answer,
    follow_up_reminder_send,
    years_later,
)
from twinning.sustainability.models_transition import FollowUp, FollowUpReminder
from twinning.sustainability.tests.transition_factories import signed_plan

pytestmark = pytest.mark.django_db

ENDED = datetime.date(2024, 2, 29)


def _graduate(world, *, on=ENDED):
    transition_services.graduation_policy_set(
        actor=world.manager,
        programme=world.programme,
        data={"min_readiness_score": None, "require_no_open_priority_actions": False},
    )
    signed_plan(world, items=2)
    review = graduation_services.graduation_review_open(actor=world.manager, partnership=world.partnership)
    graduation_services.graduation_review_decide(
        actor=world.manager,
        review=review,
        decision="graduate",
        reason="Ready",
        decided_on=on,
        confirm_unmet=True,  # no plan with key indicators here
    )
    return {f.years_after: f for f in FollowUp.objects.filter(partnership=world.partnership)}


def _answers(follow_up, status="running", funded_by="host_budget"):
    return {q.pk: ItemAnswer(status=status, funded_by=funded_by) for q in follow_up.items.all()}


def test_follow_ups_fall_due_1_3_and_5_years_after_the_end_and_open_30_days_before(world):
    found = _graduate(world)
    assert found[1].due_date == datetime.date(2025, 2, 28)  # no 29 February in 2025
    assert found[3].due_date == datetime.date(2027, 2, 28)
    assert found[5].due_date == datetime.date(2029, 2, 28)
    assert found[1].opens_on == datetime.date(2025, 1, 29)
    assert years_later(datetime.date(2024, 2, 29), 4) == datetime.date(2028, 2, 29)
    assert [q.title for q in found[3].items.all()] == ["Triage training 1", "Triage training 2"]


def test_follow_ups_count_from_the_end_of_the_funding_period_not_the_decision(world):
    """Funding ended on 31 December 2023 and the decision came two months later: the years count from the end
    of the funding; with no funding end recorded they count from the decision (the test above)."""
    world.partnership.end_date = datetime.date(2023, 12, 31)
    world.partnership.save()
    found = _graduate(world)
    assert {f.ended_on for f in found.values()} == {datetime.date(2023, 12, 31)}
    assert found[1].due_date == datetime.date(2024, 12, 31)
    assert found[3].due_date == datetime.date(2026, 12, 31)
    assert found[5].due_date == datetime.date(2028, 12, 31)
    assert services.follow_up_anchor(world.partnership, ENDED) == datetime.date(2023, 12, 31)
    world.partnership.end_date = None
    assert services.follow_up_anchor(world.partnership, ENDED) == ENDED


def test_the_programme_sets_its_own_years(world):
    transition_services.graduation_policy_set(
        actor=world.manager, programme=world.programme, data={"follow_up_years": "2, 4"}
    )
    assert sorted(_graduate(world)) == [2, 4]
    with pytest.raises(ValidationError):
        transition_services.graduation_policy_set(
            actor=world.manager, programme=world.programme, data={"follow_up_years": "1, soon"}
        )


def test_the_host_side_answers_after_graduation_and_the_answer_is_audited(world):
    follow_up = _graduate(world)[1]
    world.partnership.refresh_from_db()
    assert world.partnership.stage == "graduated"
    answers = _answers(follow_up)
    first = next(iter(answers))
    answers[first] = ItemAnswer(status="stopped")
    follow_up_answer(
        actor=world.member,
        follow_up=follow_up,
        answers=answers,
        staff_retained="most",
        partner_contact="occasional",
    )
    follow_up.refresh_from_db()
    assert follow_up.is_answered and follow_up.answered_by == world.member
    assert sorted(follow_up.items.values_list("status", flat=True)) == ["running", "stopped"]
    event = AuditEvent.objects.for_object(follow_up).get(action="update")
    assert event.changes["staff_retained"] == [None, "most"]


def test_only_the_host_side_answers(world):
    follow_up = _graduate(world)[1]
    kwargs = {"answers": _answers(follow_up), "staff_retained": "all", "partner_contact": "none"}
    with pytest.raises(PermissionDenied):
        follow_up_answer(actor=world.resource_coordinator, follow_up=follow_up, **kwargs)
    with pytest.raises(PermissionDenied):
        follow_up_answer(actor=world.partnership_viewer, follow_up=follow_up, **kwargs)
    with pytest.raises(PermissionDenied):
        follow_up_answer(actor=world.manager, follow_up=follow_up, **kwargs)
    with pytest.raises(Http404):
        follow_up_answer(actor=world.outsider, follow_up=follow_up, **kwargs)
    assert not FollowUp.objects.filter(answered_at__isnull=False).exists()


def test_incomplete_answers_and_a_follow_up_not_open_yet_are_refused(world):
    found = _graduate(world, on=datetime.date.today())
    follow_up = found[1]
    with pytest.raises(ValidationError, match="opens on"):
        follow_up_answer(
            actor=world.coordinator,
            follow_up=follow_up,
            answers=_answers(follow_up),
            staff_retained="all",
            partner_contact="none",
        )
    follow_up.opens_on = datetime.date.today()
    follow_up.save()
    answers = _answers(follow_up, funded_by="")
    with pytest.raises(ValidationError) as caught:
        follow_up_answer(
            actor=world.coordinator,
            follow_up=follow_up,
            answers=answers,
            staff_retained="lots",
            partner_contact="",
        )
    assert {"staff_retained", "partner_contact"} <= set(caught.value.message_dict)
    assert any(key.startswith("item_") for key in caught.value.message_dict)
    assert not FollowUp.objects.filter(answered_at__isnull=False).exists()


# --- reminders -----------------------------------------------------------------------------------------


def test_each_step_is_sent_once_to_the_host_side(world, django_capture_on_commit_callbacks):
    follow_up = _graduate(world)[1]
    day = follow_up.opens_on
    with django_capture_on_commit_callbacks(execute=True):
        assert not follow_up_reminder_send(
            follow_up_id=follow_up.pk, step="open", today=day - datetime.timedelta(days=1)
        )
        assert follow_up_reminder_send(follow_up_id=follow_up.pk, step="open", today=day) is True
        assert follow_up_reminder_send(follow_up_id=follow_up.pk, step="open", today=day) is False
    assert FollowUpReminder.objects.get().recipients == 2  # the host coordinator and member
    assert sorted(m.to[0] for m in mail.outbox) == ["coordinator@example.org", "member@example.org"]
    assert Notification.objects.filter(user=world.coordinator).count() == 1


def test_the_sweep_sends_what_is_due_and_nothing_twice(world, django_capture_on_commit_callbacks):
    found = _graduate(world)
    overdue_day = found[1].due_date + datetime.timedelta(days=services.OVERDUE_AFTER_DAYS)
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            services.reminders_send_due(today=overdue_day) == 3
        )  # open, due, overdue of the 1-year follow-up
        assert services.reminders_send_due(today=overdue_day) == 0
    assert len(mail.outbox) == 6


def test_an_answered_follow_up_is_not_reminded(world):
    follow_up = _graduate(world)[1]
    follow_up_answer(
        actor=world.coordinator,
        follow_up=follow_up,
        answers=_answers(follow_up),
        staff_retained="all",
        partner_contact="regular",
    )
    assert services.reminders_due(today=follow_up.due_date) == []
    assert follow_up_reminder_send(follow_up_id=follow_up.pk, step="due", today=follow_up.due_date) is False


def test_a_reminder_is_written_in_the_recipients_language(world, django_capture_on_commit_callbacks):
    follow_up = _graduate(world)[1]
    world.coordinator.language = "fr"
    world.coordinator.save()
    with django_capture_on_commit_callbacks(execute=True):
        follow_up_reminder_send(follow_up_id=follow_up.pk, step="due", today=follow_up.due_date)
    by_recipient = {m.to[0]: m.body for m in mail.outbox}
    assert "28 février 2025" in by_recipient["coordinator@example.org"]
    assert "Feb. 28, 2025" in by_recipient["member@example.org"]


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_a_step_once_even_when_restarted_in_between(world):
    """The step is queued twice (as a re-queue after a restart would), and the worker is stopped after one task
    and started again: one marker, one email per recipient."""
    from twinning.sustainability.tasks import follow_up_reminder_task

    follow_up = _graduate(world, on=datetime.date(2020, 1, 10))[1]
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        follow_up_reminder_task.enqueue(follow_up.pk, "open")
        follow_up_reminder_task.enqueue(follow_up.pk, "open")
        call_command("db_worker", batch=True, max_tasks=1, interval=0, startup_delay=False)
        assert len(mail.outbox) == 2
        call_command("db_worker", batch=True, interval=0, startup_delay=False)  # a new worker: the restart
    assert FollowUpReminder.objects.filter(follow_up=follow_up, step="open").count() == 1
    assert len(mail.outbox) == 2


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_graduation_queues_each_step_for_its_day(world, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        _graduate(world)
    queued = DBTaskResult.objects.filter(task_path__endswith="follow_up_reminder_task")
    assert queued.count() == 9  # three follow-ups, three steps each
    assert min(t.run_after.date() for t in queued) == datetime.date(2025, 1, 29)


# --- pages ---------------------------------------------------------------------------------------------


def test_the_host_coordinator_answers_on_the_page(client, world):
    follow_up = _graduate(world)[1]
    client.force_login(world.coordinator)
    url = reverse("sustainability:follow_up", args=[world.partnership.uuid, follow_up.uuid])
    assert "Your answers" in client.get(url).content.decode()
    data = {"staff_retained": "some", "partner_contact": "none", "comment": "", "version": follow_up.version}
    for q in follow_up.items.all():
        data |= {f"status_{q.pk}": "adapted", f"funded_{q.pk}": "ministry", f"note_{q.pk}": ""}
    bad = {**data, f"status_{follow_up.items.first().pk}": ""}
    assert client.post(url, bad).status_code == 400
    assert client.post(url, data).status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.is_answered and set(follow_up.items.values_list("status", flat=True)) == {"adapted"}


def test_follow_up_pages_access(client, world):
    follow_up = _graduate(world)[1]
    url = reverse("sustainability:follow_up", args=[world.partnership.uuid, follow_up.uuid])
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404
    client.force_login(world.partnership_viewer)
    assert client.get(url).status_code == 200
    assert client.post(url, {"staff_retained": "all"}).status_code == 403


def test_follow_up_list_queries_do_not_grow(client, world, django_assert_max_num_queries):
    first = _graduate(world)[1]
    client.force_login(world.coordinator)
    url = reverse("sustainability:follow_ups", args=[world.partnership.uuid])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for years in (7, 8, 9):
        FollowUp.objects.create(
            partnership=world.partnership,
            years_after=years,
            ended_on=first.ended_on,
            outcome="graduate",
            due_date=years_later(first.ended_on, years),
            opens_on=years_later(first.ended_on, years),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200 and response.content.decode().count("after the end") == 6


def test_a_follow_up_also_asks_about_the_partnerships_practices(world):
    from twinning.knowledge.models import Practice
    from twinning.knowledge.tests.factories import PracticeFactory

    PracticeFactory(partnership=world.partnership, title="Birth checklist")
    PracticeFactory(partnership=world.partnership, title="Withdrawn idea", status=Practice.Status.WITHDRAWN)
    PracticeFactory(partnership=world.other_partnership, title="Someone else's")
    follow_up = _graduate(world)[1]
    asked = [(q.kind, q.title) for q in follow_up.items.all()]
    assert asked == [
        ("activity", "Triage training 1"),
        ("activity", "Triage training 2"),
        ("practice", "Birth checklist"),
    ]
