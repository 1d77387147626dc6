from decimal import Decimal
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from twinning.accounts.access import can_edit_institution, history_for_user, is_programme_editor
from twinning.core import charts
from twinning.core.forms import add_service_errors
from twinning.core.http import AuthedRequest
from twinning.core.pagination import paginate
from twinning.directory.models import Institution, InstitutionExpertise, InstitutionNeed
from twinning.matching import services
from twinning.matching.forms import (
    ApplicantForm,
    ConflictForm,
    DecisionForm,
    ExpertiseFormSet,
    NeedFormSet,
    RoundCreateForm,
    RoundForm,
    formset_rows,
)
from twinning.matching.models import CONSTRAINT_LABELS, PART_LABELS, MatchingRound
from twinning.matching.selectors import (
    applicants_of,
    conflicts_of,
    get_applicant,
    get_conflict_for_user,
    get_round_for_user,
    latest_job,
    recommendations,
    round_list,
    round_results,
)
from twinning.partnerships.models import Programme
from twinning.partnerships.selectors import get_programme_for_staff


def _score_chart(optimal: Decimal, stable: Decimal) -> SafeString:
    """The two assignments' total scores side by side."""
    return charts.bar_chart(
        [(_("Optimal"), [optimal]), (_("Stable"), [stable])],
        title=_("Total score of each assignment"),
        width=360,
        label_width=80,
    )


def _weights(round: MatchingRound) -> list[dict[str, Any]]:
    total = sum(round.weights.values()) or 1
    return [
        {"name": name, "label": PART_LABELS[name], "weight": w, "share": 100 * w / total}
        for name, w in round.weights.items()
    ]


@login_required
def round_list_view(request: AuthedRequest) -> HttpResponse:
    page = paginate(request, round_list(user=request.user))
    return render(
        request,
        "matching/round_list.html",
        {
            "page_obj": page,
            "rounds": page.object_list,
            "can_create": Programme.objects.edited_by(request.user).exists(),
        },
    )


@login_required
def round_create_view(request: AuthedRequest) -> HttpResponse:
    programmes = Programme.objects.edited_by(request.user)
    if not programmes.exists():
        raise PermissionDenied
    form = RoundCreateForm(request.POST or None, programmes=programmes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            round = services.round_create(
                actor=request.user,
                programme=data["programme"],
                name=data["name"],
                description=data["description"],
                top_k=data["top_k"],
                weights={k.removeprefix("weight_"): v for k, v in data.items() if k.startswith("weight_")},
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The round is open. Add host and resource institutions."))
            return redirect("matching:round", round.uuid)
    return render(
        request,
        "matching/form.html",
        {"form": form, "title": _("New matching round")},
        status=400 if form.errors else 200,
    )


def _round_context(request: AuthedRequest, round: MatchingRound, **forms: Any) -> dict[str, Any]:
    can_edit = is_programme_editor(request.user, round.programme_id)
    applicants = list(applicants_of(round))
    results = round_results(round)
    decided = {(d.host_id, d.proposed_resource_id): d for d in results.decisions}
    for pair in (*results.optimal, *results.stable):
        pair.decision = decided.get((pair.host_id, pair.resource_id))  # type: ignore[attr-defined]
    return {
        "round": round,
        "can_edit": can_edit,
        "hosts": [a for a in applicants if a.side == "host"],
        "resources": [a for a in applicants if a.side == "resource"],
        "weights": _weights(round),
        "results": results,
        "optimal_rows": results.optimal,
        "stable_rows": results.stable,
        "job": latest_job(round),
        "chart": _score_chart(results.optimal_total, results.stable_total),
        "applicant_form": forms.get("applicant_form") or ApplicantForm(),
        "decision_form": forms.get("decision_form"),
        "events": history_for_user(request.user, round)[:100],
    }


@login_required
def round_detail_view(request: AuthedRequest, round_uuid: UUID) -> HttpResponse:
    round = get_round_for_user(request.user, round_uuid)
    return render(request, "matching/round_detail.html", _round_context(request, round))


@login_required
def round_edit_view(request: AuthedRequest, round_uuid: UUID) -> HttpResponse:
    round = get_round_for_user(request.user, round_uuid, write=True)
    form = RoundForm(request.POST or None, instance=round)
    version = round.version
    if request.method == "POST" and form.is_valid():
        try:
            services.round_update(
                actor=request.user,
                round=round,
                data={k: form.cleaned_data[k] for k in form.Meta.fields},
                expected_version=int(request.POST.get("version") or version),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved. Run the round again to apply the new weights."))
            return redirect("matching:round", round.uuid)
    return render(
        request,
        "matching/form.html",
        {"form": form, "title": _("Edit %(name)s") % {"name": round.name}, "version": version},
        status=400 if form.errors else 200,
    )


def _back(request: AuthedRequest, round: MatchingRound, section: str, **forms: Any) -> HttpResponse:
    if any(form.errors for form in forms.values()):
        return render(
            request, "matching/round_detail.html", _round_context(request, round, **forms), status=400
        )
    return redirect(f"{round_url(round)}#{section}")


def round_url(round: MatchingRound) -> str:
    from django.urls import reverse

    return reverse("matching:round", args=[round.uuid])


@login_required
@require_POST
def applicant_add_view(request: AuthedRequest, round_uuid: UUID) -> HttpResponse:
    round = get_round_for_user(request.user, round_uuid, write=True)
    form = ApplicantForm(request.POST)
    if form.is_valid():
        try:
            services.applicant_add(actor=request.user, round=round, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return _back(request, round, "applicants", applicant_form=form)


@login_required
@require_POST
def applicant_remove_view(request: AuthedRequest, round_uuid: UUID, applicant_uuid: UUID) -> HttpResponse:
    round = get_round_for_user(request.user, round_uuid, write=True)
    applicant = get_applicant(round, applicant_uuid)
    try:
        services.applicant_remove(actor=request.user, applicant=applicant)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(f"{round_url(round)}#applicants")


@login_required
@require_POST
def round_run_view(request: AuthedRequest, round_uuid: UUID) -> HttpResponse:
    round = get_round_for_user(request.user, round_uuid, write=True)
    try:
        services.round_run(actor=request.user, round=round)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"{round_url(round)}#results")
    return redirect(f"{round_url(round)}#results")


@login_required
def round_progress_view(request: AuthedRequest, round_uuid: UUID) -> HttpResponse:
    """The job's progress, polled by htmx while it runs; once done, the page reloads to show results."""
    round = get_round_for_user(request.user, round_uuid)
    job = latest_job(round)
    response = render(request, "matching/includes/progress.html", {"round": round, "job": job})
    if request.htmx and job is not None and not job.is_active:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def decide_view(request: AuthedRequest, round_uuid: UUID) -> HttpResponse:
    round = get_round_for_user(request.user, round_uuid, write=True)
    form = DecisionForm(request.POST, round=round)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == "accept":
                decision = services.decision_accept(
                    actor=request.user,
                    round=round,
                    host=data["host"],
                    resource=data["proposed"],
                    reason=data["reason"],
                )
            else:
                decision = services.decision_override(
                    actor=request.user,
                    round=round,
                    host=data["host"],
                    proposed_resource=data["proposed"],
                    resource=data["resource"],
                    reason=data["reason"],
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if decision.partnership_id:
                messages.success(
                    request, _("Decision recorded; the partnership is created in the scoping stage.")
                )
            else:
                messages.success(request, _("Decision recorded."))
    return _back(request, round, "decisions", decision_form=form)


@login_required
def recommendations_view(request: AuthedRequest, round_uuid: UUID, applicant_uuid: UUID) -> HttpResponse:
    round = get_round_for_user(request.user, round_uuid)
    applicant = get_applicant(round, applicant_uuid)
    ranked, excluded = recommendations(round, applicant)
    return render(
        request,
        "matching/recommendations.html",
        {
            "round": round,
            "applicant": applicant,
            "ranked": ranked,
            "excluded": excluded,
            "weights": _weights(round),
            "part_labels": PART_LABELS,
            "constraint_labels": CONSTRAINT_LABELS,
        },
    )


@login_required
def conflicts_view(request: AuthedRequest, programme_uuid: UUID) -> HttpResponse:
    write = request.method == "POST"
    programme = get_programme_for_staff(request.user, programme_uuid, write=write)
    form = ConflictForm(request.POST or None)
    if write and form.is_valid():
        try:
            services.conflict_declare(actor=request.user, programme=programme, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The conflict is declared; rounds will not pair these institutions."))
            return redirect("matching:conflicts", programme.uuid)
    return render(
        request,
        "matching/conflicts.html",
        {
            "programme": programme,
            "conflicts": conflicts_of(programme),
            "form": form,
            "can_edit": is_programme_editor(request.user, programme.pk),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def conflict_remove_view(request: AuthedRequest, conflict_uuid: UUID) -> HttpResponse:
    conflict = get_conflict_for_user(request.user, conflict_uuid)
    services.conflict_remove(
        actor=request.user, conflict=conflict, reason=request.POST.get("reason", "")[:2000]
    )
    messages.success(request, _("The conflict is removed."))
    return redirect("matching:conflicts", conflict.programme.uuid)


@login_required
def profile_view(request: AuthedRequest, institution_uuid: UUID) -> HttpResponse:
    """Needs and expertise with their priority, depth and description: what matching reads."""
    institution = (
        Institution.objects.filter(uuid=institution_uuid)
        .prefetch_related(
            Prefetch(
                "need_items",
                queryset=InstitutionNeed.objects.select_related("area").order_by("-priority", "area__name"),
            ),
            Prefetch(
                "expertise_items",
                queryset=InstitutionExpertise.objects.select_related("area").order_by("-depth", "area__name"),
            ),
            "languages",
        )
        .first()
    )
    if institution is None:
        raise Http404
    can_edit = can_edit_institution(request.user, institution)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    needs = [
        {"area": n.area.code, "priority": n.priority, "description": n.description}
        for n in institution.need_items.all()
    ]
    expertise = [
        {"area": e.area.code, "depth": e.depth, "description": e.description}
        for e in institution.expertise_items.all()
    ]
    need_set = NeedFormSet(request.POST or None, prefix="needs", initial=needs)
    expertise_set = ExpertiseFormSet(request.POST or None, prefix="expertise", initial=expertise)
    errors: list[str] = []
    if request.method == "POST" and need_set.is_valid() and expertise_set.is_valid():
        try:
            services.profile_update(
                actor=request.user,
                institution=institution,
                needs=formset_rows(need_set),
                expertise=formset_rows(expertise_set),
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("The profile is saved."))
            return redirect("matching:profile", institution.uuid)
    invalid = request.method == "POST"
    return render(
        request,
        "matching/profile.html",
        {
            "institution": institution,
            "can_edit": can_edit,
            "need_set": need_set,
            "expertise_set": expertise_set,
            "errors": errors,
        },
        status=400 if invalid else 200,
    )
