"""Checks an IATI activity file must pass: the official 2.03 XML schema (vendored in schemas/, CC BY 4.0) and our
own checks of the main rules of IATI's ruleset (https://github.com/IATI/IATI-Rulesets, standard ruleset), which
the schema cannot express: dates in order and not in the future, budgets no longer than a year and not
overlapping, percentages adding up to 100, result periods in order and not overlapping, codes from the codelists.

Every problem names the element by its path in the file (`/iati-activities/iati-activity[2]/budget[1]`).
The checks run on a whole document (the export) or one activity at a time (the streaming import, which hands
in the activity's own path, since the activities read before it are no longer in the tree).
"""

import datetime
import itertools
from collections import defaultdict
from collections.abc import Callable
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
XSD = "{http://www.w3.org/2001/XMLSchema}"
# An element's path in the file, for the problems about it.
PathOf = Callable[[etree._Element], str]

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
    """One thing wrong with a file: where (the element's path) and what (after the element's line in the file,
    "Line 12: …", where the problem is tied to an element that was read from it)."""

    path: str
    message: str


@cache
def activity_schema() -> etree.XMLSchema:
    """The official IATI 2.03 activity schema, loaded once (it includes iati-common.xsd and xml.xsd beside it).

    Raises: nothing (the files ship with the code).
    """
    return etree.XMLSchema(_schema_document())


def _schema_document() -> etree._ElementTree:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.parse(str(SCHEMAS / "iati-activities-schema.xsd"), parser)


@cache
def root_schema() -> etree.XMLSchema:
    """The official schema with `iati-activity`'s content left open (any attributes, any children): it checks
    the root element alone (its attributes, and which children it holds in which order) with the official
    declaration of `iati-activities`, while each activity is checked against the official schema by itself.

    Raises: LookupError when the vendored schema does not declare `iati-activity` as a global element (then
    an activity could not be checked by itself).
    """
    document = _schema_document()
    declaration = document.getroot().find(f"{XSD}element[@name='iati-activity']")
    if declaration is None:
        raise LookupError("iati-activities-schema.xsd declares no global iati-activity element")
    for child in list(declaration):
        declaration.remove(child)  # no type: xsd:anyType
    return etree.XMLSchema(document)


def problem_at(element: etree._Element, path: PathOf, message: str) -> Problem:
    """A problem at `element`: its path (`path(element)`), and `message` after the element's line in the file,
    "Line 12: …", as the schema's problems say it (an element built rather than read has no line: the message
    alone).

    Raises: nothing.
    """
    line = element.sourceline
    if not line:
        return Problem(path(element), message)
    return Problem(path(element), _("Line %(line)s: %(message)s") % {"line": line, "message": message})


def schema_problems(root: etree._Element) -> list[Problem]:
    """What the 2.03 schema refuses in the document, each with the line and the element's path.

    Raises: nothing.
    """
    return _errors(activity_schema(), root.getroottree())


def activity_schema_problems(activity: etree._Element, path: str) -> list[Problem]:
    """What the 2.03 schema refuses in one `iati-activity` element (a global element of the schema, so it is
    checked by itself, as the whole document would check it: the schema has no identity constraints across
    activities); `path` is the activity's own path in the file, which the problems' paths start with.

    Raises: nothing.
    """
    return _errors(activity_schema(), activity, prefix=("/iati-activity", path))


def _errors(
    schema: etree.XMLSchema,
    element: etree._Element | etree._ElementTree,
    prefix: tuple[str, str] | None = None,
) -> list[Problem]:
    """The schema's errors as problems; `prefix` (what the paths start with, what they should) rewrites the
    paths of an element checked alone, which the schema gives as if it were the document's root."""
    if schema.validate(element):
        return []
    problems = []
    for error in schema.error_log:  # type: ignore[attr-defined]
        path = error.path or "/"
        if prefix and (path == prefix[0] or path.startswith(prefix[0] + "/")):
            path = prefix[1] + path[len(prefix[0]) :]
        problems.append(
            Problem(path, _("Line %(line)s: %(message)s") % {"line": error.line, "message": error.message})
        )
    return problems


def root_schema_problems(root: etree._Element, children: list[etree._Element] | None = None) -> list[Problem]:
    """What the 2.03 schema refuses in the root element itself: its attributes, with `children` None (checked
    on a copy holding one empty activity); or, given `children` (empty copies of the root's children in their
    order, activities shortened to one per run: see reader.RootOutline), what it holds, on a copy that keeps
    only `version` of the root's attributes. Paths are those of the copies: the caller maps them back.

    Raises: nothing.
    """
    if children is None:
        copy = etree.Element(root.tag, attrib=dict(root.attrib), nsmap=root.nsmap)
        etree.SubElement(copy, "iati-activity")
    else:
        copy = etree.Element(root.tag, version="2.03", nsmap=root.nsmap)
        copy.text = root.text
        copy.extend(children)
    copy.sourceline = root.sourceline
    return _errors(root_schema(), copy)


def _date(element: etree._Element | None, attribute: str = "iso-date") -> datetime.date | None:
    if element is None:
        return None
    try:
        return datetime.date.fromisoformat((element.get(attribute) or "")[:10])
    except ValueError:
        return None


def tree_path(element: etree._Element) -> str:
    """The element's path in the tree it is in (`/iati-activities/iati-activity[2]/budget[1]`)."""
    return element.getroottree().getpath(element)


def _code_problems(activity: etree._Element, path: PathOf, skip: tuple[str, ...] = ()) -> list[Problem]:
    problems = []
    for xpath, attribute, codelist in CODE_CHECKS:
        if codelist in skip:
            continue
        allowed = codes(codelist)
        for element in activity.iterfind(xpath):
            value = element.get(attribute)
            if value is not None and value not in allowed:
                problems.append(problem_at(element, path, _unknown_code(attribute, value, codelist)))
    sectors = codes("Sector")
    for sector in activity.iterfind("sector"):
        if sector.get("vocabulary", "1") == "1" and sector.get("code") not in sectors:
            problems.append(
                problem_at(sector, path, _unknown_code("code", sector.get("code") or "", "Sector"))
            )
    currency = activity.get("default-currency")
    if currency is not None and currency not in codes("Currency"):
        problems.append(problem_at(activity, path, _unknown_code("default-currency", currency, "Currency")))
    for element in activity.iter():
        lang = element.get(XML_LANG) if isinstance(element.tag, str) else None
        if lang is not None and lang.lower() not in codes("Language"):
            problems.append(problem_at(element, path, _unknown_code("xml:lang", lang, "Language")))
    return problems


def _unknown_code(attribute: str, value: str, codelist: str) -> str:
    return _("@%(attribute)s “%(value)s” is not a code of IATI's %(codelist)s codelist.") % {
        "attribute": attribute,
        "value": value,
        "codelist": codelist,
    }


# Activity date types: (start, end) planned, then actual.
PLANNED_DATES = ("1", "3")
ACTUAL_DATES = ("2", "4")


def _date_problems(
    activity: etree._Element, today: datetime.date, path: PathOf, pairs: tuple[tuple[str, str], ...]
) -> list[Problem]:
    problems = []
    dates = {d.get("type"): d for d in activity.iterfind("activity-date")}
    for start, end in pairs:
        lo, hi = _date(dates.get(start)), _date(dates.get(end))
        if lo and hi and hi < lo:
            problems.append(
                problem_at(
                    dates[end],
                    path,
                    _("The activity ends (%(end)s) before it starts (%(start)s).") % {"end": hi, "start": lo},
                )
            )
    for kind in ACTUAL_DATES:
        on = _date(dates.get(kind))
        if on and on > today:
            problems.append(
                problem_at(
                    dates[kind], path, _("An actual date (%(date)s) cannot be in the future.") % {"date": on}
                )
            )
    for transaction_date in activity.iterfind("transaction/transaction-date"):
        on = _date(transaction_date)
        if on and on > today:
            problems.append(
                problem_at(
                    transaction_date,
                    path,
                    _("A transaction date (%(date)s) cannot be in the future.") % {"date": on},
                )
            )
    return problems


def _budget_problems(activity: etree._Element, path: PathOf) -> list[Problem]:
    problems = []
    spans: dict[str, list[tuple[datetime.date, datetime.date, etree._Element]]] = defaultdict(list)
    for budget in activity.iterfind("budget"):
        lo, hi = _date(budget.find("period-start")), _date(budget.find("period-end"))
        if lo is None or hi is None:
            continue
        if hi < lo:
            problems.append(problem_at(budget, path, _("The budget period ends before it starts.")))
        elif (hi - lo).days > 366:
            problems.append(problem_at(budget, path, _("A budget period must not be longer than a year.")))
        spans[budget.get("type", "1")].append((lo, hi, budget))
    for same_type in spans.values():
        problems += _overlaps(same_type, _("Budgets of the same type must not overlap."), path)
    return problems


def _overlaps(
    spans: list[tuple[datetime.date, datetime.date, etree._Element]], message: str, path: PathOf
) -> list[Problem]:
    ordered = sorted(spans, key=lambda s: (s[0], s[1]))
    return [
        problem_at(later[2], path, message)
        for earlier, later in itertools.pairwise(ordered)
        if later[0] <= earlier[1]
    ]


def _sum_problem(elements: list[etree._Element], what: str, path: PathOf) -> Problem | None:
    """Percentages of several elements must add up to 100 (one element alone may leave it out)."""
    if len(elements) < 2 and all(e.get("percentage") is None for e in elements):
        return None
    try:
        total = sum((Decimal(e.get("percentage") or "") for e in elements), Decimal(0))
    except InvalidOperation:
        return problem_at(elements[0], path, _("Every %(what)s needs a percentage.") % {"what": what})
    if abs(total - 100) > Decimal("0.01"):
        return problem_at(
            elements[0],
            path,
            _("The %(what)s percentages add up to %(total)s, not 100.") % {"what": what, "total": total},
        )
    return None


def _percentage_problems(activity: etree._Element, path: PathOf) -> list[Problem]:
    problems = []
    places = activity.findall("recipient-country") + activity.findall("recipient-region")
    if places:
        problem = _sum_problem(places, "recipient-country", path)
        if problem:
            problems.append(problem)
    by_vocabulary: dict[str, list[etree._Element]] = defaultdict(list)
    for sector in activity.iterfind("sector"):
        by_vocabulary[sector.get("vocabulary", "1")].append(sector)
    for sectors in by_vocabulary.values():
        problem = _sum_problem(sectors, "sector", path)
        if problem:
            problems.append(problem)
    return problems


def _result_problems(activity: etree._Element, path: PathOf) -> list[Problem]:
    problems = []
    for indicator in activity.iterfind("result/indicator"):
        spans = []
        for period in indicator.iterfind("period"):
            lo, hi = _date(period.find("period-start")), _date(period.find("period-end"))
            if lo is None or hi is None:
                continue
            if hi < lo:
                problems.append(problem_at(period, path, _("The result period ends before it starts.")))
            else:
                spans.append((lo, hi, period))
        problems += _overlaps(spans, _("The periods of one indicator must not overlap."), path)
    return problems


def ruleset_problems(root: etree._Element, *, today: datetime.date | None = None) -> list[Problem]:
    """Our checks of the main IATI ruleset rules for every activity in the document.

    Raises: nothing.
    """
    today = today or timezone.localdate()
    problems: list[Problem] = []
    for activity in root.iterfind("iati-activity"):
        problems += activity_ruleset_problems(activity, today=today)
    return problems


def import_problems(activity: etree._Element, *, path: PathOf = tree_path) -> list[Problem]:
    """The ruleset checks an import relies on, for one `iati-activity`: its planned dates in order (they become
    the partnership's dates) and its result periods in order and apart (they become targets and results). An
    import refuses the file for these; `activity_ruleset_problems(..., for_import=True)` leaves them out, so
    that each fault is said once.

    Raises: nothing.
    """
    dates = {d.get("type"): d for d in activity.iterfind("activity-date")}
    lo, hi = _date(dates.get(PLANNED_DATES[0])), _date(dates.get(PLANNED_DATES[1]))
    problems = []
    if lo and hi and hi < lo:
        problems.append(
            problem_at(
                dates[PLANNED_DATES[1]],
                path,
                _("The activity ends (%(end)s) before it starts (%(start)s).") % {"end": hi, "start": lo},
            )
        )
    return problems + _result_problems(activity, path)


def activity_ruleset_problems(
    activity: etree._Element, *, today: datetime.date, path: PathOf = tree_path, for_import: bool = False
) -> list[Problem]:
    """Our checks of the main IATI ruleset rules for one `iati-activity` element; `path` gives an element's path
    in the file (by default its path in the tree it is in). With `for_import`, the checks `import_problems`
    makes are left out, and so is the indicator measure's code (the reader refuses an unknown one itself).

    Raises: nothing.
    """
    problems: list[Problem] = []
    identifier = (activity.findtext("iati-identifier") or "").strip()
    reporting = activity.find("reporting-org")
    ref = reporting.get("ref", "") if reporting is not None else ""
    if ref and not identifier.startswith(ref):
        problems.append(
            problem_at(
                activity,
                path,
                _("The iati-identifier should start with the reporting organisation's identifier (%(ref)s).")
                % {"ref": ref},
            )
        )
    if for_import:
        problems += _code_problems(activity, path, skip=("IndicatorMeasure",))
        problems += _date_problems(activity, today, path, (ACTUAL_DATES,))
    else:
        problems += _code_problems(activity, path)
        problems += _date_problems(activity, today, path, (PLANNED_DATES, ACTUAL_DATES))
    problems += _budget_problems(activity, path)
    problems += _percentage_problems(activity, path)
    if not for_import:
        problems += _result_problems(activity, path)
    return problems


def check(root: etree._Element, *, today: datetime.date | None = None) -> list[Problem]:
    """Schema problems, then ruleset problems (an empty list when the file passes both).

    Raises: nothing.
    """
    return schema_problems(root) + ruleset_problems(root, today=today)
