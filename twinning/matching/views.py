from decimal import Decimal
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from twinning.accounts.access import (
    can_edit_institution,
    can_start_twinning,
    history_for_user,
    in_staff_programmes,
    is_programme_editor,
)
from twinning.core import charts
from twinning.core.choices import Side
from twinning.core.forms import add_service_errors
from twinning.core.http import AuthedRequest, post_only, post_scope
from twinning.core.pagination import history_page, page_number, paginate
from twinning.directory.models import Institution, InstitutionExpertise, InstitutionNeed
from twinning.directory.selectors import get_institution_for_user
from twinning.matching import services
from twinning.matching.compute import places_taken
from twinning.matching.engine.scoring import PARTS
from twinning.matching.forms import (
    ApplicantForm,
    ConflictForm,
    DecisionForm,
    ExpertiseFormSet,
    NeedFormSet,
    PairFilterForm,
    RoundCreateForm,
    RoundEditForm,
    RoundForm,
    TwinActionForm,
    TwinSearchForm,
    formset_rows,
)
from twinning.matching.models import CONSTRAINT_LABELS, PART_LABELS, MatchDecision, MatchingRound
from twinning.matching.selectors import (
    Overview,
    applicant_decisions,
    applicants_of,
    conflicts_of,
    get_applicant,
    get_conflict_for_user,
    get_institution_for_twinning,
    get_round_for_user,
    latest_job,
    open_rounds,
    proposed_for,
    recommendations,
    round_list,
    round_overview,
    round_pairs,
)
from twinning.matching.twins import (
    MAX_SHOWN,
    SHOWN,
    TwinQuery,
    TwinSearch,
    default_weights,
    twin_search,
    usual_side,
)
from twinning.partnerships.models import Programme
from twinning.partnerships.selectors import get_programme_for_staff

post_scope("round_uuid", lambda user, uuid: get_round_for_user(user, uuid))
post_scope("conflict_uuid", lambda user, uuid: get_conflict_for_user(user, uuid))
post_scope("institution_uuid", lambda user, uuid: get_institution_for_user(user, uuid))


def _score_chart(optimal: Decimal, stable: Decimal) -> SafeString:
    """The two assignments' total scores side by side."""
    return charts.bar_chart(
        [(_("Optimal"), [optimal]), (_("Stable"), [stable])],
        title=_("Total score of each assignment"),
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


PAIRS_PER_PAGE = 20


def _pairs_context(
    request: AuthedRequest,
    round: MatchingRound,
    params: Any,
    overview: Overview,
    *,
    confirmed: MatchDecision | None = None,
    failed: tuple[int, int, list[str]] | None = None,
) -> dict[str, Any]:
    """One page of the round's pairs as the filters in `params` say, each with its decision and whether both
    sides still have places; the pair just decided (or refused) stays on its page with its message."""
    filters = PairFilterForm(params).filters()
    keep = None
    if confirmed is not None:
        keep = (confirmed.host_id, confirmed.proposed_resource_id or confirmed.resource_id or 0)
    elif failed is not None:
        keep = failed[:2]
    pairs = round_pairs(round, keep=keep, **filters)
    page = Paginator(pairs, PAIRS_PER_PAGE).get_page(page_number(params.get("page")))
    decisions: dict[tuple[int, int | None], MatchDecision] = {}
    for d in reversed(overview.decisions):  # the newest decision of a pair wins
        decisions[(d.host_id, d.proposed_resource_id)] = d
        decisions[(d.host_id, d.resource_id)] = d
    used = places_taken(round)
    for pair in page.object_list:
        key = (pair.host_id, pair.resource_id)
        vars(pair).update(
            decision=decisions.get(key),
            full=[a for a in (pair.host, pair.resource) if used[a.pk] >= a.capacity],
            confirmed=confirmed is not None and keep == key,
            errors=failed[2] if failed is not None and failed[:2] == key else [],
        )
    return {
        "round": round,
        "can_edit": is_programme_editor(request.user, round.programme_id),
        "prev_url": _pairs_url(round, filters, page.number - 1) if page.has_previous() else "",
        "next_url": _pairs_url(round, filters, page.number + 1) if page.has_next() else "",
        "pairs_page": page,
        "pairs": page.object_list,
        "filter_form": PairFilterForm(filters),
        "filters": filters,
        "results": overview,
    }


def _pairs_url(round: MatchingRound, filters: dict[str, str], page: int) -> str:
    params = {k: v for k, v in filters.items() if v and v != "all"}
    return f"{round_url(round)}?{urlencode({**params, 'page': page})}#pairs"


def _round_context(request: AuthedRequest, round: MatchingRound, **forms: Any) -> dict[str, Any]:
    applicants = list(applicants_of(round))
    overview = round_overview(round)
    confirmed = None
    if request.GET.get("decided"):
        confirmed = next((d for d in overview.decisions if str(d.uuid) == request.GET["decided"]), None)
    return {
        **_pairs_context(request, round, request.GET, overview, confirmed=confirmed),
        "hosts": [a for a in applicants if a.side == "host"],
        "resources": [a for a in applicants if a.side == "resource"],
        "weights": _weights(round),
        "job": latest_job(round),
        "chart": _score_chart(overview.optimal_total, overview.stable_total),
        "applicant_form": forms.get("applicant_form") or ApplicantForm(),
        "decision_form": forms.get("decision_form"),
        "events": history_page(request, history_for_user(request.user, round)),
        "history_full": is_programme_editor(request.user, round.programme_id),
    }


@login_required
def round_detail_view(request: AuthedRequest, round_uuid: UUID) -> HttpResponse:
    round = get_round_for_user(request.user, round_uuid)
    return render(request, "matching/round_detail.html", _round_context(request, round))


@login_required
def round_edit_view(request: AuthedRequest, round_uuid: UUID) -> HttpResponse:
    round = get_round_for_user(request.user, round_uuid, write=True)
    form = RoundEditForm(request.POST or None, instance=round, initial={"version": round.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.round_update(
                actor=request.user,
                round=round,
                data={k: form.cleaned_data[k] for k in RoundForm.Meta.fields},
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved. Run the round again to apply the new weights."))
            return redirect("matching:round", round.uuid)
    return render(
        request,
        "matching/form.html",
        {"form": form, "title": _("Edit %(name)s") % {"name": round.shown_name}},
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
@post_only
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
@post_only
def applicant_remove_view(request: AuthedRequest, round_uuid: UUID, applicant_uuid: UUID) -> HttpResponse:
    round = get_round_for_user(request.user, round_uuid, write=True)
    applicant = get_applicant(round, applicant_uuid)
    try:
        services.applicant_remove(actor=request.user, applicant=applicant)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(f"{round_url(round)}#applicants")


@login_required
@post_only
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


def _decide(request: AuthedRequest, round: MatchingRound, form: DecisionForm) -> MatchDecision | None:
    """Record the decision the form asks for; None (with the service's messages on the form) when refused."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        if data["action"] == "accept":
            return services.decision_accept(
                actor=request.user,
                round=round,
                host=data["host"],
                resource=data["proposed"],
                reason=data["reason"],
            )
        return services.decision_override(
            actor=request.user,
            round=round,
            host=data["host"],
            proposed_resource=data["proposed"],
            resource=data["resource"],
            reason=data["reason"],
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None


def _decision_message(decision: MatchDecision) -> str:
    if decision.partnership_id:
        return _("Decision recorded; the partnership is created in the scoping stage.")
    return _("Decision recorded.")


@login_required
@post_only
def decide_view(request: AuthedRequest, round_uuid: UUID) -> HttpResponse:
    """Accept (one click, the reason optional) or override a pair. From the round's list of pairs the answer
    keeps the list where it was and shows the confirmation on the pair itself (htmx swaps the list in place;
    without htmx the page reopens at the pair); from a candidate page it returns there."""
    round = get_round_for_user(request.user, round_uuid, write=True)
    form = DecisionForm(request.POST, round=round)
    decision = _decide(request, round, form)
    data = getattr(form, "cleaned_data", {})
    host, proposed = data.get("host"), data.get("proposed")
    if request.POST.get("back") == "candidates" and host is not None:
        if decision is None:
            context = _candidates_context(request, round, host, override_form=form)
            return render(request, "matching/recommendations.html", context, status=400)
        messages.success(request, _decision_message(decision))
        return redirect("matching:recommendations", round.uuid, host.uuid)
    if host is None or proposed is None:
        # No pair to show a message on (a form not sent from the page): the whole page, with the messages.
        return _back(request, round, "pairs", decision_form=form)
    if request.htmx:
        failed = None
        if decision is None:
            failed = (host.pk, proposed.pk, [str(e) for errs in form.errors.values() for e in errs])
        overview = round_overview(round)
        context = _pairs_context(request, round, request.POST, overview, confirmed=decision, failed=failed)
        return render(request, "matching/includes/pairs.html", {**context, "oob": True})
    if decision is None:
        return _back(request, round, "pairs", decision_form=form)
    params = {k: request.POST[k] for k in ("q", "show", "method", "page") if request.POST.get(k)}
    params["decided"] = str(decision.uuid)
    return redirect(f"{round_url(round)}?{urlencode(params)}#pair-{host.uuid}-{proposed.uuid}")


def _candidates_context(
    request: AuthedRequest, round: MatchingRound, applicant: Any, **forms: Any
) -> dict[str, Any]:
    ranked, excluded = recommendations(round, applicant)
    decisions = applicant_decisions(round, applicant)
    on_host = applicant.side == "host"
    paired = {(d.resource_id if on_host else d.host_id): d for d in reversed(decisions) if d.resource_id}
    for c in (*ranked, *excluded):
        c.decision = paired.get(c.applicant.pk)  # type: ignore[attr-defined]
    can_decide = (
        on_host
        and round.status != MatchingRound.Status.CLOSED
        and is_programme_editor(request.user, round.programme_id)
    )
    return {
        "round": round,
        "applicant": applicant,
        "ranked": ranked,
        "excluded": excluded,
        "decisions": decisions,
        "weights": _weights(round),
        "part_labels": PART_LABELS,
        "constraint_labels": CONSTRAINT_LABELS,
        "can_decide": can_decide,
        "proposed": proposed_for(round, applicant) if can_decide else [],
        "override_form": forms.get("override_form"),
    }


@login_required
def recommendations_view(request: AuthedRequest, round_uuid: UUID, applicant_uuid: UUID) -> HttpResponse:
    round = get_round_for_user(request.user, round_uuid)
    applicant = get_applicant(round, applicant_uuid)
    return render(request, "matching/recommendations.html", _candidates_context(request, round, applicant))


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
@post_only
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
    # Both parts are checked, so every error shows at once, each beside its own field.
    valid = [need_set.is_valid(), expertise_set.is_valid()] if request.method == "POST" else [False]
    if all(valid):
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


def _twin_query(form: TwinSearchForm) -> TwinQuery:
    """The search the form asks for (the page computes none while the form has errors)."""
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    weights = {p: v for p in PARTS if (v := data.get(f"weight_{p}")) is not None}
    return TwinQuery(
        side=data.get("side") or Side.HOST,
        south=bool(data.get("south")),
        country=(data.get("country") or "").upper(),
        type=data.get("type") or "",
        language=data.get("language") or "",
        area=data.get("area") or "",
        programme=data.get("programme"),
        within=data.get("within") or "any",
        weights=weights if weights and not form.non_field_errors() else None,
        limit=data.get("shown") or SHOWN,
    )


def _twins_context(
    request: AuthedRequest, institution: Institution, params: Any, **extra: Any
) -> dict[str, Any]:
    programmes = list(Programme.objects.filter(in_staff_programmes(request.user, via="")).order_by("name"))
    params = params.copy()
    # What the search defaults to is shown as chosen: the usual side, the only programme one is staff of.
    if params.get("side") not in Side.values:
        params["side"] = usual_side(request.user, institution)
    if not params.get("programme") and len(programmes) == 1:
        params["programme"] = str(programmes[0].uuid)
    form = TwinSearchForm(params, programmes=Programme.objects.filter(pk__in=[p.pk for p in programmes]))
    query = _twin_query(form)
    if form.errors:
        # Nothing is computed from a search the user did not ask for: the errors are shown beside the fields,
        # with what was typed, and no candidates.
        search = TwinSearch(
            institution=institution,
            query=query,
            weights=default_weights(query.programme)[0],
            weights_from=None,
            ranked=[],
            excluded=[],
            considered=0,
            acceptable=0,
        )
    else:
        search = twin_search(user=request.user, institution=institution, query=query)
    total = sum(search.weights.values()) or 1
    more = params.copy()
    more["shown"] = str(min(query.limit + SHOWN * 4, MAX_SHOWN))
    can_act = query.programme is not None and can_start_twinning(request.user, query.programme.pk)
    # After a refused action the candidate, reason and round chosen stay chosen; otherwise the best candidate
    # that is not already a partner is (a partner is never chosen for the user).
    action_form = extra.get("action_form")
    if action_form is not None:
        chosen = str(action_form["candidate"].value() or "")
    else:
        chosen = next((str(c.institution.uuid) for c in search.ranked if not c.partnered), "")
    return {
        "institution": institution,
        "form": form,
        "search": search,
        "weights": [
            {
                "name": p,
                "label": PART_LABELS[p],
                "weight": w,
                "share": 100 * w / total,
                "value": w if form[f"weight_{p}"].value() in (None, "") else form[f"weight_{p}"].value(),
                "errors": form.errors.get(f"weight_{p}", []),
            }
            for p, w in search.weights.items()
        ],
        "weight_errors": any(f"weight_{p}" in form.errors for p in PARTS),
        "excluded_total": search.considered - search.acceptable,
        "more_query": more.urlencode(),
        "can_show_more": query.limit < MAX_SHOWN,
        "constraint_labels": CONSTRAINT_LABELS,
        "can_act": can_act,
        "rounds": open_rounds(query.programme) if can_act and query.programme else [],
        "query_string": params.urlencode() if hasattr(params, "urlencode") else "",
        "chosen": chosen,
        "reason": str(action_form["reason"].value() or "") if action_form is not None else "",
        "chosen_round": str(action_form["round"].value() or "") if action_form is not None else "",
        **extra,
    }


@login_required
def twins_view(request: AuthedRequest, institution_uuid: UUID) -> HttpResponse:
    """Find a twin for one institution across the whole directory, ranked and explained."""
    institution = get_institution_for_user(request.user, institution_uuid)
    context = _twins_context(request, institution, request.GET)
    return render(request, "matching/twins.html", context, status=400 if context["form"].errors else 200)


def _twin_action(request: AuthedRequest, institution_uuid: UUID) -> tuple[Institution, TwinActionForm, Any]:
    institution = get_institution_for_twinning(request.user, institution_uuid)
    form = TwinActionForm(request.POST, user=request.user)
    params = QueryDict(request.POST.get("search", "")[:2000])
    return institution, form, params


def _twin_refused(
    request: AuthedRequest, institution: Institution, form: TwinActionForm, params: Any
) -> HttpResponse:
    context = _twins_context(request, institution, params, action_form=form)
    return render(request, "matching/twins.html", context, status=400)


@login_required
@post_only
def twin_start_view(request: AuthedRequest, institution_uuid: UUID) -> HttpResponse:
    institution, form, params = _twin_action(request, institution_uuid)
    if form.is_valid() and form.cleaned_data.get("programme"):
        data = form.cleaned_data
        try:
            partnership = services.twin_partnership_start(
                actor=request.user,
                programme=data["programme"],
                institution=institution,
                candidate=data["candidate"],
                role=data["role"],
                reason=data["reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The partnership is started in the scoping stage."))
            return redirect("partnerships:detail", partnership.uuid)
    elif not form.errors:
        form.add_error("programme", _("Choose the programme of the partnership."))
    return _twin_refused(request, institution, form, params)


@login_required
@post_only
def twin_round_add_view(request: AuthedRequest, institution_uuid: UUID) -> HttpResponse:
    institution, form, params = _twin_action(request, institution_uuid)
    if form.is_valid() and form.cleaned_data.get("round"):
        data = form.cleaned_data
        try:
            added = services.twin_round_add(
                actor=request.user,
                round=data["round"],
                institution=institution,
                candidate=data["candidate"],
                role=data["role"],
                reason=data["reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if added:
                messages.success(request, _("Both institutions are in the round."))
            else:
                messages.info(request, _("Both institutions were already in the round."))
            return redirect(f"{round_url(data['round'])}#applicants")
    elif not form.errors:
        form.add_error("round", _("Choose an open round."))
    return _twin_refused(request, institution, form, params)
