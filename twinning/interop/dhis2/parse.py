"""Streaming readers of DHIS2 files: data value sets in JSON, XML and CSV, and ADX. Each yields one `RawValue`
at a time, so memory does not grow with the file.

Hostile input is refused, never followed: XML goes through defusedxml's iterparse with DTDs forbidden (so no
entity expansion, "billion laughs", and no external entity or DTD fetch); every file is read through a byte
counter that stops at `DHIS2_IMPORT_MAX_BYTES`; an identifier or value longer than DHIS2 allows is cut to a
marker the import then refuses. Each XML element is cleared once read, so the tree never grows.
"""

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import ijson
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from django.conf import settings
from django.utils.translation import gettext as _

from twinning.interop.dhis2.ids import adx_period_id

FORMATS = ("json", "xml", "csv", "adx")
MAX_FIELD = 50_000  # characters of one value or identifier; a text result is at most 4,000
Opener = Callable[[], IO[bytes]]


class FileRefused(Exception):
    """The file cannot be read as the format says (malformed, hostile, too large); nothing was imported."""


@dataclass(slots=True)
class RawValue:
    """One data value as the file gives it, header defaults applied; `categories` holds ADX's category
    attributes (category id -> option id) when the value names its disaggregation that way."""

    data_element: str = ""
    period: str = ""
    org_unit: str = ""
    category_option_combo: str = ""
    attribute_option_combo: str = ""
    value: str = ""
    comment: str = ""
    deleted: bool = False
    adx: bool = False  # ADX: a text value is in the annotation (`comment`), `value` holds a number only
    categories: dict[str, str] = field(default_factory=dict)


@dataclass
class Header:
    """What a file says about all its values (a data value set's attributes, ADX's nothing)."""

    id_schemes: dict[str, str] = field(default_factory=dict)  # idScheme, dataElementIdScheme, ...
    defaults: dict[str, str] = field(default_factory=dict)  # period, orgUnit, attributeOptionCombo


SCHEME_KEYS = ("idScheme", "dataElementIdScheme", "orgUnitIdScheme", "categoryOptionComboIdScheme")


class _Counted(io.RawIOBase):
    """A byte stream that refuses to read past `limit` bytes."""

    def __init__(self, raw: IO[bytes], limit: int) -> None:
        self.raw = raw
        self.limit = limit
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        self.count += len(data)
        if self.count > self.limit:
            raise FileRefused(_("The file is larger than this server accepts for DHIS2 imports."))
        buffer[: len(data)] = data
        return len(data)


def _limited(raw: IO[bytes]) -> IO[bytes]:
    return io.BufferedReader(_Counted(raw, settings.DHIS2_IMPORT_MAX_BYTES), buffer_size=256 * 1024)


def _text(value: Any) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= MAX_FIELD else text[:MAX_FIELD]


def _bool(value: Any) -> bool:
    return str(value).strip().lower() in ("true", "1")


_DEFAULTS = ("period", "orgUnit", "attributeOptionCombo")


def _id(given: Any) -> str:
    """An identifier field as `_value` keeps it: text, cut at MAX_FIELD, trimmed."""
    if type(given) is str:  # the usual case, without `_text`'s conversions
        return (given if len(given) <= MAX_FIELD else given[:MAX_FIELD]).strip()
    return _text(given).strip()


def _plain(given: Any) -> str:
    """The value or comment field: text cut at MAX_FIELD, kept as written (spaces may be meant)."""
    if type(given) is str and len(given) <= MAX_FIELD:
        return given
    return _text(given)


def _value(item: dict[str, Any], defaults: dict[str, str]) -> RawValue:
    """One value from its fields by DHIS2 name (dataElement, period, orgUnit, categoryOptionCombo,
    attributeOptionCombo, value, comment, deleted); a blank period, orgUnit or attributeOptionCombo takes the
    file's default (`_DEFAULTS`). Called once a value, so written out field by field."""
    get = item.get
    period, unit, combo = get("period"), get("orgUnit"), get("attributeOptionCombo")
    if defaults:
        if period is None or period == "":
            period = defaults.get("period", period)
        if unit is None or unit == "":
            unit = defaults.get("orgUnit", unit)
        if combo is None or combo == "":
            combo = defaults.get("attributeOptionCombo", combo)
    deleted = get("deleted")
    return RawValue(
        _id(get("dataElement")),
        _id(period),
        _id(unit),
        _id(get("categoryOptionCombo")),
        _id(combo),
        _plain(get("value")),
        _plain(get("comment")),
        deleted=False if deleted is None else _bool(deleted),
    )


# --- JSON ------------------------------------------------------------------------------------------------


def _json_header(source: IO[bytes]) -> dict[str, str]:
    """The top-level scalars of a data value set (they may come before or after `dataValues`)."""
    found: dict[str, str] = {}
    for prefix, event, value in ijson.parse(source):
        if prefix == "" and event == "start_map":
            continue
        if "." not in prefix and prefix != "dataValues" and event in ("string", "number", "boolean"):
            found[prefix] = _text(value)
    return found


def json_header(opener: Opener) -> Header:
    """A data value set's id schemes and defaults: its top-level scalars, wherever they are (a whole pass over
    the file). Raises FileRefused."""
    with opener() as first:
        try:
            top = _json_header(_limited(first))
        except ijson.JSONError as exc:
            raise FileRefused(
                _("The file is not valid JSON: %(error)s") % {"error": str(exc)[:200]}
            ) from None
    return Header({k: top[k] for k in SCHEME_KEYS if k in top}, {k: top[k] for k in _DEFAULTS if k in top})


def json_values(opener: Opener, header: Header) -> Iterator[RawValue]:
    """Each of a data value set's `dataValues`, one at a time. Raises FileRefused as they are read."""
    defaults = header.defaults
    with opener() as source:
        try:
            # The C backend (yajl2_c) builds each value's dict; use_float=False keeps numbers exact.
            for item in ijson.items(_limited(source), "dataValues.item", use_float=False):
                if not isinstance(item, dict):
                    raise FileRefused(_("Each of dataValues must be an object."))
                yield _value(item, defaults)
        except ijson.JSONError as exc:
            raise FileRefused(
                _("The file is not valid JSON: %(error)s") % {"error": str(exc)[:200]}
            ) from None


# --- XML: data value sets and ADX -------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _xml_events(source: IO[bytes]) -> Iterator[tuple[str, Any]]:
    try:
        yield from iterparse(source, events=("start", "end"), forbid_dtd=True)
    except DefusedXmlException:
        raise FileRefused(
            _("The file holds a DTD or entity declarations, which are refused for safety.")
        ) from None
    except SyntaxError as exc:  # xml.etree.ElementTree.ParseError
        raise FileRefused(
            _("The file is not well-formed XML: %(error)s") % {"error": str(exc)[:200]}
        ) from None


def _xml_root(opener: Opener) -> tuple[str, dict[str, str]]:
    with opener() as source:
        for event, element in _xml_events(_limited(source)):
            if event == "start":
                return _local(element.tag), dict(element.attrib)
    raise FileRefused(_("The file is empty."))


def xml_header(opener: Opener) -> Header:
    """A DXF data value set's id schemes and defaults: its root's attributes. Raises FileRefused."""
    root_name, attributes = _xml_root(opener)
    if root_name != "dataValueSet":
        raise FileRefused(
            _("This is not a DHIS2 data value set (its root element is %(name)s).") % {"name": root_name[:50]}
        )
    return Header(
        {k: attributes[k] for k in SCHEME_KEYS if k in attributes},
        {k: attributes[k] for k in _DEFAULTS if k in attributes},
    )


def xml_values(opener: Opener, header: Header) -> Iterator[RawValue]:
    """Each `dataValue` of a DXF data value set, one at a time. Raises FileRefused as they are read."""
    defaults = header.defaults
    with opener() as source:
        root = None
        for event, element in _xml_events(_limited(source)):
            if root is None:
                root = element
            if event == "end" and _local(element.tag) == "dataValue":
                attrib = dict(element.attrib)
                for child in element:  # DXF 2 also allows child elements for the fields
                    attrib.setdefault(_local(child.tag), child.text or "")
                yield _value(attrib, defaults)
                root.clear()


_ADX_KNOWN = {
    "dataElement",
    "value",
    "categoryOptionCombo",
    "attributeOptionCombo",
    "dataSet",
    "period",
    "orgUnit",
}


def adx_header(opener: Opener) -> Header:
    """Nothing but the check that the file is ADX (its root element). Raises FileRefused."""
    root_name, _attributes = _xml_root(opener)
    if root_name != "adx":
        raise FileRefused(
            _("This is not an ADX file (its root element is %(name)s).") % {"name": root_name[:50]}
        )
    return Header()


def adx_values(opener: Opener, header: Header) -> Iterator[RawValue]:
    """Each `dataValue` of an ADX file with its group's fields, one at a time. Raises FileRefused as read."""
    with opener() as source:
        root = None
        holder = None  # the element the values hang off (their group), emptied after each
        group: dict[str, str] = {}
        for event, element in _xml_events(_limited(source)):
            name = _local(element.tag)
            if root is None:
                root = holder = element
            elif event == "start" and name == "group":
                group, holder = dict(element.attrib), element
            elif event == "end" and name == "dataValue":
                yield _adx_value(group, dict(element.attrib), element)
                holder.clear()  # type: ignore[union-attr]
            elif event == "end" and name == "group":
                root.clear()
                holder = root


def _adx_value(group: dict[str, str], attrib: dict[str, str], element: Any) -> RawValue:
    """An ADX data value: the group's org unit, period (ISO, turned into a DHIS2 id) and attribute option combo
    (or category attributes); the value's own category attributes; the annotation as text or comment."""
    annotation = ""
    for child in element:
        if _local(child.tag) == "annotation":
            annotation = "".join(child.itertext())
    raw_period = group.get("period", "")
    period = adx_period_id(raw_period) or f"!{raw_period[:40]}"
    raw = RawValue(
        data_element=_text(attrib.get("dataElement", "")).strip(),
        period=period,
        org_unit=_text(group.get("orgUnit", "")).strip(),
        category_option_combo=_text(attrib.get("categoryOptionCombo", "")).strip(),
        attribute_option_combo=_text(group.get("attributeOptionCombo", "")).strip(),
        value=_text(attrib.get("value", "")),
        comment=_text(annotation),
        adx=True,
    )
    raw.categories = {k: _text(v).strip() for k, v in attrib.items() if k not in _ADX_KNOWN}
    group_categories = {k: v for k, v in group.items() if k not in _ADX_KNOWN}
    if group_categories and not raw.attribute_option_combo:
        # An attribute category (e.g. a funding mechanism) on the group: kept for the import to refuse clearly.
        raw.attribute_option_combo = "!" + ",".join(f"{k}={v}" for k, v in group_categories.items())[:60]
    return raw


# --- CSV ---------------------------------------------------------------------------------------------------

_CSV_COLUMNS = [
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
    "deleted",
]
_CSV_KEYS = {
    "dataelement": "dataElement",
    "period": "period",
    "orgunit": "orgUnit",
    "categoryoptioncombo": "categoryOptionCombo",
    "attributeoptioncombo": "attributeOptionCombo",
    "value": "value",
    "comment": "comment",
    "deleted": "deleted",
}


def csv_header(opener: Opener) -> Header:
    """DHIS2's CSV says nothing about all its values: its header row names the columns, read with them."""
    return Header()


def csv_values(opener: Opener, header: Header) -> Iterator[RawValue]:
    """DHIS2's CSV: a header row naming the columns (any case), or no header and DHIS2's column order."""
    with opener() as source:
        text = io.TextIOWrapper(_limited(source), encoding="utf-8-sig", errors="strict", newline="")
        # Strict: a quote never closed is refused, not read to the end of the file.
        reader = csv.reader(text, strict=True)
        try:
            for line, row in enumerate(reader):
                if line == 0:
                    names = [c.strip().lower().replace("_", "") for c in row]
                    if "dataelement" in names:
                        columns = names
                        continue
                    columns = _CSV_COLUMNS
                item = {
                    _CSV_KEYS[c]: row[i] for i, c in enumerate(columns) if c in _CSV_KEYS and i < len(row)
                }
                if not any(row):
                    continue
                yield _value(item, {})
        except (UnicodeDecodeError, csv.Error) as exc:
            raise FileRefused(
                _("The file is not a UTF-8 CSV file: %(error)s") % {"error": str(exc)[:200]}
            ) from None


HeaderReader = Callable[[Opener], Header]
ValuesReader = Callable[[Opener, Header], Iterator[RawValue]]
READERS: dict[str, tuple[HeaderReader, ValuesReader]] = {
    "json": (json_header, json_values),
    "xml": (xml_header, xml_values),
    "csv": (csv_header, csv_values),
    "adx": (adx_header, adx_values),
}


def read(opener: Opener, fmt: str) -> tuple[Header, Iterator[RawValue]]:
    """The header and a stream of the values of the file `opener` opens (each call opens it afresh: the header
    of a JSON file is read in a first pass), in `fmt` (one of FORMATS).

    Raises: FileRefused (the header already; the values as they are read).
    """
    header = READERS[fmt][0](opener)
    return header, values(opener, fmt, header)


def values(opener: Opener, fmt: str, header: Header) -> Iterator[RawValue]:
    """The values of the file again, for another pass, with its `header` as `read` gave it (so a JSON file is
    read once a pass, not twice). Nothing is opened until the first value is asked for.

    Raises: FileRefused, as the values are read.
    """
    return READERS[fmt][1](opener, header)


def guess_format(name: str, head: bytes) -> str | None:
    """The format of a file from its name and first bytes, or None."""
    lowered = name.lower()
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if lowered.endswith(".json") or stripped.startswith(b"{"):
        return "json"
    if lowered.endswith(".csv"):
        return "csv"
    if stripped.startswith(b"<") or lowered.endswith(".xml"):
        return (
            "adx"
            if b"<adx" in head[:2000] or lowered.endswith(".adx.xml") or lowered.endswith(".adx")
            else "xml"
        )
    return None
