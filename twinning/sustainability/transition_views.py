"""Pages for transition plans, graduation reviews, follow-ups and a programme's graduation policy and pipeline."""

import datetime
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from twinning.accounts.access import PartnershipAccess, history_for_user, require
from twinning.core import charts
from twinning.core.exports import Column, Link, Table, export_response
from twinning.core.forms import add_service_errors
from twinning.core.http import AuthedRequest, post_only
from twinning.core.pagination import history_page
from twinning.partnerships.models import Partnership, Programme
from twinning.partnerships.selectors import (
    get_partnership_for_user,
    get_programme_for_staff,
    partnership_today,
)
from twinning.sustainability import follow_ups as follow_up_services
from twinning.sustainability import graduation_services
from twinning.sustainability import transition_services as services
from twinning.sustainability.graduation import criteria_from_json, evaluate
from twinning.sustainability.models_transition import (
    GraduationReview,
    TransitionItem,
    TransitionMilestone,
    TransitionPlan,
    TransitionRisk,
    TransitionSignOff,
)
from twinning.sustainability.transition_forms import (
    FollowUpAnswerForm,
    GraduationDecideForm,
    GraduationOpenForm,
    GraduationPolicyForm,
    SignForm,
    TransitionItemForm,
    TransitionMilestoneForm,
    TransitionPlanEditForm,
    TransitionPlanForm,
    TransitionRiskForm,
)
from twinning.sustainability.transition_selectors import (
    Pipeline,
    StillRunning,
    follow_up_list,
    get_follow_up,
    get_graduation_review,
    get_transition_plan,
    graduation_pipeline,
    graduation_reviews,
    still_running,
)

# --- transition plan -------------------------------------------------------------------------------------


def _plan_context(
    request: AuthedRequest,
    partnership: Partnership,
    access: PartnershipAccess,
    plan: TransitionPlan | None,
    **forms: Any,
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "partnership": partnership,
        "plan": plan,
        "can_edit": access.can_edit,
        "show_contacts": access.can_see_contacts,
    }
    if plan is None:
        return context
    signed = {s.party: s for s in plan.sign_offs.all()}
    parties = services.required_parties(plan)
    may_sign = access.can_sign_plan_for(requires_ministry=plan.requires_ministry_sign_off)
    context.update(
        required=[(TransitionSignOff.Party(p).label, signed.get(p)) for p in parties],
        sign_for=[
            (p, TransitionSignOff.Party(p).label) for p in parties if p in may_sign and p not in signed
        ],
        item_form=forms.get("item_form") or TransitionItemForm(partnership=partnership),
        risk_form=forms.get("risk_form") or TransitionRiskForm(),
        milestone_form=forms.get("milestone_form") or TransitionMilestoneForm(),
        sign_form=forms.get("sign_form") or SignForm(),
        events=history_page(request, history_for_user(request.user, plan)),
        history_full=access.can_enter_data,
    )
    return context


@login_required
def transition_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    partnership, access = get_partnership_for_user(request.user, partnership_uuid)
    plan = get_transition_plan(partnership)
    return render(
        request, "sustainability/transition.html", _plan_context(request, partnership, access, plan)
    )


@login_required
def transition_create_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    partnership, _access = get_partnership_for_user(request.user, partnership_uuid, write=True)
    form = TransitionPlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.transition_plan_create(actor=request.user, partnership=partnership, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The transition plan is drafted. Add what the host side takes over."))
            return redirect("sustainability:transition", partnership.uuid)
    return render(
        request,
        "sustainability/form.html",
        {"form": form, "partnership": partnership, "title": _("New transition plan")},
        status=400 if form.errors else 200,
    )


def _tell_signatures_withdrawn(request: AuthedRequest, change: services.PlanChange[Any]) -> None:
    """Say so when the change withdrew the plan's signatures, as the service found under its lock (a tester's
    finding, issue 13: reading the signatures here, before the service, raced with another person's change)."""
    if change.withdrew_signatures:
        messages.warning(
            request, _("The transition plan changed after it was signed; it needs signing again.")
        )


def _plan_or_404(partnership: Partnership) -> TransitionPlan:
    plan = get_transition_plan(partnership)
    if plan is None:
        raise Http404
    return plan


@login_required
def transition_edit_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    partnership, _access = get_partnership_for_user(request.user, partnership_uuid, write=True)
    plan = _plan_or_404(partnership)
    form = TransitionPlanEditForm(request.POST or None, instance=plan, initial={"version": plan.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            change = services.transition_plan_update(
                actor=request.user,
                plan=plan,
                data={k: data[k] for k in services.PLAN_FIELDS},
                expected_version=data["version"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your changes are saved."))
            _tell_signatures_withdrawn(request, change)
            return redirect("sustainability:transition", partnership.uuid)
    return render(
        request,
        "sustainability/form.html",
        {"form": form, "partnership": partnership, "title": _("Edit the transition plan")},
        status=400 if form.errors else 200,
    )


def _part_response(
    request: AuthedRequest,
    partnership: Partnership,
    access: PartnershipAccess,
    plan: TransitionPlan,
    **forms: Any,
) -> HttpResponse:
    """Back to the plan, or the plan's page with the refused form's errors."""
    if any(form.errors for form in forms.values()):
        context = _plan_context(request, partnership, access, _plan_or_404(partnership), **forms)
        return render(request, "sustainability/transition.html", context, status=400)
    return redirect(reverse("sustainability:transition", args=[partnership.uuid]))


@login_required
@post_only
def transition_item_add_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    partnership, access = get_partnership_for_user(request.user, partnership_uuid, write=True)
    plan = _plan_or_404(partnership)
    form = TransitionItemForm(request.POST, partnership=partnership)
    if form.is_valid():
        try:
            change = services.transition_item_add(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            _tell_signatures_withdrawn(request, change)
    return _part_response(request, partnership, access, plan, item_form=form)


@login_required
@post_only
def transition_risk_add_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    partnership, access = get_partnership_for_user(request.user, partnership_uuid, write=True)
    plan = _plan_or_404(partnership)
    form = TransitionRiskForm(request.POST)
    if form.is_valid():
        try:
            change = services.transition_risk_add(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            _tell_signatures_withdrawn(request, change)
    return _part_response(request, partnership, access, plan, risk_form=form)


@login_required
@post_only
def transition_milestone_add_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    partnership, access = get_partnership_for_user(request.user, partnership_uuid, write=True)
    plan = _plan_or_404(partnership)
    form = TransitionMilestoneForm(request.POST)
    if form.is_valid():
        try:
            change = services.transition_milestone_add(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            _tell_signatures_withdrawn(request, change)
    return _part_response(request, partnership, access, plan, milestone_form=form)


@login_required
@post_only
def transition_part_remove_view(
    request: AuthedRequest, partnership_uuid: UUID, part_uuid: UUID
) -> HttpResponse:
    partnership, _access = get_partnership_for_user(request.user, partnership_uuid, write=True)
    plan = _plan_or_404(partnership)
    parts: list[TransitionItem | TransitionRisk | TransitionMilestone] = [
        *plan.items.all(),
        *plan.risks.all(),
        *plan.milestones.all(),
    ]
    part = next((p for p in parts if p.uuid == part_uuid), None)
    if part is None:
        raise Http404
    part.plan = plan
    change = services.transition_part_remove(actor=request.user, part=part)
    messages.success(request, _("Removed from the transition plan."))
    _tell_signatures_withdrawn(request, change)
    return redirect("sustainability:transition", partnership.uuid)


@login_required
@post_only
def transition_sign_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    partnership, access = get_partnership_for_user(request.user, partnership_uuid)
    plan = _plan_or_404(partnership)
    form = SignForm(request.POST)
    if form.is_valid():
        try:
            data = form.cleaned_data
            services.transition_plan_sign(
                actor=request.user,
                plan=plan,
                party=data["party"],
                note=data["note"],
                expected_version=data["version"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your signature is recorded."))
    elif not access.can_sign_plan_for(requires_ministry=plan.requires_ministry_sign_off):
        raise PermissionDenied
    return _part_response(request, partnership, access, plan, sign_form=form)


# --- graduation ------------------------------------------------------------------------------------------


def _insider(request: AuthedRequest, partnership_uuid: UUID) -> tuple[Partnership, PartnershipAccess]:
    """Graduation reviews read the partnership's unapproved results: for insiders and the programme's viewers
    (`can_read_graduation`), not for the partnership's own readers (403)."""
    partnership, access = get_partnership_for_user(request.user, partnership_uuid)
    require(access.can_read_graduation)
    return partnership, access


@login_required
def graduation_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    partnership, access = _insider(request, partnership_uuid)
    reviews = graduation_reviews(partnership)
    open_review = next((r for r in reviews if r.is_open), None)
    context = {
        "partnership": partnership,
        "reviews": reviews,
        "open_review": open_review,
        "evaluation": evaluate(partnership),
        "can_decide": access.can_decide_graduation,
        # The policy page is the programme staff's (404 for the partnership's own people): no link for them.
        "sees_policy": access.programme.is_staff,
        "open_form": GraduationOpenForm(),
        "decide_form": GraduationDecideForm(initial={"version": open_review.version})
        if open_review
        else None,
    }
    return render(request, "sustainability/graduation.html", context)


@login_required
@post_only
def graduation_open_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    partnership, access = _insider(request, partnership_uuid)
    require(access.can_decide_graduation)
    form = GraduationOpenForm(request.POST)
    if form.is_valid():
        try:
            graduation_services.graduation_review_open(
                actor=request.user, partnership=partnership, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The graduation review is open."))
    return redirect("sustainability:graduation", partnership.uuid)


@login_required
def graduation_review_view(request: AuthedRequest, partnership_uuid: UUID, review_uuid: UUID) -> HttpResponse:
    partnership, access = _insider(request, partnership_uuid)
    review = get_graduation_review(partnership, review_uuid)
    evaluation = evaluate(partnership) if review.is_open else None
    form = GraduationDecideForm(
        request.POST or None,
        initial={"version": review.version},
        all_met=evaluation is not None and evaluation.all_met,
    )
    if request.method == "POST":
        require(access.can_decide_graduation)
        if form.is_valid():
            data = form.cleaned_data
            try:
                graduation_services.graduation_review_decide(
                    actor=request.user,
                    review=review,
                    decision=data["decision"],
                    reason=data["reason"],
                    decided_on=data["decided_on"],
                    extended_to=data["extended_to"],
                    expected_version=data["version"],
                    confirm_unmet=data.get("confirm_unmet", False),
                )
            except ValidationError as exc:
                # Nothing was saved: show the review as it is in the database, not the copy the service filled in.
                review.refresh_from_db()
                if review.is_open:
                    add_service_errors(form, exc)
                else:
                    form.add_error(None, exc.messages)
                    messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("The decision is recorded."))
                return redirect("sustainability:graduation_review", partnership.uuid, review.uuid)
    context = {
        "partnership": partnership,
        "review": review,
        "criteria": criteria_from_json(review.evidence) if evaluation is None else evaluation.criteria,
        "evaluation": evaluation,
        "decide_form": form if review.is_open and access.can_decide_graduation else None,
        "show_contacts": access.can_see_contacts,
        "events": history_page(request, history_for_user(request.user, review)),
        "history_full": True,
    }
    return render(
        request, "sustainability/graduation_review.html", context, status=400 if form.errors else 200
    )


# --- follow-ups ------------------------------------------------------------------------------------------


def _follow_ups_table(partnership: Partnership, rows: Any, today: Any) -> Table:
    return Table(
        key="follow-ups",
        title=_("Follow-ups of %(partnership)s") % {"partnership": partnership.title},
        columns=[
            Column(_("Follow-up")),
            Column(_("Open from"), "date"),
            Column(_("Due"), "date"),
            Column(_("Questions"), "number", places=0),
            Column(_("Status")),
        ],
        rows=[
            (
                Link(
                    ngettext("%(years)s year after the end", "%(years)s years after the end", f.years_after)
                    % {"years": f.years_after},
                    reverse("sustainability:follow_up", args=[partnership.uuid, f.uuid]),
                ),
                f.opens_on,
                f.due_date,
                f.question_count,
                _("Answered")
                if f.is_answered
                else _("Overdue")
                if f.is_overdue(today)
                else _("Open")
                if f.opens_on <= today
                else _("Scheduled"),
            )
            for f in rows
        ],
    )


@login_required
def follow_ups_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    partnership, _access = get_partnership_for_user(request.user, partnership_uuid)
    today = partnership_today(partnership)
    table = _follow_ups_table(partnership, follow_up_list(user=request.user, partnership=partnership), today)
    download = export_response(request, [table])
    if download is not None:
        return download
    return render(request, "sustainability/follow_ups.html", {"partnership": partnership, "table": table})


@login_required
def follow_up_view(request: AuthedRequest, partnership_uuid: UUID, follow_up_uuid: UUID) -> HttpResponse:
    partnership, access = get_partnership_for_user(request.user, partnership_uuid)
    follow_up = get_follow_up(partnership, follow_up_uuid)
    today = partnership_today(partnership)
    form = FollowUpAnswerForm(request.POST or None, follow_up=follow_up)
    if request.method == "POST":
        require(access.can_answer_follow_up)
        if form.is_valid():
            data = form.cleaned_data
            try:
                follow_up_services.follow_up_answer(
                    actor=request.user,
                    follow_up=follow_up,
                    answers=form.answers(),
                    staff_retained=data["staff_retained"],
                    partner_contact=data["partner_contact"],
                    comment=data["comment"],
                    expected_version=data["version"],
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    form.add_item_errors(exc.message_dict)
                else:
                    form.add_error(None, exc.messages)
            else:
                messages.success(request, _("Thank you: your answers are saved."))
                return redirect("sustainability:follow_up", partnership.uuid, follow_up.uuid)
    context = {
        "partnership": partnership,
        "follow_up": follow_up,
        "questions": list(follow_up.items.all()),
        "form": form if access.can_answer_follow_up and follow_up.opens_on <= today else None,
        "is_open": follow_up.opens_on <= today,
        "overdue": follow_up.is_overdue(today),
        "show_contacts": access.can_see_contacts,
        "events": history_page(request, history_for_user(request.user, follow_up)),
        "history_full": access.can_enter_data,
    }
    return render(request, "sustainability/follow_up.html", context, status=400 if form.errors else 200)


# --- the programme ---------------------------------------------------------------------------------------


@login_required
def policy_view(request: AuthedRequest, programme_uuid: UUID) -> HttpResponse:
    programme = get_programme_for_staff(request.user, programme_uuid, write=request.method == "POST")
    policy = services.graduation_policy(programme)
    form = GraduationPolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        try:
            services.graduation_policy_set(
                actor=request.user,
                programme=programme,
                data={k: form.cleaned_data[k] for k in services.POLICY_FIELDS},
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The graduation policy is saved."))
            return redirect("sustainability:policy", programme.uuid)
    return render(
        request,
        "sustainability/policy.html",
        {"programme": programme, "form": form, "can_edit": _can_edit_programme(request, programme)},
        status=400 if form.errors else 200,
    )


def _can_edit_programme(request: AuthedRequest, programme: Any) -> bool:
    from twinning.accounts.access import programme_access

    return programme_access(request.user, programme.pk).can_edit


def _pipeline_table(pipeline: Pipeline) -> Table:
    plan_labels = {"none": _("None yet"), "draft": _("Drafted, not signed"), "signed": _("Signed")}
    decisions = dict(GraduationReview.Decision.choices)
    return Table(
        key="graduation-pipeline",
        title=_("Graduation pipeline"),
        columns=[
            Column(_("Partnership")),
            Column(_("Stage")),
            Column(_("Transition plan")),
            Column(_("Review")),
            Column(_("Follow-ups answered"), "number", places=0),
            Column(_("Follow-ups overdue"), "number", places=0),
        ],
        rows=[
            (
                Link(
                    row.partnership.title, reverse("sustainability:graduation", args=[row.partnership.uuid])
                ),
                row.partnership.get_stage_display(),
                plan_labels[row.plan_status],
                _("Open") if row.open_review else str(decisions.get(row.last_decision, "—")),
                row.follow_ups_answered,
                row.follow_ups_due,
            )
            for row in pipeline.rows
        ],
    )


def _still_running_table(rows: list[StillRunning]) -> Table:
    kinds = dict(TransitionItem.Kind.choices)
    return Table(
        key="still-running",
        title=_("Still running after the end"),
        columns=[
            Column(_("Years after the end"), "number", places=0),
            Column(_("Of")),
            Column(_("Follow-ups answered"), "number", places=0),
            Column(_("Asked about"), "number", places=0),
            Column(_("Still running (%)"), "percent"),
            Column(_("As they were (%)"), "percent"),
            Column(_("Adapted (%)"), "percent"),
            Column(_("Stopped (%)"), "percent"),
        ],
        rows=[
            (
                r.years,
                str(kinds.get(r.kind, r.kind)),
                r.follow_ups,
                r.asked,
                r.still_running_percent,
                r.running_percent,
                r.adapted_percent,
                r.stopped_percent,
            )
            for r in rows
        ],
    )


def programme_transition_context(programme: Programme, *, today: datetime.date) -> dict[str, Any]:
    """What the programme sustainability view's "graduation and after" section shows (the partial
    `sustainability/includes/programme_transition.html`): the pipeline and the share still running, each as a
    table (with its downloads) and a chart. A fixed number of queries (about seven).

    Raises: nothing.
    """
    pipeline = graduation_pipeline(programme, today=today)
    running = still_running(programme)
    kinds = dict(TransitionItem.Kind.choices)
    chart_rows = [
        (
            ngettext("%(kind)s after %(years)s year", "%(kind)s after %(years)s years", r.years)
            % {"kind": kinds.get(r.kind, r.kind), "years": r.years},
            [r.still_running_percent],
        )
        for r in running
    ]
    return {
        "pipeline": pipeline,
        "pipeline_table": _pipeline_table(pipeline),
        "still_running_table": _still_running_table(running),
        "still_running_chart": charts.bar_chart(chart_rows, title=_("Still running (%)")) if running else "",
        "transition_tables": [_pipeline_table(pipeline), _still_running_table(running)],
    }


@login_required
def programme_transition_view(request: AuthedRequest, programme_uuid: UUID) -> HttpResponse:
    """The former "Graduation and after" page, now a section of the programme's one sustainability page: old
    links (and their downloads) land there."""
    programme = get_programme_for_staff(request.user, programme_uuid)
    url = reverse("sustainability:programme", args=[programme.uuid])
    query = request.GET.urlencode()
    return redirect(f"{url}?{query}" if query else f"{url}#graduation-pipeline")
