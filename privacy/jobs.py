"""The daily privacy job (SPEC §10): ``purge_data`` (DAT-2, DAT-3, DAT-5, ACC-10, MSG-9)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

from .services import purge

#: The one batch of a day when ``PRIVACY_PURGE_ENABLED`` is off: count what is due, destroy nothing.
DISABLED = {"kind": "disabled"}


def purge_data(*, today: dt.date) -> dict[str, int]:
    """Destroy what is due (``PRIVACY_PURGE_ENABLED``); otherwise only count it, destroying nothing."""
    if not settings.PRIVACY_PURGE_ENABLED:
        return _disabled(today)
    return purge.purge_data(today=today)


def purge_data_plan(*, today: dt.date) -> list[dict[str, Any]]:
    """The purge's batches (issue 19); with the purge off, one batch that only counts."""
    if not settings.PRIVACY_PURGE_ENABLED:
        return [DISABLED]
    return purge.purge_data_plan(today=today)


def purge_data_batch(*, today: dt.date, payload: dict[str, Any]) -> dict[str, int]:
    """One batch of the purge (issue 19); idempotent. The purge switched off meanwhile destroys nothing."""
    if payload.get("kind") == DISABLED["kind"] or not settings.PRIVACY_PURGE_ENABLED:
        return _disabled(today) if payload.get("kind") == DISABLED["kind"] else {}
    return purge.purge_data_batch(today=today, payload=payload)


def _disabled(today: dt.date) -> dict[str, int]:
    return {"due": len(purge.purge_plan(today=today)), "purge_disabled": 1}
