"""What a programme's readers (viewers: donors, ministries, evaluators; and partnership viewers) see of the results
work: approved periods, dashboards of approved results; never the conversation, drafts or (unless the programme
grants it) evidence files. The rule is in twinning/accounts/access.py and docs/ACCESS.md.
"""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from twinning.accounts.access import history_for_user
from twinning.accounts.services import api_token_create
from twinning.monitoring import selectors, services
from twinning.monitoring.models import PeriodReport
from twinning.monitoring.tests.factories import monitored
from twinning.testing.exports import csv_rows

pytestmark = pytest.mark.django_db
READERS = ["programme_viewer", "partnership_viewer"]
INSIDERS = ["manager", "me_officer", "finance", "coordinator", "member"]


def _enter(world, m, period: str, value: str) -> PeriodReport:
    services.result_save(
        actor=world.member, plan_indicator=m.trained, period=period, values={"value": Decimal(value)}
    )
    return PeriodReport.objects.get(partnership=world.partnership, period=period)


def _approve(world, report: PeriodReport) -> PeriodReport:
    report = services.report_submit(actor=world.member, partnership=world.partnership, period=report.period)
    return services.report_approve(actor=world.manager, report=report)


@pytest.fixture
def periods(world):
    """2024Q1 approved (12 trained), with a comment and an evidence file; 2024Q2 a draft (99 trained)."""
    m = monitored(world)
    approved = _enter(world, m, "2024Q1", "12")
    services.comment_add(actor=world.member, report=approved, body="Internal: please double-check ward 3")
    services.evidence_add(
        actor=world.member,
        report=approved,
        title="Attendance register",
        file=SimpleUploadedFile("register.pdf", b"%PDF-1.4 names"),
    )
    approved = _approve(world, approved)
    draft = _enter(world, m, "2024Q2", "99")
    return approved, draft, m


def entry_url(world, period: str) -> str:
    return reverse("monitoring:entry", args=[world.partnership.uuid, period])


def evidence_url(world, report: PeriodReport) -> str:
    evidence = report.evidence.get()
    return reverse("monitoring:evidence_file", args=[world.partnership.uuid, report.period, evidence.uuid])


@pytest.mark.parametrize("role", READERS)
def test_reader_reads_an_approved_period_without_the_conversation_or_evidence(client, world, periods, role):
    client.force_login(getattr(world, role))
    response = client.get(entry_url(world, "2024Q1"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="conversation"' not in body and "double-check ward 3" not in body
    assert 'id="evidence"' not in body and "Attendance register" not in body
    assert "spreadsheet template" not in body  # an entry tool, not for readers


@pytest.mark.parametrize("role", INSIDERS)
def test_insiders_see_the_conversation_and_the_evidence(client, world, periods, role):
    client.force_login(getattr(world, role))
    body = client.get(entry_url(world, "2024Q1")).content.decode()
    assert "double-check ward 3" in body and "Attendance register" in body


@pytest.mark.parametrize("role", READERS)
def test_reader_gets_403_for_an_unapproved_period_and_its_spreadsheet(client, world, periods, role):
    client.force_login(getattr(world, role))
    assert client.get(entry_url(world, "2024Q2")).status_code == 403
    template = reverse("monitoring:template", args=[world.partnership.uuid, "2024Q2"])
    assert client.get(template).status_code == 403


def test_outsider_still_gets_404_for_every_period(client, world, periods):
    client.force_login(world.outsider)
    assert client.get(entry_url(world, "2024Q1")).status_code == 404
    assert client.get(entry_url(world, "2024Q2")).status_code == 404


@pytest.mark.parametrize("role", READERS)
def test_reader_gets_403_for_an_evidence_file_unless_the_programme_grants_it(client, world, periods, role):
    approved, _draft, _m = periods
    client.force_login(getattr(world, role))
    assert client.get(evidence_url(world, approved)).status_code == 403
    world.programme.viewers_see_evidence = True
    world.programme.save()
    response = client.get(evidence_url(world, approved))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 names"
    assert "Attendance register" in client.get(entry_url(world, "2024Q1")).content.decode()


@pytest.mark.parametrize("role", READERS)
def test_reader_dashboard_counts_only_approved_periods(client, world, periods, role):
    client.force_login(getattr(world, role))
    response = client.get(reverse("monitoring:partnership", args=[world.partnership.uuid]))
    assert response.status_code == 200
    trained = next(row for row, _chart, _table in response.context["rows"] if row.indicator.code == "HW1")
    actuals = {p.period.id: p.actual for p in trained.points}
    assert actuals["2024Q1"] == 12 and actuals["2024Q2"] is None
    # The unapproved period is listed with its status but not linked.
    assert entry_url(world, "2024Q2") not in response.content.decode()


def test_insider_dashboard_counts_every_period(client, world, periods):
    client.force_login(world.member)
    response = client.get(reverse("monitoring:partnership", args=[world.partnership.uuid]))
    trained = next(row for row, _chart, _table in response.context["rows"] if row.indicator.code == "HW1")
    assert {p.period.id: p.actual for p in trained.points}["2024Q2"] == 99


def test_programme_rollup_for_the_viewer_counts_only_approved_periods(client, world, periods):
    client.force_login(world.programme_viewer)
    response = client.get(reverse("monitoring:programme", args=[world.programme.uuid]) + "?year=2024")
    rollup = next(r for r in response.context["rollup"].indicators if r.indicator.code == "HW1")
    assert sorted(rollup.total) == ["2024Q1"]
    client.force_login(world.manager)
    response = client.get(reverse("monitoring:programme", args=[world.programme.uuid]) + "?year=2024")
    rollup = next(r for r in response.context["rollup"].indicators if r.indicator.code == "HW1")
    assert sorted(rollup.total) == ["2024Q1", "2024Q2"]


def test_conversation_and_evidence_selectors_answer_nothing_to_readers(world, periods):
    approved, _draft, _m = periods
    reader = selectors.get_partnership_for_user(world.programme_viewer, world.partnership.uuid)[1]
    member = selectors.get_partnership_for_user(world.member, world.partnership.uuid)[1]
    assert selectors.conversation(approved, reader) == []
    assert selectors.evidence_for(approved, reader) == []
    bodies = [c.body for c in selectors.conversation(approved, member)]
    assert "Internal: please double-check ward 3" in bodies
    assert len(selectors.evidence_for(approved, member)) == 1


@pytest.mark.parametrize("role", READERS)
def test_reader_history_hides_the_conversation_and_evidence_events(world, periods, role):
    approved, _draft, _m = periods
    models = {e.target_type.model for e in history_for_user(getattr(world, role), approved)}
    assert "result" in models
    assert "reviewcomment" not in models and "evidence" not in models
    insiders = {e.target_type.model for e in history_for_user(world.member, approved)}
    assert {"reviewcomment", "evidence"} <= insiders


# --- the API ----------------------------------------------------------------------------------------


def auth(user) -> dict[str, str]:
    _token, raw = api_token_create(actor=user, user=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.mark.parametrize("role", READERS)
def test_api_gives_readers_only_approved_results(client, world, periods, role):
    response = client.get(
        f"/api/v1/monitoring/results?partnership={world.partnership.uuid}", **auth(getattr(world, role))
    )
    assert response.status_code == 200
    assert {item["period"] for item in response.json()["items"]} == {"2024Q1"}


def test_api_gives_insiders_every_result(client, world, periods):
    response = client.get(
        f"/api/v1/monitoring/results?partnership={world.partnership.uuid}", **auth(world.finance)
    )
    assert {item["period"] for item in response.json()["items"]} == {"2024Q1", "2024Q2"}


def test_api_gives_an_administrator_every_result(client, world, periods):
    response = client.get(
        f"/api/v1/monitoring/results?partnership={world.partnership.uuid}", **auth(world.admin)
    )
    assert {item["period"] for item in response.json()["items"]} == {"2024Q1", "2024Q2"}


def test_api_results_of_an_outsider_are_none(client, world, periods):
    response = client.get(
        f"/api/v1/monitoring/results?partnership={world.partnership.uuid}", **auth(world.outsider)
    )
    assert response.json()["count"] == 0


# --- exports ----------------------------------------------------------------------------------------


def _programme_csv(client, world, who) -> list[list[str]]:
    client.force_login(who)
    url = f"/monitoring/programmes/{world.programme.uuid}/?year=2024&format=csv&table=hw1-periods"
    response = client.get(url)
    assert response.status_code == 200
    return csv_rows(response.content)


def test_the_viewers_programme_download_counts_only_approved_periods(client, world, periods):
    assert [row[0] for row in _programme_csv(client, world, world.programme_viewer)[1:]] == ["Q1 2024"]
    assert [row[0] for row in _programme_csv(client, world, world.manager)[1:]] == ["Q1 2024", "Q2 2024"]


@pytest.mark.parametrize("role", READERS)
def test_reader_gets_403_for_an_unapproved_periods_spreadsheet_and_the_approved_one(
    client, world, periods, role
):
    client.force_login(getattr(world, role))
    assert (
        client.get(reverse("monitoring:template", args=[world.partnership.uuid, "2024Q2"])).status_code == 403
    )
    assert (
        client.get(reverse("monitoring:template", args=[world.partnership.uuid, "2024Q1"])).status_code == 200
    )
