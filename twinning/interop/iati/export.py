"""IATI 2.03 activity files: one `iati-activity` per partnership, built with lxml from what collect.py read.

What each part comes from (issue 14):
- identifier: the programme's IATI organisation identifier and the partnership's public id (collect.py); an
  imported partnership that came from another publisher keeps its old identifier as other-identifier B1;
- reporting-org: the programme; participating-org: the award donors (funding), the programme (extending) and
  the institutions of both sides (implementing), each side named in our own namespaced attribute;
- status from the lifecycle stage, dates from the funding period and the stage history;
- recipient countries: the host institutions' countries; sectors: the health areas (mapping.py), DAC 5-digit;
- budgets: allocations in the programme's reporting currency, one per calendar year (so none overlap);
  transactions: one incoming commitment per allocation, in the award's currency;
- results: the plan in force, one result per objective, its indicators with baseline and periods with targets
  and approved actuals, disaggregations as dimensions;
- document links: the public page of each practice the partnership published publicly (the practice library).
Nothing here queries the database: `collect` does, in a fixed number of queries.
"""

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from twinning.core.periods import Period, parse_period
from twinning.interop.iati import codelists
from twinning.interop.iati import mapping as m
from twinning.interop.iati.collect import ActivityData, ExportData
from twinning.partnerships.models import ENDED_STAGES, Stage
from twinning.planning.models import Indicator, PlanIndicator

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CENT = Decimal("0.01")


def number(value: Decimal) -> str:
    """A decimal as IATI writes it: plain digits, no exponent, no trailing zeros ("12.5", "3", "-0.25")."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _sub(parent: etree._Element, tag: str, attrs: dict[str, str] | None = None) -> etree._Element:
    return etree.SubElement(parent, tag, attrs or {})


def _narrative(
    parent: etree._Element, tag: str | None, text: str, attrs: dict[str, str] | None = None
) -> None:
    """`<tag><narrative>text</narrative></tag>` (or the narrative alone when `tag` is None)."""
    holder = _sub(parent, tag, attrs) if tag else parent
    _sub(holder, "narrative").text = text


def _percentages(keys: list[str]) -> dict[str, str]:
    """Equal shares of 100 with two decimals that add up to exactly 100 (the last takes the remainder)."""
    if not keys:
        return {}
    share = (Decimal(100) / len(keys)).quantize(CENT, rounding=ROUND_HALF_UP)
    shares = {k: share for k in keys[:-1]}
    shares[keys[-1]] = Decimal(100) - share * (len(keys) - 1)
    return {k: number(v) for k, v in shares.items()}


def _organisations(activity: etree._Element, data: ActivityData, programme_attrs: dict[str, str]) -> None:
    donors = sorted({a.award.donor for a in data.allocations})
    for donor in donors:
        _narrative(activity, "participating-org", donor, {"role": m.ROLE_FUNDING})
    _narrative(
        activity,
        "participating-org",
        programme_attrs["name"],
        {"ref": programme_attrs["ref"], "type": programme_attrs["type"], "role": m.ROLE_EXTENDING},
    )
    p = data.partnership
    for side, links in (("host", p.host_links), ("resource", p.resource_links)):  # type: ignore[attr-defined]
        for link in links:
            institution = link.institution
            attrs = {"role": m.ROLE_IMPLEMENTING, "type": m.INSTITUTION_ORG_TYPE.get(institution.type, "90")}
            if institution.iati_org_id:
                attrs["ref"] = institution.iati_org_id
            attrs[m.SIDE_ATTRIBUTE] = side
            _narrative(activity, "participating-org", institution.name, attrs)


def _dates(activity: etree._Element, data: ActivityData, today: datetime.date) -> None:
    p = data.partnership
    dates: list[tuple[str, datetime.date]] = []
    if p.start_date:
        dates.append((m.DATE_PLANNED_START, p.start_date))
    started = data.stage_dates.get(Stage.IMPLEMENTATION)
    if started and started <= today:
        dates.append((m.DATE_ACTUAL_START, started))
    if not dates:  # IATI needs a start: a partnership without funding dates started when it was recorded
        first = min(data.stage_dates.values(), default=p.created_at.date())
        dates.append((m.DATE_ACTUAL_START, min(first, today)))
    if p.end_date:
        dates.append((m.DATE_PLANNED_END, p.end_date))
    if p.stage in ENDED_STAGES:
        ended = data.stage_dates.get(p.stage)
        if ended and ended <= today and (not started or ended >= started):
            dates.append((m.DATE_ACTUAL_END, ended))
    for kind, on in dates:
        _sub(activity, "activity-date", {"type": kind, "iso-date": on.isoformat()})


def _countries_and_sectors(activity: etree._Element, data: ActivityData) -> None:
    countries = sorted({link.institution.country for link in data.partnership.host_links})  # type: ignore[attr-defined]
    for code, share in _percentages(countries).items():
        _sub(activity, "recipient-country", {"code": code, "percentage": share})
    sectors = sorted({m.HEALTH_AREA_SECTOR[a] for a in data.health_areas if a in m.HEALTH_AREA_SECTOR})
    for code, share in _percentages(sectors or [m.DEFAULT_SECTOR]).items():
        _sub(activity, "sector", {"vocabulary": m.SECTOR_VOCABULARY_DAC5, "code": code, "percentage": share})


def _year_slices(
    start: datetime.date, end: datetime.date
) -> list[tuple[datetime.date, datetime.date, Decimal]]:
    """The calendar-year pieces of [start, end] with each piece's share of the days."""
    total = Decimal((end - start).days + 1)
    pieces = []
    for year in range(start.year, end.year + 1):
        lo, hi = max(start, datetime.date(year, 1, 1)), min(end, datetime.date(year, 12, 31))
        pieces.append((lo, hi, Decimal((hi - lo).days + 1) / total))
    return pieces


def _budgets(activity: etree._Element, data: ActivityData, currency: str) -> None:
    """One budget a calendar year in the reporting currency: each allocation spread over its award's period by
    days. An allocation without an exchange rate for its award's start is left out (the ledger shows it as
    unconverted); its transaction still says it in its own currency."""
    years: dict[int, list] = defaultdict(lambda: [None, None, Decimal(0)])
    for allocation in data.allocations:
        fx = getattr(allocation, "fx", None)
        if fx is None:
            continue
        award = allocation.award
        for lo, hi, share in _year_slices(award.start_date, award.end_date):
            slot = years[lo.year]
            slot[0] = lo if slot[0] is None else min(slot[0], lo)
            slot[1] = hi if slot[1] is None else max(slot[1], hi)
            slot[2] += allocation.amount * fx * share
    for _year, (lo, hi, amount) in sorted(years.items()):
        budget = _sub(
            activity, "budget", {"type": m.BUDGET_TYPE_ORIGINAL, "status": m.BUDGET_STATUS_INDICATIVE}
        )
        _sub(budget, "period-start", {"iso-date": lo.isoformat()})
        _sub(budget, "period-end", {"iso-date": hi.isoformat()})
        value = _sub(budget, "value", {"currency": currency, "value-date": lo.isoformat()})
        value.text = number(amount.quantize(CENT, rounding=ROUND_HALF_UP))


def _transactions(activity: etree._Element, data: ActivityData) -> None:
    for allocation in data.allocations:
        award = allocation.award
        on = allocation.created_at.date().isoformat()
        transaction = _sub(activity, "transaction", {"ref": f"{award.reference}"})
        _sub(transaction, "transaction-type", {"code": m.TRANSACTION_INCOMING_COMMITMENT})
        _sub(transaction, "transaction-date", {"iso-date": on})
        value = _sub(transaction, "value", {"currency": award.currency, "value-date": on})
        value.text = number(allocation.amount)
        _narrative(transaction, "description", " ".join(filter(None, [award.reference, award.title])))
        _narrative(transaction, "provider-org", award.donor)


def _documents(activity: etree._Element, data: ActivityData) -> None:
    """A document-link to the public page of each practice the partnership published publicly."""
    languages = codelists.codes("Language")
    for practice in data.practices:
        url = settings.SITE_URL + reverse("practices:detail", args=[practice.uuid])
        link = _sub(activity, "document-link", {"format": m.DOCUMENT_FORMAT, "url": url})
        _narrative(link, "title", practice.title)
        _sub(link, "category", {"code": m.DOCUMENT_CATEGORY_PRACTICE})
        if practice.language in languages:
            _sub(link, "language", {"code": practice.language})
        if practice.published_on is not None:
            _sub(link, "document-date", {"iso-date": practice.published_on.isoformat()})


@cache
def _period(period_id: str) -> Period:
    return parse_period(period_id)


def indicator_periods(adoption: PlanIndicator, data: ActivityData) -> list[Period]:
    """The periods an indicator reports: those with a target or an approved result, in date order, leaving out
    any that overlaps one already kept (IATI periods of an indicator must not overlap; the indicator's own
    reporting frequency is kept first)."""
    ids = set(data.targets.get(adoption.pk, {}))
    ids |= {period for (indicator_id, period) in data.results if indicator_id == adoption.indicator_id}
    periods = sorted(_period(i) for i in ids)
    own = [p for p in periods if p.frequency == adoption.indicator.frequency]
    if len(own) == len(periods):  # one frequency: periods of one length never overlap
        return periods
    kept: list[Period] = []
    for period in own + [p for p in periods if p.frequency != adoption.indicator.frequency]:
        if all(period.end < k.start or period.start > k.end for k in kept):
            kept.append(period)
    return sorted(kept)


def _value_attrs(indicator: Indicator, value: Decimal | None) -> dict[str, str]:
    if value is None or indicator.measure == Indicator.Measure.QUALITATIVE:
        return {}
    return {"value": number(value)}


def _dimension(parent: etree._Element, option_id: int, export: ExportData) -> None:
    category, name = export.options[option_id]
    _sub(parent, "dimension", {"name": category, "value": name})


def _period_element(
    element: etree._Element, adoption: PlanIndicator, period: Period, data: ActivityData, export: ExportData
) -> None:
    indicator = adoption.indicator
    node = _sub(element, "period")
    _sub(node, "period-start", {"iso-date": period.start.isoformat()})
    _sub(node, "period-end", {"iso-date": period.end.isoformat()})
    for target in data.targets.get(adoption.pk, {}).get(period.id, []):
        target_node = _sub(node, "target", _value_attrs(indicator, target.value))
        if target.option_id:
            _dimension(target_node, target.option_id, export)
    qualitative = indicator.measure == Indicator.Measure.QUALITATIVE
    for result in data.results.get((indicator.pk, period.id), []):
        value = result.score if qualitative else result.value
        actual = _sub(node, "actual", {"value": number(value)} if value is not None else {})
        if result.option_id:
            _dimension(actual, result.option_id, export)
        if result.text:
            _narrative(actual, "comment", result.text)


def _indicator(
    result: etree._Element, adoption: PlanIndicator, data: ActivityData, export: ExportData
) -> None:
    indicator = adoption.indicator
    attrs = {"measure": m.MEASURE_CODE[indicator.measure]}
    if indicator.direction != Indicator.Direction.MAINTAIN:
        attrs["ascending"] = "1" if indicator.direction == Indicator.Direction.INCREASE else "0"
    node = _sub(result, "indicator", attrs)
    _narrative(node, "title", indicator.name)
    if indicator.definition:
        _narrative(node, "description", indicator.definition)
    _sub(node, "reference", {"vocabulary": "99", "code": indicator.code})
    if adoption.baseline_value is not None or adoption.baseline_date:
        year = adoption.baseline_date.year if adoption.baseline_date else data.plan.first_year  # type: ignore[union-attr]
        baseline = {"year": str(year), **_value_attrs(indicator, adoption.baseline_value)}
        if adoption.baseline_date:
            baseline["iso-date"] = adoption.baseline_date.isoformat()
        baseline_node = _sub(node, "baseline", baseline)
        if adoption.baseline_note:
            _narrative(baseline_node, "comment", adoption.baseline_note)
    for period in indicator_periods(adoption, data):
        _period_element(node, adoption, period, data, export)


def _results(activity: etree._Element, data: ActivityData, export: ExportData) -> None:
    by_objective: dict[int, list[PlanIndicator]] = defaultdict(list)
    for adoption in data.adoptions:
        by_objective[adoption.objective_id].append(adoption)
    for adoptions in by_objective.values():
        objective = adoptions[0].objective
        result = _sub(activity, "result", {"type": m.RESULT_TYPE_OUTCOME})
        _narrative(result, "title", f"{objective.code} {objective.statement}".strip())
        for adoption in adoptions:
            _indicator(result, adoption, data, export)


def _description(data: ActivityData) -> str:
    p = data.partnership
    if p.shared_goal.strip():
        return p.shared_goal
    hosts = ", ".join(link.institution.name for link in p.host_links)  # type: ignore[attr-defined]
    resources = ", ".join(link.institution.name for link in p.resource_links)  # type: ignore[attr-defined]
    return _("A twinning partnership in health between %(hosts)s and %(resources)s.") % {
        "hosts": hosts or "-",
        "resources": resources or "-",
    }


def activity_element(data: ActivityData, export: ExportData, today: datetime.date) -> etree._Element:
    """One `iati-activity` element for one partnership (no database access).

    Raises: nothing.
    """
    programme = export.programme
    p = data.partnership
    activity = etree.Element(
        "iati-activity",
        {
            "last-updated-datetime": timezone.localtime(p.updated_at).replace(microsecond=0).isoformat(),
            XML_LANG: settings.LANGUAGE_CODE[:2],
            "default-currency": programme.reporting_currency,
        },
        nsmap={"twinning": m.TWINNING_NS},
    )
    _sub(activity, "iati-identifier").text = data.identifier
    org = {"name": programme.name, "ref": programme.iati_org_id, "type": programme.iati_org_type}
    _narrative(activity, "reporting-org", org["name"], {"ref": org["ref"], "type": org["type"]})
    _narrative(activity, "title", p.title)
    description = {"type": "1"}
    if not p.shared_goal.strip():  # said for readers, marked so that an import does not take it for a goal
        description[m.GENERATED_ATTRIBUTE] = "1"
    _narrative(activity, "description", _description(data), description)
    if data.plan is not None:
        objectives = {a.objective_id: a.objective for a in data.adoptions}
        if objectives:
            text = "\n".join(f"{o.code} {o.statement}" for o in objectives.values())
            _narrative(activity, "description", text, {"type": "2"})
    _organisations(activity, data, org)
    if p.iati_identifier and p.iati_identifier != data.identifier:
        other = _sub(activity, "other-identifier", {"ref": p.iati_identifier, "type": "B1"})
        _narrative(other, "owner-org", _("Previous reporting organisation"))
    _sub(activity, "activity-status", {"code": m.STAGE_STATUS[Stage(p.stage)], m.STAGE_ATTRIBUTE: p.stage})
    _dates(activity, data, today)
    _countries_and_sectors(activity, data)
    _budgets(activity, data, programme.reporting_currency)
    _transactions(activity, data)
    _documents(activity, data)
    _results(activity, data, export)
    return activity


def build_document(export: ExportData, *, today: datetime.date | None = None) -> etree._Element:
    """The `iati-activities` root (version 2.03) holding one activity per partnership in `export`.

    Raises: nothing.
    """
    now = timezone.now().replace(microsecond=0)
    today = today or timezone.localdate()
    root = etree.Element(
        "iati-activities",
        {"version": "2.03", "generated-datetime": now.isoformat()},
        nsmap={"twinning": m.TWINNING_NS},
    )
    for data in export.activities:
        root.append(activity_element(data, export, today))
    return root


def serialise(root: etree._Element) -> bytes:
    """The document as UTF-8 bytes with an XML declaration.

    Raises: nothing.
    """
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
