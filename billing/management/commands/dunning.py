"""Run the ``dunning`` job for a date (SPEC §6, DUN-1..4).

Without ``--direct`` it goes through the job runner (one recorded run per date, like beat);
``--direct`` calls the service itself (still idempotent) when the job is not registered yet.
``--until`` replays a range of dates, one run per date.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from billing.services.dunning import dunning_run
from core import clock, jobs
from core.audit import acting_as

JOB = "dunning"


def _date(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--{name}: YYYY-MM-DD 형식이어야 합니다 (not {value!r})") from exc


class Command(BaseCommand):
    help = (
        "미납 청구서를 약관의 연체 단계(안내, 재결제 기록, 이용 제한·정지, 직권 해지, 추심 의뢰, "
        "파기 예정일)에 따라 진행합니다 (dunning, SPEC §6, DUN-1..4)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="기준일 YYYY-MM-DD (default: the clock's today)")
        parser.add_argument("--until", help="마지막 기준일 YYYY-MM-DD (inclusive)")
        parser.add_argument("--direct", action="store_true", help="job runner 없이 서비스를 바로 실행")

    def handle(self, *args: Any, **options: Any) -> None:
        start = _date(options["date"], "date") or clock.today()
        until = _date(options["until"], "until") or start
        if until < start:
            raise CommandError("--until은 --date 이후여야 합니다")
        registered = any(spec.name == JOB for spec in jobs.registry())
        for today in jobs.dates(start, until):
            if registered and not options["direct"]:
                outcome = jobs.run_job(JOB, today)
                note = "" if outcome.ran else f" (not run: {outcome.status})"
                counts = outcome.counts
            else:
                with clock.frozen(today), acting_as(job=JOB):
                    counts = dunning_run(today=today)
                note = ""
            summary = ", ".join(f"{key} {value}" for key, value in counts.items())
            self.stdout.write(self.style.SUCCESS(f"{JOB} {today}{note}: {summary}"))
