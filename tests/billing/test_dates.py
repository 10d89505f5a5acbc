"""BIL-1, BIL-2, BIL-3: billing periods, issue and due dates from the policy fields."""

from __future__ import annotations

import datetime as dt

import pytest

from billing.services.dates import (
    Period,
    anniversary_period,
    calendar_month,
    due_date_for,
    nominal_dates,
    nominal_issue_date,
    period_containing,
    periods_between,
)
from contracts.models import BillingPeriod, Policy
from contracts.presets import preset_values
from core.calendar import BusinessCalendar

D = dt.date


def policy(code: str, **overrides) -> Policy:
    values = {**preset_values(code), **overrides}
    return Policy(**values)


@pytest.fixture
def cal():
    return BusinessCalendar(extra_holidays={})


def test_damoa_due_date_worked_example_11(cal):
    """BIL-3, SPEC §12 item 11: damoa October 2027 usage is due 2027-10-12 (the 10th a Sunday, the 11th
    the substitute Hangul Day holiday); October 2026 → 2026-10-12 (the 10th a Saturday); issued 5 days
    before the due date (004 art.19①, 21①)."""
    damoa = policy("damoa")
    issue, due = nominal_dates(damoa, calendar_month(D(2027, 10, 1)), cal)
    assert due == D(2027, 10, 12)
    assert issue == D(2027, 10, 7)
    issue, due = nominal_dates(damoa, calendar_month(D(2026, 10, 1)), cal)
    assert due == D(2026, 10, 12)
    assert issue == D(2026, 10, 7)
    # a business-day 10th stays
    assert nominal_dates(damoa, calendar_month(D(2026, 11, 1)), cal) == (D(2026, 11, 5), D(2026, 11, 10))


def test_kgmsg_worked_example_12(cal):
    """BIL-3, SPEC §12 item 12: kgmsg October 2026 usage is issued on the 10th business day of November
    2026 = 2026-11-13; an invoice issued 2026-10-15 is due 20 business days later = 2026-11-12; September
    2026 usage → 2026-10-16 (10-05 and 10-09 are holidays) (003 art.7①)."""
    kgmsg = policy("kgmsg")
    assert nominal_issue_date(kgmsg, calendar_month(D(2026, 10, 1)), cal) == D(2026, 11, 13)
    assert due_date_for(kgmsg, calendar_month(D(2026, 9, 1)), D(2026, 10, 15), cal) == D(2026, 11, 12)
    assert nominal_issue_date(kgmsg, calendar_month(D(2026, 9, 1)), cal) == D(2026, 10, 16)


def test_dcloud_issued_on_the_10th_due_end_of_next_month(cal):
    """BIL-3: dcloud issued by the 10th of the next month, due its last day (002 art.31①)."""
    dcloud = policy("dcloud")
    assert nominal_dates(dcloud, calendar_month(D(2026, 1, 1)), cal) == (D(2026, 2, 10), D(2026, 2, 28))
    assert nominal_dates(dcloud, calendar_month(D(2026, 12, 1)), cal) == (D(2027, 1, 10), D(2027, 1, 31))


def test_officecore_and_flow_default_first_and_14_days(cal):
    """BIL-3: officecore (advance) issued on the 1st of the month, flow (arrears) on the 1st of the next,
    both due 14 days later."""
    assert nominal_dates(policy("officecore"), calendar_month(D(2026, 3, 1)), cal) == (
        D(2026, 3, 1),
        D(2026, 3, 15),
    )
    assert nominal_dates(policy("flow"), calendar_month(D(2026, 3, 1)), cal) == (
        D(2026, 4, 1),
        D(2026, 4, 15),
    )


def test_late_issue_keeps_the_notice(cal):
    """BIL-3: issued after its nominal date (activation later, a missed run), an invoice counted from the
    issue date is due that many days after the real issue; a fixed due date stays unless the notice no
    longer fits (damoa: 5 days' notice, 004 art.19①)."""
    assert due_date_for(policy("officecore"), calendar_month(D(2026, 1, 1)), D(2026, 1, 5), cal) == D(
        2026, 1, 19
    )
    dcloud = policy("dcloud")
    assert due_date_for(dcloud, calendar_month(D(2026, 1, 1)), D(2026, 2, 12), cal) == D(2026, 2, 28)
    damoa = policy("damoa")
    # Activated 2026-01-20: January is issued that day, due 5 days later (01-25 a Sunday → 01-26).
    assert due_date_for(damoa, calendar_month(D(2026, 1, 1)), D(2026, 1, 20), cal) == D(2026, 1, 26)
    assert due_date_for(damoa, calendar_month(D(2026, 1, 1)), D(2026, 1, 6), cal) == D(2026, 1, 12)


def test_staff_holiday_moves_the_due_date():
    """BIL-1: a holiday staff add counts like a public one."""
    cal = BusinessCalendar(extra_holidays={D(2026, 11, 10): "창립기념일"})
    assert nominal_dates(policy("damoa"), calendar_month(D(2026, 11, 1)), cal)[1] == D(2026, 11, 11)


def test_calendar_months():
    """BIL-1: a billing month runs from the 1st to the last day (002 art.32④)."""
    assert calendar_month(D(2028, 2, 17)) == Period(D(2028, 2, 1), D(2028, 2, 29))
    months = list(periods_between(policy("dcloud"), D(2026, 1, 15), D(2026, 3, 2)))
    assert [p.start for p in months] == [D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)]


def test_anniversary_periods_from_the_31st():
    """BIL-2: a contract starting on the 29th–31st bills on the last day of shorter months and returns to
    its day afterwards (``contract_anniversary`` policies; every preset uses calendar months, where the
    same rule gives month starts on the 1st)."""
    anniversary = policy("officecore", billing_period=BillingPeriod.CONTRACT_ANNIVERSARY)
    anchor = D(2026, 1, 31)
    starts = [p.start for p in periods_between(anniversary, anchor, D(2026, 6, 30), anchor)]
    assert starts == [
        D(2026, 1, 31),
        D(2026, 2, 28),
        D(2026, 3, 31),
        D(2026, 4, 30),
        D(2026, 5, 31),
        D(2026, 6, 30),
    ]
    assert anniversary_period(anchor, 1) == Period(D(2026, 2, 28), D(2026, 3, 30))
    assert period_containing(anniversary, D(2026, 3, 30), anchor) == Period(D(2026, 2, 28), D(2026, 3, 30))
    leap = D(2028, 1, 29)
    assert [p.start for p in periods_between(anniversary, leap, D(2028, 4, 1), leap)] == [
        D(2028, 1, 29),
        D(2028, 2, 29),
        D(2028, 3, 29),
    ]
    feb30 = D(2027, 1, 30)
    assert [p.start for p in periods_between(anniversary, feb30, D(2027, 4, 1), feb30)] == [
        D(2027, 1, 30),
        D(2027, 2, 28),
        D(2027, 3, 30),
    ]
    # advance, first of month rule → issued on the period's first day
    assert nominal_issue_date(anniversary, anniversary_period(anchor, 1), BusinessCalendar({})) == D(
        2026, 2, 28
    )
