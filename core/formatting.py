"""One home for how amounts, quantities, months and dates read to people (issue 15).

Korean first: ``330,000원``, ``2026년 10월``; English: ``KRW 330,000``, ``October 2026``. Dates are
``2026-11-20`` in both (config/formats). Templates use the same functions through
``{% load termsops %}`` (``|won``, ``|qty``, ``|month``, ``|day``); admin columns through
``core.adminkit``. Never format money with an f-string in a page or a message.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import formats, translation


def _english() -> bool:
    return (translation.get_language() or "ko").startswith("en")


def number(value: int | Decimal | None) -> str:
    """A count or integer amount with thousands separators: ``1,234``."""
    if value is None:
        return ""
    places = 0 if isinstance(value, int) else None
    return formats.number_format(value, decimal_pos=places, force_grouping=True)


def won(amount: int | None) -> str:
    """Integer won as people read it: ``330,000원`` in Korean, ``KRW 330,000`` in English; a negative
    amount keeps its sign (``-5,000원``)."""
    if amount is None:
        return ""
    grouped = number(abs(int(amount)))
    sign = "-" if amount < 0 else ""
    return f"{sign}KRW {grouped}" if _english() else f"{sign}{grouped}원"


def quantity(value: Decimal | int | float | None) -> str:
    """A quantity without trailing zeros: ``1``, ``1.5``, ``12,000``."""
    if value is None:
        return ""
    exact = Decimal(str(value))
    normal = exact.quantize(Decimal(1)) if exact == exact.to_integral_value() else exact.normalize()
    places = max(0, -normal.as_tuple().exponent)  # type: ignore[operator]
    return formats.number_format(normal, decimal_pos=places, force_grouping=True)


def month(value: dt.date | None) -> str:
    """A billing month: ``2026년 10월`` / ``October 2026``."""
    if value is None:
        return ""
    return formats.date_format(value, "YEAR_MONTH_FORMAT")


def day(value: dt.date | dt.datetime | None) -> str:
    """A business date ``2026-11-20``; a moment in Seoul time ``2026-11-20 09:30``."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    return formats.date_format(value, "DATE_FORMAT")


class MonthValue:
    """A month as a message parameter, written when the message is read, in the reader's language
    (``"{month} 보상".format(month=MonthValue(d))`` → "2026년 10월 보상" / "October 2026 …")."""

    __slots__ = ("value",)

    def __init__(self, value: dt.date) -> None:
        self.value = value

    def __str__(self) -> str:
        return month(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __repr__(self) -> str:
        return f"MonthValue({self.value!r})"

    def __reduce__(self) -> tuple[type[MonthValue], tuple[dt.date]]:
        return (MonthValue, (self.value,))
