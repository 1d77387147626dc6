"""Benchmark the IATI 2.03 export of the large profile against a bare lxml build of the same tree.

Run by bench/run.py in a fresh database (DATABASE_URL); prints one JSON object with the figures.
Loads the large demo profile (`twinning demo --scale large`; `BENCH_IATI_SCALE` scales it, e.g. 0.1 for a quick
run), gives its programme an IATI organisation identifier, and times the programme's IATI file as its download
builds it (`interop.iati.selectors.programme_iati_file` as the programme manager: reading every partnership, plan,
target, approved result and allocation through the selectors, building the tree with lxml and serialising it),
with its query count. The baseline is lxml alone building the very same tree from a flat list of its elements
prepared beforehand (tag, attributes, text, parent; no database, no logic) and serialising it: the floor any
export of that file must pay. Target: the export reaches at least 50 % of the baseline's speed
(`ratio` = baseline seconds / export seconds). The schema and ruleset checks, which the download does not run,
are timed separately.
"""

import json
import os
import statistics
import time
from collections.abc import Callable

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from lxml import etree  # noqa: E402

from twinning.accounts.models import ProgrammeRole, User  # noqa: E402
from twinning.demo.load import demo_load  # noqa: E402
from twinning.interop.iati.rules import check  # noqa: E402
from twinning.interop.iati.selectors import programme_iati_file  # noqa: E402
from twinning.partnerships.models import Programme  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
SCALE = float(os.environ.get("BENCH_IATI_SCALE", "1"))


def median_seconds(fn: Callable[[], object]) -> float:
    fn()
    samples = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def flatten(root: etree._Element) -> list[tuple[int, str, dict[str, str], str | None, dict[str | None, str]]]:
    """The tree as a flat list: (parent's index, tag, attributes, text, namespaces); the root's parent is -1."""
    index = {root: 0}
    rows = [(-1, root.tag, dict(root.attrib), root.text, dict(root.nsmap))]
    for element in root.iterdescendants():
        index[element] = len(rows)
        rows.append((index[element.getparent()], element.tag, dict(element.attrib), element.text, {}))
    return rows


def bare_build(rows: list) -> bytes:
    """lxml alone: the same elements, attributes and texts, then the same serialisation."""
    _parent, tag, attrs, text, nsmap = rows[0]
    built = [etree.Element(tag, attrs, nsmap=nsmap)]
    for parent, tag, attrs, text, _ns in rows[1:]:
        element = etree.SubElement(built[parent], tag, attrs)
        element.text = text
        built.append(element)
    return etree.tostring(built[0], xml_declaration=True, encoding="UTF-8", pretty_print=True)


def main() -> None:
    loaded = demo_load("large", SCALE)
    programme = Programme.objects.get(pk=loaded.programme.pk)
    programme.iati_org_id = "XI-IATI-BENCH"
    programme.save(update_fields=["iati_org_id"])
    manager = ProgrammeRole.objects.filter(programme=programme, role=ProgrammeRole.Role.MANAGER).first()
    user = manager.user if manager else User.objects.filter(is_superuser=True).get()

    def export() -> bytes:
        return programme_iati_file(user, programme.uuid)[1].content

    with CaptureQueriesContext(connection) as captured:
        content = export()
    root = etree.fromstring(content)
    rows = flatten(root)
    assert bare_build(rows).count(b"<iati-activity ") == len(root)
    export_seconds = median_seconds(export)
    baseline_seconds = median_seconds(lambda: bare_build(rows))
    started = time.perf_counter()
    problems = check(root)
    check_seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "benchmark": "interop",
                "database": connection.vendor,
                "iati": {
                    "activities": len(root),
                    "elements": len(rows),
                    "bytes": len(content),
                    "export_seconds": round(export_seconds, 4),
                    "baseline_bare_lxml_seconds": round(baseline_seconds, 4),
                    "ratio": round(baseline_seconds / export_seconds, 3),
                    "target_ratio": 0.5,
                    "queries": len(captured.captured_queries),
                    "check_seconds": round(check_seconds, 4),
                    "problems": len(problems),
                },
            }
        )
    )


if __name__ == "__main__":
    main()
