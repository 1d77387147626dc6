"""Post-funding follow-ups: scheduling them when a partnership ends, answering them, and their reminders.

When a partnership graduates or closes, one follow-up is scheduled for each of the programme's follow-up years
(1, 3 and 5 by default) after the end of its funding period (the decision date when no funding end is recorded). Each asks the host side about every activity and practice the transition plan
said would continue (the plan in force's activities when there is no transition plan): still running, adapted or
stopped, and funded by whom; whether trained staff are still in post; whether contact with the partner continues.

Reminders: each follow-up has three steps (it opens, it is due, it is overdue), each emailed to the host side's
coordinators and members (with an in-app notice) in each one's language. A step is sent exactly once: the service
that sends it locks the follow-up, writes the sent-marker (`FollowUpReminder`, unique per follow-up and step) and
the notices in one transaction, and the emails leave when that transaction commits. A worker restarted before the
commit leaves no marker (the step is sent by the next run); one restarted after it finds the marker and sends
nothing. Steps are queued with the task worker when the follow-ups are scheduled (for the day each falls due), and
`twinning follow_up_reminders` queues a sweep of every step due and not sent (run it daily from cron).
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from twinning.accounts import notices
from twinning.accounts.access import follow_up_answerers_of, partnership_access, require
from twinning.accounts.models import User
from twinning.accounts.notifications import notify
from twinning.audit.models import AuditEvent
from twinning.audit.services import audit_record
from twinning.core.reference import shipped_name
from twinning.core.services import create_with_audit, lock_current
from twinning.knowledge.models import Practice
from twinning.partnerships.models import Partnership
from twinning.partnerships.selectors import partnership_today
from twinning.planning.models import Activity
from twinning.planning.selectors import plan_in_force
from twinning.sustainability.models_transition import (
    FollowUp,
    FollowUpItem,
    FollowUpReminder,
    FundingSource,
    TransitionItem,
)
from twinning.sustainability.transition_services import graduation_policy

# The overdue reminder goes this many days after the due date: a fortnight's grace before chasing.
OVERDUE_AFTER_DAYS = 14
ANSWER_FIELDS = ("staff_retained", "partner_contact", "comment")


def years_later(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later; 29 February becomes 28 February in a year without one. Past the calendar
    (a year after 9999) it is the last day there is.

    Raises: nothing.
    """
    if day.year + years > datetime.MAXYEAR:
        return datetime.date.max
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Question:
    """What a follow-up asks about: a planned activity or a practice, as it was named when scheduled."""

    kind: str
    title: str
    item: TransitionItem | None = None
    activity: Activity | None = None
    practice: Practice | None = None


def _questions(partnership: Partnership) -> list[Question]:
    """Each activity and practice a follow-up asks about: what the transition plan says continues (else the
    activities of the plan in force, cancelled ones left out), then the partnership's practices in the library
    (withdrawn ones left out) that no item of the transition plan names. Three or four queries."""
    items = list(
        TransitionItem.objects.filter(
            plan__partnership=partnership,
            continues=True,
            kind__in=[TransitionItem.Kind.ACTIVITY, TransitionItem.Kind.PRACTICE],
        ).order_by("kind", "title", "id")
    )
    questions = [Question(i.kind, i.title, i, i.activity, i.practice) for i in items]
    if not items:
        plan = plan_in_force(partnership)
        activities = (
            Activity.objects.filter(objective__plan=plan)
            .exclude(status=Activity.Status.CANCELLED)
            .order_by("objective__order", "start_date", "title", "id")
            if plan is not None
            else Activity.objects.none()
        )
        questions = [Question(TransitionItem.Kind.ACTIVITY, a.title, activity=a) for a in activities]
    named = {i.practice_id for i in items if i.practice_id}
    practices = (
        Practice.objects.filter(partnership_links__partnership=partnership)
        .exclude(status=Practice.Status.WITHDRAWN)
        .exclude(pk__in=named)
        .order_by("title", "id")
    )
    return questions + [Question(TransitionItem.Kind.PRACTICE, p.title, practice=p) for p in practices]


def follow_up_anchor(partnership: Partnership, decided_on: datetime.date) -> datetime.date:
    """The day the follow-up years count from: the end of the partnership's funding period
    (`Partnership.end_date`), or the decision date `decided_on` when no funding end is recorded.

    Raises: nothing.
    """
    return partnership.end_date or decided_on


def follow_ups_schedule(
    *, actor: User, partnership: Partnership, decided_on: datetime.date, outcome: str
) -> list[FollowUp]:
    """Schedule the programme's follow-ups of a partnership that ended as `outcome` ("graduate" or "close") by a
    decision dated `decided_on`. The follow-ups fall 1, 3 and 5 years (the programme's policy) after the end of
    the funding period (`partnership.end_date`), whether that end came before or after the decision; only when
    no funding end is recorded do they count from `decided_on` (`follow_up_anchor`). The day they count from is
    kept as `FollowUp.ended_on`. Years already scheduled for the partnership are left as they are. Called by the
    graduation decision inside its transaction; the reminders are queued when it commits.

    Raises: ValidationError.
    """
    ended_on = follow_up_anchor(partnership, decided_on)
    policy = graduation_policy(partnership.programme)
    taken = set(FollowUp.objects.filter(partnership=partnership).values_list("years_after", flat=True))
    questions = _questions(partnership)
    created = []
    for years in policy.years:
        if years in taken:
            continue
        due = years_later(ended_on, years)
        opens = max(ended_on, due - datetime.timedelta(days=policy.reminder_lead_days))
        follow_up = create_with_audit(
            actor=actor,
            obj=FollowUp(
                partnership=partnership,
                years_after=years,
                ended_on=ended_on,
                outcome=outcome,
                due_date=due,
                opens_on=opens,
            ),
            parent=partnership,
        )
        FollowUpItem.objects.bulk_create(
            FollowUpItem(
                follow_up=follow_up,
                kind=q.kind,
                title=q.title[:255],
                transition_item=q.item,
                activity=q.activity,
                practice=q.practice,
                order=n,
            )
            for n, q in enumerate(questions)
        )
        created.append(follow_up)
    if created:
        from twinning.sustainability.tasks import queue_reminders

        ids = [f.pk for f in created]
        transaction.on_commit(lambda: queue_reminders(ids), robust=True)
    return created


# --- answering ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemAnswer:
    """The answer about one question (a FollowUpItem): its status now, who funds it, a note."""

    status: str
    funded_by: str = ""
    note: str = ""


def _check_answers(
    follow_up: FollowUp, questions: list[FollowUpItem], answers: dict[int, ItemAnswer], fields: dict[str, Any]
) -> None:
    errors: dict[str, list[str]] = {}
    unknown = set(answers) - {q.pk for q in questions}
    if unknown:
        errors["items"] = [_("Answer only the questions of this follow-up.")]
    for q in questions:
        answer = answers.get(q.pk)
        key = f"item_{q.pk}"
        if answer is None or answer.status not in FollowUpItem.Status.values:
            errors[key] = [_("Say whether “%(title)s” is still running.") % {"title": shipped_name(q.title)}]
        elif answer.status != FollowUpItem.Status.STOPPED and answer.funded_by not in FundingSource.values:
            errors[key] = [_("Say who funds “%(title)s” now.") % {"title": shipped_name(q.title)}]
        elif answer.funded_by and answer.funded_by not in FundingSource.values:
            errors[key] = [_("Unknown funding source.")]
        elif len(answer.note) > 500:
            errors[key] = [_("Keep the note under 500 characters.")]
    if fields.get("staff_retained") not in FollowUp.StaffRetained.values:
        errors["staff_retained"] = [_("Say how many of the trained staff are still in post.")]
    if fields.get("partner_contact") not in FollowUp.Contact.values:
        errors["partner_contact"] = [_("Say whether contact with the partner continues.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def follow_up_answer(
    *,
    actor: User,
    follow_up: FollowUp,
    answers: dict[int, ItemAnswer],
    staff_retained: str,
    partner_contact: str,
    comment: str = "",
    expected_version: int | None = None,
) -> FollowUp:
    """Record (or correct) the host side's answers to a follow-up once it is open: every question (by
    FollowUpItem id) needs a status and, unless stopped, who funds it now. Audited with what changed.

    Raises: Http404 (the user does not see the partnership), PermissionDenied (not the host side), ValidationError,
    VersionConflict.
    """
    access = partnership_access(actor, follow_up.partnership)
    if not access.can_read:
        from django.http import Http404

        raise Http404
    require(access.can_answer_follow_up)
    current = lock_current(follow_up, expected_version)
    today = partnership_today(follow_up.partnership)
    if today < current.opens_on:
        raise ValidationError(
            _("This follow-up opens on %(date)s.") % {"date": date_format(current.opens_on)}
        )
    questions = list(current.items.all())
    fields = {"staff_retained": staff_retained, "partner_contact": partner_contact, "comment": comment}
    _check_answers(current, questions, answers, fields)
    changes: dict[str, list[Any]] = {}
    for q in questions:
        a = answers[q.pk]
        funded = "" if a.status == FollowUpItem.Status.STOPPED and not a.funded_by else a.funded_by
        before = (q.status, q.funded_by, q.note)
        after = (a.status, funded, a.note.strip())
        if before != after:
            changes[q.title] = [" · ".join(x for x in before if x) or None, " · ".join(x for x in after if x)]
            q.status, q.funded_by, q.note = after
    FollowUpItem.objects.bulk_update(questions, ["status", "funded_by", "note"])
    for name, value in fields.items():
        if getattr(current, name) != value:
            changes[name] = [getattr(current, name) or None, value]
            setattr(current, name, value)
    if current.answered_at is None:
        current.answered_at = timezone.now()
        current.answered_by = actor
        changes["answered_at"] = [None, current.answered_at.isoformat()]
    current.version += 1
    current.full_clean()
    current.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=current,
        changes=changes,
        parent=follow_up.partnership,
    )
    current.partnership = follow_up.partnership
    return current


# --- reminders ---------------------------------------------------------------------------------------------


def step_dates(follow_up: FollowUp) -> dict[str, datetime.date]:
    """The day each reminder step of a follow-up falls on.

    Raises: nothing.
    """
    return {
        FollowUpReminder.Step.OPEN: follow_up.opens_on,
        FollowUpReminder.Step.DUE: follow_up.due_date,
        FollowUpReminder.Step.OVERDUE: follow_up.due_date + datetime.timedelta(days=OVERDUE_AFTER_DAYS),
    }


def _message(follow_up: FollowUp, step: str) -> tuple[notices.Notice, notices.Notice]:
    """The reminder's subject and text, as notices (worded in each reader's language by accounts.notices)."""
    title = notices.text(follow_up.partnership.title)
    if step == FollowUpReminder.Step.OVERDUE:
        subject = notices.notice(gettext_noop("Overdue: follow-up of %(partnership)s"), partnership=title)
    else:
        subject = notices.notice(gettext_noop("Follow-up of %(partnership)s"), partnership=title)
    values = {
        "partnership": title,
        "years": notices.count(follow_up.years_after),
        "date": notices.date(follow_up.due_date),
    }
    if step == FollowUpReminder.Step.OPEN:
        singular, plural = notices.plural_ids(
            lambda n: ngettext(
                "%(years)s year after %(partnership)s ended, please tell the programme what still runs: "
                "the follow-up is open and due on %(date)s.",
                "%(years)s years after %(partnership)s ended, please tell the programme what still runs: "
                "the follow-up is open and due on %(date)s.",
                n,
            )
        )
        return subject, notices.Notice(singular, values, plural)
    if step == FollowUpReminder.Step.DUE:
        return subject, notices.Notice(
            gettext_noop("The %(years)s-year follow-up of %(partnership)s is due today (%(date)s)."), values
        )
    return subject, notices.Notice(
        gettext_noop(
            "The %(years)s-year follow-up of %(partnership)s was due on %(date)s and is not answered yet."
        ),
        values,
    )


def follow_up_reminder_send(*, follow_up_id: int, step: str, today: datetime.date | None = None) -> bool:
    """Send one reminder step of a follow-up, once: True when this call sent it; False when it was sent before,
    is not due yet (by the host's date), the follow-up is answered or gone, or it has nobody to remind.

    The follow-up's row is locked, the sent-marker and the in-app notices are written in one transaction, and the
    emails (in each recipient's language) leave when it commits (see the module's docstring).

    Raises: nothing for a missing follow-up; database errors roll the step back (it is sent by the next run).
    """
    if step not in FollowUpReminder.Step.values:
        raise ValueError(step)
    with transaction.atomic():
        follow_up = (
            FollowUp.objects.select_for_update(of=("self",))
            .select_related("partnership")
            .filter(pk=follow_up_id)
            .first()
        )
        if follow_up is None or follow_up.is_answered:
            return False
        today = today or partnership_today(follow_up.partnership)
        if step_dates(follow_up)[step] > today:
            return False
        if FollowUpReminder.objects.filter(follow_up=follow_up, step=step).exists():
            return False
        recipients = list(
            User.objects.filter(follow_up_answerers_of(follow_up.partnership_id), is_active=True).order_by(
                "pk"
            )
        )
        FollowUpReminder.objects.create(follow_up=follow_up, step=step, recipients=len(recipients))
        subject, text = _message(follow_up, step)
        url = reverse("sustainability:follow_up", args=[follow_up.partnership.uuid, follow_up.uuid])
        notify(recipients, actor=None, message=text, subject=subject, url=url)
        return True


def reminders_due(*, today: datetime.date | None = None, limit: int = 1000) -> list[tuple[int, str]]:
    """(follow-up id, step) of every reminder step due by `today` (the server's date when not given; the sending
    service checks each against the host's date) and not sent yet, for unanswered follow-ups; at most `limit`.
    Two queries.

    Raises: nothing.
    """
    today = today or timezone.localdate()
    open_ups = list(
        FollowUp.objects.filter(answered_at__isnull=True, opens_on__lte=today)
        .only("pk", "opens_on", "due_date")
        .order_by("due_date", "pk")
    )
    sent = set(
        FollowUpReminder.objects.filter(follow_up__in=[f.pk for f in open_ups]).values_list(
            "follow_up_id", "step"
        )
    )
    due = []
    for follow_up in open_ups:
        for step, day in step_dates(follow_up).items():
            if day <= today and (follow_up.pk, step) not in sent:
                due.append((follow_up.pk, str(step)))
    return due[:limit]


def reminders_send_due(*, today: datetime.date | None = None) -> int:
    """Send every reminder step due and not sent yet (the sweep); returns how many this run sent.

    Raises: nothing.
    """
    return sum(follow_up_reminder_send(follow_up_id=pk, step=step) for pk, step in reminders_due(today=today))
