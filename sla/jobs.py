"""SLA jobs (SPEC §10), listed in ``config/jobs.py``."""

from __future__ import annotations

import datetime as dt

from .services.credits import sla_month_close as _close


def sla_month_close(*, today: dt.date) -> dict[str, int]:
    """Availability and credits for last month (SLA-3, SLA-4); a no-op for contracts already closed."""
    return _close(today=today)
