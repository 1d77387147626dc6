import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from lxml import etree

from twinning.accounts.services import api_token_create
from twinning.audit.models import AuditEvent
from twinning.interop.iati.collect import collect
from twinning.interop.iati.export import build_document, number
from twinning.interop.iati.rules import check, ruleset_problems, schema_problems
from twinning.interop.tests.iati_factories import ORG, approve, funded, parse, with_org
from twinning.knowledge.models import Practice
from twinning.knowledge.tests.factories import PracticeFactory
from twinning.monitoring import services as monitoring
from twinning.monitoring.tests.factories import monitored
from twinning.partnerships.models import Partnership
from twinning.planning.models import PlanIndicator, Target
from twinning.planning.tests.factories import common_indicator
from twinning.testing.factories import InstitutionFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


def export(world, partnerships=None):
    return build_document(collect(world.programme, partnerships or Partnership.objects.all()))


def activity_of(root, partnership):
    return root.xpath(f"iati-activity[iati-identifier='{ORG}-{partnership.uuid}']")[0]


def test_a_partnership_with_approved_results_and_two_currencies_passes_the_schema_and_the_rules(world):
    with_org(world)
    m = monitored(world)
    approve(world, m, "2024Q1", {"total": Decimal("12"), "female": Decimal("7")})
    monitoring.result_save(
        actor=world.coordinator, plan_indicator=m.trained, period="2024Q2", values={"value": Decimal("99")}
    )
    funded(world)
    root = export(world)
    assert check(root) == []
    activity = activity_of(root, world.partnership)
    indicator = activity.xpath("result/indicator[reference/@code='HW1']")[0]
    q1 = indicator.xpath("period[period-start/@iso-date='2024-01-01']")[0]
    assert q1.xpath("period-end/@iso-date") == ["2024-03-31"]
    assert q1.xpath("target[not(dimension)]/@value") == ["10"]
    assert q1.xpath("actual[not(dimension)]/@value") == ["12"]
    assert q1.xpath("actual[dimension/@value='Female']/@value") == ["7"]
    # Q2 was entered but never approved: its target is exported, its value is not.
    q2 = indicator.xpath("period[period-start/@iso-date='2024-04-01']")[0]
    assert q2.xpath("actual") == []
    assert sorted(activity.xpath("transaction/value/@currency")) == ["EUR", "USD"]
    # Budgets are in the reporting currency: 100,000 USD in 2024, 50,000 EUR x 1.1 over mid-2024 to mid-2025.
    values = {
        b.find("period-start").get("iso-date")[:4]: Decimal(b.findtext("value"))
        for b in activity.iter("budget")
    }
    assert values["2024"] + values["2025"] == Decimal("155000.00")
    assert {o.findtext("narrative") for o in activity.xpath("participating-org[@role='1']")} == {
        "Fondation Santé Bien-être",
        "Global Health Fund",
    }


def test_each_side_is_a_participating_organisation_with_its_side(world):
    with_org(world)
    host = world.partnership.side_links.get(side="host").institution
    host.iati_org_id = "UG-NGB-12345"
    host.save()
    activity = activity_of(export(world), world.partnership)
    orgs = activity.xpath("participating-org[@role='4']")
    sides = {o.findtext("narrative"): o.get("{https://twinning.health/ns/iati/1}side") for o in orgs}
    assert sides[host.name] == "host"
    assert "resource" in sides.values()
    assert activity.xpath("participating-org[@ref='UG-NGB-12345']/@role") == ["4"]
    assert activity.xpath("recipient-country/@code") == ["UG"]


def test_a_partnership_without_a_plan_or_money_still_passes(world):
    with_org(world)
    root = export(world)
    assert check(root) == []
    activity = activity_of(root, world.partnership)
    assert activity.xpath("result") == []
    assert activity.xpath("sector/@code") == ["12110"]
    assert activity.xpath("activity-status/@code") == ["1"]


def test_non_ascii_names_are_written_as_they_are(world):
    with_org(world)
    world.partnership.title = "Partenariat Mbarara–Besançon: santé maternelle 母婴"
    world.partnership.save()
    content = etree.tostring(export(world), encoding="UTF-8")
    root = parse(content)
    assert check(root) == []
    assert activity_of(root, world.partnership).findtext("title/narrative") == world.partnership.title


def test_many_periods_and_a_coarser_target_never_overlap(world):
    with_org(world)
    m = monitored(world)
    monthly = common_indicator(world.manager, world.programme, "MON", frequency="monthly")
    # Written to the models: the plan is agreed, and the test needs three years of monthly targets at once.
    adoption = PlanIndicator.objects.create(plan=m.plan, objective=m.trained.objective, indicator=monthly)
    Target.objects.bulk_create(
        Target(plan_indicator=adoption, period=f"{year}{month:02d}", value=Decimal(month))
        for year in (2024, 2025, 2026)
        for month in range(1, 13)
    )
    # A yearly target of the quarterly indicator overlaps its quarters: the quarters are kept.
    Target.objects.create(plan_indicator=m.trained, period="2024", value=Decimal("40"))
    root = export(world)
    assert check(root) == []
    activity = activity_of(root, world.partnership)
    assert len(activity.xpath("result/indicator[reference/@code='MON']/period")) == 36
    assert len(activity.xpath("result/indicator[reference/@code='HW1']/period")) == 4


def test_stage_maps_to_the_activity_status(world):
    with_org(world)
    for stage, code in (("implementation", "2"), ("transition", "3"), ("graduated", "4")):
        Partnership.objects.filter(pk=world.partnership.pk).update(stage=stage)
        assert activity_of(export(world), world.partnership).xpath("activity-status/@code") == [code]


def test_the_rules_find_what_the_schema_cannot_with_the_elements_path():
    bad = b"""<iati-activities version="2.03"><iati-activity default-currency="XXX">
      <iati-identifier>AA-1</iati-identifier><reporting-org ref="BB-2" type="21"><narrative>x</narrative></reporting-org>
      <activity-date type="1" iso-date="2025-01-01"/><activity-date type="3" iso-date="2024-01-01"/>
      <activity-date type="2" iso-date="2999-01-01"/>
      <recipient-country code="UG" percentage="60"/><recipient-country code="ZZ" percentage="30"/>
      <sector vocabulary="1" code="12110" percentage="50"/><sector vocabulary="1" code="99999" percentage="50"/>
      <budget type="1"><period-start iso-date="2024-01-01"/><period-end iso-date="2025-06-30"/></budget>
      <budget type="1"><period-start iso-date="2024-06-01"/><period-end iso-date="2024-12-31"/></budget>
      <result type="2"><indicator measure="1"><period><period-start iso-date="2024-01-01"/>
        <period-end iso-date="2024-06-30"/></period><period><period-start iso-date="2024-04-01"/>
        <period-end iso-date="2024-09-30"/></period></indicator></result>
    </iati-activity></iati-activities>"""
    problems = ruleset_problems(parse(bad), today=datetime.date(2026, 1, 1))
    paths = {p.path for p in problems}
    messages = " ".join(p.message for p in problems)
    assert "should start with the reporting organisation" in messages
    assert "/iati-activities/iati-activity/activity-date[2]" in paths  # ends before it starts
    assert "/iati-activities/iati-activity/activity-date[3]" in paths  # actual date in the future
    assert "add up to 90" in messages
    assert "“ZZ” is not a code of IATI's Country codelist" in messages
    assert "“99999”" in messages and "“XXX”" in messages
    assert "/iati-activities/iati-activity/budget[1]" in paths  # longer than a year
    assert "/iati-activities/iati-activity/budget[2]" in paths  # overlaps the first
    assert "/iati-activities/iati-activity/result/indicator/period[2]" in paths
    assert schema_problems(parse(bad))  # and the schema refuses it too (no title, no description...)


def test_numbers_are_written_plainly():
    assert number(Decimal("12.5000")) == "12.5"
    assert number(Decimal("3.0000")) == "3"
    assert number(Decimal("1E+3")) == "1000"
    assert number(Decimal("-0.0000")) == "0"


# --- pages and API ---------------------------------------------------------------------------------


def test_the_programme_page_says_the_file_passes_and_downloads_it(client, world):
    with_org(world)
    monitored(world)
    client.force_login(world.programme_viewer)
    page = client.get(f"/interop/iati/programme/{world.programme.uuid}/")
    assert page.status_code == 200
    assert b'id="checks-passed"' in page.content
    assert b"publication/" not in page.content  # the form is for managers
    response = client.get(f"/interop/iati/programme/{world.programme.uuid}/activities.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert check(parse(response.content)) == []


def test_a_programme_without_an_iati_organisation_asks_for_one(client, world):
    client.force_login(world.manager)
    page = client.get(f"/interop/iati/programme/{world.programme.uuid}/")
    assert page.status_code == 200 and b"Set the programme" in page.content
    response = client.get(f"/interop/iati/programme/{world.programme.uuid}/activities.xml")
    assert response.status_code == 302


def test_outsiders_and_partnership_members_get_404_for_the_programme_file(client, world):
    with_org(world)
    for user in (world.outsider, world.coordinator, world.other_coordinator):
        client.force_login(user)
        assert client.get(f"/interop/iati/programme/{world.programme.uuid}/").status_code == 404
        assert client.get(f"/interop/iati/programme/{world.programme.uuid}/activities.xml").status_code == 404


def test_the_partnership_file_is_for_its_readers_only(client, world):
    with_org(world)
    url = f"/interop/iati/partnership/{world.partnership.uuid}/activity.xml"
    client.force_login(world.partnership_viewer)
    response = client.get(url)
    assert response.status_code == 200
    assert parse(response.content).xpath("count(iati-activity)") == 1
    client.force_login(world.other_coordinator)
    assert client.get(url).status_code == 404


def test_a_manager_publishes_the_file_and_anyone_may_read_it_then(client, world):
    public = f"/interop/iati/public/{world.programme.uuid}/activities.xml"
    assert Client().get(public).status_code == 404
    client.force_login(world.me_officer)
    url = f"/interop/iati/programme/{world.programme.uuid}/publication/"
    data = {"iati_org_id": ORG, "iati_org_type": "21", "published": "on"}
    assert client.post(url, data).status_code == 403
    client.force_login(world.manager)
    refused = client.post(url, {**data, "iati_org_id": ""})
    assert refused.status_code == 400
    assert client.post(url, data).status_code == 302
    world.programme.refresh_from_db()
    assert world.programme.iati_published and world.programme.iati_org_id == ORG
    assert AuditEvent.objects.filter(changes__has_key="iati_published").exists()
    response = Client().get(public)
    assert response.status_code == 200
    assert parse(response.content).xpath("count(iati-activity)") == 1
    assert client.post(url, {**data, "published": ""}).status_code == 302
    assert Client().get(public).status_code == 404


def api(user) -> Client:
    _token, raw = api_token_create(actor=user, user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_the_api_gives_both_files_with_the_same_access(world):
    with_org(world)
    programme = f"/api/v1/interop/iati/programmes/{world.programme.uuid}/activities.xml"
    partnership = f"/api/v1/interop/iati/partnerships/{world.partnership.uuid}/activity.xml"
    assert api(world.finance).get(programme).status_code == 200
    assert api(world.member).get(partnership).status_code == 200
    assert api(world.member).get(programme).status_code == 404
    assert api(world.outsider).get(partnership).status_code == 404
    world.programme.iati_org_id = ""
    world.programme.save()
    assert api(world.finance).get(programme).status_code == 422


def test_the_programme_file_holds_only_partnerships_the_reader_sees(world):
    with_org(world)
    other = PartnershipFactory(programme=world.programme, sides=False)
    other.side_links.create(institution=InstitutionFactory(country="KE"), side="host")
    other.side_links.create(institution=InstitutionFactory(country="GB"), side="resource")
    root = export(world, Partnership.objects.visible_to(world.coordinator))
    assert root.xpath("count(iati-activity)") == 1


def test_publicly_published_practices_are_document_links_and_others_are_not(world):
    with_org(world)
    monitored(world)
    public = PracticeFactory(
        partnership=world.partnership, title="Birth checklist", status=Practice.Status.PUBLIC
    )
    Practice.objects.filter(pk=public.pk).update(
        language="fr", published_at=datetime.datetime(2025, 3, 4, 12, tzinfo=datetime.UTC)
    )
    PracticeFactory(partnership=world.partnership, title="In the programme", status=Practice.Status.PROGRAMME)
    PracticeFactory(partnership=world.partnership, title="Draft", status=Practice.Status.DRAFT)
    root = export(world)
    assert check(root) == []
    (link,) = activity_of(root, world.partnership).xpath("document-link")
    assert link.get("url") == f"{settings.SITE_URL}/practices/{public.uuid}/"
    assert link.get("format") == "text/html"
    assert link.xpath("title/narrative/text()") == ["Birth checklist"]
    assert link.xpath("category/@code") == ["A08"]
    assert link.xpath("language/@code") == ["fr"]
    assert link.xpath("document-date/@iso-date") == ["2025-03-04"]
    # The link is to a page anyone may read.
    assert Client().get(link.get("url").removeprefix(settings.SITE_URL)).status_code == 200


def test_the_export_reads_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    with_org(world)
    monitored(world)
    funded(world)
    for _ in range(5):
        partnership = PartnershipFactory(programme=world.programme)
        PracticeFactory(partnership=partnership, status=Practice.Status.PUBLIC)
    with django_assert_max_num_queries(13):
        root = export(world)
    assert root.xpath("count(iati-activity)") == 6
    assert root.xpath("count(iati-activity/document-link)") == 5
