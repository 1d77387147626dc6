"""Writes for exchanges, their participants and trainees, and mentoring.

Each service checks access first, validates everything, then saves and audits in one transaction.
"""

import datetime
import uuid as uuid_module
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from twinning.accounts.access import require_data_entry
from twinning.accounts.models import User
from twinning.core.choices import Side
from twinning.core.services import (
    create_with_audit,
    delete_with_audit,
    lock_current,
    refuse_unknown_fields,
    sent_before,
    update_with_audit,
)
from twinning.directory.models import Person
from twinning.exchanges.models import (
    Exchange,
    MentoringPair,
    MentoringSession,
    Participant,
    Sex,
    TraineeGroup,
    inclusive_days,
)
from twinning.partnerships.models import Partnership, PartnershipInstitution
from twinning.planning.models import Activity, Objective

EXCHANGE_FIELDS = (
    "title",
    "type",
    "direction",
    "status",
    "start_date",
    "end_date",
    "place",
    "country",
    "purpose",
    "objectives",
    "activities",
    "trip_report",
    "report_file",
    "outcomes",
    "host_learned",
    "resource_learned",
)
# The person and side of a participant stay: to change them, remove the participant and add another.
PARTICIPANT_FIELDS = ("role", "sex", "setting")
PAIR_FIELDS = ("goals", "status", "start_date", "end_date")
SESSION_FIELDS = ("date", "mode", "duration_minutes", "notes")


def _id_kwargs(uuid: uuid_module.UUID | None) -> dict[str, Any]:
    # A client (offline, an import) may name the record itself; otherwise the model's default applies.
    return {"uuid": uuid} if uuid else {}


def _check_plan_links(
    partnership: Partnership, objectives: Iterable[Objective], activities: Iterable[Activity]
) -> dict[str, list[str]]:
    """Objectives and activities an exchange serves must be in a plan of the same partnership."""
    errors: dict[str, list[str]] = {}
    # Compared through the ids already on the rows' plans, so no query per object.
    objective_plans = {o.pk: o.plan_id for o in objectives}
    activity_objectives = {a.pk: a.objective_id for a in activities}
    if objective_plans or activity_objectives:
        own_plans = set(partnership.plans.values_list("pk", flat=True))
        if any(plan_id not in own_plans for plan_id in objective_plans.values()):
            errors["objectives"] = [_("Choose objectives from this partnership's plans.")]
        if activity_objectives:
            own_objectives = set(Objective.objects.filter(plan_id__in=own_plans).values_list("pk", flat=True))
            if any(o not in own_objectives for o in activity_objectives.values()):
                errors["activities"] = [_("Choose activities from this partnership's plans.")]
    return errors


# --- exchanges -----------------------------------------------------------------------------------


@transaction.atomic
def exchange_create(
    *,
    actor: User,
    partnership: Partnership,
    title: str,
    type: str,
    direction: str,
    start_date: datetime.date,
    end_date: datetime.date,
    status: str = Exchange.Status.PLANNED,
    place: str = "",
    country: str = "",
    purpose: str = "",
    objectives: Iterable[Objective] = (),
    activities: Iterable[Activity] = (),
    trip_report: str = "",
    report_file: File | None = None,
    outcomes: str = "",
    host_learned: str = "",
    resource_learned: str = "",
    uuid: uuid_module.UUID | None = None,
) -> Exchange:
    """Record an exchange; its length in days (both ends counted) is derived from the dates. A `uuid` already
    used for this partnership's exchange returns it unchanged (an offline client's create sent again); one naming
    another record raises ClientIdTaken.

    Raises: Http404, PermissionDenied, ValidationError.
    """
    require_data_entry(actor, partnership)
    # An offline client sends its create again when the first answer was lost: it was written once.
    objectives, activities = list(objectives), list(activities)
    sent_fields = {
        "title": title,
        "type": type,
        "direction": direction,
        "start_date": start_date,
        "end_date": end_date,
        "place": place,
        "country": country,
        "purpose": purpose,
        "objectives": objectives,
        "activities": activities,
    }
    if (sent := sent_before(Exchange, uuid=uuid, partnership=partnership, fields=sent_fields)) is not None:
        return sent
    exchange = Exchange(
        **_id_kwargs(uuid),
        partnership=partnership,
        title=title,
        type=type,
        direction=direction,
        status=status,
        start_date=start_date,
        end_date=end_date,
        place=place,
        country=country,
        purpose=purpose,
        trip_report=trip_report,
        outcomes=outcomes,
        host_learned=host_learned,
        resource_learned=resource_learned,
    )
    if report_file is not None:
        exchange.report_file = report_file  # type: ignore[assignment]
    if start_date and end_date and end_date >= start_date:
        exchange.days = inclusive_days(start_date, end_date)
    errors = _check_plan_links(partnership, objectives, activities)
    try:
        exchange.full_clean()
    except ValidationError as exc:
        errors = {**exc.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    links = {"objectives": objectives, "activities": activities}
    return create_with_audit(actor=actor, obj=exchange, m2m=links, parent=partnership)


@transaction.atomic
def exchange_update(
    *, actor: User, exchange: Exchange, data: dict[str, Any], expected_version: int | None = None
) -> Exchange:
    """Change the fields given in `data`; the days follow the dates.

    Raises: Http404, PermissionDenied, ValidationError, VersionConflict, TypeError.
    """
    require_data_entry(actor, exchange.partnership)
    refuse_unknown_fields(data, EXCHANGE_FIELDS, "exchange")
    data = dict(data)
    # The days follow the dates as they are now, which may include a date someone else saved meanwhile.
    current = lock_current(exchange, expected_version)
    start = data.get("start_date", current.start_date)
    end = data.get("end_date", current.end_date)
    if start and end and end >= start and inclusive_days(start, end) != current.days:
        data["days"] = inclusive_days(start, end)
    errors = _check_plan_links(exchange.partnership, data.get("objectives", ()), data.get("activities", ()))
    if errors:
        raise ValidationError(errors)
    return update_with_audit(
        actor=actor,
        obj=exchange,
        data=data,
        expected_version=expected_version,
        parent=exchange.partnership,
    )


@transaction.atomic
def exchange_delete(*, actor: User, exchange: Exchange) -> None:
    """Delete an exchange with its participants and trainee counts (an exchange recorded by mistake).

    Raises: Http404, PermissionDenied, ValidationError.
    """
    require_data_entry(actor, exchange.partnership)
    try:
        delete_with_audit(actor=actor, obj=exchange, parent=exchange.partnership)
    except ProtectedError:
        # Time entries in the contributions ledger may point here; they must not lose what they served.
        raise ValidationError(
            _("Other records (such as volunteer time) refer to this exchange; change them first.")
        ) from None


# --- participants --------------------------------------------------------------------------------


def person_sides(partnership: Partnership) -> dict[int, str]:
    """Institution id -> side, for the institutions of a partnership.

    Raises: nothing.
    """
    return dict(
        PartnershipInstitution.objects.filter(partnership=partnership).values_list("institution_id", "side")
    )


def _side_of(partnership: Partnership, person: Person, side: str | None, field: str = "person") -> str:
    institution_side = person_sides(partnership).get(person.institution_id)
    if institution_side is None:
        raise ValidationError(
            {field: [_("%(name)s does not work at an institution of this partnership.") % {"name": person}]}
        )
    if side and side != institution_side:
        raise ValidationError(
            {
                "side": [
                    _("%(name)s works on the %(side)s side.")
                    % {"name": person, "side": Side(institution_side).label}
                ]
            }
        )
    return institution_side


def _known_sex(person: Person, exclude_pk: int | None = None) -> str | None:
    rows = Participant.objects.filter(person=person).exclude(sex=Sex.UNKNOWN)
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    return rows.values_list("sex", flat=True).first()


def _settle_sex(person: Person, sex: str, exclude_pk: int | None = None) -> str:
    """The sex to store on this row: exactly what the person entering it chose.

    "Not recorded" stays not recorded: it is never filled in from another exchange, and a value recorded here
    never rewrites another row's "not recorded" (a choice nobody made is never stored; the summary counts a
    person once, under the sex any of their rows records). A value contradicting another row's is refused.
    """
    if sex == Sex.UNKNOWN:
        return sex
    known = _known_sex(person, exclude_pk)
    if known and known != sex:
        raise ValidationError(
            {
                "sex": [
                    _("%(name)s is recorded as %(sex)s in another exchange.")
                    % {"name": person, "sex": Sex(known).label.lower()}
                ]
            }
        )
    return sex


@transaction.atomic
def participant_add(
    *,
    actor: User,
    exchange: Exchange,
    person: Person,
    role: str,
    side: str | None = None,
    sex: str = Sex.UNKNOWN,
    setting: str = "",
    uuid: uuid_module.UUID | None = None,
) -> Participant:
    """Add a named person to an exchange; their side comes from their institution.

    Raises: Http404, PermissionDenied, ValidationError.
    """
    require_data_entry(actor, exchange.partnership)
    side = _side_of(exchange.partnership, person, side)
    if Participant.objects.filter(exchange=exchange, person=person).exists():
        raise ValidationError({"person": [_("%(name)s is already in this exchange.") % {"name": person}]})
    participant = Participant(
        **_id_kwargs(uuid), exchange=exchange, person=person, role=role, side=side, sex=sex, setting=setting
    )
    participant.full_clean()
    participant.sex = _settle_sex(person, sex)
    return create_with_audit(actor=actor, obj=participant, parent=exchange)


@transaction.atomic
def participant_update(
    *, actor: User, participant: Participant, data: dict[str, Any], expected_version: int | None = None
) -> Participant:
    """Change a participant's role, sex or setting (the person and side stay: remove and add instead).

    Raises: Http404, PermissionDenied, ValidationError, VersionConflict, TypeError.
    """
    exchange = participant.exchange
    require_data_entry(actor, exchange.partnership)
    refuse_unknown_fields(data, PARTICIPANT_FIELDS, "participant")
    data = dict(data)
    if "sex" in data:
        data["sex"] = _settle_sex(participant.person, data["sex"], exclude_pk=participant.pk)
    return update_with_audit(
        actor=actor, obj=participant, data=data, expected_version=expected_version, parent=exchange
    )


@transaction.atomic
def participant_remove(*, actor: User, participant: Participant) -> None:
    """Take a participant off an exchange.

    Raises: Http404, PermissionDenied.
    """
    require_data_entry(actor, participant.exchange.partnership)
    delete_with_audit(actor=actor, obj=participant, parent=participant.exchange)


@transaction.atomic
def trainee_group_add(
    *,
    actor: User,
    exchange: Exchange,
    sex: str,
    cadre: str,
    count: int,
    setting: str = "",
    uuid: uuid_module.UUID | None = None,
) -> TraineeGroup:
    """Record people trained without naming them; a second count for the same breakdown adds to it.

    Raises: Http404, PermissionDenied, ValidationError.
    """
    require_data_entry(actor, exchange.partnership)
    existing = (
        TraineeGroup.objects.select_for_update()
        .filter(exchange=exchange, sex=sex, cadre=cadre, setting=setting)
        .first()
    )
    if existing is not None:
        return update_with_audit(
            actor=actor, obj=existing, data={"count": existing.count + count}, parent=exchange
        )
    group = TraineeGroup(
        **_id_kwargs(uuid), exchange=exchange, sex=sex, cadre=cadre, setting=setting, count=count
    )
    return create_with_audit(actor=actor, obj=group, parent=exchange)


@transaction.atomic
def trainee_group_remove(*, actor: User, group: TraineeGroup) -> None:
    """Take a group of unnamed trainees off an exchange.

    Raises: Http404, PermissionDenied.
    """
    require_data_entry(actor, group.exchange.partnership)
    delete_with_audit(actor=actor, obj=group, parent=group.exchange)


# --- mentoring -----------------------------------------------------------------------------------


@transaction.atomic
def mentoring_pair_create(
    *,
    actor: User,
    partnership: Partnership,
    mentor: Person,
    mentee: Person,
    goals: str = "",
    status: str = MentoringPair.Status.PROPOSED,
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    uuid: uuid_module.UUID | None = None,
) -> MentoringPair:
    """Pair a mentor with a mentee on the other side of the partnership (either way round).

    Raises: Http404, PermissionDenied, ValidationError.
    """
    require_data_entry(actor, partnership)
    errors: dict[str, list[str]] = {}
    sides: dict[str, str] = {}
    for field, person in (("mentor", mentor), ("mentee", mentee)):
        try:
            sides[field] = _side_of(partnership, person, None, field=field)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if not errors and sides["mentor"] == sides["mentee"]:
        errors["mentee"] = [_("The mentee must work on the other side of the partnership from the mentor.")]
    if (
        not errors
        and MentoringPair.objects.filter(partnership=partnership, mentor=mentor, mentee=mentee).exists()
    ):
        errors["mentee"] = [_("This pair already exists.")]
    pair = MentoringPair(
        **_id_kwargs(uuid),
        partnership=partnership,
        mentor=mentor,
        mentee=mentee,
        mentor_side=sides.get("mentor", ""),
        goals=goals,
        status=status,
        start_date=start_date,
        end_date=end_date,
    )
    try:
        pair.full_clean()
    except ValidationError as exc:
        errors = {**exc.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    return create_with_audit(actor=actor, obj=pair, parent=partnership)


@transaction.atomic
def mentoring_pair_update(
    *, actor: User, pair: MentoringPair, data: dict[str, Any], expected_version: int | None = None
) -> MentoringPair:
    """Change a mentoring pair's editable fields (PAIR_FIELDS).

    Raises: Http404, PermissionDenied, ValidationError, VersionConflict, TypeError.
    """
    require_data_entry(actor, pair.partnership)
    refuse_unknown_fields(data, PAIR_FIELDS, "mentoring pair")
    return update_with_audit(
        actor=actor, obj=pair, data=data, expected_version=expected_version, parent=pair.partnership
    )


@transaction.atomic
def mentoring_session_add(
    *,
    actor: User,
    pair: MentoringPair,
    date: datetime.date,
    mode: str,
    duration_minutes: int,
    notes: str = "",
    uuid: uuid_module.UUID | None = None,
) -> MentoringSession:
    """Log a mentoring session (date, mode, minutes) for a pair; not before the pair started.

    Raises: Http404, PermissionDenied, ValidationError.
    """
    require_data_entry(actor, pair.partnership)
    session = MentoringSession(
        **_id_kwargs(uuid), pair=pair, date=date, mode=mode, duration_minutes=duration_minutes, notes=notes
    )
    if pair.start_date and date and date < pair.start_date:
        raise ValidationError({"date": [_("The session is before the pairing started.")]})
    return create_with_audit(actor=actor, obj=session, parent=pair)


@transaction.atomic
def mentoring_session_remove(*, actor: User, session: MentoringSession) -> None:
    """Delete a logged mentoring session.

    Raises: Http404, PermissionDenied.
    """
    require_data_entry(actor, session.pair.partnership)
    delete_with_audit(actor=actor, obj=session, parent=session.pair)
