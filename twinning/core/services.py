"""Shared write helpers used by every app's services."""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from twinning.audit.models import AuditEvent
from twinning.audit.services import audit_record, diff, related_labels, snapshot

if TYPE_CHECKING:
    from twinning.accounts.models import User


M = TypeVar("M", bound=models.Model)


class Conflict(ValidationError):
    """The request clashes with what is stored now: the API answers 409, and nothing was changed."""


class VersionConflict(Conflict):
    """Someone else saved the record since it was read; the caller must reload rather than overwrite."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "Someone else changed this record while you were editing it. Reload to see their change, then try again."
            ),
            code="version_conflict",
        )


class ClientIdTaken(Conflict):
    """A client-made UUID sent with a create already names another record (a different one, not this create
    sent again): writing it would lose the new entry, and answering with the old record would hide that it was
    lost, so the create is refused. The client makes a new UUID and sends the entry again."""

    def __init__(self) -> None:
        super().__init__(
            {
                "uuid": [
                    _(
                        "This entry's id already names another record, so it was not saved. Send it again as a new entry."
                    )
                ]
            },
            code="client_id_taken",
        )


def _same_value(field: Any, stored: Any, sent: Any) -> bool:
    if field.many_to_many:
        return {getattr(o, "pk", o) for o in sent} == set(stored.values_list("pk", flat=True))
    if field.is_relation:
        return getattr(sent, "pk", sent) == stored
    try:
        sent = field.to_python(sent)
    except ValidationError:
        return False
    if isinstance(sent, str) and isinstance(stored, str):
        return sent.strip() == stored.strip()
    return bool(sent == stored)


def sent_before[Rec: models.Model](
    model: type[Rec], *, uuid: Any, partnership: models.Model, fields: dict[str, Any] | None = None
) -> Rec | None:
    """The record of `model` that an offline client already created under `uuid` in `partnership`, or None when
    the UUID is new (or None). An offline client sends a create again when the first answer was lost; the create
    services return this record instead of writing a second one.

    It is the same create only when every value in `fields` (what this create sends; blanks, which take the
    defaults, left out) equals the stored one: a UUID that names another record, in this partnership or another,
    raises ClientIdTaken (the API's 409) instead of silently dropping the entry.

    Raises: ClientIdTaken.
    """
    return created_before(model, uuid=uuid, parent_field="partnership", parent=partnership, fields=fields)


def created_before[Rec: models.Model](
    model: type[Rec],
    *,
    uuid: Any,
    parent_field: str,
    parent: models.Model,
    fields: dict[str, Any] | None = None,
) -> Rec | None:
    """The record of `model` already created under `uuid` below `parent` (its `parent_field`), or None when the
    UUID is new (or None). A form carries the UUID of the record it is about to create, so a double click (or an
    offline client sending again) posts the same UUID twice and the create service returns this record instead of
    writing a second one. With `fields`, it is the same create only when every value sent equals the stored one
    (as sent_before says).

    Raises: ClientIdTaken when the UUID names a record below another parent, or another record.
    """
    if uuid is None:
        return None
    sent = model._default_manager.filter(uuid=uuid).first()
    if sent is None:
        return None
    if getattr(sent, f"{parent_field}_id", None) != parent.pk:
        raise ClientIdTaken()
    for name, value in (fields or {}).items():
        if value is None or value == "" or (isinstance(value, (list, tuple, set)) and not value):
            continue
        field = model._meta.get_field(name)
        stored = getattr(sent, name) if field.many_to_many else getattr(sent, field.attname)  # type: ignore[union-attr]
        if not _same_value(field, stored, value):
            raise ClientIdTaken()
    return sent


def refuse_unknown_fields(data: Iterable[str], allowed: Iterable[str], what: str) -> None:
    """Raise TypeError naming every key of `data` that is not in `allowed`.

    A service's field list is its contract, and the forms and API schemas that call it are built from the same
    list, so a key outside it is a caller's mistake, never user input: it fails loudly instead of being saved
    or silently dropped. `what` names the record in the message ("partnership" gives "Unknown partnership
    fields: [...]").

    Raises: TypeError.
    """
    unknown = set(data) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown {what} fields: {sorted(unknown)}")


def _new_files(obj: models.Model, names: Iterable[str]) -> list[str]:
    """The file fields among `names` that hold a file not saved yet (an upload to store)."""
    return [
        name
        for name in names
        if isinstance(obj._meta.get_field(name), models.FileField)
        and getattr(obj, name)
        and not getattr(obj, name)._committed
    ]


def create_with_audit[M: models.Model](
    *,
    actor: "User",
    obj: M,
    m2m: dict[str, Any] | None = None,
    parent: models.Model | None = None,
    reason: str = "",
    extra_values: dict[str, Any] | None = None,
) -> M:
    """Validate, save, set many-to-many values and write the audit row. Call inside a transaction.

    The creation's audit row holds every value the record starts with, its many-to-many values included, and
    `extra_values` ({name: value}) for what the service writes beside the record in the same transaction (a
    practice's countries, a partnership's institutions), so the history's "created" line shows all of it.

    Raises: ValidationError.
    """
    obj.full_clean()
    # A file is named as it was uploaded: once saved, its name is the storage path.
    uploaded = snapshot(obj, _new_files(obj, [f.name for f in obj._meta.concrete_fields]))
    obj.save()
    for name, values in (m2m or {}).items():
        getattr(obj, name).set(values)
    # Keys and bookkeeping say nothing to a reader, and the parent is the page the history is shown on.
    # A model's `history_derived` fields are worked out from others (an adoption level's rank from its level).
    hidden = {"id", "uuid", "version", "created_at", "updated_at", *getattr(type(obj), "history_derived", ())}
    fields = [
        f.name
        for f in obj._meta.concrete_fields
        if f.name not in hidden
        and not (parent is not None and f.is_relation and f.related_model is type(parent))
    ]
    after = {**snapshot(obj, [*fields, *(m2m or {})]), **uploaded, **(extra_values or {})}
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=obj,
        changes={k: [None, v] for k, v in after.items() if v not in (None, "", [])},
        parent=parent,
        reason=reason,
    )
    return obj


def lock_current[M: models.Model](obj: M, expected_version: int | None = None) -> M:
    """The row of `obj` as it is now, locked (select_for_update) until the transaction ends.

    Raises VersionConflict when `expected_version` is given and the row has moved past it. A service that
    derives values or checks a state before it changes a record reads them from this row, not from the copy
    the caller read before the lock, so a change saved meanwhile is seen (issue 10, finding 3). Call inside a
    transaction.

    Raises: VersionConflict.
    """
    current = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    if expected_version is not None and current.version != expected_version:  # type: ignore[attr-defined]
        raise VersionConflict()
    return current


def _take_saved_row(obj: models.Model, saved: models.Model) -> None:
    """Bring the caller's copy up to the saved row, keeping its cached relations where the key did not move."""
    for field in obj._meta.concrete_fields:
        # Django drops the copy's cached related object when the key moves, so it is never stale.
        setattr(obj, field.attname, getattr(saved, field.attname))
        if isinstance(field, models.ForeignObject) and field.is_cached(saved):
            field.set_cached_value(obj, field.get_cached_value(saved))


def update_with_audit[M: models.Model](
    *,
    actor: "User",
    obj: M,
    data: dict[str, Any],
    expected_version: int | None = None,
    parent: models.Model | None = None,
    reason: str = "",
    action: str = AuditEvent.Action.UPDATE,
    extra_changes: dict[str, list[Any]] | None = None,
) -> M:
    """Apply `data` to the record as it is now, if nobody saved it since `expected_version`; audit what changed.

    Only the fields in `data` change: they are set on the row read again under a lock, never on the caller's
    copy, so a field someone else saved meanwhile is kept even when no version is sent (a missing version means
    "whatever is there now", not "what I read"). Many-to-many fields may be in `data` (as iterables of
    objects). `obj` is brought up to the saved row and returned. Raises VersionConflict for a stale
    `expected_version` and ValidationError when the result does not validate. Call inside a transaction.

    Raises: ValidationError, VersionConflict.
    """
    current = lock_current(obj, expected_version)
    m2m = {k: list(v) for k, v in data.items() if obj._meta.get_field(k).many_to_many}
    plain = {k: v for k, v in data.items() if k not in m2m}
    before = snapshot(current, data.keys())
    for name, value in plain.items():
        setattr(current, name, value)
    after = {**snapshot(current, plain.keys()), **{k: related_labels(v) for k, v in m2m.items()}}
    changes = {**diff(before, after), **(extra_changes or {})}
    for name in _new_files(current, plain.keys()):
        # A new file under the name of the one it replaces is still a change (and must be saved).
        changes[name] = [before.get(name), after[name]]
    if not changes and not reason:
        # Saving identical values would bump the version and make another editor's save a false conflict.
        _take_saved_row(obj, current)
        return obj
    current.version += 1  # type: ignore[attr-defined]
    current.full_clean()
    current.save()
    for name, values in m2m.items():
        getattr(current, name).set(values)
    _take_saved_row(obj, current)
    audit_record(actor=actor, action=action, obj=obj, changes=changes, parent=parent, reason=reason)
    return obj


def delete_with_audit(
    *, actor: "User", obj: models.Model, parent: models.Model | None = None, reason: str = ""
) -> None:
    """Write the deletion's audit row, then delete `obj`. Call inside the service's transaction.

    Raises: nothing.
    """
    audit_record(actor=actor, action=AuditEvent.Action.DELETE, obj=obj, parent=parent, reason=reason)
    obj.delete()
