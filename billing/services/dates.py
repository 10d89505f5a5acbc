"""Billing periods, issue dates and due dates (BIL-1, BIL-2, BIL-3), from the Policy's fields.

Nothing here knows a preset code: every date comes from ``billing_period``, ``billing_timing``,
``issue_rule``/``issue_day``/``issue_days_before_due`` and ``due_rule``/``due_days``/``due_day_of_month``
of the (effective) policy, and from the business calendar.

* A *period* is a calendar month (BIL-1, 002 art.32④), or for ``contract_anniversary`` policies a month
  counted from the contract's start day: a start on the 29th–31st bills on the last day of shorter
  months and returns to its day afterwards (BIL-2). Every boundary is ``add_months(anchor, k)`` from the
  original anchor, never from the previous boundary, so a clamped February does not stick.
* The *usage month* of a period is the month of its start; "next month" is the month after its end.
* The nominal issue date is when the run issues the period's invoice. A run that sees a period whose
  nominal date has passed and that is not yet issued issues it on its own date (a missed run day, or a
  contract activated after the nominal date); the due date then keeps the policy's notice (see
  :func:`due_date_for`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from contracts.effective import PolicyView
from contracts.models import BillingPeriod, BillingTiming, DueRule, IssueRule
from core.calendar import BusinessCalendar, add_months, clamp_day, month_end, month_start
from core.errors import DomainError

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def overlaps(self, start: dt.date, end: dt.date | None) -> bool:
        return start <= self.end and (end is None or end >= self.start)

    def __str__(self) -> str:
        return f"{self.start}~{self.end}"


def calendar_month(day: dt.date) -> Period:
    return Period(month_start(day), month_end(day))


def anniversary_period(anchor: dt.date, index: int) -> Period:
    """The ``index``-th month counted from ``anchor`` (index 0 starts on the anchor)."""
    return Period(add_months(anchor, index), add_months(anchor, index + 1) - ONE_DAY)


def period_containing(policy: PolicyView, day: dt.date, anchor: dt.date | None = None) -> Period:
    """The billing period of ``policy`` that contains ``day`` (``anchor``: the contract's start)."""
    if policy.billing_period == BillingPeriod.CONTRACT_ANNIVERSARY and anchor is not None:
        if day < anchor:
            raise ValueError("day before the anchor")
        index = (day.year - anchor.year) * 12 + (day.month - anchor.month)
        index = max(0, index - 1)
        while anniversary_period(anchor, index).end < day:
            index += 1
        return anniversary_period(anchor, index)
    return calendar_month(day)


def periods_between(
    policy: PolicyView, start: dt.date, end: dt.date, anchor: dt.date | None = None
) -> Iterator[Period]:
    """The periods overlapping ``start..end``, in order."""
    period = period_containing(policy, max(start, anchor) if anchor else start, anchor)
    while period.start <= end:
        yield period
        period = period_containing(policy, period.end + ONE_DAY, anchor)


def _next_month(day: dt.date) -> dt.date:
    return add_months(month_start(day), 1)


def _require(policy: PolicyView, field: str) -> int:
    value = getattr(policy, field)
    if value is None:
        raise DomainError(
            "policy_incomplete",
            _("약관의 '{name}' 값이 비어 있어 발행일·납기일을 정할 수 없습니다."),
            rule="BIL-3",
            field=field,
            name=field,  # ``field`` is the error's own keyword, not a message parameter
        )
    return int(value)


def nominal_issue_date(policy: PolicyView, period: Period, cal: BusinessCalendar) -> dt.date:
    """BIL-3: when the run issues ``period``'s invoice."""
    rule = policy.issue_rule
    if rule == IssueRule.FIRST_OF_MONTH:
        # Advance billing issues at the start of the period, arrears the day after it ends
        # (for calendar months: the 1st of the usage month / of the next month).
        return period.start if policy.billing_timing == BillingTiming.ADVANCE else period.end + ONE_DAY
    if rule == IssueRule.FIXED_DAY_NEXT_MONTH:
        nxt = _next_month(period.end)
        return clamp_day(nxt.year, nxt.month, _require(policy, "issue_day"))
    if rule == IssueRule.NTH_BUSINESS_DAY_NEXT_MONTH:
        nxt = _next_month(period.end)
        return cal.nth_business_day(nxt.year, nxt.month, _require(policy, "issue_day"))
    if rule == IssueRule.DAYS_BEFORE_DUE:
        due = _fixed_due(policy, period, cal)
        if due is None:
            raise DomainError(
                "policy_incomplete",
                _("납기 전 발행 규칙에는 발행일과 무관한 납기일 규칙이 필요합니다."),
                rule="BIL-3",
                field="due_rule",
            )
        return due - dt.timedelta(days=_require(policy, "issue_days_before_due"))
    raise DomainError(
        "unknown_issue_rule",
        _("알 수 없는 발행 규칙: {value}"),
        rule="BIL-3",
        field="issue_rule",
        value=rule,
    )


def _fixed_due(policy: PolicyView, period: Period, cal: BusinessCalendar) -> dt.date | None:
    """Due dates that depend on the period only (None for rules counted from the issue date)."""
    rule = policy.due_rule
    if rule == DueRule.LAST_DAY_NEXT_MONTH:
        return month_end(_next_month(period.end))
    if rule == DueRule.DAY_OF_USAGE_MONTH:
        start = period.start
        return cal.on_or_after(clamp_day(start.year, start.month, _require(policy, "due_day_of_month")))
    return None


def due_date_for(policy: PolicyView, period: Period, issued_on: dt.date, cal: BusinessCalendar) -> dt.date:
    """BIL-3: the due date of ``period``'s invoice issued on ``issued_on``.

    Rules counted from the issue date count from the real issue date. A fixed due date (last day of
    the next month, the D-th of the usage month) is kept unless the invoice is issued so late that the
    policy's notice (``issue_days_before_due``, else none) would not fit; then the due date moves to the
    issue date plus that notice (the next business day for business-day rules), never before the issue.
    """
    rule = policy.due_rule
    if rule == DueRule.DAYS_AFTER_ISSUE:
        return issued_on + dt.timedelta(days=_require(policy, "due_days"))
    if rule == DueRule.BUSINESS_DAYS_AFTER_ISSUE:
        return cal.add_business_days(issued_on, _require(policy, "due_days"))
    fixed = _fixed_due(policy, period, cal)
    if fixed is None:
        raise DomainError(
            "unknown_due_rule",
            _("알 수 없는 납기일 규칙: {value}"),
            rule="BIL-3",
            field="due_rule",
            value=rule,
        )
    notice = int(policy.issue_days_before_due or 0) if policy.issue_rule == IssueRule.DAYS_BEFORE_DUE else 0
    earliest = issued_on + dt.timedelta(days=notice)
    if fixed >= earliest:
        return fixed
    return cal.on_or_after(earliest) if rule == DueRule.DAY_OF_USAGE_MONTH else earliest


def nominal_dates(policy: PolicyView, period: Period, cal: BusinessCalendar) -> tuple[dt.date, dt.date]:
    """(issue date, due date) when the run issues on time."""
    issue = nominal_issue_date(policy, period, cal)
    return issue, due_date_for(policy, period, issue, cal)


def annual_issue_date(period: Period) -> dt.date:
    """BIL-5: an annual plan is billed up front at the start of its annual period."""
    return period.start
