"""``manage.py whatif POLICY_ID``: the draft's what-if (issue 17) outside a web request, for a book whose
replay takes longer than a request may (``billing.services.whatif``; nothing is committed)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from billing.services.whatif import DEFAULT_MONTHS, PRICE_FIELDS, csv_table, whatif_run
from contracts.models import Policy
from core import clock, csvkit
from core.errors import DomainError


class Command(BaseCommand):
    help = (
        "초안 약관 버전의 변경 효과를 미리 봅니다: 다음 달들을 현재 버전과 초안으로 재생해 "
        "고객별로 비교합니다 (저장되지 않음). (Preview a draft version's effect; nothing is saved.)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("policy_id", type=int, help="초안 약관 버전의 ID")
        parser.add_argument("--months", type=int, default=DEFAULT_MONTHS, help="기간(개월), 기본 3")
        parser.add_argument(
            "--effective-on", help="시행일 YYYY-MM-DD (기본: 초안의 시행일 또는 가장 빠른 날)"
        )
        parser.add_argument(
            "--price",
            action="append",
            default=[],
            metavar="PLAN_ID:FIELD=WON",
            help=f"새 요금제 가격, 여러 번 가능. FIELD: {', '.join(PRICE_FIELDS)}",
        )
        parser.add_argument("--csv", help="결과를 이 CSV 파일로 씁니다")

    def handle(self, *args: Any, **options: Any) -> None:
        draft = Policy.objects.filter(pk=options["policy_id"]).first()
        if draft is None:
            raise CommandError(f"no policy {options['policy_id']}")
        prices: dict[int, dict[str, int]] = {}
        for entry in options["price"]:
            plan, _, rest = entry.partition(":")
            name, _, value = rest.partition("=")
            if not (plan.isdigit() and name and value.lstrip("-").isdigit()):
                raise CommandError(f"--price is PLAN_ID:FIELD=WON, not {entry!r}")
            prices.setdefault(int(plan), {})[name] = int(value)
        try:
            effective = dt.date.fromisoformat(options["effective_on"]) if options["effective_on"] else None
        except ValueError as exc:
            raise CommandError(f"--effective-on must be YYYY-MM-DD: {exc}") from exc
        try:
            result = whatif_run(
                draft=draft,
                today=clock.today(),
                months=options["months"],
                effective_on=effective,
                prices=prices,
            )
        except DomainError as error:
            raise CommandError(error.render()) from error
        header, rows = csv_table(result)
        if options["csv"]:
            with Path(options["csv"]).open("w", encoding="utf-8-sig", newline="") as out:
                writer = csvkit.writer(out)
                writer.writerow(header)
                writer.writerows(rows)
        for row in rows:
            self.stdout.write(" | ".join(str(cell) for cell in row))
        self.stdout.write(result.summary())
