"""The IATI import streams: memory follows the largest activity, not the file, and the file is still checked
through to its end (every problem, with its path) before anything is written."""

import calendar
import io
import re
import tracemalloc

import pytest
from lxml import etree

from twinning.interop.iati.importer import iati_import
from twinning.interop.iati.rules import SCHEMAS, XSD, root_schema
from twinning.partnerships.models import Partnership
from twinning.planning.tests.factories import pillars

pytestmark = pytest.mark.django_db
ORG = "XI-IATI-STREAM"


def activity(n: int, periods: int, bad: bool = False) -> str:
    """A schema-valid activity with one indicator of `periods` months of 2020 (a target and an actual each);
    with `bad`, its third period's target is not a number."""
    assert periods <= 12
    values = "".join(
        f'<period><period-start iso-date="2020-{p + 1:02d}-01"/>'
        f'<period-end iso-date="2020-{p + 1:02d}-{calendar.monthrange(2020, p + 1)[1]}"/>'
        f'<target value="{"lots" if bad and p == 2 else 10 + p}"/><actual value="{p}"/></period>'
        for p in range(periods)
    )
    return (
        f'<iati-activity last-updated-datetime="2026-01-01T00:00:00Z" xml:lang="en" default-currency="USD">'
        f"<iati-identifier>{ORG}-P{n:05d}</iati-identifier>"
        f'<reporting-org ref="{ORG}" type="80"><narrative>Stream programme</narrative></reporting-org>'
        f"<title><narrative>Partnership {n}</narrative></title>"
        f'<description type="1"><narrative>Partnership {n}.</narrative></description>'
        f'<participating-org ref="UG-COA-H{n:05d}" role="4" type="22"><narrative>Host {n}</narrative>'
        f"</participating-org>"
        f'<participating-org ref="GB-COH-R{n:05d}" role="4" type="22"><narrative>Resource {n}</narrative>'
        f"</participating-org>"
        f'<activity-status code="2"/><activity-date iso-date="2020-01-01" type="2"/>'
        f'<recipient-country code="UG" percentage="100"/>'
        f'<result type="1" aggregation-status="1"><title><narrative>Outcome {n}</narrative></title>'
        f'<indicator measure="1" ascending="1"><title><narrative>Indicator {n}</narrative></title>'
        f'<baseline year="2019" iso-date="2019-12-31" value="0"/>{values}</indicator></result></iati-activity>'
    )


def activity_file(activities: list[str]) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03">\n'
        + "\n".join(activities)
        + "\n</iati-activities>\n"
    ).encode()


def test_iati_activity_is_a_global_element_of_the_vendored_schema_so_each_activity_is_checked_alone():
    schema = etree.parse(str(SCHEMAS / "iati-activities-schema.xsd")).getroot()
    assert schema.find(f"{XSD}element[@name='iati-activity']") is not None
    assert root_schema() is not None  # the root's own check builds on that declaration


def test_reading_a_file_of_many_activities_holds_one_activity_at_a_time(world):
    """9,600 values in 400 activities, the first and the last with a value that is not a number (so nothing
    is written, and the import reads the file for its problems alone). The old reader kept every activity's
    plain data (6.4 MB of Python objects here) until the end; the streaming one keeps one activity's (0.1 MB)."""
    iati_import(
        actor=world.manager, programme=world.programme, data=activity_file([activity(0, 1)]), dry_run=True
    )
    count = 400
    data = activity_file([activity(n, 12, bad=n in (0, count - 1)) for n in range(count)])
    tracemalloc.start()
    try:
        summary = iati_import(actor=world.manager, programme=world.programme, data=data, dry_run=True)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Each said at its target's line in the file, counted apart here.
    at = [m.start() for m in re.finditer(rb'<target value="lots"', data)]
    lines = [data[:index].count(b"\n") + 1 for index in at]
    assert [(p.path, p.message) for p in summary.problems] == [
        (
            f"/iati-activities/iati-activity[{n}]/result/indicator/period[3]/target",
            f"Line {line}: “lots” is not a number.",
        )
        for n, line in zip((1, count), lines, strict=True)
    ]
    assert peak < 2 * 1024 * 1024, f"{peak / 1024 / 1024:.1f} MB"


def test_a_problem_late_in_the_file_leaves_the_activities_before_it_unwritten(world):
    """The activities are written as they are read, in one transaction: a problem found further on rolls them
    back, and the summary gives the file's problems alone, as if nothing had been tried."""
    world.programme.iati_org_id = ORG
    world.programme.save()
    pillars(world.programme)
    data = activity_file([activity(1, 2), activity(2, 3, bad=True)])
    summary = iati_import(
        actor=world.manager, programme=world.programme, data=data, dry_run=False, default_country="UG"
    )
    assert not summary.written and summary.changes == [] and summary.counts == {}
    assert [p.path for p in summary.problems] == [
        "/iati-activities/iati-activity[2]/result/indicator/period[3]/target"
    ]
    assert not Partnership.objects.filter(iati_identifier__startswith=ORG).exists()
    good = iati_import(
        actor=world.manager,
        programme=world.programme,
        data=activity_file([activity(1, 2), activity(2, 3)]),
        dry_run=False,
        default_country="UG",
    )
    assert good.written and good.problems == [] and good.counts["partnerships_created"] == 2
    again = iati_import(
        actor=world.manager,
        programme=world.programme,
        data=activity_file([activity(1, 2), activity(2, 3)]),
        dry_run=False,
        default_country="UG",
    )
    assert again.written and again.changes == []


def test_an_upload_is_read_as_a_stream_and_a_file_broken_after_its_first_activities_is_refused(world):
    """A file object is read where it is (rewound first); XML that breaks after activities were read refuses
    the whole file, with nothing written and no other problem said."""
    world.programme.iati_org_id = ORG
    world.programme.save()
    stream = io.BytesIO(
        activity_file([activity(1, 2), activity(2, 2)]).replace(b"</iati-activities>", b"<x>")
    )
    stream.read(10)
    summary = iati_import(
        actor=world.manager, programme=world.programme, data=stream, dry_run=False, default_country="UG"
    )
    assert len(summary.problems) == 1 and summary.problems[0].path == "/"
    assert "not well-formed" in summary.problems[0].message
    assert not summary.written and summary.changes == []
    assert not Partnership.objects.filter(iati_identifier__startswith=ORG).exists()
