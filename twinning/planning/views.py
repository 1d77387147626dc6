"""The plan page of a partnership and the programme's indicators page, with their forms.

The plan page's sections (#process, #objectives) are template partials: an htmx form posts and gets its
section back; a plain browser is redirected, or shown the page with the form's errors.
"""

from decimal import Decimal
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from twinning.accounts.access import (
    PartnershipAccess,
    can_edit_indicator,
    history_for_user,
    is_programme_editor,
)
from twinning.core.forms import add_service_errors
from twinning.core.http import AuthedRequest, post_only
from twinning.core.pagination import history_page
from twinning.partnerships.models import Partnership
from twinning.partnerships.selectors import get_partnership_for_user, get_programme_for_user
from twinning.planning import services
from twinning.planning.forms import (
    ActivityForm,
    AdoptForm,
    DisaggregationForm,
    EventForm,
    IndicatorForm,
    NewVersionForm,
    ObjectiveForm,
    OptionForm,
    ParticipantForm,
    PlanForm,
    PlanIndicatorForm,
    ProgressForm,
    SignOffForm,
    parse_target_cell,
)
from twinning.planning.models import (
    Activity,
    DisaggregationCategory,
    Objective,
    Plan,
    PlanIndicator,
    PlanningEvent,
    PlanSignOff,
)
from twinning.planning.selectors import (
    common_indicators,
    disaggregations,
    get_indicator_for_user,
    get_plan_for_user,
    indicators_for_plan,
    own_indicators,
    plan_page_detail,
    plan_sign_offs,
    plan_versions,
    require_plan_readable,
)
from twinning.planning.templatetags.planning import plain_number

# --- the plan page --------------------------------------------------------------------------------


def _plan_context(
    request: AuthedRequest,
    partnership: Partnership,
    access: PartnershipAccess,
    plan: Plan | None,
    **forms: Any,
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "partnership": partnership,
        "access": access,
        "plan": plan,
        # The page's costliest sections are kept rendered ({% cached_section %}), but never with a form's input.
        "cache_sections": not forms,
        # Read only where the sections holding them are rendered, not read back from the cache.
        "own_indicators": SimpleLazyObject(lambda: list(own_indicators(partnership))),
    }
    if plan is None:
        context["plan_form"] = forms.get("plan_form") or PlanForm()
        return context
    sign_offs = plan_sign_offs(plan)
    draft = plan.status == Plan.Status.DRAFT
    editable = access.can_edit and draft
    signable = access.can_sign_plan_for(requires_ministry=plan.requires_ministry_sign_off) if draft else []
    signed = {s.party: s for s in sign_offs}
    context.update(
        {
            "detail": SimpleLazyObject(lambda: plan_page_detail(plan, sign_offs=sign_offs)),
            "versions": SimpleLazyObject(lambda: plan_versions(partnership, drafts=access.can_see_drafts)),
            "editable": editable,
            "can_track": access.can_edit and plan.status != Plan.Status.SUPERSEDED,
            # Translated once here, not once per activity's status list.
            "activity_statuses": [(value, str(label)) for value, label in Activity.Status.choices],
            "parties": [
                {
                    "code": party,
                    "label": PlanSignOff.Party(party).label,
                    "sign_off": signed.get(party),
                    "can_sign": party in signable and party not in signed,
                }
                for party in services.required_parties(plan)
            ],
            "events": history_page(request, history_for_user(request.user, plan)),
            "history_full": access.can_edit,
            "sign_form": SignOffForm(),
            "new_version_form": forms.get("new_version_form") or NewVersionForm(),
            "event_form": forms.get("event_form") or EventForm(),
            "participant_form": ParticipantForm(),
            "participant_errors": forms.get("participant_errors"),
            "progress_form": forms.get("progress_form"),
        }
    )
    if editable:
        context["objective_form"] = forms.get("objective_form") or ObjectiveForm(partnership=partnership)
        context["activity_form"] = forms.get("activity_form") or ActivityForm(plan=plan)
        context["adopt_form"] = forms.get("adopt_form") or AdoptForm(
            plan=plan,
            indicators=indicators_for_plan(plan)
            .exclude(pk__in=plan.plan_indicators.values("indicator_id"))  # type: ignore[attr-defined]
            .order_by("code"),
        )
    return context


def _section_response(
    request: AuthedRequest,
    partnership: Partnership,
    access: PartnershipAccess,
    plan: Plan,
    section: str,
    **forms: Any,
) -> HttpResponse:
    # A participant's refused form comes as {"event": uuid, "form": form}.
    has_errors = any(
        getattr(form.get("form") if isinstance(form, dict) else form, "errors", None)
        for form in forms.values()
    )
    if request.htmx:
        context = _plan_context(request, partnership, access, plan, **forms)
        return render(request, f"planning/includes/{section}.html", context)
    if has_errors:
        context = _plan_context(request, partnership, access, plan, **forms)
        return render(request, "planning/plan.html", context, status=400)
    return redirect(f"{plan_url(plan)}#{section}")


def plan_url(plan: Plan) -> str:
    if plan.status == Plan.Status.SUPERSEDED:
        return reverse("planning:version", args=[plan.partnership.uuid, plan.uuid])
    return reverse("planning:plan", args=[plan.partnership.uuid])


@login_required
def plan_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    plan, partnership, access = get_plan_for_user(request.user, partnership_uuid)
    return render(request, "planning/plan.html", _plan_context(request, partnership, access, plan))


@login_required
def plan_version_view(request: AuthedRequest, partnership_uuid: UUID, plan_uuid: UUID) -> HttpResponse:
    plan, partnership, access = get_plan_for_user(request.user, partnership_uuid, plan_uuid)
    return render(request, "planning/plan.html", _plan_context(request, partnership, access, plan))


@login_required
@post_only
def plan_create_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    partnership, access = get_partnership_for_user(request.user, partnership_uuid, write=True)
    form = PlanForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_create(
                actor=request.user,
                partnership=partnership,
                title=data["title"],
                first_year=data["first_year"],
                last_year=data["last_year"],
                requires_ministry_sign_off=data["requires_ministry_sign_off"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The draft plan is created."))
            return redirect("planning:plan", partnership.uuid)
    context = _plan_context(request, partnership, access, None, plan_form=form)
    return render(request, "planning/plan.html", context, status=400)


def _plan_for_write(request: AuthedRequest, partnership_uuid: UUID, plan_uuid: UUID) -> tuple[Plan, Any, Any]:
    plan, partnership, access = get_plan_for_user(request.user, partnership_uuid, plan_uuid, write=True)
    assert plan is not None
    return plan, partnership, access


@login_required
def plan_edit_view(request: AuthedRequest, partnership_uuid: UUID, plan_uuid: UUID) -> HttpResponse:
    plan, _partnership, _access = _plan_for_write(request, partnership_uuid, plan_uuid)
    form = PlanForm(request.POST or None, instance=plan, initial={"version": plan.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_update(
                actor=request.user,
                plan=plan,
                data={k: data[k] for k in ("title", "first_year", "last_year", "requires_ministry_sign_off")},
                expected_version=data["version"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect(plan_url(plan))
    return _form_page(request, form, _("Edit the plan"), plan_url(plan))


def _form_page(request: AuthedRequest, form: Any, title: str, back: str, **extra: Any) -> HttpResponse:
    return render(
        request,
        "planning/form.html",
        {"form": form, "title": title, "back": back, **extra},
        status=400 if form.errors else 200,
    )


@login_required
@post_only
def plan_sign_view(request: AuthedRequest, partnership_uuid: UUID, plan_uuid: UUID) -> HttpResponse:
    # Only those who change the partnership sign (coordinators, programme editors); the service decides
    # which party each may sign for (403 otherwise).
    plan, _partnership, _access = get_plan_for_user(request.user, partnership_uuid, plan_uuid, write=True)
    assert plan is not None
    form = SignOffForm(request.POST)
    if form.is_valid():
        try:
            services.plan_sign_off(
                actor=request.user,
                plan=plan,
                party=form.cleaned_data["party"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            plan.refresh_from_db()
            if plan.status == Plan.Status.AGREED:
                messages.success(request, _("Signed. Every party has signed: the plan is agreed."))
            else:
                messages.success(request, _("Signed."))
    else:
        messages.error(request, _("Choose who you sign for."))
    return redirect(plan_url(plan))


@login_required
@post_only
def plan_new_version_view(request: AuthedRequest, partnership_uuid: UUID, plan_uuid: UUID) -> HttpResponse:
    plan, partnership, access = _plan_for_write(request, partnership_uuid, plan_uuid)
    form = NewVersionForm(request.POST)
    if form.is_valid():
        try:
            new = services.plan_new_version(actor=request.user, plan=plan, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Version %(number)s is drafted from the agreed plan.") % {"number": new.number}
            )
            return redirect("planning:plan", partnership.uuid)
    context = _plan_context(request, partnership, access, plan, new_version_form=form)
    return render(request, "planning/plan.html", context, status=400)


# --- the planning process -------------------------------------------------------------------------


@login_required
@post_only
def event_add_view(request: AuthedRequest, partnership_uuid: UUID, plan_uuid: UUID) -> HttpResponse:
    plan, partnership, access = _plan_for_write(request, partnership_uuid, plan_uuid)
    form = EventForm(request.POST)
    if form.is_valid():
        try:
            services.planning_event_create(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            form = EventForm()
    return _section_response(request, partnership, access, plan, "process", event_form=form)


def _event(
    request: AuthedRequest, partnership_uuid: UUID, event_uuid: UUID
) -> tuple[PlanningEvent, Any, Any]:
    partnership, access = get_partnership_for_user(request.user, partnership_uuid, write=True)
    event = (
        PlanningEvent.objects.filter(plan__partnership=partnership, uuid=event_uuid)
        .select_related("plan")
        .first()
    )
    if event is None:
        raise Http404
    event.plan.partnership = partnership
    return event, partnership, access


@login_required
@post_only
def participant_add_view(request: AuthedRequest, partnership_uuid: UUID, event_uuid: UUID) -> HttpResponse:
    event, partnership, access = _event(request, partnership_uuid, event_uuid)
    form = ParticipantForm(request.POST)
    errors = None
    if form.is_valid():
        try:
            services.planning_participant_add(actor=request.user, event=event, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
    if form.errors:
        errors = {"event": event.uuid, "form": form}
    return _section_response(request, partnership, access, event.plan, "process", participant_errors=errors)


@login_required
@post_only
def participant_remove_view(
    request: AuthedRequest, partnership_uuid: UUID, event_uuid: UUID, participant_id: int
) -> HttpResponse:
    event, partnership, access = _event(request, partnership_uuid, event_uuid)
    participant = event.participants.filter(pk=participant_id).first()
    if participant is None:
        raise Http404
    participant.event = event
    try:
        services.planning_participant_remove(actor=request.user, participant=participant)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _section_response(request, partnership, access, event.plan, "process")


# --- objectives, activities, adopted indicators ---------------------------------------------------


@login_required
@post_only
def objective_add_view(request: AuthedRequest, partnership_uuid: UUID, plan_uuid: UUID) -> HttpResponse:
    plan, partnership, access = _plan_for_write(request, partnership_uuid, plan_uuid)
    form = ObjectiveForm(request.POST, partnership=partnership)
    if form.is_valid():
        try:
            services.objective_create(actor=request.user, plan=plan, **_without(form.cleaned_data, "version"))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            form = ObjectiveForm(partnership=partnership)
    return _section_response(request, partnership, access, plan, "objectives", objective_form=form)


def _without(data: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in names}


def _plan_child(
    request: AuthedRequest, partnership_uuid: UUID, model: Any, uuid: UUID, path: str
) -> tuple[Any, Any, Any]:
    """A record of one of the partnership's plans, with write access checked (404 outside, 403 read-only)."""
    partnership, access = get_partnership_for_user(request.user, partnership_uuid, write=True)
    obj = (
        model.objects.filter(**{f"{path}__partnership": partnership, "uuid": uuid})
        .select_related(path)
        .first()
    )
    if obj is None:
        raise Http404
    plan = obj
    for part in path.split("__"):
        plan = getattr(plan, part)
    plan.partnership = partnership
    return obj, partnership, access


@login_required
def objective_edit_view(request: AuthedRequest, partnership_uuid: UUID, objective_uuid: UUID) -> HttpResponse:
    objective, partnership, _access = _plan_child(
        request, partnership_uuid, Objective, objective_uuid, "plan"
    )
    form = ObjectiveForm(
        request.POST or None,
        instance=objective,
        partnership=partnership,
        initial={"version": objective.version},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.objective_update(
                actor=request.user,
                objective=objective,
                data={k: data[k] for k in ("code", "statement", "pillar", "priorities")},
                expected_version=data["version"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect(f"{plan_url(objective.plan)}#objectives")
    return _form_page(
        request, form, _("Edit objective %(code)s") % {"code": objective.code}, plan_url(objective.plan)
    )


@login_required
@post_only
def objective_delete_view(
    request: AuthedRequest, partnership_uuid: UUID, objective_uuid: UUID
) -> HttpResponse:
    objective, partnership, access = _plan_child(request, partnership_uuid, Objective, objective_uuid, "plan")
    try:
        services.objective_delete(actor=request.user, objective=objective)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _section_response(request, partnership, access, objective.plan, "objectives")


@login_required
@post_only
def activity_add_view(request: AuthedRequest, partnership_uuid: UUID, plan_uuid: UUID) -> HttpResponse:
    plan, partnership, access = _plan_for_write(request, partnership_uuid, plan_uuid)
    form = ActivityForm(request.POST, plan=plan)
    if form.is_valid():
        try:
            services.activity_create(actor=request.user, **_without(form.cleaned_data, "version"))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            form = ActivityForm(plan=plan)
    return _section_response(request, partnership, access, plan, "objectives", activity_form=form)


@login_required
def activity_edit_view(request: AuthedRequest, partnership_uuid: UUID, activity_uuid: UUID) -> HttpResponse:
    activity, _partnership, _access = _plan_child(
        request, partnership_uuid, Activity, activity_uuid, "objective__plan"
    )
    plan = activity.objective.plan
    form = ActivityForm(
        request.POST or None, instance=activity, plan=plan, initial={"version": activity.version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_update(
                actor=request.user,
                activity=activity,
                data=_without(form.cleaned_data, "version"),
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect(f"{plan_url(plan)}#objectives")
    return _form_page(request, form, _("Edit activity"), plan_url(plan))


@login_required
@post_only
def activity_progress_view(
    request: AuthedRequest, partnership_uuid: UUID, activity_uuid: UUID
) -> HttpResponse:
    activity, partnership, access = _plan_child(
        request, partnership_uuid, Activity, activity_uuid, "objective__plan"
    )
    form = ProgressForm(request.POST, instance=activity)
    if form.is_valid():
        try:
            services.activity_progress_update(
                actor=request.user,
                activity=activity,
                status=form.cleaned_data["status"],
                progress_note=form.cleaned_data["progress_note"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
    if form.errors:
        # The row comes back with what was typed and why it was refused (someone else's change, a bad value), and
        # the current values to compare; saving again replaces them. Without JavaScript the whole page comes back,
        # so the reason is said at its top as well.
        if not request.htmx:
            messages.error(
                request, _("The progress could not be saved: %(errors)s") % {"errors": _errors_text(form)}
            )
        return _section_response(
            request, partnership, access, activity.objective.plan, "objectives", progress_form=form
        )
    return _section_response(request, partnership, access, activity.objective.plan, "objectives")


def _errors_text(form: Any) -> str:
    return " ".join(str(message) for messages_ in form.errors.values() for message in messages_)


@login_required
@post_only
def activity_delete_view(request: AuthedRequest, partnership_uuid: UUID, activity_uuid: UUID) -> HttpResponse:
    activity, partnership, access = _plan_child(
        request, partnership_uuid, Activity, activity_uuid, "objective__plan"
    )
    try:
        services.activity_delete(actor=request.user, activity=activity)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _section_response(request, partnership, access, activity.objective.plan, "objectives")


@login_required
@post_only
def adopt_view(request: AuthedRequest, partnership_uuid: UUID, plan_uuid: UUID) -> HttpResponse:
    plan, partnership, access = _plan_for_write(request, partnership_uuid, plan_uuid)
    form = AdoptForm(request.POST, plan=plan, indicators=indicators_for_plan(plan))
    if form.is_valid():
        try:
            services.plan_indicator_adopt(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            # A fresh form, built by the page, offers only the indicators not adopted yet.
            return _section_response(request, partnership, access, plan, "objectives")
    return _section_response(request, partnership, access, plan, "objectives", adopt_form=form)


def _adoption_for_user(
    request: AuthedRequest, partnership_uuid: UUID, plan_indicator_uuid: UUID
) -> tuple[PlanIndicator, Any]:
    """An adopted indicator of a partnership the user may see (404 otherwise); a write needs edit rights (403)."""
    partnership, access = get_partnership_for_user(request.user, partnership_uuid)
    adoption = (
        PlanIndicator.objects.filter(plan__partnership=partnership, uuid=plan_indicator_uuid)
        .select_related("plan", "objective", "indicator")
        .first()
    )
    if adoption is None:
        raise Http404
    if request.method == "POST" and not access.can_edit:
        raise PermissionDenied
    require_plan_readable(adoption.plan, access)
    adoption.plan.partnership = partnership
    return adoption, access


def _plan_indicator_page(
    request: AuthedRequest,
    adoption: PlanIndicator,
    access: Any,
    *,
    form: PlanIndicatorForm | None = None,
    grid: dict[str, Any] | None = None,
    grid_errors: dict[str, list[str]] | None = None,
) -> HttpResponse:
    plan = adoption.plan
    form = form or PlanIndicatorForm(
        instance=adoption,
        plan=plan,
        initial={"version": adoption.version, "objective": adoption.objective.uuid},
    )
    grid_errors = grid_errors or {}
    context = {
        "partnership": plan.partnership,
        "access": access,
        "plan": plan,
        "adoption": adoption,
        "indicator": adoption.indicator,
        "form": form,
        "grid": grid or _targets_grid(adoption),
        "grid_errors": grid_errors.get("__all__", []),
        "has_grid_errors": bool(grid_errors),
        "editable": access.can_edit and plan.status == Plan.Status.DRAFT,
        "events": history_page(request, history_for_user(request.user, adoption)),
        "history_full": access.can_edit,
    }
    status = 400 if form.errors or grid_errors else 200
    return render(request, "planning/plan_indicator.html", context, status=status)


@login_required
def plan_indicator_view(
    request: AuthedRequest, partnership_uuid: UUID, plan_indicator_uuid: UUID
) -> HttpResponse:
    """An adopted indicator: its baseline and end target (changed here), and the targets grid (periods x
    options, saved by `targets_save_view`)."""
    adoption, access = _adoption_for_user(request, partnership_uuid, plan_indicator_uuid)
    if request.method != "POST":
        return _plan_indicator_page(request, adoption, access)
    form = PlanIndicatorForm(request.POST, instance=adoption, plan=adoption.plan)
    if form.is_valid():
        try:
            services.plan_indicator_update(
                actor=request.user,
                plan_indicator=adoption,
                data=_without(form.cleaned_data, "version"),
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect(request.path)
    return _plan_indicator_page(request, adoption, access, form=form)


@login_required
@post_only
def targets_save_view(
    request: AuthedRequest, partnership_uuid: UUID, plan_indicator_uuid: UUID
) -> HttpResponse:
    """Save the targets grid of an adopted indicator, or nothing: every cell is checked first. Only the cells
    the person changed are written, so another person's change to other cells stays; a cell both changed is
    a conflict, shown with their value and the typed one kept."""
    adoption, access = _adoption_for_user(request, partnership_uuid, plan_indicator_uuid)
    grid = _targets_grid(adoption)
    grid_errors: dict[str, list[str]] = {}
    conflicts: set[str] = set()
    values, seen = _grid_values(request, grid, grid_errors)
    if not grid_errors:
        try:
            count = services.targets_save(
                actor=request.user, plan_indicator=adoption, values=values, seen=seen
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                grid_errors = exc.message_dict
                conflicts = {
                    key
                    for key, found in exc.error_dict.items()
                    if any(e.code == "target_conflict" for e in found)
                }
            else:
                grid_errors = {"__all__": exc.messages}
        else:
            messages.success(request, _("Targets saved (%(count)s changed).") % {"count": count})
            return redirect("planning:plan_indicator", adoption.plan.partnership.uuid, adoption.uuid)
    _fill_grid(grid, request.POST, grid_errors, conflicts)
    return _plan_indicator_page(request, adoption, access, grid=grid, grid_errors=grid_errors)


def _machine(value: Decimal | None) -> str:
    """A target as the grid's hidden `seen-` field carries it: machine form, whatever the reader's language."""
    return "" if value is None else format(value.normalize(), "f")


def _targets_grid(adoption: PlanIndicator) -> dict[str, Any]:
    """Rows are the indicator's periods over the plan's years; columns "overall" then each option."""
    indicator = adoption.indicator
    columns: list[dict[str, Any]] = [{"key": "_all", "label": _("Overall"), "category": "", "option": None}]
    for category in indicator.categories.prefetch_related("options").order_by("name"):
        columns += [
            {"key": f"{category.code}.{o.code}", "label": str(o), "category": str(category), "option": o}
            for o in category.options.all()
        ]
    values = {(t.period, t.option_id): t.value for t in adoption.targets.all()}
    rows = []
    for period in services.plan_periods(adoption.plan, indicator.frequency):
        cells = []
        for column in columns:
            option = column["option"]
            value = values.get((period.id, option.pk if option else None))
            cells.append(
                {
                    "name": f"t-{period.id}-{column['key']}",
                    "label": column["label"],
                    "value": plain_number(value),
                    "seen": _machine(value),
                    "errors": [],
                }
            )
        rows.append({"period": period, "cells": cells})
    return {"columns": columns, "rows": rows}


TargetCells = dict[tuple[str, Any], Decimal | None]


def _grid_values(
    request: AuthedRequest, grid: dict[str, Any], errors: dict[str, list[str]]
) -> tuple[TargetCells, TargetCells]:
    """(values, seen) of the cells to save: a cell whose `seen-` field came back equal to what is typed was not
    changed by the person and is left out; without `seen-` fields (an older page) every cell is saved."""
    values: TargetCells = {}
    seen: TargetCells = {}
    for row in grid["rows"]:
        for column, cell in zip(grid["columns"], row["cells"], strict=True):
            raw = request.POST.get(cell["name"], "")
            option = column["option"]
            key = f"{row['period'].id}/{option.code}" if option else row["period"].id
            try:
                value = parse_target_cell(raw)
            except ValidationError as exc:
                errors[key] = exc.messages
                continue
            place = (row["period"].id, option)
            before = request.POST.get(f"seen-{cell['name']}")
            if before is not None:
                try:
                    was = Decimal(before) if before.strip() else None
                except ArithmeticError:
                    was = None  # tampered with: save the cell, checked against "no target"
                if was == value:
                    continue
                seen[place] = was
            values[place] = value
    return values, seen


def _fill_grid(grid: dict[str, Any], data: Any, errors: dict[str, list[str]], conflicts: set[str]) -> None:
    """Show what the person typed, with each cell's own errors, after a refused save. A conflicting cell's
    `seen-` value moves to the stored one (the grid's), so saving again replaces it knowingly."""
    for row in grid["rows"]:
        for column, cell in zip(grid["columns"], row["cells"], strict=True):
            cell["value"] = data.get(cell["name"], "")
            option = column["option"]
            key = f"{row['period'].id}/{option.code}" if option else row["period"].id
            cell["errors"] = errors.get(key, [])
            if key not in conflicts and f"seen-{cell['name']}" in data:
                cell["seen"] = data[f"seen-{cell['name']}"]


@login_required
@post_only
def plan_indicator_remove_view(
    request: AuthedRequest, partnership_uuid: UUID, plan_indicator_uuid: UUID
) -> HttpResponse:
    adoption, partnership, access = _plan_child(
        request, partnership_uuid, PlanIndicator, plan_indicator_uuid, "plan"
    )
    try:
        services.plan_indicator_remove(actor=request.user, plan_indicator=adoption)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _section_response(request, partnership, access, adoption.plan, "objectives")


# --- indicators -----------------------------------------------------------------------------------


def _indicator_data(form: IndicatorForm) -> dict[str, Any]:
    return _without(form.cleaned_data, "version")


@login_required
def own_indicator_create_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    partnership, _access = get_partnership_for_user(request.user, partnership_uuid, write=True)
    programme = partnership.programme
    form = IndicatorForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_create(
                actor=request.user, programme=programme, partnership=partnership, **_indicator_data(form)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("The indicator is defined; adopt it into the plan under an objective.")
            )
            return redirect("planning:plan", partnership.uuid)
    back = reverse("planning:plan", args=[partnership.uuid])
    return _form_page(request, form, _("New indicator of %(title)s") % {"title": partnership.title}, back)


@login_required
def common_indicator_create_view(request: AuthedRequest, programme_uuid: UUID) -> HttpResponse:
    programme = get_programme_for_user(request.user, programme_uuid, write=True)
    form = IndicatorForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_create(actor=request.user, programme=programme, **_indicator_data(form))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The common indicator is defined."))
            return redirect("planning:indicators", programme.uuid)
    back = reverse("planning:indicators", args=[programme.uuid])
    return _form_page(request, form, _("New common indicator"), back)


@login_required
def indicator_edit_view(request: AuthedRequest, indicator_uuid: UUID) -> HttpResponse:
    indicator = get_indicator_for_user(request.user, indicator_uuid)
    if not can_edit_indicator(request.user, indicator):
        raise PermissionDenied
    form = IndicatorForm(
        request.POST or None,
        instance=indicator,
        programme=indicator.programme,
        initial={"version": indicator.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_update(
                actor=request.user,
                indicator=indicator,
                data=_indicator_data(form),
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your changes are saved; every plan that adopted it shows them."))
            return redirect(_indicator_home(indicator))
    return _form_page(
        request,
        form,
        _("Edit indicator %(code)s") % {"code": indicator.code},
        _indicator_home(indicator),
        history=history_page(request, history_for_user(request.user, indicator)),
    )


def _indicator_home(indicator: Any) -> str:
    if indicator.partnership_id:
        return reverse("planning:plan", args=[indicator.partnership.uuid])
    return reverse("planning:indicators", args=[indicator.programme.uuid])


def _indicators_context(request: AuthedRequest, programme: Any, **forms: Any) -> dict[str, Any]:
    live = ~Q(adoptions__plan__status=Plan.Status.SUPERSEDED)
    return {
        "programme": programme,
        "indicators": common_indicators(programme).annotate(
            adopted=Count("adoptions", filter=live & Q(adoptions__isnull=False), distinct=True)
        ),
        "categories": disaggregations(programme),
        "can_edit": is_programme_editor(request.user, programme.pk),
        "history_full": is_programme_editor(request.user, programme.pk),
        "category_form": forms.get("category_form") or DisaggregationForm(),
        "option_errors": forms.get("option_errors"),
        "option_form": OptionForm(),
        "events": history_page(
            request,
            history_for_user(request.user, programme).filter(
                Q(target_type__model__in=["indicator", "disaggregationcategory", "disaggregationoption"])
            ),
        ),
    }


@login_required
def indicators_view(request: AuthedRequest, programme_uuid: UUID) -> HttpResponse:
    """The programme's common indicators and disaggregations: readable by its staff and partnership members."""
    programme = get_programme_for_user(request.user, programme_uuid)
    return render(request, "planning/indicators.html", _indicators_context(request, programme))


def _disaggregations_response(request: AuthedRequest, programme: Any, **forms: Any) -> HttpResponse:
    has_errors = any(getattr(f, "errors", None) or (isinstance(f, dict) and f) for f in forms.values() if f)
    context = _indicators_context(request, programme, **forms)
    if request.htmx:
        return render(request, "planning/includes/disaggregations.html", context)
    if has_errors:
        return render(request, "planning/indicators.html", context, status=400)
    return redirect(reverse("planning:indicators", args=[programme.uuid]) + "#disaggregations")


@login_required
@post_only
def disaggregation_add_view(request: AuthedRequest, programme_uuid: UUID) -> HttpResponse:
    programme = get_programme_for_user(request.user, programme_uuid, write=True)
    form = DisaggregationForm(request.POST)
    if form.is_valid():
        try:
            services.disaggregation_create(actor=request.user, programme=programme, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            form = DisaggregationForm()
    return _disaggregations_response(request, programme, category_form=form)


@login_required
@post_only
def option_add_view(request: AuthedRequest, programme_uuid: UUID, category_code: str) -> HttpResponse:
    programme = get_programme_for_user(request.user, programme_uuid, write=True)
    category = DisaggregationCategory.objects.filter(programme=programme, code=category_code).first()
    if category is None:
        raise Http404
    category.programme = programme
    form = OptionForm(request.POST)
    if form.is_valid():
        try:
            services.disaggregation_option_add(actor=request.user, category=category, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
    errors = {"category": category.code, "form": form} if form.errors else None
    return _disaggregations_response(request, programme, option_errors=errors)
