"""No-penalty termination (SLA-7, ``damoa`` 004 art.23-2): 48 hours or more of outage in a month, or 5 or
more outages of 1 hour or more, let the customer terminate without penalty.

Settlement needs no hook: the termination is requested with kind ``operator_fault``, which
``contracts.services.termination`` already treats as penalty-free (``penalty_exempt``), and
``billing.services.settlement`` leaves the penalty out (showing the waived amount as a 0 line).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from django.utils.translation import gettext_lazy as _

from contracts.effective import effective_policy
from contracts.models import Contract, TerminationKind
from contracts.services.termination import termination_request
from core.calendar import add_months, month_start
from core.clock import SEOUL
from core.errors import DomainError

from .availability import measure_month
from .intervals import minutes, total_minutes


@dataclass(frozen=True)
class NoPenaltyCheck:
    applies: bool
    month: dt.date | None
    outage_minutes: int
    long_outages: int
    hours_limit: int | None
    count_limit: int | None


def no_penalty_termination(*, contract: Contract, now: dt.datetime) -> NoPenaltyCheck:
    """SLA-7: whether the contract may terminate without penalty now, judged on this month so far and
    the previous month (outages after exclusions and announced maintenance)."""
    policy = effective_policy(contract)
    hours = policy.sla_termination_outage_hours
    count = policy.sla_termination_outage_count
    min_minutes = int(policy.sla_termination_outage_min_minutes or 0)
    if not hours and not count:
        return NoPenaltyCheck(False, None, 0, 0, None, None)
    this_month = month_start(now.astimezone(SEOUL).date())
    best = NoPenaltyCheck(False, None, 0, 0, hours, count)
    for month in (add_months(this_month, -1), this_month):
        m = measure_month(contract=contract, month=month, now=now)
        total = total_minutes(m.raw_spans)
        long = sum(1 for span in m.raw_spans if minutes(span) >= min_minutes)
        applies = bool(hours and total >= Fraction(hours * 60)) or bool(count and long >= count)
        if applies or total > best.outage_minutes:
            best = NoPenaltyCheck(applies, month, int(total), long, hours, count)
        if applies:
            return best
    return best


def terminate_without_penalty(
    *, contract: Contract, effective_on: dt.date, today: dt.date, now: dt.datetime, reason: str = ""
) -> Contract:
    """The customer terminates under SLA-7: refused unless it applies, else a penalty-free termination."""
    check = no_penalty_termination(contract=contract, now=now)
    if not check.applies:
        raise DomainError(
            "no_penalty_termination_not_applicable",
            _(
                "위약금 없는 해지 조건(월 누적 {hours}시간 이상 장애 또는 "
                "{count}회 이상 장애)에 해당하지 않습니다."
            ),
            rule="SLA-7",
            field="kind",
            hours=check.hours_limit or "-",
            count=check.count_limit or "-",
        )
    return termination_request(
        contract=contract,
        effective_on=effective_on,
        today=today,
        kind=TerminationKind.OPERATOR_FAULT,
        reason=reason or str(_("장애로 인한 위약금 없는 해지 (SLA-7)")),
    )
