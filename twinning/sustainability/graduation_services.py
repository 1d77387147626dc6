"""Writes for graduation reviews: programme staff open one, the criteria are evaluated, and they record the decision.

The decision moves the partnership's stage through the partnerships' stage service (audited there as a stage
change): "graduate" to Graduated, "close" to Closed, each scheduling the post-funding follow-ups; "extend" moves
the end of the funding period to `extended_to` and leaves the stage as it is.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from twinning.accounts.access import partnership_access, require
from twinning.accounts.models import User
from twinning.core.services import VersionConflict, create_with_audit, lock_current, update_with_audit
from twinning.partnerships.models import ENDED_STAGES, Partnership, Stage
from twinning.partnerships.selectors import partnership_today
from twinning.partnerships.services import partnership_stage_change, partnership_update
from twinning.sustainability.follow_ups import follow_ups_schedule, years_later
from twinning.sustainability.graduation import Evaluation, evaluate
from twinning.sustainability.models_transition import GraduationReview
from twinning.sustainability.transition_services import TRANSITION_YEARS, plan_date_range

# The earliest decision date taken for a partnership without a recorded start: before it, a date is a typing
# slip (year 1, 1900), not a partnership's history.
EARLIEST_DECISION = datetime.date(1950, 1, 1)

STAGE_OF: dict[str, str] = {
    GraduationReview.Decision.GRADUATE: Stage.GRADUATED,
    GraduationReview.Decision.CLOSE: Stage.CLOSED,
}


class AlreadyDecided(VersionConflict):
    """Someone recorded the decision of this review since the form was read: theirs stands (answered 409)."""

    def __init__(self, review: GraduationReview) -> None:
        ValidationError.__init__(
            self,
            _(
                "Someone else recorded the decision on this review first (%(decision)s, %(date)s). "
                "Reload to see it; nothing of yours was saved."
            )
            % {
                "decision": review.get_decision_display(),
                "date": date_format(review.decided_on) if review.decided_on else "",
            },
            code="version_conflict",
        )


def _require_decider(actor: User, partnership: Partnership) -> None:
    access = partnership_access(actor, partnership)
    if not access.can_read:
        raise Http404
    require(access.can_decide_graduation)


@transaction.atomic
def graduation_review_open(*, actor: User, partnership: Partnership, note: str = "") -> GraduationReview:
    """Open a graduation review of a partnership that has not ended (programme managers and M&E officers); at most
    one is open at a time.

    Raises: Http404, PermissionDenied, ValidationError.
    """
    _require_decider(actor, partnership)
    current = lock_current(partnership)
    if current.stage in ENDED_STAGES:
        raise ValidationError(
            _("This partnership has already ended (%(stage)s).") % {"stage": current.get_stage_display()}
        )
    if GraduationReview.objects.filter(partnership=partnership, decision="").exists():
        raise ValidationError(_("A graduation review of this partnership is already open."))
    review = GraduationReview(partnership=partnership, opened_by=actor, note=note)
    return create_with_audit(actor=actor, obj=review, parent=partnership)


def _check_decision(
    review: GraduationReview,
    partnership: Partnership,
    decision: str,
    reason: str,
    decided_on: datetime.date,
    extended_to: datetime.date | None,
    evaluation: Evaluation,
    confirm_unmet: bool,
) -> None:
    errors: dict[str, list[str]] = {}
    if decision not in GraduationReview.Decision.values:
        errors["decision"] = [_("Choose graduate, extend or close.")]
    if decision == GraduationReview.Decision.GRADUATE and not evaluation.all_met and not confirm_unmet:
        errors["confirm_unmet"] = [
            ngettext(
                "Only %(met)s of %(count)s graduation criterion is met. To graduate the partnership all the same, "
                "confirm it and say why in the reason.",
                "Only %(met)s of %(count)s graduation criteria are met. To graduate the partnership all the same, "
                "confirm it and say why in the reason.",
                evaluation.applying_count,
            )
            % {"met": evaluation.met_count, "count": evaluation.applying_count}
        ]
    if not reason.strip():
        errors["reason"] = [_("Give the reason for the decision.")]
    today = partnership_today(partnership)
    # A decision falls within the partnership's funding period and after it; one recorded long after the fact (a
    # partnership entered with its history, no start date recorded) may go back to EARLIEST_DECISION.
    first = partnership.start_date or EARLIEST_DECISION
    last = plan_date_range(partnership)[1]
    if decided_on > today:
        errors["decided_on"] = [_("A decision cannot be dated in the future.")]
    elif decided_on < first:
        errors["decided_on"] = [
            _("Give a date from %(first)s to today: a decision falls within the partnership's years.")
            % {"first": date_format(first)}
        ]
    if decision == GraduationReview.Decision.EXTEND:
        # A refused decision date says so on its own field; the new end is then measured from today, never from
        # the refused date (a tester's 9999-12-31 read "The new end must be after 31 December 9999").
        decided = decided_on if "decided_on" not in errors else today
        floor = max(d for d in (partnership.end_date, decided) if d is not None)
        if extended_to is None:
            errors["extended_to"] = [_("Give the new end of the funding period.")]
        elif extended_to <= floor:
            errors["extended_to"] = [_("The new end must be after %(date)s.") % {"date": date_format(floor)}]
        elif extended_to > last:
            errors["extended_to"] = [
                _(
                    "Give a new end no later than %(last)s: an extension reaches at most %(years)s years "
                    "past the funding period's end."
                )
                % {"last": date_format(last), "years": TRANSITION_YEARS}
            ]
    elif extended_to is not None:
        errors["extended_to"] = [_("Only an extension has a new end date.")]
    if decision in STAGE_OF and partnership.stage in ENDED_STAGES:
        errors["decision"] = [_("This partnership has already ended.")]
    elif (
        decision in STAGE_OF
        and partnership.end_date
        and partnership.end_date > years_later(today, TRANSITION_YEARS)
    ):
        # The follow-ups count from the funding end (follow_up_anchor): one years ahead would put them past any
        # real date (and 9999 past the calendar).
        errors["decision"] = [
            _(
                "The funding period is recorded as ending on %(date)s, more than %(years)s years ahead: correct "
                "the partnership's end date first, so that its follow-ups fall on real dates."
            )
            % {"date": date_format(partnership.end_date), "years": TRANSITION_YEARS}
        ]
    elif decision in STAGE_OF and "decided_on" not in errors:
        # The stage service refuses a change dated before the last one; say so on the date, before writing.
        latest = (
            partnership.stage_changes.order_by("-changed_on").values_list("changed_on", flat=True).first()
        )
        if latest and decided_on < latest:
            errors["decided_on"] = [
                _("The last stage change is dated %(date)s; this one cannot be earlier.")
                % {"date": date_format(latest)}
            ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def graduation_review_decide(
    *,
    actor: User,
    review: GraduationReview,
    decision: str,
    reason: str,
    decided_on: datetime.date | None = None,
    extended_to: datetime.date | None = None,
    expected_version: int | None = None,
    confirm_unmet: bool = False,
) -> GraduationReview:
    """Record the decision of an open review with its reason, keeping the criteria as evaluated now as its
    evidence. Graduating or closing moves the stage (partnerships' stage service, audited) and schedules the
    follow-ups; extending moves the funding period's end to `extended_to`. Graduating while a criterion that
    applies is not met needs `confirm_unmet` (the decider saw how many are met and graduates all the same).
    Dates are held to a sane range, each refused on its own field: `decided_on` from the partnership's start
    (EARLIEST_DECISION when none is recorded) to today; `extended_to` after the current end and no later than
    `transition_services.plan_date_range` allows; graduating or closing needs a funding end at most
    TRANSITION_YEARS ahead, since the follow-ups count from it.

    Raises: Http404, PermissionDenied, ValidationError, VersionConflict.
    """
    partnership = review.partnership
    _require_decider(actor, partnership)
    current = lock_current(review)
    if not current.is_open:
        raise AlreadyDecided(current)
    if expected_version is not None and current.version != expected_version:
        raise VersionConflict()
    partnership = lock_current(partnership)
    decided_on = decided_on or partnership_today(partnership)
    evaluation = evaluate(partnership)
    _check_decision(
        current, partnership, decision, reason, decided_on, extended_to, evaluation, confirm_unmet
    )
    evidence = [c.as_json() for c in evaluation.criteria]
    review = update_with_audit(
        actor=actor,
        obj=review,
        data={
            "decision": decision,
            "reason": reason.strip(),
            "decided_on": decided_on,
            "decided_by": actor,
            "extended_to": extended_to,
        },
        parent=partnership,
    )
    # The evidence is what the page showed when deciding, kept for the record; not a change anyone made.
    GraduationReview.objects.filter(pk=review.pk).update(evidence=evidence)
    review.evidence = evidence
    if decision in STAGE_OF:
        partnership_stage_change(
            actor=actor, partnership=partnership, stage=STAGE_OF[decision], changed_on=decided_on, note=reason
        )
        follow_ups_schedule(actor=actor, partnership=partnership, decided_on=decided_on, outcome=decision)
    else:
        partnership_update(actor=actor, partnership=partnership, data={"end_date": extended_to})
    review.partnership = partnership
    return review
