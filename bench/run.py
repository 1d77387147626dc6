"""`make bench`: run every benchmark on a fresh SQLite file and, when reachable, a fresh PostgreSQL database.

Each benchmark runs in its own process against its own database and prints JSON; this script prints a table
and writes bench/results/latest.json. Figures are ratios to a baseline measured in the same run, because the
machines are noisy.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres")
PG_BENCH_DB = os.environ.get("BENCH_PG_DB", "twinning_bench")  # another name lets two benches share a server
BENCHMARKS = [
    "bench.lists",
    "bench.contributions",
    "bench.planning",
    "bench.exchanges",
    "bench.sustainability",
    "bench.monitoring",
    "bench.matching",
    "bench.load",
    "bench.imports",
    "bench.dhis2",
    "bench.interop",
    "bench.iati_import",
    "bench.reports",
    "bench.knowledge",
    "bench.slowlinks",
]


def postgres_url() -> str | None:
    """A freshly created benchmark database on the local PostgreSQL, or None when there is none."""
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {PG_BENCH_DB}")
    except Exception as exc:  # any failure means: no PostgreSQL to benchmark on here
        print(f"PostgreSQL not available ({exc}); benchmarking SQLite only.", file=sys.stderr)
        return None
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{PG_BENCH_DB}"


def run(module: str, database_url: str, var_dir: str) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TWINNING_VAR_DIR": var_dir,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PYTHONPATH": str(ROOT),
    }
    subprocess.run(
        [sys.executable, "-m", "twinning.cli", "migrate", "--noinput", "-v", "0"],
        env=env,
        check=True,
        cwd=ROOT,
    )
    out = subprocess.run(
        [sys.executable, "-m", module], env=env, check=True, cwd=ROOT, capture_output=True, text=True
    )
    return json.loads(out.stdout)


def main() -> None:
    # `python bench/run.py slowlinks lists` (`make bench BENCH="slowlinks lists"`) runs only those.
    chosen = [f"bench.{name.removeprefix('bench.')}" for name in sys.argv[1:]] or BENCHMARKS
    results = []
    with tempfile.TemporaryDirectory() as var_dir:
        targets = [("sqlite", f"sqlite:///{var_dir}/bench.sqlite3")]
        pg = postgres_url()
        if pg:
            targets.append(("postgresql", pg))
        # BENCH_DATABASES=postgresql (or sqlite) runs on that one only.
        wanted = (
            os.environ.get("BENCH_DATABASES", "").split(",") if os.environ.get("BENCH_DATABASES") else None
        )
        for name, url in targets:
            if wanted is not None and name not in wanted:
                continue
            for module in chosen:
                results.append(run(module, url, var_dir))
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "latest.json").write_text(json.dumps(results, indent=2))
    print(
        f"{'database':<11} {'what':<10} {'pages':>5} {'seconds':>8} {'SQL s':>8} {'ratio':>6} {'queries/page':>12}"
    )
    for r in results:
        if r.get("benchmark") == "matching":
            if "engine" in r:
                o, s = r["engine"]["optimal"], r["engine"]["stable"]
                print(
                    f"{r['database']:<11} matching {r['engine']['size']}: pruned optimal {o['pruned_seconds']} s vs "
                    f"linear_sum_assignment {o['baseline_linear_sum_assignment_seconds']} s = "
                    f"{o['pruned_time_ratio']:.3f}x, keeps {o['pruned_total_share']:.2%}; stable {s['ratio']:.2f}x plain DA"
                )
            print(
                f"{r['database']:<11} matching round {r['end_to_end']['size']}: {r['end_to_end']['round_seconds']} s"
            )
            t = r["find_a_twin"]
            print(
                f"{r['database']:<11} find a twin: 1 x {t['directory']} in {t['seconds']} s, {t['queries']} queries "
                f"({t['ratio_to_sql']}x reading the profiles in SQL); page on {t['page']['directory']}: "
                f"{t['page']['seconds']} s, {t['page']['queries']} queries (budget {t['page']['budget_seconds']} s)"
            )
            continue
        if r.get("benchmark") == "load":
            if r.get("skipped"):
                print(f"{r['database']:<11} load skipped: {r['skipped']}")
                continue
            print(
                f"{r['database']:<11} load: gunicorn {r['gunicorn_workers']} workers, demo --scale {r['scale']} "
                f"({r['partnerships']} partnerships), {r['seconds_per_run']} s a run"
            )
            for load_run in r["runs"]:
                print(
                    f"{r['database']:<11}   {load_run['page']:<20} {load_run['clients']:>3} clients {load_run['requests_per_second']:>7} req/s "
                    f"p50 {load_run['p50_ms']:>5} ms p95 {load_run['p95_ms']:>5} ms p99 {load_run['p99_ms']:>5} ms errors {load_run['errors']}"
                )
            continue
        if r.get("benchmark") == "monitoring":
            if r.get("skipped"):
                print(f"{r['database']:<11} monitoring skipped: {r['skipped']}")
                continue
            i, u = r["import"], r["rollup"]
            print(
                f"{r['database']:<11} results import {r['rows']} rows: {i['import_rows_per_second']}/s vs COPY "
                f"{i['copy_rows_per_second']}/s = {i['ratio_to_copy']:.0%} (re-import unchanged {i['reimport_unchanged_seconds']} s)"
            )
            print(
                f"{r['database']:<11} programme roll-up {u['seconds']:.4f} s vs GROUP BY {u['baseline_sql_seconds']:.4f} s "
                f"= {u['ratio_to_sql']:.2f}x; queries {r['queries_empty_vs_full']}"
            )
            continue
        if r.get("benchmark") == "dhis2":
            if r.get("skipped"):
                print(f"{r['database']:<11} dhis2 skipped: {r['skipped']}")
                continue
            for d in r["runs"]:
                print(
                    f"{r['database']:<11} DHIS2 import {d['values']} values ({d['file_mb']} MB JSON): "
                    f"{d['import_rows_per_second']}/s vs COPY {d['copy_rows_per_second']}/s = {d['ratio_to_copy']:.0%}; "
                    f"peak memory {d['peak_mb']} MB ({d['peak_mb_before_import']} MB before the import); "
                    f"tracemalloc peak {d.get('traced_peak_mb')} MB"
                )
            continue
        if r.get("benchmark") == "interop" and "iati" in r:
            x = r["iati"]
            print(
                f"{r['database']:<11} IATI export {x['activities']} activities ({x['elements']} elements): "
                f"{x['export_seconds']} s vs bare lxml {x['baseline_bare_lxml_seconds']} s = {x['ratio']:.0%} "
                f"(target {x['target_ratio']:.0%}), {x['queries']} queries; checks {x['check_seconds']} s, "
                f"{x['problems']} problems"
            )
            continue
        if r.get("benchmark") == "iati_import":
            for d in r["runs"]:
                print(
                    f"{r['database']:<11} IATI import {d['values']} values ({d['file_mb']} MB, {d['activities']} "
                    f"activities): read {d['read_seconds']} s (tracemalloc peak {d['read_traced_peak_mb']} MB), "
                    f"dry-run import {d['import_seconds']} s, {d['problems']} problems; tracemalloc peak "
                    f"{d['traced_peak_mb']} MB, peak RSS {d['peak_mb']} MB"
                )
            continue
        if r.get("benchmark") == "reports":
            print(
                f"{r['database']:<11} programme PDF report ({r['partnerships']} partnerships, {r['pages']} pages): "
                f"{r['report_seconds']} s vs WeasyPrint alone {r['weasyprint_seconds']} s = "
                f"{r['ratio_to_weasyprint']}x (target <= {r['target']}x), {r['queries']} queries; XLSX {r['xlsx_seconds']} s"
            )
            continue
        if r.get("benchmark") == "slowlinks":
            first, repeat = r["first_visit"], r["repeat_visit"]
            print(
                f"{r['database']:<11} {r['page']} at {r['link']}: first visit usable {first['usable_seconds']} s, "
                f"loaded {first['loaded_seconds']} s, {first['bytes_received']} bytes; repeat visit usable "
                f"{repeat['usable_seconds']} s, {repeat['bytes_received']} bytes; weighed "
                f"{r['weight_first_load_bytes']} / {r['weight_repeat_visit_bytes']} bytes (budget 5 s, 60 KB, 15 KB)"
            )
            continue
        if r.get("benchmark") == "knowledge":
            for text, f in r["search"].items():
                against = f" vs bare SQL {f['bare_sql_seconds']} s = {f['ratio']}x" if "ratio" in f else ""
                print(
                    f"{r['database']:<11} search {r['entries']} entries {text!r:<22} {f['app_seconds']} s"
                    f"{against} ({f['total']} found)"
                )
            p = r["public_list"]
            print(
                f"{r['database']:<11} public practice list: {p['queries']} queries, {p['bytes']} bytes, "
                f"{p['gzip_bytes']} gzipped, {r['public_list_seconds']} s"
            )
            continue
        if r.get("benchmark") == "imports":
            rates = r["exchange_rate_import"]
            print(
                f"{r['database']:<11} exchange-rate import seconds by rows {rates['seconds_by_rows']}; "
                f"time per row grows {rates['per_row_growth']}x from smallest to largest"
            )
            for name, f in r["hostile_xlsx"].items():
                print(
                    f"{r['database']:<11} {name:<22} {f['file_kb']:>6} KB: {f['seconds']} s, peak {f['peak_mb']} MB, "
                    f"{f['rows']} rows; {f['answer'][:60]}"
                )
            continue
        if r.get("benchmark") == "contributions":
            for key in ("leverage_dashboard", "disclosure_xlsx"):
                f = r[key]
                print(
                    f"{r['database']:<11} {key[:14]:<14} {1:>5} {f['seconds']:>8.4f} {f['baseline_sql_seconds']:>8.4f} "
                    f"{f['ratio_to_sql']:>5.1f}x {f['queries']:>12}"
                )
            print(
                f"{r['database']:<11} leverage (verified) {r['leverage_verified']} over {r['gifts']} gifts, {r['time_entries']} time entries"
            )
            continue
        if r.get("benchmark") == "exchanges":
            for key in ("programme_summary", "summary_api"):
                f = r[key]
                print(
                    f"{r['database']:<11} {key[:14]:<14} {1:>5} {f['seconds']:>8.4f} {f['baseline_sql_seconds']:>8.4f} "
                    f"{f['ratio_to_sql']:>5.1f}x {f['queries']:>12}"
                )
            print(
                f"{r['database']:<11} exchanges: {r['exchanges']}, participants: {r['participants']}; "
                f"queries small vs big {r['queries_small_vs_big']}"
            )
            continue
        if r.get("benchmark") == "planning":
            for key in ("plan_pages", "plan_api", "big_plan_page", "big_plan_api"):
                f = r[key]
                print(
                    f"{r['database']:<11} {key:<13} {f['pages']:>2} {f['seconds']:>8.4f} {f['baseline_sql_seconds']:>8.4f} "
                    f"{f['ratio_to_sql']:>5.1f}x {f['queries_per_page']:>12}"
                )
            print(
                f"{r['database']:<11} big plan: {r['big_plan_targets']} targets; queries {r['queries_small_vs_big']}"
            )
            continue
        for key in ("list_page", "api_list"):
            f = r[key]
            print(
                f"{r['database']:<11} {key:<10} {f['pages']:>5} {f['seconds']:>8.4f} {f['baseline_sql_seconds']:>8.4f} "
                f"{f['ratio_to_sql']:>5.1f}x {f['queries_per_page']:>12}"
            )
        print(f"{r['database']:<11} demo --scale large loaded in {r['demo_large_load_seconds']} s")


if __name__ == "__main__":
    main()
