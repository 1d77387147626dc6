"""The results import reads the file once into a temporary table and then goes through it one indicator-period
group at a time beside the stored values (issue 14, "Streaming"): what it decides per row is what the import
always decided, every bad row is still reported, and a value saved while the file is written is never
overwritten."""

import pytest

from twinning.core.uploads import read_table
from twinning.monitoring import imports, services
from twinning.monitoring.models import Result
from twinning.monitoring.tests.factories import monitored

pytestmark = pytest.mark.django_db
HEADER = "partnership,period,indicator,option,value,numerator,denominator,text,score,comment,version\n"


def run(world, text: str):
    return imports.results_import(
        actor=world.member,
        rows=read_table(text.encode(), max_rows=1000),
        programme=world.programme,
        partnership=world.partnership,
    )


def test_every_bad_row_is_reported_in_line_order_whichever_pass_finds_it(world):
    """A repeated row and a change to a locked period are found beside the stored values, after the rows' own
    checks: the report still lists every bad row, by line."""
    m = monitored(world)
    services.result_save(actor=world.member, plan_indicator=m.trained, period="2024Q1", values={"value": "1"})
    services.report_submit(actor=world.member, partnership=world.partnership, period="2024Q1")
    rows = (
        ",2024Q2,HW1,,5,,,,,,\n"  # 2: good
        ",2024Q1,HW1,,7,,,,,,\n"  # 3: a change to the locked quarter
        ",2024Q2,NOPE,,5,,,,,,\n"  # 4: not an indicator of the plan
        ",2024Q2,HW1,,6,,,,,,\n"  # 5: line 2 again
        ",2024Q1,HW1,,1,,,,,,\n"  # 6: the locked value given back: not a change (but line 3 repeats it)
    )

    with pytest.raises(imports.ImportRejected) as refused:
        run(world, HEADER + rows)

    assert [(e.row, e.column) for e in refused.value.row_errors] == [
        (3, "period"),
        (4, "indicator"),
        (5, "indicator"),
        (6, "indicator"),
    ]
    assert refused.value.total_errors == 4
    assert "locked" in refused.value.row_errors[0].message
    assert "appear twice" in refused.value.row_errors[2].message
    assert list(Result.objects.values_list("period", "value")) == [("2024Q1", 1)]


def test_a_locked_period_given_back_unchanged_is_counted_unchanged(world):
    m = monitored(world)
    services.result_save(actor=world.member, plan_indicator=m.trained, period="2024Q1", values={"value": "1"})
    services.report_submit(actor=world.member, partnership=world.partnership, period="2024Q1")

    outcome = run(world, HEADER + ",2024Q1,HW1,,1,,,,,,1\n,2024Q2,HW1,,4,,,,,,\n")

    assert (outcome.created, outcome.updated, outcome.unchanged, outcome.conflict_count) == (1, 0, 1, 0)


def test_a_value_saved_while_the_file_is_written_is_kept_and_reported(world, monkeypatch):
    """Between the pass that reads the stored versions and the write, someone saves: the UPDATE skips that row
    (it is no longer at the version read) and the import reports it as a conflict instead of counting it."""
    m = monitored(world)
    services.result_save(
        actor=world.member, plan_indicator=m.trained, period="2024Q1", values={"value": "11"}
    )
    services.result_save(
        actor=world.member, plan_indicator=m.trained, period="2024Q2", values={"value": "21"}
    )
    write = imports._Stage.write

    def someone_saves_first(stage, updates):
        services.result_save(
            actor=world.coordinator,
            plan_indicator=m.trained,
            period="2024Q1",
            values={"value": "15"},
            expected_version=1,
        )
        return write(stage, updates)

    monkeypatch.setattr(imports._Stage, "write", someone_saves_first)

    outcome = run(world, HEADER + ",2024Q1,HW1,,12,,,,,,\n,2024Q2,HW1,,22,,,,,,\n,2024Q3,HW1,,30,,,,,,\n")

    assert (outcome.created, outcome.updated, outcome.conflict_count) == (1, 1, 1)
    (conflict,) = outcome.conflicts
    assert (conflict.row, conflict.label) == (2, "HW1 2024Q1")
    assert "while the file was imported" in conflict.message
    assert dict(Result.objects.values_list("period", "value")) == {"2024Q1": 15, "2024Q2": 22, "2024Q3": 30}
    assert dict(Result.objects.values_list("period", "version")) == {"2024Q1": 2, "2024Q2": 2, "2024Q3": 1}


def test_values_are_written_exactly_and_read_back_equal(world):
    """Numbers travel through the temporary table as text: a re-import of what was written is unchanged, on
    SQLite (where a NUMERIC column holds floats) as on PostgreSQL."""
    monitored(world)
    file = HEADER + ",2024Q1,HW1,,12.5,,,,,note,\n,2024Q1,MDA,,,3,7,,,,\n,2024Q2,HW1,,0.1,,,,,,\n"

    first = run(world, file)
    again = run(world, file)

    assert (first.created, again.created, again.updated, again.unchanged) == (3, 0, 0, 3)
    assert str(Result.objects.get(period="2024Q2").value.normalize()) == "0.1"
    assert Result.objects.get(period="2024Q1", comment="note").value == pytest.approx(12.5)
