from pathlib import Path
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from twinning.accounts.access import PartnershipAccess, history_for_user
from twinning.core.exports import Column, Link, Table, export_response, list_download
from twinning.core.forms import add_service_errors, ask_for_files_again
from twinning.core.http import AuthedRequest, post_only
from twinning.core.offline import offline_page
from twinning.core.pagination import history_page, paginate
from twinning.exchanges import services
from twinning.exchanges.figures import summary_charts, summary_tables
from twinning.exchanges.forms import (
    ExchangeEditForm,
    ExchangeForm,
    MentoringPairEditForm,
    MentoringPairForm,
    MentoringSessionForm,
    ParticipantForm,
    TraineeGroupForm,
)
from twinning.exchanges.models import Exchange, MentoringPair
from twinning.exchanges.selectors import (
    ExchangeSummary,
    exchange_list,
    exchange_summary,
    get_exchange,
    get_mentoring_pair,
    mentoring_pair_list,
    partnership_people,
    training_cascade,
)
from twinning.partnerships.models import Partnership
from twinning.partnerships.selectors import get_partnership_for_user, get_programme_for_staff

# --- exchanges -----------------------------------------------------------------------------------


def _exchanges_table(partnership: Partnership, exchanges: Any) -> Table:
    """A partnership's exchanges as its list shows them; person-days are participants × days."""
    return Table(
        key="exchanges",
        title=_("Exchanges of %(partnership)s") % {"partnership": partnership.title},
        columns=[
            Column(_("Exchange")),
            Column(_("Place")),
            Column(_("Type")),
            Column(_("Direction")),
            Column(_("From"), "date"),
            Column(_("To"), "date"),
            Column(_("People"), "number"),
            Column(_("Person-days"), "number"),
            Column(_("Status")),
        ],
        rows=[
            (
                Link(e.shown_title, reverse("exchanges:detail", args=[partnership.uuid, e.uuid])),
                e.place,
                e.get_type_display(),
                e.get_direction_display(),
                e.start_date,
                e.end_date,
                e.participant_count,
                e.participant_count * e.days,
                e.get_status_display(),
            )
            for e in exchanges
        ],
    )


@login_required
def exchange_list_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    partnership, access = get_partnership_for_user(request.user, partnership_uuid)
    filters = {
        "type": request.GET.get("type", "") if request.GET.get("type") in Exchange.Type.values else "",
        "direction": request.GET.get("direction", "")
        if request.GET.get("direction") in Exchange.Direction.values
        else "",
        "status": request.GET.get("status", "")
        if request.GET.get("status") in Exchange.Status.values
        else "",
    }
    exchanges = exchange_list(
        user=request.user,
        partnership=partnership,
        type=filters["type"],
        direction=filters["direction"],
        status=filters["status"],
    )

    def build(rows: Any) -> Table:
        return _exchanges_table(partnership, rows)

    download = list_download(request, exchanges, build)
    if download is not None:
        return download
    page = paginate(request, exchanges)
    context = {
        "partnership": partnership,
        "can_enter": access.can_enter_data,
        "page_obj": page,
        "exchanges": page.object_list,
        "table": build(page.object_list),
        "filters": filters,
        "types": Exchange.Type.choices,
        "directions": Exchange.Direction.choices,
        "statuses": Exchange.Status.choices,
    }
    template = "exchanges/includes/exchange_results.html" if request.htmx else "exchanges/list.html"
    return render(request, template, context)


@login_required
@offline_page
def exchange_create_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    partnership, _access = get_partnership_for_user(request.user, partnership_uuid, data_entry=True)
    form = ExchangeForm(request.POST or None, request.FILES or None, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            exchange = services.exchange_create(
                actor=request.user,
                partnership=partnership,
                **{k: data[k] for k in services.EXCHANGE_FIELDS if k != "report_file"},
                report_file=data["report_file"] or None,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The exchange is recorded. Add who took part."))
            return redirect("exchanges:detail", partnership.uuid, exchange.uuid)
    ask_for_files_again(form)
    return render(
        request,
        "exchanges/form.html",
        {
            "form": form,
            "partnership": partnership,
            "title": _("New exchange"),
            # Offline, what is typed waits in the browser and is sent to the API as a create (offline.js).
            "offline_api": reverse("api:exchange_create"),
        },
        status=400 if form.errors else 200,
    )


def _detail_context(
    request: AuthedRequest,
    partnership: Partnership,
    access: PartnershipAccess,
    exchange: Exchange,
    **forms: Any,
) -> dict[str, Any]:
    participants = list(exchange.participants.all())
    groups = list(exchange.trainee_groups.all())
    return {
        "partnership": partnership,
        "exchange": exchange,
        "can_enter": access.can_enter_data,
        "participants": participants,
        "trainee_groups": groups,
        "person_days": len(participants) * exchange.days,
        "unnamed_total": sum(g.count for g in groups),
        "events": history_page(request, history_for_user(request.user, exchange)),
        "history_full": access.can_enter_data,
        "participant_form": forms.get("participant_form")
        or ParticipantForm(people=partnership_people(partnership)),
        "trainee_form": forms.get("trainee_form") or TraineeGroupForm(),
    }


@login_required
def exchange_detail_view(request: AuthedRequest, partnership_uuid: UUID, exchange_uuid: UUID) -> HttpResponse:
    partnership, access = get_partnership_for_user(request.user, partnership_uuid)
    exchange = get_exchange(partnership, exchange_uuid)
    return render(request, "exchanges/detail.html", _detail_context(request, partnership, access, exchange))


@login_required
def exchange_edit_view(request: AuthedRequest, partnership_uuid: UUID, exchange_uuid: UUID) -> HttpResponse:
    partnership, _access = get_partnership_for_user(request.user, partnership_uuid, data_entry=True)
    exchange = get_exchange(partnership, exchange_uuid)
    form = ExchangeEditForm(
        request.POST or None,
        request.FILES or None,
        instance=exchange,
        partnership=partnership,
        initial={"version": exchange.version},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {k: data[k] for k in services.EXCHANGE_FIELDS if k != "report_file"}
        if "report_file" in form.changed_data:
            # False means "clear"; a new upload replaces the old file.
            changes["report_file"] = data["report_file"] or ""
        try:
            services.exchange_update(
                actor=request.user, exchange=exchange, data=changes, expected_version=data["version"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("exchanges:detail", partnership.uuid, exchange.uuid)
    ask_for_files_again(form)
    return render(
        request,
        "exchanges/form.html",
        {
            "form": form,
            "partnership": partnership,
            "exchange": exchange,
            "title": _("Edit %(title)s") % {"title": exchange.shown_title},
        },
        status=400 if form.errors else 200,
    )


@login_required
@post_only
def exchange_delete_view(request: AuthedRequest, partnership_uuid: UUID, exchange_uuid: UUID) -> HttpResponse:
    partnership, _access = get_partnership_for_user(request.user, partnership_uuid, data_entry=True)
    exchange = get_exchange(partnership, exchange_uuid)
    try:
        services.exchange_delete(actor=request.user, exchange=exchange)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("exchanges:detail", partnership.uuid, exchange.uuid)
    messages.success(request, _("The exchange is deleted."))
    return redirect("exchanges:list", partnership.uuid)


@login_required
def exchange_report_view(request: AuthedRequest, partnership_uuid: UUID, exchange_uuid: UUID) -> FileResponse:
    """Trip reports are served only through this scoped view, never from a public media URL."""
    partnership, _access = get_partnership_for_user(request.user, partnership_uuid)
    exchange = get_exchange(partnership, exchange_uuid)
    if not exchange.report_file:
        raise Http404
    return FileResponse(
        exchange.report_file.open("rb"),
        as_attachment=True,
        filename=Path(exchange.report_file.name or "").name,
    )


def _section_response(
    request: AuthedRequest,
    partnership: Partnership,
    access: PartnershipAccess,
    exchange: Exchange,
    section: str,
    **forms: Any,
) -> HttpResponse:
    """htmx gets the section back; a plain browser is redirected (or sees the page with the form's errors)."""
    has_errors = any(form.errors for form in forms.values())
    if request.htmx or has_errors:
        fresh = get_exchange(partnership, exchange.uuid)
        context = _detail_context(request, partnership, access, fresh, **forms)
        if request.htmx:
            return render(request, f"exchanges/includes/{section}.html", context)
        return render(request, "exchanges/detail.html", context, status=400)
    return redirect(f"{reverse('exchanges:detail', args=[partnership.uuid, exchange.uuid])}#{section}")


@login_required
@post_only
def participant_add_view(request: AuthedRequest, partnership_uuid: UUID, exchange_uuid: UUID) -> HttpResponse:
    partnership, access = get_partnership_for_user(request.user, partnership_uuid, data_entry=True)
    exchange = get_exchange(partnership, exchange_uuid)
    form = ParticipantForm(request.POST, people=partnership_people(partnership))
    if form.is_valid():
        try:
            services.participant_add(actor=request.user, exchange=exchange, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            form = ParticipantForm(people=partnership_people(partnership))
    return _section_response(request, partnership, access, exchange, "participants", participant_form=form)


@login_required
@post_only
def participant_remove_view(
    request: AuthedRequest, partnership_uuid: UUID, exchange_uuid: UUID, participant_uuid: UUID
) -> HttpResponse:
    partnership, access = get_partnership_for_user(request.user, partnership_uuid, data_entry=True)
    exchange = get_exchange(partnership, exchange_uuid)
    participant = exchange.participants.filter(uuid=participant_uuid).first()
    if participant is None:
        raise Http404
    participant.exchange = exchange
    services.participant_remove(actor=request.user, participant=participant)
    return _section_response(request, partnership, access, exchange, "participants")


@login_required
@post_only
def trainee_group_add_view(
    request: AuthedRequest, partnership_uuid: UUID, exchange_uuid: UUID
) -> HttpResponse:
    partnership, access = get_partnership_for_user(request.user, partnership_uuid, data_entry=True)
    exchange = get_exchange(partnership, exchange_uuid)
    form = TraineeGroupForm(request.POST)
    if form.is_valid():
        try:
            services.trainee_group_add(actor=request.user, exchange=exchange, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            form = TraineeGroupForm()
    return _section_response(request, partnership, access, exchange, "trainees", trainee_form=form)


@login_required
@post_only
def trainee_group_remove_view(
    request: AuthedRequest, partnership_uuid: UUID, exchange_uuid: UUID, group_uuid: UUID
) -> HttpResponse:
    partnership, access = get_partnership_for_user(request.user, partnership_uuid, data_entry=True)
    exchange = get_exchange(partnership, exchange_uuid)
    group = exchange.trainee_groups.filter(uuid=group_uuid).first()
    if group is None:
        raise Http404
    group.exchange = exchange
    services.trainee_group_remove(actor=request.user, group=group)
    return _section_response(request, partnership, access, exchange, "trainees")


# --- summaries -----------------------------------------------------------------------------------


def _summary_page(request: AuthedRequest, summary: ExchangeSummary, **context: Any) -> HttpResponse:
    tables = summary_tables(summary)
    download = export_response(request, list(tables.values()))
    if download is not None:
        return download
    context |= {"summary": summary, "tables": tables, **summary_charts(summary)}
    return render(request, "exchanges/summary.html", context)


@login_required
def partnership_summary_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    partnership, _access = get_partnership_for_user(request.user, partnership_uuid)
    return _summary_page(request, exchange_summary(partnership=partnership), partnership=partnership)


@login_required
def programme_summary_view(request: AuthedRequest, programme_uuid: UUID) -> HttpResponse:
    programme = get_programme_for_staff(request.user, programme_uuid)
    return _summary_page(request, exchange_summary(programme=programme), programme=programme)


@login_required
def cascade_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    partnership, _access = get_partnership_for_user(request.user, partnership_uuid)
    return render(
        request,
        "exchanges/cascade.html",
        {"partnership": partnership, "roots": training_cascade(partnership)},
    )


# --- mentoring -----------------------------------------------------------------------------------


@login_required
def mentoring_list_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    partnership, access = get_partnership_for_user(request.user, partnership_uuid)
    status = request.GET.get("status", "")
    status = status if status in MentoringPair.Status.values else ""
    page = paginate(request, mentoring_pair_list(user=request.user, partnership=partnership, status=status))
    return render(
        request,
        "exchanges/mentoring_list.html",
        {
            "partnership": partnership,
            "can_enter": access.can_enter_data,
            "page_obj": page,
            "pairs": page.object_list,
            "status": status,
            "statuses": MentoringPair.Status.choices,
        },
    )


@login_required
def mentoring_create_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    partnership, _access = get_partnership_for_user(request.user, partnership_uuid, data_entry=True)
    form = MentoringPairForm(request.POST or None, people=partnership_people(partnership))
    if request.method == "POST" and form.is_valid():
        try:
            pair = services.mentoring_pair_create(
                actor=request.user, partnership=partnership, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The mentoring pair is recorded."))
            return redirect("exchanges:mentoring_detail", partnership.uuid, pair.uuid)
    return render(
        request,
        "exchanges/form.html",
        {"form": form, "partnership": partnership, "title": _("New mentoring pair"), "mentoring": True},
        status=400 if form.errors else 200,
    )


def _pair_context(
    request: AuthedRequest,
    partnership: Partnership,
    access: PartnershipAccess,
    pair: MentoringPair,
    **forms: Any,
) -> dict[str, Any]:
    sessions = list(pair.sessions.order_by("-date", "-id"))
    return {
        "partnership": partnership,
        "pair": pair,
        "can_enter": access.can_enter_data,
        "sessions": sessions,
        "total_minutes": sum(s.duration_minutes for s in sessions),
        "events": history_page(request, history_for_user(request.user, pair)),
        "history_full": access.can_enter_data,
        "session_form": forms.get("session_form") or MentoringSessionForm(),
    }


@login_required
def mentoring_detail_view(request: AuthedRequest, partnership_uuid: UUID, pair_uuid: UUID) -> HttpResponse:
    partnership, access = get_partnership_for_user(request.user, partnership_uuid)
    pair = get_mentoring_pair(partnership, pair_uuid)
    return render(
        request, "exchanges/mentoring_detail.html", _pair_context(request, partnership, access, pair)
    )


@login_required
def mentoring_edit_view(request: AuthedRequest, partnership_uuid: UUID, pair_uuid: UUID) -> HttpResponse:
    partnership, _access = get_partnership_for_user(request.user, partnership_uuid, data_entry=True)
    pair = get_mentoring_pair(partnership, pair_uuid)
    initial = {
        "version": pair.version,
        "goals": pair.goals,
        "status": pair.status,
        "start_date": pair.start_date,
        "end_date": pair.end_date,
    }
    form = MentoringPairEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.mentoring_pair_update(
                actor=request.user,
                pair=pair,
                data={k: data[k] for k in services.PAIR_FIELDS},
                expected_version=data["version"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("exchanges:mentoring_detail", partnership.uuid, pair.uuid)
    return render(
        request,
        "exchanges/form.html",
        {"form": form, "partnership": partnership, "title": str(pair), "mentoring": True},
        status=400 if form.errors else 200,
    )


def _sessions_response(
    request: AuthedRequest,
    partnership: Partnership,
    access: PartnershipAccess,
    pair: MentoringPair,
    **forms: Any,
) -> HttpResponse:
    has_errors = any(form.errors for form in forms.values())
    if request.htmx:
        return render(
            request,
            "exchanges/includes/sessions.html",
            _pair_context(request, partnership, access, pair, **forms),
        )
    if has_errors:
        return render(
            request,
            "exchanges/mentoring_detail.html",
            _pair_context(request, partnership, access, pair, **forms),
            status=400,
        )
    return redirect(f"{reverse('exchanges:mentoring_detail', args=[partnership.uuid, pair.uuid])}#sessions")


@login_required
@post_only
def session_add_view(request: AuthedRequest, partnership_uuid: UUID, pair_uuid: UUID) -> HttpResponse:
    partnership, access = get_partnership_for_user(request.user, partnership_uuid, data_entry=True)
    pair = get_mentoring_pair(partnership, pair_uuid)
    form = MentoringSessionForm(request.POST)
    if form.is_valid():
        try:
            services.mentoring_session_add(actor=request.user, pair=pair, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            form = MentoringSessionForm()
    return _sessions_response(request, partnership, access, pair, session_form=form)


@login_required
@post_only
def session_remove_view(
    request: AuthedRequest, partnership_uuid: UUID, pair_uuid: UUID, session_uuid: UUID
) -> HttpResponse:
    partnership, access = get_partnership_for_user(request.user, partnership_uuid, data_entry=True)
    pair = get_mentoring_pair(partnership, pair_uuid)
    session = pair.sessions.filter(uuid=session_uuid).first()
    if session is None:
        raise Http404
    session.pair = pair
    services.mentoring_session_remove(actor=request.user, session=session)
    return _sessions_response(request, partnership, access, pair)
