"""Benchmark the DHIS2 import against raw PostgreSQL COPY in the same run, with its peak memory.

For each size in BENCH_DHIS2_SIZES (default 100,000 and 1,000,000 values), in its own process (so the peak
memory is that import's): a programme mapped to DHIS2 (20 monthly indicators as data elements, half broken down
by sex through two category option combos, one attribute option combo per partnership, ten host org units), a
DHIS2 data value set in JSON of that many values written to a file, then

- the baseline: a raw `COPY` of the same values, already resolved to ids, into the results table;
- the import: `twinning.interop.dhis2.imports.dhis2_import` (the path the upload, the API and the background
  worker use) reading the file as a stream: every value named back through the mapping, typed and checked by
  the results import, written through its COPY path, in one transaction.

Reports rows/s of both, the ratio (target: the import reaches at least 35 % of COPY's rows/s) and the process's
peak resident memory (ru_maxrss) before and after the import, so growth with the file shows. Then the results
are emptied and the same import runs again under tracemalloc (`traced_peak_mb`: the most memory Python objects
held at once during the import; tracemalloc slows Python down, so that run is not timed): bounded memory means
this figure stays the same from 100,000 to 1,000,000 values. `BENCH_DHIS2_TRACEMALLOC=0` skips it.
PostgreSQL only.
"""

import datetime
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
django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from twinning.accounts.models import User  # noqa: E402
from twinning.core.choices import Side  # noqa: E402
from twinning.core.periods import periods_between  # noqa: E402
from twinning.directory.models import Institution  # noqa: E402
from twinning.interop.dhis2.imports import ImportOptions, dhis2_import  # noqa: E402
from twinning.monitoring.models import PeriodReport  # noqa: E402
from twinning.partnerships.models import Partnership, PartnershipInstitution, Pillar, Programme  # noqa: E402
from twinning.planning.models import (  # noqa: E402
    DisaggregationCategory,
    DisaggregationOption,
    Indicator,
    Objective,
    Plan,
    PlanIndicator,
)

SIZES = [int(n) for n in os.environ.get("BENCH_DHIS2_SIZES", "100000,1000000").split(",")]
PERIODS = [p.id for p in periods_between(datetime.date(2024, 1, 1), datetime.date(2026, 1, 31), "monthly")]
DISAGGREGATED, PLAIN = 10, 10
ROWS_PER_PARTNERSHIP_PERIOD = DISAGGREGATED * 3 + PLAIN
DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
TRACE = os.environ.get("BENCH_DHIS2_TRACEMALLOC", "1") != "0"


def uid(prefix: str, n: int) -> str:
    """A DHIS2-shaped UID: a letter, then ten letters or digits."""
    text = ""
    while n:
        n, rest = divmod(n, 36)
        text = DIGITS[rest] + text
    return prefix + text.rjust(10, "0")


def setup(size: int, partnership_count: int) -> tuple[Programme, User, list[tuple[int, str, str]], dict]:
    """The mapped programme; returns it, its administrator, the partnerships (pk, org unit, combo) and the
    data elements and combos by id."""
    admin = User.objects.create_user(
        email=f"bench-dhis2-{size}@example.org", password="pw", is_superuser=True
    )
    programme = Programme.objects.create(name=f"DHIS2 bench {size}")
    pillar = Pillar.objects.create(programme=programme, code="p", name="Pillar", order=1)
    hosts = Institution.objects.bulk_create(
        [
            Institution(
                name=f"Host {size}-{n}",
                type="hospital",
                country="UG",
                city="X",
                dhis2_org_unit=uid("H", size * 100 + n),
            )
            for n in range(10)
        ]
    )
    partnerships = Partnership.objects.bulk_create(
        [
            Partnership(
                programme=programme,
                title=f"P{n:05d}",
                stage="implementation",
                dhis2_attribute_option_combo=uid("A", size * 10_000 + n),
            )
            for n in range(partnership_count)
        ]
    )
    PartnershipInstitution.objects.bulk_create(
        [
            PartnershipInstitution(partnership=p, institution=hosts[n % 10], side=Side.HOST)
            for n, p in enumerate(partnerships)
        ]
    )
    plans = Plan.objects.bulk_create(
        [
            Plan(
                partnership=p,
                title="Plan",
                first_year=2024,
                last_year=2026,
                status="agreed",
                agreed_at=timezone.now(),
            )
            for p in partnerships
        ]
    )
    objectives = Objective.objects.bulk_create(
        [Objective(plan=plan, code="O1", statement="O", pillar=pillar) for plan in plans]
    )
    sex = DisaggregationCategory.objects.create(programme=programme, code="sex", name="Sex")
    options = [
        DisaggregationOption.objects.create(
            category=sex, code=code, name=code, order=n, dhis2_category_option_combo=uid("C", size * 10 + n)
        )
        for n, code in enumerate(("female", "male"))
    ]
    indicators = []
    for n in range(DISAGGREGATED + PLAIN):
        indicator = Indicator.objects.create(
            programme=programme,
            code=f"IND{n:02d}",
            name=f"Indicator {n}",
            frequency="monthly",
            dhis2_data_element=uid("D", size * 100 + n),
        )
        if n < DISAGGREGATED:
            indicator.categories.add(sex)
        indicators.append(indicator)
    PlanIndicator.objects.bulk_create(
        [
            PlanIndicator(plan=plan, objective=o, indicator=i)
            for plan, o in zip(plans, objectives, strict=True)
            for i in indicators
        ],
        batch_size=5000,
    )
    units = [
        (p.pk, hosts[n % 10].dhis2_org_unit, p.dhis2_attribute_option_combo)
        for n, p in enumerate(partnerships)
    ]
    names = {
        "indicators": [(i.pk, i.dhis2_data_element, n < DISAGGREGATED) for n, i in enumerate(indicators)],
        "options": [(o.pk, o.dhis2_category_option_combo) for o in options],
    }
    return programme, admin, units, names


def write_files(
    directory: str, size: int, units: list[tuple[int, str, str]], names: dict, actor_id: int
) -> tuple[str, str, int]:
    """The DHIS2 JSON file, and the same values resolved to ids for the COPY baseline."""
    json_path, copy_path = f"{directory}/values.json", f"{directory}/values.copy"
    now = timezone.now().isoformat()
    count = 0
    with open(json_path, "w", buffering=1 << 16) as out, open(copy_path, "w", buffering=1 << 16) as raw:
        out.write('{"dataSet":"bENCHdataSet","dataValues":[')
        for period in PERIODS:
            for partnership_id, unit, combo in units:
                for indicator_id, element, split in names["indicators"]:
                    total = (indicator_id * 7 + count) % 500  # the breakdown's parts are a third each
                    for option_id, coc in [(None, ""), *(names["options"] if split else [])]:
                        if count >= size:
                            break
                        value = total if option_id is None else total // 3
                        coc_part = f',"categoryOptionCombo":"{coc}"' if coc else ""
                        out.write(
                            ("," if count else "")
                            + f'{{"dataElement":"{element}","period":"{period}","orgUnit":"{unit}"{coc_part},'
                            f'"attributeOptionCombo":"{combo}","value":"{value}"}}'
                        )
                        option = "\\N" if option_id is None else str(option_id)
                        raw.write(
                            f"1\t{now}\t{now}\t{partnership_id}\t{indicator_id}\t{period}\t{option}\t{value}\t\\N\t\\N\t\t\\N\t\t{actor_id}\n"
                        )
                        count += 1
        out.write("]}")
    return json_path, copy_path, count


def raw_copy(copy_path: str) -> float:
    started = time.perf_counter()
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.cursor.copy(
            "COPY monitoring_result (version, created_at, updated_at, partnership_id, indicator_id, period, "
            "option_id, value, numerator, denominator, text, score, comment, entered_by_id) FROM STDIN"
        ) as copy,
        open(copy_path, encoding="utf-8") as source,
    ):
        while chunk := source.read(1 << 20):
            copy.write(chunk)
    return time.perf_counter() - started


def empty_results() -> None:
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE monitoring_result CASCADE")
    PeriodReport.objects.all().delete()


def peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def child(size: int) -> dict:
    """One size, measured in this process."""
    partnership_count = max(1, -(-size // (ROWS_PER_PARTNERSHIP_PERIOD * len(PERIODS))))
    programme, admin, units, names = setup(size, partnership_count)
    with tempfile.TemporaryDirectory() as directory:
        json_path, copy_path, rows = write_files(directory, size, units, names, admin.pk)
        empty_results()
        copy_s = raw_copy(copy_path)
        empty_results()
        before = peak_mb()
        started = time.perf_counter()
        summary = dhis2_import(
            actor=admin,
            programme=programme,
            opener=lambda: open(json_path, "rb"),  # noqa: SIM115 (the reader closes it)
            fmt="json",
            options=ImportOptions(),
            source="bench",
        )
        import_s = time.perf_counter() - started
        assert summary.status == "SUCCESS" and summary.imported == rows, (
            summary.description,
            summary.conflicts[:3],
        )
        file_mb = round(os.path.getsize(json_path) / 1024 / 1024, 1)
        traced_peak_mb = None
        if TRACE:
            empty_results()
            tracemalloc.start()
            traced = dhis2_import(
                actor=admin,
                programme=programme,
                opener=lambda: open(json_path, "rb"),  # noqa: SIM115 (the reader closes it)
                fmt="json",
                options=ImportOptions(),
                source="bench",
            )
            traced_peak_mb = round(tracemalloc.get_traced_memory()[1] / 1024 / 1024, 1)
            tracemalloc.stop()
            assert traced.imported == rows, traced.description
    return {
        "values": rows,
        "file_mb": file_mb,
        "copy_seconds": round(copy_s, 3),
        "import_seconds": round(import_s, 3),
        "copy_rows_per_second": round(rows / copy_s),
        "import_rows_per_second": round(rows / import_s),
        "ratio_to_copy": round(copy_s / import_s, 3),
        "peak_mb_before_import": before,
        "peak_mb": peak_mb(),
        "traced_peak_mb": traced_peak_mb,
    }


def main() -> None:
    if connection.vendor != "postgresql":
        print(
            json.dumps(
                {
                    "benchmark": "dhis2",
                    "database": connection.vendor,
                    "skipped": "the DHIS2 benchmark measures PostgreSQL COPY; run it with a PostgreSQL DATABASE_URL",
                }
            )
        )
        return
    runs = []
    for size in SIZES:
        out = subprocess.run(
            [sys.executable, "-m", "bench.dhis2", "--child", str(size)],
            check=True,
            capture_output=True,
            text=True,
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(json.dumps({"benchmark": "dhis2", "database": connection.vendor, "runs": runs}))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(child(int(sys.argv[2]))))
    else:
        main()
