"""``manage.py apply_late_charges``: ``run_jobs --job apply_late_charges`` for a date or range (BIL-9)."""

from __future__ import annotations

from core.management.commands.run_jobs import JobAliasCommand


class Command(JobAliasCommand):
    job = "apply_late_charges"
    help = "연체료·가산금을 기록합니다; 다음 청구서에 청구됩니다 (run_jobs --job apply_late_charges, BIL-9)."
