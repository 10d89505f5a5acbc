"""Regular expressions that say which dates, months and texts an API input accepts (issue #14).

OpenAPI has no bounds for dates, so the schema of a business date (``core.fields.BusinessDateField``)
carries a pattern that matches exactly the real calendar dates inside :func:`core.fields.date_window`
(no 02-30, leap days only in leap years), and a period (``YYYY-MM``) one that matches exactly the months
inside it. A client or a schema fuzzer that keeps to the pattern is never refused for the date's range.
The patterns are built when the schema is generated, from the clock's today.
"""

from __future__ import annotations

import calendar
import datetime as dt

# Text: no NUL (PostgreSQL cannot store it); where blank is refused, at least one character that is not
# white space (DRF trims it).
TEXT_OR_BLANK_PATTERN = r"^[^\u0000]*$"
# "Not white space" is spelt out: Python's str.strip() (DRF's trim) also strips \x1c-\x1f and \x85.
_VISIBLE = r"[^\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
TEXT_PATTERN = r"^[^\u0000]*" + _VISIBLE + r"[^\u0000]*$"
# Values always accepted (the server accepts more): a Korean mobile number and an https address.
PHONE_PATTERN = r"^010-?[0-9]{4}-?[0-9]{4}$"
URL_PATTERN = r"^https://[a-z][a-z0-9]{0,20}\.(?:com|net|co\.kr|kr)(?:/[A-Za-z0-9_-]{1,30}){0,3}$"

_LONG = ("01", "03", "05", "07", "08", "10", "12")
_SHORT = ("04", "06", "09", "11")
_DAYS_31 = "(?:0[1-9]|[12][0-9]|3[01])"
_DAYS_30 = "(?:0[1-9]|[12][0-9]|30)"
_DAYS_28 = "(?:0[1-9]|1[0-9]|2[0-8])"


def _either(options: list[str]) -> str:
    return options[0] if len(options) == 1 else "(?:" + "|".join(options) + ")"


def _days(first: int, last: int) -> str:
    return _either([f"{day:02d}" for day in range(first, last + 1)])


def _month(year: int, month: int, first_day: int = 1, last_day: int | None = None) -> str:
    """The dates of one month from ``first_day`` to ``last_day`` (default: its last day)."""
    length = calendar.monthrange(year, month)[1]
    last_day = length if last_day is None else last_day
    return f"{year:04d}-{month:02d}-{_days(first_day, last_day)}"


def _whole_years(first_year: int, last_year: int) -> list[str]:
    if first_year > last_year:
        return []
    years = _either([f"{y:04d}" for y in range(first_year, last_year + 1)])
    common = (
        f"{years}-(?:{_either(list(_LONG))}-{_DAYS_31}|{_either(list(_SHORT))}-{_DAYS_30}|02-{_DAYS_28})"
    )
    leap = [f"{y:04d}" for y in range(first_year, last_year + 1) if calendar.isleap(y)]
    return [common] + ([f"{_either(leap)}-02-29"] if leap else [])


def _part_of_year(year: int, first: dt.date, last: dt.date) -> list[str]:
    """Dates of ``year`` from ``first`` to ``last`` (both in that year), month by month."""
    parts = []
    for month in range(first.month, last.month + 1):
        start = first.day if month == first.month else 1
        end = last.day if month == last.month else None
        parts.append(_month(year, month, start, end))
    return parts


def date_range_pattern(first: dt.date, last: dt.date) -> str:
    """An anchored pattern matching exactly the ISO dates from ``first`` to ``last``."""
    if first.year == last.year:
        parts = _part_of_year(first.year, first, last)
    else:
        parts = [
            *_part_of_year(first.year, first, dt.date(first.year, 12, 31)),
            *_whole_years(first.year + 1, last.year - 1),
            *_part_of_year(last.year, dt.date(last.year, 1, 1), last),
        ]
    return "^" + _either(parts) + "$"


def month_range_pattern(first: dt.date, last: dt.date) -> str:
    """An anchored pattern matching exactly the months ``YYYY-MM`` from ``first``'s to ``last``'s."""
    parts = []
    for year in range(first.year, last.year + 1):
        low = first.month if year == first.year else 1
        high = last.month if year == last.year else 12
        months = _either([f"{m:02d}" for m in range(low, high + 1)])
        parts.append(f"{year:04d}-{months}")
    return "^" + _either(parts) + "$"
