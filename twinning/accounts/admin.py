from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from twinning.accounts.models import ApiToken, PartnershipMembership, ProgrammeRole, User
from twinning.core.admin import AuditedAdmin


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_superuser", "last_login"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("full_name", "language")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )
    filter_horizontal = ()
    list_filter = ["is_active", "is_superuser"]


@admin.register(ProgrammeRole)
class ProgrammeRoleAdmin(AuditedAdmin):
    list_display = ["user", "programme", "role"]
    list_filter = ["role", "programme"]
    autocomplete_fields = ["user"]


@admin.register(PartnershipMembership)
class PartnershipMembershipAdmin(AuditedAdmin):
    list_display = ["user", "partnership", "side", "role"]
    list_filter = ["role", "side"]
    autocomplete_fields = ["user"]
    raw_id_fields = ["partnership"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "hint", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["hint", "created_at", "last_used_at"]
    exclude = ["token_hash"]

    def has_add_permission(self, request: object) -> bool:
        # A token made here could never be shown to its owner; tokens are made on the account page or the CLI.
        return False
