"""The final-settlement preview shown before a customer confirms termination (CON-7).

The billing capability computes the real final invoice, refund and penalty
(BIL-12..16) and installs its calculator into the :data:`calculator` hook at
start-up (``billing.apps``); the termination screen and the settlement issued
afterwards call the same function, so the preview is exactly what will be
charged. Without it the preview raises ``core.hooks.HookNotInstalled`` (and
``manage.py check`` reports core.E001) rather than showing a partial amount.
:func:`usage_only` (the termination month's used days, BIL-4) is a calculator
one may install explicitly (tests of the contracts rules without billing).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from core.calendar import days_in_month
from core.hooks import Hook
from core.money import prorate

from .effective import effective_policy
from .models import Contract


@dataclass(frozen=True)
class SettlementLine:
    kind: str  # "usage" | "refund" | "penalty" | "unpaid" | ...
    description: str
    amount_won: int  # positive = the customer pays, negative = the customer is refunded
    # The rules and the seed terms' articles behind the line ("BIL-14 · 002 제32조③"), for staff; the
    # description is what the customer reads (plain Korean, "약관 제32조③" where it helps, issue 15).
    basis: str = ""


@dataclass(frozen=True)
class Settlement:
    contract_id: int
    effective_on: dt.date
    lines: list[SettlementLine] = field(default_factory=list)
    complete: bool = False  # False while only the usage part is known

    @property
    def total_won(self) -> int:
        return sum(line.amount_won for line in self.lines)


Calculator = Callable[[Contract, dt.date, bool], Settlement]
calculator: Hook[Calculator] = Hook(
    "contracts.settlement_calculator",
    provider="billing",
    purpose="the final settlement shown in the termination preview CON-7, BIL-12..16",
)


def set_calculator(fn: Calculator | None) -> None:
    """Install the settlement calculator (``None`` removes it: the preview then raises)."""
    calculator.install(fn)


def contract_monthly_fee_won(contract: Contract) -> int:
    plan = contract.plan
    if contract.billing_cycle == "annual" and plan.annual_monthly_price_per_seat_won:
        per_seat = plan.annual_monthly_price_per_seat_won
    else:
        per_seat = plan.monthly_price_per_seat_won
    return plan.monthly_fee_won + per_seat * contract.seats


def usage_only(contract: Contract, effective_on: dt.date, penalty_exempt: bool) -> Settlement:
    """Usage part: the termination month's fee for the days used (BIL-4)."""
    lines = []
    fee = contract_monthly_fee_won(contract)
    start = max(effective_on.replace(day=1), contract.activated_on or effective_on.replace(day=1))
    used = (effective_on - start).days + 1
    total = days_in_month(effective_on.year, effective_on.month)
    if fee and used > 0:
        mode = effective_policy(contract).rounding
        lines.append(
            SettlementLine(
                "usage",
                _("%(month)s 이용료 %(used)s/%(total)s일")
                % {"month": effective_on.strftime("%Y-%m"), "used": used, "total": total},
                prorate(fee, used, total, mode),
            )
        )
    return Settlement(contract.pk, effective_on, lines, complete=False)


def preview(contract: Contract, effective_on: dt.date, *, penalty_exempt: bool = False) -> Settlement:
    return calculator.get()(contract, effective_on, penalty_exempt)
