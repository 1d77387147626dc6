"""DHIS2 imports: DHIS2's own example files, round trips, dry runs, modes, locks, access and hostile XML."""

import datetime
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from twinning.audit.models import AuditEvent
from twinning.interop.dhis2.export import ExportScope, export_stream
from twinning.interop.dhis2.imports import ImportOptions, dhis2_import
from twinning.interop.models import Dhis2Import
from twinning.interop.tests.dhis2_world import (
    AOC,
    FEMALE,
    HW1,
    MALE,
    MDA,
    ORG_UNIT,
    STORY,
    approve,
    enter,
    mapped,
)
from twinning.monitoring import services
from twinning.monitoring.models import PeriodReport, Result
from twinning.partnerships.models import Pillar
from twinning.planning.models import Indicator, Objective, Plan, PlanIndicator
from twinning.testing.factories import InstitutionFactory, PartnershipFactory, partnership_member

pytestmark = pytest.mark.django_db
EXAMPLES = Path(__file__).parent / "dhis2_examples"


def opener_of(data: bytes):
    return lambda: io.BytesIO(data)


def run(world, data: bytes, fmt: str, user=None, partnership=None, **options):
    return dhis2_import(
        actor=user or world.manager,
        programme=world.programme,
        opener=opener_of(data),
        fmt=fmt,
        options=ImportOptions(**options),
        partnership=partnership,
    )


def values(world) -> dict:
    return {
        (r.partnership_id, r.indicator.code, r.period, r.option.code if r.option else ""): (
            r.value,
            r.text,
            r.comment,
        )
        for r in Result.objects.filter(partnership__programme=world.programme).select_related(
            "indicator", "option"
        )
    }


# --- DHIS2's own examples -----------------------------------------------------------------------------------


def example_world(world):
    """Three monthly indicators with the data elements of DHIS2's examples, and two partnerships hosted at their
    org units (world.partnership at DiszpKrYNg8, another at BdfsJfj87js), each with an agreed 2012 plan."""
    host = world.partnership.side_links.get(side="host").institution
    host.dhis2_org_unit = "DiszpKrYNg8"
    host.save()
    second = PartnershipFactory(programme=world.programme, sides=False)
    second.side_links.create(institution=InstitutionFactory(dhis2_org_unit="BdfsJfj87js"), side="host")
    pillar = Pillar.objects.create(programme=world.programme, code="p", name="P", order=1)
    indicators = [
        Indicator.objects.create(
            programme=world.programme,
            code=code,
            name=code,
            frequency="monthly",
            dhis2_data_element=uid,
            dhis2_data_element_code=f"DE_{code}",
        )
        for code, uid in (("A", "f7n9E0hX8qk"), ("B", "Ix2HsbDMLea"), ("C", "eY5ehpbEsB7"))
    ]
    for p in (world.partnership, second):
        plan = Plan.objects.create(
            partnership=p,
            title="P",
            first_year=2012,
            last_year=2012,
            status="agreed",
            agreed_at=datetime.datetime(2012, 1, 1, tzinfo=datetime.UTC),
        )
        goal = Objective.objects.create(plan=plan, code="O", statement="s", pillar=pillar)
        for indicator in indicators:
            PlanIndicator.objects.create(plan=plan, objective=goal, indicator=indicator)
    return second


def test_dhis2_xml_example_imports(world):
    second = example_world(world)
    summary = run(world, (EXAMPLES / "dataValueSetA.xml").read_bytes(), "xml")
    assert summary.status == "SUCCESS", summary.conflicts
    assert (summary.imported, summary.updated, summary.ignored) == (3, 0, 0)
    assert values(world) == {
        (world.partnership.pk, "A", "201201", ""): (Decimal("10001"), "", "comment"),
        (second.pk, "A", "201201", ""): (Decimal("10002"), "", "comment"),
        (world.partnership.pk, "A", "201202", ""): (Decimal("10003"), "", "comment"),
    }


def test_dhis2_csv_example_imports_and_again_changes_nothing(world):
    example_world(world)
    data = (EXAMPLES / "dataValueSetB.csv").read_bytes()
    first = run(world, data, "csv")
    assert (first.status, first.imported) == ("SUCCESS", 12)
    stored = values(world)
    events = AuditEvent.objects.count()
    again = run(world, data, "csv")
    assert (again.status, again.imported, again.updated, again.ignored) == ("SUCCESS", 0, 0, 12)
    assert values(world) == stored
    assert AuditEvent.objects.count() == events


def test_dhis2_json_example_imports(world):
    example_world(world)
    summary = run(world, (EXAMPLES / "dataValueSetJ.json").read_bytes(), "json")
    assert (summary.status, summary.imported) == ("SUCCESS", 1)
    assert values(world) == {(world.partnership.pk, "A", "201201", ""): (Decimal("10"), "", "")}


def test_dhis2_code_example_names_data_elements_by_code_and_reports_unknown_org_units(world):
    example_world(world)
    summary = run(world, (EXAMPLES / "dataValueSetACode.xml").read_bytes(), "xml", org_unit_id_scheme="UID")
    # The file names its org unit by code (OU_A): Twinning keeps org units by UID, so each value conflicts.
    assert summary.status == "ERROR"
    assert summary.conflict_count == 3
    assert {(c.object, c.property) for c in summary.conflicts} == {("OU_A", "orgUnit")}
    assert not Result.objects.exists()


def test_dhis2_adx_example_is_read_and_each_conflict_named(world):
    example_world(world)
    summary = run(world, (EXAMPLES / "importA.adx.xml").read_bytes(), "adx", data_element_id_scheme="CODE")
    assert summary.status == "ERROR"
    assert summary.read == 9
    assert {c.object for c in summary.conflicts} == {"Malaria numeric", "Malaria text"}
    assert [c.index for c in summary.conflicts] == list(range(9))
    payload = summary.as_dhis2()
    # As DHIS2 counts: the nine values with a conflict are ignored, and the summary says they had one.
    assert payload["importCount"] == {"imported": 0, "updated": 0, "ignored": 9, "deleted": 0}
    assert "Ignored: 9 (9 with a conflict)." in payload["description"]
    assert payload["totalConflicts"] == 9
    assert payload["conflicts"][0] == {
        "object": "Malaria numeric",
        "value": "No indicator of the programme has this data element.",
        "indexes": [0],
        "property": "dataElement",
    }


# --- round trips ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "adx"])
def test_export_then_import_gives_the_same_values(world, fmt):
    x = mapped(world)
    enter(world, x)
    # Percentages travel as their percentage only: a file cannot create them (it can bring back the stored
    # ones unchanged, see below), so they are not part of this round trip into an empty database.
    Result.objects.filter(indicator=x.m.deaths.indicator).delete()
    before = values(world)
    exported = "".join(export_stream(world.manager, ExportScope(programme=world.programme), fmt)).encode()
    Result.objects.all().delete()
    summary = run(world, exported, fmt)
    assert summary.status == "SUCCESS", summary.conflicts
    assert summary.imported == len(before)
    after = values(world)
    if fmt == "adx":  # ADX has no comments on yes/no values beyond its annotation, which it keeps
        assert {k: v[:2] for k, v in after.items()} == {k: v[:2] for k, v in before.items()}
    else:
        assert after == before


def percentages(world) -> dict:
    return {
        (r.period, r.option.code if r.option else ""): (r.value, r.numerator, r.denominator, r.version)
        for r in Result.objects.filter(indicator__code="MDA").select_related("option")
    }


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "adx"])
def test_percentages_come_back_unchanged_from_their_own_export(world, fmt):
    x = mapped(world)
    enter(world, x)  # MDA 3/4 in 2024Q1 and 2024Q2
    services.result_save(
        actor=world.member,
        plan_indicator=x.m.deaths,
        period="2024Q3",
        values={"numerator": "7", "denominator": "9"},
    )
    services.result_save(
        actor=world.member,
        plan_indicator=x.m.deaths,
        period="2024Q4",
        values={"numerator": "2", "denominator": "3"},
    )
    before = percentages(world)
    assert before["2024Q3", ""][:3] == (Decimal("77.7778"), Decimal(7), Decimal(9))
    assert before["2024Q4", ""][:3] == (Decimal("66.6667"), Decimal(2), Decimal(3))
    everything = values(world)
    exported = "".join(export_stream(world.manager, ExportScope(programme=world.programme), fmt)).encode()
    assert b"77.7778" in exported and b"66.6667" in exported
    summary = run(world, exported, fmt)
    assert summary.status == "SUCCESS", summary.conflicts
    assert (summary.imported, summary.updated, summary.ignored) == (0, 0, summary.read)
    assert percentages(world) == before
    assert values(world) == everything


def test_a_percentage_other_than_the_stored_one_is_a_conflict_naming_it(world):
    x = mapped(world)
    services.result_save(
        actor=world.member,
        plan_indicator=x.m.deaths,
        period="2024Q3",
        values={"numerator": "7", "denominator": "9"},
    )
    data = data_value_set(
        {"dataElement": MDA, "period": "2024Q3", "orgUnit": ORG_UNIT, "value": "78"},
        {"dataElement": MDA, "period": "2024Q4", "orgUnit": ORG_UNIT, "value": "50"},
    )
    summary = run(world, data, "json")
    assert (summary.status, summary.conflict_count) == ("ERROR", 2)
    first, second = summary.conflicts
    assert (first.index, first.property) == (0, "value") and "77.7778" in first.value
    assert (second.index, "differs" in second.value) == (1, False)
    assert percentages(world)["2024Q3", ""][:3] == (Decimal("77.7778"), Decimal(7), Decimal(9))


# --- modes, locks and access ---------------------------------------------------------------------------------


def data_value_set(*items) -> bytes:
    return json.dumps({"dataValues": list(items)}).encode()


def hw1(period="2024Q1", value="12", **extra):
    return {"dataElement": HW1, "period": period, "orgUnit": ORG_UNIT, "value": value, **extra}


def test_dry_run_writes_nothing(world):
    mapped(world)
    events = AuditEvent.objects.count()
    summary = run(world, data_value_set(hw1()), "json", dry_run=True)
    assert (summary.status, summary.imported) == ("SUCCESS", 1)
    assert "Dry run" in summary.description
    assert not Result.objects.exists()
    assert not PeriodReport.objects.exists()
    assert AuditEvent.objects.count() == events


def test_one_conflict_writes_nothing_unless_per_value_mode(world):
    mapped(world)
    data = data_value_set(hw1(), hw1("2024Q2", "-3"), {**hw1("2024Q3"), "dataElement": "unknownDE01"})
    summary = run(world, data, "json")
    # As DHIS2 counts: nothing written, so all three are ignored, two of them with a conflict.
    assert (summary.status, summary.imported, summary.ignored, summary.conflict_count) == ("ERROR", 0, 3, 2)
    assert "Ignored: 3 (2 with a conflict)." in summary.description
    assert not Result.objects.exists()
    summary = run(world, data, "json", atomic=False)
    assert (summary.status, summary.imported, summary.ignored, summary.conflict_count) == ("WARNING", 1, 2, 2)
    assert "Ignored: 2 (2 with a conflict)." in summary.description
    assert summary.as_dhis2()["importOptions"]["atomicMode"] == "NONE"
    assert "Per-value mode" in summary.description
    assert {(c.index, c.property) for c in summary.conflicts} == {(1, "value"), (2, "dataElement")}
    assert list(Result.objects.values_list("period", "value")) == [("2024Q1", Decimal("12"))]


def test_an_update_is_counted_as_updated(world):
    mapped(world)
    run(world, data_value_set(hw1()), "json")
    summary = run(world, data_value_set(hw1(value="13")), "json")
    assert (summary.imported, summary.updated) == (0, 1)
    assert Result.objects.get().value == Decimal("13")


def test_values_of_an_approved_period_are_refused_as_in_the_ui(world):
    x = mapped(world)
    enter(world, x)
    approve(world, "2024Q1")
    summary = run(world, data_value_set(hw1(value="99")), "json")
    assert summary.status == "ERROR"
    assert "locked" in summary.conflicts[0].value
    assert Result.objects.get(indicator=x.m.trained.indicator, period="2024Q1", option=None).value == Decimal(
        "11"
    )


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "adx"])
@pytest.mark.parametrize("status", [PeriodReport.Status.SUBMITTED, PeriodReport.Status.APPROVED])
def test_our_own_export_of_locked_periods_comes_back_ignored_not_conflicts(world, fmt, status):
    x = mapped(world)
    enter(world, x)
    PeriodReport.objects.filter(partnership=world.partnership).update(status=status)
    before = percentages(world), values(world)
    exported = "".join(export_stream(world.manager, ExportScope(programme=world.programme), fmt)).encode()
    for atomic in (True, False):
        summary = run(world, exported, fmt, atomic=atomic)
        assert summary.status == "SUCCESS", summary.conflicts
        assert (summary.imported, summary.updated, summary.conflict_count) == (0, 0, 0)
        assert summary.ignored == summary.read > 0
    assert (percentages(world), values(world)) == before


def test_a_changed_value_of_a_locked_period_is_one_conflict_among_the_ignored(world):
    x = mapped(world)
    enter(world, x)
    approve(world, "2024Q1")
    exported = json.loads(
        "".join(export_stream(world.manager, ExportScope(programme=world.programme), "json"))
    )
    changed = next(
        v
        for v in exported["dataValues"]
        if v["period"] == "2024Q1" and v["dataElement"] == HW1 and v["value"] == "11"
    )
    changed["value"] = "12"
    summary = run(world, json.dumps(exported).encode(), "json", atomic=False)
    assert summary.conflict_count == 1 and "locked" in summary.conflicts[0].value
    assert summary.imported + summary.updated + summary.ignored == summary.read
    assert (summary.imported, summary.updated, summary.ignored) == (0, 0, summary.read)
    assert f"Ignored: {summary.read} (1 with a conflict)." in summary.description


def test_a_partnership_the_user_may_not_enter_data_for_is_a_conflict(world):
    mapped(world)
    other = PartnershipFactory(programme=world.programme, sides=False)
    other.side_links.create(institution=InstitutionFactory(dhis2_org_unit="BdfsJfj87js"), side="host")
    coordinator = world.coordinator
    summary = run(
        world,
        data_value_set(hw1(), {**hw1(), "orgUnit": "BdfsJfj87js"}),
        "json",
        user=coordinator,
        partnership=world.partnership,
    )
    assert summary.status == "ERROR"
    assert summary.conflicts[0].index == 1
    assert not Result.objects.exists()


def test_readers_and_outsiders_may_not_import(world):
    mapped(world)
    for user in (world.programme_viewer, world.partnership_viewer):
        with pytest.raises(PermissionDenied):
            run(world, data_value_set(hw1()), "json", user=user)
    with pytest.raises(PermissionDenied):
        run(world, data_value_set(hw1()), "json", user=world.outsider)
    assert not Result.objects.exists()


def test_a_member_imports_their_partnership(world):
    mapped(world)
    member = partnership_member(world.partnership, "member")
    summary = run(world, data_value_set(hw1()), "json", user=member, partnership=world.partnership)
    assert (summary.status, summary.imported) == ("SUCCESS", 1)


# --- what the import keeps while it reads a file ---------------------------------------------------------------


def second_partnership_at_the_host(world, x, combo: str):
    """Another partnership with `combo` as its attribute option combo, working at world.partnership's host
    (ORG_UNIT) as its partner institution, with an agreed 2024-2026 plan adopting HW1."""
    second = PartnershipFactory(programme=world.programme, sides=False, dhis2_attribute_option_combo=combo)
    second.side_links.create(
        institution=world.partnership.side_links.get(side="host").institution, side="partner"
    )
    plan = Plan.objects.create(
        partnership=second,
        title="P",
        first_year=2024,
        last_year=2026,
        status="agreed",
        agreed_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC),
    )
    pillar = Pillar.objects.create(programme=world.programme, code="p2", name="P", order=2)
    goal = Objective.objects.create(plan=plan, code="O", statement="s", pillar=pillar)
    PlanIndicator.objects.create(plan=plan, objective=goal, indicator=x.m.trained.indicator)
    return second


def test_one_org_unit_is_named_back_to_each_partnership_its_combo_says_all_through_a_file(world):
    # The import keeps each (attribute option combo, org unit) it has named back to a partnership: the same
    # org unit must still go to whichever partnership each value's combo says, and a combo found good at one
    # org unit is still refused at an org unit that is not one of its partnership's institutions.
    x = mapped(world)
    second = second_partnership_at_the_host(world, x, "aOcPartner2")
    data = data_value_set(
        hw1("2024Q1", "1", attributeOptionCombo=AOC),
        hw1("2024Q1", "2", attributeOptionCombo="aOcPartner2"),
        hw1("2024Q2", "3"),  # the default combo: the org unit's host, world.partnership
        hw1("2024Q3", "4", attributeOptionCombo=AOC, orgUnit="BdfsJfj87js"),
        hw1("2024Q3", "5", attributeOptionCombo="aOcPartner2"),
        hw1("2024Q4", "6", attributeOptionCombo=AOC),
        hw1("2024Q4", "7", attributeOptionCombo="aOcPartner2", orgUnit="BdfsJfj87js"),
    )
    summary = run(world, data, "json", atomic=False)
    assert (summary.status, summary.imported, summary.conflict_count) == ("WARNING", 5, 2)
    assert [(c.index, c.object, c.property) for c in summary.conflicts] == [
        (3, "BdfsJfj87js", "orgUnit"),
        (6, "BdfsJfj87js", "orgUnit"),
    ]
    assert values(world) == {
        (world.partnership.pk, "HW1", "2024Q1", ""): (Decimal("1"), "", ""),
        (second.pk, "HW1", "2024Q1", ""): (Decimal("2"), "", ""),
        (world.partnership.pk, "HW1", "2024Q2", ""): (Decimal("3"), "", ""),
        (second.pk, "HW1", "2024Q3", ""): (Decimal("5"), "", ""),
        (world.partnership.pk, "HW1", "2024Q4", ""): (Decimal("6"), "", ""),
    }


def test_a_partnership_refused_to_the_importer_stays_refused_whatever_came_before(world):
    # A pair refused (here: a partnership the coordinator does not enter data for) is never kept as good.
    x = mapped(world)
    second_partnership_at_the_host(world, x, "aOcPartner2")
    data = data_value_set(
        hw1("2024Q1", "1", attributeOptionCombo=AOC),
        hw1("2024Q1", "2", attributeOptionCombo="aOcPartner2"),
        hw1("2024Q2", "3", attributeOptionCombo=AOC),
        hw1("2024Q2", "4", attributeOptionCombo="aOcPartner2"),
    )
    summary = run(world, data, "json", user=world.coordinator, atomic=False)
    assert (summary.imported, summary.conflict_count) == (2, 2)
    assert [(c.index, c.property) for c in summary.conflicts] == [
        (1, "attributeOptionCombo"),
        (3, "attributeOptionCombo"),
    ]


def quarterly_values(count_periods: int, breakdown: bool) -> bytes:
    items: list[dict] = []
    for year in (2024, 2025, 2026):
        for quarter in range(1, 5):
            if len(items) >= count_periods * (3 if breakdown else 1):
                break
            period = f"{year}Q{quarter}"
            items.append(hw1(period, "10"))
            if breakdown:
                items.append(hw1(period, "4", categoryOptionCombo=FEMALE))
                items.append(hw1(period, "5", categoryOptionCombo=MALE))
    return data_value_set(*items)


@pytest.mark.parametrize("atomic", [True, False])
def test_the_imports_queries_do_not_grow_with_its_values(world, atomic):
    mapped(world)
    counts = []
    for data in (quarterly_values(1, breakdown=False), quarterly_values(11, breakdown=True)):
        Result.objects.all().delete()
        PeriodReport.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            summary = run(world, data, "json", atomic=atomic)
        assert summary.status == "SUCCESS", summary.conflicts
        counts.append((summary.imported, len(queries)))
    (few, few_queries), (many, many_queries) = counts
    assert (few, many) == (1, 33)
    assert many_queries == few_queries


def test_defaults_given_after_the_values_hold_in_every_pass_of_a_per_value_import(world):
    # The file's header is read once; each pass of a per-value import (here a second one, without the value
    # the results import refused) reads the values again with the same defaults.
    mapped(world)
    data = json.dumps(
        {
            "dataValues": [
                {"dataElement": HW1, "value": "12"},
                {"dataElement": HW1, "value": "-3", "period": "2024Q2"},
                {"dataElement": HW1, "value": "4", "categoryOptionCombo": FEMALE},
            ],
            "period": "2024Q1",
            "orgUnit": ORG_UNIT,
        }
    ).encode()
    summary = run(world, data, "json", atomic=False)
    assert (summary.status, summary.imported, summary.conflict_count) == ("WARNING", 2, 1)
    assert summary.conflicts[0].index == 1
    assert values(world) == {
        (world.partnership.pk, "HW1", "2024Q1", ""): (Decimal("12"), "", ""),
        (world.partnership.pk, "HW1", "2024Q1", "female"): (Decimal("4"), "", ""),
    }


# --- hostile and broken files --------------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0"><dataValue dataElement="&lol3;" period="2024Q1"/></dataValueSet>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0"><dataValue dataElement="&xxe;" period="2024Q1"/></dataValueSet>"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL], ids=["billion-laughs", "external-entity"])
@pytest.mark.parametrize("fmt", ["xml", "adx"])
def test_hostile_xml_is_refused(world, data, fmt):
    mapped(world)
    summary = run(world, data if fmt == "xml" else data.replace(b"dataValueSet", b"adx"), fmt)
    assert summary.status == "ERROR"
    assert "DTD" in summary.description
    assert not Result.objects.exists()


def test_a_file_over_the_size_limit_is_refused(world, settings):
    mapped(world)
    settings.DHIS2_IMPORT_MAX_BYTES = 1000
    data = data_value_set(*[hw1(f"2024Q{q}") for q in (1, 2, 3, 4)] * 10)
    summary = run(world, data, "json")
    assert summary.status == "ERROR"
    assert "larger" in summary.description
    assert not Result.objects.exists()


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (b"{not json", "json"),
        (b"<dataValueSet><dataValue", "xml"),
        (b"\xff\xfe\x00bad", "csv"),
        (b"<other/>", "adx"),
    ],
)
def test_broken_files_are_refused_with_a_reason(world, data, fmt):
    mapped(world)
    summary = run(world, data, fmt)
    assert summary.status == "ERROR"
    assert summary.description
    assert not Result.objects.exists()


def test_import_record_and_audit_for_an_upload(client, world):
    mapped(world)
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.manager)
    response = client.post(
        f"/interop/dhis2/{world.programme.uuid}/import/",
        {
            "file": SimpleUploadedFile("values.json", data_value_set(hw1())),
            "format": "auto",
            "mode": "atomic",
        },
    )
    assert response.status_code == 200
    assert b"1 imported" in response.content
    record = Dhis2Import.objects.get()
    assert record.summary["importCount"]["imported"] == 1
    assert AuditEvent.objects.filter(target_id=str(record.pk), reason="DHIS2 import").exists()


def test_conflicts_are_counted_among_the_ignored_in_the_page_the_api_and_the_import_log(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from twinning.accounts.services import api_token_create

    mapped(world)
    data = data_value_set(hw1(), hw1("2024Q2", "-3"), {**hw1("2024Q3"), "dataElement": "unknownDE01"})
    client.force_login(world.manager)
    response = client.post(
        f"/interop/dhis2/{world.programme.uuid}/import/",
        {"file": SimpleUploadedFile("values.json", data), "format": "auto", "mode": "per_value"},
    )
    assert response.status_code == 200
    assert "Ignored: 2 (2 with a conflict)." in response.content.decode()
    record = Dhis2Import.objects.get()
    assert record.summary["importCount"] == {"imported": 1, "updated": 0, "ignored": 2, "deleted": 0}
    event = AuditEvent.objects.get(target_id=str(record.pk), reason="DHIS2 import")
    assert event.changes["ignored"] == [None, 2]
    assert "Ignored: 2 (2 with a conflict)." in event.changes["summary"][1]
    _t, raw = api_token_create(actor=world.manager, user=world.manager, name="t")
    response = client.post(
        f"/api/v1/interop/dhis2/programmes/{world.programme.uuid}/import?format=json&dryRun=true",
        {"file": SimpleUploadedFile("v.json", data)},
        headers={"Authorization": f"Bearer {raw}"},
    )
    answer = response.json()
    assert answer["importCount"]["ignored"] == 3 and answer["totalConflicts"] == 2
    assert "Ignored: 3 (2 with a conflict)." in answer["description"]


def test_the_ignored_count_is_said_in_the_readers_language(world):
    from django.utils import translation

    mapped(world)
    data = data_value_set(hw1(), {**hw1("2024Q3"), "dataElement": "unknownDE01"})
    with translation.override("fr"):
        summary = run(world, data, "json")
    assert "Ignorées\u00a0: 2 (1 avec un conflit)." in summary.description


def test_api_import_answers_dhis2s_summary_and_refuses_readers(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from twinning.accounts.services import api_token_create

    mapped(world)
    url = f"/api/v1/interop/dhis2/programmes/{world.programme.uuid}/import?format=json&dryRun=true"
    _t, raw = api_token_create(actor=world.manager, user=world.manager, name="t")
    response = client.post(
        url,
        {"file": SimpleUploadedFile("v.json", data_value_set(hw1()))},
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["importCount"]["imported"] == 1
    assert response.json()["importOptions"]["dryRun"] is True
    assert not Result.objects.exists()
    _t, viewer = api_token_create(actor=world.programme_viewer, user=world.programme_viewer, name="t")
    response = client.post(
        url,
        {"file": SimpleUploadedFile("v.json", data_value_set(hw1()))},
        headers={"Authorization": f"Bearer {viewer}"},
    )
    assert response.status_code == 403
    _t, outsider = api_token_create(actor=world.outsider, user=world.outsider, name="t")
    response = client.post(
        url,
        {"file": SimpleUploadedFile("v.json", data_value_set(hw1()))},
        headers={"Authorization": f"Bearer {outsider}"},
    )
    assert response.status_code == 404


def test_a_large_file_runs_in_the_background_with_its_summary_recorded(client, world, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from twinning.interop.dhis2 import jobs

    mapped(world)
    monkeypatch.setattr(jobs, "INLINE_BYTES", 10)
    client.force_login(world.manager)
    response = client.post(
        f"/interop/dhis2/{world.programme.uuid}/import/",
        {
            "file": SimpleUploadedFile("values.json", data_value_set(hw1())),
            "format": "json",
            "mode": "atomic",
        },
    )
    assert response.status_code == 302
    record = Dhis2Import.objects.get()
    # The test settings run tasks at once (immediate backend) when the request commits.
    record.refresh_from_db()
    if record.status == Dhis2Import.Status.QUEUED:
        jobs.import_run(record.pk)
        record.refresh_from_db()
    assert record.status == Dhis2Import.Status.DONE
    assert record.summary["importCount"]["imported"] == 1
    assert Result.objects.get().value == Decimal("12")
    page = client.get(response["Location"])
    assert b"1 imported" in page.content
    client.force_login(world.outsider)
    assert client.get(response["Location"]).status_code == 404


def test_the_import_page_starts_with_a_dry_run(client, world):
    import re

    mapped(world)
    client.force_login(world.manager)
    page = client.get(f"/interop/dhis2/{world.programme.uuid}/import/").content.decode()
    box = re.search(r'<input[^>]*name="dry_run"[^>]*>', page)
    assert box is not None and "checked" in box.group(0)


def test_russian_calls_a_dhis2_value_znachenie_and_money_stoimost():
    from django.utils import translation
    from django.utils.translation import gettext, pgettext

    with translation.override("ru"):
        assert gettext("Value") == "Значение"
        assert pgettext("money", "Value") == "Стоимость"


# --- importStrategy=DELETE -----------------------------------------------------------------------------------


def test_delete_strategy_deletes_the_results_the_file_names_through_the_results_service(world):
    x = mapped(world)
    enter(world, x)
    female = Result.objects.get(indicator=x.m.trained.indicator, period="2024Q2", option=x.female)
    data = data_value_set(
        hw1("2024Q2", "999"), hw1("2024Q2", "", categoryOptionCombo=x.female.dhis2_category_option_combo)
    )
    summary = run(world, data, "json", strategy="DELETE")
    assert (summary.status, summary.deleted, summary.ignored, summary.imported) == ("SUCCESS", 2, 0, 0)
    assert summary.as_dhis2()["importCount"]["deleted"] == 2
    assert summary.as_dhis2()["importOptions"]["importStrategy"] == "DELETE"
    assert "2 deleted" in summary.description
    assert not Result.objects.filter(indicator=x.m.trained.indicator, period="2024Q2").exists()
    assert Result.objects.filter(indicator=x.m.trained.indicator, period="2024Q1").count() == 2
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DELETE, target_id=str(female.pk)).exists()
    again = run(world, data, "json", strategy="DELETE")
    assert (again.status, again.deleted, again.ignored) == ("SUCCESS", 0, 2)


def test_delete_strategy_never_deletes_an_approved_or_submitted_value(world):
    x = mapped(world)
    enter(world, x)
    approve(world, "2024Q1")
    PeriodReport.objects.filter(partnership=world.partnership, period="2024Q2").update(
        status=PeriodReport.Status.SUBMITTED
    )
    before = values(world)
    data = data_value_set(hw1("2024Q1"), hw1("2024Q2"))
    summary = run(world, data, "json", strategy="DELETE")
    assert (summary.status, summary.deleted, summary.conflict_count) == ("ERROR", 0, 2)
    assert "approved and locked" in summary.conflicts[0].value
    assert "submitted" in summary.conflicts[1].value
    summary = run(world, data, "json", strategy="DELETE", atomic=False)
    assert (summary.status, summary.deleted, summary.ignored, summary.conflict_count) == ("WARNING", 0, 2, 2)
    assert values(world) == before


def test_delete_strategy_in_atomic_mode_deletes_nothing_when_one_value_is_refused(world):
    x = mapped(world)
    enter(world, x)
    approve(world, "2024Q1")
    summary = run(world, data_value_set(hw1("2024Q2"), hw1("2024Q1")), "json", strategy="DELETE")
    assert (summary.status, summary.deleted, summary.ignored) == ("ERROR", 0, 2)
    assert "Ignored: 2 (1 with a conflict)." in summary.description
    assert Result.objects.filter(indicator=x.m.trained.indicator, period="2024Q2", option=None).exists()
    dry = run(world, data_value_set(hw1("2024Q2")), "json", strategy="DELETE", dry_run=True)
    assert (dry.status, dry.deleted) == ("SUCCESS", 1)
    assert Result.objects.filter(indicator=x.m.trained.indicator, period="2024Q2", option=None).exists()


def test_delete_strategy_needs_data_entry_rights(world):
    x = mapped(world)
    enter(world, x)
    with pytest.raises(PermissionDenied):
        run(world, data_value_set(hw1("2024Q2")), "json", user=world.partnership_viewer, strategy="DELETE")
    assert Result.objects.filter(indicator=x.m.trained.indicator, period="2024Q2", option=None).exists()


def test_an_import_strategy_twinning_does_not_support_is_refused_with_a_reason(world):
    mapped(world)
    summary = run(world, data_value_set(hw1()), "json", strategy="NEW_AND_UPDATES")
    assert summary.status == "ERROR"
    assert "CREATE_AND_UPDATE or DELETE" in summary.description
    assert not Result.objects.exists()


def test_the_api_and_the_page_delete_with_import_strategy_delete(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from twinning.accounts.services import api_token_create

    x = mapped(world)
    enter(world, x)
    _t, raw = api_token_create(actor=world.manager, user=world.manager, name="t")
    response = client.post(
        f"/api/v1/interop/dhis2/programmes/{world.programme.uuid}/import?format=json&importStrategy=DELETE",
        {"file": SimpleUploadedFile("v.json", data_value_set(hw1("2024Q2")))},
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["importCount"]["deleted"] == 1
    client.force_login(world.manager)

    def delete_through_the_page():
        return client.post(
            f"/interop/dhis2/{world.programme.uuid}/import/",
            {
                "file": SimpleUploadedFile("values.json", data_value_set(hw1("2024Q1"))),
                "format": "auto",
                "mode": "atomic",
                "strategy": "DELETE",
            },
        )

    response = delete_through_the_page()
    assert response.status_code == 200
    assert "1 deleted" in response.content.decode()
    assert not Result.objects.filter(
        indicator=x.m.trained.indicator, option=None, period__in=["2024Q1", "2024Q2"]
    ).exists()
    response = delete_through_the_page()
    assert response.status_code == 200
    assert "Nothing changed: none of the file&#x27;s values is recorded" in response.content.decode()
    assert "0 deleted" not in response.content.decode()


@pytest.mark.parametrize(
    ("scope", "reader", "writer"),
    [("programmes", "finance", "manager"), ("partnerships", "partnership_viewer", "member")],
)
def test_an_api_import_without_a_file_answers_403_to_a_reader_and_422_to_who_may_import(
    client, world, scope, reader, writer
):
    # django-ninja refuses the request before the view runs; the answer still follows who may import here.
    from twinning.accounts.services import api_token_create

    target = world.programme if scope == "programmes" else world.partnership
    url = f"/api/v1/interop/dhis2/{scope}/{target.uuid}/import?format=json"
    for who, status in ((reader, 403), (writer, 422)):
        user = getattr(world, who)
        _t, raw = api_token_create(actor=user, user=user, name="t")
        response = client.post(url, {"not-a-file": "x"}, headers={"Authorization": f"Bearer {raw}"})
        assert response.status_code == status, (who, response.content)
    assert not Dhis2Import.objects.exists()


def test_new_text_for_a_qualitative_result_keeps_its_score(world):
    """A DHIS2 value is a qualitative result's text alone (fresh tester, issue 14: the score was cleared, and the
    unchanged text of a locked period was refused)."""
    x = mapped(world)
    enter(world, x)
    exported = json.loads(
        "".join(export_stream(world.manager, ExportScope(programme=world.programme), "json"))
    )
    story = next(v for v in exported["dataValues"] if v["dataElement"] == STORY)
    story["value"] = "Midwives now lead the drills"
    summary = run(world, json.dumps(exported).encode(), "json")
    assert (summary.status, summary.updated, summary.conflict_count) == ("SUCCESS", 1, 0), summary.conflicts
    stored = Result.objects.get(indicator=x.m.story.indicator)
    assert (stored.text, stored.score) == ("Midwives now lead the drills", Decimal(4))


def test_an_import_that_changes_nothing_says_so_and_why_not_zero_imported(world):
    example_world(world)
    data = (EXAMPLES / "dataValueSetB.csv").read_bytes()
    assert run(world, data, "csv").description.startswith("12 imported, 0 updated, 0 deleted.")
    dry = run(world, data, "csv", dry_run=True)
    assert (dry.imported, dry.updated, dry.deleted, dry.ignored) == (0, 0, 0, 12)
    assert dry.description == (
        "Importing this file would change nothing: every value in it is already recorded. "
        "Ignored: 12 (0 with a conflict)."
    )
    again = run(world, data, "csv")
    assert again.status == "SUCCESS"
    assert again.description == (
        "Nothing changed: every value in the file is already recorded. Ignored: 12 (0 with a conflict)."
    )


def test_the_page_says_a_second_upload_changed_nothing(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    mapped(world)
    client.force_login(world.manager)
    url = f"/interop/dhis2/{world.programme.uuid}/import/"
    form = {"format": "auto", "mode": "atomic"}
    first = client.post(url, {"file": SimpleUploadedFile("values.json", data_value_set(hw1())), **form})
    assert b"1 imported, 0 updated, 0 deleted." in first.content
    again = client.post(url, {"file": SimpleUploadedFile("values.json", data_value_set(hw1())), **form})
    assert again.status_code == 200
    assert b"Nothing changed: every value in the file is already recorded." in again.content
    assert b"0 imported" not in again.content


def test_a_dhis2_csv_with_a_quote_never_closed_is_refused_and_writes_nothing(world):
    example_world(world)
    data = (EXAMPLES / "dataValueSetB.csv").read_bytes() + b'"A","201201","OU","""unterminated\n'
    summary = run(world, data, "csv")
    assert summary.status == "ERROR"
    assert "not a UTF-8 CSV file" in " ".join(str(c.value) for c in summary.conflicts) + str(
        summary.description
    )
    assert not Result.objects.exists()
