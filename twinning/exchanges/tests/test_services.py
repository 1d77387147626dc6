import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from twinning.audit.models import AuditEvent
from twinning.core.choices import Side
from twinning.core.services import VersionConflict
from twinning.exchanges import services
from twinning.exchanges.models import Exchange, MentoringPair, Participant, TraineeGroup
from twinning.exchanges.tests.factories import ExchangeFactory, MentoringPairFactory, side_person
from twinning.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db

MARCH_3 = datetime.date(2025, 3, 3)


def create(world, actor=None, **kwargs):
    data = {
        "title": "Theatre nursing visit",
        "type": Exchange.Type.SITE_VISIT,
        "direction": Exchange.Direction.RESOURCE_TO_HOST,
        "start_date": MARCH_3,
        "end_date": datetime.date(2025, 3, 7),
        **kwargs,
    }
    return services.exchange_create(actor=actor or world.member, partnership=world.partnership, **data)


def test_member_logs_an_exchange_and_its_days_count_both_ends(world):
    exchange = create(world)
    assert exchange.days == 5
    assert AuditEvent.objects.for_object(exchange).filter(action="create").exists()


def test_a_one_day_exchange_lasts_one_day(world):
    assert create(world, end_date=MARCH_3).days == 1


def test_client_may_name_the_exchange(world):
    wanted = uuid.uuid4()
    assert create(world, uuid=wanted).uuid == wanted


@pytest.mark.parametrize("role", ["partnership_viewer", "finance", "programme_viewer"])
def test_read_only_users_cannot_log_exchanges(world, role):
    with pytest.raises(PermissionDenied):
        create(world, actor=getattr(world, role))
    assert not Exchange.objects.exists()


def test_outsider_does_not_see_the_partnership(world):
    with pytest.raises(Http404):
        create(world, actor=world.outsider)


def test_end_before_start_is_refused_with_a_message(world):
    with pytest.raises(ValidationError) as exc:
        create(world, end_date=datetime.date(2025, 3, 1))
    assert "end_date" in exc.value.message_dict
    assert not Exchange.objects.exists()


def test_report_file_of_the_wrong_type_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        create(world, report_file=SimpleUploadedFile("run.exe", b"MZ"))
    assert "report_file" in exc.value.message_dict


def test_report_file_over_the_size_limit_is_refused(world, settings):
    settings.MAX_UPLOAD_BYTES = 10
    with pytest.raises(ValidationError) as exc:
        create(world, report_file=SimpleUploadedFile("report.pdf", b"%PDF-1.4 " + b"x" * 100))
    assert "report_file" in exc.value.message_dict


def test_changing_dates_recomputes_days(world):
    exchange = create(world)
    services.exchange_update(
        actor=world.coordinator,
        exchange=exchange,
        data={"end_date": datetime.date(2025, 3, 12)},
        expected_version=exchange.version,
    )
    exchange.refresh_from_db()
    assert exchange.days == 10
    assert exchange.version == 2


def test_stale_edit_is_a_conflict(world):
    exchange = create(world)
    services.exchange_update(
        actor=world.member, exchange=exchange, data={"place": "Gulu"}, expected_version=1
    )
    with pytest.raises(VersionConflict):
        services.exchange_update(
            actor=world.member, exchange=exchange, data={"place": "Mbale"}, expected_version=1
        )


def test_objectives_of_another_partnership_are_refused(world):
    from twinning.planning.tests.factories import draft_plan, pillars

    pillars(world.other_partnership.programme)
    other_plan = draft_plan(world.other_coordinator, world.other_partnership)
    from twinning.planning.models import Objective

    objective = Objective.objects.create(
        plan=other_plan, code="1", statement="x", pillar=world.other_partnership.programme.pillars.first()
    )
    with pytest.raises(ValidationError) as exc:
        create(world, objectives=[objective])
    assert "objectives" in exc.value.message_dict
    assert not Exchange.objects.exists()


def test_objectives_of_the_partnership_are_linked(world):
    from twinning.planning.models import Activity, Objective
    from twinning.planning.tests.factories import draft_plan, pillars

    pillars(world.programme)
    plan = draft_plan(world.manager, world.partnership)
    objective = Objective.objects.create(
        plan=plan, code="1", statement="x", pillar=world.programme.pillars.first()
    )
    activity = Activity.objects.create(objective=objective, title="Train", responsible_side=Side.HOST)
    exchange = create(world, objectives=[objective], activities=[activity])
    assert list(exchange.objectives.all()) == [objective]
    assert list(exchange.activities.all()) == [activity]


# --- participants --------------------------------------------------------------------------------


def test_participant_side_comes_from_their_institution(world):
    exchange = create(world)
    person = side_person(world.partnership, Side.RESOURCE)
    participant = services.participant_add(
        actor=world.member, exchange=exchange, person=person, role=Participant.Role.TRAVELLER
    )
    assert participant.side == Side.RESOURCE


def test_participant_on_the_wrong_side_is_refused(world):
    exchange = create(world)
    person = side_person(world.partnership, Side.RESOURCE)
    with pytest.raises(ValidationError) as exc:
        services.participant_add(
            actor=world.member, exchange=exchange, person=person, role="traveller", side=Side.HOST
        )
    assert "side" in exc.value.message_dict


def test_person_outside_the_partnership_is_refused(world):
    exchange = create(world)
    with pytest.raises(ValidationError) as exc:
        services.participant_add(
            actor=world.member, exchange=exchange, person=PersonFactory(), role="traveller"
        )
    assert "person" in exc.value.message_dict
    assert not Participant.objects.exists()


def test_person_is_added_once_per_exchange(world):
    exchange = create(world)
    person = side_person(world.partnership, Side.HOST)
    services.participant_add(actor=world.member, exchange=exchange, person=person, role="host")
    with pytest.raises(ValidationError, match="already"):
        services.participant_add(actor=world.member, exchange=exchange, person=person, role="trainee")


def test_not_recorded_sex_stays_unset_and_the_person_counts_once(world):
    """A traveller whose sex was "not recorded" keeps that row unset when another exchange records it, is never
    saved as anything else, and is counted once, under the sex recorded."""
    from twinning.exchanges.selectors import exchange_summary

    person = side_person(world.partnership, Side.HOST)
    done = {"status": Exchange.Status.COMPLETED}
    first, second, third = (create(world, title=t, **done) for t in ("First", "Second", "Third"))
    services.participant_add(actor=world.member, exchange=first, person=person, role="trainee")
    services.participant_add(actor=world.member, exchange=second, person=person, role="trainee", sex="female")
    services.participant_add(actor=world.member, exchange=third, person=person, role="trainee")
    assert sorted(Participant.objects.filter(person=person).values_list("exchange__title", "sex")) == sorted(
        [("First", "unknown"), ("Second", "female"), ("Third", "unknown")]
    )
    summary = exchange_summary(partnership=world.partnership)
    assert summary.trained_by_sex == {"female": 1}


def test_contradicting_sex_is_refused(world):
    person = side_person(world.partnership, Side.HOST)
    first, second = create(world), create(world, title="Second")
    services.participant_add(actor=world.member, exchange=first, person=person, role="trainee", sex="male")
    with pytest.raises(ValidationError) as exc:
        services.participant_add(
            actor=world.member, exchange=second, person=person, role="trainee", sex="female"
        )
    assert "sex" in exc.value.message_dict


def test_unnamed_trainees_for_the_same_breakdown_add_up(world):
    exchange = create(world, type=Exchange.Type.TRAINING)
    for n in (12, 3):
        services.trainee_group_add(
            actor=world.member, exchange=exchange, sex="female", cadre="nurse", count=n
        )
    assert TraineeGroup.objects.get().count == 15


def test_zero_trainees_is_refused(world):
    exchange = create(world, type=Exchange.Type.TRAINING)
    with pytest.raises(ValidationError):
        services.trainee_group_add(
            actor=world.member, exchange=exchange, sex="female", cadre="nurse", count=0
        )


def test_viewer_cannot_add_participants(world):
    exchange = create(world)
    with pytest.raises(PermissionDenied):
        services.participant_add(
            actor=world.partnership_viewer,
            exchange=exchange,
            person=side_person(world.partnership),
            role="host",
        )


def test_deleting_an_exchange_removes_its_participants(world):
    exchange = create(world)
    services.participant_add(
        actor=world.member, exchange=exchange, person=side_person(world.partnership), role="host"
    )
    services.exchange_delete(actor=world.coordinator, exchange=exchange)
    assert not Exchange.objects.exists() and not Participant.objects.exists()


# --- mentoring -----------------------------------------------------------------------------------


@pytest.mark.parametrize("mentor_side", [Side.RESOURCE, Side.HOST])
def test_pairs_cross_the_partnership_in_either_direction(world, mentor_side):
    mentee_side = Side.HOST if mentor_side == Side.RESOURCE else Side.RESOURCE
    pair = services.mentoring_pair_create(
        actor=world.member,
        partnership=world.partnership,
        mentor=side_person(world.partnership, mentor_side),
        mentee=side_person(world.partnership, mentee_side),
        goals="Run a morbidity and mortality review",
    )
    assert pair.mentor_side == mentor_side
    assert pair.mentee_side == mentee_side


def test_pair_on_one_side_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        services.mentoring_pair_create(
            actor=world.member,
            partnership=world.partnership,
            mentor=side_person(world.partnership, Side.HOST),
            mentee=side_person(world.partnership, Side.HOST),
        )
    assert "mentee" in exc.value.message_dict
    assert not MentoringPair.objects.exists()


def test_session_log_and_status(world):
    pair = MentoringPairFactory(partnership=world.partnership)
    session = services.mentoring_session_add(
        actor=world.member, pair=pair, date=datetime.date(2025, 2, 3), mode="remote", duration_minutes=45
    )
    assert session.pair == pair
    services.mentoring_pair_update(
        actor=world.coordinator, pair=pair, data={"status": "completed"}, expected_version=1
    )
    pair.refresh_from_db()
    assert pair.status == "completed"


def test_session_of_zero_minutes_is_refused(world):
    pair = MentoringPairFactory(partnership=world.partnership)
    with pytest.raises(ValidationError) as exc:
        services.mentoring_session_add(
            actor=world.member, pair=pair, date=datetime.date(2025, 2, 3), mode="remote", duration_minutes=0
        )
    assert "duration_minutes" in exc.value.message_dict


def test_finance_officer_cannot_log_sessions(world):
    pair = MentoringPairFactory(partnership=world.partnership)
    with pytest.raises(PermissionDenied):
        services.mentoring_session_add(
            actor=world.finance, pair=pair, date=datetime.date(2025, 2, 3), mode="remote", duration_minutes=30
        )


def test_exchange_factory_is_valid(world):
    ExchangeFactory(partnership=world.partnership).full_clean()


def test_a_person_and_a_participant_keep_unset_choices_unset(world):
    """Issue 9: no cadre and no setting are filled in for the user (they were "other" and "in-service")."""
    person = PersonFactory.create()
    assert person.cadre == ""
    exchange = create(world)
    added = services.participant_add(
        actor=world.member,
        exchange=exchange,
        person=side_person(world.partnership, Side.HOST),
        role="traveller",
    )
    group = services.trainee_group_add(
        actor=world.member, exchange=exchange, sex="male", cadre="nurse", count=2
    )
    assert (added.setting, group.setting) == ("", "")
