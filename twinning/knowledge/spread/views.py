"""Pages for dissemination records, the replication register and the spread of practices."""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from twinning.accounts.access import can_see_record_evidence, history_for_user, programme_access, require
from twinning.core import charts
from twinning.core.exports import Column, Link, Table, export_response, list_download
from twinning.core.forms import add_service_errors, ask_for_files_again
from twinning.core.http import AuthedRequest, post_only, post_scope
from twinning.core.numbers import query_int
from twinning.core.pagination import history_page, paginate
from twinning.core.reference import country_name, name_sort_key, shipped_name
from twinning.knowledge.models import Adoption, DisseminationRecord, Level, Practice
from twinning.knowledge.selectors import get_practice_for_user
from twinning.knowledge.spread import selectors, services
from twinning.knowledge.spread.evidence import ADOPTION, DISSEMINATION, evidence_download
from twinning.knowledge.spread.forms import (
    AdoptionEditForm,
    AdoptionForm,
    AdoptionLevelForm,
    DisseminationEditForm,
    DisseminationForm,
)
from twinning.partnerships.models import Partnership, Programme
from twinning.partnerships.selectors import get_partnership_for_user, get_programme_for_staff

# --- tables and charts -----------------------------------------------------------------------------------


post_scope("record_uuid", lambda user, uuid: selectors.get_dissemination_for_user(user, uuid))
post_scope("practice_adoption_uuid", lambda user, uuid: selectors.get_adoption_for_user(user, uuid))


def dissemination_table(title: str, records: Any) -> Table:
    """Dissemination records as the lists show them; unknown reach is left blank, never 0."""
    return Table(
        key="dissemination",
        title=title,
        columns=[
            Column(_("Date"), "date"),
            Column(_("Title")),
            Column(_("Kind")),
            Column(_("Main audience")),
            Column(_("Partnership")),
            Column(_("People reached"), "number"),
            Column(_("Facilities reached"), "number"),
        ],
        rows=[
            (
                r.date,
                Link(shipped_name(r.title), reverse("knowledge:dissemination_detail", args=[r.uuid])),
                r.get_kind_display(),
                r.get_audience_display(),
                r.partnership.title if r.partnership else _("The programme"),
                r.people_reached,
                r.facilities_reached,
            )
            for r in records
        ],
    )


def _level_label(rank: int | None) -> str:
    level = selectors.level_of_rank(rank)
    return str(Level(level).label) if level else ""


def adoption_table(practice: Practice, adoptions: list[Any]) -> Table:
    """The adopters of a practice, earliest first: the table beside the spread chart."""
    return Table(
        key="adoptions",
        title=_("Adoptions of %(practice)s") % {"practice": practice.shown_title},
        columns=[
            Column(_("Adopting site")),
            Column(_("Country")),
            Column(_("Led by")),
            Column(_("First level reached"), "date"),
            Column(_("Current level")),
            Column(_("Since"), "date"),
        ],
        rows=[
            (
                Link(a.site_name, reverse("knowledge:adoption_detail", args=[a.uuid])),
                country_name(a.country),
                a.led_by_label,
                a.first_on,
                _level_label(a.current_rank),
                a.since,
            )
            for a in adoptions
        ],
    )


def spread_chart(spread: selectors.Spread) -> Any:
    """Each adopter's band over time, coloured by the level in force (levels in Level order)."""
    rows = [
        (a.site_name, [(row.reached_on, row.rank - 1) for row in selectors.adoption_levels(a)])
        for a in spread.adoptions
    ]
    title = _("Adopters of %(practice)s over time, by level reached") % {
        "practice": spread.practice.shown_title
    }
    return charts.timeline_chart(
        rows, title=title, steps=[str(label) for label in Level.labels], end=timezone.localdate()
    )


def level_chart(by_level: dict[str, int]) -> Any:
    return charts.bar_chart(
        [(str(Level(level).label), [count]) for level, count in by_level.items()],
        title=_("Adoptions by current level"),
    )


def _level_columns(first: str) -> list[Column]:
    return [
        Column(first),
        *(Column(str(label), "number") for label in Level.labels),
        Column(_("Total"), "number"),
    ]


def programme_tables(figures: selectors.ProgrammeSpread) -> dict[str, Table]:
    """The programme spread page's tables: by level, by country, by pillar, national adoptions, reach by year."""

    def counts(levels: dict[str, int]) -> list[int]:
        return [*(levels[level] for level in Level.values), sum(levels.values())]

    tables = [
        Table(
            key="levels",
            title=_("Adoptions by current level"),
            columns=[Column(_("Level")), Column(_("Adoptions"), "number")],
            rows=[
                *((str(Level(level).label), count) for level, count in figures.by_level.items()),
                (_("Total"), figures.total),
            ],
        ),
        Table(
            key="countries",
            title=_("Adoptions by country and level"),
            columns=_level_columns(_("Country")),
            rows=sorted(
                ((country_name(code), *counts(levels)) for code, levels in figures.by_country.items()),
                key=lambda row: name_sort_key(row[0]),
            ),
        ),
        Table(
            key="pillars",
            title=_("Adoptions by pillar and level"),
            columns=_level_columns(_("Pillar")),
            rows=[(str(pillar), *counts(levels)) for pillar, levels in figures.by_pillar],
        ),
        Table(
            key="national",
            title=_("Practices adopted as national policy"),
            columns=[Column(_("Practice")), Column(_("Countries"))],
            rows=[
                (
                    Link(practice.shown_title, reverse("knowledge:practice_spread", args=[practice.uuid])),
                    ", ".join(country_name(code) for code in codes),
                )
                for practice, codes in figures.national
            ],
        ),
        Table(
            key="reach",
            title=_("Dissemination reach by year"),
            columns=[
                Column(_("Year")),
                Column(_("Records"), "number"),
                Column(_("People reached"), "number"),
                Column(_("Facilities reached"), "number"),
            ],
            rows=[(str(r.year), r.records, r.people, r.facilities) for r in figures.reach],
        ),
    ]
    return {t.key: t for t in tables}


# --- dissemination --------------------------------------------------------------------------------


def _filters(request: AuthedRequest) -> dict[str, Any]:
    kind = request.GET.get("kind", "")
    return {
        "kind": kind if kind in DisseminationRecord.Kind.values else "",
        "year": query_int(request.GET.get("year", ""), minimum=1900, maximum=2200),
    }


def _list_page(
    request: AuthedRequest, records: QuerySet[DisseminationRecord], title: str, **context: Any
) -> HttpResponse:
    download = list_download(request, records, lambda rows: dissemination_table(title, rows))
    if download is not None:
        return download
    page = paginate(request, records)
    context |= {
        "title": title,
        "page_obj": page,
        "records": page.object_list,
        "table": dissemination_table(title, page.object_list),
        "filters": _filters(request),
        "kinds": DisseminationRecord.Kind.choices,
    }
    template = (
        "knowledge/spread/includes/dissemination_results.html"
        if request.htmx
        else "knowledge/spread/dissemination_list.html"
    )
    return render(request, template, context)


@login_required
def dissemination_list_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    partnership, access = get_partnership_for_user(request.user, partnership_uuid)
    records = selectors.dissemination_list(user=request.user, partnership=partnership, **_filters(request))
    title = _("Dissemination by %(partnership)s") % {"partnership": partnership.title}
    return _list_page(request, records, title, partnership=partnership, can_enter=access.can_enter_data)


@login_required
def dissemination_programme_view(request: AuthedRequest, programme_uuid: UUID) -> HttpResponse:
    programme = get_programme_for_staff(request.user, programme_uuid)
    records = selectors.dissemination_list(user=request.user, programme=programme, **_filters(request))
    title = _("Dissemination across %(programme)s") % {"programme": programme.name}
    can_edit = programme_access(request.user, programme.pk).can_edit
    return _list_page(request, records, title, programme=programme, can_enter=can_edit)


def _record_form_page(
    request: AuthedRequest,
    *,
    programme: Programme,
    partnership: Partnership | None,
    record: DisseminationRecord | None = None,
) -> HttpResponse:
    practices = Practice.objects.visible_to(request.user).filter(programme=programme).order_by("title")
    form_class = DisseminationEditForm if record else DisseminationForm
    form = form_class(
        request.POST or None,
        request.FILES or None,
        instance=record,
        programme=programme,
        practices=practices,
        initial={"version": record.version} if record else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {k: data[k] for k in services.DISSEMINATION_FIELDS if k != "evidence_file"}
        try:
            if record is None:
                record = services.dissemination_create(
                    actor=request.user,
                    programme=programme,
                    partnership=partnership,
                    **fields,
                    evidence_file=data["evidence_file"] or None,
                )
                messages.success(request, _("The dissemination record is saved."))
            else:
                if "evidence_file" in form.changed_data:
                    fields["evidence_file"] = data["evidence_file"] or ""  # False clears the file
                services.dissemination_update(
                    actor=request.user, record=record, data=fields, expected_version=data["version"]
                )
                messages.success(request, _("Your changes are saved."))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("knowledge:dissemination_detail", record.uuid)
    ask_for_files_again(form)
    title = (
        _("Edit %(title)s") % {"title": shipped_name(record.title)}
        if record
        else _("New dissemination record")
    )
    context = {
        "form": form,
        "title": title,
        "programme": programme,
        "partnership": partnership,
        "record": record,
    }
    return render(request, "knowledge/spread/form.html", context, status=400 if form.errors else 200)


@login_required
def dissemination_create_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    partnership, _access = get_partnership_for_user(request.user, partnership_uuid, data_entry=True)
    return _record_form_page(request, programme=partnership.programme, partnership=partnership)


@login_required
def dissemination_programme_create_view(request: AuthedRequest, programme_uuid: UUID) -> HttpResponse:
    programme = get_programme_for_staff(request.user, programme_uuid, write=True)
    return _record_form_page(request, programme=programme, partnership=None)


@login_required
def dissemination_detail_view(request: AuthedRequest, record_uuid: UUID) -> HttpResponse:
    record = selectors.get_dissemination_for_user(request.user, record_uuid)
    can_edit = selectors.can_write_dissemination(request.user, record)
    context = {
        "record": record,
        "can_edit": can_edit,
        "see_evidence": can_see_record_evidence(
            request.user, programme=record.programme, partnership=record.partnership
        ),
        "events": history_page(request, history_for_user(request.user, record)),
        "history_full": can_edit,
    }
    return render(request, "knowledge/spread/dissemination_detail.html", context)


@login_required
def dissemination_edit_view(request: AuthedRequest, record_uuid: UUID) -> HttpResponse:
    record = selectors.get_dissemination_for_user(request.user, record_uuid, write=True)
    return _record_form_page(
        request, programme=record.programme, partnership=record.partnership, record=record
    )


@login_required
@post_only
def dissemination_delete_view(request: AuthedRequest, record_uuid: UUID) -> HttpResponse:
    record = selectors.get_dissemination_for_user(request.user, record_uuid, write=True)
    services.dissemination_delete(actor=request.user, record=record)
    messages.success(request, _("The dissemination record is deleted."))
    if record.partnership is not None:
        return redirect("knowledge:dissemination_list", record.partnership.uuid)
    return redirect("knowledge:dissemination_programme", record.programme.uuid)


@login_required
def dissemination_evidence_view(request: AuthedRequest, record_uuid: UUID) -> FileResponse:
    """Evidence files are served only through this scoped view; readers only when the programme grants it."""
    return evidence_download(DISSEMINATION, request.user, record_uuid)


# --- adoptions and the spread of a practice ------------------------------------------------------------


@login_required
def practice_spread_view(request: AuthedRequest, practice_uuid: UUID) -> HttpResponse:
    practice, _rights = get_practice_for_user(request.user, practice_uuid)
    if not _in_programme(request, practice):
        raise Http404  # the register is the programme's record, even of a public practice
    spread = selectors.practice_spread(user=request.user, practice=practice)
    table = adoption_table(practice, spread.adoptions)
    download = export_response(request, [table])
    if download is not None:
        return download
    context = {
        "practice": practice,
        "spread": spread,
        "chart": spread_chart(spread),
        "table": table,
        "can_record": selectors.can_record_adoptions_of(request.user, practice),
        "records": selectors.dissemination_list(user=request.user, practice=practice)[:20],
    }
    return render(request, "knowledge/spread/practice_spread.html", context)


def _in_programme(request: AuthedRequest, practice: Practice) -> bool:
    return Programme.objects.visible_to(request.user).filter(pk=practice.programme_id).exists()


@login_required
def adoption_create_view(request: AuthedRequest, practice_uuid: UUID) -> HttpResponse:
    practice, _rights = get_practice_for_user(request.user, practice_uuid)
    if not _in_programme(request, practice):
        raise Http404
    require(selectors.can_record_adoptions_of(request.user, practice))
    form = AdoptionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            adoption = services.adoption_create(
                actor=request.user,
                practice=practice,
                **{k: v for k, v in data.items() if k != "evidence_file"},
                evidence_file=data["evidence_file"] or None,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The adoption is recorded."))
            return redirect("knowledge:adoption_detail", adoption.uuid)
    ask_for_files_again(form)
    context = {"form": form, "practice": practice, "title": _("Record an adoption")}
    return render(request, "knowledge/spread/form.html", context, status=400 if form.errors else 200)


def _adoption_context(request: AuthedRequest, adoption: Adoption, **forms: Any) -> dict[str, Any]:
    can_record = selectors.can_record_adoptions_of(request.user, adoption.practice)
    return {
        "adoption": adoption,
        "practice": adoption.practice,
        "levels": selectors.adoption_levels(adoption),
        "current_level": _level_label(getattr(adoption, "current_rank", None)),
        "can_record": can_record,
        "see_evidence": selectors.can_see_adoption_evidence(request.user, adoption),
        "level_form": forms.get("level_form") or AdoptionLevelForm(),
        "events": history_page(request, history_for_user(request.user, adoption)),
        "history_full": can_record,
    }


@login_required
def adoption_detail_view(request: AuthedRequest, practice_adoption_uuid: UUID) -> HttpResponse:
    adoption = selectors.get_adoption_for_user(request.user, practice_adoption_uuid)
    return render(request, "knowledge/spread/adoption_detail.html", _adoption_context(request, adoption))


@login_required
def adoption_edit_view(request: AuthedRequest, practice_adoption_uuid: UUID) -> HttpResponse:
    adoption = selectors.get_adoption_for_user(request.user, practice_adoption_uuid, write=True)
    form = AdoptionEditForm(
        request.POST or None, request.FILES or None, instance=adoption, initial={"version": adoption.version}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {k: data[k] for k in services.ADOPTION_FIELDS if k != "evidence_file"}
        if "evidence_file" in form.changed_data:
            changes["evidence_file"] = data["evidence_file"] or ""
        try:
            services.adoption_update(
                actor=request.user, adoption=adoption, data=changes, expected_version=data["version"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("knowledge:adoption_detail", adoption.uuid)
    ask_for_files_again(form)
    context = {"form": form, "practice": adoption.practice, "adoption": adoption, "title": str(adoption)}
    return render(request, "knowledge/spread/form.html", context, status=400 if form.errors else 200)


@login_required
@post_only
def adoption_delete_view(request: AuthedRequest, practice_adoption_uuid: UUID) -> HttpResponse:
    adoption = selectors.get_adoption_for_user(request.user, practice_adoption_uuid, write=True)
    services.adoption_delete(actor=request.user, adoption=adoption)
    messages.success(request, _("The adoption is deleted."))
    return redirect("knowledge:practice_spread", adoption.practice.uuid)


@login_required
@post_only
def adoption_level_add_view(request: AuthedRequest, practice_adoption_uuid: UUID) -> HttpResponse:
    adoption = selectors.get_adoption_for_user(request.user, practice_adoption_uuid, write=True)
    form = AdoptionLevelForm(request.POST)
    if form.is_valid():
        try:
            services.adoption_level_record(actor=request.user, adoption=adoption, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The level is recorded."))
            return redirect(f"{reverse('knowledge:adoption_detail', args=[adoption.uuid])}#levels")
    context = _adoption_context(request, adoption, level_form=form)
    return render(request, "knowledge/spread/adoption_detail.html", context, status=400)


@login_required
@post_only
def adoption_level_remove_view(
    request: AuthedRequest, practice_adoption_uuid: UUID, level_uuid: UUID
) -> HttpResponse:
    adoption = selectors.get_adoption_for_user(request.user, practice_adoption_uuid, write=True)
    level = next((row for row in adoption.levels.all() if row.uuid == level_uuid), None)
    if level is None:
        raise Http404
    level.adoption = adoption
    try:
        services.adoption_level_remove(actor=request.user, level=level)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The level is removed."))
    return redirect(f"{reverse('knowledge:adoption_detail', args=[adoption.uuid])}#levels")


@login_required
def adoption_evidence_view(request: AuthedRequest, practice_adoption_uuid: UUID) -> FileResponse:
    """Evidence files are served only through this scoped view; readers only when the programme grants it."""
    return evidence_download(ADOPTION, request.user, practice_adoption_uuid)


# --- the programme's spread ------------------------------------------------------------------------------


@login_required
def programme_spread_view(request: AuthedRequest, programme_uuid: UUID) -> HttpResponse:
    programme = get_programme_for_staff(request.user, programme_uuid)
    figures = selectors.programme_spread(user=request.user, programme=programme)
    tables = programme_tables(figures)
    download = export_response(request, list(tables.values()))
    if download is not None:
        return download
    context = {
        "programme": programme,
        "figures": figures,
        "tables": tables,
        "level_chart": level_chart(figures.by_level),
        "south": selectors.south_to_south(user=request.user, programme=programme),
    }
    return render(request, "knowledge/spread/programme_spread.html", context)
