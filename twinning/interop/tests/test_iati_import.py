import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings

from twinning.accounts.models import ProgrammeRole
from twinning.audit.models import AuditEvent
from twinning.directory.models import Institution
from twinning.interop.iati.importer import iati_import
from twinning.interop.iati.rules import Problem
from twinning.interop.iati.selectors import programme_iati_file
from twinning.interop.tests.iati_factories import ORG, approve, funded, with_org
from twinning.monitoring.models import Result
from twinning.monitoring.tests.factories import monitored
from twinning.partnerships.models import Partnership
from twinning.planning.models import Plan, PlanIndicator, Target
from twinning.planning.services import plan_sign_off
from twinning.planning.tests.factories import pillars
from twinning.testing.factories import ProgrammeFactory, partnership_member, programme_staff

pytestmark = pytest.mark.django_db
EXAMPLES = Path(__file__).with_name("iati_examples")


def state(programme):
    """What an import may change, as plain values (uuids and versions aside)."""
    partnerships = Partnership.objects.filter(programme=programme)
    return {
        "partnerships": sorted(
            partnerships.values_list("title", "shared_goal", "start_date", "end_date", "stage")
        ),
        "sides": sorted(
            partnerships.values_list("title", "side_links__institution__name", "side_links__side")
        ),
        "plans": Plan.objects.filter(partnership__in=partnerships).count(),
        "baselines": sorted(
            PlanIndicator.objects.filter(plan__partnership__in=partnerships).values_list(
                "indicator__name", "baseline_value"
            )
        ),
        "targets": sorted(
            Target.objects.filter(plan_indicator__plan__partnership__in=partnerships).values_list(
                "plan_indicator__indicator__name", "period", "option__name", "value"
            ),
            key=str,
        ),
        "results": sorted(
            Result.objects.filter(partnership__in=partnerships).values_list(
                "indicator__name", "period", "option__name", "value"
            ),
            key=str,
        ),
    }


def exported(world):
    with_org(world)
    m = monitored(world)
    approve(world, m, "2024Q1", {"total": Decimal("12"), "female": Decimal("7")})
    funded(world)
    return programme_iati_file(world.manager, world.programme.uuid)[1].content


def test_importing_our_own_export_into_the_same_programme_changes_nothing(world):
    content = exported(world)
    before, events = state(world.programme), AuditEvent.objects.count()
    summary = iati_import(actor=world.manager, programme=world.programme, data=content, dry_run=False)
    assert summary.problems == [] and summary.changes == []
    assert state(world.programme) == before
    assert AuditEvent.objects.count() == events + 1  # the import's own audit row, with its (empty) counts


def test_a_dry_run_of_our_own_export_reports_no_change_whatever_the_baselines(world):
    """Baselines as people leave them: a number's baseline of 0 with no date (exported with the plan's first
    year), a qualitative indicator's scored baseline (exported without its value), a yes/no's 0 dated."""
    with_org(world)
    m = monitored(world)
    PlanIndicator.objects.filter(pk=m.trained.pk).update(baseline_value=Decimal("0.0000"), baseline_date=None)
    PlanIndicator.objects.filter(pk=m.story.pk).update(
        baseline_value=Decimal("2.0000"), baseline_date=datetime.date(2023, 12, 31)
    )
    PlanIndicator.objects.filter(pk=m.protocol.pk).update(
        baseline_value=Decimal("0"), baseline_date=datetime.date(2023, 6, 30)
    )
    approve(world, m, "2024Q1", {"total": Decimal("12.50"), "female": Decimal("7")})
    funded(world)
    content = programme_iati_file(world.manager, world.programme.uuid)[1].content
    before = state(world.programme)
    dry = iati_import(actor=world.manager, programme=world.programme, data=content, dry_run=True)
    assert dry.problems == [] and dry.changes == [] and dry.counts == {}
    summary = iati_import(actor=world.manager, programme=world.programme, data=content, dry_run=False)
    assert summary.changes == []
    assert state(world.programme) == before


def test_round_trip_into_another_programme_gives_the_same_values_and_a_second_import_changes_nothing(world):
    content = exported(world)
    source = state(world.programme)
    target = ProgrammeFactory(name="Receiving programme")
    pillars(target)
    manager = programme_staff(target, ProgrammeRole.Role.MANAGER, email="receiver@example.org")
    dry = iati_import(actor=manager, programme=target, data=content, dry_run=True)
    assert dry.problems == [] and not dry.written
    assert dry.counts["partnerships_created"] == 1 and dry.counts["targets_set"] >= 5
    assert not Partnership.objects.filter(programme=target).exists()  # a dry run writes nothing
    summary = iati_import(actor=manager, programme=target, data=content, dry_run=False)
    assert summary.written and summary.problems == []
    # The new plan is a draft: its results wait for both sides to sign it (a warning says so).
    assert any("no agreed plan yet" in w.message for w in summary.warnings)
    copy = Partnership.objects.get(programme=target)
    assert copy.iati_identifier == f"{ORG}-{world.partnership.uuid}"
    host = partnership_member(copy, email="host-copy@example.org")
    resource = partnership_member(copy, side="resource", email="resource-copy@example.org")
    plan = Plan.objects.get(partnership=copy)
    plan_sign_off(actor=host, plan=plan, party="host")
    plan_sign_off(actor=resource, plan=plan, party="resource")
    again = iati_import(actor=manager, programme=target, data=content, dry_run=False)
    assert again.problems == [] and again.counts == {"actuals_set": 2}
    mine = state(target)
    for key in ("partnerships", "sides", "baselines", "targets", "results"):
        assert mine[key] == source[key], key
    assert iati_import(actor=manager, programme=target, data=content, dry_run=False).changes == []


def test_a_changed_value_in_an_approved_period_is_refused_and_nothing_is_written(world):
    content = exported(world).replace(b'<actual value="12"/>', b'<actual value="13"/>')
    before = state(world.programme)
    summary = iati_import(actor=world.manager, programme=world.programme, data=content, dry_run=False)
    assert not summary.written
    assert any("/actual" in p.path for p in summary.problems)
    assert state(world.programme) == before


def test_the_annotated_example_imports_with_its_problems_said_and_twice_changes_nothing(world):
    pillars(world.programme)
    data = (EXAMPLES / "activity-standard-example-annotated.xml").read_bytes()
    refused = iati_import(actor=world.manager, programme=world.programme, data=data, dry_run=True)
    assert any("which country" in p.message and "participating-org" in p.path for p in refused.problems)
    summary = iati_import(
        actor=world.manager, programme=world.programme, data=data, dry_run=False, default_country="GB"
    )
    assert summary.written, summary.problems
    partnership = Partnership.objects.get(iati_identifier="AA-AAA-123456789-ABC123")
    assert partnership.stage == "implementation"
    assert {link.side for link in partnership.side_links.all()} == {"host", "resource"}
    assert Institution.objects.filter(iati_org_id="CC-CCC-123456789").exists()
    # Its indicator is adopted; its values, each broken down by sex and age at once, are left out, and said so.
    assert PlanIndicator.objects.filter(plan__partnership=partnership).count() == 1
    assert any("dimensions" in w.message and "/target" in w.path for w in summary.warnings)
    assert not Target.objects.filter(plan_indicator__plan__partnership=partnership).exists()
    second = iati_import(
        actor=world.manager, programme=world.programme, data=data, dry_run=False, default_country="GB"
    )
    assert second.changes == [] and second.problems == []


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*should-pass*.xml")))
def test_the_schemas_should_pass_fixtures_are_read_and_their_placeholders_listed_with_paths(world, name):
    before = state(world.programme)
    summary = iati_import(
        actor=world.manager, programme=world.programme, data=(EXAMPLES / name).read_bytes(), dry_run=False
    )
    assert summary.problems and not summary.written
    assert all(p.path.startswith("/iati-activities") for p in summary.problems)
    assert any("Unknown IATI version “xx”" in p.message for p in summary.problems)
    assert state(world.programme) == before


def test_iati_1_files_are_refused_with_a_clear_message(world):
    for data in (
        (EXAMPLES / "samples--worked-example.xml").read_bytes(),
        b'<iati-activities version="1.05"><iati-activity/></iati-activities>',
    ):
        summary = iati_import(actor=world.manager, programme=world.programme, data=data, dry_run=True)
        assert len(summary.problems) == 1 and "IATI 1.x" in summary.problems[0].message


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b'<iati-activities version="2.03"><iati-activity><iati-identifier>&e;</iati-identifier></iati-activity>'
        b"</iati-activities>",
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]><iati-activities version="2.03">&lol3;</iati-activities>',
        b"<iati-activities version='2.03'><unclosed></iati-activities>",
    ],
    ids=["external-entity", "billion-laughs", "not-well-formed"],
)
def test_hostile_xml_is_refused_before_anything_is_read(world, data):
    summary = iati_import(actor=world.manager, programme=world.programme, data=data, dry_run=True)
    assert len(summary.problems) == 1 and summary.problems[0].path == "/"
    assert "passwd" not in summary.problems[0].message


@override_settings(IATI_IMPORT_MAX_BYTES=1000)
def test_a_file_over_the_size_bound_is_refused_unread(world):
    data = b'<iati-activities version="2.03">' + b" " * 2000 + b"</iati-activities>"
    summary = iati_import(actor=world.manager, programme=world.programme, data=data, dry_run=True)
    assert "larger than" in summary.problems[0].message


def test_only_programme_editors_import(world):
    content = b'<iati-activities version="2.03"/>'
    for user in (world.programme_viewer, world.finance, world.coordinator):
        with pytest.raises(PermissionDenied):
            iati_import(actor=user, programme=world.programme, data=content, dry_run=True)


# --- page and API --------------------------------------------------------------------------------------


def upload(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("activities.xml", content, content_type="application/xml")


def test_the_page_checks_then_imports_and_refuses_viewers_and_outsiders(client, world):
    content = exported(world)
    target = ProgrammeFactory(name="Receiving programme")
    pillars(target)
    manager = programme_staff(target, ProgrammeRole.Role.MANAGER, email="receiver@example.org")
    viewer = programme_staff(target, ProgrammeRole.Role.VIEWER, email="receiving-viewer@example.org")
    url = f"/interop/iati/programme/{target.uuid}/import/"
    client.force_login(viewer)
    assert client.post(url, {"file": upload(content), "dry_run": "on"}).status_code == 403
    client.force_login(world.outsider)
    assert client.post(url, {"file": upload(content), "dry_run": "on"}).status_code == 404
    client.force_login(manager)
    page = client.post(url, {"file": upload(content), "dry_run": "on"})
    assert page.status_code == 200 and b"Importing it would" in page.content
    assert not Partnership.objects.filter(programme=target).exists()
    page = client.post(url, {"file": upload(content)})
    assert page.status_code == 200 and Partnership.objects.filter(programme=target).count() == 1
    assert AuditEvent.objects.filter(changes__has_key="iati_import").exists()
    refused = client.post(url, {"file": upload(b"<iati-activities version='1.03'/>")})
    assert refused.status_code == 400 and b"IATI 1.x" in refused.content


def test_an_api_import_without_a_file_answers_403_to_a_reader_and_422_to_an_editor(world):
    # django-ninja refuses the request before the view runs; the answer still follows who may import here.
    from twinning.interop.tests.test_iati_export import api

    url = f"/api/v1/interop/iati/programmes/{world.programme.uuid}/import"
    for who in ("programme_viewer", "finance"):
        assert api(getattr(world, who)).post(url, {"dry_run": "false"}).status_code == 403, who
    assert api(world.manager).post(url, {"dry_run": "false"}).status_code == 422


def test_the_api_imports_with_a_dry_run_first(world):
    from twinning.interop.tests.test_iati_export import api

    content = exported(world)
    url = f"/api/v1/interop/iati/programmes/{world.programme.uuid}/import"
    assert api(world.programme_viewer).post(url, {"file": upload(content)}).status_code == 403
    assert api(world.outsider).post(url, {"file": upload(content)}).status_code == 404
    dry = api(world.manager).post(url, {"file": upload(content)})
    assert dry.status_code == 200
    assert dry.json()["dry_run"] is True and dry.json()["changes"] == [] and dry.json()["problems"] == []
    hostile = api(world.manager).post(
        url, {"file": upload(b'<!DOCTYPE x [<!ENTITY e "x">]><x/>'), "dry_run": "false"}
    )
    assert hostile.status_code == 200 and hostile.json()["problems"][0]["path"] == "/"


# --- what the summary says ------------------------------------------------------------------------------


def one_activity(world, extra: str = "", periods: int = 2) -> bytes:
    """A file of one schema-valid activity (see test_iati_stream), with `extra` before its result."""
    from twinning.interop.tests.test_iati_stream import ORG as STREAM_ORG
    from twinning.interop.tests.test_iati_stream import activity, activity_file

    world.programme.iati_org_id = STREAM_ORG
    world.programme.save()
    pillars(world.programme)
    return activity_file([activity(1, periods).replace("<result ", f"{extra}<result ", 1)])


def page_import(client, world, content: bytes, dry_run: bool):
    client.force_login(world.manager)
    data = {"file": upload(content), "default_country": "UG"} | ({"dry_run": "on"} if dry_run else {})
    return client.post(f"/interop/iati/programme/{world.programme.uuid}/import/", data)


def outcome_of(page) -> str:
    from lxml import html

    return " ".join(html.fromstring(page.content).get_element_by_id("import-outcome").text_content().split())


def test_an_import_that_changes_nothing_says_so_and_why_and_never_imported(world):
    content = exported(world)
    dry = iati_import(actor=world.manager, programme=world.programme, data=content, dry_run=True)
    assert dry.counts == {} and dry.warnings == []
    assert dry.outcome == "Importing this file would change nothing: every value in it is already recorded."
    summary = iati_import(actor=world.manager, programme=world.programme, data=content, dry_run=False)
    assert summary.written and summary.counts == {}
    assert summary.outcome == "Nothing changed: every value in the file is already recorded."


def test_an_import_that_changes_something_gives_as_many_changes_as_its_counts(world):
    content = one_activity(world)
    dry = iati_import(actor=world.manager, programme=world.programme, data=content, dry_run=True)
    n = sum(dry.counts.values())
    assert n == len(dry.changes) == 9
    assert dry.outcome == "The file can be imported. Importing it would make 9 changes:"
    summary = iati_import(
        actor=world.manager, programme=world.programme, data=content, dry_run=False, default_country="UG"
    )
    assert summary.outcome == "Imported: 9 changes made."
    # Its results wait for the plan to be agreed: "nothing changed" then says what it leaves aside.
    again = iati_import(
        actor=world.manager, programme=world.programme, data=content, dry_run=False, default_country="UG"
    )
    assert again.counts == {} and again.warnings
    assert again.outcome.startswith("Nothing changed: everything in the file that can be imported")


def test_the_page_says_nothing_changed_once_and_never_imported(client, world):
    content = exported(world)
    dry = page_import(client, world, content, dry_run=True)
    assert dry.status_code == 200
    assert (
        outcome_of(dry) == "Importing this file would change nothing: every value in it is already recorded."
    )
    page = page_import(client, world, content, dry_run=False)
    assert page.status_code == 200
    assert outcome_of(page) == "Nothing changed: every value in the file is already recorded."
    assert b"Imported" not in page.content and b"is imported" not in page.content
    assert page.content.count(b"Nothing changed") == 1  # said in the page, not again in its title or a flash


def test_the_page_gives_the_count_of_changes_made(client, world):
    content = one_activity(world)
    page = page_import(client, world, content, dry_run=False)
    assert outcome_of(page) == "Imported: 9 changes made."
    assert page.content.count(b"Imported: 9 changes made.") == 1


def line_of(content: bytes, start: bytes) -> int:
    """The line of the file (from 1) where `start`, an element's start tag, begins: where its problem is said."""
    assert content.count(start) == 1
    return content[: content.index(start)].count(b"\n") + 1


REVERSED_RESULT = (
    '<result type="1" aggregation-status="1"><title><narrative>Second outcome</narrative></title>'
    '<indicator measure="1" ascending="1"><title><narrative>Second indicator</narrative></title>'
    '<period><period-start iso-date="2020-03-31"/><period-end iso-date="2020-03-01"/>'
    '<target value="5"/></period></indicator></result>'
)
PERIOD = "/iati-activities/iati-activity/result[1]/indicator/period"


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_reversed_result_period_is_one_problem_with_its_activity_whichever_result_it_is_in(world, dry_run):
    content = one_activity(world, extra=REVERSED_RESULT)
    summary = iati_import(
        actor=world.manager, programme=world.programme, data=content, dry_run=dry_run, default_country="UG"
    )
    said = summary.problems + summary.warnings + summary.rule_breaks
    line = line_of(content, b'<period><period-start iso-date="2020-03-31"')
    assert [(p.path, p.message) for p in said] == [
        (PERIOD, f"Line {line}: The result period ends before it starts.")
    ]
    assert not summary.written and not Partnership.objects.filter(iati_identifier__startswith="XI-").exists()


def test_the_page_lists_a_reversed_result_period_once(client, world):
    content = one_activity(world, extra=REVERSED_RESULT)
    page = page_import(client, world, content, dry_run=False)
    assert page.status_code == 400
    assert outcome_of(page) == "Nothing was imported:"
    assert page.content.count(b"The result period ends before it starts.") == 1
    assert page.content.count(PERIOD.encode()) == 1


def test_an_unknown_indicator_measure_and_reversed_planned_dates_are_each_one_problem(world):
    """Each was said twice: the measure by the ruleset's codelist check and by the reader; the planned dates
    (which become the partnership's) as a ruleset warning and again as the partnership service's refusal."""
    content = (
        one_activity(world)
        .replace(
            b'<activity-date iso-date="2020-01-01" type="2"/>',
            b'<activity-date iso-date="2021-01-01" type="1"/><activity-date iso-date="2020-01-01" type="2"/>'
            b'<activity-date iso-date="2020-12-31" type="3"/>',
        )
        .replace(b'<indicator measure="1"', b'<indicator measure="9"')
    )
    summary = iati_import(
        actor=world.manager, programme=world.programme, data=content, dry_run=True, default_country="UG"
    )
    activity = "/iati-activities/iati-activity"
    said = summary.problems + summary.warnings + summary.rule_breaks
    assert [p.path for p in said].count(f"{activity}/activity-date[3]") == 1, said
    assert [p.path for p in said].count(f"{activity}/result/indicator") == 1, said
    assert {p.path for p in summary.problems} >= {
        f"{activity}/activity-date[3]",
        f"{activity}/result/indicator",
    }


def test_a_truncated_file_names_its_line_once(client, world):
    content = one_activity(world)
    cut = content[: len(content) // 2]
    summary = iati_import(actor=world.manager, programme=world.programme, data=cut, dry_run=True)
    [problem] = summary.problems
    assert problem.message.startswith("This is not well-formed XML: line 3, column ")
    assert problem.message.count("line") == 1
    page = page_import(client, world, cut, dry_run=True)
    assert page.status_code == 400
    assert page.content.count(b"line 3") == 1


BUDGET_REVERSED = (
    '<budget type="1" status="1"><period-start iso-date="2020-12-31"/><period-end iso-date="2020-01-01"/>'
    '<value currency="USD" value-date="2020-01-01">10</value></budget>'
)


def test_a_reversed_budget_period_is_a_rule_the_file_breaks_which_does_not_stop_the_import(client, world):
    """Twinning does not import budgets: the fault is the publisher's, said with its element, and the import
    goes ahead (as with codes or actual dates); it is not 'left out', since nothing of a budget is taken."""
    content = one_activity(world, extra=BUDGET_REVERSED)
    summary = iati_import(
        actor=world.manager, programme=world.programme, data=content, dry_run=True, default_country="UG"
    )
    assert summary.problems == []
    line = line_of(content, b'<budget type="1" status="1"><period-start iso-date="2020-12-31"')
    assert summary.rule_breaks == [
        Problem(
            "/iati-activities/iati-activity/budget", f"Line {line}: The budget period ends before it starts."
        )
    ]
    assert all("budget" not in w.path for w in summary.warnings)
    page = page_import(client, world, content, dry_run=False)
    assert (
        page.status_code == 200 and Partnership.objects.filter(iati_identifier__startswith="XI-").count() == 1
    )
    rule_breaks = page.content.split(b"IATI rules the file breaks", 1)
    assert len(rule_breaks) == 2 and b"The budget period ends before it starts." in rule_breaks[1]
    assert page.content.count(b"The budget period ends before it starts.") == 1


def test_each_rule_a_file_breaks_is_said_with_the_line_of_its_element(world):
    """A file laid out over many lines, as publishers' files are: each problem names its own element's line."""
    content = one_activity(world, extra="\n\n" + BUDGET_REVERSED + "\n\n\n" + REVERSED_RESULT + "\n")
    summary = iati_import(
        actor=world.manager, programme=world.programme, data=content, dry_run=True, default_country="UG"
    )
    budget = line_of(content, b'<budget type="1" status="1"><period-start iso-date="2020-12-31"')
    period = line_of(content, b'<period><period-start iso-date="2020-03-31"')
    assert period == budget + 3
    said = {p.message for p in summary.problems + summary.warnings + summary.rule_breaks}
    assert f"Line {budget}: The budget period ends before it starts." in said
    assert f"Line {period}: The result period ends before it starts." in said
