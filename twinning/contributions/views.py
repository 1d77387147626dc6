"""Web pages of the contributions ledger: a partnership's time and gifts, the programme's awards and rates,
and the leverage, disclosure and cost-share reports (with XLSX downloads)."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from twinning.accounts.access import (
    PartnershipAccess,
    history_for_user,
    programme_access,
    require,
    verifies_anywhere,
)
from twinning.contributions import services, work
from twinning.contributions.figures import (
    leverage_charts,
    leverage_tables,
    partnership_years_table,
    unconverted_table,
)
from twinning.contributions.forms import (
    AllocationForm,
    AwardForm,
    ClaimForm,
    EvidenceForm,
    ExchangeRateForm,
    ExchangeRateImportForm,
    GiftForm,
    ReceiveForm,
    TimeEntryForm,
    ValuationRateForm,
)
from twinning.contributions.models import (
    Award,
    Basis,
    ContributionStatus,
    ExchangeRate,
    Gift,
    TimeEntry,
    ValuationRate,
)
from twinning.contributions.selectors import (
    Disclosure,
    award_list,
    claims_with_values,
    cost_share_report,
    disclosure_report,
    get_award_for_user,
    gift_list,
    leverage_report,
    money,
    time_entry_list,
)
from twinning.core.exports import Action, Column, Link, Table, export_response, list_download, xlsx_bytes
from twinning.core.forms import add_service_errors
from twinning.core.http import AuthedRequest, post_only, post_scope
from twinning.core.ids import parse_uuid
from twinning.core.numbers import current_locale, query_int
from twinning.core.offline import offline_page
from twinning.core.pagination import history_page, paginate
from twinning.core.reference import country_name, shipped_name
from twinning.core.spreadsheets import XLSX_TYPE, Sheet, xlsx_response
from twinning.core.uploads import group_problems
from twinning.partnerships.models import Partnership, Programme
from twinning.partnerships.selectors import (
    get_partnership_for_user,
    get_programme_for_staff,
    partnership_today,
)

post_scope("award_uuid", lambda user, uuid: get_award_for_user(user, uuid))


def _basis(request: AuthedRequest) -> str:
    value = request.GET.get("basis", "")
    return value if value in Basis.values else Basis.GENERIC


def _year(request: AuthedRequest) -> int | None:
    return query_int(request.GET.get("year", ""), minimum=1900, maximum=2200)


# --- programme-level reports --------------------------------------------------------------------------


@login_required
def leverage_view(request: AuthedRequest, programme_uuid: UUID) -> HttpResponse:
    programme = get_programme_for_staff(request.user, programme_uuid)
    report = leverage_report(programme=programme, basis=_basis(request))
    tables = leverage_tables(report)
    download = export_response(request, list(tables.values()))
    if download is not None:
        return download
    context = {
        "programme": programme,
        "report": report,
        "bases": Basis.choices,
        "tables": tables,
        "can_manage": programme_access(request.user, programme.pk).can_manage_finance,
        **leverage_charts(report),
    }
    return render(request, "contributions/leverage.html", context)


@login_required
def partnership_leverage_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    partnership, _access = get_partnership_for_user(request.user, partnership_uuid)
    report = leverage_report(programme=partnership.programme, basis=_basis(request), partnership=partnership)
    years = partnership_years_table(partnership, report)
    unconverted = unconverted_table(report)
    download = export_response(request, [years, unconverted])
    if download is not None:
        return download
    context = {
        "partnership": partnership,
        "report": report,
        "bases": Basis.choices,
        "years_table": years,
        "unconverted_table": unconverted,
        **leverage_charts(report),
    }
    return render(request, "contributions/partnership_leverage.html", context)


def _disclosure_tables(report: Disclosure) -> list[Table]:
    """The disclosure's two tables: gifts by category, use and technique with a total row, in the reporting
    currency; and what could not be converted, each in its own currency."""
    c = report.currency
    t = report.total
    gifts = Table(
        key="gifts",
        title=_("Gifts in kind"),
        caption=_("Fair values in %(c)s, converted at the rate of each gift's date.") % {"c": c},
        columns=[
            Column(_("Category")),
            Column(_("Monetised or used")),
            Column(_("Valuation technique")),
            Column(_("Gifts"), "number"),
            Column(_("Pledged"), "money", currency=c),
            Column(_("Received, not verified"), "money", currency=c),
            Column(_("Verified"), "money", currency=c),
        ],
        rows=[
            *(
                (
                    r.category_label,
                    r.use_label,
                    r.technique_label,
                    r.count,
                    r.value_pledged,
                    r.value_received,
                    r.value_verified,
                )
                for r in report.rows
            ),
            (_("Total"), "", "", t.count, t.value_pledged, t.value_received, t.value_verified),
        ],
    )
    unconverted = Table(
        key="unconverted",
        title=_("Not converted"),
        columns=[
            Column(_("Category")),
            Column(_("Currency")),
            Column(_("Amount"), "money", currency_from=1),
            Column(_("Gifts"), "number"),
        ],
        rows=[(category, currency, amount, n) for category, currency, amount, n in report.unconverted],
    )
    return [gifts, unconverted]


@login_required
def disclosure_view(request: AuthedRequest, programme_uuid: UUID) -> HttpResponse:
    programme = get_programme_for_staff(request.user, programme_uuid)
    year = _year(request)
    report = disclosure_report(programme=programme, year=year)
    gifts, unconverted = _disclosure_tables(report)
    download = export_response(request, [gifts, unconverted])
    if download is not None:
        return download
    context = {
        "programme": programme,
        "report": report,
        "year": year,
        "gifts": gifts,
        "unconverted": unconverted,
    }
    return render(request, "contributions/disclosure.html", context)


@login_required
def disclosure_xlsx_view(request: AuthedRequest, programme_uuid: UUID) -> HttpResponse:
    """Both disclosure tables in one workbook (the address older links use); the page offers each table too."""
    programme = get_programme_for_staff(request.user, programme_uuid)
    year = _year(request)
    report = disclosure_report(programme=programme, year=year)
    suffix = f"-{year}" if year else ""
    response = HttpResponse(xlsx_bytes(_disclosure_tables(report)), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"gifts-in-kind{suffix}.xlsx")
    return response


# --- awards -------------------------------------------------------------------------------------------


def _awards_table(awards: Any) -> Table:
    """A programme's awards, each amount in the award's own currency (named in the row)."""
    return Table(
        key="awards",
        title=_("Awards"),
        columns=[
            Column(_("Award")),
            Column(_("Title")),
            Column(_("From"), "date"),
            Column(_("To"), "date"),
            Column(_("Amount"), "money", currency_from=6),
            Column(_("Allocated"), "money", currency_from=6),
            Column(_("Currency")),
            Column(_("Partnerships"), "number"),
        ],
        rows=[
            (
                Link(f"{a.shown_donor} {a.reference}", reverse("contributions:award_detail", args=[a.uuid])),
                a.shown_title,
                a.start_date,
                a.end_date,
                a.amount,
                a.allocated or 0,
                a.currency,
                a.partnerships,
            )
            for a in awards
        ],
    )


@login_required
def award_list_view(request: AuthedRequest, programme_uuid: UUID) -> HttpResponse:
    programme = get_programme_for_staff(request.user, programme_uuid)
    can_manage = programme_access(request.user, programme.pk).can_manage_finance
    form = AwardForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                award = services.award_create(actor=request.user, programme=programme, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The award is recorded."))
                return redirect("contributions:award_detail", award.uuid)
    awards = _awards_table(award_list(programme=programme))
    download = export_response(request, [awards])
    if download is not None:
        return download
    context = {
        "programme": programme,
        "awards_table": awards,
        "form": form,
        "can_manage": can_manage,
        # The demo's funders read in the reader's language; a programme's own are shown as typed.
        "funders": [shipped_name(f) for f in programme.funder_list],
    }
    return render(request, "contributions/awards.html", context, status=400 if form.errors else 200)


def _award_context(request: AuthedRequest, award: Award, **forms: Any) -> dict[str, Any]:
    report = cost_share_report(award=award)
    claims = claims_with_values(award).select_related(
        "gift__partnership", "time_entry__partnership", "time_entry__person", "time_entry__institution"
    )
    page = paginate(request, claims.order_by("-created_at", "-id"))
    return {
        "award": award,
        "programme": award.programme,
        "report": report,
        "allocations": award.allocations.select_related("partnership").order_by("partnership__title"),
        "page_obj": page,
        "claims": page.object_list,
        "can_manage": programme_access(request.user, award.programme_id).can_manage_finance,
        "allocation_form": forms.get("allocation_form") or AllocationForm(award=award),
        "events": history_page(request, history_for_user(request.user, award)),
        "history_full": programme_access(request.user, award.programme_id).can_manage_finance,
    }


@login_required
def award_detail_view(request: AuthedRequest, award_uuid: UUID) -> HttpResponse:
    award = get_award_for_user(request.user, award_uuid)
    return render(request, "contributions/award_detail.html", _award_context(request, award))


@login_required
@post_only
def allocation_add_view(request: AuthedRequest, award_uuid: UUID) -> HttpResponse:
    award = get_award_for_user(request.user, award_uuid)
    if not programme_access(request.user, award.programme_id).can_manage_finance:
        raise PermissionDenied
    form = AllocationForm(request.POST, award=award)
    if form.is_valid():
        try:
            services.allocation_set(actor=request.user, award=award, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The allocation is saved."))
            return redirect("contributions:award_detail", award.uuid)
    return render(
        request,
        "contributions/award_detail.html",
        _award_context(request, award, allocation_form=form),
        status=400,
    )


def _cost_share_summary(award: Award, report: Any) -> list[list[Any]]:
    cur = report.currency
    return [
        [_("Award"), str(award)],
        [_("Amount"), award.amount, award.currency],
        [_("Allocated (%(c)s)") % {"c": cur}, report.funds_allocated],
        [_("Cost share required (%(c)s)") % {"c": cur}, report.required],
        [_("Counted (%(c)s)") % {"c": cur}, report.claimed],
        [_("Counted and verified (%(c)s)") % {"c": cur}, report.claimed_verified],
        [_("Share met"), report.share_met],
        [_("Counted but not converted (no exchange rate)"), report.unconverted_count],
    ]


def _claim_rows(claims: Any) -> Iterator[list[Any]]:
    """One spreadsheet row per contribution counted towards the cost share, read in chunks."""
    c: Any
    for c in claims.order_by("id").iterator(chunk_size=2000):
        item = c.gift or c.time_entry
        kind = _("Gift") if c.gift_id else _("Time")
        described = (
            c.gift.shown_description
            if c.gift_id
            else f"{c.time_entry.hours} h, {c.time_entry.get_cadre_display()}"
        )
        date = c.gift.gift_date if c.gift_id else c.time_entry.start_date
        yield [
            kind,
            str(item.partnership),
            date,
            described,
            item.get_status_display(),
            money(c.value) if c.value is not None else None,
        ]


@login_required
def cost_share_xlsx_view(request: AuthedRequest, award_uuid: UUID) -> HttpResponse:
    award = get_award_for_user(request.user, award_uuid)
    report = cost_share_report(award=award)
    claims = claims_with_values(award).select_related("gift__partnership", "time_entry__partnership")
    cur = report.currency
    summary = _cost_share_summary(award, report)
    by_partnership = [list(row) for row in report.by_partnership]
    return xlsx_response(
        f"cost-share-{award.reference}.xlsx".replace("/", "-"),
        [
            Sheet(_("Summary"), [_("Item"), _("Value"), ""], summary),
            Sheet(
                _("By partnership"),
                [_("Partnership"), _("Counted"), _("Verified"), _("Contributions")],
                by_partnership,
            ),
            Sheet(
                _("Contributions"),
                [
                    _("Kind"),
                    _("Partnership"),
                    _("Date"),
                    _("Description"),
                    _("Status"),
                    _("Value (%(c)s)") % {"c": cur},
                ],
                _claim_rows(claims),
            ),
        ],
    )


# --- rates ----------------------------------------------------------------------------------------------


@login_required
def rates_view(request: AuthedRequest, programme_uuid: UUID) -> HttpResponse:
    programme = get_programme_for_staff(request.user, programme_uuid)
    can_manage = programme_access(request.user, programme.pk).can_manage_finance
    form = ValuationRateForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.valuation_rate_create(actor=request.user, programme=programme, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The rate is added."))
                return redirect("contributions:rates", programme.uuid)
    context = {
        "programme": programme,
        "rates": ValuationRate.objects.filter(programme=programme).order_by(
            "basis", "cadre", "country", "-valid_from"
        ),
        "form": form,
        "can_manage": can_manage,
    }
    return render(request, "contributions/rates.html", context, status=400 if form.errors else 200)


@login_required
def exchange_rates_view(request: AuthedRequest, programme_uuid: UUID) -> HttpResponse:
    programme = get_programme_for_staff(request.user, programme_uuid)
    can_manage = programme_access(request.user, programme.pk).can_manage_finance
    form = ExchangeRateForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.exchange_rate_create(actor=request.user, programme=programme, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The exchange rate is added."))
                return redirect("contributions:exchange_rates", programme.uuid)
    return _exchange_rates_page(request, programme, can_manage, form, ExchangeRateImportForm())


def _exchange_rates_page(
    request: AuthedRequest,
    programme: Programme,
    can_manage: bool,
    form: Any,
    import_form: Any,
    row_errors: Any = None,
) -> HttpResponse:
    page = paginate(
        request, ExchangeRate.objects.filter(programme=programme).order_by("currency", "-valid_from")
    )
    context = {
        "programme": programme,
        "page_obj": page,
        "rates": page.object_list,
        "form": form,
        "import_form": import_form,
        "problems": group_problems(row_errors or []),
        "can_manage": can_manage,
    }
    failed = form.errors or import_form.errors or row_errors
    return render(request, "contributions/exchange_rates.html", context, status=400 if failed else 200)


@login_required
@post_only
def exchange_rate_import_view(request: AuthedRequest, programme_uuid: UUID) -> HttpResponse:
    programme = get_programme_for_staff(request.user, programme_uuid)
    if not programme_access(request.user, programme.pk).can_manage_finance:
        raise PermissionDenied
    form = ExchangeRateImportForm(request.POST, request.FILES)
    row_errors = None
    if form.is_valid():
        try:
            created = services.exchange_rates_import(
                actor=request.user,
                programme=programme,
                data=form.cleaned_data["file"],
                locale=current_locale(),
            )
        except services.ImportRejected as exc:
            row_errors = exc.row_errors
        else:
            messages.success(request, _("%(n)s exchange rates imported.") % {"n": len(created)})
            return redirect("contributions:exchange_rates", programme.uuid)
    return _exchange_rates_page(request, programme, True, ExchangeRateForm(), form, row_errors)


# --- a partnership's ledger -------------------------------------------------------------------------------


@login_required
def ledger_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    partnership, access = get_partnership_for_user(request.user, partnership_uuid)
    tab = request.GET.get("show", "gifts")
    tab = tab if tab in ("gifts", "time") else "gifts"
    currency = partnership.programme.reporting_currency
    qs: Any = (
        gift_list(partnership=partnership) if tab == "gifts" else time_entry_list(partnership=partnership)
    )

    def build(rows: Any) -> Table:
        if tab == "gifts":
            return _gifts_table(partnership, rows, currency)
        return _time_table(partnership, rows, currency, verify=access.can_manage_finance)

    download = list_download(request, qs, build)
    if download is not None:
        return download
    page = paginate(request, qs)
    context = {
        "partnership": partnership,
        "tab": tab,
        "page_obj": page,
        "table": build(page.object_list),
        "can_enter": access.can_enter_data,
        "currency": currency,
    }
    return render(request, "contributions/ledger.html", context)


def _gifts_table(partnership: Partnership, gifts: Any, currency: str) -> Table:
    """A partnership's gifts: each in its own currency, and converted to the programme's reporting currency."""
    return Table(
        key="gifts",
        title=_("In-kind gifts of %(partnership)s") % {"partnership": partnership.title},
        caption=_("An empty value is not converted yet: there is no exchange rate for the gift's date."),
        columns=[
            Column(_("Date"), "date"),
            Column(_("Gift")),
            Column(_("Category")),
            Column(_("Monetised or used")),
            Column(_("Contributor")),
            Column(_("Contributor kind")),
            Column(_("Fair value"), "money", currency_from=7),
            Column(_("Currency")),
            Column(pgettext("money", "Value"), "money", currency=currency),
            Column(_("Status")),
            Column(_("Cost share")),
        ],
        rows=[
            (
                g.gift_date,
                Link(
                    g.shown_description, reverse("contributions:gift_detail", args=[partnership.uuid, g.uuid])
                ),
                g.get_category_display(),
                g.get_use_display(),
                g.shown_contributor_name,
                g.get_contributor_kind_display(),
                g.fair_value,
                g.currency,
                g.value,
                g.get_status_display(),
                g.award_ref or "",
            )
            for g in gifts
        ],
    )


def _time_table(partnership: Partnership, entries: Any, currency: str, *, verify: bool) -> Table:
    """A partnership's volunteer time, valued on each basis in the reporting currency (empty: no rate)."""
    entries = list(entries)
    verify_label = _("Verify")
    return Table(
        key="time",
        title=_("Volunteer time of %(partnership)s") % {"partnership": partnership.title},
        caption=_(
            "An empty value is not valued yet: no valuation rate covers the date, profession and country."
        ),
        columns=[
            Column(_("From"), "date"),
            Column(_("To"), "date"),
            Column(_("Who")),
            Column(_("Cadre")),
            Column(_("Country")),
            Column(_("Activity")),
            Column(_("Time"), "number"),
            Column(_("Unit")),
            Column(_("Hours"), "number"),
            *(Column(str(label), "money", currency=currency, places=0) for _value, label in Basis.choices),
            Column(_("Status")),
            Column(_("Cost share")),
        ],
        rows=[
            (
                t.start_date,
                t.end_date,
                t.person.full_name if t.person else t.institution.name,
                t.get_cadre_display(),
                country_name(t.country),
                t.activity.shown_title if t.activity else "",
                t.quantity,
                t.get_unit_display(),
                t.hours,
                *(getattr(t, f"value_{basis}") for basis in Basis.values),
                t.get_status_display(),
                t.award_ref or "",
            )
            for t in entries
        ],
        actions=[
            Action(reverse("contributions:time_verify", args=[partnership.uuid, t.uuid]), verify_label)
            if verify and t.status == ContributionStatus.RECEIVED
            else None
            for t in entries
        ]
        if verify
        else [],
    )


def _ledger_url(partnership: Partnership, tab: str) -> str:
    return reverse("contributions:ledger", args=[partnership.uuid]) + f"?show={tab}"


@login_required
@offline_page
def time_add_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    partnership, _access = get_partnership_for_user(request.user, partnership_uuid, data_entry=True)
    form = TimeEntryForm(request.POST or None, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        try:
            services.time_entry_create(actor=request.user, partnership=partnership, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The time is recorded."))
            return redirect(_ledger_url(partnership, "time"))
    return render(
        request,
        "contributions/form.html",
        {
            "form": form,
            "partnership": partnership,
            "title": _("Record volunteer time"),
            # Offline, what is typed waits in the browser and is sent to the API as a create (offline.js).
            "offline_api": reverse("api:time_entries_create", args=[partnership.uuid]),
        },
        status=400 if form.errors else 200,
    )


def _time_entry(partnership: Partnership, entry_uuid: UUID) -> TimeEntry:
    entry = partnership.time_entries.filter(uuid=entry_uuid).select_related("partnership__programme").first()
    if entry is None:
        raise Http404
    return entry


@login_required
@post_only
def time_verify_view(request: AuthedRequest, partnership_uuid: UUID, entry_uuid: UUID) -> HttpResponse:
    partnership, _access = get_partnership_for_user(request.user, partnership_uuid)
    entry = _time_entry(partnership, entry_uuid)
    try:
        services.time_entry_verify(actor=request.user, entry=entry)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The time is verified."))
    return redirect(_back(request) or _ledger_url(partnership, "time"))


def _back(request: AuthedRequest) -> str | None:
    """The page a form asked to return to (`next`, e.g. the verification queue), when it is on this site."""
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
    return target if target and safe else None


@login_required
@offline_page
def gift_add_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    partnership, _access = get_partnership_for_user(request.user, partnership_uuid, data_entry=True)
    form = GiftForm(request.POST or None, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        try:
            gift = services.gift_create(actor=request.user, partnership=partnership, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The gift is recorded as pledged."))
            return redirect("contributions:gift_detail", partnership.uuid, gift.uuid)
    return render(
        request,
        "contributions/form.html",
        {
            "form": form,
            "partnership": partnership,
            "title": _("Record an in-kind gift"),
            "offline_api": reverse("api:gifts_create", args=[partnership.uuid]),
        },
        status=400 if form.errors else 200,
    )


def _gift(partnership: Partnership, gift_uuid: UUID) -> Gift:
    gift = (
        Gift.objects.filter(partnership=partnership, uuid=gift_uuid)
        .select_related("partnership__programme", "contributor_institution", "received_by", "verified_by")
        .first()
    )
    if gift is None:
        raise Http404
    return gift


def _gift_page(
    request: AuthedRequest, partnership: Partnership, access: PartnershipAccess, gift: Gift, **forms: Any
) -> HttpResponse:
    valued: Any = gift_list(partnership=partnership).get(pk=gift.pk)
    claim = gift.cost_share_claims.select_related("award").first()
    context = {
        "partnership": partnership,
        "gift": gift,
        "value": valued.value,
        "currency": partnership.programme.reporting_currency,
        "evidence": gift.evidence.all() if access.can_see_evidence else None,
        "claim": claim,
        "can_enter": access.can_enter_data,
        "can_finance": access.can_manage_finance,
        "can_receive": access.can_sign_receipt(gift.receiving_side),
        "waiting_for": work.waiting_for_signature(gift),
        "receive_form": forms.get("receive_form")
        or ReceiveForm(initial={"received_on": partnership_today(partnership, side=gift.receiving_side)}),
        "evidence_form": forms.get("evidence_form") or EvidenceForm(),
        "claim_form": forms.get("claim_form") or ClaimForm(partnership=partnership),
        "events": history_page(request, history_for_user(request.user, gift)),
        "history_full": access.can_enter_data or access.can_manage_finance,
    }
    status = 400 if any(f.errors for f in forms.values()) else 200
    return render(request, "contributions/gift_detail.html", context, status=status)


@login_required
def gift_detail_view(request: AuthedRequest, partnership_uuid: UUID, gift_uuid: UUID) -> HttpResponse:
    partnership, access = get_partnership_for_user(request.user, partnership_uuid)
    return _gift_page(request, partnership, access, _gift(partnership, gift_uuid))


@login_required
@post_only
def gift_receive_view(request: AuthedRequest, partnership_uuid: UUID, gift_uuid: UUID) -> HttpResponse:
    partnership, access = get_partnership_for_user(request.user, partnership_uuid)
    gift = _gift(partnership, gift_uuid)
    if not access.can_sign_receipt(gift.receiving_side):
        raise PermissionDenied
    form = ReceiveForm(request.POST)
    if form.is_valid():
        try:
            services.gift_receive(actor=request.user, gift=gift, received_on=form.cleaned_data["received_on"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("You signed for the gift."))
            return redirect("contributions:gift_detail", partnership.uuid, gift.uuid)
    return _gift_page(request, partnership, access, gift, receive_form=form)


@login_required
@post_only
def gift_verify_view(request: AuthedRequest, partnership_uuid: UUID, gift_uuid: UUID) -> HttpResponse:
    partnership, _access = get_partnership_for_user(request.user, partnership_uuid)
    gift = _gift(partnership, gift_uuid)
    try:
        services.gift_verify(actor=request.user, gift=gift)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The gift is verified."))
    return redirect(
        _back(request) or reverse("contributions:gift_detail", args=[partnership.uuid, gift.uuid])
    )


VERIFICATION_TABS = ("gifts", "time", "pledged")


@login_required
def verification_view(request: AuthedRequest) -> HttpResponse:
    """Finance's queue: gifts signed for and time recorded, waiting to be verified, across every partnership
    whose contributions the user may verify; and the pledged gifts still waiting for their receiving side.
    403 for someone who may verify nowhere (a viewer would only see empty lists)."""
    require(verifies_anywhere(request.user))
    tab = request.GET.get("show", "gifts")
    tab = tab if tab in VERIFICATION_TABS else "gifts"
    # Oldest first by default (a queue); "newest first" finds what was handed over today.
    newest = request.GET.get("order") == "newest"
    sign = "-" if newest else ""
    queries: dict[str, Any] = {
        "gifts": work.gifts_to_verify(request.user, duty=False).order_by(f"{sign}received_on", f"{sign}id"),
        "time": work.time_to_verify(request.user, duty=False)
        .select_related("person", "institution")
        .order_by(f"{sign}start_date", f"{sign}id"),
        "pledged": work.gifts_awaiting_signature(request.user).order_by(f"{sign}gift_date", f"{sign}id"),
    }
    page = paginate(request, queries[tab].select_related("partnership"))
    return render(
        request,
        "contributions/verification.html",
        {
            "tab": tab,
            "newest": newest,
            "page_obj": page,
            "rows": page.object_list,
            "counts": {key: qs.count() for key, qs in queries.items()},
            "here": request.get_full_path(),
        },
    )


@login_required
@post_only
def gift_evidence_add_view(request: AuthedRequest, partnership_uuid: UUID, gift_uuid: UUID) -> HttpResponse:
    partnership, access = get_partnership_for_user(request.user, partnership_uuid)
    if not (access.can_enter_data or access.can_manage_finance):
        raise PermissionDenied
    gift = _gift(partnership, gift_uuid)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.gift_evidence_add(actor=request.user, gift=gift, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The evidence is attached."))
            return redirect("contributions:gift_detail", partnership.uuid, gift.uuid)
    return _gift_page(request, partnership, access, gift, evidence_form=form)


@login_required
def gift_evidence_view(
    request: AuthedRequest, partnership_uuid: UUID, gift_uuid: UUID, evidence_uuid: UUID
) -> FileResponse:
    """Evidence is served only through this scoped view, never from a public media URL; readers get it only
    when their programme grants them evidence (403 otherwise; accounts/access.py)."""
    partnership, access = get_partnership_for_user(request.user, partnership_uuid)
    require(access.can_see_evidence)
    gift = _gift(partnership, gift_uuid)
    evidence = gift.evidence.filter(uuid=evidence_uuid).first()
    if evidence is None or not evidence.file:
        raise Http404
    return FileResponse(
        evidence.file.open("rb"), as_attachment=True, filename=Path(evidence.file.name or "").name
    )


@login_required
@post_only
def claim_add_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    """Count a gift (field `gift`) or a time entry (field `time_entry`) toward an award's cost share."""
    partnership, access = get_partnership_for_user(request.user, partnership_uuid)
    if not access.can_manage_finance:
        raise PermissionDenied
    gift = _gift(partnership, parse_uuid(request.POST["gift"])) if request.POST.get("gift") else None
    entry = (
        _time_entry(partnership, parse_uuid(request.POST["time_entry"]))
        if request.POST.get("time_entry")
        else None
    )
    form = ClaimForm(request.POST, partnership=partnership)
    if form.is_valid() and (gift or entry):
        try:
            services.cost_share_claim(
                actor=request.user, award=form.cleaned_data["award"], gift=gift, time_entry=entry
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("It now counts toward %(award)s.") % {"award": form.cleaned_data["award"]}
            )
    else:
        messages.error(request, _("Choose an award allocated to this partnership, and a gift or time entry."))
    if gift is not None:
        return redirect("contributions:gift_detail", partnership.uuid, gift.uuid)
    return redirect(_ledger_url(partnership, "time"))
