from django.contrib import admin

from twinning.core.admin import AuditedAdmin, ReadOnlyAdmin
from twinning.directory.models import CountryPriority, HealthArea, Institution, Language, Person


@admin.register(HealthArea)
class HealthAreaAdmin(AuditedAdmin):
    list_display = ["name", "code", "parent", "order"]


@admin.register(Language)
class LanguageAdmin(AuditedAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Institution)
class InstitutionAdmin(ReadOnlyAdmin):
    list_display = ["name", "type", "country", "city"]
    list_filter = ["type", "country"]
    search_fields = ["name", "short_name", "city"]
    readonly_fields = ["uuid", "version"]


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ["full_name", "institution", "cadre", "is_volunteer"]
    list_filter = ["cadre", "is_volunteer"]
    search_fields = ["full_name", "email"]
    raw_id_fields = ["institution"]


@admin.register(CountryPriority)
class CountryPriorityAdmin(ReadOnlyAdmin):
    list_display = ["country", "rank", "text", "stated_on"]
    list_filter = ["country"]
