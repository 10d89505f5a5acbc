"""Run the ``sla_month_close`` job for a date: last month's availability and credits (SLA-3, SLA-4).

It goes through the job runner (one recorded run per date, like beat); ``--until`` replays a range of
dates, one run per date (a month already closed for a contract is skipped).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core import clock, jobs

JOB = "sla_month_close"


def _date(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--{name}: YYYY-MM-DD 형식이어야 합니다 (not {value!r})") from exc


class Command(BaseCommand):
    help = "지난달 계약별 가용률을 산정하고 SLA 보상 크레딧을 발행합니다 (sla_month_close, SLA-3, SLA-4)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="기준일 YYYY-MM-DD (default: the clock's today)")
        parser.add_argument("--until", help="마지막 기준일 YYYY-MM-DD (inclusive)")

    def handle(self, *args: Any, **options: Any) -> None:
        start = _date(options["date"], "date") or clock.today()
        until = _date(options["until"], "until") or start
        if until < start:
            raise CommandError("--until은 --date 이후여야 합니다")
        for today in jobs.dates(start, until):
            outcome = jobs.run_job(JOB, today)
            note = "" if outcome.ran else f" (not run: {outcome.status})"
            summary = ", ".join(f"{key} {value}" for key, value in outcome.counts.items())
            self.stdout.write(self.style.SUCCESS(f"{JOB} {today}{note}: {summary}"))
