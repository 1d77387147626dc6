from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.http import HttpRequest

from twinning.audit.models import AuditEvent
from twinning.audit.services import audit_record, related_labels, snapshot

if TYPE_CHECKING:
    from twinning.accounts.models import User


def admin_user(request: HttpRequest) -> "User":
    """The user of an admin request: the admin site lets only signed-in staff this far."""
    assert request.user.is_authenticated
    return request.user


class ReadOnlyAdmin(admin.ModelAdmin):
    """For domain records: they change only through services (validation, versions, audit), so not here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _admin_value(obj: Any, name: str, value: Any) -> Any:
    """A value saved in the admin as the audit log stores it (audit.services.snapshot): related records named in
    each language, files by their names; many-to-many from the form, since the admin sets them after this."""
    try:
        field = obj._meta.get_field(name)
    except FieldDoesNotExist:
        return str(value)
    if field.many_to_many:
        return related_labels(value or ())
    return snapshot(obj, [name])[name]


class AuditedAdmin(admin.ModelAdmin):
    """For records administrators maintain here (roles, reference data): every save and delete is audited."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        changed = {
            name: [None, _admin_value(obj, name, form.cleaned_data.get(name))] for name in form.changed_data
        }
        audit_record(
            actor=admin_user(request),
            action=AuditEvent.Action.UPDATE if change else AuditEvent.Action.CREATE,
            obj=obj,
            changes=changed,
            reason="admin",
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit_record(actor=admin_user(request), action=AuditEvent.Action.DELETE, obj=obj, reason="admin")
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            audit_record(actor=admin_user(request), action=AuditEvent.Action.DELETE, obj=obj, reason="admin")
        super().delete_queryset(request, queryset)
