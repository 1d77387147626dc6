"""Writes to the institution directory. Each service validates, saves and audits in one transaction."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from twinning.accounts.access import (
    can_create_institution,
    can_edit_institution,
    is_programme_editor,
    require,
)
from twinning.accounts.models import User
from twinning.audit.services import related_labels
from twinning.core.services import create_with_audit, refuse_unknown_fields, update_with_audit
from twinning.directory.models import (
    CountryPriority,
    HealthArea,
    Institution,
    InstitutionExpertise,
    InstitutionNeed,
    Language,
    Person,
)

# What a person may change about an institution, in the order the form shows it; `institution_update` accepts
# exactly these and the form takes its fields from here.
INSTITUTION_EDITABLE_FIELDS = (
    "name",
    "short_name",
    "type",
    "country",
    "region",
    "city",
    "languages",
    "website",
    "description",
    "expertise",
    "needs",
    "time_zone",
    "capacity",
    "iati_org_id",
    "dhis2_org_unit",
)
# Languages, expertise and needs are links set after the row is saved; the rest are the institution's columns.
INSTITUTION_LINKS = ("languages", "expertise", "needs")
INSTITUTION_FIELDS = tuple(f for f in INSTITUTION_EDITABLE_FIELDS if f not in INSTITUTION_LINKS)


def _set_areas(
    institution: Institution, expertise: Iterable[HealthArea], needs: Iterable[HealthArea]
) -> None:
    """Keep existing depth/priority details for areas that stay; add new areas with the defaults."""
    model: type[InstitutionExpertise] | type[InstitutionNeed]
    for model, areas in ((InstitutionExpertise, expertise), (InstitutionNeed, needs)):
        wanted = {a.pk for a in areas}
        model.objects.filter(institution=institution).exclude(area_id__in=wanted).delete()
        have = set(model.objects.filter(institution=institution).values_list("area_id", flat=True))
        model.objects.bulk_create([model(institution=institution, area_id=pk) for pk in wanted - have])  # type: ignore[misc]


@transaction.atomic
def institution_create(
    *,
    actor: User,
    languages: Iterable[Language] = (),
    expertise: Iterable[HealthArea] = (),
    needs: Iterable[HealthArea] = (),
    **fields: Any,
) -> Institution:
    """Add an institution to the directory with its languages, expertise and needs; `fields` are its editable
    fields (and `uuid` for a client that names its records).

    Raises: PermissionDenied, ValidationError, TypeError.
    """
    require(can_create_institution(actor))
    # `uuid` may be given by a client that names its records itself (offline entry, imports).
    refuse_unknown_fields(fields, (*INSTITUTION_FIELDS, "uuid"), "institution")
    expertise, needs = list(expertise), list(needs)
    # Expertise and needs are rows beside the institution: its creation's audit row lists them with its languages.
    areas = {"expertise": related_labels(expertise), "needs": related_labels(needs)}
    institution = create_with_audit(
        actor=actor, obj=Institution(**fields), m2m={"languages": list(languages)}, extra_values=areas
    )
    _set_areas(institution, expertise, needs)
    return institution


@transaction.atomic
def institution_update(
    *,
    actor: User,
    institution: Institution,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> Institution:
    """Change an institution; `data` may hold any of INSTITUTION_EDITABLE_FIELDS (TypeError for others).

    Raises: PermissionDenied, ValidationError, VersionConflict, TypeError.
    """
    require(can_edit_institution(actor, institution))
    refuse_unknown_fields(data, INSTITUTION_EDITABLE_FIELDS, "institution")
    data = dict(data)
    expertise = data.pop("expertise", None)
    needs = data.pop("needs", None)
    if expertise is not None or needs is not None:
        # The through models are not plain m2m fields, so audit them as area-name lists here.
        before = {
            "expertise": related_labels(institution.expertise.all()),
            "needs": related_labels(institution.needs.all()),
        }
        _set_areas(
            institution,
            expertise if expertise is not None else institution.expertise.all(),
            needs if needs is not None else institution.needs.all(),
        )
        after = {
            "expertise": related_labels(institution.expertise.all()),
            "needs": related_labels(institution.needs.all()),
        }
        area_changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    else:
        area_changes = {}
    institution = update_with_audit(
        actor=actor, obj=institution, data=data, expected_version=expected_version, extra_changes=area_changes
    )
    return institution


@transaction.atomic
def person_create(
    *, actor: User, institution: Institution, languages: Iterable[Language] = (), **fields: Any
) -> Person:
    """Add a person to an institution (who may edit the institution may add its people).

    Raises: PermissionDenied, ValidationError.
    """
    require(can_edit_institution(actor, institution))
    return create_with_audit(
        actor=actor,
        obj=Person(institution=institution, **fields),
        m2m={"languages": list(languages)},
        parent=institution,
    )


@transaction.atomic
def country_priority_create(*, actor: User, **fields: Any) -> CountryPriority:
    """Record a ministry of health's priority for a country (programme editors).

    Raises: PermissionDenied, ValidationError.
    """
    require(is_programme_editor(actor))
    return create_with_audit(actor=actor, obj=CountryPriority(**fields))
