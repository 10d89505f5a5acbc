"""Business calendar (BIL-1): weekends, Korean public holidays (lunar and substitute
holidays included, from the maintained ``holidays`` library) and holidays staff add
in the admin (``core.Holiday``)."""

from __future__ import annotations

import calendar as _pycal
import datetime as dt
from functools import lru_cache

import holidays as _holidays

ONE_DAY = dt.timedelta(days=1)


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> dict[dt.date, str]:
    return dict(_holidays.country_holidays("KR", years=year, language="ko"))


class BusinessCalendar:
    """Answers business-day questions.

    Staff holidays (``core.Holiday``) are read once per instance, on first use:
    make a new instance (``default_calendar()``) per run or request, do not keep
    one in a module global, or holidays added later are missed.
    """

    def __init__(self, extra_holidays: dict[dt.date, str] | None = None) -> None:
        self._extra = extra_holidays

    @property
    def extra(self) -> dict[dt.date, str]:
        if self._extra is None:
            from .models import Holiday

            self._extra = dict(Holiday.objects.values_list("date", "name"))
        return self._extra

    def holiday_name(self, day: dt.date) -> str | None:
        """The holiday's name, or None on a day that is not a holiday (weekends aside).

        A staff holiday counts even if its name is blank; it wins over a public one.
        """
        if day in self.extra:
            return self.extra[day]
        return _public_holidays(day.year).get(day)

    def is_business_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and self.holiday_name(day) is None

    def next_business_day(self, day: dt.date) -> dt.date:
        """The first business day strictly after ``day``."""
        day += ONE_DAY
        while not self.is_business_day(day):
            day += ONE_DAY
        return day

    def on_or_after(self, day: dt.date) -> dt.date:
        """``day`` if it is a business day, else the next one (a due date that falls on a holiday)."""
        return day if self.is_business_day(day) else self.next_business_day(day)

    def add_business_days(self, day: dt.date, n: int) -> dt.date:
        """The n-th business day after ``day`` (``day`` itself not counted)."""
        if n < 0:
            raise ValueError("n must not be negative")
        for _ in range(n):
            day = self.next_business_day(day)
        return day

    def nth_business_day(self, year: int, month: int, n: int) -> dt.date:
        """The n-th business day of a month (1-based)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        day = dt.date(year, month, 1)
        count = 1 if self.is_business_day(day) else 0
        while count < n:
            day = self.next_business_day(day)
            if day.month != month:
                raise ValueError(f"{year}-{month:02d} has fewer than {n} business days")
            count += 1
        return day

    def business_days_between(self, start: dt.date, end: dt.date) -> int:
        """Business days in (start, end]."""
        count, day = 0, start
        while day < end:
            day += ONE_DAY
            if self.is_business_day(day):
                count += 1
        return count


def default_calendar() -> BusinessCalendar:
    return BusinessCalendar()


def is_business_day(day: dt.date) -> bool:
    return default_calendar().is_business_day(day)


def add_business_days(day: dt.date, n: int) -> dt.date:
    return default_calendar().add_business_days(day, n)


def nth_business_day(year: int, month: int, n: int) -> dt.date:
    return default_calendar().nth_business_day(year, month, n)


def next_business_day(day: dt.date) -> dt.date:
    return default_calendar().next_business_day(day)


def days_in_month(year: int, month: int) -> int:
    return _pycal.monthrange(year, month)[1]


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=days_in_month(day.year, day.month))


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day-of-month ``months`` later, clamped to the month's last day (BIL-2: 29th–31st)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, days_in_month(year, month)))


def clamp_day(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, min(day, days_in_month(year, month)))
