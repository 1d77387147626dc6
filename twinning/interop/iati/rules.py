"""Checks an IATI activity file must pass: the official 2.03 XML schema (vendored in schemas/, CC BY 4.0) and our
own checks of the main rules of IATI's ruleset (https://github.com/IATI/IATI-Rulesets, standard ruleset), which
the schema cannot express: dates in order and not in the future, budgets no longer than a year and not
overlapping, percentages adding up to 100, result periods in order and not overlapping, codes from the codelists.

Every problem names the element by its path in the file (`/iati-activities/iati-activity[2]/budget[1]`).
"""

import datetime
import itertools
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from twinning.interop.iati.codelists import codes

SCHEMAS = Path(__file__).with_name("schemas")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# (XPath relative to an activity, attribute, codelist): each attribute's value must be an active code.
CODE_CHECKS = [
    ("reporting-org", "type", "OrganisationType"),
    ("description", "type", "DescriptionType"),
    ("participating-org", "role", "OrganisationRole"),
    ("participating-org", "type", "OrganisationType"),
    ("activity-status", "code", "ActivityStatus"),
    ("activity-date", "type", "ActivityDateType"),
    ("recipient-country", "code", "Country"),
    ("sector", "vocabulary", "SectorVocabulary"),
    ("budget", "type", "BudgetType"),
    ("budget", "status", "BudgetStatus"),
    ("budget/value", "currency", "Currency"),
    ("transaction/transaction-type", "code", "TransactionType"),
    ("transaction/value", "currency", "Currency"),
    ("transaction/provider-org", "type", "OrganisationType"),
    ("transaction/receiver-org", "type", "OrganisationType"),
    ("document-link/category", "code", "DocumentCategory"),
    ("result", "type", "ResultType"),
    ("result/indicator", "measure", "IndicatorMeasure"),
]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: where (the element's path) and what."""

    path: str
    message: str


@cache
def activity_schema() -> etree.XMLSchema:
    """The official IATI 2.03 activity schema, loaded once (it includes iati-common.xsd and xml.xsd beside it).

    Raises: nothing (the files ship with the code).
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "iati-activities-schema.xsd"), parser))


def schema_problems(root: etree._Element) -> list[Problem]:
    """What the 2.03 schema refuses in the document, each with the line and the element's path.

    Raises: nothing.
    """
    schema = activity_schema()
    if schema.validate(root.getroottree()):
        return []
    return [
        Problem(
            error.path or "/",
            _("Line %(line)s: %(message)s") % {"line": error.line, "message": error.message},
        )
        for error in schema.error_log  # type: ignore[attr-defined]
    ]


def _date(element: etree._Element | None, attribute: str = "iso-date") -> datetime.date | None:
    if element is None:
        return None
    try:
        return datetime.date.fromisoformat((element.get(attribute) or "")[:10])
    except ValueError:
        return None


def _path(element: etree._Element) -> str:
    return element.getroottree().getpath(element)


def _code_problems(activity: etree._Element) -> list[Problem]:
    problems = []
    for xpath, attribute, codelist in CODE_CHECKS:
        allowed = codes(codelist)
        for element in activity.iterfind(xpath):
            value = element.get(attribute)
            if value is not None and value not in allowed:
                problems.append(Problem(_path(element), _unknown_code(attribute, value, codelist)))
    sectors = codes("Sector")
    for sector in activity.iterfind("sector"):
        if sector.get("vocabulary", "1") == "1" and sector.get("code") not in sectors:
            problems.append(Problem(_path(sector), _unknown_code("code", sector.get("code") or "", "Sector")))
    currency = activity.get("default-currency")
    if currency is not None and currency not in codes("Currency"):
        problems.append(Problem(_path(activity), _unknown_code("default-currency", currency, "Currency")))
    for element in activity.iter():
        lang = element.get(XML_LANG) if isinstance(element.tag, str) else None
        if lang is not None and lang.lower() not in codes("Language"):
            problems.append(Problem(_path(element), _unknown_code("xml:lang", lang, "Language")))
    return problems


def _unknown_code(attribute: str, value: str, codelist: str) -> str:
    return _("@%(attribute)s “%(value)s” is not a code of IATI's %(codelist)s codelist.") % {
        "attribute": attribute,
        "value": value,
        "codelist": codelist,
    }


def _date_problems(activity: etree._Element, today: datetime.date) -> list[Problem]:
    problems = []
    dates = {d.get("type"): d for d in activity.iterfind("activity-date")}
    for start, end in (("1", "3"), ("2", "4")):
        lo, hi = _date(dates.get(start)), _date(dates.get(end))
        if lo and hi and hi < lo:
            problems.append(
                Problem(
                    _path(dates[end]),
                    _("The activity ends (%(end)s) before it starts (%(start)s).") % {"end": hi, "start": lo},
                )
            )
    for kind in ("2", "4"):
        on = _date(dates.get(kind))
        if on and on > today:
            problems.append(
                Problem(
                    _path(dates[kind]), _("An actual date (%(date)s) cannot be in the future.") % {"date": on}
                )
            )
    for transaction_date in activity.iterfind("transaction/transaction-date"):
        on = _date(transaction_date)
        if on and on > today:
            problems.append(
                Problem(
                    _path(transaction_date),
                    _("A transaction date (%(date)s) cannot be in the future.") % {"date": on},
                )
            )
    return problems


def _budget_problems(activity: etree._Element) -> list[Problem]:
    problems = []
    spans: dict[str, list[tuple[datetime.date, datetime.date, etree._Element]]] = defaultdict(list)
    for budget in activity.iterfind("budget"):
        lo, hi = _date(budget.find("period-start")), _date(budget.find("period-end"))
        if lo is None or hi is None:
            continue
        if hi < lo:
            problems.append(Problem(_path(budget), _("The budget period ends before it starts.")))
        elif (hi - lo).days > 366:
            problems.append(Problem(_path(budget), _("A budget period must not be longer than a year.")))
        spans[budget.get("type", "1")].append((lo, hi, budget))
    for same_type in spans.values():
        problems += _overlaps(same_type, _("Budgets of the same type must not overlap."))
    return problems


def _overlaps(
    spans: list[tuple[datetime.date, datetime.date, etree._Element]], message: str
) -> list[Problem]:
    ordered = sorted(spans, key=lambda s: (s[0], s[1]))
    return [
        Problem(_path(later[2]), message)
        for earlier, later in itertools.pairwise(ordered)
        if later[0] <= earlier[1]
    ]


def _sum_problem(elements: list[etree._Element], what: str) -> Problem | None:
    """Percentages of several elements must add up to 100 (one element alone may leave it out)."""
    if len(elements) < 2 and all(e.get("percentage") is None for e in elements):
        return None
    try:
        total = sum((Decimal(e.get("percentage") or "") for e in elements), Decimal(0))
    except InvalidOperation:
        return Problem(_path(elements[0]), _("Every %(what)s needs a percentage.") % {"what": what})
    if abs(total - 100) > Decimal("0.01"):
        return Problem(
            _path(elements[0]),
            _("The %(what)s percentages add up to %(total)s, not 100.") % {"what": what, "total": total},
        )
    return None


def _percentage_problems(activity: etree._Element) -> list[Problem]:
    problems = []
    places = activity.findall("recipient-country") + activity.findall("recipient-region")
    if places:
        problem = _sum_problem(places, "recipient-country")
        if problem:
            problems.append(problem)
    by_vocabulary: dict[str, list[etree._Element]] = defaultdict(list)
    for sector in activity.iterfind("sector"):
        by_vocabulary[sector.get("vocabulary", "1")].append(sector)
    for sectors in by_vocabulary.values():
        problem = _sum_problem(sectors, "sector")
        if problem:
            problems.append(problem)
    return problems


def _result_problems(activity: etree._Element) -> list[Problem]:
    problems = []
    for indicator in activity.iterfind("result/indicator"):
        spans = []
        for period in indicator.iterfind("period"):
            lo, hi = _date(period.find("period-start")), _date(period.find("period-end"))
            if lo is None or hi is None:
                continue
            if hi < lo:
                problems.append(Problem(_path(period), _("The result period ends before it starts.")))
            else:
                spans.append((lo, hi, period))
        problems += _overlaps(spans, _("The periods of one indicator must not overlap."))
    return problems


def ruleset_problems(root: etree._Element, *, today: datetime.date | None = None) -> list[Problem]:
    """Our checks of the main IATI ruleset rules for every activity in the document.

    Raises: nothing.
    """
    today = today or timezone.localdate()
    problems: list[Problem] = []
    for activity in root.iterfind("iati-activity"):
        identifier = (activity.findtext("iati-identifier") or "").strip()
        reporting = activity.find("reporting-org")
        ref = reporting.get("ref", "") if reporting is not None else ""
        if ref and not identifier.startswith(ref):
            problems.append(
                Problem(
                    _path(activity),
                    _(
                        "The iati-identifier should start with the reporting "
                        "organisation's identifier (%(ref)s)."
                    )
                    % {"ref": ref},
                )
            )
        problems += _code_problems(activity)
        problems += _date_problems(activity, today)
        problems += _budget_problems(activity)
        problems += _percentage_problems(activity)
        problems += _result_problems(activity)
    return problems


def check(root: etree._Element, *, today: datetime.date | None = None) -> list[Problem]:
    """Schema problems, then ruleset problems (an empty list when the file passes both).

    Raises: nothing.
    """
    return schema_problems(root) + ruleset_problems(root, today=today)
