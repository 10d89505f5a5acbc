"""Celery tasks of the billing app: take ids, call a service, nothing else."""

from __future__ import annotations

from celery import shared_task

from .services.bank import bank_statement_process


@shared_task(name="billing.tasks.process_bank_statement", acks_late=True)
def process_bank_statement(statement_id: int) -> int:
    """Match a recorded bank statement's rows (BIL-7); resumable, safe on two workers."""
    return bank_statement_process(statement_id=statement_id).processed_count
