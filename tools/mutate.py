"""Mutation testing of the money and date rules with mutmut 3 (issue 9), one module at a time.

Each module is mutated in its own scratch copy of the project (``.mutation/<module>/``) with only the
test files that cover it (``MODULES`` below), so a run finishes in minutes instead of hours, and the
results of one module never mix with another's. Tests need the real PostgreSQL and Redis, as always:
export ``TEST_DATABASE_NAME`` and ``REDIS_URL`` first (see docs/testing.md). Each mutmut worker gets
its own reused test database (``<TEST_DATABASE_NAME>_mut_<module>_s<slot>``, see tests/conftest.py).

    python tools/mutate.py                      # every module in MODULES
    python tools/mutate.py core/money.py        # one or more modules
    python tools/mutate.py --report             # print the table of the last runs only
    python tools/mutate.py --collect core/money.py  # re-read a module's results (e.g. after an interrupt)
    python tools/mutate.py --recheck core/money.py  # survivors, unreached, untested again: current tests
    python tools/mutate.py --only "*ǁ_Runǁ*" billing/services/dunning.py  # a fresh run of part of a module

Writes ``.mutation/report.json`` and prints a markdown table (killed, survived, timeout per module).
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".mutation"

# module -> the tests that cover it (a per-module test selection; pytest arguments such as --deselect allowed)
MODULES: dict[str, list[str]] = {
    "core/money.py": [
        "tests/core/test_money.py",
        "tests/billing/test_money_properties.py",
    ],
    "core/calendar.py": [
        "tests/core/test_calendar.py",
        "tests/billing/test_dates.py",
    ],
    "billing/services/late_charges.py": [
        "tests/billing/test_late_charges.py",
        "tests/billing/test_late_charge_edges.py",
        "tests/billing/test_late_charge_terms_change.py",  # version spans, segments and the model per day
        "tests/billing/test_money_properties.py",
        # two job-walking integration tests (10-20 s each on a loaded machine, per surviving mutant); the
        # billing steps they cover are tested directly in test_late_charge_edges.py
        "--deselect",
        "tests/billing/test_late_charges.py::test_flow_surcharge_through_run_jobs_and_rebilled",
        "--deselect",
        "tests/billing/test_late_charges.py::test_dcloud_late_fee_is_billed_once_on_the_next_invoice",
    ],
    "billing/services/charges.py": [
        "tests/billing/test_charges.py",
        "tests/billing/test_suspension_fees.py",  # the BIL-16 suspension credits live in charges.py
        "tests/billing/test_charges_edges.py",
        "tests/billing/test_charges_promotion_edges.py",
        "tests/billing/test_charges_suspension_edges.py",
        "tests/billing/test_money_edges.py",
        "tests/billing/test_money_properties.py",
    ],
    "billing/services/seats.py": [
        "tests/billing/test_seats.py",
        "tests/billing/test_seats_edges.py",
        # only the peak tests of test_money_edges.py: its invoice-run and settlement tests reach the peak
        # too, at 10-30 s per mutant on a loaded machine, and check the same peaks less directly
        "tests/billing/test_money_edges.py::test_peak_on_the_last_day_of_the_month_is_billed",
        "tests/billing/test_money_edges.py::test_peak_from_assignments_counts_a_release_on_the_last_day",
    ],
    "billing/services/dates.py": [
        "tests/billing/test_dates.py",
        "tests/billing/test_dates_edges.py",
        "tests/billing/test_collection_business_days.py",
    ],
    "billing/services/settlement.py": [
        "tests/billing/test_settlement.py",
        "tests/billing/test_settlement_edges.py",
        "tests/billing/test_settlement_property.py",
        "tests/billing/test_money_edges.py",
        "tests/billing/test_money_properties.py",
        # the six preview-equals-issued tests (one per preset) walk the whole job chain: 5-30 s each per
        # surviving mutant on the loaded machine; the lines they compare are checked one by one in
        # test_settlement.py and test_settlement_edges.py
        "--deselect",
        "tests/billing/test_settlement.py::test_preview_equals_issued_settlement",
    ],
    "billing/services/dunning.py": [
        "tests/billing/test_dunning.py",
        "tests/billing/test_dunning_batches.py",
        "tests/billing/test_dunning_lifting.py",
        "tests/billing/test_dunning_steps.py",
        "tests/billing/ui/test_dunning.py",
        # the ladder around a dispute (BIL-10, DUN-1): ``on_dispute_decided`` cancels the steps it caused
        "tests/billing/test_disputes.py",
        "tests/billing/test_dunning_disputes.py",  # on_dispute_decided at its edges
        "tests/billing/test_dunning_retries.py",  # retry steps and measures around the automatic charges
        # the two thread-based "two workers" tests: mutmut forks its workers, and a mutant that breaks the
        # row locking makes them wait for their timeout; one process's results are what the rest check
        "--deselect",
        "tests/billing/test_dunning.py::test_two_workers_at_once_execute_each_step_once",
        "--deselect",
        "tests/billing/test_dunning_batches.py::test_two_workers_on_the_same_batches_execute_each_step_once",
    ],
    "billing/services/disputes.py": [
        "tests/billing/test_disputes.py",
        "tests/billing/test_dispute_edges.py",
        # four job-walking ladder tests (the dunning ladder around a dispute: dunning.py's and facts.py's
        # rules, walked day by day); the one that checks a decision's effect on the ladder stays
        "--deselect",
        "tests/billing/test_disputes.py::test_open_dispute_holds_its_amount_and_undisputed_part_is_dunned",
        "--deselect",
        "tests/billing/test_disputes.py::test_rejected_dispute_returns_the_amount_to_dunning",
        "--deselect",
        "tests/billing/test_disputes.py::test_upheld_dispute_cancels_the_steps_it_caused",
        "--deselect",
        "tests/billing/test_disputes.py::test_withdrawn_dispute_is_dunned_again",
    ],
    "billing/services/numbering.py": [
        "tests/billing/test_numbering.py",
    ],
    "contracts/services/terms.py": [
        "tests/contracts/test_rules_terms.py",
        "tests/contracts/test_terms_edges.py",
        # the publication notice's comparison in short and its link to the changed articles (TRM-3)
        "tests/contracts/test_terms_comparison.py::test_notice_lists_the_changes",
        "tests/contracts/test_terms_comparison.py::test_portal_notice_links_the_changed_articles",
    ],
    "contracts/services/renewal.py": [
        "tests/contracts/test_rules_renewal.py",
        "tests/contracts/test_renewal_edges.py",
    ],
    # SLA-3/SLA-4: availability of a month and the credit it earns (interfaces and the two-worker test left
    # out: they call the same services)
    "sla/services/availability.py": [
        "tests/sla/test_availability.py",
        "tests/sla/test_worked_examples.py",
        "tests/sla/test_termination_and_status.py",
        "tests/sla/test_credit_edges.py",
        "tests/sla/test_availability_edges.py",
    ],
    "sla/services/credits.py": [
        "tests/sla/test_worked_examples.py",
        "tests/sla/test_month_close.py",
        "tests/sla/test_claims.py",
        "tests/sla/test_credit_edges.py",
        # the batched month close (issue 19): its plan and one batch; the thread-based two-worker test is
        # left out (mutmut forks its workers; one process's results are what the rest check)
        "tests/sla/test_month_close_batches.py",
        "--deselect",
        "tests/sla/test_month_close_batches.py::test_two_workers_on_the_same_batch_close_each_month_once",
    ],
    # MSG-7: advertising text and the 080 opt-out, the night window, recipients who refused
    "messaging/services/spam.py": [
        "tests/messaging/test_paid_spam.py",
        "tests/messaging/test_recipient_history.py",
        "tests/messaging/test_spam_edges.py",
    ],
    # MSG-2: CP949 sizes, SMS or LMS, Kakao limits
    "messaging/services/encoding.py": [
        "tests/messaging/test_paid_encoding.py",
        "tests/messaging/test_encoding_edges.py",
    ],
}

SOURCE_PATHS = ["core", "accounts", "messaging", "contracts", "billing", "sla", "privacy", "config"]
ALSO_COPY = ["manage.py", "templates", "locale", "static", "tests"]
MAX_CHILDREN = 2


def slug(module: str) -> str:
    return module.removesuffix(".py").replace("/", "_")


def mutmut_section(module: str, tests: list[str]) -> str:
    def toml_list(items: list[str]) -> str:
        return "[" + ", ".join(json.dumps(i) for i in items) + "]"

    return (
        "\n[tool.mutmut]\n"
        f"source_paths = {toml_list(SOURCE_PATHS)}\n"
        f"only_mutate = {toml_list([module])}\n"
        f"also_copy = {toml_list(ALSO_COPY)}\n"
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "--reuse-db", "-q"]\n'
        f"pytest_add_cli_args_test_selection = {toml_list(tests)}\n"
        "use_git_change_detection = false\n"
    )


def prepare(module: str) -> Path:
    """A fresh scratch copy of the worktree's files (tracked and new, not ignored), mutmut configured."""
    work = WORK / slug(module)
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.splitlines()
    for name in listed:
        source = ROOT / name
        if not source.is_file():
            continue
        target = work / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    for compiled in (ROOT / "locale").rglob("*.mo"):  # compiled catalogues may be untracked
        target = work / compiled.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(compiled, target)
    pyproject = (work / "pyproject.toml").read_text("utf-8")
    pyproject = re.sub(r"\n\[tool\.mutmut\]\n(?:[^\[].*\n|\n)*", "\n", pyproject)
    (work / "pyproject.toml").write_text(pyproject + mutmut_section(module, MODULES[module]), "utf-8")
    return work


def drop_databases(base: str) -> None:
    """Drop the worker test databases of ``base`` (a run killed while migrating leaves one half-made)."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
    with psycopg.connect(make_conninfo(url, dbname="postgres"), autocommit=True) as conn:
        names = conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", [f"{base}_s%"]
        ).fetchall()
        for (name,) in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def refresh_tests(module: str) -> Path:
    """The scratch copy of ``module``'s last run with the worktree's current tests and test selection (the
    source, and so the mutants and their names, stay as they were)."""
    work = WORK / slug(module)
    if not (work / "mutants").exists():
        raise SystemExit(f"{module}: no earlier run in {work}")
    for folder in (work / "tests", work / "mutants" / "tests"):
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(ROOT / "tests", folder, ignore=shutil.ignore_patterns("__pycache__"))
    pyproject = (work / "pyproject.toml").read_text("utf-8")
    pyproject = re.sub(r"\n\[tool\.mutmut\]\n(?:[^\[].*\n|\n)*", "\n", pyproject)
    (work / "pyproject.toml").write_text(pyproject + mutmut_section(module, MODULES[module]), "utf-8")
    return work


def run(module: str, recheck: bool = False, skip_unreached: bool = False, only: str = "") -> dict[str, Any]:
    """Mutate ``module`` in a fresh scratch copy; with ``recheck``, run only the survivors of its last run
    again, against the current tests (after adding tests for them), the mutants an interrupted run did
    not reach, and those no test reached (the module's test selection may have grown since)."""
    paths = [t.split("::")[0] for t in MODULES[module] if not t.startswith("-")]
    missing = [t for t in paths if not (ROOT / t).exists()]
    if missing:
        raise SystemExit(f"{module}: test files missing: {missing}")
    names: list[str] = []
    verdicts: dict[str, dict[str, Any]] = {}
    if recheck:
        last = collect(module)
        unreached = [] if skip_unreached else last["unchecked"]
        names = last["survivors"] + unreached + last["untested"]  # a selection may have grown
        if only:  # e.g. "*on_dispute_decided*,*_lift*": the survivors new tests are meant for
            names = [n for n in names if any(fnmatch.fnmatch(n, glob) for glob in only.split(","))]
        work = refresh_tests(module)
        verdicts = saved_verdicts(work)
        # kept on disk too: an interrupted recheck is restored by --collect
        (work / "verdicts-before-recheck.json").write_text(json.dumps(verdicts))
        forget_verdicts(work, set(names))
        if not names:
            return collect(module)
    else:
        work = prepare(module)
        if only:  # a fresh run of part of the module, e.g. "*ǁ_Runǁ*" (mutmut matches the globs itself)
            names = only.split(",")
    env = dict(os.environ)
    base = env.get("TEST_DATABASE_NAME", "test_termsops")
    env["MUTMUT_DB_BASE"] = f"{base}_mut_{slug(module)}"[:50]
    env["MUTMUT_RUN_ID"] = str(int(time.time()))  # each run migrates its worker databases once
    drop_databases(env["MUTMUT_DB_BASE"])
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    env["PYTHONPATH"] = ""
    python = sys.executable
    print(f"== {module}: mutmut run in {work}", flush=True)
    with open(WORK / f"{slug(module)}.log", "w") as log:  # mutmut's progress bar, kept out of the table
        subprocess.run(
            ["nice", "-n", "10", python, "-m", "mutmut", "run", "--max-children", str(MAX_CHILDREN), *names],
            cwd=work,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )
    drop_databases(env["MUTMUT_DB_BASE"])
    if recheck:
        restore_verdicts(work, verdicts)
        (work / "verdicts-before-recheck.json").unlink()
    return collect(module)


def saved_verdicts(work: Path) -> dict[str, dict[str, Any]]:
    """Each mutant's verdict (exit code) of the last run, per ``.meta`` file of mutmut."""
    metas = (work / "mutants").rglob("*.meta")
    return {str(meta): json.loads(meta.read_text())["exit_code_by_key"] for meta in metas}


def forget_verdicts(work: Path, names: set[str]) -> None:
    """Clear the verdicts of the mutants a recheck runs again. mutmut 3.8 keeps a mutant's cached verdict
    while its function's source is unchanged, even when the mutant is named on the command line, so a
    survivor would stay "survived" whatever the new tests do."""
    for meta in (work / "mutants").rglob("*.meta"):
        data = json.loads(meta.read_text())
        codes = data["exit_code_by_key"]
        hit = [key for key in codes if key in names]
        for key in hit:
            codes[key] = None
        if hit:
            meta.write_text(json.dumps(data, indent=4))


def restore_verdicts(work: Path, verdicts: dict[str, dict[str, Any]]) -> None:
    """mutmut forgets every verdict when the test selection changes; put back those of the mutants a
    recheck did not run again (killed ones stay killed: the tests only grew)."""
    for path, old in verdicts.items():
        meta = Path(path)
        data = json.loads(meta.read_text())
        codes = data["exit_code_by_key"]
        for key, code in old.items():
            if codes.get(key) is None:
                codes[key] = code
        meta.write_text(json.dumps(data, indent=4))


def collect(module: str) -> dict[str, Any]:
    """The counts and the surviving mutants of the last run of ``module`` (also after an interrupted run:
    mutants not reached count as "not checked")."""
    work = WORK / slug(module)
    saved = work / "verdicts-before-recheck.json"
    if saved.exists():  # a recheck was interrupted: put back what it had not run again yet
        restore_verdicts(work, json.loads(saved.read_text()))
        saved.unlink()
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    python = sys.executable
    subprocess.run([python, "-m", "mutmut", "export-cicd-stats"], cwd=work, env=env, check=False)
    stats_file = work / "mutants" / "mutmut-cicd-stats.json"
    stats: dict[str, Any] = json.loads(stats_file.read_text()) if stats_file.exists() else {}
    survivors = subprocess.run(
        [python, "-m", "mutmut", "results"], cwd=work, env=env, capture_output=True, text=True, check=False
    ).stdout
    status = dict(line.strip().rsplit(": ", 1) for line in survivors.splitlines() if ": " in line)
    stats["survivors"] = sorted(name for name, verdict in status.items() if verdict == "survived")
    stats["untested"] = sorted(name for name, verdict in status.items() if verdict == "no tests")
    stats["unchecked"] = sorted(name for name, verdict in status.items() if verdict == "not checked")
    stats["tests"] = MODULES[module]
    return stats


def load_report() -> dict[str, dict[str, Any]]:
    path = WORK / "report.json"
    return json.loads(path.read_text()) if path.exists() else {}


def table(report: dict[str, dict[str, Any]]) -> str:
    rows = [
        "| module | mutants | killed | survived | timeout | no tests | kill % |",
        "|---|---|---|---|---|---|---|",
    ]
    for module, s in report.items():
        total, killed, survived, timeout, no_tests = (
            int(s.get(key, 0)) for key in ("total", "killed", "survived", "timeout", "no_tests")
        )
        score = f"{100 * (killed + timeout) / total:.1f}" if total else "-"
        rows.append(f"| {module} | {total} | {killed} | {survived} | {timeout} | {no_tests} | {score} |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("modules", nargs="*", help="modules to mutate (default: all in MODULES)")
    parser.add_argument("--report", action="store_true", help="only print the last results")
    parser.add_argument(
        "--collect", action="store_true", help="re-read the results of the modules' last runs"
    )
    parser.add_argument(
        "--recheck",
        action="store_true",
        help="run the last survivors (and mutants not reached) again, with the current tests",
    )
    parser.add_argument(
        "--skip-unreached",
        action="store_true",
        help="with --recheck: leave out the mutants an interrupted run did not reach",
    )
    parser.add_argument(
        "--only",
        default="",
        help="only the mutants whose names match these globs (comma-separated, e.g. '*ǁ_Runǁ*'); with "
        "--recheck, among the survivors and those not reached",
    )
    args = parser.parse_args()
    report = load_report()
    if not args.report:
        unknown = [m for m in args.modules if m not in MODULES]
        if unknown:
            raise SystemExit(f"not configured in MODULES: {unknown}")
        for module in args.modules or list(MODULES):
            if args.collect:
                result = collect(module)
            else:
                result = run(module, recheck=args.recheck, skip_unreached=args.skip_unreached, only=args.only)
            report = load_report()  # another module's run may have finished meanwhile
            report[module] = result
            WORK.mkdir(exist_ok=True)
            (WORK / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(table(report))
    for module, s in report.items():
        for name in s.get("survivors", []):
            print(f"survived: {module}: {name}")


if __name__ == "__main__":
    main()
