"""Benchmark the programme donor report (PDF) against WeasyPrint rendering the same finished HTML.

Run by bench/run.py in a fresh database (DATABASE_URL); prints one JSON object with the figures.
Loads the demo (`BENCH_REPORT_SCALE`: the default demo unless set to `large`), then, as the programme manager,
times the whole programme report the task worker builds (every section read through the selectors, the HTML
rendered, the PDF written: `report_build` + `report_pdf`) against WeasyPrint alone turning the same finished HTML
into a PDF. Target: at most 1.5x. Also reports the report's query count, its pages, and the XLSX's time.
"""

import io
import json
import os
import statistics
import time
from collections.abc import Callable

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from twinning.accounts.models import User  # noqa: E402
from twinning.partnerships.models import Programme  # noqa: E402
from twinning.reports import documents, selectors  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SCALE = os.environ.get("BENCH_REPORT_SCALE", "default")
TARGET = 1.5


def median_seconds(fn: Callable[[], object]) -> float:
    fn()
    samples = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    options = {"reset": True, "stdout": io.StringIO()}
    if SCALE != "default":
        options["scale"] = SCALE
    call_command("demo", **options)
    manager = User.objects.get(email="manager@demo.twinning")
    programme = Programme.objects.filter(staff_roles__user=manager).first()
    assert programme is not None
    programme, access = selectors.get_programme_for_report(manager, programme.uuid)
    period = selectors.programme_report_periods(programme)
    year = next(p for p in period if p.frequency == "yearly" and p.end.year < 2027)
    partnerships = selectors.partnerships_in_report(programme)

    def build() -> documents.ReportDocument:
        return documents.report_build(
            user=manager,
            programme=programme,
            partnerships=partnerships,
            period=year,
            approved_only=not access.can_see_drafts,
        )

    with CaptureQueriesContext(connection) as captured:
        document = build()
    queries = len(captured)
    html = documents.report_html(document)
    pdf = documents.html_to_pdf(html)
    report = median_seconds(lambda: documents.report_pdf(build()))
    weasyprint = median_seconds(lambda: documents.html_to_pdf(html))
    xlsx = median_seconds(lambda: documents.report_xlsx(build()))
    print(
        json.dumps(
            {
                "benchmark": "reports",
                "database": connection.vendor,
                "scale": SCALE,
                "partnerships": len(partnerships),
                "period": year.id,
                "pages": len(PdfReader(io.BytesIO(pdf)).pages),
                "pdf_kb": round(len(pdf) / 1024),
                "queries": queries,
                "report_seconds": round(report, 3),
                "weasyprint_seconds": round(weasyprint, 3),
                "ratio_to_weasyprint": round(report / weasyprint, 2) if weasyprint else None,
                "target": TARGET,
                "xlsx_seconds": round(xlsx, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
