"""Rules about "today" in monitoring (a period has started, a report is due or overdue, which years the roll-up
shows) use the date where the partnership's host institution is, not the server's (issue "Numbers people can
trust"). The clock is frozen just before or after midnight UTC, where UTC+12 and UTC-10 disagree with it."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from twinning.core.uploads import read_table
from twinning.directory.models import Institution
from twinning.monitoring import imports, services
from twinning.monitoring.models import Result
from twinning.monitoring.selectors import due_for_user, partnership_progress, programme_rollup
from twinning.planning import services as planning
from twinning.planning.tests.factories import agree, common_indicator, draft_plan, objective

pytestmark = pytest.mark.django_db
EAST, WEST = "Pacific/Tarawa", "Pacific/Honolulu"  # UTC+12 and UTC-10, no daylight saving


def at(*args: int):
    return mock.patch("django.utils.timezone.now", return_value=datetime.datetime(*args, tzinfo=datetime.UTC))


def host_in(world, zone: str) -> None:
    Institution.objects.filter(side_links__partnership=world.partnership, side_links__side="host").update(
        time_zone=zone
    )


def adopted(world):
    indicator = common_indicator(world.manager, world.programme, "HW1")
    plan = draft_plan(world.coordinator, world.partnership)
    adoption = planning.plan_indicator_adopt(
        actor=world.coordinator, plan=plan, objective=objective(world.coordinator, plan), indicator=indicator
    )
    agree(world, plan)
    adoption.refresh_from_db()
    return adoption


def save(world, adoption, period: str):
    return services.result_save(
        actor=world.member, plan_indicator=adoption, period=period, values={"value": "5"}
    )


def test_a_period_has_started_where_the_host_already_lives_in_it(world):
    adoption = adopted(world)
    host_in(world, EAST)
    with at(2025, 3, 31, 23, 30):  # 1 April, 11:30 in Tarawa; still 31 March on the server
        save(world, adoption, "2025Q2")
    assert Result.objects.filter(period="2025Q2").count() == 1


def test_a_period_has_not_started_where_the_host_is_still_in_the_day_before(world):
    adoption = adopted(world)
    host_in(world, WEST)
    with at(2025, 4, 1, 0, 30), pytest.raises(ValidationError, match="Q2 2025 has not started yet"):
        save(world, adoption, "2025Q2")  # 31 March, 14:30 in Honolulu
    assert not Result.objects.exists()


def test_an_import_asks_whether_the_period_started_on_the_hosts_date(world):
    adoption = adopted(world)
    rows = f"partnership,period,indicator,value\n{world.partnership.uuid},2025Q2,HW1,7\n".encode()
    host_in(world, WEST)
    with at(2025, 4, 1, 0, 30), pytest.raises(imports.ImportRejected):
        imports.results_import(
            actor=world.member, rows=read_table(rows, max_rows=10), programme=world.programme
        )
    host_in(world, EAST)
    with at(2025, 3, 31, 23, 30):
        imports.results_import(
            actor=world.member, rows=read_table(rows, max_rows=10), programme=world.programme
        )
    assert Result.objects.get(indicator=adoption.indicator, period="2025Q2").value == 7


def test_a_report_is_due_and_overdue_on_the_hosts_date(world):
    adopted(world)
    host_in(world, EAST)
    with at(2025, 3, 31, 23, 30):  # 2025Q1 has ended in Tarawa
        assert "2025Q1" in {i.period.id for i in due_for_user(world.member)}
    with at(2025, 4, 30, 12, 30):  # 1 May in Tarawa: 30 days after the quarter, the 2025Q1 report is late
        assert [i.overdue for i in due_for_user(world.member) if i.period.id == "2025Q1"] == [True]
    host_in(world, WEST)
    with at(2025, 4, 1, 0, 30):  # 31 March in Honolulu: 2025Q1 has not ended
        assert "2025Q1" not in {i.period.id for i in due_for_user(world.member)}
    with at(2025, 5, 1, 0, 30):  # 30 April in Honolulu: due today, not yet late
        assert [i.overdue for i in due_for_user(world.member) if i.period.id == "2025Q1"] == [False]


def test_progress_and_the_programme_roll_up_count_periods_begun_where_the_host_is(world):
    adopted(world)
    host_in(world, EAST)
    with at(2024, 12, 31, 23, 30):  # New Year's Day 2025 in Tarawa
        _plan, (row,) = partnership_progress(world.partnership)
        assert row.points[-1].period.id == "2025Q1"
        assert programme_rollup(world.programme).years[-1] == 2025
    host_in(world, WEST)
    with at(2025, 1, 1, 0, 30):  # still New Year's Eve in Honolulu
        _plan, (row,) = partnership_progress(world.partnership)
        assert row.points[-1].period.id == "2024Q4"
        assert programme_rollup(world.programme).years[-1] == 2024


def test_an_action_item_is_late_by_the_hosts_date(world):
    from twinning.monitoring.work import work_for_user

    adoption = adopted(world)
    host_in(world, EAST)
    with at(2024, 12, 31, 23, 30):
        save(world, adoption, "2024Q4")
    report = world.partnership.period_reports.get(period="2024Q4")
    services.comment_add(
        actor=world.me_officer,
        report=report,
        body="Attach the register.",
        assignee=world.member,
        due_date=datetime.date(2025, 3, 31),
    )

    def late() -> list[bool]:
        return [i.overdue for i in work_for_user(world.member) if i.kind == "action"]

    with at(2025, 3, 31, 23, 30):  # 1 April in Tarawa: a day late
        assert late() == [True]
    host_in(world, WEST)
    with at(2025, 4, 1, 0, 30):  # 31 March in Honolulu: due today, not late
        assert late() == [False]
