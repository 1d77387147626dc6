"""Reading an IATI activity file from another publisher, safely, into plain data with every problem found.

Hostile XML is refused before it can do harm: a size bound before parsing; no document type declaration (the
home of external entities and of "billion laughs" entity expansion); lxml with entities unresolved, no network
and no huge trees. IATI 1.x files are refused with a clear message. What is read is what the importer writes:
organisations, the activity's own fields, results with indicators, baselines and periods.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from lxml import etree

from twinning.interop.iati import mapping as m
from twinning.interop.iati.rules import Problem, ruleset_problems, schema_problems

SUPPORTED_VERSIONS = ("2.01", "2.02", "2.03")


def max_bytes() -> int:
    """The largest IATI file an import reads, in bytes (settings.IATI_IMPORT_MAX_BYTES)."""
    return int(settings.IATI_IMPORT_MAX_BYTES)


class FileRefused(Exception):
    """The file is not read at all (too large, not XML, hostile, IATI 1.x); the message says why."""


@dataclass
class Value:
    """A target or actual (or baseline) value with the dimensions it is broken down by."""

    path: str
    value: Decimal | None
    dimensions: list[tuple[str, str]] = field(default_factory=list)
    comment: str = ""


@dataclass
class PeriodIn:
    path: str
    start: datetime.date | None
    end: datetime.date | None
    targets: list[Value] = field(default_factory=list)
    actuals: list[Value] = field(default_factory=list)


@dataclass
class IndicatorIn:
    path: str
    title: str
    description: str
    measure: str
    ascending: bool | None
    code: str
    baseline: Value | None = None
    baseline_year: int | None = None
    baseline_date: datetime.date | None = None
    periods: list[PeriodIn] = field(default_factory=list)


@dataclass
class ResultIn:
    path: str
    title: str
    indicators: list[IndicatorIn] = field(default_factory=list)


@dataclass
class OrganisationIn:
    path: str
    ref: str
    name: str
    type: str
    role: str
    side: str  # "host", "resource" or "" when the file does not say


@dataclass
class ActivityIn:
    path: str
    identifier: str
    title: str
    description: str
    status: str
    stage: str  # our own attribute: the exact lifecycle stage, "" from other publishers
    planned_start: datetime.date | None
    planned_end: datetime.date | None
    countries: list[str]
    organisations: list[OrganisationIn]
    results: list[ResultIn]


@dataclass
class FileIn:
    activities: list[ActivityIn]
    problems: list[Problem]  # errors: nothing is written while there is one
    warnings: list[Problem]  # what is left out, said so; does not stop the import


def parse_safely(data: bytes) -> etree._Element:
    """The document's root, or FileRefused: too large, a DTD or entity declaration, not well-formed XML.

    Raises: FileRefused.
    """
    if len(data) > max_bytes():
        raise FileRefused(
            _("The file is larger than %(size)s; split it or ask an administrator to raise the limit.")
            % {"size": filesizeformat(max_bytes())}
        )
    head = data[:4096].upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in data.upper():
        raise FileRefused(
            _(
                "Files with a document type declaration or entities are refused: IATI files have none, and they can "
                "reach outside the file or expand without bound."
            )
        )
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, remove_pis=True
    )
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise FileRefused(_("This is not well-formed XML: %(error)s") % {"error": exc}) from None


def check_version(root: etree._Element) -> list[Problem]:
    """IATI 1.x refused (FileRefused); an unknown version is a problem (the rest is still read and checked).

    Raises: FileRefused.
    """
    version = (root.get("version") or "").strip()
    if (
        root.tag == "iati-activity"
        or version.startswith("1.")
        or (root.tag == "iati-activities" and not version)
    ):
        raise FileRefused(
            _(
                "This is an IATI 1.x file (version %(version)s). Twinning reads IATI 2.01 to 2.03: ask the "
                "publisher for the file in version 2.03."
            )
            % {"version": version or _("not given")}
        )
    if root.tag != "iati-activities":
        raise FileRefused(
            _("This is not an IATI activity file (its root element is <%(tag)s>).") % {"tag": root.tag}
        )
    if version not in SUPPORTED_VERSIONS:
        return [
            Problem(
                "/iati-activities",
                _("Unknown IATI version “%(version)s”: Twinning reads 2.01 to 2.03.") % {"version": version},
            )
        ]
    return []


def _text(element: etree._Element | None) -> str:
    """The first narrative of an element (the one in the activity's language comes first in IATI files)."""
    if element is None:
        return ""
    narrative = element.find("narrative")
    return " ".join(((narrative if narrative is not None else element).text or "").split())


def _first(element: etree._Element, *paths: str) -> etree._Element | None:
    for path in paths:
        found = element.find(path)
        if found is not None:
            return found
    return None


def _date(element: etree._Element | None) -> datetime.date | None:
    try:
        return (
            datetime.date.fromisoformat((element.get("iso-date") or "")[:10]) if element is not None else None
        )
    except ValueError:
        return None


def _path(element: etree._Element) -> str:
    return element.getroottree().getpath(element)


def _value(element: etree._Element, problems: list[Problem], numeric: bool) -> Value:
    raw = (element.get("value") or "").strip()
    value = None
    if raw:
        try:
            value = Decimal(raw)
            if not value.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            if numeric:
                problems.append(Problem(_path(element), _("“%(value)s” is not a number.") % {"value": raw}))
    dimensions = [
        (d.get("name", "").strip(), d.get("value", "").strip()) for d in element.iterfind("dimension")
    ]
    return Value(_path(element), value, dimensions, _text(element.find("comment")))


def _indicator(element: etree._Element, problems: list[Problem]) -> IndicatorIn:
    measure = element.get("measure", "")
    numeric = measure != "5"
    ascending = element.get("ascending")
    reference = element.find("reference[@vocabulary='99']")
    baseline = element.find("baseline")
    indicator = IndicatorIn(
        path=_path(element),
        title=_text(element.find("title")),
        description=_text(element.find("description")),
        measure=m.CODE_MEASURE.get(measure, ""),
        ascending=None if ascending is None else ascending in ("1", "true"),
        code=(reference.get("code", "") if reference is not None else "").strip(),
    )
    if not indicator.measure:
        problems.append(
            Problem(indicator.path, _("Unknown indicator measure “%(code)s”.") % {"code": measure})
        )
    if baseline is not None:
        indicator.baseline = _value(baseline, problems, numeric)
        year = baseline.get("year", "")
        indicator.baseline_year = int(year) if year.isdigit() else None
        indicator.baseline_date = _date(baseline)
    for period in element.iterfind("period"):
        indicator.periods.append(
            PeriodIn(
                path=_path(period),
                start=_date(period.find("period-start")),
                end=_date(period.find("period-end")),
                targets=[_value(t, problems, numeric) for t in period.iterfind("target")],
                actuals=[_value(a, problems, numeric) for a in period.iterfind("actual")],
            )
        )
    return indicator


def _description(activity: etree._Element) -> str:
    """The general description, unless our own export made it up for a partnership without a goal."""
    found = _first(activity, "description[@type='1']", "description")
    if found is None or found.get(m.GENERATED_ATTRIBUTE):
        return ""
    return _text(found)


def _organisation(element: etree._Element) -> OrganisationIn:
    return OrganisationIn(
        path=_path(element),
        ref=(element.get("ref") or "").strip(),
        name=_text(element),
        type=element.get("type", ""),
        role=element.get("role", ""),
        side=element.get(m.SIDE_ATTRIBUTE, ""),
    )


def _activity(element: etree._Element, problems: list[Problem]) -> ActivityIn:
    dates = {d.get("type"): _date(d) for d in element.iterfind("activity-date")}
    status = element.find("activity-status")
    activity = ActivityIn(
        path=_path(element),
        identifier=(element.findtext("iati-identifier") or "").strip(),
        title=_text(element.find("title")),
        description=_description(element),
        status=status.get("code", "") if status is not None else "",
        stage=status.get(m.STAGE_ATTRIBUTE, "") if status is not None else "",
        planned_start=dates.get(m.DATE_PLANNED_START),
        planned_end=dates.get(m.DATE_PLANNED_END),
        countries=[c.get("code", "") for c in element.iterfind("recipient-country")],
        organisations=[_organisation(o) for o in element.iterfind("participating-org")],
        results=[],
    )
    if not activity.identifier:
        problems.append(
            Problem(activity.path + "/iati-identifier", _("The activity has no iati-identifier."))
        )
    if not activity.title:
        problems.append(Problem(activity.path + "/title", _("The activity has no title.")))
    for result in element.iterfind("result"):
        activity.results.append(
            ResultIn(
                path=_path(result),
                title=_text(result.find("title")),
                indicators=[_indicator(i, problems) for i in result.iterfind("indicator")],
            )
        )
    return activity


def read_file(data: bytes) -> FileIn:
    """Read an IATI activity file: refused outright when unsafe or IATI 1.x (FileRefused); otherwise every
    activity, with every problem (schema, the ruleset checks that matter to an import, values) by path.

    Raises: FileRefused.
    """
    root = parse_safely(data)
    problems = check_version(root)
    if (root.get("version") or "") == "2.03":
        problems += schema_problems(root)
    # Codes, dates and percentages are the publisher's business; what the import itself relies on (an
    # indicator's periods in order and apart) is checked as an error, the rest reported as warnings.
    ruleset = ruleset_problems(root)
    errors = [p for p in ruleset if "/result/" in p.path]
    problems += errors
    warnings = [p for p in ruleset if p not in errors]
    activities = [_activity(a, problems) for a in root.iterfind("iati-activity")]
    if not activities:
        problems.append(Problem("/iati-activities", _("The file holds no activity.")))
    return FileIn(activities=activities, problems=problems, warnings=warnings)
