"""Pages of partnership health and sustainability: rounds, answer sheets, results, trends, mutual benefit, the
programme view and the instruments. What each reader sees of a round's answers is decided in the selectors
(access.sees_assessment_answers); the views only lay it out."""

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from twinning.accounts.access import PartnershipAccess, can_edit_instrument, history_for_user, require
from twinning.accounts.models import PartnershipMembership, User
from twinning.core import charts
from twinning.core.dates import latest_today
from twinning.core.exports import Column, Link, Table, export_response, list_download
from twinning.core.forms import add_service_errors
from twinning.core.http import AuthedRequest, post_only, post_scope
from twinning.core.pagination import history_page, page_number
from twinning.core.reference import shipped_name
from twinning.core.rendering import colon
from twinning.partnerships.models import ENDED_STAGES, Partnership, Programme
from twinning.partnerships.selectors import get_partnership_for_user, get_programme_for_staff, programme_zones
from twinning.sustainability import selectors, services
from twinning.sustainability.forms import (
    ActionForm,
    AnswerSheetForm,
    InstrumentForm,
    ItemForm,
    ProgrammeRoundsForm,
    RoundCancelForm,
    RoundEditForm,
    RoundOpenForm,
    SectionForm,
)
from twinning.sustainability.models import AssessmentAction, AssessmentRound, Item, Section
from twinning.sustainability.scores import LARGE_GAP, SCORE_PLACES, SIDES, Scored, score_note
from twinning.sustainability.scores import score_round as _score
from twinning.sustainability.transition_views import programme_transition_context

# --- a partnership's rounds, trends and mutual benefit ----------------------------------------------------


post_scope("assessment_round_uuid", lambda user, uuid: selectors.get_round_for_user(user, uuid))


def _rounds_table(rounds: Any) -> Table:
    return Table(
        key="rounds",
        title=_("Assessment rounds"),
        columns=[
            Column(_("Round")),
            Column(_("Instrument")),
            Column(_("Version"), "number", places=0),
            Column(_("Due"), "date"),
            Column(_("Host sheets"), "number", places=0),
            Column(_("Resource sheets"), "number", places=0),
            Column(_("Status")),
        ],
        rows=[
            (
                Link(r.shown_title, reverse("sustainability:round", args=[r.uuid])),
                r.instrument_version.instrument.shown_name,
                r.instrument_version.number,
                r.due_date,
                r.host_sheets,
                r.resource_sheets,
                r.get_status_display(),
            )
            for r in rounds
        ],
    )


def _noted(
    columns: list[Column], rows: list[Sequence[Any]], notes: list[str]
) -> tuple[list[Column], list[Sequence[Any]]]:
    """The columns and rows of a table of overall scores with a last "Note" column when some row was scored by one
    side only (scores.score_note: its combined score is that side's alone, it has no gap); without one when
    no row needs it, as is usual."""
    if not any(notes):
        return columns, rows
    return [*columns, Column(_("Note"))], [(*row, note) for row, note in zip(rows, notes, strict=True)]


def _trend_parts(trends: dict[Any, list[selectors.TrendPoint]]) -> list[dict[str, Any]]:
    """Per instrument: a chart of both sides' overall scores over the completed rounds and its table."""
    parts = []
    for i, (instrument, points) in enumerate(trends.items()):
        # The axis writes each date as the table under it does (DATE_FORMAT, the reader's language).
        labels = [str(date_format(p.round.due_date, "DATE_FORMAT")) for p in points]
        columns, rows = _noted(
            [
                Column(_("Round")),
                Column(_("Version"), "number", places=0),
                Column(_("Due"), "date"),
                Column(_("Host side"), "number"),
                Column(_("Resource side"), "number"),
                Column(_("Combined"), "number"),
                Column(_("Gap"), "number"),
            ],
            [
                (
                    Link(p.round.shown_title, reverse("sustainability:round", args=[p.round.uuid])),
                    p.round.instrument_version.number,
                    p.round.due_date,
                    _score(p.overall.host),
                    _score(p.overall.resource),
                    _score(p.overall.combined),
                    _score(p.overall.gap),
                )
                for p in points
            ],
            [score_note(p.overall) for p in points],
        )
        table = Table(
            key=f"trend-{i + 1}",
            title=_("%(instrument)s over time") % {"instrument": instrument.shown_name},
            columns=columns,
            rows=rows,
        )
        chart = charts.bar_line_chart(
            table.title,
            labels,
            [_score(p.overall.host) for p in points],
            [_score(p.overall.resource) for p in points],
            bar_name=_("Host side"),
            line_name=_("Resource side"),
        )
        parts.append({"instrument": instrument, "chart": chart, "table": table})
    return parts


@login_required
def partnership_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    partnership, access = get_partnership_for_user(request.user, partnership_uuid)
    rounds = selectors.round_list(user=request.user, partnership=partnership)
    table = _rounds_table(rounds)
    trends = _trend_parts(selectors.round_trends(partnership=partnership))
    download = export_response(request, [table, *(t["table"] for t in trends)])
    if download is not None:
        return download
    context = {
        "partnership": partnership,
        "table": table,
        "trends": trends,
        "can_open": access.can_open_assessment and not partnership.has_ended,
    }
    return render(request, "sustainability/partnership.html", context)


@login_required
def benefit_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    partnership, _access = get_partnership_for_user(request.user, partnership_uuid)
    benefit = selectors.mutual_benefit(partnership=partnership)
    by_side = benefit.by_side
    to_host = benefit.direction("resource_to_host")
    to_resource = benefit.direction("host_to_resource")
    table = Table(
        key="benefit",
        title=_("Mutual benefit: %(partnership)s") % {"partnership": partnership.title},
        columns=[
            Column(_("What")),
            Column(_("Host side"), "number", places=0),
            Column(_("Resource side"), "number", places=0),
        ],
        rows=[
            (
                _("Exchanges received"),
                to_host.completed if to_host else 0,
                to_resource.completed if to_resource else 0,
            ),
            (
                _("Person-days received"),
                to_host.person_days if to_host else 0,
                to_resource.person_days if to_resource else 0,
            ),
            (_("People trained"), by_side.trained["host"], by_side.trained["resource"]),
            (
                _("Mentoring pairs (mentored)"),
                by_side.mentored_pairs["host"],
                by_side.mentored_pairs["resource"],
            ),
            (
                _("Mentoring sessions (mentored)"),
                by_side.mentored_sessions["host"],
                by_side.mentored_sessions["resource"],
            ),
        ],
        caption=_(
            "An exchange is counted for the side it went to: resource to host counts for the host side."
        ),
    )
    download = export_response(request, [table])
    if download is not None:
        return download
    balance = [(row[0], row[1], row[2], max(row[1], row[2], 1)) for row in table.rows]
    context = {"partnership": partnership, "table": table, "balance": balance, "learned": by_side.learned}
    return render(request, "sustainability/benefit.html", context)


@login_required
def round_open_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    partnership, access = get_partnership_for_user(request.user, partnership_uuid)
    require(access.can_open_assessment)
    if request.method != "POST":
        try:  # the service would refuse the round: say so before anyone fills the form in
            services.refuse_ended([partnership], NON_FIELD_ERRORS)
        except ValidationError as exc:
            for message in exc.messages:
                messages.info(request, message)
            return redirect("sustainability:partnership", partnership.uuid)
    instruments = selectors.instrument_list(user=request.user, programme_id=partnership.programme_id)
    form = RoundOpenForm(request.POST or None, instruments=instruments)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assessment_round = services.round_open(
                actor=request.user,
                partnership=partnership,
                instrument=data["instrument"],
                due_date=data["due_date"],
                title=data["title"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The round is open; both sides have been told."))
            return redirect("sustainability:round", assessment_round.uuid)
    context = {"form": form, "partnership": partnership, "title": _("Open an assessment round")}
    return render(request, "sustainability/assessment_form.html", context, status=400 if form.errors else 200)


# --- one round ----------------------------------------------------------------------------------------------


def _results_table(result: selectors.RoundScores) -> Table:
    """The round's results as the page shows them and the export writes them: one row per section and item, only
    the sides the reader may see (the others are empty); the combined score and the gap only once both sides
    have submitted."""
    revealed = result.round.is_revealed
    # Each row names the instrument and its version: scores of two versions do not compare statement by
    # statement, and a downloaded file travels without the page that says which one the round used (issue 13).
    used = (result.version.instrument.shown_name, result.version.number)
    rows: list[Any] = []
    for line in result.sections:
        rows.append((*used, *_result_row(line.section.shown_title, "", line.scored, revealed)))
        rows.extend(
            (*used, *_result_row(line.section.shown_title, item.item.shown_statement, item.scored, revealed))
            for item in line.items
        )
    rows.append((*used, *_result_row(_("Overall"), "", result.overall, revealed)))
    columns = [
        Column(_("Instrument")),
        Column(_("Version"), "number", places=0),
        Column(_("Section")),
        Column(_("Statement")),
        Column(_("Host side"), "number"),
        Column(_("Resource side"), "number"),
    ]
    if revealed:
        columns += [
            Column(_("Combined"), "number"),
            Column(_("Gap (host − resource)"), "number"),
            Column(_("Note")),
        ]
    return Table(
        key="results",
        title=_("Results: %(round)s") % {"round": result.round.shown_title},
        columns=columns,
        rows=rows,
        caption=_("Scores from 0 to 100; a gap of %(gap)s points or more is large.")
        % {"gap": int(LARGE_GAP)},
    )


def _result_row(section: str, statement: str, scored: Scored, revealed: bool) -> tuple[Any, ...]:
    row = (section, statement, _score(scored.host), _score(scored.resource))
    return (*row, _score(scored.combined), _score(scored.gap), score_note(scored)) if revealed else row


def _actions_table(assessment_round: AssessmentRound, actions: list[AssessmentAction]) -> Table:
    return Table(
        key="actions",
        title=_("Joint action plan: %(round)s") % {"round": assessment_round.shown_title},
        columns=[
            Column(_("Action")),
            Column(_("Section")),
            Column(_("Owner")),
            Column(_("Due"), "date"),
            Column(_("Status")),
        ],
        rows=[
            (
                shipped_name(a.title),
                a.section.shown_title if a.section else "",
                str(a.owner) if a.owner else "",
                a.due_date,
                a.get_status_display(),
            )
            for a in actions
        ],
    )


def _lines_with_comments(
    result: selectors.RoundScores, comments: dict[int, list[tuple[str, str, int]]]
) -> list[Any]:
    """Each section line with its item lines, each item line with the comments the reader may see."""
    return [
        (line, [(item, comments.get(item.item.pk, [])) for item in line.items]) for line in result.sections
    ]


def _round_people(assessment_round: AssessmentRound) -> Any:
    return User.objects.filter(
        pk__in=PartnershipMembership.objects.filter(partnership_id=assessment_round.partnership_id).values(
            "user"
        )
    ).order_by("full_name", "email")


def _round_context(
    request: AuthedRequest, assessment_round: AssessmentRound, access: PartnershipAccess, **forms: Any
) -> dict[str, Any]:
    result = selectors.round_scores(assessment_round=assessment_round, access=access)
    my_side = access.assessment_side
    sheet = selectors.own_response(assessment_round, request.user) if my_side else None
    can_answer = (
        my_side is not None
        and not assessment_round.is_cancelled
        and not assessment_round.submitted_at(my_side)
    )
    answer_form = forms.get("answer_form")
    if answer_form is None and can_answer:
        given = {a.item_id: a for a in sheet.answers.all()} if sheet else {}
        answer_form = AnswerSheetForm(
            version=result.version, initial_answers=given, initial={"version": sheet.version if sheet else 0}
        )
    sees_actions = assessment_round.is_revealed and access.can_read_joint_actions
    actions = list(assessment_round.actions.select_related("owner", "section")) if sees_actions else []
    submit_side = access.assessment_submit_side
    can_submit_side = (
        submit_side is not None
        and not assessment_round.is_cancelled
        and not assessment_round.submitted_at(submit_side)
    )
    return {
        "round": assessment_round,
        "partnership": assessment_round.partnership,
        "result": result,
        "results_table": _results_table(result),
        "sides": [
            (side, side in result.visible_sides, assessment_round.submitted_at(side), result.sheets[side])
            for side in SIDES
        ],
        "my_side": my_side,
        "sheet": sheet,
        "answer_form": answer_form,
        "can_submit_side": can_submit_side,
        "not_handed_in": selectors.sheets_not_handed_in(assessment_round, submit_side, viewer=request.user)
        if can_submit_side and submit_side
        else None,
        "lines": _lines_with_comments(
            result, selectors.round_comments(assessment_round=assessment_round, access=access)
        ),
        "sees_comments": {
            side: access.sees_assessment_comments(side, revealed=assessment_round.is_revealed)
            for side in SIDES
        },
        "sees_actions": sees_actions,
        "actions": actions,
        "actions_table": _actions_table(assessment_round, actions),
        "can_plan": sees_actions and access.can_change_joint_actions,
        "action_form": forms.get("action_form")
        or ActionForm(
            people=_round_people(assessment_round),
            sections=result.version.sections.all(),
            initial={"version": 1},
        ),
        "large_gap": LARGE_GAP,
        "can_change_round": assessment_round.is_open
        and access.can_change_assessment_round(opened_by_programme=assessment_round.opened_by_programme),
        "cancel_form": forms.get("cancel_form")
        or RoundCancelForm(initial={"version": assessment_round.version}),
        "events": history_page(request, history_for_user(request.user, assessment_round)),
        "history_full": access.can_enter_data,
    }


@login_required
def round_view(request: AuthedRequest, assessment_round_uuid: UUID) -> HttpResponse:
    assessment_round, access = selectors.get_round_for_user(request.user, assessment_round_uuid)
    context = _round_context(request, assessment_round, access)
    tables = [context["results_table"]]
    if context["sees_actions"]:
        tables.append(context["actions_table"])
    download = export_response(request, tables)
    if download is not None:
        return download
    return render(request, "sustainability/round.html", context)


@login_required
@post_only
def answers_view(request: AuthedRequest, assessment_round_uuid: UUID) -> HttpResponse:
    # Whoever answers for no side is refused before their form is read (403, not the form's 400).
    assessment_round, access = selectors.get_round_for_user(request.user, assessment_round_uuid, answer=True)
    version = selectors.version_detail_queryset().get(pk=assessment_round.instrument_version_id)
    form = AnswerSheetForm(request.POST, version=version, initial_answers={})
    if form.is_valid():
        try:
            services.answers_save(
                actor=request.user,
                assessment_round=assessment_round,
                answers=form.answers(),
                submit="submit" in request.POST,
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if "submit" in request.POST:
                messages.success(
                    request, _("Your answers are handed in. Your side's coordinator submits the side.")
                )
            else:
                messages.success(request, _("Your answers are saved."))
            return redirect("sustainability:round", assessment_round.uuid)
    context = _round_context(request, assessment_round, access, answer_form=form)
    return render(request, "sustainability/round.html", context, status=400)


@login_required
@post_only
def side_submit_view(request: AuthedRequest, assessment_round_uuid: UUID) -> HttpResponse:
    assessment_round, _access = selectors.get_round_for_user(request.user, assessment_round_uuid)
    try:
        services.side_submit(actor=request.user, assessment_round=assessment_round)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Your side's answers are submitted."))
    return redirect("sustainability:round", assessment_round.uuid)


@login_required
def round_edit_view(request: AuthedRequest, assessment_round_uuid: UUID) -> HttpResponse:
    assessment_round, _access = selectors.get_round_for_user(request.user, assessment_round_uuid, change=True)
    if request.method != "POST":
        try:
            services.refuse_closed(assessment_round)
        except ValidationError as exc:  # a complete or cancelled round: no form to fill in for nothing
            for message in exc.messages:
                messages.info(request, message)
            return redirect("sustainability:round", assessment_round.uuid)
    form = RoundEditForm(
        request.POST or None,
        initial={
            "due_date": assessment_round.due_date,
            "title": assessment_round.title,
            "version": assessment_round.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.round_update(
                actor=request.user,
                assessment_round=assessment_round,
                data={"due_date": data["due_date"], "title": data["title"]},
                expected_version=data["version"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The round is changed."))
            return redirect("sustainability:round", assessment_round.uuid)
    context = {
        "form": form,
        "partnership": assessment_round.partnership,
        "title": _("Change the round: %(round)s") % {"round": assessment_round.shown_title},
    }
    return render(request, "sustainability/assessment_form.html", context, status=400 if form.errors else 200)


@login_required
@post_only
def round_cancel_view(request: AuthedRequest, assessment_round_uuid: UUID) -> HttpResponse:
    assessment_round, access = selectors.get_round_for_user(request.user, assessment_round_uuid, change=True)
    form = RoundCancelForm(request.POST)
    if form.is_valid():
        try:
            services.round_cancel(
                actor=request.user,
                assessment_round=assessment_round,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The round is cancelled; its answer sheets are kept."))
            return redirect("sustainability:round", assessment_round.uuid)
    context = _round_context(request, assessment_round, access, cancel_form=form)
    return render(request, "sustainability/round.html", context, status=400)


def _get_action(assessment_round: AssessmentRound, action_uuid: UUID) -> AssessmentAction:
    action = assessment_round.actions.filter(uuid=action_uuid).first()
    if action is None:
        raise Http404
    action.round = assessment_round
    return action


@login_required
@post_only
def action_add_view(
    request: AuthedRequest, assessment_round_uuid: UUID, action_uuid: UUID | None = None
) -> HttpResponse:
    assessment_round, access = selectors.get_round_for_user(request.user, assessment_round_uuid)
    require(access.can_change_joint_actions)
    action = _get_action(assessment_round, action_uuid) if action_uuid else None
    form = ActionForm(
        request.POST,
        people=_round_people(assessment_round),
        sections=Section.objects.filter(version_id=assessment_round.instrument_version_id),
    )
    if form.is_valid():
        data = {k: form.cleaned_data[k] for k in services.ACTION_FIELDS}
        try:
            if action is None:
                services.action_create(
                    actor=request.user,
                    assessment_round=assessment_round,
                    uuid=form.cleaned_data["uuid"],
                    **data,
                )
            else:
                services.action_update(
                    actor=request.user,
                    action=action,
                    data=data,
                    expected_version=form.cleaned_data["version"],
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The action plan is saved."))
            return redirect(reverse("sustainability:round", args=[assessment_round.uuid]) + "#actions")
    context = _round_context(request, assessment_round, access, action_form=form)
    return render(request, "sustainability/round.html", context, status=400)


# --- the programme ----------------------------------------------------------------------------------------


def _programme_table(rows: Iterable[selectors.ProgrammeRow]) -> Table:
    # One reverse() for every row: the download lists every partnership of the programme.
    url = reverse("sustainability:partnership", args=[UUID(int=0)]).replace(str(UUID(int=0)), "{}")
    rows = list(rows)
    notes = [
        "\n".join(
            f"{label}{colon()}{note}"
            for label, scored in ((_("Health check"), r.health_scores), (_("Readiness"), r.readiness_scores))
            if scored and (note := score_note(scored))
        )
        for r in rows
    ]
    columns, table_rows = _noted(
        # Scores and gaps are shown as every score is (scores.score_round: one decimal at most), in the reader's
        # language; the largest gap, which orders the rows, is shown as the size it was sorted by.
        [
            Column(_("Partnership")),
            Column(_("Largest gap (points)"), "number", places=SCORE_PLACES),
            Column(_("Health check: instrument")),
            Column(_("Health check: host"), "number", places=SCORE_PLACES),
            Column(_("Health check: resource"), "number", places=SCORE_PLACES),
            Column(_("Health check: gap"), "number", places=SCORE_PLACES),
            Column(_("Largest gap in")),
            Column(_("Readiness: instrument")),
            Column(_("Readiness: combined"), "number", places=SCORE_PLACES),
            Column(_("Readiness: gap"), "number", places=SCORE_PLACES),
            Column(_("Rounds waiting"), "number", places=0),
        ],
        [
            (
                Link(r.partnership.title, url.format(r.partnership.uuid)),
                _score(r.largest_gap) if r.health_scores or r.readiness_scores else None,
                r.health_instrument,
                _score(r.health_scores.host) if r.health_scores else None,
                _score(r.health_scores.resource) if r.health_scores else None,
                _score(r.health_scores.gap) if r.health_scores else None,
                r.health_gap_section,
                r.readiness_instrument,
                _score(r.readiness_scores.combined) if r.readiness_scores else None,
                _score(r.readiness_scores.gap) if r.readiness_scores else None,
                r.waiting,
            )
            for r in rows
        ],
        notes,
    )
    return Table(
        key="partnerships",
        title=_("Health and readiness by partnership"),
        columns=columns,
        rows=table_rows,
        caption=_("The newest round both sides have submitted; largest gap first."),
    )


@login_required
def programme_view(request: AuthedRequest, programme_uuid: UUID) -> HttpResponse:
    programme = get_programme_for_staff(request.user, programme_uuid)
    # One page for the programme's sustainability: the scores here, the graduation pipeline and what still runs
    # after the end (transition_views.programme_transition_context) below them.
    transition = programme_transition_context(programme, today=latest_today(programme_zones(programme)))
    wanted = request.GET.get("table")
    download = (
        export_response(request, transition["transition_tables"])
        if wanted in {t.key for t in transition["transition_tables"]}
        else None
    )
    if download is not None:
        return download
    rows = selectors.programme_sustainability(
        programme_id=programme.pk, partnerships=Partnership.objects.visible_to(request.user)
    )
    download = list_download(request, rows, _programme_table)
    if download is not None:
        return download
    # The largest gaps come first, a page at a time: a programme of hundreds of partnerships is for the
    # download, not for a phone on a slow link.
    page_obj = Paginator(rows, settings.PAGE_SIZE).get_page(page_number(request.GET.get("page")))
    context = {
        "programme": programme,
        "page_obj": page_obj,
        "table": _programme_table(page_obj.object_list),
        "large_gap": LARGE_GAP,
        "can_open": can_edit_instrument(request.user, programme.pk),
        **transition,
    }
    return render(request, "sustainability/programme.html", context)


@login_required
def programme_rounds_view(request: AuthedRequest, programme_uuid: UUID) -> HttpResponse:
    programme = get_programme_for_staff(request.user, programme_uuid, write=True)
    form = ProgrammeRoundsForm(
        request.POST or None,
        instruments=selectors.instrument_list(user=request.user, programme_id=programme.pk),
        # A graduated or closed partnership takes no new round (services.rounds_open refuses it).
        partnerships=Partnership.objects.filter(programme=programme)
        .exclude(stage__in=ENDED_STAGES)
        .order_by("title"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rounds = services.rounds_open(
                actor=request.user,
                programme=programme,
                instrument=data["instrument"],
                partnerships=list(data["partnerships"]),
                due_date=data["due_date"],
                title=data["title"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                ngettext("%(count)s round is open.", "%(count)s rounds are open.", len(rounds))
                % {"count": len(rounds)},
            )
            return redirect("sustainability:programme", programme.uuid)
    context = {"form": form, "programme": programme, "title": _("Open assessment rounds")}
    return render(request, "sustainability/assessment_form.html", context, status=400 if form.errors else 200)


# --- instruments ------------------------------------------------------------------------------------------


@login_required
def instrument_list_view(request: AuthedRequest) -> HttpResponse:
    instruments = selectors.instrument_list(user=request.user)
    programmes = Programme.objects.edited_by(request.user).order_by("name")
    return render(
        request, "sustainability/instruments.html", {"instruments": instruments, "programmes": programmes}
    )


@login_required
def instrument_create_view(request: AuthedRequest, programme_uuid: UUID) -> HttpResponse:
    programme = get_programme_for_staff(request.user, programme_uuid, write=True)
    form = InstrumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            instrument = services.instrument_create(
                actor=request.user, programme=programme, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The instrument is created. Add its sections and statements."))
            return redirect("sustainability:instrument", instrument.uuid)
    context = {"form": form, "programme": programme, "title": _("New instrument")}
    return render(request, "sustainability/assessment_form.html", context, status=400 if form.errors else 200)


@login_required
def instrument_view(request: AuthedRequest, instrument_uuid: UUID) -> HttpResponse:
    instrument = selectors.get_instrument_for_user(request.user, instrument_uuid)
    can_edit = can_edit_instrument(request.user, instrument.programme_id)
    section_form, item_form = SectionForm(), ItemForm()
    # The statement form that was refused opens where it was sent from, with what was typed and its errors
    # (a tester's finding: the error sat in a closed panel and the alert under the unrelated "Add a section").
    failed_section = failed_item = 0
    if request.method == "POST":
        require(can_edit)
        before = instrument.versions.order_by("-number").values_list("number", flat=True).first()
        section_form, item_form = _instrument_post(request, instrument)
        if section_form is None:
            after = instrument.versions.order_by("-number").values_list("number", flat=True).first()
            if before is not None and after != before:
                # A change to an answered version is saved in a new one (services.editable_version): the editor
                # must know that rounds already answered keep the old wording, and new rounds take the new.
                messages.success(
                    request,
                    _(
                        "Saved as version %(new)s: version %(old)s has been answered, so it stays as it was for "
                        "its rounds. New rounds use version %(new)s."
                    )
                    % {"new": after, "old": before},
                )
            else:
                messages.success(request, _("Saved."))
            return redirect("sustainability:instrument", instrument.uuid)
        what = request.POST.get("what", "")
        failed_section = _posted_id(request, "section") if what == "item" else 0
        failed_item = _posted_id(request, "item") if what == "edit" else 0
    version = selectors.current_version(instrument)
    context = {
        "instrument": instrument,
        "version": version,
        "versions": instrument.versions.order_by("-number"),
        "can_edit": can_edit,
        "section_form": section_form,
        "item_form": item_form,
        "blank_item_form": ItemForm(),
        "failed_section": failed_section,
        "failed_item": failed_item,
        "events": history_page(request, history_for_user(request.user, instrument)),
        "history_full": can_edit,
    }
    status = 400 if section_form.errors or item_form.errors else 200
    return render(request, "sustainability/instrument.html", context, status=status)


def _posted_id(request: AuthedRequest, name: str) -> int:
    """An integer id from the form (0, which matches nothing, when it is missing or not a number)."""
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() and len(value) < 12 else 0


def _instrument_post(request: AuthedRequest, instrument: Any) -> tuple[Any, Any]:
    """Add a section, add an item or change an item; (None, None) when saved, else the forms with errors."""
    what = request.POST.get("what", "") or "section"
    section_form, item_form = SectionForm(), ItemForm()
    try:
        if what == "section":
            section_form = SectionForm(request.POST)
            if section_form.is_valid():
                services.section_add(actor=request.user, instrument=instrument, **section_form.cleaned_data)
                return None, None
        elif what in ("item", "edit"):
            item_form = ItemForm(request.POST)
            if item_form.is_valid():
                scope = Item.objects.filter(section__version__instrument=instrument)
                if what == "item":
                    section = Section.objects.filter(
                        version__instrument=instrument, pk=_posted_id(request, "section")
                    ).first()
                    if section is None:
                        raise Http404
                    services.item_add(actor=request.user, section=section, **item_form.cleaned_data)
                else:
                    item = (
                        scope.select_related("section__version__instrument")
                        .filter(pk=_posted_id(request, "item"))
                        .first()
                    )
                    if item is None:
                        raise Http404
                    services.item_update(actor=request.user, item=item, data=item_form.cleaned_data)
                return None, None
        else:
            raise Http404
    except ValidationError as exc:
        add_service_errors(item_form if what != "section" else section_form, exc)
    return section_form, item_form
