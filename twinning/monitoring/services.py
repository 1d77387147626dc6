"""Writes for monitoring: results, the period report workflow, evidence, the review conversation, settings.

Each service checks access first, validates, saves, audits in the same transaction and queues its
notifications with transaction.on_commit.
"""

import datetime
import uuid as uuid_module
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from twinning.accounts import notices
from twinning.accounts.access import (
    PartnershipAccess,
    data_entry_people_of,
    partnership_access,
    require,
    require_programme_editor,
    reviewers_of,
)
from twinning.accounts.models import Notification, User
from twinning.accounts.notifications import Notice, notify
from twinning.core.numbers import SPACES, parse_decimal
from twinning.core.services import (
    ClientIdTaken,
    VersionConflict,
    create_with_audit,
    delete_with_audit,
    refuse_unknown_fields,
    update_with_audit,
)
from twinning.monitoring import progress
from twinning.monitoring.models import (
    NARRATIVE_FIELDS,
    Evidence,
    PeriodReport,
    ProgrammeMonitoringSettings,
    Result,
    ReviewComment,
)
from twinning.partnerships.models import Partnership, Programme
from twinning.partnerships.selectors import partnership_today
from twinning.planning.models import DisaggregationOption, Indicator, PlanIndicator
from twinning.planning.periods import Period, parse_period, period_label

MAX_DIGITS_BEFORE_POINT = 14  # DecimalField(max_digits=18, decimal_places=4)
MONITORING_SETTINGS_FIELDS = ("on_track_percent", "at_risk_percent", "report_due_days")
Measure = Indicator.Measure


# --- settings ---------------------------------------------------------------------------------------


def monitoring_settings(programme: Programme) -> ProgrammeMonitoringSettings:
    """The programme's settings; unsaved defaults when it never changed them.

    Raises: nothing.
    """
    found = ProgrammeMonitoringSettings.objects.filter(programme=programme).first()
    return found or ProgrammeMonitoringSettings(programme=programme)


@transaction.atomic
def monitoring_settings_update(
    *, actor: User, programme: Programme, data: dict[str, Any], expected_version: int | None = None
) -> ProgrammeMonitoringSettings:
    """Change a programme's monitoring settings (programme editors); the first change creates them.

    Raises: PermissionDenied, ValidationError, VersionConflict, TypeError.
    """
    require_programme_editor(actor, programme.pk)
    refuse_unknown_fields(data, MONITORING_SETTINGS_FIELDS, "monitoring settings")
    current = ProgrammeMonitoringSettings.objects.filter(programme=programme).first()
    if current is None:
        if expected_version not in (None, 1):
            raise VersionConflict()
        return create_with_audit(
            actor=actor, obj=ProgrammeMonitoringSettings(programme=programme, **data), parent=programme
        )
    return update_with_audit(
        actor=actor, obj=current, data=data, expected_version=expected_version, parent=programme
    )


# --- periods and reports ----------------------------------------------------------------------------


def period_or_error(period_id: str) -> Period:
    """The reporting period with this id, for a service.

    Raises: ValidationError.
    """
    try:
        return parse_period(period_id)
    except ValueError:
        raise ValidationError(
            {
                "period": _("%(value)s is not a reporting period; use e.g. 2024, 2024S1, 2024Q1 or 202401.")
                % {"value": str(period_id)[:12]}
            }
        ) from None


def report_get_or_create(partnership: Partnership, period: str) -> PeriodReport:
    """The partnership's report for the period, locked for this transaction (created as a draft if new).

    Raises: ValidationError.
    """
    period_or_error(period)
    report = PeriodReport.objects.select_for_update().filter(partnership=partnership, period=period).first()
    if report is None:
        report, _created = PeriodReport.objects.get_or_create(partnership=partnership, period=period)
        report = PeriodReport.objects.select_for_update().get(pk=report.pk)
    return report


def _refuse_locked(report: PeriodReport) -> None:
    if report.status == PeriodReport.Status.APPROVED:
        raise ValidationError(
            _("The results of %(period)s are approved and locked; programme staff can unlock them.")
            % {"period": period_label(report.period)}
        )
    if report.status == PeriodReport.Status.SUBMITTED:
        raise ValidationError(
            _("The results of %(period)s are submitted for review; they can be changed once returned.")
            % {"period": period_label(report.period)}
        )


def report_url(report: PeriodReport) -> str:
    """The address of a report's entry page, for notifications.

    Raises: nothing.
    """
    return reverse("monitoring:entry", args=[report.partnership.uuid, report.period])


# --- notifications ------------------------------------------------------------------------------------


def _notify(
    users: Iterable[Any], *, actor: User, message: Notice, url: str, subject: Notice | None = None
) -> None:
    """In-app notices now (in the transaction) and one email each once the transaction commits (`subject`: the
    email's), as accounts.notifications.notify takes them: each reader reads them in their own language."""
    notify(users, actor=actor, message=message, url=url, subject=subject)


def _reviewers(partnership: Partnership) -> list[User]:
    return list(User.objects.filter(reviewers_of(partnership.programme_id)))


def _partnership_people(partnership: Partnership) -> list[User]:
    """Coordinators and members: the people who enter and correct the results."""
    return list(User.objects.filter(data_entry_people_of(partnership.pk)))


# --- results ------------------------------------------------------------------------------------------


_TOO_LARGE = Decimal(10) ** MAX_DIGITS_BEFORE_POINT
_PLACES = Decimal("0.0001")


def _decimal(raw: Any, field: str, errors: dict[str, list[str]], locale: str | None) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip(SPACES)):
        return None
    if isinstance(raw, bool) or not isinstance(raw, Decimal | int | str):
        errors.setdefault(field, []).append(_("Enter a number."))
        return None
    try:
        if type(raw) is Decimal:  # already read (an import's cells): Decimals are immutable, no copy needed
            number = raw
        else:
            number = parse_decimal(raw, locale=locale) if isinstance(raw, str) else Decimal(raw)
    except ValidationError as exc:
        errors.setdefault(field, []).extend(exc.messages)
        return None
    if not number.is_finite():
        errors.setdefault(field, []).append(_("Enter a number."))
        return None
    if abs(number) >= _TOO_LARGE:
        errors.setdefault(field, []).append(_("This number is too large."))
        return None
    return number.quantize(_PLACES)


def clean_result_values(
    measure: str,
    raw: dict[str, Any],
    *,
    locale: str | None = None,
    allows_negative: bool = False,
    whole_numbers: bool = False,
) -> dict[str, Any]:
    """Typed, validated values for one result of an indicator with `measure`; ValidationError per field.
    A number is never negative unless its indicator `allows_negative` (a change), and whole when it counts in
    `whole_numbers`: the rule is Indicator.count_error, shared with targets and baselines.

    Numbers may be Decimals, ints or text; text is read by `core.numbers.parse_decimal` as `locale` writes
    numbers (None: the machine form, `12.5`), so `12,5` is 12.5 for "pt" and refused otherwise, never 125.
    Returns the model fields (value, numerator, denominator, text, score), or an empty dict when nothing
    was given (a blank row).

    Raises: ValidationError.
    """
    errors: dict[str, list[str]] = {}
    text = str(raw.get("text") or "").strip()
    if "\x00" in text:
        errors.setdefault("text", []).append(_("Text may not contain NUL (0x00) characters."))
    value = _decimal(raw.get("value"), "value", errors, locale)
    numerator = _decimal(raw.get("numerator"), "numerator", errors, locale)
    denominator = _decimal(raw.get("denominator"), "denominator", errors, locale)
    score = _decimal(raw.get("score"), "score", errors, locale)
    if score is not None:
        if abs(score) >= 1_000_000:
            errors.setdefault("score", []).append(_("This number is too large."))
        score = score.quantize(Decimal("0.01"))
    if errors:
        raise ValidationError(errors)
    out: dict[str, Any] = {"value": None, "numerator": None, "denominator": None, "text": "", "score": None}
    if measure == Measure.PERCENTAGE:
        if numerator is None and denominator is None:
            return {}
        out.update(_percentage(numerator, denominator, errors))
    elif measure == Measure.YES_NO:
        if value is None:
            return {}
        if value not in (Decimal(0), Decimal(1)):
            errors["value"] = [_("Answer 1 for yes or 0 for no.")]
        out["value"] = value
    elif measure == Measure.QUALITATIVE:
        if not text and score is None:
            return {}
        if not text:
            errors["text"] = [_("Describe the result; a score alone is not enough.")]
        out.update(text=text, score=score)
    else:
        if value is None:
            return {}
        why = Indicator.count_error(value, allows_negative=allows_negative, whole_numbers=whole_numbers)
        if why:
            errors["value"] = [why]
        out["value"] = value
    if errors:
        raise ValidationError(errors)
    return out


def _percentage(
    numerator: Decimal | None, denominator: Decimal | None, errors: dict[str, list[str]]
) -> dict[str, Any]:
    """A percentage result's fields (numerator, denominator, value in % to 4 places), or none with `errors`
    filled in when a part is missing or out of range."""
    if numerator is None:
        errors["numerator"] = [_("Give the numerator as well as the denominator.")]
    elif numerator < 0:
        errors["numerator"] = [_("The numerator cannot be negative.")]
    if denominator is None:
        errors["denominator"] = [_("Give the denominator as well as the numerator.")]
    elif denominator <= 0:
        errors["denominator"] = [_("The denominator must be more than zero.")]
    if errors or numerator is None or denominator is None:
        return {}
    if numerator > denominator:
        errors["numerator"] = [_("The numerator cannot be larger than the denominator.")]
        return {}
    value = (numerator * 100 / denominator).quantize(Decimal("0.0001"))
    return {"numerator": numerator, "denominator": denominator, "value": value}


def check_period_for(
    indicator: Indicator, plan_first_year: int, plan_last_year: int, period: Period, *, today: datetime.date
) -> str | None:
    """Why `period` is not a reporting period of this indicator in this plan, or None if it is. `today` is the
    partnership's local date (`partnerships.selectors.partnership_today`): a period has started there or not.

    Raises: nothing.
    """
    if period.frequency != indicator.frequency:
        return _("%(indicator)s is reported %(frequency)s; %(period)s is not such a period.") % {
            "indicator": indicator.code,
            "frequency": indicator.get_frequency_display().lower(),  # type: ignore[attr-defined]
            "period": period.label(),
        }
    if not plan_first_year <= period.year <= plan_last_year:
        return _("%(period)s is outside the plan's years.") % {"period": period.label()}
    if period.start > today:
        return _("%(period)s has not started yet.") % {"period": period.label()}
    return None


def _checked_result_place(
    plan_indicator: PlanIndicator,
    period: str,
    option: DisaggregationOption | None,
    comment: str,
    today: datetime.date | None = None,
) -> str:
    """Refuse a period the plan does not report on (or not started by `today`, by default the partnership's
    local date), an option that is no breakdown of the indicator, or a comment with NUL (ValidationError);
    return the comment trimmed."""
    plan, indicator = plan_indicator.plan, plan_indicator.indicator
    why = check_period_for(
        indicator,
        plan.first_year,
        plan.last_year,
        period_or_error(period),
        today=today or partnership_today(plan.partnership),
    )
    if why:
        raise ValidationError({"period": why})
    if option is not None and not indicator.categories.filter(pk=option.category_id).exists():
        raise ValidationError(
            {"option": _("%(option)s is not a breakdown of this indicator.") % {"option": option}}
        )
    comment = (comment or "").strip()
    if "\x00" in comment:
        raise ValidationError({"comment": _("Text may not contain NUL (0x00) characters.")})
    return comment


@transaction.atomic
def result_save(
    *,
    actor: User,
    plan_indicator: PlanIndicator,
    period: str,
    option: DisaggregationOption | None = None,
    values: dict[str, Any],
    comment: str = "",
    expected_version: int | None = None,
    uuid: uuid_module.UUID | None = None,
    access: PartnershipAccess | None = None,
    locale: str | None = None,
) -> Result | None:
    """Create or update the value of one indicator for one period (and option); a blank value deletes it.

    `plan_indicator` is the indicator's adoption in the plan in force, through which the value is entered; the
    value itself belongs to the partnership and the indicator (see Result), so the same value is found and
    updated whichever plan version it was entered under. `expected_version` is the version the person saw
    (None when they saw no value): if someone saved the value meanwhile, VersionConflict is raised and nothing
    changes. Returns the result, or None if deleted. Numbers in `values` given as text are read as `locale`
    writes them (see clean_result_values).

    Raises: PermissionDenied, ValidationError, VersionConflict.
    """
    partnership = plan_indicator.plan.partnership
    access = access or partnership_access(actor, partnership)
    require(access.can_enter_data)
    report = report_get_or_create(partnership, period)
    _refuse_locked(report)
    entry = ResultEntry(
        key="",
        plan_indicator=plan_indicator,
        option=option,
        values=values,
        comment=comment,
        expected_version=expected_version,
    )
    result, _changed = _result_write(actor=actor, report=report, entry=entry, uuid=uuid, locale=locale)
    return result


@dataclass(frozen=True)
class ResultEntry:
    """One row of a page of results as typed: where it goes, its values, and the version the person saw.

    `key` names the row on the page (selectors.EntryRow.key), so a refusal can be shown beside the row.
    """

    key: str
    plan_indicator: PlanIndicator
    option: DisaggregationOption | None
    values: dict[str, Any]
    comment: str = ""
    expected_version: int | None = None


class ResultsRejected(ValidationError):
    """Some rows of a page of results were refused, so none was saved.

    `row_errors` maps each refused row's key to its ValidationError (by field where one field is to blame).
    """

    def __init__(self, row_errors: dict[str, ValidationError]) -> None:
        super().__init__(
            ngettext(
                "Nothing was saved: %(count)d row needs correcting.",
                "Nothing was saved: %(count)d rows need correcting.",
                len(row_errors),
            )
            % {"count": len(row_errors)},
            code="rows_rejected",
        )
        self.row_errors = row_errors


def _result_write(
    *,
    actor: User,
    report: PeriodReport,
    entry: ResultEntry,
    uuid: uuid_module.UUID | None = None,
    locale: str | None = None,
    check_breakdown: bool = True,
    skip_unchanged: bool = False,
    today: datetime.date | None = None,
) -> tuple[Result | None, bool]:
    """Write one result in the caller's transaction, the report locked and editable; (result, changed).

    With `skip_unchanged`, values equal to the stored ones write nothing, and are no conflict even when the
    stored version is newer (the person's page agrees with what is stored)."""
    plan_indicator, option, period = entry.plan_indicator, entry.option, report.period
    partnership = report.partnership
    indicator = plan_indicator.indicator
    comment = _checked_result_place(plan_indicator, period, option, entry.comment, today)
    fields = clean_result_values(
        indicator.measure,
        entry.values,
        locale=locale,
        allows_negative=indicator.allows_negative,
        whole_numbers=indicator.whole_numbers,
    )
    if fields and check_breakdown:
        problems = breakdown_check(
            partnership=partnership, indicator=indicator, period=period, writing=(option, fields)
        )
        if problems:
            raise ValidationError({field: [message] for field, message in problems})
    same_place = {"partnership": partnership, "indicator": indicator, "period": period, "option": option}
    existing = Result.objects.select_for_update().filter(**same_place).first()
    expected_version = entry.expected_version
    if existing is None:
        if expected_version is not None:
            raise VersionConflict()  # it existed when the person read it, and someone removed it since
        if not fields:
            return None, False
        if uuid is not None and Result.objects.filter(uuid=uuid).exists():
            raise ClientIdTaken()  # another value's id: saving nothing silently would lose this one
        result = Result(
            **same_place,
            comment=comment,
            entered_by=actor,
            **fields,
            **({"uuid": uuid} if uuid else {}),
        )
        return create_with_audit(actor=actor, obj=result, parent=report), True
    unchanged = comment == existing.comment and all(getattr(existing, f) == v for f, v in fields.items())
    if skip_unchanged and fields and unchanged:
        return existing, False
    if uuid is not None and existing.uuid == uuid and expected_version is None and unchanged:
        # The same create sent again (an offline client whose first answer was lost): the value is there.
        return existing, False
    if expected_version is None or existing.version != expected_version:
        raise VersionConflict()
    if not fields:
        delete_with_audit(actor=actor, obj=existing, parent=report)
        return None, True
    saved = update_with_audit(
        actor=actor,
        obj=existing,
        data={**fields, "comment": comment, "entered_by": actor},
        expected_version=expected_version,
        parent=report,
    )
    return saved, True


@transaction.atomic
def results_save(
    *,
    actor: User,
    partnership: Partnership,
    period: str,
    entries: list[ResultEntry],
    access: PartnershipAccess | None = None,
    locale: str | None = None,
) -> int:
    """Save every row of a page of results at once: all of them, or, if any is refused, none.

    Each entry is checked as result_save checks one (values, period, option, the version the person saw); rows
    whose values equal the stored ones write nothing. The breakdowns are checked once every row is written,
    so a total and its parts may change together; a disagreement is put on the indicator's overall row (or
    its first row given). Returns how many results were created, changed or removed.

    Raises: PermissionDenied, ValidationError (the report is locked), ResultsRejected (a ValidationError
    with every refused row's errors; nothing is saved).
    """
    access = access or partnership_access(actor, partnership)
    require(access.can_enter_data)
    report = report_get_or_create(partnership, period)
    _refuse_locked(report)
    row_errors: dict[str, ValidationError] = {}
    changed = 0
    rows_of: dict[int, list[ResultEntry]] = {}
    today = partnership_today(partnership)  # once for the page: has the period started where the host is
    for entry in entries:
        if entry.plan_indicator.plan.partnership_id != partnership.pk:
            raise ValidationError(_("A row of another partnership's plan was given."))
        rows_of.setdefault(entry.plan_indicator.indicator_id, []).append(entry)
        try:
            _result, did = _result_write(
                actor=actor,
                report=report,
                entry=entry,
                locale=locale,
                check_breakdown=False,
                skip_unchanged=True,
                today=today,
            )
        except ValidationError as exc:
            row_errors[entry.key] = exc
        else:
            changed += did
    for rows in rows_of.values():
        indicator = rows[0].plan_indicator.indicator
        problems = breakdown_check(partnership=partnership, indicator=indicator, period=period)
        if problems:
            overall = next((r for r in rows if r.option is None), rows[0])
            if overall.key not in row_errors:
                row_errors[overall.key] = ValidationError({f: [m] for f, m in problems})
    if row_errors:
        raise ResultsRejected(row_errors)
    return changed


def period_breakdown(rows: Iterable[Result]) -> tuple[progress.Value | None, list[progress.Part]]:
    """A period's overall value and its disaggregated parts, from the results of one indicator and period
    (their options' categories loaded)."""
    total = None
    parts = []
    for r in rows:
        if r.option is None:
            total = progress.Value(r.period, r.value, r.numerator, r.denominator)
        else:
            parts.append(
                progress.Part(str(r.option.category), str(r.option), r.value, r.numerator, r.denominator)
            )
    return total, parts


def breakdown_check(
    *,
    partnership: Partnership,
    period: str,
    indicator: Indicator | None = None,
    writing: tuple[DisaggregationOption | None, dict[str, Any]] | None = None,
    final: bool = False,
) -> list[tuple[str, str]]:
    """Where a period's breakdowns disagree with their totals, as (field, message) pairs (the rule is
    progress.breakdown_problems; every write of results calls it, the submission with `final`).

    For one `indicator`, or every indicator of the partnership's period; `writing` is the (option, fields)
    about to be saved, checked in place of the stored value. Messages name the indicator when several are
    checked. One query.
    """
    rows = Result.objects.filter(partnership=partnership, period=period).select_related(
        "indicator", "option__category"
    )
    if indicator is not None:
        rows = rows.filter(indicator=indicator)
    by_indicator: dict[int, list[Result]] = {}
    indicators: dict[int, Indicator] = {} if indicator is None else {indicator.pk: indicator}
    for r in rows.order_by("indicator__code", "option_id"):
        by_indicator.setdefault(r.indicator_id, []).append(r)
        indicators.setdefault(r.indicator_id, r.indicator)
    if writing is not None and indicator is not None:
        option, fields = writing
        mine = [
            r for r in by_indicator.get(indicator.pk, []) if r.option_id != (option.pk if option else None)
        ]
        by_indicator[indicator.pk] = [
            *mine,
            Result(indicator=indicator, period=period, option=option, **fields),
        ]
    problems = []
    for pk, results in by_indicator.items():
        found = indicators[pk]
        total, parts = period_breakdown(results)
        for field, message in progress.breakdown_problems(
            found.measure, found.breakdown, total, parts, final=final
        ):
            problems.append((field, message if indicator is not None else f"{found.code}: {message}"))
    return problems


# --- the review workflow -----------------------------------------------------------------------------


def _transition(
    *,
    actor: User,
    report: PeriodReport,
    status: str,
    expected_version: int | None,
    reason: str = "",
    **extra: Any,
) -> PeriodReport:
    return update_with_audit(
        actor=actor,
        obj=report,
        data={"status": status, **extra},
        expected_version=expected_version,
        parent=report.partnership,
        reason=reason,
    )


@transaction.atomic
def report_submit(
    *, actor: User, partnership: Partnership, period: str, expected_version: int | None = None
) -> PeriodReport:
    """Send a period's results for review; the programme's reviewers are notified.

    Raises: PermissionDenied, ValidationError, VersionConflict.
    """
    require(partnership_access(actor, partnership).can_enter_data)
    report = report_get_or_create(partnership, period)
    if not report.is_editable:
        raise ValidationError(
            _("This report is %(status)s; only a draft or returned report can be submitted.")
            % {"status": report.get_status_display().lower()}  # type: ignore[attr-defined]
        )
    if not Result.objects.filter(partnership=partnership, period=period).exists():
        raise ValidationError(_("Enter at least one result before submitting."))
    problems = breakdown_check(partnership=partnership, period=period, final=True)
    if problems:
        raise ValidationError([message for _field, message in problems])
    report = _transition(
        actor=actor,
        report=report,
        status=PeriodReport.Status.SUBMITTED,
        expected_version=expected_version,
        submitted_at=timezone.now(),
        submitted_by=actor,
    )
    _notify(
        _reviewers(partnership),
        actor=actor,
        message=notices.notice(
            gettext_noop("%(partnership)s submitted its results for %(period)s for review."),
            partnership=notices.text(partnership.title),
            period=notices.period(period),
        ),
        url=report_url(report),
    )
    return report


@transaction.atomic
def report_return(
    *, actor: User, report: PeriodReport, feedback: str, expected_version: int | None = None
) -> PeriodReport:
    """Send submitted results back for correction; feedback is required and opens a thread.

    Raises: PermissionDenied, ValidationError, VersionConflict.
    """
    require(partnership_access(actor, report.partnership).can_review)
    feedback = (feedback or "").strip()
    if not feedback:
        raise ValidationError({"feedback": _("Say what needs correcting: returning needs feedback.")})
    if "\x00" in feedback:
        raise ValidationError({"feedback": _("Text may not contain NUL (0x00) characters.")})
    if report.status != PeriodReport.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be returned."))
    report = _transition(
        actor=actor,
        report=report,
        status=PeriodReport.Status.RETURNED,
        expected_version=expected_version,
        reason=feedback,
        reviewed_at=timezone.now(),
        reviewed_by=actor,
    )
    ReviewComment.objects.create(report=report, author=actor, kind=ReviewComment.Kind.FEEDBACK, body=feedback)
    _notify(
        _partnership_people(report.partnership),
        actor=actor,
        message=notices.notice(
            gettext_noop("Your results for %(period)s were returned for correction: %(feedback)s"),
            period=notices.period(report.period),
            feedback=notices.text(feedback[:150]),
        ),
        url=report_url(report),
        # The subject stays short: the feedback is in the email's body, not its subject line.
        subject=notices.notice(
            gettext_noop("Results returned for correction: %(partnership)s, %(period)s"),
            partnership=notices.text(report.partnership.title),
            period=notices.period(report.period),
        ),
    )
    return report


@transaction.atomic
def report_approve(
    *, actor: User, report: PeriodReport, note: str = "", expected_version: int | None = None
) -> PeriodReport:
    """Approve submitted results: they are locked from now on.

    Raises: PermissionDenied, ValidationError, VersionConflict.
    """
    require(partnership_access(actor, report.partnership).can_review)
    if report.status != PeriodReport.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be approved."))
    report = _transition(
        actor=actor,
        report=report,
        status=PeriodReport.Status.APPROVED,
        expected_version=expected_version,
        reason=note.strip(),
        reviewed_at=timezone.now(),
        reviewed_by=actor,
    )
    ReviewComment.objects.create(
        report=report, author=actor, kind=ReviewComment.Kind.APPROVAL, body=note.strip() or _("Approved.")
    )
    _notify(
        _partnership_people(report.partnership),
        actor=actor,
        message=notices.notice(
            gettext_noop("Your results for %(period)s were approved."), period=notices.period(report.period)
        ),
        url=report_url(report),
    )
    return report


@transaction.atomic
def report_unlock(
    *, actor: User, report: PeriodReport, reason: str, expected_version: int | None = None
) -> PeriodReport:
    """Reopen approved results for correction; the reason is required and audited.

    Raises: PermissionDenied, ValidationError, VersionConflict.
    """
    require(partnership_access(actor, report.partnership).can_review)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for unlocking approved results.")})
    if report.status != PeriodReport.Status.APPROVED:
        raise ValidationError(_("Only approved results are locked."))
    report = _transition(
        actor=actor,
        report=report,
        status=PeriodReport.Status.RETURNED,
        expected_version=expected_version,
        reason=reason,
    )
    ReviewComment.objects.create(report=report, author=actor, kind=ReviewComment.Kind.UNLOCK, body=reason)
    _notify(
        _partnership_people(report.partnership),
        actor=actor,
        message=notices.notice(
            gettext_noop("Your approved results for %(period)s were unlocked: %(reason)s"),
            period=notices.period(report.period),
            reason=notices.text(reason[:150]),
        ),
        url=report_url(report),
    )
    return report


# --- the narrative --------------------------------------------------------------------------------------


@transaction.atomic
def report_narrative_save(
    *,
    actor: User,
    partnership: Partnership,
    period: str,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> PeriodReport:
    """Write the period report's narrative: `data` holds any of NARRATIVE_FIELDS ("achievements", "challenges",
    "next_steps"; text of at most NARRATIVE_MAX characters each, stripped). Coordinators and programme editors
    write it (PartnershipAccess.can_write_narrative) while the report is a draft or returned, as they do the
    results; the first write creates the draft report. Audited on the report, so its history shows it.

    Raises: PermissionDenied, ValidationError, VersionConflict, TypeError.
    """
    require(partnership_access(actor, partnership).can_write_narrative)
    refuse_unknown_fields(data, NARRATIVE_FIELDS, "narrative")
    report = report_get_or_create(partnership, period)
    _refuse_locked(report)
    cleaned = {name: str(value or "").strip() for name, value in data.items()}
    return update_with_audit(
        actor=actor, obj=report, data=cleaned, expected_version=expected_version, parent=partnership
    )


# --- conversation -------------------------------------------------------------------------------------


@transaction.atomic
def comment_add(
    *,
    actor: User,
    report: PeriodReport,
    body: str,
    parent: ReviewComment | None = None,
    assignee: Any = None,
    due_date: datetime.date | None = None,
    is_action: bool = False,
    uuid: uuid_module.UUID | None = None,
) -> ReviewComment:
    """Add a message to the report's conversation (a reply when `parent` is given), optionally an action item.

    Raises: PermissionDenied, ValidationError.
    """
    partnership = report.partnership
    access = partnership_access(actor, partnership)
    require(access.can_discuss)
    body = (body or "").strip()
    errors: dict[str, list[str]] = {}
    if not body:
        errors["body"] = [_("Write a message.")]
    if parent is not None and parent.report_id != report.pk:
        errors["parent"] = [_("You can only reply within the same report.")]
    is_action = is_action or assignee is not None or due_date is not None
    if assignee is not None:
        involved = partnership_access(assignee, partnership)
        if not involved.can_discuss:
            errors["assignee"] = [_("Assign the action to someone working on this partnership.")]
    if errors:
        raise ValidationError(errors)
    comment = create_with_audit(
        actor=actor,
        obj=ReviewComment(
            report=report,
            parent=parent,
            author=actor,
            body=body,
            is_action=is_action,
            assignee=assignee,
            due_date=due_date,
            **({"uuid": uuid} if uuid else {}),
        ),
        parent=report,
    )
    _notify_comment(report, actor=actor, body=body, assignee=assignee)
    return comment


def _notify_comment(report: PeriodReport, *, actor: User, body: str, assignee: Any) -> None:
    """Tell the partnership's people (and, once the report is submitted, its reviewers) and the assignee."""
    partnership = report.partnership
    people = {u.pk: u for u in [*_partnership_people(partnership), *_reviewers(partnership)]}
    if report.status == PeriodReport.Status.DRAFT:
        # A draft is still the partnership's own business: reviewers hear of it once it is submitted.
        people = {u.pk: u for u in _partnership_people(partnership)}
    if assignee is not None:
        people[assignee.pk] = assignee
    _notify(
        people.values(),
        actor=actor,
        message=notices.notice(
            gettext_noop("%(author)s commented on the %(period)s report of %(partnership)s: %(body)s"),
            author=notices.text(actor.get_short_name() if hasattr(actor, "get_short_name") else actor),
            period=notices.period(report.period),
            partnership=notices.text(partnership.title),
            body=notices.text(body[:120]),
        ),
        url=report_url(report),
    )


@transaction.atomic
def action_item_set_done(*, actor: User, comment: ReviewComment, done: bool = True) -> ReviewComment:
    """Mark an action item done (or not done again): anyone who takes part in the report's conversation.

    Raises: PermissionDenied, ValidationError.
    """
    require(partnership_access(actor, comment.report.partnership).can_discuss)
    if not comment.is_action:
        raise ValidationError(_("This comment is not an action item."))
    return update_with_audit(
        actor=actor,
        obj=comment,
        data={"done_at": timezone.now() if done else None, "done_by": actor if done else None},
        parent=comment.report,
    )


# --- evidence -----------------------------------------------------------------------------------------


@transaction.atomic
def evidence_add(
    *, actor: User, report: PeriodReport, file: File, title: str = "", result: Result | None = None
) -> Evidence:
    """Attach a file to a period's results (type and size are checked by the model's validators).

    Raises: PermissionDenied, ValidationError.
    """
    require(partnership_access(actor, report.partnership).can_enter_data)
    _refuse_locked(report)
    if result is not None and (
        result.period != report.period or result.partnership_id != report.partnership_id
    ):
        raise ValidationError({"result": _("That result belongs to another report.")})
    title = (title or "").strip() or str(getattr(file, "name", "") or _("Evidence"))[:200]
    return create_with_audit(
        actor=actor,
        obj=Evidence(report=report, result=result, title=title, file=file, uploaded_by=actor),
        parent=report,
    )


@transaction.atomic
def evidence_delete(*, actor: User, evidence: Evidence) -> None:
    """Delete an evidence file from a report that is not locked.

    Raises: PermissionDenied, ValidationError.
    """
    require(partnership_access(actor, evidence.report.partnership).can_enter_data)
    _refuse_locked(evidence.report)
    delete_with_audit(actor=actor, obj=evidence, parent=evidence.report)


@transaction.atomic
def notifications_mark_read(*, actor: User) -> int:
    """Mark all the actor's notifications read; returns how many were unread.

    Raises: nothing.
    """
    return Notification.objects.filter(user=actor, read_at__isnull=True).update(read_at=timezone.now())
