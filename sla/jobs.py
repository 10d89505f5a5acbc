"""SLA jobs (SPEC §10), listed in ``config/jobs.py``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .services import credits


def sla_month_close(*, today: dt.date) -> dict[str, int]:
    """Availability and credits for last month (SLA-3, SLA-4); a no-op for contracts already closed."""
    return credits.sla_month_close(today=today)


def sla_month_close_plan(*, today: dt.date) -> list[dict[str, Any]]:
    """The month close's batches (issue 19): contract ids, a customer's contracts together."""
    return credits.sla_month_close_plan(today=today)


def sla_month_close_batch(*, today: dt.date, payload: dict[str, Any]) -> dict[str, int]:
    """One batch of the month close, in one transaction; idempotent (issue 19)."""
    return credits.sla_month_close_batch(today=today, payload=payload)
