"""Import a bank statement CSV (BIL-7): match deposits to customers, queue the rest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from billing.services.bank import BankStatementInvalid, bank_statement_import
from core.audit import acting_as
from core.errors import DomainError


class Command(BaseCommand):
    help = "은행 입금 내역 CSV(UTF-8 또는 CP949)를 가져와 입금자명·금액으로 고객과 맞춥니다 (BIL-7)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="CSV 파일 경로")
        parser.add_argument("--user", help="가져온 직원의 사용자 이름 (기록용)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"{path}: 파일이 없습니다 (file not found)")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"--user {options['user']}: 없는 사용자입니다 (unknown user)")
        try:
            with acting_as(user) if user else acting_as(job="import_bank_statement"):
                report = bank_statement_import(file_name=path.name, content=path.read_bytes(), actor=user)
        except BankStatementInvalid as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(exc.message) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        for tx in report.unmatched:
            self.stdout.write(
                f"미확인 {tx.line_no}행 {tx.transacted_on} {tx.payer_name} {tx.amount_won:,}원 — {tx.note}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{path.name}: {report.row_count}건, 자동 매칭 {len(report.matched)}건, "
                f"미확인 {len(report.unmatched)}건"
            )
        )
