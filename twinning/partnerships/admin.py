from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from twinning.core.admin import ReadOnlyAdmin, admin_user
from twinning.partnerships.models import Partnership, PartnershipInstitution, Pillar, Programme, Stakeholder
from twinning.partnerships.services import programme_create, programme_update

PROGRAMME_FIELDS = (
    "name",
    "description",
    "funders",
    "reporting_currency",
    "viewers_see_evidence",
    "viewers_see_contacts",
)


class PillarInline(admin.TabularInline):
    model = Pillar
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "reporting_currency"]
    fields = PROGRAMME_FIELDS
    inlines = [PillarInline]

    def save_model(self, request: HttpRequest, obj: Programme, form: Any, change: bool) -> None:
        # Through the services, so a new programme gets its pillars and every change is audited.
        if change:
            programme_update(
                actor=admin_user(request), programme=obj, data={f: getattr(obj, f) for f in form.changed_data}
            )
        else:
            new = programme_create(
                actor=admin_user(request), **{f: form.cleaned_data[f] for f in PROGRAMME_FIELDS}
            )
            obj.pk, obj.uuid = new.pk, new.uuid


class SideInline(admin.TabularInline):
    model = PartnershipInstitution
    extra = 0
    raw_id_fields = ["institution"]


@admin.register(Partnership)
class PartnershipAdmin(ReadOnlyAdmin):
    list_display = ["title", "programme", "stage", "start_date", "end_date"]
    list_filter = ["programme", "stage"]
    search_fields = ["title"]
    inlines = [SideInline]
    readonly_fields = ["uuid", "version"]


@admin.register(Stakeholder)
class StakeholderAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "partnership"]
    list_filter = ["kind"]
    raw_id_fields = ["partnership", "institution"]
