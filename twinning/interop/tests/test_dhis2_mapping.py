"""The DHIS2 mapping page and service: set, check, audit; editors only."""

import html
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from twinning.audit.models import AuditEvent
from twinning.interop.dhis2 import mapping
from twinning.planning.tests.factories import common_indicator, sex
from twinning.testing.factories import InstitutionFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


def objects(world):
    indicator = common_indicator(world.manager, world.programme, "HW1")
    category = sex(world.manager, world.programme)
    female = category.options.get(code="female")
    host = world.partnership.side_links.get(side="host").institution
    return indicator, female, host


def url(world) -> str:
    return f"/interop/dhis2/{world.programme.uuid}/mapping/"


def test_editor_sets_every_kind_of_identifier_and_each_change_is_audited(client, world):
    indicator, female, host = objects(world)
    client.force_login(world.me_officer)
    data = {
        mapping.PROGRAMME_KEY: "aOcProgram1",
        mapping.DATA_SET_KEY: "pBOMPrpg1QX",
        mapping.partnership_key(world.partnership): "aOcPartner1",
        mapping.institution_key(host): "DiszpKrYNg8",
        mapping.indicator_key(indicator, "uid"): "f7n9E0hX8qk",
        mapping.indicator_key(indicator, "code"): "DE_HW1",
        mapping.option_key(female): "fEmaleCoc01",
    }
    before = AuditEvent.objects.count()
    response = client.post(url(world), data)
    assert response.status_code == 302
    indicator.refresh_from_db()
    female.refresh_from_db()
    host.refresh_from_db()
    world.partnership.refresh_from_db()
    world.programme.refresh_from_db()
    assert (indicator.dhis2_data_element, indicator.dhis2_data_element_code) == ("f7n9E0hX8qk", "DE_HW1")
    assert female.dhis2_category_option_combo == "fEmaleCoc01"
    assert host.dhis2_org_unit == "DiszpKrYNg8"
    assert world.partnership.dhis2_attribute_option_combo == "aOcPartner1"
    assert (world.programme.dhis2_attribute_option_combo, world.programme.dhis2_data_set) == (
        "aOcProgram1",
        "pBOMPrpg1QX",
    )
    assert AuditEvent.objects.count() - before == 5  # one per object changed
    page = client.get(url(world))
    assert b"f7n9E0hX8qk" in page.content and b"DE_HW1" in page.content


@pytest.mark.parametrize("bad", ["short", "1abcdefghij", "abcdefghij!", "abcdefghijkl"])
def test_a_malformed_uid_is_refused_and_nothing_is_saved(client, world, bad):
    indicator, _female, host = objects(world)
    client.force_login(world.manager)
    response = client.post(
        url(world),
        {mapping.indicator_key(indicator, "uid"): "f7n9E0hX8qk", mapping.institution_key(host): bad},
    )
    assert response.status_code == 400
    assert b"is not a DHIS2 identifier" in response.content
    indicator.refresh_from_db()
    assert indicator.dhis2_data_element == ""


def test_an_identifier_used_twice_in_the_programme_is_refused(world):
    indicator, female, _host = objects(world)
    other = common_indicator(world.manager, world.programme, "HW2")
    male = female.category.options.get(code="male")
    second = PartnershipFactory(programme=world.programme)
    with pytest.raises(ValidationError) as caught:
        mapping.dhis2_mapping_update(
            actor=world.manager,
            programme=world.programme,
            values={
                mapping.indicator_key(indicator, "uid"): "f7n9E0hX8qk",
                mapping.indicator_key(other, "uid"): "f7n9E0hX8qk",
                mapping.option_key(female): "fEmaleCoc01",
                mapping.option_key(male): "fEmaleCoc01",
                mapping.partnership_key(second): "aOcPartner1",
                mapping.PROGRAMME_KEY: "aOcPartner1",
            },
        )
    assert set(caught.value.message_dict) == {
        mapping.indicator_key(indicator, "uid"),
        mapping.indicator_key(other, "uid"),
        mapping.option_key(female),
        mapping.option_key(male),
        mapping.partnership_key(second),
        mapping.PROGRAMME_KEY,
    }


def test_an_org_unit_of_another_institution_is_refused(world):
    _indicator, _female, host = objects(world)
    InstitutionFactory(dhis2_org_unit="DiszpKrYNg8")
    with pytest.raises(ValidationError) as caught:
        mapping.dhis2_mapping_update(
            actor=world.manager,
            programme=world.programme,
            values={mapping.institution_key(host): "DiszpKrYNg8"},
        )
    assert mapping.institution_key(host) in caught.value.message_dict


def test_problems_name_what_keeps_values_out(world):
    indicator, _female, _host = objects(world)
    problems = " ".join(mapping.dhis2_mapping(world.programme).problems)
    assert f"HW1 ({indicator.name})" in problems  # named, not a bare code
    assert world.partnership.title in problems


def test_viewer_and_finance_get_403_outsider_404(client, world):
    objects(world)
    for user, status in ((world.programme_viewer, 403), (world.finance, 403), (world.outsider, 404)):
        client.force_login(user)
        assert client.get(url(world)).status_code == status
        assert client.post(url(world), {mapping.PROGRAMME_KEY: "aOcProgram1"}).status_code == status
    with pytest.raises(PermissionDenied):
        mapping.dhis2_mapping_update(
            actor=world.coordinator, programme=world.programme, values={mapping.PROGRAMME_KEY: "aOcProgram1"}
        )
    world.programme.refresh_from_db()
    assert world.programme.dhis2_attribute_option_combo == ""


def test_mapping_page_queries_do_not_grow_with_the_programme(client, world):
    objects(world)
    client.force_login(world.manager)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(world)).status_code == 200
        return len(queries)

    small = count()
    for _n in range(5):
        PartnershipFactory(programme=world.programme)
        common_indicator(world.manager, world.programme, f"X{_n}")
    assert count() == small


def form_of(page: bytes) -> dict[str, str]:
    """Every input of the mapping form as the page gives it (the visible values and the hidden ones)."""
    return {
        name: html.unescape(value)
        for name, value in re.findall(r'<input[^>]*?name="([^"]+)" value="([^"]*)"', page.decode())
        if name != "csrfmiddlewaretoken"
    }


def test_two_editors_saving_different_identifiers_keep_both(client, world):
    indicator, _female, host = objects(world)
    client.force_login(world.manager)
    first = form_of(client.get(url(world)).content)
    second = dict(first)  # a second editor opened the page at the same time
    first[mapping.indicator_key(indicator, "uid")] = "f7n9E0hX8qk"
    assert client.post(url(world), first).status_code == 302
    second[mapping.institution_key(host)] = "DiszpKrYNg8"
    assert client.post(url(world), second).status_code == 302
    indicator.refresh_from_db()
    host.refresh_from_db()
    assert indicator.dhis2_data_element == "f7n9E0hX8qk"  # the second save did not put the old blank back
    assert host.dhis2_org_unit == "DiszpKrYNg8"


def test_a_stale_save_of_the_same_identifier_is_refused_with_nothing_lost(client, world):
    indicator, _female, host = objects(world)
    client.force_login(world.manager)
    key = mapping.indicator_key(indicator, "uid")
    first = form_of(client.get(url(world)).content)
    second = dict(first)
    first[key] = "f7n9E0hX8qk"
    assert client.post(url(world), first).status_code == 302
    second[key] = "Ix2HsbDMLea"
    second[mapping.institution_key(host)] = "DiszpKrYNg8"
    before = AuditEvent.objects.count()
    response = client.post(url(world), second)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Someone else changed this to “f7n9E0hX8qk”" in html.unescape(page)
    indicator.refresh_from_db()
    host.refresh_from_db()
    assert indicator.dhis2_data_element == "f7n9E0hX8qk" and host.dhis2_org_unit == ""  # nothing saved
    assert AuditEvent.objects.count() == before
    again = form_of(response.content)
    assert again[key] == "Ix2HsbDMLea" and again[mapping.institution_key(host)] == "DiszpKrYNg8"  # kept
    # Saving again, having seen the other value, is deliberate: it is saved.
    assert client.post(url(world), again).status_code == 302
    indicator.refresh_from_db()
    assert indicator.dhis2_data_element == "Ix2HsbDMLea"


def test_the_service_refuses_a_stale_seen_value(world):
    indicator, _female, _host = objects(world)
    key = mapping.indicator_key(indicator, "uid")
    mapping.dhis2_mapping_update(actor=world.manager, programme=world.programme, values={key: "f7n9E0hX8qk"})
    with pytest.raises(ValidationError) as refused:
        mapping.dhis2_mapping_update(
            actor=world.manager, programme=world.programme, values={key: "Ix2HsbDMLea"}, seen={key: ""}
        )
    assert key in refused.value.message_dict
