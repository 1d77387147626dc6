from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from twinning.audit.models import AuditEvent
from twinning.audit.services import audit_record


class ReadOnlyAdmin(admin.ModelAdmin):
    """For domain records: they change only through services (validation, versions, audit), so not here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedAdmin(admin.ModelAdmin):
    """For records administrators maintain here (roles, reference data): every save and delete is audited."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        changed = {name: [None, str(form.cleaned_data.get(name))] for name in form.changed_data}
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.UPDATE if change else AuditEvent.Action.CREATE,
            obj=obj,
            changes=changed,
            reason="admin",
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit_record(actor=request.user, action=AuditEvent.Action.DELETE, obj=obj, reason="admin")
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            audit_record(actor=request.user, action=AuditEvent.Action.DELETE, obj=obj, reason="admin")
        super().delete_queryset(request, queryset)
