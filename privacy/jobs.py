"""The daily privacy job (SPEC §10): ``purge_data`` (DAT-2, DAT-3, DAT-5, ACC-10, MSG-9)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from .services.purge import purge_data as _purge_data
from .services.purge import purge_plan


def purge_data(*, today: dt.date) -> dict[str, int]:
    """Destroy what is due (``PRIVACY_PURGE_ENABLED``); otherwise only count it, destroying nothing."""
    if not settings.PRIVACY_PURGE_ENABLED:
        return {"due": len(purge_plan(today=today)), "purge_disabled": 1}
    return _purge_data(today=today)
