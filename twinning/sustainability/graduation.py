"""The graduation criteria of a programme's policy, evaluated for one partnership from what is recorded.

Each criterion says whether it applies (the policy may switch it off), whether it is met, and the evidence it read,
in words a reader can check against the pages it comes from. The evaluation is live while a review is open; the
decision keeps it as it stood (`GraduationReview.evidence`).

Criteria (the policy's fields):
- readiness: the combined score (0-100) of the partnership's latest completed transition-readiness round is at
  least `min_readiness_score`;
- indicators: at least `min_on_track_percent` % of the key indicators (the programme's common indicators in the
  plan in force; all its indicators when it adopted none) are graded "on track" (monitoring's grading, from the
  results reported so far against the targets to date); an indicator without results counts as not on track;
- transition plan: the partnership's transition plan is signed by every party it needs;
- actions: no open action is past its due date (joint actions of assessment rounds, and action items of period
  reviews).
"""

import datetime
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from twinning.core.rendering import labelled
from twinning.monitoring.models import ReviewComment
from twinning.monitoring.progress import Grade
from twinning.monitoring.selectors import partnership_progress
from twinning.partnerships.models import Partnership
from twinning.partnerships.selectors import partnership_today
from twinning.sustainability.models_transition import GraduationPolicy, TransitionPlan
from twinning.sustainability.scores import score_round
from twinning.sustainability.transition_services import graduation_policy, required_parties


@dataclass
class Criterion:
    """One criterion of a graduation review. `met` is None when it does not apply (switched off by the policy);
    `evidence` lists what was read, one line each."""

    code: str
    label: str
    met: bool | None
    summary: str
    evidence: list[str] = field(default_factory=list)

    @property
    def applies(self) -> bool:
        return self.met is not None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Evaluation:
    criteria: list[Criterion]
    evaluated_at: datetime.datetime

    @property
    def all_met(self) -> bool:
        """Every criterion that applies is met (True when none applies)."""
        return all(c.met for c in self.criteria if c.applies)

    @property
    def met_count(self) -> int:
        return sum(1 for c in self.criteria if c.met)

    @property
    def applying_count(self) -> int:
        return sum(1 for c in self.criteria if c.applies)


def format_number(value: Decimal) -> str:
    """A score or share in the reader's locale, rounded by `scores.score_round` (half-up) to one decimal at most
    ("70", "72.5", "72,5")."""
    shown = score_round(value)
    assert shown is not None
    return number_format(shown, decimal_pos=0 if shown == shown.to_integral_value() else 1)


def _pct(value: Decimal) -> str:
    return f"{format_number(value)} %"


def readiness_criterion(partnership: Partnership, policy: GraduationPolicy) -> Criterion:
    label = _("Transition readiness")
    if policy.min_readiness_score is None:
        return Criterion("readiness", label, None, _("Not checked by this programme."))
    from twinning.sustainability.graduation_readiness import latest_readiness

    threshold = policy.min_readiness_score
    found = latest_readiness(partnership)
    if found is None:
        return Criterion(
            "readiness",
            label,
            False,
            _("No completed transition-readiness round yet; at least %(min)s is needed.")
            % {"min": format_number(threshold)},
        )
    title, when, score = found
    met = score >= threshold
    return Criterion(
        "readiness",
        label,
        met,
        _("Combined score %(score)s of 100 (at least %(min)s needed).")
        % {"score": format_number(score), "min": format_number(threshold)},
        [_("%(round)s, completed %(date)s") % {"round": title, "date": date_format(when)}],
    )


def indicators_criterion(
    partnership: Partnership, policy: GraduationPolicy, today: datetime.date
) -> Criterion:
    label = _("Key indicators on track")
    if policy.min_on_track_percent is None:
        return Criterion("indicators", label, None, _("Not checked by this programme."))
    plan, rows = partnership_progress(partnership, today=today)
    if plan is None or not rows:
        return Criterion("indicators", label, False, _("No agreed plan with indicators."))
    key = [r for r in rows if r.indicator.is_common] or rows
    on_track = [r for r in key if r.grade == Grade.ON_TRACK]
    share = Decimal(len(on_track)) * 100 / Decimal(len(key))
    evidence = [
        labelled(str(r.indicator), r.grade_label or _("no results against a target yet")) for r in key
    ]
    return Criterion(
        "indicators",
        label,
        share >= policy.min_on_track_percent,
        _("%(on)s of %(all)s key indicators on track (%(share)s; at least %(min)s needed).")
        % {
            "on": len(on_track),
            "all": len(key),
            "share": _pct(share),
            "min": _pct(policy.min_on_track_percent),
        },
        evidence,
    )


def transition_plan_criterion(partnership: Partnership, policy: GraduationPolicy) -> Criterion:
    label = _("Transition plan signed")
    if not policy.require_signed_transition_plan:
        return Criterion("transition_plan", label, None, _("Not checked by this programme."))
    plan = TransitionPlan.objects.filter(partnership=partnership).prefetch_related("sign_offs").first()
    if plan is None:
        return Criterion("transition_plan", label, False, _("No transition plan yet."))
    signed = {s.party: s for s in plan.sign_offs.all()}
    evidence = [
        (
            _("%(party)s: signed %(date)s")
            % {"party": s.get_party_display(), "date": date_format(timezone.localdate(s.signed_at))}
        )
        if (s := signed.get(party))
        else _("%(party)s: not signed") % {"party": _party_label(party)}
        for party in required_parties(plan)
    ]
    if plan.is_signed:
        return Criterion("transition_plan", label, True, _("Signed by every party."), evidence)
    return Criterion("transition_plan", label, False, _("Not signed by every party yet."), evidence)


def _party_label(party: str) -> str:
    from twinning.sustainability.models_transition import TransitionSignOff

    return str(TransitionSignOff.Party(party).label)


def actions_criterion(partnership: Partnership, policy: GraduationPolicy, today: datetime.date) -> Criterion:
    label = _("No overdue open actions")
    if not policy.require_no_open_priority_actions:
        return Criterion("actions", label, None, _("Not checked by this programme."))
    from twinning.sustainability.graduation_readiness import overdue_joint_actions

    overdue: list[tuple[str, datetime.date | None]] = list(overdue_joint_actions(partnership, today))
    overdue += list(
        ReviewComment.objects.filter(
            report__partnership=partnership, is_action=True, done_at__isnull=True, due_date__lt=today
        )
        .order_by("due_date", "id")
        .values_list("body", "due_date")
    )
    overdue.sort(key=lambda pair: pair[1] or today)
    evidence = [
        _("%(action)s (due %(date)s)") % {"action": text[:120], "date": date_format(due or today)}
        for text, due in overdue
    ]
    if overdue:
        return Criterion(
            "actions",
            label,
            False,
            ngettext(
                "%(count)s open action is past its due date.",
                "%(count)s open actions are past their due date.",
                len(overdue),
            )
            % {"count": len(overdue)},
            evidence,
        )
    return Criterion("actions", label, True, _("No open action is past its due date."))


def evaluate(partnership: Partnership, *, today: datetime.date | None = None) -> Evaluation:
    """The programme's graduation criteria evaluated for the partnership now (about 12 queries: the indicators'
    progress is most of them).

    Raises: nothing.
    """
    today = today or partnership_today(partnership)
    policy = graduation_policy(partnership.programme)
    return Evaluation(
        criteria=[
            readiness_criterion(partnership, policy),
            indicators_criterion(partnership, policy, today),
            transition_plan_criterion(partnership, policy),
            actions_criterion(partnership, policy, today),
        ],
        evaluated_at=timezone.now(),
    )


def criteria_from_json(rows: list[dict[str, Any]]) -> list[Criterion]:
    """A decided review's kept evidence as Criterion rows (for its page and the API).

    Raises: nothing.
    """
    return [
        Criterion(
            code=str(r.get("code", "")),
            label=str(r.get("label", "")),
            met=r.get("met"),
            summary=str(r.get("summary", "")),
            evidence=[str(e) for e in r.get("evidence", [])],
        )
        for r in rows
    ]
