"""BIL-1, BIL-2, BIL-3 at their edges (issue 9 mutation testing): period boundaries, anniversary periods
looked up from any day, policies missing a field, rules counted from the issue date against fixed due
dates, and unknown rules. Every expected date is worked out by hand (weekdays in the docstrings)."""

from __future__ import annotations

import datetime as dt

import pytest

from billing.services.dates import (
    Period,
    annual_issue_date,
    due_date_for,
    nominal_dates,
    nominal_issue_date,
    period_containing,
    periods_between,
)
from contracts.models import BillingPeriod, IssueRule, Policy
from contracts.presets import preset_values
from core.calendar import BusinessCalendar
from core.errors import DomainError

D = dt.date
FEBRUARY = Period(D(2026, 2, 1), D(2026, 2, 28))
JANUARY = Period(D(2026, 1, 1), D(2026, 1, 31))


def policy(code: str, **overrides) -> Policy:
    values = {**preset_values(code), **overrides}
    return Policy(**values)


@pytest.fixture
def cal():
    return BusinessCalendar(extra_holidays={})


def anniversary() -> Policy:
    return policy("officecore", billing_period=BillingPeriod.CONTRACT_ANNIVERSARY)


def test_period_days_and_text():
    """BIL-1: February 2026 has 28 days, a one-day period 1; shown as start~end."""
    assert FEBRUARY.days == 28
    assert Period(D(2026, 3, 5), D(2026, 3, 5)).days == 1
    assert str(FEBRUARY) == "2026-02-01~2026-02-28"


def test_period_contains_both_ends_only():
    """BIL-1: the first and the last day belong to the period, the days around it do not."""
    assert FEBRUARY.contains(D(2026, 2, 1))
    assert FEBRUARY.contains(D(2026, 2, 28))
    assert not FEBRUARY.contains(D(2026, 1, 31))
    assert not FEBRUARY.contains(D(2026, 3, 1))


@pytest.mark.parametrize(
    ("start", "end", "overlaps"),
    [
        (D(2026, 2, 28), None, True),  # starts on the last day, open-ended
        (D(2026, 3, 1), None, False),  # starts the day after
        (D(2026, 1, 1), None, True),  # started before, still running
        (D(2026, 1, 1), D(2026, 2, 1), True),  # ends on the first day
        (D(2026, 1, 1), D(2026, 1, 31), False),  # ends the day before
        (D(2026, 2, 10), D(2026, 2, 12), True),  # inside
    ],
)
def test_period_overlaps_at_its_ends(start, end, overlaps):
    """BIL-1: a contract running start..end (None: open) overlaps February 2026 if it shares a day."""
    assert FEBRUARY.overlaps(start, end) is overlaps


@pytest.mark.parametrize(
    ("anchor", "day", "period"),
    [
        # the anchor day itself: index 0
        (D(2026, 1, 15), D(2026, 1, 15), Period(D(2026, 1, 15), D(2026, 2, 14))),
        # the next calendar month but before the anniversary: still the first period
        (D(2026, 1, 15), D(2026, 2, 10), Period(D(2026, 1, 15), D(2026, 2, 14))),
        # the last day of a period
        (D(2026, 1, 15), D(2026, 2, 14), Period(D(2026, 1, 15), D(2026, 2, 14))),
        # the anniversary day starts the next one
        (D(2026, 1, 15), D(2026, 2, 15), Period(D(2026, 2, 15), D(2026, 3, 14))),
        # a 31st anchor, February clamped: 2026-02-15 is in the first period (01-31..02-27)
        (D(2026, 1, 31), D(2026, 2, 15), Period(D(2026, 1, 31), D(2026, 2, 27))),
        # fourteen months on: add_months(01-31, 13) = 2027-02-28 .. add_months(01-31, 14) - 1 = 2027-03-30
        (D(2026, 1, 31), D(2027, 3, 15), Period(D(2027, 2, 28), D(2027, 3, 30))),
        # an earlier month of the next year: 12 × 1 + (2 − 11) = 3 months on = 2027-02-15 .. 2027-03-14
        (D(2026, 11, 15), D(2027, 2, 20), Period(D(2027, 2, 15), D(2027, 3, 14))),
    ],
)
def test_anniversary_period_containing_a_day(anchor, day, period):
    """BIL-2: the anniversary period holding ``day``, counted from the contract's start."""
    assert period_containing(anniversary(), day, anchor) == period


def test_anniversary_period_refuses_a_day_before_the_anchor():
    """BIL-2: there is no period before the contract starts."""
    with pytest.raises(ValueError, match=r"^day before the anchor$"):
        period_containing(anniversary(), D(2026, 1, 14), D(2026, 1, 15))


def test_anniversary_policy_without_anchor_and_calendar_policy_with_one_use_calendar_months():
    """BIL-1, BIL-2: without a contract start an anniversary policy falls back to the calendar month; a
    calendar-month policy ignores the anchor."""
    assert period_containing(anniversary(), D(2026, 2, 20)) == FEBRUARY
    assert period_containing(policy("dcloud"), D(2026, 2, 20), D(2026, 1, 15)) == FEBRUARY


def test_periods_between_start_at_the_anchor_and_include_a_period_starting_on_the_end_day():
    """BIL-1, BIL-2: asked from before the contract's start, the periods begin at the start; a period
    that begins on the last day asked for is included."""
    starts = [p.start for p in periods_between(anniversary(), D(2026, 1, 1), D(2026, 2, 28), D(2026, 1, 31))]
    assert starts == [D(2026, 1, 31), D(2026, 2, 28)]
    months = list(periods_between(policy("dcloud"), D(2026, 1, 15), D(2026, 3, 1)))
    assert months == [JANUARY, FEBRUARY, Period(D(2026, 3, 1), D(2026, 3, 31))]
    assert list(periods_between(policy("dcloud"), D(2026, 2, 1), D(2026, 2, 28))) == [FEBRUARY]


def test_fixed_issue_day_is_clamped_to_the_next_months_end(cal):
    """BIL-3: issue day 31 in the month after January 2026 is 2026-02-28; after December 2026 it is
    2027-01-31 (a fixed day, not moved to a business day)."""
    rule = policy("dcloud", issue_day=31)
    assert nominal_issue_date(rule, JANUARY, cal) == D(2026, 2, 28)
    assert nominal_issue_date(rule, Period(D(2026, 12, 1), D(2026, 12, 31)), cal) == D(2027, 1, 31)


def test_issue_days_before_a_last_day_due_date(cal):
    """BIL-3: issued 7 days before a due date on the last day of the next month: January 2026 is due
    2026-02-28, issued 2026-02-21; issued that day the notice just fits, so the due date stays."""
    rule = policy("dcloud", issue_rule=IssueRule.DAYS_BEFORE_DUE, issue_days_before_due=7)
    assert nominal_dates(rule, JANUARY, cal) == (D(2026, 2, 21), D(2026, 2, 28))
    assert due_date_for(rule, JANUARY, D(2026, 2, 22), cal) == D(2026, 3, 1)


@pytest.mark.parametrize(
    ("code", "overrides", "field"),
    [
        ("dcloud", {"issue_day": None}, "issue_day"),  # fixed day next month
        ("kgmsg", {"issue_day": None}, "issue_day"),  # n-th business day next month
        ("damoa", {"issue_days_before_due": None}, "issue_days_before_due"),  # days before due
        ("damoa", {"issue_rule": IssueRule.FIRST_OF_MONTH, "due_day_of_month": None}, "due_day_of_month"),
    ],
)
def test_a_missing_policy_field_is_refused_by_name(cal, code, overrides, field):
    """BIL-3: a rule whose number is missing from the policy names that field; nothing is guessed (the
    message showed a literal '{field}': the name was not passed as a message parameter)."""
    with pytest.raises(DomainError) as refused:
        nominal_dates(policy(code, **overrides), JANUARY, cal)
    error = refused.value
    assert (error.code, error.field, error.rule) == ("policy_incomplete", field, "BIL-3")
    assert error.message_ko == f"BIL-3: 약관의 '{field}' 값이 비어 있어 발행일·납기일을 정할 수 없습니다."


def test_missing_due_days_is_refused_by_name(cal):
    """BIL-3: due N days after issue without N names ``due_days``."""
    with pytest.raises(DomainError) as refused:
        due_date_for(policy("officecore", due_days=None), JANUARY, D(2026, 1, 1), cal)
    assert (refused.value.code, refused.value.field) == ("policy_incomplete", "due_days")


def test_days_before_due_needs_a_fixed_due_date(cal):
    """BIL-3: "issue N days before the due date" cannot work with a due date counted from the issue."""
    rule = policy("officecore", issue_rule=IssueRule.DAYS_BEFORE_DUE, issue_days_before_due=5)
    with pytest.raises(DomainError) as refused:
        nominal_issue_date(rule, JANUARY, cal)
    error = refused.value
    assert (error.code, error.field, error.rule) == ("policy_incomplete", "due_rule", "BIL-3")
    assert error.message_ko == "BIL-3: 납기 전 발행 규칙에는 발행일과 무관한 납기일 규칙이 필요합니다."


def test_unknown_issue_and_due_rules_are_refused_by_name(cal):
    """BIL-3: a rule the code does not know is refused as a domain error naming the field and the value
    (it was a TypeError: the value was passed as a second ``rule`` keyword)."""
    with pytest.raises(DomainError) as refused:
        nominal_issue_date(policy("officecore", issue_rule="weekly"), JANUARY, cal)
    error = refused.value
    assert (error.code, error.field, error.rule) == ("unknown_issue_rule", "issue_rule", "BIL-3")
    assert error.message_ko == "BIL-3: 알 수 없는 발행 규칙: weekly"
    with pytest.raises(DomainError) as refused:
        due_date_for(policy("officecore", due_rule="never"), JANUARY, D(2026, 1, 1), cal)
    error = refused.value
    assert (error.code, error.field, error.rule) == ("unknown_due_rule", "due_rule", "BIL-3")
    assert error.message_ko == "BIL-3: 알 수 없는 납기일 규칙: never"


def test_due_day_of_usage_month_is_clamped_to_the_months_end(cal):
    """BIL-3: due on the 31st of the usage month: April 2026 → 2026-04-30 (a Thursday)."""
    rule = policy("damoa", due_day_of_month=31, issue_days_before_due=5)
    april = Period(D(2026, 4, 1), D(2026, 4, 30))
    assert nominal_dates(rule, april, cal) == (D(2026, 4, 25), D(2026, 4, 30))


def test_late_issue_past_a_last_day_due_date_is_due_on_the_issue_day(cal):
    """BIL-3: dcloud's January 2026 (due 2026-02-28) issued on Saturday 2026-03-07 has no notice to keep
    (its issue rule is a fixed day), so it is due that day — not moved to a business day, which only
    the due-day-of-month rule does."""
    assert due_date_for(policy("dcloud"), JANUARY, D(2026, 3, 7), cal) == D(2026, 3, 7)
    # issued on the due date itself (no notice to keep): the due date stays 2026-02-28
    assert due_date_for(policy("dcloud"), JANUARY, D(2026, 2, 28), cal) == D(2026, 2, 28)


def test_notice_counts_only_for_the_days_before_due_rule(cal):
    """BIL-3: a dcloud policy with ``issue_days_before_due`` 5 but a fixed-day issue rule keeps its due
    date 2026-02-28 when issued 2026-02-25 (5 days' notice would have moved it to 2026-03-02)."""
    rule = policy("dcloud", issue_days_before_due=5)
    assert due_date_for(rule, JANUARY, D(2026, 2, 25), cal) == D(2026, 2, 28)


def test_days_before_due_without_a_number_keeps_no_notice(cal):
    """BIL-3: damoa's January 2026 is due Monday 2026-01-12 (the 10th a Saturday); without
    ``issue_days_before_due`` an invoice issued 2026-01-12 keeps that due date (no notice), one issued
    2026-01-13 is due that day."""
    rule = policy("damoa", issue_days_before_due=None)
    assert due_date_for(rule, JANUARY, D(2026, 1, 12), cal) == D(2026, 1, 12)
    assert due_date_for(rule, JANUARY, D(2026, 1, 13), cal) == D(2026, 1, 13)


def test_annual_plan_is_issued_on_its_first_day():
    """BIL-5: an annual period is billed on its first day."""
    assert annual_issue_date(Period(D(2026, 3, 15), D(2027, 3, 14))) == D(2026, 3, 15)

