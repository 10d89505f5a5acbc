"""Run the ``purge_data`` job for a date (DAT-2, DAT-3, DAT-5), or list what it would destroy (``--dry-run``).

The run goes through the job runner (one recorded run per date, like beat); the dry run writes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core import clock, jobs
from privacy.services.purge import purge_plan

JOB = "purge_data"


class Command(BaseCommand):
    help = "보관 기간이 끝난 데이터를 파기하고 파기 기록을 남깁니다 (purge_data, DAT-2, DAT-3, DAT-5)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="기준일 YYYY-MM-DD (default: the clock's today)")
        parser.add_argument("--dry-run", action="store_true", help="파기할 대상과 건수만 보여 줍니다")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            today = dt.date.fromisoformat(options["date"]) if options["date"] else clock.today()
        except ValueError as exc:
            raise CommandError(f"--date: YYYY-MM-DD 형식이어야 합니다 (not {options['date']!r})") from exc
        if options["dry_run"]:
            plan = purge_plan(today=today)
            for item in plan:
                rows = ", ".join(f"{table}={n}" for table, n in sorted(item.rows.items()))
                line = f"{item.due_on} {item.kind} customer={item.customer_ref or '-'}: {rows}"
                if item.kept:
                    line += "; kept: " + ", ".join(f"{table}={n}" for table, n in sorted(item.kept.items()))
                if item.held:
                    line += "; held (contract and billing records wait): " + "; ".join(item.held)
                self.stdout.write(line)
            self.stdout.write(f"{today}: {len(plan)} item(s), nothing destroyed (dry run)")
            return
        outcome = jobs.run_job(JOB, today)
        self.stdout.write(f"{today} {outcome.status}: {outcome.counts}")
