"""``python -m bench`` / ``make bench SIZE=10000``: build the book, measure, print the table, write JSON.

Databases (never the dev one): ``<db>`` (default ``termsops_bench``) holds the book up to ``BOOK_DAY``;
``<db>_next`` the same book one day of jobs later (the eve of an issue date); each measurement runs in
a child process on a fresh copy (``CREATE DATABASE … TEMPLATE``) so every repeat starts from the same
rows. Each figure is the median of ``--repeat`` runs; each speed target is a ratio against a floor
measured in the same run (issue 16).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from bench.dates import BOOK_DAY, ISSUE_DAY, ORDINARY_DAY

RESULTS = Path(__file__).with_name("results")
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
MEMORY_LIMIT_MB = 300


def _admin_cursor() -> Any:
    import psycopg

    return psycopg.connect(f"{PG_URL}/postgres", autocommit=True)


def recreate(name: str, template: str | None = None) -> None:
    with _admin_cursor() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def drop(name: str) -> None:
    with _admin_cursor() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _setup(db: str) -> None:
    os.environ["DATABASE_URL"] = f"{PG_URL}/{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from core.runtime import freeze_startup_objects

    freeze_startup_objects()  # as a worker process does once it is set up (core.runtime)


def _child(db: str, task: str, kwargs: dict[str, Any], queue: Any) -> None:
    try:
        _setup(db)
        if task == "build":
            from django.core.management import call_command

            from bench.book import build_book

            call_command("migrate", verbosity=0)
            info = build_book(log=lambda msg: print(f"  {msg}", flush=True), **kwargs)
            queue.put({"ok": True, "result": info.as_dict()})
        else:
            from bench.measure import MEASUREMENTS, peak_mb

            baseline = peak_mb()
            result = MEASUREMENTS[task](**kwargs)
            result["baseline_mb"] = baseline
            queue.put({"ok": True, "result": result})
    except BaseException as exc:  # reported to the parent, which fails loudly
        import traceback

        queue.put({"ok": False, "error": f"{exc!r}\n{traceback.format_exc()}"})


def in_child(db: str, task: str, **kwargs: Any) -> dict[str, Any]:
    """Run ``task`` in a fresh process (its own Django, connection and peak memory) on ``db``."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(db, task, kwargs, queue))
    proc.start()
    reply = queue.get()
    proc.join()
    if not reply["ok"]:
        raise RuntimeError(f"bench task {task} failed:\n{reply['error']}")
    return reply["result"]


def build(db: str, *, size: int, history_days: int) -> dict[str, Any]:
    """The book (``db``) and the book a day later (``db_next``), both templates for the copies."""
    recreate(db)
    info = in_child(db, "build", size=size, today=BOOK_DAY, history_days=history_days)
    recreate(f"{db}_next", template=db)
    in_child(f"{db}_next", "run_jobs", today=ORDINARY_DAY)
    return info


def on_copy(template: str, task: str, **kwargs: Any) -> dict[str, Any]:
    copy = f"{template}_copy"
    recreate(copy, template=template)
    try:
        return in_child(copy, task, **kwargs)
    finally:
        drop(copy)


def row(name: str, figure: float | None, floor: float | None, target: str, met: bool | None,
        unit: str = "", note: str = "", **extra: Any) -> dict[str, Any]:
    ratio = round(figure / floor, 2) if figure is not None and floor else None
    return {"name": name, "figure": None if figure is None else round(figure, 4),
            "floor": floor and round(floor, 4), "ratio": ratio, "target": target, "met": bool(met),
            "unit": unit, "note": note, **extra}


def measure(db: str, *, repeat: int) -> list[dict[str, Any]]:
    """Each measurement ``repeat`` times on fresh copies of the book; the table's rows."""
    runs = [on_copy(f"{db}_next", "invoice_run", today=ISSUE_DAY) for _ in range(repeat)]
    ordinary = [on_copy(db, "run_jobs", today=ORDINARY_DAY) for _ in range(repeat)]
    issue = [on_copy(f"{db}_next", "run_jobs", today=ISSUE_DAY) for _ in range(repeat)]
    dun = [on_copy(db, "dunning", today=ORDINARY_DAY) for _ in range(repeat)]
    sla = [on_copy(f"{db}_next", "sla_close", today=ISSUE_DAY) for _ in range(repeat)]
    lists = on_copy(db, "changelists")
    api = [on_copy(db, "api_invoice_list") for _ in range(repeat)]
    msgs = [on_copy(db, "messages") for _ in range(repeat)]
    return rows_from(runs=runs, ordinary=ordinary, issue=issue, dun=dun, sla=sla, lists=lists, api=api,
                     msgs=msgs)


def rows_from(*, runs: list[dict[str, Any]], ordinary: list[dict[str, Any]], issue: list[dict[str, Any]],
              dun: list[dict[str, Any]], sla: list[dict[str, Any]], lists: dict[str, Any],
              api: list[dict[str, Any]],
              msgs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The table's rows from the measurements (each list one entry per repeat; figures are medians)."""
    med = statistics.median
    first = med(r["first"]["seconds"] for r in runs)
    floor = med(r["floor_seconds"] for r in runs)
    invoices = runs[0]["first"]["counts"].get("invoices", 0)
    rows = [
        row(f"monthly invoice run ({invoices} invoices, {runs[0]['lines']} lines)", first, floor,
            "≤ 3× floor", floor and first / floor <= 3, "s", queries=runs[0]["first"]["queries"],
            queries_per_invoice=round(runs[0]["first"]["queries"] / max(invoices, 1), 2)),
    ]
    again = med(r["again"]["seconds"] for r in runs)
    again_queries = runs[0]["again"]["queries"]
    rows.append(row("the same run again (nothing to issue)", again, first, "≤ 2% of the first run",
                    first and again / first <= 0.02, "s", queries=again_queries,
                    note="constant queries: see tests/test_query_scaling.py"))
    for label, data, limit in (("ordinary date", ordinary, 2), ("issue date", issue, 5)):
        seconds = med(d["seconds"] for d in data)
        rows.append(row(f"run_jobs, {label} ({(ORDINARY_DAY if label == 'ordinary date' else ISSUE_DAY)})",
                        seconds, floor, f"≤ {limit}× invoice floor", floor and seconds / floor <= limit, "s",
                        queries=data[0]["queries"], jobs=data[0]["jobs"]))
    d_seconds = med(d["seconds"] for d in dun)
    d_floor = med(d["floor_seconds"] for d in dun)
    rows.append(row(f"dunning job ({dun[0]['overdue_invoices']} overdue invoices)", d_seconds, d_floor,
                    "≤ 5× UPDATE floor", d_floor and d_seconds / d_floor <= 5, "s",
                    queries=dun[0]["queries"], counts=dun[0]["counts"]))
    s_seconds = med(x["seconds"] for x in sla)
    s_floor = med(x["floor_seconds"] for x in sla)
    counts = sla[0]["counts"]
    label = (f"SLA month close ({counts.get('contracts', 0)} contracts, {sla[0]['incidents']} incidents, "
             f"{sla[0]['credit_notes']} credit notes)")
    rows.append(row(label, s_seconds, s_floor, "≤ 5× INSERT … SELECT floor",
                    s_floor and s_seconds / s_floor <= 5, "s", queries=sla[0]["queries"], counts=counts,
                    note="floor: INSERT … SELECT of the same month rows and credit notes"))
    peaks = {
        "invoice_run": max(r["peak_mb"] for r in runs),
        "run_jobs ordinary": max(d["peak_mb"] for d in ordinary),
        "run_jobs issue": max(d["peak_mb"] for d in issue),
        "dunning": max(d["peak_mb"] for d in dun),
        "sla_close": max(x["peak_mb"] for x in sla),
        "messages": max(m["peak_mb"] for m in msgs),
    }
    worst = max(peaks.values())
    rows.append(row("peak memory of any job", worst, None, f"< {MEMORY_LIMIT_MB} MB", worst < MEMORY_LIMIT_MB,
                    "MB", per_job={k: round(v, 1) for k, v in peaks.items()},
                    note="process peak RSS (ru_maxrss); flatness needs runs at two sizes"))
    for label, data in lists.items():
        if not isinstance(data, dict):
            continue  # baseline_mb
        ok = data["status"] == 200 and data["queries"] == data["queries_10_rows"] and data["seconds"] < 0.3
        rows.append(row(f"admin changelist: {label} ({data['rows']} rows)", data["seconds"], None,
                        "queries as for 10 rows; first page < 300 ms", ok, "s", queries=data["queries"],
                        queries_10_rows=data["queries_10_rows"], per_page=data["per_page"],
                        status=data["status"]))
    p95 = med(a["p95"] for a in api)
    errors = max(a["errors"] for a in api)
    rows.append(row(f"API invoice list, 50 clients on gunicorn ({api[0]['web_workers']} workers), p95", p95,
                    None, "p95 < 150 ms, 0 errors", p95 < 0.15 and errors == 0, "s", errors=errors,
                    requests=api[0]["requests"], per_second=round(med(a["per_second"] for a in api), 1),
                    error_samples=api[0]["error_samples"]))
    rate = med(m["per_second"] for m in msgs)
    rows.append(row(f"messages through the fake provider, 2 workers ({msgs[0]['accepted']} sent)", rate, None,
                    "≥ 1,000 messages/s", rate >= 1000 and not msgs[0]["errors"], "msg/s",
                    recorded=msgs[0]["recorded"], errors=msgs[0]["errors"]))
    return rows


def render(rows: list[dict[str, Any]]) -> str:
    def fmt(value: Any) -> str:
        if value is None:
            return "-"
        return f"{value:,.3f}" if isinstance(value, float) else str(value)

    head = ("what", "figure", "floor", "ratio", "target", "met")
    lines = [" | ".join(head), " | ".join("---" for _ in head)]
    for r in rows:
        figure = fmt(r["figure"]) + (f" {r['unit']}" if r["figure"] is not None and r["unit"] else "")
        if "queries_10_rows" in r:
            figure += f" ({r['queries']:,} q; {r['queries_10_rows']:,} q for 10 rows)"
        elif "queries" in r:
            figure += f" ({r['queries']:,} q)"
        lines.append(" | ".join([r["name"], figure, fmt(r["floor"]), fmt(r["ratio"]), r["target"],
                                 "yes" if r["met"] else "no"]))
    table = "\n".join(f"| {line} |" for line in lines)
    by_job = (f"\n\n{r['name']}, by job:\n{render_jobs(r['jobs'])}" for r in rows if r.get("jobs"))
    return table + "".join(by_job)


def render_jobs(jobs: dict[str, Any]) -> str:
    """The jobs of one ``run_jobs`` row, slowest first: seconds and queries each."""
    lines = ["| job | seconds | queries |", "| --- | --- | --- |"]
    for name, data in sorted(jobs.items(), key=lambda kv: -kv[1].get("seconds", 0)):
        lines.append(f"| {name} | {data.get('seconds', 0):,.3f} | {data.get('queries', 0):,} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--size", type=int, default=int(os.environ.get("SIZE", "100000")),
                        help="contracts in the book (default 100,000; env SIZE)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the median is reported")
    parser.add_argument("--history-days", type=int, default=365, help="days of history (default a year)")
    parser.add_argument("--db", default="termsops_bench", help="the bench database (dropped and rebuilt)")
    parser.add_argument("--reuse", action="store_true", help="measure the book already built in --db")
    args = parser.parse_args(argv)
    if args.db in {"termsops", "postgres"} or not args.db.startswith(("termsops_bench", "bench")):
        parser.error("--db must be a bench database (termsops_bench…)")
    started = time.perf_counter()
    book: dict[str, Any] = {}
    if not args.reuse:
        print(f"building the book: {args.size:,} contracts, {args.history_days} days of history", flush=True)
        book = build(args.db, size=args.size, history_days=args.history_days)
        print(f"  {book['customers']:,} customers, {book['contracts']:,} contracts, "
              f"{book['invoices']:,} invoices, {book['overdue_invoices']:,} overdue", flush=True)
    rows = measure(args.db, repeat=args.repeat)
    print(render(rows))
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{dt.date.today().isoformat()}-{args.size}.json"  # noqa: DTZ011 (the file's date)
    out.write_text(json.dumps({"size": args.size, "repeat": args.repeat, "book": book, "rows": rows},
                              ensure_ascii=False, indent=2, default=str))
    print(f"written {out} in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
