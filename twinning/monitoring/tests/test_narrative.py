"""A period report's narrative (achievements, challenges, next steps): coordinators and programme editors write it
while the report is a draft or returned; readers see it once the period is approved (issue 14)."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from twinning.accounts.services import api_token_create
from twinning.audit.models import AuditEvent
from twinning.core.services import VersionConflict
from twinning.monitoring import services
from twinning.monitoring.models import NARRATIVE_MAX, PeriodReport
from twinning.monitoring.tests.factories import monitored

pytestmark = pytest.mark.django_db


def write(world, who=None, period="2024Q1", version=None, **data):
    return services.report_narrative_save(
        actor=who or world.coordinator,
        partnership=world.partnership,
        period=period,
        data=data or {"achievements": "Trained 40 midwives"},
        expected_version=version,
    )


def test_coordinator_writes_the_narrative_creating_the_draft_report_with_an_audit_row(world):
    monitored(world)
    report = write(world, achievements="  Trained 40 midwives ", challenges="Floods", next_steps="Audit")
    assert (report.achievements, report.challenges, report.next_steps) == (
        "Trained 40 midwives",
        "Floods",
        "Audit",
    )
    assert report.status == PeriodReport.Status.DRAFT
    event = AuditEvent.objects.for_object(report).get(action="update")
    assert event.changes["achievements"] == ["", "Trained 40 midwives"]


@pytest.mark.parametrize("role", ["resource_coordinator", "manager", "me_officer", "admin"])
def test_other_writers_of_the_partnership_write_it(world, role):
    monitored(world)
    assert write(world, who=getattr(world, role)).achievements == "Trained 40 midwives"


@pytest.mark.parametrize("role", ["member", "partnership_viewer", "programme_viewer", "finance"])
def test_members_and_readers_may_not_write_it(world, role):
    monitored(world)
    with pytest.raises(PermissionDenied):
        write(world, who=getattr(world, role))
    assert not PeriodReport.objects.exists()


def test_an_approved_or_submitted_report_keeps_its_narrative(world):
    m = monitored(world)
    services.result_save(
        actor=world.member, plan_indicator=m.trained, period="2024Q1", values={"value": Decimal(3)}
    )
    report = services.report_submit(actor=world.member, partnership=world.partnership, period="2024Q1")
    with pytest.raises(ValidationError):
        write(world)
    services.report_approve(actor=world.manager, report=report)
    with pytest.raises(ValidationError):
        write(world)
    assert PeriodReport.objects.get().achievements == ""


def test_a_stale_version_is_a_conflict_and_unknown_fields_a_type_error(world):
    monitored(world)
    report = write(world)
    write(world, version=report.version, challenges="Floods")
    with pytest.raises(VersionConflict):
        write(world, version=report.version, next_steps="Late")
    with pytest.raises(TypeError):
        write(world, summary="x")


def test_too_long_or_nul_text_is_refused(world):
    monitored(world)
    with pytest.raises(ValidationError) as exc:
        write(world, achievements="x" * (NARRATIVE_MAX + 1))
    assert "achievements" in exc.value.message_dict
    with pytest.raises(ValidationError):
        write(world, challenges="a\x00b")


# --- the entry page -------------------------------------------------------------------------------------


def url(world, period="2024Q1", name="narrative"):
    return reverse(f"monitoring:{name}", args=[world.partnership.uuid, period])


def test_the_entry_page_offers_the_narrative_form_and_saves_it(client, world):
    monitored(world)
    client.force_login(world.coordinator)
    page = client.get(url(world, name="entry"))
    assert b'id="narrative"' in page.content and b"save-narrative" in page.content
    response = client.post(url(world), {"achievements": "Two wards", "challenges": "", "next_steps": "More"})
    assert response.status_code == 302
    report = PeriodReport.objects.get()
    assert report.achievements == "Two wards"
    page = client.get(url(world, name="entry"))
    assert "Two wards" in page.content.decode()


def test_the_member_sees_no_form_and_is_refused(client, world):
    monitored(world)
    write(world, achievements="Two wards")
    client.force_login(world.member)
    page = client.get(url(world, name="entry")).content.decode()
    assert "save-narrative" not in page and "Two wards" in page
    assert client.post(url(world), {"achievements": "x"}).status_code == 403


def test_outsider_gets_404(client, world):
    monitored(world)
    client.force_login(world.outsider)
    assert client.post(url(world), {"achievements": "x"}).status_code == 404


def test_a_refused_narrative_comes_back_with_what_was_typed(client, world):
    monitored(world)
    client.force_login(world.coordinator)
    response = client.post(url(world), {"achievements": "y" * (NARRATIVE_MAX + 5)})
    assert response.status_code == 400
    assert not PeriodReport.objects.exists()


# --- the API --------------------------------------------------------------------------------------------


def auth(user):
    _token, raw = api_token_create(actor=user, user=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def api(world, period="2024Q1"):
    return f"/api/v1/monitoring/reports/{world.partnership.uuid}/{period}/narrative"


def test_api_writes_and_reads_the_narrative(client, world):
    monitored(world)
    headers = auth(world.coordinator)
    response = client.patch(api(world), {"challenges": "Floods"}, content_type="application/json", **headers)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["challenges"] == "Floods" and body["version"] >= 1
    response = client.patch(
        api(world),
        {"next_steps": "x", "version": body["version"] + 5},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 409
    assert client.get(api(world), **headers).json()["next_steps"] == ""


def test_api_refuses_members_and_hides_unapproved_narratives_from_readers(client, world):
    monitored(world)
    write(world, achievements="Secret draft")
    response = client.patch(
        api(world), {"challenges": "x"}, content_type="application/json", **auth(world.member)
    )
    assert response.status_code == 403
    assert client.get(api(world), **auth(world.programme_viewer)).status_code == 403
    assert client.get(api(world), **auth(world.outsider)).status_code == 404
