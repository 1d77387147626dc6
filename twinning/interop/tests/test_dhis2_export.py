"""DHIS2 exports: the four formats hold the same values, named by the mapping; only what the user may see."""

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest

from twinning.interop.dhis2.export import ExportScope, export_counts
from twinning.interop.tests.dhis2_world import (
    AOC,
    FEMALE,
    HW1,
    MDA,
    ORG_UNIT,
    PROT,
    STORY,
    approve,
    enter,
    mapped,
)

pytestmark = pytest.mark.django_db
DXF = "{http://dhis2.org/schema/dxf/2.0}"
ADX = "{urn:ihe:qrph:adx:2015}"


def url(world, fmt="json", **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"format": fmt, **params}.items())
    return f"/interop/dhis2/{world.programme.uuid}/export/?{query}"


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def keyed(values) -> dict:
    return {
        (v["dataElement"], v["period"], v.get("categoryOptionCombo", "")): (v["value"], v.get("comment", ""))
        for v in values
    }


EXPECTED = {
    (HW1, "2024Q1", ""): ("11", ""),
    (HW1, "2024Q1", FEMALE): ("4", ""),
    (HW1, "2024Q2", ""): ("8", ""),
    (HW1, "2024Q2", FEMALE): ("4", ""),
    (MDA, "2024Q1", ""): ("75", ""),
    (MDA, "2024Q2", ""): ("75", ""),
    (PROT, "2024", ""): ("true", "Signed"),
    (STORY, "2024", ""): ("Midwives lead <drills> & more", ""),
}


def test_json_export_names_every_value_by_the_mapping(client, world):
    enter(world, mapped(world))
    client.force_login(world.manager)
    response = client.get(url(world))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    values = json.loads(body(response))["dataValues"]
    assert keyed(values) == EXPECTED
    assert {v["orgUnit"] for v in values} == {ORG_UNIT}
    assert {v["attributeOptionCombo"] for v in values} == {AOC}


def test_xml_and_csv_hold_the_same_values_as_json(client, world):
    enter(world, mapped(world))
    client.force_login(world.manager)
    root = ET.fromstring(body(client.get(url(world, "xml"))))
    assert root.tag == f"{DXF}dataValueSet"
    xml_values = [dict(e.attrib) for e in root.iter(f"{DXF}dataValue")]
    assert keyed(xml_values) == EXPECTED
    rows = list(csv.DictReader(io.StringIO(body(client.get(url(world, "csv"))).decode())))
    csv_values = [
        {
            "dataElement": r["dataelement"],
            "period": r["period"],
            "categoryOptionCombo": r["categoryoptioncombo"],
            "value": r["value"],
            "comment": r["comment"],
        }
        for r in rows
    ]
    assert keyed(csv_values) == EXPECTED


def test_adx_groups_by_org_unit_and_iso_period(client, world):
    enter(world, mapped(world))
    world.programme.dhis2_data_set = "pBOMPrpg1QX"
    world.programme.save()
    client.force_login(world.manager)
    root = ET.fromstring(body(client.get(url(world, "adx"))))
    groups = {g.attrib["period"]: g for g in root.iter(f"{ADX}group")}
    assert set(groups) == {"2024-01-01/P3M", "2024-04-01/P3M", "2024-01-01/P1Y"}
    assert {g.attrib["dataSet"] for g in groups.values()} == {"pBOMPrpg1QX"}
    yearly = {v.attrib["dataElement"]: v for v in groups["2024-01-01/P1Y"]}
    assert yearly[STORY].attrib["value"] == "0"
    assert yearly[STORY].find(f"{ADX}annotation").text == "Midwives lead <drills> & more"
    assert yearly[PROT].attrib["value"] == "true"


def test_filters_choose_partnership_indicator_and_periods(client, world):
    x = mapped(world)
    enter(world, x)
    client.force_login(world.manager)
    response = client.get(url(world, indicator=x.m.trained.indicator.uuid, periods="2024Q2"))
    assert keyed(json.loads(body(response))["dataValues"]) == {
        k: v for k, v in EXPECTED.items() if k[0] == HW1 and k[1] == "2024Q2"
    }


def test_code_scheme_names_data_elements_by_code(client, world):
    enter(world, mapped(world))
    client.force_login(world.manager)
    values = json.loads(body(client.get(url(world, data_element_id_scheme="CODE"))))["dataValues"]
    assert {v["dataElement"] for v in values} == {"DE_HW1", "DE_MDA", "DE_PROT", "DE_STORY"}


def test_unmapped_values_are_left_out_and_counted(world):
    x = mapped(world)
    enter(world, x)
    x.male.dhis2_category_option_combo = ""
    indicator = x.m.deaths.indicator
    indicator.dhis2_data_element = ""
    indicator.save()
    counts = export_counts(world.manager, ExportScope(programme=world.programme))
    assert counts.exported == len(EXPECTED) - 2
    assert counts.left_out == 2


def test_a_reader_exports_approved_periods_only(client, world):
    enter(world, mapped(world))
    approve(world, "2024Q1")
    client.force_login(world.programme_viewer)
    values = json.loads(body(client.get(url(world))))["dataValues"]
    assert {v["period"] for v in values} == {"2024Q1"}


def test_outsider_gets_404_and_bad_period_400(client, world):
    mapped(world)
    client.force_login(world.outsider)
    assert client.get(url(world)).status_code == 404
    client.force_login(world.other_coordinator)
    assert client.get(f"/interop/dhis2/partnership/{world.partnership.uuid}/export/").status_code == 404
    client.force_login(world.manager)
    assert client.get(url(world, periods="2024W01")).status_code == 400


def test_partnership_export_for_its_members(client, world):
    enter(world, mapped(world))
    client.force_login(world.partnership_viewer)
    response = client.get(f"/interop/dhis2/partnership/{world.partnership.uuid}/export/?format=json")
    assert response.status_code == 200
    assert json.loads(body(response))["dataValues"] == []  # nothing approved yet
    approve(world, "2024Q2")
    response = client.get(f"/interop/dhis2/partnership/{world.partnership.uuid}/export/?format=json")
    assert {v["period"] for v in json.loads(body(response))["dataValues"]} == {"2024Q2"}


def test_api_export_streams_the_same_values(client, world):
    from twinning.accounts.services import api_token_create

    enter(world, mapped(world))
    _token, raw = api_token_create(actor=world.manager, user=world.manager, name="t")
    headers = {"Authorization": f"Bearer {raw}"}
    response = client.get(
        f"/api/v1/interop/dhis2/programmes/{world.programme.uuid}/export?format=json", headers=headers
    )
    assert response.status_code == 200
    assert keyed(json.loads(body(response))["dataValues"]) == EXPECTED
    outsider_token = api_token_create(actor=world.outsider, user=world.outsider, name="t")[1]
    response = client.get(
        f"/api/v1/interop/dhis2/programmes/{world.programme.uuid}/export",
        headers={"Authorization": f"Bearer {outsider_token}"},
    )
    assert response.status_code == 404
    response = client.get(
        f"/api/v1/interop/dhis2/programmes/{world.programme.uuid}/export?period=2024W1", headers=headers
    )
    assert response.status_code == 422


def test_export_page_renders_with_bounded_queries(client, world, django_assert_max_num_queries):
    mapped(world)
    client.force_login(world.manager)
    # The page itself takes a fixed number; the navigation's My work adds one per kind of work it counts.
    with django_assert_max_num_queries(22):
        response = client.get(f"/interop/dhis2/{world.programme.uuid}/")
    assert response.status_code == 200


def test_the_download_is_named_after_the_partnership_and_the_period(client, world):
    from django.utils.text import slugify

    enter(world, mapped(world))
    client.force_login(world.manager)
    slug = slugify(world.partnership.title)
    response = client.get(
        f"/interop/dhis2/partnership/{world.partnership.uuid}/export/?format=csv&periods=2024Q2"
    )
    assert f'filename="{slug}-2024q2-dhis2.csv"' in response["Content-Disposition"]
    # From the programme's page, a chosen partnership names the file too; several periods give the first and last.
    response = client.get(
        url(world, fmt="json", partnership=str(world.partnership.uuid), periods="2024Q1 2024Q2 2024Q3")
    )
    assert f'filename="{slug}-2024q1-2024q3-dhis2.json"' in response["Content-Disposition"]
    response = client.get(url(world, fmt="json"))
    assert f'filename="{slugify(world.programme.name)}-dhis2.json"' in response["Content-Disposition"]
