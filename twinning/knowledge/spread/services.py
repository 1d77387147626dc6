"""Writes for dissemination records and the replication register.

Each service checks access first (`twinning.accounts.access`), validates everything, then saves and audits in
one transaction, as every service does.
"""

import datetime
import uuid as uuid_module
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.http import Http404
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from twinning.accounts.access import can_record_adoptions, require, require_record_write
from twinning.accounts.models import User
from twinning.core.dates import EARLIEST_RECORD_DATE, check_date_between, latest_today
from twinning.core.services import (
    create_with_audit,
    delete_with_audit,
    lock_current,
    refuse_unknown_fields,
    update_with_audit,
)
from twinning.directory.models import Institution
from twinning.knowledge.models import (
    LEVEL_RANKS,
    Adoption,
    AdoptionLevel,
    DisseminationRecord,
    Level,
    Practice,
    normalise_doi,
)
from twinning.partnerships.models import Partnership, Programme
from twinning.partnerships.selectors import programme_zones

DISSEMINATION_FIELDS = (
    "kind",
    "title",
    "date",
    "audience",
    "venue",
    "doi",
    "people_reached",
    "facilities_reached",
    "evidence_file",
    "evidence_url",
    "notes",
    "partnerships",
    "practices",
)
# The site of an adoption stays: to change it, delete the adoption and record the right one.
ADOPTION_FIELDS = ("led_by", "led_by_other", "evidence_file", "evidence_url", "notes")


def _id_kwargs(uuid: uuid_module.UUID | None) -> dict[str, Any]:
    # A client (offline, an import) may name the record itself; otherwise the model's default applies.
    return {"uuid": uuid} if uuid else {}


def _check_links(
    actor: User, programme: Programme, partnerships: Iterable[Partnership], practices: Iterable[Practice]
) -> dict[str, list[str]]:
    """Partnerships involved must be of the record's programme; practices of it and visible to the actor."""
    errors: dict[str, list[str]] = {}
    if any(p.programme_id != programme.pk for p in partnerships):
        errors["partnerships"] = [_("Choose partnerships of this programme.")]
    wanted = {p.pk for p in practices}
    if wanted:
        seen = Practice.objects.visible_to(actor).filter(pk__in=wanted, programme=programme)
        if len(set(seen.values_list("pk", flat=True))) != len(wanted):
            errors["practices"] = [_("Choose practices of this programme.")]
    return errors


def _check_date(programme: Programme, date: Any) -> dict[str, list[str]]:
    """A dissemination record says what happened (presented, published, people reached): its date is not in
    the future anywhere the programme's host institutions are, nor before core.dates.EARLIEST_RECORD_DATE (a year
    1 or 1066 typed by mistake)."""
    if not isinstance(date, datetime.date):
        return {}
    today = latest_today(programme_zones(programme))
    if date > today:
        return {
            "date": [
                _(
                    "A dissemination record is of something that already happened: its date cannot be in the "
                    "future. Record it once it has taken place."
                )
            ]
        }
    return check_date_between(date, first=EARLIEST_RECORD_DATE, last=today, field="date")


# --- dissemination --------------------------------------------------------------------------------


@transaction.atomic
def dissemination_create(
    *,
    actor: User,
    programme: Programme,
    partnership: Partnership | None,
    kind: str,
    title: str,
    date: datetime.date,
    audience: str,
    venue: str = "",
    doi: str = "",
    people_reached: int | None = None,
    facilities_reached: int | None = None,
    evidence_file: File | None = None,
    evidence_url: str = "",
    notes: str = "",
    partnerships: Iterable[Partnership] = (),
    practices: Iterable[Practice] = (),
    uuid: uuid_module.UUID | None = None,
) -> DisseminationRecord:
    """Record an act of dissemination for a partnership (or, with `partnership` None, for the programme as a
    whole). `people_reached` and `facilities_reached` are head counts (None: not known); a journal article
    needs a DOI (checked, stored without its resolver prefix) or a link.

    Raises: Http404, PermissionDenied, ValidationError.
    """
    require_record_write(actor, programme_id=programme.pk, partnership=partnership)
    partnerships, practices = list(partnerships), list(practices)
    if partnership is not None:
        partnerships = [p for p in partnerships if p.pk != partnership.pk]
    record = DisseminationRecord(
        **_id_kwargs(uuid),
        programme=programme,
        partnership=partnership,
        kind=kind,
        title=title,
        date=date,
        audience=audience,
        venue=venue,
        doi=normalise_doi(doi),
        people_reached=people_reached,
        facilities_reached=facilities_reached,
        evidence_url=evidence_url,
        notes=notes,
    )
    if evidence_file is not None:
        record.evidence_file = evidence_file  # type: ignore[assignment]
    errors = {**_check_date(programme, date), **_check_links(actor, programme, partnerships, practices)}
    try:
        record.full_clean()
    except ValidationError as exc:
        errors = {**exc.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    links = {"partnerships": partnerships, "practices": practices}
    return create_with_audit(actor=actor, obj=record, m2m=links, parent=partnership or programme)


@transaction.atomic
def dissemination_update(
    *,
    actor: User,
    record: DisseminationRecord,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> DisseminationRecord:
    """Change the fields given in `data` (DISSEMINATION_FIELDS; `evidence_file` "" clears the file).

    Raises: Http404, PermissionDenied, ValidationError, VersionConflict, TypeError.
    """
    require_record_write(actor, programme_id=record.programme_id, partnership=record.partnership)
    refuse_unknown_fields(data, DISSEMINATION_FIELDS, "dissemination record")
    data = dict(data)
    if "doi" in data:
        data["doi"] = normalise_doi(data["doi"])
    if "partnerships" in data and record.partnership_id:
        data["partnerships"] = [p for p in data["partnerships"] if p.pk != record.partnership_id]
    errors = {
        **_check_date(record.programme, data.get("date")),
        **_check_links(actor, record.programme, data.get("partnerships", ()), data.get("practices", ())),
    }
    if errors:
        raise ValidationError(errors)
    return update_with_audit(
        actor=actor,
        obj=record,
        data=data,
        expected_version=expected_version,
        parent=record.partnership or record.programme,
    )


@transaction.atomic
def dissemination_delete(*, actor: User, record: DisseminationRecord) -> None:
    """Delete a dissemination record (one recorded by mistake).

    Raises: Http404, PermissionDenied.
    """
    require_record_write(actor, programme_id=record.programme_id, partnership=record.partnership)
    delete_with_audit(actor=actor, obj=record, parent=record.partnership or record.programme)


# --- adoptions ------------------------------------------------------------------------------------


def _require_adoption_write(actor: User, practice: Practice) -> None:
    """404 when the actor does not see the practice, 403 when they may not record its adoptions."""
    # The register is the programme's record: a public practice of another programme is not the actor's to add to.
    visible = Practice.objects.visible_to(actor).filter(programme__in=Programme.objects.visible_to(actor))
    if not visible.filter(pk=practice.pk).exists():
        raise Http404
    partnership_ids = set(practice.partnerships.values_list("pk", flat=True))
    require(can_record_adoptions(actor, programme_id=practice.programme_id, partnership_ids=partnership_ids))


def _check_level(
    adoption: Adoption, level: str, reached_on: datetime.date | None, others: Iterable[AdoptionLevel]
) -> dict[str, list[str]]:
    """A level is reached once, not in the future nor before core.dates.EARLIEST_RECORD_DATE, and in order: a
    higher level is not dated before a lower one already recorded, nor a lower one after a higher one. National
    policy is reached by a whole country."""
    errors: dict[str, list[str]] = {}
    rank = LEVEL_RANKS.get(level)
    if rank is None:
        return errors  # the model's choices say so
    if level == Level.NATIONAL and adoption.site_kind != Adoption.SiteKind.COUNTRY:
        errors["level"] = [
            _("National policy is adopted by a whole country: record the country as the site.")
        ]
    if reached_on and reached_on > timezone.localdate():
        errors["reached_on"] = [
            _("A level is recorded once it is reached: the date cannot be in the future.")
        ]
    else:
        errors.update(
            check_date_between(
                reached_on, first=EARLIEST_RECORD_DATE, last=timezone.localdate(), field="reached_on"
            )
        )
    for other in others:
        if other.level == level:
            errors["level"] = [
                _(
                    "%(level)s is already recorded for this site (reached on %(date)s). Each level is recorded "
                    "once: to correct its date, remove it and record it again."
                )
                % {"level": other.get_level_display(), "date": formats.date_format(other.reached_on)}
            ]
        elif reached_on and (
            (other.rank < rank and other.reached_on > reached_on)
            or (other.rank > rank and other.reached_on < reached_on)
        ):
            errors["reached_on"] = [
                _("Levels are reached in order: %(level)s was reached on %(date)s.")
                % {"level": other.get_level_display(), "date": other.reached_on.isoformat()}
            ]
    return errors


@transaction.atomic
def adoption_create(
    *,
    actor: User,
    practice: Practice,
    site_kind: str,
    country: str = "",
    institution: Institution | None = None,
    area: str = "",
    led_by: str,
    led_by_other: str = "",
    level: str,
    reached_on: datetime.date,
    level_note: str = "",
    evidence_file: File | None = None,
    evidence_url: str = "",
    notes: str = "",
    uuid: uuid_module.UUID | None = None,
) -> Adoption:
    """Register a site that takes up `practice`, with the first level it reached and when. An institution's
    country is its own (`country` is then ignored); a district, region or country names its country.

    Raises: Http404, PermissionDenied, ValidationError.
    """
    _require_adoption_write(actor, practice)
    if institution is not None and site_kind == Adoption.SiteKind.INSTITUTION:
        country = institution.country
    adoption = Adoption(
        **_id_kwargs(uuid),
        practice=practice,
        site_kind=site_kind,
        institution=institution if site_kind == Adoption.SiteKind.INSTITUTION else None,
        area=" ".join((area or "").split()),
        country=(country or "").upper(),
        led_by=led_by,
        led_by_other=(led_by_other or "").strip() if led_by == Adoption.LedBy.OTHER else "",
        evidence_url=evidence_url,
        notes=notes,
    )
    if evidence_file is not None:
        adoption.evidence_file = evidence_file  # type: ignore[assignment]
    first = AdoptionLevel(
        adoption=adoption, level=level, rank=LEVEL_RANKS.get(level, 1), reached_on=reached_on, note=level_note
    )
    errors: dict[str, list[str]] = {}
    try:
        adoption.full_clean()
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        first.full_clean(exclude=["adoption"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    errors.update(_check_level(adoption, level, reached_on, ()))
    if errors:
        raise ValidationError(errors)
    create_with_audit(actor=actor, obj=adoption, parent=practice)
    first.adoption = adoption
    create_with_audit(actor=actor, obj=first, parent=adoption)
    return adoption


@transaction.atomic
def adoption_update(
    *, actor: User, adoption: Adoption, data: dict[str, Any], expected_version: int | None = None
) -> Adoption:
    """Change who led it, its evidence or notes (ADOPTION_FIELDS); levels are recorded one by one
    (`adoption_level_record`).

    Raises: Http404, PermissionDenied, ValidationError, VersionConflict, TypeError.
    """
    _require_adoption_write(actor, adoption.practice)
    refuse_unknown_fields(data, ADOPTION_FIELDS, "adoption")
    data = dict(data)
    # Who led it as it is now, not as the caller read it: a "led by other" saved meanwhile keeps its text.
    current = lock_current(adoption, expected_version)
    if data.get("led_by", current.led_by) != Adoption.LedBy.OTHER:
        data["led_by_other"] = ""
    return update_with_audit(
        actor=actor, obj=adoption, data=data, expected_version=expected_version, parent=adoption.practice
    )


@transaction.atomic
def adoption_delete(*, actor: User, adoption: Adoption) -> None:
    """Delete an adoption and its levels (one recorded by mistake).

    Raises: Http404, PermissionDenied.
    """
    _require_adoption_write(actor, adoption.practice)
    delete_with_audit(actor=actor, obj=adoption, parent=adoption.practice)


@transaction.atomic
def adoption_level_record(
    *,
    actor: User,
    adoption: Adoption,
    level: str,
    reached_on: datetime.date,
    note: str = "",
    uuid: uuid_module.UUID | None = None,
) -> AdoptionLevel:
    """Record that the site reached `level` on `reached_on`: a new row of its history, never an overwrite.
    The adoption's version moves on, so two people recording at once are detected.

    Raises: Http404, PermissionDenied, ValidationError.
    """
    _require_adoption_write(actor, adoption.practice)
    current = lock_current(adoption)
    row = AdoptionLevel(
        **_id_kwargs(uuid),
        adoption=current,
        level=level,
        rank=LEVEL_RANKS.get(level, 1),
        reached_on=reached_on,
        note=note,
    )
    errors: dict[str, list[str]] = {}
    try:
        # `_check_level` says a level is already recorded (with its date); the model's unique constraint would
        # say it a second time, so it is left to the database here (the adoption's row lock orders writers).
        row.full_clean(exclude=["adoption"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    errors.update(_check_level(current, level, reached_on, current.levels.all()))
    if errors:
        raise ValidationError(errors)
    return create_with_audit(actor=actor, obj=row, parent=adoption)


@transaction.atomic
def adoption_level_remove(*, actor: User, level: AdoptionLevel) -> None:
    """Remove a level recorded by mistake; the first level stays (delete the adoption instead).

    Raises: Http404, PermissionDenied, ValidationError.
    """
    adoption = level.adoption
    _require_adoption_write(actor, adoption.practice)
    lock_current(adoption)
    if adoption.levels.count() <= 1:
        raise ValidationError(_("An adoption keeps at least one level; delete the adoption instead."))
    delete_with_audit(actor=actor, obj=level, parent=adoption)
