"""Benchmark the IATI import's memory: a generated IATI 2.03 activity file of 100,000 and 1,000,000 result values.

For each size in BENCH_IATI_IMPORT_SIZES (default 100,000 and 1,000,000), in its own process: an activity file
of that many values (targets and actuals of monthly periods: 100 activities, each one result of 10 indicators,
as many periods as the size needs; each activity names two implementing organisations, a Ugandan host and a British resource institution), then
the file read as the import reads it, from the open file (`interop.iati.reader.read_file`, streamed: parse, schema
and ruleset checks, each activity into plain data, one at a time) and, up to BENCH_IATI_FULL_UP_TO values
(100,000), the whole import (`interop.iati.importer.iati_import`, the path of the upload and the API, which hand
it the uploaded file) as a dry run, all under tracemalloc.
Reports the file's size, seconds (slowed by tracemalloc), the problems found, the most memory Python objects
held at once (`read_traced_peak_mb` for the reading, `traced_peak_mb` overall) and the process's peak resident
memory (ru_maxrss, which also counts lxml's tree in C). The upload limit (IATI_IMPORT_MAX_BYTES, 10 MB by default) is lifted in this process so
that the growth with the file shows.
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ["IATI_IMPORT_MAX_BYTES"] = str(4 * 1024 * 1024 * 1024)
django.setup()

from django.db import connection  # noqa: E402

from twinning.accounts.models import User  # noqa: E402
from twinning.interop.iati.importer import iati_import  # noqa: E402
from twinning.interop.iati.reader import read_file  # noqa: E402
from twinning.partnerships.models import Pillar, Programme  # noqa: E402

SIZES = [int(n) for n in os.environ.get("BENCH_IATI_IMPORT_SIZES", "100000,1000000").split(",")]
FULL_UP_TO = int(os.environ.get("BENCH_IATI_FULL_UP_TO", "100000"))  # larger files: the reading only
ACTIVITIES, INDICATORS = 100, 10
ORG = "XI-IATI-BENCH"


def _month(n: int) -> tuple[str, str]:
    year, month = 2000 + n // 12, n % 12 + 1
    last = 28 if month == 2 else 30 if month in (4, 6, 9, 11) else 31
    return f"{year}-{month:02d}-01", f"{year}-{month:02d}-{last}"


def write_file(path: str, size: int) -> int:
    """The activity file; returns how many values it holds."""
    periods = max(1, size // (ACTIVITIES * INDICATORS * 2))
    count = 0
    with open(path, "w", encoding="utf-8", buffering=1 << 16) as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write('<iati-activities version="2.03" generated-datetime="2026-01-01T00:00:00Z">\n')
        for a in range(ACTIVITIES):
            out.write(
                f'<iati-activity last-updated-datetime="2026-01-01T00:00:00Z" xml:lang="en" default-currency="USD">'
                f"<iati-identifier>{ORG}-P{a:05d}</iati-identifier>"
                f'<reporting-org ref="{ORG}" type="80"><narrative>Bench programme</narrative></reporting-org>'
                f"<title><narrative>Partnership {a}</narrative></title>"
                f'<description type="1"><narrative>Generated partnership {a}.</narrative></description>'
                f'<participating-org ref="UG-COA-H{a:05d}" role="4" type="22"><narrative>Host {a}</narrative>'
                f"</participating-org>"
                f'<participating-org ref="GB-COH-R{a:05d}" role="4" type="22"><narrative>Resource {a}</narrative>'
                f"</participating-org>"
                f'<activity-status code="2"/><activity-date iso-date="2000-01-01" type="2"/>'
                f'<recipient-country code="UG" percentage="100"/>'
                f'<result type="1" aggregation-status="1"><title><narrative>Outcome {a}</narrative></title>'
            )
            for i in range(INDICATORS):
                out.write(
                    f'<indicator measure="1" ascending="1"><title><narrative>Indicator {i}</narrative></title>'
                    f'<baseline year="1999" iso-date="1999-12-31" value="0"/>'
                )
                for p in range(periods):
                    start, end = _month(p)
                    out.write(
                        f'<period><period-start iso-date="{start}"/><period-end iso-date="{end}"/>'
                        f'<target value="{10 + p % 7}"/><actual value="{9 + p % 5}"/></period>'
                    )
                    count += 2
                out.write("</indicator>")
            out.write("</result></iati-activity>\n")
        out.write("</iati-activities>\n")
    return count


def child(size: int) -> dict:
    admin = User.objects.create_user(email=f"bench-iati-{size}@example.org", password="pw", is_superuser=True)
    programme = Programme.objects.create(name=f"IATI bench {size}", iati_org_id=ORG)
    Pillar.objects.create(programme=programme, code="p", name="Pillar", order=1)
    with tempfile.TemporaryDirectory() as directory:
        path = f"{directory}/activities.xml"
        values = write_file(path, size)
        file_mb = round(os.path.getsize(path) / 1024 / 1024, 1)
        tracemalloc.start()
        started = time.perf_counter()
        read_values = 0
        with open(path, "rb") as source:  # the import reads the file where it is, as it reads an upload
            read = read_file(source)
            for activity in read:  # parse, schema and ruleset checks, each activity read into plain data
                read_values += sum(
                    len(p.targets) + len(p.actuals)
                    for r in activity.results
                    for i in r.indicators
                    for p in i.periods
                )
        read_seconds = time.perf_counter() - started
        read_peak = tracemalloc.get_traced_memory()[1]
        problems = len(read.problems)
        assert read_values == values, (read_values, values)
        del read
        seconds = None
        if size <= FULL_UP_TO:
            tracemalloc.reset_peak()
            started = time.perf_counter()
            with open(path, "rb") as source:
                summary = iati_import(
                    actor=admin, programme=programme, data=source, dry_run=True, default_country="UG"
                )
            seconds = round(time.perf_counter() - started, 2)
            problems = len(summary.problems)
        traced_peak = max(read_peak, tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    return {
        "values": values,
        "activities": ACTIVITIES,
        "file_mb": file_mb,
        "read_seconds": round(read_seconds, 2),
        "read_traced_peak_mb": round(read_peak / 1024 / 1024, 1),
        "import_seconds": seconds,
        "problems": problems,
        "traced_peak_mb": round(traced_peak / 1024 / 1024, 1),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    runs = []
    for size in SIZES:
        out = subprocess.run(
            [sys.executable, "-m", "bench.iati_import", "--child", str(size)],
            check=True,
            capture_output=True,
            text=True,
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(json.dumps({"benchmark": "iati_import", "database": connection.vendor, "runs": runs}))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(child(int(sys.argv[2]))))
    else:
        main()
