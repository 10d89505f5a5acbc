"""Celery tasks of the billing app: take ids, call a service, nothing else."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from .services.bank import bank_statement_process


@shared_task(name="billing.tasks.process_bank_statement", acks_late=True)
def process_bank_statement(statement_id: int) -> int:
    """Match a recorded bank statement's rows (BIL-7); resumable, safe on two workers."""
    return bank_statement_process(statement_id=statement_id).processed_count


@shared_task(name="billing.tasks.whatif")
def whatif(**kwargs: Any) -> str:
    """Issue 17: a queued what-if (``services.whatif.whatif_request``); its result goes to the cache."""
    from .services.whatif import whatif_compute

    return whatif_compute(**kwargs).state
