"""Reading an IATI activity file from another publisher, safely and one activity at a time, into plain data with
every problem found.

Hostile XML is refused before it can do harm: a size bound and a scan for any document type declaration (the
home of external entities and of "billion laughs" entity expansion), both before parsing; then lxml with
entities unresolved, no network, no DTD and no huge trees. IATI 1.x files are refused with a clear message.

The file streams: lxml's `iterparse` hands over each `iati-activity` once it is complete; it is checked by
itself (the official 2.03 schema, where `iati-activity` is a global element, and our ruleset checks), read
into plain data, handed to the caller, then cleared and dropped from the tree with whatever came before it.
So memory follows the largest activity, not the file. What is read is what the importer writes:
organisations, the activity's own fields, results with indicators, baselines and periods.
"""

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from io import BytesIO
from typing import IO

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from twinning.interop.iati import mapping as m
from twinning.interop.iati.rules import (
    PathOf,
    Problem,
    activity_ruleset_problems,
    activity_schema_problems,
    import_problems,
    problem_at,
    root_schema_problems,
)

SUPPORTED_VERSIONS = ("2.01", "2.02", "2.03")


def max_bytes() -> int:
    """The largest IATI file an import reads, in bytes (settings.IATI_IMPORT_MAX_BYTES)."""
    return int(settings.IATI_IMPORT_MAX_BYTES)


class FileRefused(Exception):
    """The file is not read at all (too large, not XML, hostile, IATI 1.x); the message says why."""


@dataclass(slots=True)
class Value:
    """A target or actual (or baseline) value with the dimensions it is broken down by."""

    path: str
    value: Decimal | None
    dimensions: list[tuple[str, str]] = field(default_factory=list)
    comment: str = ""


@dataclass(slots=True)
class PeriodIn:
    path: str
    start: datetime.date | None
    end: datetime.date | None
    targets: list[Value] = field(default_factory=list)
    actuals: list[Value] = field(default_factory=list)


@dataclass(slots=True)
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


@dataclass(slots=True)
class ResultIn:
    path: str
    title: str
    indicators: list[IndicatorIn] = field(default_factory=list)


@dataclass(slots=True)
class OrganisationIn:
    path: str
    ref: str
    name: str
    type: str
    role: str
    side: str  # "host", "resource" or "" when the file does not say


@dataclass(slots=True)
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


CHUNK = 64 * 1024  # bytes read at a time by the scan before parsing
DECLARATION = b"<!ENTITY"


def check_safe(stream: IO[bytes]) -> None:
    """Refuse a file before parsing it: larger than max_bytes(), or with a document type declaration (in its
    first 4 KB) or an entity declaration (anywhere). The file is read through in chunks, then rewound.

    Raises: FileRefused.
    """
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    if size > max_bytes():
        raise FileRefused(
            _("The file is larger than %(size)s; split it or ask an administrator to raise the limit.")
            % {"size": filesizeformat(max_bytes())}
        )
    declared = re.compile(re.escape(DECLARATION), re.IGNORECASE)
    head = stream.read(4096)
    found = re.search(rb"<!DOCTYPE", head, re.IGNORECASE) is not None
    tail = b""
    chunk = head
    while chunk and not found:
        # A declaration may straddle two chunks: keep the end of the previous one.
        found = declared.search(tail + chunk) is not None
        tail = chunk[-(len(DECLARATION) - 1) :]
        chunk = stream.read(CHUNK)
    stream.seek(0)
    if found:
        raise FileRefused(
            _(
                "Files with a document type declaration or entities are refused: IATI files have none, and they can "
                "reach outside the file or expand without bound."
            )
        )


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


def not_well_formed(exc: etree.XMLSyntaxError) -> str:
    """Where the XML breaks and why, the line said once (lxml's own text repeats it, "…, line 12, column 5
    (<string>, line 12)")."""
    line, column = exc.position or (exc.lineno, 0)
    message = re.sub(r",? line \d+, column \d+$", "", (exc.msg or "").strip())
    return _("This is not well-formed XML: line %(line)s, column %(column)s: %(error)s") % {
        "line": line,
        "column": column,
        "error": message,
    }


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


def _value(element: etree._Element, problems: list[Problem], numeric: bool, path: PathOf) -> Value:
    raw = (element.get("value") or "").strip()
    value = None
    if raw:
        try:
            value = Decimal(raw)
            if not value.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            if numeric:
                problems.append(problem_at(element, path, _("“%(value)s” is not a number.") % {"value": raw}))
    dimensions = [
        (d.get("name", "").strip(), d.get("value", "").strip()) for d in element.iterfind("dimension")
    ]
    return Value(path(element), value, dimensions, _text(element.find("comment")))


def _indicator(element: etree._Element, problems: list[Problem], path: PathOf) -> IndicatorIn:
    measure = element.get("measure", "")
    numeric = measure != "5"
    ascending = element.get("ascending")
    reference = element.find("reference[@vocabulary='99']")
    baseline = element.find("baseline")
    indicator = IndicatorIn(
        path=path(element),
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
        indicator.baseline = _value(baseline, problems, numeric, path)
        year = baseline.get("year", "")
        indicator.baseline_year = int(year) if year.isdigit() else None
        indicator.baseline_date = _date(baseline)
    for period in element.iterfind("period"):
        indicator.periods.append(
            PeriodIn(
                path=path(period),
                start=_date(period.find("period-start")),
                end=_date(period.find("period-end")),
                targets=[_value(t, problems, numeric, path) for t in period.iterfind("target")],
                actuals=[_value(a, problems, numeric, path) for a in period.iterfind("actual")],
            )
        )
    return indicator


def _description(activity: etree._Element) -> str:
    """The general description, unless our own export made it up for a partnership without a goal."""
    found = _first(activity, "description[@type='1']", "description")
    if found is None or found.get(m.GENERATED_ATTRIBUTE):
        return ""
    return _text(found)


def _organisation(element: etree._Element, path: PathOf) -> OrganisationIn:
    return OrganisationIn(
        path=path(element),
        ref=(element.get("ref") or "").strip(),
        name=_text(element),
        type=element.get("type", ""),
        role=element.get("role", ""),
        side=element.get(m.SIDE_ATTRIBUTE, ""),
    )


def _activity(element: etree._Element, problems: list[Problem], path: PathOf) -> ActivityIn:
    dates = {d.get("type"): _date(d) for d in element.iterfind("activity-date")}
    status = element.find("activity-status")
    activity = ActivityIn(
        path=path(element),
        identifier=(element.findtext("iati-identifier") or "").strip(),
        title=_text(element.find("title")),
        description=_description(element),
        status=status.get("code", "") if status is not None else "",
        stage=status.get(m.STAGE_ATTRIBUTE, "") if status is not None else "",
        planned_start=dates.get(m.DATE_PLANNED_START),
        planned_end=dates.get(m.DATE_PLANNED_END),
        countries=[c.get("code", "") for c in element.iterfind("recipient-country")],
        organisations=[_organisation(o, path) for o in element.iterfind("participating-org")],
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
                path=path(result),
                title=_text(result.find("title")),
                indicators=[_indicator(i, problems, path) for i in result.iterfind("indicator")],
            )
        )
    return activity


def activity_path(index: int, indexed: bool) -> str:
    """The path of the file's `index`-th activity (from 1), as lxml writes it: with `[index]` unless it is the
    file's only activity."""
    return f"/iati-activities/iati-activity[{index}]" if indexed else "/iati-activities/iati-activity"


def _paths(activity: etree._Element, prefix: str) -> PathOf:
    """Paths of an activity's elements in the file: their path within the activity after the activity's own
    (the tree no longer holds the activities before it, so the tree's own paths would count wrong)."""
    tree = etree.ElementTree(activity)
    cut = len("/iati-activity")
    # (the tree gives the activity itself its path in the whole document)
    return lambda element: prefix if element is activity else prefix + tree.getpath(element)[cut:]


class RootOutline:
    """The root's children as the schema sees them, kept as the file streams: an empty copy of each child that
    is not an activity, one empty `iati-activity` for each run of activities in a row, and whether any text
    other than whitespace stands between them. Checked against the schema at the end (with the official
    declaration of `iati-activities`), it finds what the whole document's check found at the root: no
    activity at all, or elements it may not hold, each with its path in the file.
    """

    def __init__(self) -> None:
        self.children: list[etree._Element] = []
        self.runs: list[int] = []  # the index in the file of each run's first activity
        self.activities = 0

    def add(self, child: etree._Element) -> None:
        """Note one child of the root (before it is dropped from the tree)."""
        if isinstance(child.tag, str):
            if child.tag == "iati-activity":
                self.activities += 1
            last = self.children[-1] if self.children else None
            if child.tag != "iati-activity" or last is None or last.tag != "iati-activity" or last.tail:
                stub = etree.Element(child.tag, nsmap=child.nsmap)
                stub.sourceline = child.sourceline
                self.children.append(stub)
                if child.tag == "iati-activity":
                    self.runs.append(self.activities)
        if (child.tail or "").strip() and self.children:
            self.children[-1].tail = "text"

    def problems(self, root: etree._Element) -> list[Problem]:
        """The schema's problems with what the root holds, with the paths the activities have in the file."""
        found = []
        pattern = re.compile(r"^/iati-activities/iati-activity(?:\[(\d+)\])?(?=/|$)")
        for problem in root_schema_problems(root, self.children):
            match = pattern.match(problem.path)
            if match:
                index = self.runs[int(match.group(1) or 1) - 1]
                path = activity_path(index, self.activities > 1) + problem.path[match.end() :]
                problem = Problem(path, problem.message)
            found.append(problem)
        return found


class FileIn:
    """An IATI activity file being read. Iterating it (once) gives its activities one at a time, as plain data;
    meanwhile `problems` (errors: nothing is written while there is one) and `warnings` (IATI rules the file
    breaks where the import does not rely on them: they do not stop it) fill up, each with the element's path in the file, and `activities` counts the activities read. Both
    lists are complete once the iteration ends.

    Iterating raises FileRefused when the file turns out not to be XML, not an IATI activity file, or IATI 1.x.
    """

    def __init__(self, stream: IO[bytes], today: datetime.date | None = None) -> None:
        self.stream = stream
        self.today = today or timezone.localdate()
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.activities = 0
        self.version = ""
        self._read = False

    def __iter__(self) -> Iterator[ActivityIn]:
        if self._read:
            raise RuntimeError("An IATI file is read once.")
        self._read = True
        try:
            yield from self._activities()
        except etree.XMLSyntaxError as exc:
            raise FileRefused(not_well_formed(exc)) from None

    def _activities(self) -> Iterator[ActivityIn]:
        events = etree.iterparse(
            self.stream,
            events=("start", "end"),
            # Any namespace, so that a root of another name is seen (and refused) at its first such element.
            tag=("{*}iati-activities", "{*}iati-activity"),
            resolve_entities=False,
            no_network=True,
            huge_tree=False,
            load_dtd=False,
            remove_pis=True,
        )
        root: etree._Element | None = None
        outline = RootOutline()
        held: etree._Element | None = (
            None  # the first activity: its path has [1] only if a second one follows
        )
        for event, element in events:
            if root is None:
                root = element.getroottree().getroot()
                self._root(root)
            if element.getparent() is not root or element.tag != "iati-activity":
                continue
            if event == "start":
                if held is not None:
                    yield from self._activity(held, 1, True)
                    held = None
                continue
            self.activities += 1
            if self.activities == 1:
                held = element
                continue
            yield from self._activity(element, self.activities, True)
            # Drop what came before this activity; it is cleared but stays, so that the parser can go on.
            while (first := root[0]) is not element:
                outline.add(first)
                del root[0]
        if root is None:  # no element named iati-activities or iati-activity anywhere
            root = events.root
            self._root(root)
        if held is not None:
            yield from self._activity(held, 1, False)
        for child in root:
            outline.add(child)
        if self.version == "2.03":
            self.problems += outline.problems(root)
        if not self.activities:
            self.problems.append(Problem("/iati-activities", _("The file holds no activity.")))

    def _root(self, root: etree._Element) -> None:
        """On the root's start: IATI 1.x and other files refused, the version and the root's attributes checked."""
        self.problems += check_version(root)
        self.version = (root.get("version") or "").strip()
        if self.version == "2.03":
            self.problems += root_schema_problems(root)

    def _activity(self, element: etree._Element, index: int, indexed: bool) -> Iterator[ActivityIn]:
        """Check one activity, give it as plain data, then clear it."""
        prefix = activity_path(index, indexed)
        path = _paths(element, prefix)
        if self.version == "2.03":
            self.problems += activity_schema_problems(element, prefix)
        # What the import itself writes (the planned dates, an indicator's periods in order and apart) is
        # checked as an error; the rest of the ruleset (codes, actual dates, budgets, percentages: nothing the
        # import writes, or nothing it needs in order) is the publisher's business, reported as warnings.
        # Chosen by the check, not by the path, so that each fault is said once, in one list.
        self.problems += import_problems(element, path=path)
        self.warnings += activity_ruleset_problems(element, today=self.today, path=path, for_import=True)
        activity = _activity(element, self.problems, path)
        yield activity
        element.clear(keep_tail=True)


def read_file(source: bytes | IO[bytes], *, today: datetime.date | None = None) -> FileIn:
    """Open an IATI activity file for reading, from its bytes or a binary file (an upload; rewound first):
    refused outright when too large or carrying a document type or entity declaration (FileRefused).
    Iterate the answer for the activities, one at a time; its `problems` and `warnings` (schema, the ruleset
    checks that matter to an import, values; by path) are complete once the iteration ends. `today` is the
    date the ruleset's "not in the future" rules compare with (the local date by default).

    Raises: FileRefused (here: size and declarations; while iterating: not XML, not IATI, IATI 1.x).
    """
    stream = BytesIO(source) if isinstance(source, bytes) else source
    check_safe(stream)
    return FileIn(stream, today)
