"""Opening rounds, answering, submitting a side, the joint action plan and instrument versions."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from twinning.accounts.models import Notification
from twinning.audit.models import AuditEvent
from twinning.core.choices import Side
from twinning.core.services import VersionConflict
from twinning.sustainability import selectors, services
from twinning.sustainability.models import Instrument, InstrumentVersion, Item
from twinning.sustainability.services import AnswerInput
from twinning.sustainability.tests.factories import RoundFactory, sheet

pytestmark = pytest.mark.django_db
DUE = datetime.date(2026, 12, 31)


def health_check() -> Instrument:
    return Instrument.objects.get(programme__isnull=True, kind=Instrument.Kind.HEALTH_CHECK)


def items_of(assessment_round):
    return list(Item.objects.filter(section__version=assessment_round.instrument_version).order_by("pk"))


def answer_all(user, assessment_round, value, *, submit=True):
    answers = {item.pk: AnswerInput(value=value) for item in items_of(assessment_round)}
    return services.answers_save(
        actor=user, assessment_round=assessment_round, answers=answers, submit=submit
    )


def test_a_coordinator_opens_a_round_for_their_partnership_and_both_sides_are_told(world):
    assessment_round = services.round_open(
        actor=world.coordinator, partnership=world.partnership, instrument=health_check(), due_date=DUE
    )
    assert assessment_round.instrument_version.number == 1
    told = set(Notification.objects.values_list("user__email", flat=True))
    assert {world.resource_coordinator.email, world.member.email} <= told
    assert world.coordinator.email not in told


@pytest.mark.parametrize("who", ["member", "programme_viewer", "finance", "partnership_viewer"])
def test_only_editors_and_coordinators_open_rounds(world, who):
    with pytest.raises(PermissionDenied):
        services.round_open(
            actor=getattr(world, who), partnership=world.partnership, instrument=health_check(), due_date=DUE
        )


def test_an_outsider_cannot_open_a_round(world):
    with pytest.raises(Http404):
        services.round_open(
            actor=world.outsider, partnership=world.partnership, instrument=health_check(), due_date=DUE
        )


def test_programme_staff_open_rounds_for_chosen_partnerships_all_or_none(world):
    with pytest.raises(ValidationError):
        services.rounds_open(
            actor=world.manager,
            programme=world.programme,
            instrument=health_check(),
            partnerships=[world.partnership, world.other_partnership],
            due_date=DUE,
        )
    assert not world.partnership.assessment_rounds.exists()
    rounds = services.rounds_open(
        actor=world.manager,
        programme=world.programme,
        instrument=health_check(),
        partnerships=[world.partnership],
        due_date=DUE,
    )
    assert len(rounds) == 1


def test_each_side_answers_then_its_coordinator_submits_and_the_other_side_is_told(world):
    assessment_round = RoundFactory(partnership=world.partnership)
    answer_all(world.member, assessment_round, 5)
    answer_all(world.coordinator, assessment_round, 3)
    Notification.objects.all().delete()
    services.side_submit(actor=world.coordinator, assessment_round=assessment_round)
    assert set(Notification.objects.values_list("user", flat=True)) == {world.resource_coordinator.pk}
    with pytest.raises(ValidationError):
        answer_all(world.member, assessment_round, 1)
    with pytest.raises(ValidationError):
        services.side_submit(actor=world.resource_coordinator, assessment_round=assessment_round)
    answer_all(world.resource_coordinator, assessment_round, 1)
    services.side_submit(actor=world.resource_coordinator, assessment_round=assessment_round)
    assessment_round.refresh_from_db()
    assert assessment_round.is_revealed
    result = selectors.round_scores(assessment_round=assessment_round)
    assert result.overall.host == 75  # (5 + 3) / 2 = 4 on 1-5
    assert result.overall.resource == 0
    assert result.overall.gap == 75


def test_a_sheet_not_handed_in_is_left_out_of_the_side(world):
    assessment_round = RoundFactory(partnership=world.partnership)
    answer_all(world.coordinator, assessment_round, 5)
    answer_all(world.member, assessment_round, 1, submit=False)
    services.side_submit(actor=world.coordinator, assessment_round=assessment_round)
    assert selectors.round_scores(assessment_round=assessment_round, access=None).sheets[Side.HOST] == 1


@pytest.mark.parametrize("who", ["manager", "programme_viewer", "partnership_viewer", "admin"])
def test_no_one_off_a_side_answers(world, who):
    assessment_round = RoundFactory(partnership=world.partnership)
    with pytest.raises(PermissionDenied):
        answer_all(getattr(world, who), assessment_round, 3)


def test_a_member_does_not_submit_the_side(world):
    assessment_round = RoundFactory(partnership=world.partnership)
    answer_all(world.member, assessment_round, 3)
    with pytest.raises(PermissionDenied):
        services.side_submit(actor=world.member, assessment_round=assessment_round)


def test_a_point_off_the_scale_or_a_not_applicable_the_item_refuses_saves_nothing(world):
    assessment_round = RoundFactory(partnership=world.partnership)
    first, second, *_rest = items_of(assessment_round)
    Item.objects.filter(pk=second.pk).update(allows_not_applicable=False)
    with pytest.raises(ValidationError) as caught:
        services.answers_save(
            actor=world.coordinator,
            assessment_round=assessment_round,
            answers={first.pk: AnswerInput(value=9), second.pk: AnswerInput(not_applicable=True)},
        )
    assert set(caught.value.message_dict) == {f"item-{first.pk}", f"item-{second.pk}"}
    assert not assessment_round.responses.exists()


def test_the_history_of_a_sheet_counts_answers_and_never_shows_them(world):
    assessment_round = RoundFactory(partnership=world.partnership)
    answer_all(world.coordinator, assessment_round, 5)
    event = AuditEvent.objects.get(target_type__model="response")
    assert set(event.changes) == {"answered", "submitted_at"}
    assert event.changes["answered"] == [None, len(items_of(assessment_round))]  # a new sheet: no "0 →"


def test_the_first_answer_freezes_the_version_and_a_change_makes_a_new_one(world):
    instrument = services.instrument_create(
        actor=world.manager, programme=world.programme, name="Team climate"
    )
    section = services.section_add(actor=world.manager, instrument=instrument, title="Trust")
    item = services.item_add(actor=world.manager, section=section, statement="We trust each other.")
    same = services.item_update(actor=world.manager, item=item, data={"statement": "We trust one another."})
    assert same.pk == item.pk  # not answered yet: changed in place
    assessment_round = services.round_open(
        actor=world.manager, partnership=world.partnership, instrument=instrument, due_date=DUE
    )
    answer_all(world.coordinator, assessment_round, 4)
    version_1 = InstrumentVersion.objects.get(instrument=instrument, number=1)
    assert version_1.is_frozen
    changed = services.item_update(
        actor=world.manager, item=item, data={"statement": "Trust runs both ways."}
    )
    assert changed.section.version.number == 2
    item.refresh_from_db()
    assert item.statement == "We trust one another."  # the answered version stays as it was
    later = services.round_open(
        actor=world.manager, partnership=world.partnership, instrument=instrument, due_date=DUE
    )
    assert later.instrument_version.number == 2
    assessment_round.refresh_from_db()
    assert assessment_round.instrument_version == version_1


def test_shipped_instruments_are_changed_by_administrators_only(world):
    item = Item.objects.filter(section__version__instrument=health_check()).first()
    with pytest.raises(PermissionDenied):
        services.item_update(actor=world.manager, item=item, data={"statement": "x"})


def test_the_joint_action_plan_waits_for_both_sides_and_takes_people_of_the_partnership(world):
    assessment_round = RoundFactory(partnership=world.partnership)
    with pytest.raises(ValidationError):
        services.action_create(
            actor=world.coordinator, assessment_round=assessment_round, title="Meet monthly"
        )
    answer_all(world.coordinator, assessment_round, 4)
    services.side_submit(actor=world.coordinator, assessment_round=assessment_round)
    answer_all(world.resource_coordinator, assessment_round, 2)
    services.side_submit(actor=world.resource_coordinator, assessment_round=assessment_round)
    with pytest.raises(ValidationError):
        services.action_create(
            actor=world.coordinator, assessment_round=assessment_round, title="x", owner=world.outsider
        )
    action = services.action_create(
        actor=world.coordinator,
        assessment_round=assessment_round,
        title="Meet monthly",
        owner=world.resource_coordinator,
        due_date=DUE,
    )
    with pytest.raises(PermissionDenied):
        services.action_update(actor=world.partnership_viewer, action=action, data={"status": "done"})
    services.action_update(actor=world.member, action=action, data={"status": "done"})
    action.refresh_from_db()
    assert action.status == "done"


def test_a_sheet_read_before_another_save_is_a_conflict(world):
    assessment_round = RoundFactory(partnership=world.partnership)
    first = answer_all(world.member, assessment_round, 4, submit=False)
    item = items_of(assessment_round)[0]
    with pytest.raises(VersionConflict):
        services.answers_save(
            actor=world.member,
            assessment_round=assessment_round,
            answers={item.pk: AnswerInput(value=1)},
            expected_version=0,
        )
    saved = services.answers_save(
        actor=world.member,
        assessment_round=assessment_round,
        answers={item.pk: AnswerInput(value=1)},
        expected_version=first.version,
    )
    assert saved.version == first.version + 1
    with pytest.raises(VersionConflict):
        services.answers_save(
            actor=world.member,
            assessment_round=assessment_round,
            answers={item.pk: AnswerInput(value=2)},
            expected_version=first.version,
        )
    assert saved.answers.get(item=item).value == 1


def test_a_blank_sheet_is_not_handed_in_and_a_side_of_blank_sheets_is_not_submitted(world):
    assessment_round = RoundFactory(partnership=world.partnership)
    with pytest.raises(ValidationError, match="Answer at least one statement"):
        answer_all(world.coordinator, assessment_round, None)
    assert not assessment_round.responses.filter(submitted_at__isnull=False).exists()
    sheet(assessment_round, world.member, "host", {})
    with pytest.raises(ValidationError, match="all blank"):
        services.side_submit(actor=world.coordinator, assessment_round=assessment_round)
    assessment_round.refresh_from_db()
    assert assessment_round.host_submitted_at is None
