"""BIL-1 business calendar and BIL-3 due-date arithmetic (SPEC §5, §12 items 11–12)."""

from __future__ import annotations

from datetime import date

import pytest

from core import calendar as cal
from core.calendar import BusinessCalendar
from core.models import Holiday

pytestmark = pytest.mark.django_db


def test_damoa_due_date_october_2027_skips_sunday_and_substitute_holiday():
    """BIL-3 / §12 item 11: due on the 10th; 2027-10-10 is Sunday, 10-11 substitute Hangul Day → 10-12."""
    calendar = BusinessCalendar()
    assert date(2027, 10, 10).weekday() == 6
    assert calendar.holiday_name(date(2027, 10, 11)) is not None
    assert calendar.on_or_after(date(2027, 10, 10)) == date(2027, 10, 12)


def test_damoa_due_date_october_2026_skips_saturday():
    """BIL-3 / §12 item 11: 2026-10-10 is a Saturday → due 2026-10-12."""
    assert BusinessCalendar().on_or_after(date(2026, 10, 10)) == date(2026, 10, 12)


def test_on_or_after_keeps_a_business_day():
    """BIL-3: a due date that is a business day stays."""
    assert BusinessCalendar().on_or_after(date(2026, 11, 10)) == date(2026, 11, 10)


def test_kgmsg_issue_by_tenth_business_day_of_november_2026():
    """BIL-3 / §12 item 12: October 2026 usage is issued by the 10th business day of November = 11-13."""
    assert BusinessCalendar().nth_business_day(2026, 11, 10) == date(2026, 11, 13)
    assert cal.nth_business_day(2026, 11, 10) == date(2026, 11, 13)


def test_kgmsg_due_twenty_business_days_after_issue():
    """BIL-3 / §12 item 12: issued 2026-10-15 → due 20 business days later = 2026-11-12."""
    assert BusinessCalendar().add_business_days(date(2026, 10, 15), 20) == date(2026, 11, 12)
    assert cal.add_business_days(date(2026, 10, 15), 20) == date(2026, 11, 12)


def test_kgmsg_tenth_business_day_of_october_2026_skips_two_holidays():
    """BIL-3 / §12 item 12: 10-05 (substitute National Foundation Day) and 10-09 (Hangul Day) → 10-16."""
    calendar = BusinessCalendar()
    assert not calendar.is_business_day(date(2026, 10, 5))
    assert not calendar.is_business_day(date(2026, 10, 9))
    assert calendar.nth_business_day(2026, 10, 10) == date(2026, 10, 16)


def test_first_business_day_when_the_first_is_a_holiday():
    """BIL-1: 2026-01-01 is New Year's Day → the 1st business day of January 2026 is 01-02."""
    calendar = BusinessCalendar()
    assert calendar.nth_business_day(2026, 1, 1) == date(2026, 1, 2)
    assert calendar.nth_business_day(2026, 11, 1) == date(2026, 11, 2)  # 11-01 is a Sunday


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 2, 16), date(2026, 2, 17), date(2026, 2, 18),  # Seollal (lunar new year) 2026
        date(2026, 9, 24), date(2026, 9, 25),  # Chuseok 2026 (the 26th is a Saturday anyway)
        date(2026, 3, 2),  # substitute for Independence Movement Day (Sunday 03-01)
        date(2027, 2, 9),  # substitute for Seollal 2027 (falls on a Sunday)
    ],
)
def test_lunar_and_substitute_holidays_are_not_business_days(day):
    """BIL-1: lunar holidays and substitute holidays come from the maintained calendar."""
    calendar = BusinessCalendar()
    assert day.weekday() < 5
    assert calendar.holiday_name(day)
    assert not calendar.is_business_day(day)
    assert not cal.is_business_day(day)


def test_weekends_are_not_business_days_and_weekdays_are():
    """BIL-1: Saturdays and Sundays are never business days."""
    calendar = BusinessCalendar()
    assert not calendar.is_business_day(date(2026, 11, 7))  # Saturday
    assert not calendar.is_business_day(date(2026, 11, 8))  # Sunday
    assert calendar.is_business_day(date(2026, 11, 9))  # Monday, no holiday
    assert calendar.holiday_name(date(2026, 11, 9)) is None


def test_staff_added_holiday_is_not_a_business_day():
    """BIL-1: a holiday staff add in the admin (core.Holiday) makes the day non-business."""
    day = date(2026, 11, 11)
    assert BusinessCalendar().is_business_day(day)
    Holiday.objects.create(date=day, name="창립기념일")
    calendar = BusinessCalendar()
    assert not calendar.is_business_day(day)
    assert calendar.holiday_name(day) == "창립기념일"
    assert calendar.next_business_day(date(2026, 11, 10)) == date(2026, 11, 12)
    assert cal.is_business_day(day) is False  # the module helpers read the staff holidays too
    # kgmsg's 10th business day of November moves by one day.
    assert calendar.nth_business_day(2026, 11, 10) == date(2026, 11, 16)


def test_staff_holiday_with_blank_name_still_counts():
    """BIL-1: a staff holiday counts even when its name is blank (bug: it used to be ignored)."""
    day = date(2026, 11, 11)
    Holiday.objects.create(date=day, name="")
    assert not BusinessCalendar().is_business_day(day)


def test_extra_holidays_can_be_injected_without_the_database():
    """BIL-1: a calendar built with explicit extra holidays does not read core.Holiday."""
    calendar = BusinessCalendar(extra_holidays={date(2026, 11, 11): "test"})
    assert not calendar.is_business_day(date(2026, 11, 11))


def test_next_business_day_is_strictly_after():
    """BIL-1: next_business_day skips the day itself, weekends and holidays."""
    calendar = BusinessCalendar()
    assert calendar.next_business_day(date(2026, 11, 9)) == date(2026, 11, 10)
    assert calendar.next_business_day(date(2026, 11, 6)) == date(2026, 11, 9)  # Fri → Mon
    assert calendar.next_business_day(date(2026, 9, 23)) == date(2026, 9, 28)  # Chuseok + weekend
    assert cal.next_business_day(date(2026, 12, 24)) == date(2026, 12, 28)  # Christmas Friday


def test_add_business_days_zero_and_negative():
    """BIL-3: adding 0 business days returns the day; a negative count is refused."""
    calendar = BusinessCalendar()
    assert calendar.add_business_days(date(2026, 11, 7), 0) == date(2026, 11, 7)
    with pytest.raises(ValueError, match=r"^n must not be negative$"):
        calendar.add_business_days(date(2026, 11, 7), -1)


@pytest.mark.parametrize("n", [0, -3])
def test_nth_business_day_needs_n_at_least_one(n):
    """BIL-3: the n-th business day is 1-based."""
    with pytest.raises(ValueError, match=r"^n must be at least 1$"):
        BusinessCalendar().nth_business_day(2026, 11, n)


def test_nth_business_day_past_the_month_is_refused():
    """BIL-3: a month has about 20 business days; asking for the 25th is an error, not next month."""
    with pytest.raises(ValueError, match="fewer than 25"):
        BusinessCalendar().nth_business_day(2026, 10, 25)


def test_business_days_between():
    """BIL-1: business days in (start, end]."""
    calendar = BusinessCalendar()
    assert calendar.business_days_between(date(2026, 10, 15), date(2026, 11, 12)) == 20
    assert calendar.business_days_between(date(2026, 11, 9), date(2026, 11, 9)) == 0


def test_month_helpers():
    """BIL-1: a billing month runs from the 1st to the last day."""
    assert cal.days_in_month(2026, 2) == 28
    assert cal.days_in_month(2028, 2) == 29
    assert cal.month_start(date(2026, 11, 17)) == date(2026, 11, 1)
    assert cal.month_end(date(2026, 11, 17)) == date(2026, 11, 30)
    assert cal.clamp_day(2026, 2, 31) == date(2026, 2, 28)


def test_add_months_clamps_and_returns_to_the_original_day():
    """BIL-2: a contract starting on the 31st bills on Feb 28 and on the 31st again in March."""
    start = date(2026, 1, 31)
    assert cal.add_months(start, 1) == date(2026, 2, 28)
    assert cal.add_months(start, 2) == date(2026, 3, 31)  # from the original day, not from Feb 28
    assert cal.add_months(start, 3) == date(2026, 4, 30)
    assert cal.add_months(date(2028, 1, 30), 1) == date(2028, 2, 29)  # leap year
    assert cal.add_months(date(2026, 11, 30), 2) == date(2027, 1, 30)  # across a year
    assert cal.add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)  # backwards
    assert cal.add_months(date(2026, 1, 15), -13) == date(2024, 12, 15)
    assert cal.add_months(start, 12) == date(2027, 1, 31)
