"""Run the registered daily jobs in order for a date or a range of dates (SPEC §10).

``JobAliasCommand`` is the same command for one job (``manage.py dunning`` = ``run_jobs --job dunning``):
apps' one-job commands subclass it instead of repeating the loop.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from core import clock, jobs
from core.models import JobRun
from core.runtime import freeze_startup_objects


def _parse_date(option: str, raw: str) -> dt.date:
    """The option's date, or a CommandError that names the option."""
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise CommandError(f"{option}: YYYY-MM-DD 형식이어야 합니다 (not {raw!r})") from exc


class Command(BaseCommand):
    help = "등록된 일일 작업을 날짜별로 순서대로 실행합니다 (Run the daily jobs for a date or range)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="기준일 YYYY-MM-DD (default: the clock's today)")
        parser.add_argument("--until", help="마지막 기준일 YYYY-MM-DD (inclusive)")
        parser.add_argument("--job", action="append", dest="only", help="run only this job (repeatable)")
        parser.add_argument("--no-progress", action="store_true")

    def selected(self, options: dict[str, Any]) -> list[str] | None:
        only: list[str] | None = options["only"]
        if only:
            known = {s.name for s in jobs.registry()}
            unknown = [n for n in only if n not in known]
            if unknown:
                raise CommandError(f"unknown job(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        return only

    def report(self, outcome: jobs.Outcome, options: dict[str, Any]) -> None:
        if options["verbosity"] > 1:
            state = "ran" if outcome.ran else "skipped"
            self.stdout.write(f"{outcome.as_of} {outcome.job}: {state} {outcome.counts}")

    def handle(self, *args: Any, **options: Any) -> None:
        freeze_startup_objects()  # the process is set up: its start-up objects leave the collector's walks
        start = _parse_date("--date", options["date"]) if options["date"] else clock.today()
        end = _parse_date("--until", options["until"]) if options["until"] else start
        if end < start:
            raise CommandError("--until must not be before --date (--until이 --date보다 앞설 수 없습니다)")
        only = self.selected(options)
        days = list(jobs.dates(start, end))
        ran = skipped = 0
        bar = tqdm(days, unit="day", disable=options.get("no_progress") or len(days) < 2, file=self.stderr)
        for day in bar:
            bar.set_description(day.isoformat())
            for spec in jobs.registry():
                if only and spec.name not in only:
                    continue
                try:
                    outcome = jobs.run_job(spec.name, day)
                except Exception as exc:
                    # Later jobs and dates build on this one: stop here; a re-run resumes it.
                    raise CommandError(
                        f"{day} {spec.name} failed (실패): {type(exc).__name__}: {exc}; "
                        f"{ran} job runs done before it. Fix and run again to resume."
                    ) from exc
                if not outcome.ran and outcome.status == JobRun.Status.RUNNING:
                    raise CommandError(
                        f"{day} {spec.name} is running in another worker (다른 작업자가 실행 중); "
                        f"run again when it has finished."
                    )
                ran += outcome.ran
                skipped += not outcome.ran
                self.report(outcome, options)
        self.stdout.write(self.style.SUCCESS(
            f"{start}..{end}: {ran} job runs, {skipped} already done "
            f"(작업 {ran}건 실행, {skipped}건 이미 완료)"
        ))


class JobAliasCommand(Command):
    """``run_jobs --job <job>`` under the job's own name; prints one line per date with the counts."""

    job: str = ""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="기준일 YYYY-MM-DD (default: the clock's today)")
        parser.add_argument("--until", help="마지막 기준일 YYYY-MM-DD (inclusive)")

    def selected(self, options: dict[str, Any]) -> list[str] | None:
        options["only"] = [self.job]
        options["no_progress"] = True
        return super().selected(options)

    def report(self, outcome: jobs.Outcome, options: dict[str, Any]) -> None:
        note = "" if outcome.ran else f" (not run: {outcome.status})"
        summary = ", ".join(f"{key} {value}" for key, value in outcome.counts.items())
        self.stdout.write(self.style.SUCCESS(f"{outcome.job} {outcome.as_of}{note}: {summary}"))
