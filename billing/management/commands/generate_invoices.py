"""Run the invoice run for a date, or show what it would issue (BIL-2)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from billing.services import invoicing
from core import clock
from core.audit import acting_as
from core.money import format_won


class Command(BaseCommand):
    help = "청구서를 발행합니다 (Issue the invoices due on a date; --dry-run shows them without writing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="기준일 YYYY-MM-DD (default: the clock's today)")
        parser.add_argument("--dry-run", action="store_true", help="발행하지 않고 미리보기만 출력")
        parser.add_argument(
            "--customer", type=int, action="append", dest="customers", help="고객 ID (반복 가능)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            today = dt.date.fromisoformat(options["date"]) if options["date"] else clock.today()
        except ValueError as exc:
            raise CommandError(f"--date: YYYY-MM-DD 형식이어야 합니다 (not {options['date']!r})") from exc
        customers = options["customers"]
        if options["dry_run"]:
            drafts = invoicing.invoice_drafts(today=today, customer_ids=customers)
            for d in drafts:
                self.stdout.write(
                    f"[미리보기] {d.customer} {d.schedule} {d.period_start}~{d.period_end} "
                    f"발행 {d.issue_date} 납기 {d.due_date} 공급가액 {format_won(d.supply_won)} "
                    f"부가세 {format_won(d.vat_won)} 합계 {format_won(d.total_won)}"
                )
                for line in d.lines:
                    self.stdout.write(f"    {line.description}: {format_won(line.amount_won)}")
            self.stdout.write(self.style.SUCCESS(f"{today}: {len(drafts)}건 발행 예정 (dry run)"))
            return
        with clock.frozen(today), acting_as(job="generate_invoices"):
            counts = invoicing.invoices_generate(today=today, customer_ids=customers)
        self.stdout.write(self.style.SUCCESS(f"{today}: {counts}"))
