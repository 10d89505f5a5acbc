"""``make demo``: prepare a database, seed demo data (with three months of billing history), run
today's jobs, print what was seeded and the logins, and serve.

``--year`` (``make demo YEAR=1``) seeds the replayed year instead: the book of ``manage.py replay``
opened a year before today, every day of the year replayed with each preset's scripted events (a late
payment, an overdue customer, seat changes, an application, incidents and their credits, a dispute, an
early termination and its penalty, a terms change), and writes the replay report next to the database.

Works on embedded defaults (SQLite, jobs in-process: ``REDIS_URL`` empty), so a fresh
machine needs no servers. Every step is idempotent: running the demo again keeps the
data and the logins.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test.utils import override_settings

from core import clock

from .. import replay_book, replay_report
from . import replay
from .seed_demo import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    DEMO_PASSWORD,
    HISTORY_DAYS,
    STAFF_USERS,
    SeedResult,
    seed,
    summary_lines,
)


class Command(BaseCommand):
    help = (
        "데모 실행: 마이그레이션, 프리셋과 데모 데이터, 오늘 작업 실행, 로그인 안내 후 서버 시작 "
        "(Run the demo: migrate, seed, run today's jobs, print the logins, serve)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000)")
        parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
        parser.add_argument("--no-serve", action="store_true", help="prepare and print, but do not serve")
        parser.add_argument(
            "--year", action="store_true",
            help="1년 재현 장부 (the replayed year of manage.py replay instead of 91 days of history)",
        )
        parser.add_argument("--report", default="replay-report.html", help="--year: 재현 보고서 경로")

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        if not 0 < port < 65536:
            raise CommandError(f"--port must be 1..65535, not {port}")
        quiet = {"verbosity": 0, "stdout": self.stdout, "stderr": self.stderr}

        self._step("1/5", "데이터베이스 준비 (migrate)", f"{settings.DATABASES['default']['NAME']}")
        call_command("migrate", interactive=False, **quiet)

        self._step("2/5", "약관 프리셋 불러오기 (load_presets)")
        call_command("load_presets", **quiet)

        # The notices' emails would flood the console here: keep them in memory while seeding
        # (each is also a Notice row, shown in the portal inbox and the back office).
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            mail.outbox = []
            today = clock.today()
            history = replay.DEFAULT_DAYS if options["year"] else HISTORY_DAYS
            self._step(
                "3/5", "데모 고객·구성원·계약과 청구 이력 만들기 (seed_demo)",
                f"{history}일 전 개통, 그날부터 오늘까지 일일 작업 재실행 (replays the daily jobs)",
            )
            started = time.monotonic()
            result = self._year(today, history, options["report"]) if options["year"] else seed()
            seconds = time.monotonic() - started
            self._step("4/5", f"{today} 일일 작업 실행 (run_jobs)")
            call_command("run_jobs", "--date", today.isoformat(), "--no-progress", **quiet)
            sent = len(mail.outbox)
        self.stdout.write(
            f"      고객 {len(result.customers)}곳, 계약 {len(result.customers)}건, "
            f"{result.days_replayed}일치 재실행 {seconds:.0f}초, 알림 메일 {sent}통 "
            f"({len(result.customers)} customers and contracts, {result.days_replayed} days replayed "
            f"in {seconds:.0f} s, {sent} notice emails)"
        )

        self._step("5/5", "정적 파일 (static files)")
        if settings.DEBUG:
            self.stdout.write("      DEBUG=True: served from the apps, nothing to collect")
        else:
            call_command("collectstatic", interactive=False, **quiet)

        base = f"http://{host}:{port}"
        lines = [
            "",
            "=" * 72,
            "텀즈옵스 데모가 준비되었습니다 (TermsOps demo is ready)",
            "=" * 72,
            f"고객 포털 (customer portal)  {base}/login/",
            f"운영 관리 (back office)      {base}/admin/",
            f"API 문서 (API docs)          {base}/api/docs/",
            f"OpenAPI 스키마 (schema)      {base}/api/schema/",
            "",
            "운영자 로그인 (staff logins, admin)",
            f"  {ADMIN_USERNAME:<16} {ADMIN_PASSWORD:<22} 최고 관리자 (superuser)"
            + ("" if result.admin_created else "  — 이미 있던 계정: 비밀번호는 그대로 (existing account)"),
        ]
        for username, group in STAFF_USERS.items():
            lines.append(f"  {username:<16} {DEMO_PASSWORD:<22} {group} 그룹 (group)")
        lines += ["", "고객 로그인 (customer logins, portal)"]
        for spec, contract in result.customers:
            pays = f" · {spec.pays_label}" if spec.pays_label else ""
            lines.append(
                f"  {spec.legal_name} [{spec.preset}] {contract.number} {contract.plan.name}: "
                f"{contract.get_status_display()}{pays}"
            )
            for m in spec.members:
                role = "관리자 (admin)" if m.role == "admin" else "구성원 (member)"
                lines.append(f"    {m.login_id:<14} {DEMO_PASSWORD:<22} {m.name} · {role}")
        lines += ["", "데모 데이터 (demo data)", *(f"  {line}" for line in summary_lines(result))]
        lines += [
            "",
            f"청구서: 포털 {base}/billing/ · 운영 관리 {base}/admin/billing/invoice/",
            f"미납 관리 현황 (dunning dashboard): {base}/admin/billing/dunningcase/dashboard/",
            "승낙 대기 신청은 운영 관리 > 계약에서 승낙할 수 있습니다 "
            "(approve the pending application in the back office).",
            "=" * 72,
        ]
        self.stdout.write("\n".join(lines))
        if options["no_serve"]:
            return
        self.stdout.write(f"서버 시작 {base}/ — 종료하려면 Ctrl-C (starting the server; Ctrl-C to stop)")
        call_command("runserver", f"{host}:{port}", use_reloader=False, skip_checks=True)

    def _year(self, today: dt.date, history: int, report: str) -> SeedResult:
        """The replayed year (``manage.py replay --preset all``), quietly, with a progress bar."""
        start = today - dt.timedelta(days=history)
        presets = list(replay_book.PRESETS)
        replay.check_range(presets, start, today)
        logging.disable(logging.INFO)
        try:
            result = seed(
                today=today, history_days=history, customers=replay_book.book(presets),
                hooks=[replay_book.Script(presets, start).hook()], progress=True,
                resume=replay.opened_before(start),
            )
        finally:
            logging.disable(logging.NOTSET)
        path = Path(report)
        path.write_text(replay_report.render(presets, start, today), encoding="utf-8")
        self.stdout.write(f"      재현 보고서 (replay report): {path.resolve()}")
        return result

    def _step(self, number: str, text: str, detail: str = "") -> None:
        heading = self.style.MIGRATE_HEADING(f"[{number}] {text}")
        self.stdout.write(heading + (f"  {detail}" if detail else ""))
