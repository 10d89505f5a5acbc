"""Run the ``collect_payments`` job for a date (SPEC §10; BIL-7, BIL-8, BIL-17).

Without ``--direct`` it goes through the job runner (one recorded run per date, like beat);
``--direct`` calls the service itself (still idempotent) when the job is not registered yet.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from billing.services.collection import collect_payments
from core import clock, jobs
from core.audit import acting_as


class Command(BaseCommand):
    help = "자동이체·카드 결제와 재결제, 크레딧 상계를 실행합니다 (collect_payments, BIL-7/8/17)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="기준일 YYYY-MM-DD (default: the clock's today)")
        parser.add_argument("--direct", action="store_true", help="job runner 없이 서비스를 바로 실행")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            today = dt.date.fromisoformat(options["date"]) if options["date"] else clock.today()
        except ValueError as exc:
            raise CommandError(f"--date: YYYY-MM-DD 형식이어야 합니다 (not {options['date']!r})") from exc
        registered = any(spec.name == "collect_payments" for spec in jobs.registry())
        if registered and not options["direct"]:
            outcome = jobs.run_job("collect_payments", today)
            note = "" if outcome.ran else f" (not run: {outcome.status})"
            counts = outcome.counts
        else:
            with clock.frozen(today), acting_as(job="collect_payments"):
                counts = collect_payments(today=today)
            note = ""
        summary = ", ".join(f"{key} {value}" for key, value in counts.items())
        self.stdout.write(self.style.SUCCESS(f"collect_payments {today}{note}: {summary}"))
