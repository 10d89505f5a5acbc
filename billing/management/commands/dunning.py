"""``manage.py dunning``: ``run_jobs --job dunning`` for a date or range (SPEC §6, DUN-1..4)."""

from __future__ import annotations

from core.management.commands.run_jobs import JobAliasCommand


class Command(JobAliasCommand):
    job = "dunning"
    help = (
        "미납 청구서를 약관의 연체 단계(안내, 재결제 기록, 이용 제한·정지, 직권 해지, 추심 의뢰, "
        "파기 예정일)에 따라 진행합니다 (run_jobs --job dunning, SPEC §6, DUN-1..4)."
    )
