"""Writing the audit log. Call these inside the service's transaction, never from signals."""

import datetime
import decimal
import posixpath
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import models, transaction
from django.utils import translation

from twinning.audit.models import AuditEvent

if TYPE_CHECKING:
    from twinning.accounts.models import User


def related_label(obj: models.Model) -> str | dict[str, Any]:
    """A related record as a change stores it: its name when it reads the same in every language (a name people
    typed), else {"name": its name in the active language, "names": {language code: name}} for the languages in
    which it reads differently (an instrument version's "…, version 1", a demo indicator's shipped name), so the
    history quotes it in the reader's language (core.history), not the writer's.

    Raises: nothing beyond what the record's __str__ raises.
    """
    name, names = object_names(obj)
    return {"name": name, "names": names} if names else name


def related_labels(objs: Iterable[models.Model]) -> list[str | dict[str, Any]]:
    """Related records (a many-to-many field's, a child table's) as a change stores them: their related_label,
    sorted by name in the active language.

    Raises: nothing beyond what the records' __str__ raises.
    """
    return sorted((related_label(o) for o in objs), key=label_text)


def label_text(value: Any) -> str:
    """The name of a stored related label (a plain string, or related_label's dict) as it was written.

    Raises: nothing.
    """
    if isinstance(value, dict):
        return str(value.get("name", ""))
    return str(value)


# Fields beside a file that hold the name it had on the uploader's machine (the stored name is a storage path).
FILE_NAME_FIELDS = ("original_name", "file_name", "filename", "source")


def file_label(obj: models.Model, name: str) -> str:
    """A file field's value as a reader knows the file: the name it was uploaded under (a `file_name`-like field
    beside it, or the name of a file not saved yet), else the last part of its stored name. Never the storage
    path ("knowledge/2026/…"): that says nothing to a reader and tells where files are kept.

    Raises: nothing.
    """
    file = getattr(obj, name)
    if not file:
        return ""
    for sibling in (f"{name}_name", *FILE_NAME_FIELDS):
        if sibling != name and any(f.name == sibling for f in obj._meta.concrete_fields):
            value = getattr(obj, sibling, "")
            if value:
                return str(value)
    return posixpath.basename(str(file.name or "").replace("\\", "/"))


def _plain(value: Any) -> Any:
    """A JSON-safe, human-readable form of a field value."""
    if isinstance(value, models.Model):
        return related_label(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.fields.files.FieldFile):
        return posixpath.basename(value.name or "")
    if isinstance(value, set | frozenset):
        return sorted((_plain(v) for v in value), key=label_text)
    if isinstance(value, list | tuple):  # in its own order: a scale's labels run from its lowest point up
        return [_plain(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Values of the given fields, for diffing before and after a change: a related record by its related_label
    (many-to-many as a sorted list of them), a file by the name it was uploaded under (file_label).

    Raises: nothing.
    """
    result: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if field.many_to_many:
            result[name] = related_labels(getattr(obj, name).all()) if obj.pk else []
        elif isinstance(field, models.FileField):
            result[name] = file_label(obj, name)
        else:
            result[name] = _plain(getattr(obj, name))
    return result


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """What changed between two snapshots: {field: [before, after]} for each key of `after` whose value
    differs.

    Raises: nothing.
    """
    return {k: [before.get(k), after[k]] for k in after if before.get(k) != after[k]}


def object_names(obj: models.Model) -> tuple[str, dict[str, str]]:
    """The object's name as the history stores it: (its name in the active language, {language code: name} for
    each other language of settings.LANGUAGES in which it reads differently), each at most 300 characters.

    The history shows the name in the reader's language (core.history); a name typed by people is the same in
    every language and costs nothing more. Raises: nothing beyond what the object's __str__ raises.
    """
    return texts_by_language(lambda: str(obj))


def texts_by_language(build: Callable[[], str], limit: int = 300) -> tuple[str, dict[str, str]]:
    """A text the history stores in every language it reads differently in: (`build()` in the active language,
    {language code: `build()` in that language} where it differs), each cut at `limit` characters.

    Raises: nothing beyond what `build` raises.
    """
    name = build()[:limit]
    others: dict[str, str] = {}
    for code, _label in settings.LANGUAGES:
        with translation.override(code):
            text = build()[:limit]
        if text != name:
            others[code] = text
    return name, others


def named_text(build: Callable[[], str], limit: int = 2000) -> str | dict[str, Any]:
    """A value of a change that words codes or shipped names (a need's area and priority), stored as
    related_label stores a record: the text when it reads the same in every language, else {"name": …,
    "names": {language code: text}}, so the history quotes it in the reader's language (core.history).

    Raises: nothing beyond what `build` raises.
    """
    name, names = texts_by_language(build, limit)
    return {"name": name, "names": names} if names else name


def audit_record(
    *,
    actor: "User",
    action: str,
    obj: models.Model,
    changes: dict[str, Any] | None = None,
    reason: str = "",
    parent: models.Model | None = None,
) -> AuditEvent:
    """Write one audit event for `obj` (and its `parent`, whose history should show it).

    Raises: nothing.
    """
    name, names = object_names(obj)
    event = AuditEvent(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=ContentType.objects.get_for_model(obj),
        target_id=str(obj.pk),
        target_repr=name,
        target_names=names,
        changes=changes or {},
        reason=reason,
    )
    if parent is not None:
        event.parent_type = ContentType.objects.get_for_model(parent)
        event.parent_id = str(parent.pk)
    event.save()
    changes_recorded()
    return event


# --- the change stamp: what cached figures are keyed on -------------------------------------------------------

CHANGE_STAMP_KEY = "audit:change-stamp"


# The stamp as this request first read it (`hold_change_stamp`): None outside a request.
_held_stamp: ContextVar[dict[str, str] | None] = ContextVar("held_change_stamp", default=None)


def _renew_stamp() -> None:
    stamp = uuid.uuid4().hex
    cache.set(CHANGE_STAMP_KEY, stamp, None)
    if (held := _held_stamp.get()) is not None:
        held["stamp"] = stamp  # what this request wrote itself it reads back as changed


@contextmanager
def hold_change_stamp() -> Iterator[None]:
    """Within the block, `change_stamp` reads the shared cache once and answers the same stamp after (renewed
    only by this block's own commits): one cache read per request instead of one per cached part (issue 10's
    load goal; core.middleware.ChangeStampMiddleware wraps every request in it). A change another process
    commits meanwhile is seen by the next request, as if this one had started a moment earlier.

    Raises: nothing.
    """
    token = _held_stamp.set({})
    try:
        yield
    finally:
        _held_stamp.reset(token)


def _renewal_pending() -> bool:
    return any(func is _renew_stamp for _sids, func, _robust in transaction.get_connection().run_on_commit)


def changes_recorded() -> None:
    """Note that this transaction wrote audit events: the change stamp is renewed when it commits (once per
    transaction, at once outside one). `audit_record` calls it; call it after bulk-inserting `AuditEvent` rows
    or after any other bulk write that cached figures must not outlive (the demo loader).

    Raises: nothing.
    """
    if not _renewal_pending():
        transaction.on_commit(_renew_stamp)


def change_stamp() -> str | None:
    """A token in the shared cache that changes whenever a transaction with audited changes commits, so that
    figures computed from the data can be cached under it (e.g. the programme dashboard's roll-up) and are
    recomputed after the next change. None while the current transaction has uncommitted audited changes: the
    caller then computes afresh (its own changes are not committed, so must not be cached). One cache read, once
    per request inside `hold_change_stamp`.

    Raises: nothing.
    """
    if _renewal_pending():
        return None
    held = _held_stamp.get()
    if held is not None and "stamp" in held:
        return held["stamp"]
    stamp = cache.get(CHANGE_STAMP_KEY)
    if stamp is None:
        cache.add(CHANGE_STAMP_KEY, uuid.uuid4().hex, None)  # add: a stamp another process set first wins
        stamp = cache.get(CHANGE_STAMP_KEY)
    if held is not None and stamp is not None:
        held["stamp"] = stamp
    return stamp


def cached_until_change[T](key: str, compute: Callable[[], T], seconds: int) -> T:
    """`compute()`, kept in the shared cache under `key` and the audit change stamp (`change_stamp`) for at most
    `seconds`: the first call after any audited change commits computes it again, later ones read it back (two
    cache reads). `seconds` bounds how long a change made outside the services (the admin, a database restore)
    can go unseen. Computed afresh, and not cached, when `seconds` is 0 or inside a transaction that has made
    audited changes itself (they are not committed, so must not be kept). `key` names everything the result
    depends on besides the data (the object, the reader, the date where it decides what is shown); `compute`
    must not return None (None means "not cached").

    Raises: whatever `compute` raises.
    """
    stamp = change_stamp() if seconds else None
    if stamp is None:
        return compute()
    stamped = f"{key}:{stamp}"
    value = cache.get(stamped)
    if value is None:
        value = compute()
        cache.set(stamped, value, seconds)
    return value  # type: ignore[no-any-return]
