"""Results as DHIS2 data values: what a user may see of a programme, in the four formats DHIS2 reads.

`data_values` reads the results (through monitoring's `visible_results`, so a reader gets approved periods only
and an outsider nothing) and names each by the mapping (see the package docstring); a result whose indicator,
option or partnership has no DHIS2 identifier is counted as left out, never guessed. The writers stream: each
yields text pieces, so a large export is sent as it is read and never held whole in memory.
"""

import csv
import datetime
import io
import json
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from xml.sax.saxutils import quoteattr

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from twinning.accounts.models import User
from twinning.core.choices import Side
from twinning.core.periods import parse_period
from twinning.interop.dhis2.ids import IdScheme
from twinning.monitoring.models import Result
from twinning.monitoring.selectors import visible_results
from twinning.partnerships.models import Partnership, PartnershipInstitution, Programme
from twinning.planning.models import DisaggregationOption, Indicator

Measure = Indicator.Measure
FORMATS = ("json", "xml", "csv", "adx")
CONTENT_TYPES = {
    "json": "application/json",
    "xml": "application/xml",
    "csv": "text/csv",
    "adx": "application/adx+xml",
}
EXTENSIONS = {"json": "json", "xml": "xml", "csv": "csv", "adx": "adx.xml"}
DXF_NS = "http://dhis2.org/schema/dxf/2.0"
ADX_NS = "urn:ihe:qrph:adx:2015"
CSV_HEADER = [
    "dataelement",
    "period",
    "orgunit",
    "categoryoptioncombo",
    "attributeoptioncombo",
    "value",
    "storedby",
    "lastupdated",
    "comment",
    "followup",
]


@dataclass(frozen=True, slots=True)
class DataValue:
    """One DHIS2 data value: identifiers as the chosen id scheme names them, the value as DHIS2 writes it."""

    data_element: str
    period: str
    org_unit: str
    category_option_combo: str  # "" for the overall value (DHIS2's default combo)
    attribute_option_combo: str  # "" for DHIS2's default
    value: str
    comment: str = ""
    last_updated: str = ""
    numeric: bool = True  # ADX writes a number in `value`, anything else as an annotation


@dataclass(frozen=True)
class ExportScope:
    """What to export: a programme, optionally one partnership, one indicator and some periods (DHIS2 ids)."""

    programme: Programme
    partnership: Partnership | None = None
    indicator: Indicator | None = None
    periods: tuple[str, ...] = ()
    data_element_id_scheme: str = IdScheme.UID


@dataclass
class ExportCounts:
    exported: int = 0
    left_out: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    def leave_out(self, reason: str) -> None:
        self.left_out += 1
        self.reasons[reason] = self.reasons.get(reason, 0) + 1


def _results(user: User, scope: ExportScope) -> QuerySet[Result]:
    qs = visible_results(user).filter(partnership__programme=scope.programme)
    if scope.partnership is not None:
        qs = qs.filter(partnership=scope.partnership)
    if scope.indicator is not None:
        qs = qs.filter(indicator=scope.indicator)
    if scope.periods:
        qs = qs.filter(period__in=scope.periods)
    return qs.order_by("period", "partnership_id", "indicator_id", "option_id")


@dataclass
class _Names:
    """What each partnership, indicator and option is called in DHIS2 (four queries, read once)."""

    org_unit: dict[int, str]
    attribute: dict[int, str]
    data_element: dict[int, tuple[str, str]]  # id -> (name in the id scheme, measure)
    combo: dict[int, str]


def _names(scope: ExportScope) -> _Names:
    programme = scope.programme
    org_unit: dict[int, str] = {}
    for partnership_id, unit in (
        PartnershipInstitution.objects.filter(partnership__programme=programme, side=Side.HOST)
        .exclude(institution__dhis2_org_unit="")
        .order_by("institution__name", "institution_id")
        .values_list("partnership_id", "institution__dhis2_org_unit")
    ):
        org_unit.setdefault(partnership_id, unit)  # the first host institution (by name) with an org unit
    attribute = {
        pk: aoc or programme.dhis2_attribute_option_combo
        for pk, aoc in Partnership.objects.filter(programme=programme).values_list(
            "pk", "dhis2_attribute_option_combo"
        )
    }
    field_name = (
        "dhis2_data_element_code" if scope.data_element_id_scheme == IdScheme.CODE else "dhis2_data_element"
    )
    data_element = {
        pk: (name, measure)
        for pk, name, measure in Indicator.objects.filter(programme=programme).values_list(
            "pk", field_name, "measure"
        )
    }
    combo = dict(
        DisaggregationOption.objects.filter(category__programme=programme).values_list(
            "pk", "dhis2_category_option_combo"
        )
    )
    return _Names(org_unit, attribute, data_element, combo)


def _number(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text


def _value(measure: str, value: Decimal | None, text: str) -> tuple[str, bool]:
    if measure == Measure.YES_NO:
        return ("true" if value == 1 else "false"), True
    if measure == Measure.QUALITATIVE:
        return text, False
    return _number(value), True


def data_values(user: User, scope: ExportScope, counts: ExportCounts | None = None) -> Iterator[DataValue]:
    """The data values of `scope` that `user` may see, in period, partnership, indicator, option order. Results
    without a DHIS2 name (data element, host org unit, an option's combo) are left out and counted in `counts`
    by reason. Five queries, then the results stream in chunks.

    Raises: nothing.
    """
    counts = counts if counts is not None else ExportCounts()
    names = _names(scope)
    rows = _results(user, scope).values_list(
        "partnership_id", "indicator_id", "period", "option_id", "value", "text", "comment", "updated_at"
    )
    for partnership_id, indicator_id, period, option_id, value, text, comment, updated in rows.iterator(
        chunk_size=5000
    ):
        element, measure = names.data_element.get(indicator_id, ("", ""))
        org_unit = names.org_unit.get(partnership_id, "")
        combo = names.combo.get(option_id, "") if option_id is not None else ""
        if not element:
            counts.leave_out(_("indicator without a data element"))
            continue
        if not org_unit:
            counts.leave_out(_("partnership whose host has no org unit"))
            continue
        if option_id is not None and not combo:
            counts.leave_out(_("breakdown without a category option combo"))
            continue
        shown, numeric = _value(measure, value, text)
        if shown == "":
            counts.leave_out(_("no value"))
            continue
        counts.exported += 1
        yield DataValue(
            element,
            period,
            org_unit,
            combo,
            names.attribute.get(partnership_id, ""),
            shown,
            comment,
            _timestamp(updated),
            numeric,
        )


def _timestamp(moment: datetime.datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else ""


def export_counts(user: User, scope: ExportScope) -> ExportCounts:
    """How many of the visible values an export would hold and how many it would leave out, and why.

    Raises: nothing.
    """
    counts = ExportCounts()
    deque(data_values(user, scope, counts), maxlen=0)  # read through, keeping nothing
    return counts


# --- writers ------------------------------------------------------------------------------------------------


def _header(scope: ExportScope) -> dict[str, str]:
    data_set = scope.programme.dhis2_data_set
    return {"dataSet": data_set} if data_set else {}


def write_json(values: Iterator[DataValue], scope: ExportScope) -> Iterator[str]:
    """A DHIS2 dataValueSet in JSON (`{"dataValues": [...]}`), streamed."""
    header = json.dumps(_header(scope))[1:-1]
    yield "{" + (header + "," if header else "") + '"dataValues":['
    first = True
    for v in values:
        item: dict[str, str] = {"dataElement": v.data_element, "period": v.period, "orgUnit": v.org_unit}
        if v.category_option_combo:
            item["categoryOptionCombo"] = v.category_option_combo
        if v.attribute_option_combo:
            item["attributeOptionCombo"] = v.attribute_option_combo
        item["value"] = v.value
        if v.comment:
            item["comment"] = v.comment
        if v.last_updated:
            item["lastUpdated"] = v.last_updated
        yield ("" if first else ",") + json.dumps(item, ensure_ascii=False)
        first = False
    yield "]}\n"


# Characters XML 1.0 cannot hold at all, even escaped; a comment typed with one loses it rather than break the file.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _attrs(pairs: list[tuple[str, str]]) -> str:
    return "".join(f" {name}={quoteattr(_NOT_XML.sub('', value))}" for name, value in pairs if value)


def write_xml(values: Iterator[DataValue], scope: ExportScope) -> Iterator[str]:
    """A DHIS2 dataValueSet in XML (DXF 2), streamed."""
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<dataValueSet xmlns="{DXF_NS}"{_attrs(list(_header(scope).items()))}>\n'
    for v in values:
        pairs = [
            ("dataElement", v.data_element),
            ("period", v.period),
            ("orgUnit", v.org_unit),
            ("categoryOptionCombo", v.category_option_combo),
            ("attributeOptionCombo", v.attribute_option_combo),
            ("value", v.value),
            ("comment", v.comment),
            ("lastUpdated", v.last_updated),
        ]
        yield f"<dataValue{_attrs(pairs)}/>\n"
    yield "</dataValueSet>\n"


def write_csv(values: Iterator[DataValue], scope: ExportScope) -> Iterator[str]:
    """A DHIS2 dataValueSet in CSV (DHIS2's column order, with its header row), streamed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for count, v in enumerate(values, start=1):
        writer.writerow(
            [
                v.data_element,
                v.period,
                v.org_unit,
                v.category_option_combo,
                v.attribute_option_combo,
                v.value,
                "",
                v.last_updated,
                v.comment,
                "false",
            ]
        )
        if count % 1000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_adx(values: Iterator[DataValue], scope: ExportScope) -> Iterator[str]:
    """ADX (IHE QRPH ADX, as DHIS2 reads it): a group per org unit, period (ISO start/duration) and attribute
    option combo, streamed. Values come in period order, so a group is closed when the next one starts."""
    exported = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<adx xmlns="{ADX_NS}" exported={quoteattr(exported)}>\n'
    group: tuple[str, str, str] | None = None
    data_set = scope.programme.dhis2_data_set
    for v in values:
        key = (v.org_unit, v.period, v.attribute_option_combo)
        if key != group:
            if group is not None:
                yield "</group>\n"
            group = key
            pairs = [
                ("dataSet", data_set),
                ("orgUnit", v.org_unit),
                ("period", parse_period(v.period).adx()),
                ("attributeOptionCombo", v.attribute_option_combo),
            ]
            yield f"<group{_attrs(pairs)}>\n"
        pairs = [("dataElement", v.data_element), ("categoryOptionCombo", v.category_option_combo)]
        if v.numeric:
            pairs.append(("value", v.value))
            note = v.comment
        else:
            # ADX values are numbers: a text value goes in the annotation, as DHIS2 writes it.
            pairs.append(("value", "0"))
            note = v.value
        if note:
            yield f"<dataValue{_attrs(pairs)}><annotation>{_text(note)}</annotation></dataValue>\n"
        else:
            yield f"<dataValue{_attrs(pairs)}/>\n"
    if group is not None:
        yield "</group>\n"
    yield "</adx>\n"


def _text(value: str) -> str:
    return _NOT_XML.sub("", value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


WRITERS = {"json": write_json, "xml": write_xml, "csv": write_csv, "adx": write_adx}


def export_stream(user: User, scope: ExportScope, fmt: str) -> Iterator[str]:
    """The export of `scope` for `user` in `fmt` (one of FORMATS), as text pieces.

    Raises: ValueError (an unknown format: the caller checks it).
    """
    if fmt not in WRITERS:
        raise ValueError(fmt)
    return WRITERS[fmt](data_values(user, scope), scope)
