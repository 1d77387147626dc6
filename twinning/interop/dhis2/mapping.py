"""The DHIS2 mapping of a programme: which DHIS2 identifier each indicator, disaggregation option, institution,
partnership and the programme itself is exchanged under. One page reads it (`dhis2_mapping`) and saves it
(`dhis2_mapping_update`); the export and import read the same fields.
"""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from twinning.accounts.access import can_map_dhis2, require
from twinning.accounts.models import User
from twinning.audit.models import AuditEvent
from twinning.audit.services import audit_record
from twinning.core.choices import Side
from twinning.core.services import update_with_audit
from twinning.core.validators import validate_dhis2_uid
from twinning.directory.models import Institution
from twinning.partnerships.models import Partnership, PartnershipInstitution, Programme
from twinning.planning.models import DisaggregationOption, Indicator

PROGRAMME_KEY = "programme-aoc"
DATA_SET_KEY = "programme-data-set"


def partnership_key(partnership: Partnership) -> str:
    return f"partnership-{partnership.uuid}"


def institution_key(institution: Institution) -> str:
    return f"institution-{institution.uuid}"


def indicator_key(indicator: Indicator, part: str) -> str:
    """`part` is "uid" or "code"."""
    return f"indicator-{indicator.uuid}-{part}"


def option_key(option: DisaggregationOption) -> str:
    # Options have no public id; their category's and their own code name them within the programme.
    return f"option-{option.category.code}-{option.code}"


@dataclass
class InstitutionRow:
    institution: Institution
    sides: list[str]
    partnerships: list[str]


@dataclass
class Dhis2Mapping:
    """A programme's mapping as the page shows it, with what would keep values out of an exchange."""

    programme: Programme
    partnerships: list[Partnership]
    institutions: list[InstitutionRow]
    indicators: list[Indicator]
    options: list[DisaggregationOption]
    problems: list[str] = field(default_factory=list)

    @property
    def mapped_count(self) -> int:
        return sum(1 for i in self.indicators if i.dhis2_data_element or i.dhis2_data_element_code)


def _programme_objects(programme: Programme) -> tuple[list[Partnership], list[PartnershipInstitution]]:
    partnerships = list(Partnership.objects.filter(programme=programme).order_by("title"))
    links = list(
        PartnershipInstitution.objects.filter(partnership__programme=programme)
        .select_related("institution", "partnership")
        .order_by("institution__name", "side")
    )
    return partnerships, links


def dhis2_mapping(programme: Programme) -> Dhis2Mapping:
    """The mapping of `programme` with its problems: indicators without a data element (their values are left out
    of exports), options without a combo, partnerships whose host has no org unit, combos used twice. Five
    queries, whatever the size.

    Raises: nothing.
    """
    partnerships, links = _programme_objects(programme)
    rows: dict[int, InstitutionRow] = {}
    for link in links:
        row = rows.setdefault(link.institution_id, InstitutionRow(link.institution, [], []))
        if link.side not in row.sides:
            row.sides.append(link.side)
        row.partnerships.append(link.partnership.title)
    indicators = list(
        Indicator.objects.filter(programme=programme)
        .select_related("partnership")
        .order_by("partnership__title", "code")
    )
    options = list(
        DisaggregationOption.objects.filter(category__programme=programme)
        .select_related("category")
        .order_by("category__name", "order", "name")
    )
    mapping = Dhis2Mapping(programme, partnerships, list(rows.values()), indicators, options)
    mapping.problems = _problems(mapping, links)
    return mapping


def _problems(mapping: Dhis2Mapping, links: list[PartnershipInstitution]) -> list[str]:
    problems = []
    if not mapping.programme.dhis2_data_set:
        problems.append(_("No data set is given: ADX files need one to be imported into DHIS2."))
    # Named as people know them (a code alone means little to whoever fixes the mapping).
    unmapped = [f"{i.code} ({i.name})" for i in mapping.indicators if not i.dhis2_data_element]
    if unmapped:
        problems.append(
            _("Indicators without a data element UID are left out of exports: %(codes)s.")
            % {"codes": ", ".join(unmapped[:20]) + (" …" if len(unmapped) > 20 else "")}
        )
    hosts_mapped = {
        link.partnership_id for link in links if link.side == Side.HOST and link.institution.dhis2_org_unit
    }
    for partnership in mapping.partnerships:
        if partnership.pk not in hosts_mapped:
            problems.append(
                _("%(partnership)s: no host institution has an org unit, so its values cannot be exported.")
                % {"partnership": partnership.title}
            )
    combos = Counter(o.dhis2_category_option_combo for o in mapping.options if o.dhis2_category_option_combo)
    for combo, count in combos.items():
        if count > 1:
            problems.append(
                _("The category option combo %(uid)s is given to %(count)s options.")
                % {"uid": combo, "count": count}
            )
    return problems


def _changed(current: str, raw: Any) -> str | None:
    value = str(raw or "").strip()
    return None if value == current else value


@transaction.atomic
def dhis2_mapping_update(
    *, actor: User, programme: Programme, values: dict[str, Any], seen: dict[str, Any] | None = None
) -> int:
    """Save the DHIS2 identifiers given in `values` (keys as `*_key` build them; a blank value clears one), each
    change audited on its object. Every value is checked first (UID form, uniqueness in the programme, an
    attribute option combo not shared by the programme and a partnership); nothing is saved unless all pass.
    Keys the programme does not have are ignored. Returns the number of fields changed.

    `seen`, by the same keys, holds each identifier as the person's page showed it (the version they edited):
    a key whose value they left as seen is not touched (a change someone saved meanwhile stays), and a key they
    changed that someone else changed too since is refused with a message naming the other value, so nothing
    is lost; nothing is saved then. Without `seen` (the API), the values given are saved as they are.

    Raises: PermissionDenied, ValidationError (a dict by key).
    """
    require(can_map_dhis2(actor, programme.pk))
    # One mapping save of a programme at a time: the second reads what the first saved.
    Programme.objects.select_for_update().filter(pk=programme.pk).first()
    mapping = dhis2_mapping(programme)
    stale: dict[str, list[str]] = {}

    def wanted(key: str, current: str) -> Any:
        """What `values` asks for `key` now: the current value when the person did not change it."""
        if key not in values:
            return current
        if seen is None or key not in seen:
            return values[key]
        was = str(seen[key] or "").strip()
        asked = str(values[key] or "").strip()
        if asked == was:
            return current
        if current != was and asked != current:
            stale[key] = [
                _(
                    "Someone else changed this to “%(value)s” after you opened the page; yours is not saved "
                    "yet. Check it and save again."
                )
                % {"value": current or "—"}
            ]
        return values[key]

    planned: list[tuple[str, Any, str, str]] = []  # key, object, field, new value
    for key, name in ((PROGRAMME_KEY, "dhis2_attribute_option_combo"), (DATA_SET_KEY, "dhis2_data_set")):
        new = _changed(getattr(programme, name), wanted(key, getattr(programme, name)))
        if new is not None:
            planned.append((key, programme, name, new))
    for partnership in mapping.partnerships:
        key = partnership_key(partnership)
        new = _changed(
            partnership.dhis2_attribute_option_combo,
            wanted(key, partnership.dhis2_attribute_option_combo),
        )
        if new is not None:
            planned.append((key, partnership, "dhis2_attribute_option_combo", new))
    for row in mapping.institutions:
        key = institution_key(row.institution)
        new = _changed(row.institution.dhis2_org_unit, wanted(key, row.institution.dhis2_org_unit))
        if new is not None:
            planned.append((key, row.institution, "dhis2_org_unit", new))
    for indicator in mapping.indicators:
        for part, name in (("uid", "dhis2_data_element"), ("code", "dhis2_data_element_code")):
            key = indicator_key(indicator, part)
            new = _changed(getattr(indicator, name), wanted(key, getattr(indicator, name)))
            if new is not None:
                planned.append((key, indicator, name, new))
    for option in mapping.options:
        key = option_key(option)
        new = _changed(option.dhis2_category_option_combo, wanted(key, option.dhis2_category_option_combo))
        if new is not None:
            planned.append((key, option, "dhis2_category_option_combo", new))
    if stale:
        raise ValidationError(stale)
    _check(mapping, planned)
    by_object: dict[int, tuple[Any, dict[str, str]]] = {}
    for _key, obj, name, new in planned:
        by_object.setdefault(id(obj), (obj, {}))[1][name] = new
    for obj, data in by_object.values():
        if isinstance(obj, DisaggregationOption):
            _option_update(actor, obj, data["dhis2_category_option_combo"], programme)
        else:
            update_with_audit(actor=actor, obj=obj, data=data, reason=_("DHIS2 mapping"))
    return len(planned)


def _check(mapping: Dhis2Mapping, planned: list[tuple[str, Any, str, str]]) -> None:
    """Every planned value's form, and uniqueness within the programme once all are applied."""
    errors: dict[str, list[str]] = {}
    for key, _obj, name, new in planned:
        if name == "dhis2_data_element_code":
            if len(new) > 50 or "\x00" in new:
                errors.setdefault(key, []).append(_("A DHIS2 code has at most 50 characters."))
            continue
        try:
            validate_dhis2_uid(new)
        except ValidationError as exc:
            errors.setdefault(key, []).extend(exc.messages)
    after = {(id(obj), name): new for _key, obj, name, new in planned}

    def value(obj: Any, name: str) -> str:
        return after.get((id(obj), name), getattr(obj, name))

    groups: list[tuple[str, list[tuple[str, str]]]] = [
        (
            _("Another indicator of the programme has this data element."),
            [(indicator_key(i, "uid"), value(i, "dhis2_data_element")) for i in mapping.indicators],
        ),
        (
            _("Another indicator of the programme has this data element code."),
            [(indicator_key(i, "code"), value(i, "dhis2_data_element_code")) for i in mapping.indicators],
        ),
        (
            _("Another option of the programme has this category option combo."),
            [(option_key(o), value(o, "dhis2_category_option_combo")) for o in mapping.options],
        ),
        (
            _("The programme or another partnership has this attribute option combo."),
            [(PROGRAMME_KEY, value(mapping.programme, "dhis2_attribute_option_combo"))]
            + [(partnership_key(p), value(p, "dhis2_attribute_option_combo")) for p in mapping.partnerships],
        ),
    ]
    changed_keys = {key for key, *_rest in planned}
    for message, pairs in groups:
        seen = Counter(v for _k, v in pairs if v)
        for key, v in pairs:
            if v and seen[v] > 1 and key in changed_keys:
                errors.setdefault(key, []).append(message)
    org_units = [(key, new) for key, _obj, name, new in planned if name == "dhis2_org_unit" and new]
    taken = set(
        Institution.objects.filter(dhis2_org_unit__in=[v for _k, v in org_units])
        .exclude(pk__in=[obj.pk for _k, obj, name, _n in planned if name == "dhis2_org_unit"])
        .values_list("dhis2_org_unit", flat=True)
    )
    counts = Counter(v for _k, v in org_units)
    for key, v in org_units:
        if v in taken or counts[v] > 1:
            errors.setdefault(key, []).append(_("Another institution has this org unit."))
    if errors:
        raise ValidationError(errors)


def _option_update(actor: User, option: DisaggregationOption, new: str, programme: Programme) -> None:
    # Options carry no version (they are edited with their category), so the change is audited here.
    before = option.dhis2_category_option_combo
    option.dhis2_category_option_combo = new
    option.full_clean()
    option.save(update_fields=["dhis2_category_option_combo"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=option,
        changes={"dhis2_category_option_combo": [before, new]},
        parent=programme,
        reason=_("DHIS2 mapping"),
    )
