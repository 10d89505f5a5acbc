"""The daily privacy job (SPEC §10): ``purge_data`` (DAT-2, DAT-3, DAT-5, ACC-10, MSG-9)."""

from __future__ import annotations

import datetime as dt

from .services.purge import purge_data as _purge_data


def purge_data(*, today: dt.date) -> dict[str, int]:
    return _purge_data(today=today)
