"""Benchmark the exchange-rate import's growth with its size, and what hostile workbooks cost to refuse.

Run by bench/run.py in a fresh database (DATABASE_URL); prints one JSON object with the figures.

- Exchange-rate import: 5,000, 10,000 and 20,000 valid rows (`BENCH_RATES`, the import's limit) through
  `contributions.services.exchange_rates_import`, the path the web upload and the API use. The ratio of the
  largest to the smallest time per row says whether it grows linearly (about 1) or worse.
- Hostile workbooks, each read in its own process through `twinning.core.uploads.read_table` (the reader every
  import uses), reporting seconds, the process's peak memory and what the reader answered: a 1 MB XLSX whose one
  cell inflates to about 1 GB, a shared-strings bomb of about 900 MB, and a 1,000,000-row sheet without a
  <dimension>. The baseline is the same process reading a small ordinary workbook.
"""

import io
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterable
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.db import connection  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from twinning.accounts.models import ProgrammeRole  # noqa: E402
from twinning.contributions.models import ExchangeRate  # noqa: E402
from twinning.contributions.services import exchange_rates_import  # noqa: E402
from twinning.core.reference import currency_names  # noqa: E402
from twinning.partnerships.models import Programme  # noqa: E402
from twinning.testing.factories import ProgrammeFactory, programme_staff  # noqa: E402

SIZES = [int(n) for n in os.environ.get("BENCH_RATES", "5000,10000,20000").split(",")]
SHEET = "xl/worksheets/sheet1.xml"
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

# Read in a child process so each figure is that file's own peak memory (ru_maxrss, kilobytes on Linux).
CHILD = """
import json, os, resource, sys, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()
from django.core.exceptions import ValidationError
from twinning.core.uploads import read_table
started = time.perf_counter()
rows, answer = 0, "read"
try:
    with open(sys.argv[1], "rb") as source:
        for _row in read_table(source, max_rows=20000):
            rows += 1
except ValidationError as exc:
    answer = " ".join(exc.messages)
print(json.dumps({"seconds": round(time.perf_counter() - started, 3), "rows": rows, "answer": answer[:120],
                  "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
"""


def rates_csv(rows: int) -> bytes:
    """`rows` valid, non-overlapping rates: consecutive months for each of many currencies."""
    currencies = sorted(c for c in currency_names() if c != "USD")
    lines = ["currency,valid_from,valid_to,rate,source"]
    for n in range(rows):
        currency = currencies[n % len(currencies)]
        month = n // len(currencies)
        year, month0 = 2000 + month // 12, month % 12
        lines.append(f"{currency},{year}-{month0 + 1:02d}-01,{year}-{month0 + 1:02d}-28,1.{n % 997},bench")
    return ("\n".join(lines) + "\n").encode()


def time_rate_imports() -> dict[str, object]:
    programme: Programme = ProgrammeFactory(reporting_currency="USD")  # type: ignore[assignment]
    finance = programme_staff(
        programme, ProgrammeRole.Role.FINANCE_OFFICER, email="bench-finance@example.org"
    )
    seconds = {}
    for size in SIZES:
        data = rates_csv(size)
        ExchangeRate.objects.all().delete()
        started = time.perf_counter()
        created = exchange_rates_import(actor=finance, programme=programme, data=data)
        seconds[size] = round(time.perf_counter() - started, 3)
        assert len(created) == size, (len(created), size)
    small, large = SIZES[0], SIZES[-1]
    return {
        "seconds_by_rows": seconds,
        "per_row_growth": round((seconds[large] / large) / (seconds[small] / small), 2),
    }


def workbook_with(member: str, content_chunks: Iterable[bytes]) -> bytes:
    """A small real workbook with one member replaced, written in chunks (the bombs never sit in memory)."""
    book = Workbook()
    book.active.append(["a"])
    plain = io.BytesIO()
    book.save(plain)
    source = zipfile.ZipFile(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for item in source.infolist():
            if item.filename != member:
                target.writestr(item.filename, source.read(item.filename))
        with target.open(member, "w", force_zip64=True) as stream:
            for chunk in content_chunks:
                stream.write(chunk)
    return out.getvalue()


def repeated(head: bytes, unit: bytes, count: int, tail: bytes) -> list[bytes]:
    block = unit * 100_000
    return [head, *([block] * (count // 100_000)), tail]


def hostile_files() -> dict[str, bytes]:
    sheet_head = f'<worksheet xmlns="{NS}"><sheetData>'.encode()
    sheet_tail = b"</sheetData></worksheet>"
    huge_cell = workbook_with(
        SHEET,
        repeated(
            sheet_head + b'<row r="1"><c t="inlineStr"><is><t>',
            b"x" * 10,
            100_000_000,
            b"</t></is></c></row>" + sheet_tail,
        ),
    )
    strings = workbook_with(
        "xl/sharedStrings.xml",
        repeated(f'<sst xmlns="{NS}">'.encode(), b"<si><t>a</t></si>", 50_000_000, b"</sst>"),
    )
    # Distinct values, so it packs like a real sheet (about 10x) and passes the archive check: the row limit
    # is what stops it.
    numbered = (f'<row><c t="inlineStr"><is><t>{n}</t></is></c></row>'.encode() for n in range(1_000_000))
    no_dimension = workbook_with(SHEET, [sheet_head, *numbered, sheet_tail])
    ordinary = Workbook()
    for n in range(1000):
        ordinary.active.append([f"row {n}", n, n / 3])
    out = io.BytesIO()
    ordinary.save(out)
    return {
        "ordinary_1000_rows": out.getvalue(),
        "one_huge_cell": huge_cell,
        "shared_strings_bomb": strings,
        "no_dimension_1m_rows": no_dimension,
    }


def read_in_child(path: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, path],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    rates = time_rate_imports()
    files = {}
    with tempfile.TemporaryDirectory() as directory:
        for name, data in hostile_files().items():
            path = os.path.join(directory, f"{name}.xlsx")
            Path(path).write_bytes(data)
            files[name] = {"file_kb": len(data) // 1024, **read_in_child(path)}
    print(
        json.dumps(
            {
                "benchmark": "imports",
                "database": connection.vendor,
                "exchange_rate_import": rates,
                "hostile_xlsx": files,
            }
        )
    )


if __name__ == "__main__":
    main()
