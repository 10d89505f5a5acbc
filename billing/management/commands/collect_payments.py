"""``manage.py collect_payments``: ``run_jobs --job collect_payments`` for a date or range (SPEC §10;
BIL-7, BIL-8, BIL-17)."""

from __future__ import annotations

from core.management.commands.run_jobs import JobAliasCommand


class Command(JobAliasCommand):
    job = "collect_payments"
    help = (
        "자동이체·카드 결제와 재결제, 크레딧 상계를 실행합니다 "
        "(run_jobs --job collect_payments, BIL-7/8/17)."
    )
