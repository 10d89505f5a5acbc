"""``manage.py replay --preset NAME|all --from D --to D [--report PATH]``: a range of days of the demo book,
replayed with every daily job and each preset's scripted events, and an HTML report of what happened and
which rule made it happen (issue 17).

The book is ``seed_demo``'s with the replay's additions (``contracts.management.replay_book``), opened on
``--from``; the day loop is ``core.replay`` (the jobs of ``config/jobs.py``, the clock frozen on each day),
so a second run over the same range replays nothing and only writes the report again.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from django.core import mail
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test.utils import override_settings
from django.utils import translation

from accounts.models import Customer
from core import clock
from core.models import JobRun

from .. import replay_book, replay_report
from .seed_demo import seed

#: A year: ``--from`` defaults to this many days before ``--to``.
DEFAULT_DAYS = 364


def _date(option: str, raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise CommandError(
            f"{option}: YYYY-MM-DD 형식이어야 합니다 (must be YYYY-MM-DD, not {raw!r})"
        ) from exc


def check_range(presets: list[str], start: dt.date, end: dt.date) -> None:
    """The daily jobs run once per date in a database (``JobRun``): a range already replayed without the
    chosen presets' customers cannot bill them afterwards. Refuse, changing nothing."""
    if end < start:
        raise CommandError(
            f"--to ({end}) must not be before --from ({start}) (--to가 --from보다 앞설 수 없습니다)"
        )
    if not JobRun.objects.filter(as_of__gte=start, as_of__lte=end).exists():
        return
    numbers = [spec.business_number for spec in replay_book.book(presets)]
    # A customer purged after its retention period (DAT-2) no longer has its business number: counted as
    # present (the replay database holds only the book).
    missing = (
        len(numbers)
        - Customer.objects.filter(business_number__in=numbers).count()
        - Customer.objects.filter(status=Customer.Status.PURGED).count()
    )
    if missing > 0:
        raise CommandError(
            f"--from/--to: {start}..{end}의 일일 작업이 이 데이터베이스에서 이미 실행되어 "
            f"선택한 프리셋의 고객 {missing}곳을 재현할 수 없습니다. 새 데이터베이스에서 실행하세요 "
            f"(the daily jobs of these dates already ran here without the chosen presets' customers; "
            f"replay on a fresh database)."
        )


def opened_before(start: dt.date) -> bool:
    """The range's first day has been played by an earlier replay, so the book exists: replay on and
    create nothing (a terminated contract is not applied for again, a purged customer not re-created)."""
    return JobRun.objects.filter(
        job=replay_book.EVENTS_JOB, as_of=start, status=JobRun.Status.SUCCEEDED
    ).exists()


class Command(BaseCommand):
    help = (
        "데모 장부를 기간의 모든 날짜에 대해 일일 작업과 프리셋별 시나리오로 재현하고 HTML 보고서를 씁니다 "
        "(Replay the demo book over a date range with the daily jobs and scripted events; write a report)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--preset", default="all", help="프리셋 코드, 쉼표 목록 또는 all (default all)")
        parser.add_argument("--from", dest="start", help="첫날 YYYY-MM-DD (default: --to minus 364 days)")
        parser.add_argument("--to", dest="end", help="마지막 날 YYYY-MM-DD (default: the clock's today)")
        parser.add_argument("--report", default="replay-report.html", help="HTML 보고서 경로")
        parser.add_argument("--language", default="ko", choices=["ko", "en"], help="보고서 언어 (default ko)")
        parser.add_argument("--no-progress", action="store_true", help="진행 막대 없이 (no progress bar)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            presets = replay_book.presets_from(options["preset"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        end = _date("--to", options["end"]) if options["end"] else clock.today()
        start = (
            _date("--from", options["start"]) if options["start"] else end - dt.timedelta(days=DEFAULT_DAYS)
        )
        call_command("load_presets", verbosity=0, stdout=self.stdout, stderr=self.stderr)
        check_range(presets, start, end)
        script = replay_book.Script(presets, start)
        resume = opened_before(start)
        # The notices' emails would flood the console: keep them in memory (each is also a Notice row).
        # The jobs' INFO lines (one per job and day) would bury the progress bar: kept back unless -v 2.
        quiet = options["verbosity"] < 2
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            mail.outbox = []
            if quiet:
                logging.disable(logging.INFO)
            try:
                result = seed(
                    today=end,
                    history_days=(end - start).days,
                    customers=replay_book.book(presets),
                    hooks=[script.hook()],
                    progress=not options["no_progress"],
                    resume=resume,
                )
            finally:
                if quiet:
                    logging.disable(logging.NOTSET)
            sent = len(mail.outbox)
        played = result.replayed
        seconds = played.seconds if played else 0.0
        with translation.override(options["language"]):
            html = replay_report.render(presets, start, end, seconds=seconds)
        path = Path(options["report"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
        days = played.days_replayed if played else 0
        runs = played.job_runs if played else 0
        self.stdout.write(
            self.style.SUCCESS(
                f"{start}..{end} {','.join(presets)}: {days}일 재현, 작업 {runs}건, {seconds:.0f}초, "
                f"알림 메일 {sent}통; 보고서 {path} "
                f"({days} days replayed, {runs} job runs in {seconds:.0f} s; report written to {path})"
            )
        )
