"""The change history in people's language: what a history table shows of the audit log.

The audit log stores each change as it happened (field names, ISO dates, choice codes, Decimal strings). A reader
wants the field's label, the choice's label, a date and a number in their language, and none of the bookkeeping
(versions, keys, timestamps, hashes). Readers who may not change the record (see `history_full` in the views and
accounts/access.py) get the short version: the latest events, one line each, with what changed to what and no
reasons (a reason may quote the internal review conversation). E-mail addresses are shown only to readers who may
see contact details.

Every helper here is wrapped with `degrades_to`: a history reaches back years, through code that has changed.
"""

import datetime
import posixpath
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats
from django.utils.translation import get_language, gettext, gettext_lazy

from twinning.audit.models import AuditEvent
from twinning.core.periods import period_label
from twinning.core.reference import country_name, language_name, shipped_name
from twinning.core.rendering import as_text, degrades_to

# Fields that say nothing to a reader: keys, versions, timestamps the row keeps for itself, checksums, who typed it
# (the history's "who" column says that already).
BOOKKEEPING = frozenset(
    {
        "id",
        "pk",
        "uuid",
        "version",
        "created_at",
        "updated_at",
        "modified_at",
        "created_by",
        "updated_by",
        "modified_by",
        "recorded_by",
        "hash",
        "checksum",
        "search_vector",
        "progress",  # a background job's percentage done: how far it got, not a change anyone made
    }
)
BOOKKEEPING_SUFFIXES = ("_hash", "_checksum", "_uuid", "_id")
# Fields holding a country code ("UG"), shown by the country's name in the reader's language.
COUNTRY_FIELDS = frozenset({"country", "countries", "host_country", "resource_country"})
# Fields holding an ISO 639-1 language code ("fr"), shown by the language's name in the reader's language.
LANGUAGE_FIELDS = frozenset({"language", "languages"})
# Fields holding a reporting period id ("2026Q4"), shown as the period's label ("Q4 2026", core.periods).
PERIOD_FIELDS = frozenset({"period"})
# Fields holding a year: a number, but written without grouping (2026, not 2,026).
YEAR_FIELDS = frozenset({"year", "first_year", "last_year", "start_year", "end_year"})
# Fields whose values are contact details (see accounts/access.py: readers see names and roles, not these).
CONTACT_FIELDS = frozenset({"email", "contact_email", "phone", "contact_phone", "mobile", "user_email"})
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
HIDDEN = gettext_lazy("(hidden)")
EMPTY = "—"
# How many events the short version shows.
SHORT_LIMIT = 10
# Names services give a change that is no field of the record (a count, a summary): their labels, translated.
CHANGE_LABELS = {
    "answered": gettext_lazy("statements answered"),
    "sign_offs": gettext_lazy("sign-offs"),
    "party": gettext_lazy("signed for"),
    "iati_import": gettext_lazy("IATI import"),
    "exchange_rates_imported": gettext_lazy("exchange rates imported"),
    "results imported": gettext_lazy("results imported"),
    "periods": gettext_lazy("periods"),
    "hosts": gettext_lazy("host institutions"),
    "resources": gettext_lazy("resource institutions"),
    # A DHIS2 import's counts (interop/dhis2/jobs.py) and a sending to DHIS2 (interop/dhis2/servers.py).
    "imported": gettext_lazy("values imported"),
    "updated": gettext_lazy("values updated"),
    "ignored": gettext_lazy("values ignored"),
    "deleted": gettext_lazy("values deleted"),
    "conflicts": gettext_lazy("conflicts"),
    "sent": gettext_lazy("values sent"),
    "dry run": gettext_lazy("dry run"),
    "server status": gettext_lazy("server status"),
    "server import count": gettext_lazy("server import count"),
    "password or token": gettext_lazy("password or token"),
}


def _results_imported(value: dict[str, Any]) -> str:
    counts = {k: _number(Decimal(value.get(k) or 0)) for k in ("created", "updated", "conflicts")}
    return gettext("%(created)s created, %(updated)s updated, %(conflicts)s conflicts from %(source)s") % {
        **counts,
        "source": value.get("source", ""),
    }


# Values services write as counts under a name of CHANGE_LABELS, worded in the reader's language (events written
# before show the sentence they stored).
CHANGE_FORMATS = {"results imported": _results_imported}
# Values services write as codes under a name of CHANGE_LABELS (no field's choices to read them from): their labels.
CHANGE_VALUES = {
    "password or token": {"changed": gettext_lazy("changed")},
}


def is_bookkeeping(name: str) -> bool:
    """Whether a field named in a change is bookkeeping that a history hides (BOOKKEEPING).

    Raises: nothing.
    """
    return name in BOOKKEEPING or name.endswith(BOOKKEEPING_SUFFIXES)


def mask_contacts(text: str) -> str:
    """`text` with every e-mail address replaced by "(hidden)".

    Raises: nothing.
    """
    return EMAIL.sub(str(HIDDEN), text)


def _model_field(event: Any, name: str) -> Any:
    target_type = getattr(event, "target_type", None)
    model = target_type.model_class() if target_type is not None else None
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _target_model(event: Any) -> Any:
    target_type = getattr(event, "target_type", None)
    return target_type.model_class() if target_type is not None else None


def _choice_label(model: Any, code: str) -> str | None:
    """The label, in the active language, of `code` among the choices of `model`'s fields; None when no field of
    the model offers it (a value stored as shown, by events written before codes were stored)."""
    for found in model._meta.concrete_fields:
        if found.choices:
            label = dict(found.flatchoices).get(code)
            if label is not None:
                return str(label)
    return None


def _parts_model(event: Any) -> Any:
    """The model of the record's parts when its model names them in `history_parts` (the reverse relation)."""
    model = _target_model(event)
    parts = getattr(model, "history_parts", None) if model is not None else None
    return model._meta.get_field(parts).related_model if parts else None


def _parts_label(event: Any, value: str) -> str | None:
    """A change named after one of the record's parts (a follow-up's question by its title) holds the part's
    values as codes joined with " · " (sustainability/follow_ups.py); the record's model names its parts in
    `history_parts` (the reverse relation). Each code is shown by its label, free text as it is."""
    part_model = _parts_model(event)
    if part_model is None:
        return None
    pieces = value.split(" · ")
    return " · ".join(_choice_label(part_model, piece) or piece for piece in pieces)


def _plain_label(event: Any, name: str) -> str:
    label = CHANGE_LABELS.get(str(name))
    return str(label) if label is not None else str(name).replace("_", " ")


@degrades_to(_plain_label)
def change_label(event: Any, name: str) -> str:
    """The translated label of a field named in an audit event: its verbose name; a relation without one by its
    records' plural name; a field or model that is gone by the raw name with spaces.

    Raises: nothing (logs and shows the raw name).
    """
    found = _model_field(event, name)
    if found is None and str(name) not in CHANGE_LABELS and _parts_model(event) is not None:
        # A change named after one of the record's parts (a follow-up's question by its activity's title): a
        # title Twinning ships (the demo's activities) in the reader's language, as the part shows it.
        return shipped_name(str(name))
    if found is None:
        return _plain_label(event, name)
    label = getattr(found, "verbose_name", None)
    if label is None and found.related_model is not None:
        label = found.related_model._meta.verbose_name_plural
    return str(label) if label else _plain_label(event, name)


def _as_date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _as_datetime(value: Any) -> datetime.datetime | None:
    if isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _as_number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            return None
    return None


def _number(number: Decimal) -> str:
    # Stored with the field's places (5.0000); shown as people write it (5), grouped as the locale groups.
    number = number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()
    return formats.number_format(number, use_l10n=True, force_grouping=True)


def _raw(event: Any, name: str, value: Any, show_contacts: bool = False) -> str:
    text = as_text(value)
    return text if show_contacts else mask_contacts(text)


def _is_named(value: Any) -> bool:
    """Whether a stored value is a related record named per language (audit.services.related_label)."""
    return isinstance(value, dict) and set(value) == {"name", "names"} and isinstance(value["names"], dict)


def _shown_in_readers_language(event: Any, name: str) -> bool:
    """Whether the record's model shows the field through a `shown_<field>` property: a text Twinning may ship
    (the demo's plan titles, objective statements, indicator names), read in the reader's language."""
    model = _target_model(event)
    return model is not None and isinstance(getattr(model, f"shown_{name}", None), property)


@degrades_to(_raw)
def change_value(event: Any, name: str, value: Any, show_contacts: bool = False) -> str:
    """One value of a change as a reader says it: a choice's label, a date and a number in the active locale,
    yes or no, a list joined with commas, "—" for nothing; e-mail addresses hidden unless `show_contacts`.

    Raises: nothing (logs and shows the stored value).
    """
    if value is None or value == "" or value == []:
        return EMPTY
    if not show_contacts and name in CONTACT_FIELDS:
        return str(HIDDEN)
    if isinstance(value, list):
        return ", ".join(change_value(event, name, v, show_contacts) for v in value)
    found = _model_field(event, name)
    text: str | None = None
    if _is_named(value):
        # A related record named in each language where its name reads differently, the writer's otherwise.
        text = str(value["names"].get(get_language(), value["name"]))
    elif found is None and isinstance(value, dict) and str(name) in CHANGE_FORMATS:
        text = CHANGE_FORMATS[str(name)](value)
    elif found is None and isinstance(value, str):
        # A change that is no field of the record: a code of CHANGE_VALUES, or a part's codes (_parts_label).
        coded = CHANGE_VALUES.get(str(name), {}).get(value)
        text = str(coded) if coded is not None else _parts_label(event, value)
    if text is not None:
        pass
    elif name in COUNTRY_FIELDS and isinstance(value, str):
        text = country_name(value)
    elif name in LANGUAGE_FIELDS and isinstance(value, str):
        text = language_name(value)
    elif name in YEAR_FIELDS:
        text = str(value)
    elif name in PERIOD_FIELDS and isinstance(value, str):
        text = period_label(value)
    elif found is not None and found.auto_created and not found.concrete and isinstance(value, str):
        # The record's own parts named by a code (a plan's sign-offs by the party that signed): the code's label
        # among the parts' choices; a name as the record's __str__ gave it otherwise.
        text = _choice_label(found.related_model, value) or shipped_name(value)
    elif found is not None and found.is_relation and isinstance(value, str):
        # A related record is stored by its name as it read then; a name Twinning ships (a pillar, a health
        # area) is shown in the reader's language, as the record's own __str__ does.
        text = shipped_name(value)
    elif isinstance(found, models.FileField) and isinstance(value, str):
        # Events written before files were named as uploaded hold the storage path: its last part is the name.
        text = posixpath.basename(value)
    elif found is not None and getattr(found, "choices", None):
        text = str(dict(found.flatchoices).get(value, value))
    elif isinstance(found, models.BooleanField) or isinstance(value, bool):
        text = gettext("yes") if value else gettext("no")
    elif isinstance(found, models.DateTimeField):
        moment = _as_datetime(value)
        text = formats.date_format(moment, "SHORT_DATETIME_FORMAT") if moment else None
    elif isinstance(found, models.DateField):
        day = _as_date(value)
        text = formats.date_format(day, "DATE_FORMAT") if day else None
    elif isinstance(found, models.DecimalField | models.IntegerField | models.FloatField) or isinstance(
        value, int | float
    ):
        number = _as_number(value)
        text = _number(number) if number is not None else None
    elif isinstance(value, str) and _shown_in_readers_language(event, name):
        text = shipped_name(value)
    if text is None:
        text = as_text(value)
    return text if show_contacts else mask_contacts(text)


@dataclass
class Change:
    """One field of a history line; `before` is None in a creation, where there was nothing before."""

    label: str
    before: str | None
    after: str


@dataclass
class HistoryEntry:
    """One line of a history table, ready to print."""

    at: datetime.datetime
    who: str
    action: str
    kind: str
    target: str
    changes: list[Change] = field(default_factory=list)
    reason: str = ""
    # A creation's changes are the values the record started with: the page folds them away.
    created: bool = False


def _who(actor: Any, show_contacts: bool) -> str:
    if actor is None:
        return gettext("system")
    name = getattr(actor, "full_name", "")
    if name:
        return str(name)
    return str(actor.email) if show_contacts else gettext("(no name given)")


# Each action's label, looked up rather than through get_action_display(), which translates all six labels to
# return one (see core.models.ChoiceDisplay); a history page shows up to 50 events.
_ACTION_LABELS = dict(AuditEvent.Action.choices)


def _entry_fallback(event: Any, *, full: bool, show_contacts: bool) -> HistoryEntry:
    return HistoryEntry(at=event.at, who=gettext("system"), action=str(HIDDEN), kind="", target="")


@degrades_to(_entry_fallback)
def history_entry(event: Any, *, full: bool, show_contacts: bool) -> HistoryEntry:
    """One audit event in people's language (see the module's docstring); `full` keeps the value before each
    change and the reason.

    Raises: nothing (logs and shows a bare line).
    """
    target = str((event.target_names or {}).get(get_language(), event.target_repr))
    # A creation lists the values the record started with: "statements answered: 40", not "0 → 40" as if
    # someone had changed them (services store a creation's values as pairs from None, some from 0 or []).
    created = event.action == AuditEvent.Action.CREATE
    # Fields the model works out from others (`history_derived`): events written before they were left out.
    derived = getattr(_target_model(event), "history_derived", ())
    changes = []
    for name, values in (event.changes or {}).items():
        if is_bookkeeping(str(name)) or name in derived:
            continue
        pair = values if isinstance(values, list | tuple) and len(values) == 2 else [None, values]
        changes.append(
            Change(
                label=change_label(event, name),
                before=None if created else change_value(event, name, pair[0], show_contacts),
                after=change_value(event, name, pair[1], show_contacts),
            )
        )
    reason = str(event.reason or "") if full else ""
    if not show_contacts:
        target, reason = mask_contacts(target), mask_contacts(reason)
    return HistoryEntry(
        at=event.at,
        created=created,
        who=_who(event.actor, show_contacts),
        action=str(_ACTION_LABELS.get(event.action, event.action)),
        kind=str(event.target_type.name) if event.target_type_id else "",
        target=target,
        changes=changes,
        reason=reason,
    )


def history_entries(events: Any, *, full: bool, show_contacts: bool) -> list[HistoryEntry]:
    """The events (newest first, already scoped by accounts.access.history_for_user) as history lines: all of
    them when `full`, the latest SHORT_LIMIT otherwise.

    Raises: nothing.
    """
    chosen = list(events if full else events[:SHORT_LIMIT])
    return [history_entry(event, full=full, show_contacts=show_contacts) for event in chosen]
