"""The final settlement of a contract that ends (BIL-12..16, CON-7, CON-8).

One function computes it, :func:`settlement_compute`; it is installed as the contracts preview calculator
(``contracts.settlement.set_calculator``, wired in ``billing.apps``), so the termination screen, the API
and the admin show exactly what :func:`settlement_issue` issues after the contract is terminated.

What the settlement contains (``SettlementLine.kind``; amounts positive = the customer pays, negative =
the customer gets money back; every description names the formula and its numbers):

* Lines the settlement issues itself (:data:`ISSUED_KINDS`), summed into a ``final`` invoice (positive)
  or a ``Refund`` (negative):

  - ``refund``: ``officecore`` the prepaid days after the effective date, by day, one-time fees not
    refunded, minus the promotional discounts received, never below zero (BIL-12, 000 art.18②③④);
    every policy that prorates by day gets back the days billed in advance after the effective date
    (BIL-4); ``flow`` annual (total contract amount − used months × seats × monthly price) × 90 %
    (BIL-13, 001 art.20-4, [reading] 15+ days make a used month, nothing below zero); ``dcloud`` annual
    prepayment converted to monthly/daily fees minus usage and the annual discount (BIL-15, 002 art.20⑦).
  - ``penalty``: ``dcloud`` 60 % × the average of the last 3 full months' fees without agreed discounts ×
    the months left in the term (BIL-14, 002 art.32③); ``damoa`` the free services and the long-term
    discounts received (004 art.26). None when the customer ends the contract because of the operator
    (``penalty_exempt``): the waived amount is shown as a 0 line.
  - ``suspension``: suspended days billed (or still to be billed by the run up to the effective date)
    although the policy charges none (``damoa``, 004 art.19②) or only the first N days (``flow`` 30,
    001 art.19-6-가), minus what the regular invoices already credited while the contract ran: the run
    stops crediting once the termination is recorded, so each day is credited in one place (BIL-16).
  - ``charge``: on withdrawal, the used days where the terms charge them (``flow``, 001 art.20-1).
  - ``vat``: VAT on the taxable lines above for VAT-exclusive policies (per invoice, as the run does).
    Penalties are damages, not a supply, and carry no VAT (부가가치세법 기본통칙 4-0-1).

* Context lines (:data:`CONTEXT_KINDS`), shown so the customer sees the whole picture but not issued
  again, because another document already carries (or will carry) the money:

  - ``usage``: the termination period's fee as the regular invoice run bills it, VAT included, when
    that invoice is still to come (the run bills up to the effective date; ``flow`` monthly: nothing
    under 15 days, a full month from 15, 001 art.20-3). Nothing is billed twice: the settlement never
    re-bills what the run bills; where the run billed beyond the effective date the ``refund`` line
    gives it back.
  - ``unpaid``: the open amount of issued invoices carrying this contract (002 art.20②, 000 art.18⑥).
  - ``credit``: the customer's credit balance (BIL-17).

The settlement's ``total_won`` is the sum of every line (the whole picture); the issued document is the
sum of the issued lines. The issued lines depend only on the contract, its invoices and the effective
date, so the preview and the issued settlement have the same ones; the context lines are a snapshot of
the ledger on the day (a payment in between moves them, by design).
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from contracts.effective import effective_policy
from contracts.models import (
    BillingCycle,
    Contract,
    ContractPeriod,
    ContractStatus,
    SeatAssignment,
    TerminationChargeModel,
)
from contracts.services.termination import settlement_as_dict
from contracts.settlement import Settlement, SettlementLine, contract_monthly_fee_won
from core.calendar import add_months, days_in_month, default_calendar, month_end, month_start
from core.errors import DomainError
from core.money import percent_of, round_won, vat_split

from ..models import Invoice, InvoiceLine, LedgerEntry, Promotion, Refund, UsageRecord
from ..models import Settlement as SettlementRecord
from . import ledger
from .allocation import open_invoices
from .charges import (
    FEE_KINDS,
    LineDraft,
    annual_lines,
    billed,
    contract_period_span,
    describe_ranges,
    is_suspension_credit,
    issued_suspension_groups,
    monthly_lines,
    promotion_lines,
    seat_changes,
    seats_on,
    suspension_credit_owed,
    suspension_rule_text,
    uncharged_suspension_days,
)
from .dates import ONE_DAY, Period, calendar_month, due_date_for, period_containing, periods_between
from .invoicing import schedule_for
from .numbering import next_number
from .promotions import promotions_received

log = logging.getLogger(__name__)

ISSUED_KINDS = frozenset({"refund", "penalty", "suspension", "charge", "vat"})
CONTEXT_KINDS = frozenset({"usage", "unpaid", "credit"})
VAT_EXEMPT_KINDS = frozenset({"penalty"})  # 위약금은 부가가치세 과세대상이 아님 (기본통칙 4-0-1)
PERIOD_FEE_KINDS = frozenset(
    {InvoiceLine.Kind.BASE_FEE, InvoiceLine.Kind.SEATS, InvoiceLine.Kind.ADDED_SEATS}
)
INVOICE_LINE_KIND = {
    "refund": InvoiceLine.Kind.SETTLEMENT,
    "penalty": InvoiceLine.Kind.PENALTY,
    "suspension": InvoiceLine.Kind.ADJUSTMENT,
    "charge": InvoiceLine.Kind.SETTLEMENT,
}
LONG_TERM_TAG = "[장기계약]"
M = TerminationChargeModel


def won(amount: int) -> str:
    return f"{amount:,}"


def _pct(value: Any) -> str:
    return f"{Decimal(str(value)).normalize():f}"


def _months(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator}" if value < 1 else f"{float(value):.4f}".rstrip("0")


# --------------------------------------------------------------------------- pure arithmetic


def prepaid_refund(amount_won: int, line_days: int, remaining_days: int, mode: str) -> int:
    """BIL-12 (000 art.18②): a prepaid line's share for the days after the effective date, by day.
    Never more than the line, never below zero."""
    if line_days <= 0 or remaining_days <= 0 or amount_won <= 0:
        return 0
    return min(amount_won, round_won(Fraction(amount_won * min(remaining_days, line_days), line_days), mode))


def flow_annual_refund(
    *, total_won: int, months_used: int, seats: int, monthly_price_won: int, percent: Any, mode: str
) -> tuple[int, int, int]:
    """BIL-13 (001 art.20-4): (total − months used × seats × monthly price) × refund percent.
    Returns (used amount, difference, refund); a negative difference refunds and charges nothing."""
    used = months_used * seats * monthly_price_won
    difference = max(0, total_won - used)
    return used, difference, min(total_won, percent_of(difference, percent, mode)) if difference else 0


def annual_prepay_refund(
    *, prepaid_net_won: int, prepaid_gross_won: int, used: Fraction, term: Fraction, mode: str
) -> int:
    """BIL-15 (002 art.20⑦): the prepaid amount converted to monthly and daily fees; the used part and
    the annual discount received for it are subtracted: net − net × used/term − discount × used/term
    (= net − gross × used/term). Never below zero, never more than was paid."""
    if term <= 0 or prepaid_net_won <= 0:
        return 0
    share = min(Fraction(1), max(Fraction(0), used / term))
    value = Fraction(prepaid_net_won) - Fraction(prepaid_gross_won) * share
    return max(0, min(prepaid_net_won, round_won(value, mode)))


def calendar_months(start: dt.date, end: dt.date) -> Fraction:
    """Months in ``start..end`` (inclusive) counted by calendar month, a partial month as days/days in
    that month: 2026-09-16..2026-12-31 = 15/30 + 3 = 3.5 (SPEC §12 item 2)."""
    total = Fraction(0)
    day = start
    while day <= end:
        last = min(month_end(day), end)
        total += Fraction((last - day).days + 1, days_in_month(day.year, day.month))
        day = last + ONE_DAY
    return total


# --------------------------------------------------------------------------- contract facts


@dataclass
class _Line:
    """A fee or promotion line, issued or still to be billed by the run (simulated)."""

    kind: str
    amount_won: int
    start: dt.date
    end: dt.date
    description: str
    simulated: bool = False

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


class _Facts:
    """What the settlement reads about one contract ending on ``effective_on``."""

    def __init__(self, contract: Contract, effective_on: dt.date) -> None:
        self.contract = contract
        self.effective_on = effective_on
        self.policy = effective_policy(contract)
        self.mode = self.policy.rounding
        # The contract as the invoice run sees it once the termination is recorded (the run bills up to
        # the effective date): used to simulate what the run will still bill.
        self.view = copy.copy(contract)
        self.view.termination_effective_on = effective_on
        self.annual = contract.billing_cycle == BillingCycle.ANNUAL
        rows = (
            InvoiceLine.objects.filter(contract=contract, invoice__kind=Invoice.Kind.REGULAR)
            .exclude(invoice__status=Invoice.Status.VOID)
            .select_related("invoice")
            .order_by("service_start", "id")
        )
        self.issued = [
            _Line(r.kind, r.amount_won, r.service_start, r.service_end or r.service_start, r.description)
            for r in rows
            if r.service_start is not None and not is_suspension_credit(r)  # BIL-16 credits: not fees
        ]

    # periods -------------------------------------------------------------

    def period_of(self, day: dt.date) -> Period:
        return period_containing(self.policy, day, self.contract.activated_on)

    def term(self) -> ContractPeriod | None:
        periods = sorted(self.contract.periods.all(), key=lambda p: p.starts_on)
        for p in periods:
            if p.contains(self.effective_on):
                return p
        before = [p for p in periods if p.starts_on <= self.effective_on]
        return before[-1] if before else None

    def invoiced(self, period: Period) -> bool:
        return any(period.contains(line.start) for line in self.issued)

    def lines_in(self, period: Period, *, simulate: bool = True) -> list[_Line]:
        """The period's lines: from the issued invoices, or as the run will bill them."""
        issued = [line for line in self.issued if period.contains(line.start)]
        if issued or not simulate:
            return issued
        return [self._from_draft(d) for d in self.simulate(period)]

    def simulate(self, period: Period) -> list[LineDraft]:
        if self.contract.activated_on is None or self.annual:
            return []
        drafts = [d for d in monthly_lines(self.view, period, self.policy) if d.amount_won]
        return drafts + promotion_lines(self.view, period, drafts, self.policy)

    def _from_draft(self, d: LineDraft) -> _Line:
        start = d.service_start or self.effective_on
        return _Line(d.kind, d.amount_won, start, d.service_end or start, d.description, simulated=True)

    def annual_lines(self, cperiod: ContractPeriod) -> list[_Line]:
        span = contract_period_span(cperiod)
        issued = [line for line in self.issued if span.contains(line.start)]
        if issued:
            return issued
        return [self._from_draft(d) for d in annual_lines(self.view, cperiod, self.policy)]


def _fees(lines: Iterable[_Line], kinds: Iterable[str] = FEE_KINDS) -> int:
    wanted = set(kinds)
    return sum(line.amount_won for line in lines if line.kind in wanted)


def _promos(lines: Iterable[_Line]) -> int:
    return -sum(line.amount_won for line in lines if line.kind == InvoiceLine.Kind.PROMOTION)


# --------------------------------------------------------------------------- the pieces


def _overbilled_refund(f: _Facts, *, subtract_promotions: bool) -> list[SettlementLine]:
    """Fee lines billed in advance for days after the effective date, by day (BIL-4, BIL-12)."""
    e = f.effective_on
    parts: list[str] = []
    exact = Fraction(0)
    for line in f.issued:
        if line.kind not in PERIOD_FEE_KINDS or line.end <= e or line.amount_won <= 0:
            continue
        remaining = (line.end - max(e + ONE_DAY, line.start)).days + 1
        exact += Fraction(line.amount_won * min(remaining, line.days), line.days)
        parts.append(
            _("%(amount)s원 × 잔여 %(rem)s/%(days)s일")
            % {"amount": won(line.amount_won), "rem": remaining, "days": line.days}
        )
    gross = round_won(exact, f.mode)
    if gross <= 0:
        return []
    text = _("해지 후 잔여기간 일할 환불 (%(from)s~): %(parts)s = %(gross)s원") % {
        "from": e + ONE_DAY,
        "parts": " + ".join(parts),
        "gross": won(gross),
    }
    amount = gross
    if (
        any(line.kind == InvoiceLine.Kind.SETUP_FEE for line in f.issued)
        and f.policy.refund_excludes_one_time_fees
    ):
        text += _(", 일회성 비용 환불 제외")
    if subtract_promotions and f.policy.refund_subtracts_promotions:
        received = promotions_received(f.contract, e)
        if received:
            amount = max(0, gross - received)
            text += _(" − 받은 프로모션 할인 %(promo)s원 = %(net)s원") % {
                "promo": won(received),
                "net": won(amount),
            }
    text += " (BIL-12 · 000 제18조②③④)" if subtract_promotions else " (BIL-4)"
    return [SettlementLine("refund", text, -amount)]


def _months_used(start: dt.date, effective_on: dt.date, threshold: int) -> tuple[int, int]:
    """Whole months from ``start`` to the effective date, a started month counting when it had at least
    ``threshold`` days ([reading] BIL-13). Returns (months, days of the started month)."""
    whole = 0
    while add_months(start, whole + 1) <= effective_on + ONE_DAY:
        whole += 1
    tail = (effective_on - add_months(start, whole)).days + 1
    tail = max(0, tail) if add_months(start, whole) <= effective_on else 0
    return whole + (1 if threshold and tail >= threshold else 0), tail


def _max_seats(f: _Facts) -> int:
    """Contracted seats: the maximum in the lookback window before the request (001 art.20-4-가)."""
    requested = f.contract.termination_requested_on or _today_for_preview(f)
    lookback = int(f.policy.termination_seat_lookback_days or 0)
    changes = seat_changes(f.contract)
    start = requested - dt.timedelta(days=lookback)
    days = {start, requested, *(c.effective_on for c in changes if start <= c.effective_on <= requested)}
    return max(seats_on(f.contract, d, changes) for d in days)


def _today_for_preview(f: _Facts) -> dt.date:
    from core import clock

    return min(clock.today(), f.effective_on)


def _refund_unused_contract_amount_percent(f: _Facts) -> list[SettlementLine]:
    """BIL-13: (total contract amount − used months × seats × monthly price) × the refund percent."""
    cperiod = f.term()
    if cperiod is None:
        return []
    lines = f.annual_lines(cperiod)
    total = _fees(lines) - _promos(lines)
    if total <= 0:
        return []
    threshold = int(f.policy.termination_used_month_threshold_days or 0)
    used_months, tail = _months_used(cperiod.starts_on, f.effective_on, threshold)
    seats = _max_seats(f)
    price = f.contract.plan.monthly_price_per_seat_won
    used, difference, refund = flow_annual_refund(
        total_won=total,
        months_used=used_months,
        seats=seats,
        monthly_price_won=price,
        percent=f.policy.termination_refund_percent,
        mode=f.mode,
    )
    fee = difference - refund
    text = _(
        "연간 해지 환불: (총 계약금액 %(total)s원 − 이용 %(m)s개월 × %(seats)s명 × 월 요금 %(price)s원 = "
        "%(used)s원) = 차액 %(diff)s원 − 수수료 %(fee)s원 = %(refund)s원"
    ) % {
        "total": won(total),
        "m": used_months,
        "seats": seats,
        "price": won(price),
        "used": won(used),
        "diff": won(difference),
        "fee": won(fee),
        "refund": won(refund),
    }
    if tail:
        text += _(" (마지막 달 %(tail)s일 이용: %(rule)s)") % {
            "tail": tail,
            "rule": _("사용월") if threshold and tail >= threshold else _("미산입"),
        }
    if not refund:
        text += _(", 차액이 없어 환불·추가 청구 없음")
    return [SettlementLine("refund", text + " (BIL-13 · 001 제20조④)", -refund)]


def _annual_prepay(f: _Facts) -> list[SettlementLine]:
    cperiod = f.term()
    if cperiod is None:
        return []
    lines = f.annual_lines(cperiod)
    gross = _fees(lines)
    discount = _promos(lines)
    net = gross - discount
    span = contract_period_span(cperiod)
    term = calendar_months(span.start, span.end)
    used = calendar_months(span.start, f.effective_on)
    refund = annual_prepay_refund(
        prepaid_net_won=net, prepaid_gross_won=gross, used=used, term=term, mode=f.mode
    )
    text = _(
        "연납 환불: 선납 %(net)s원을 월 %(monthly)s원·일 단위로 환산, 이용 %(used)s개월 이용료와 연납 할인 "
        "%(discount)s원 중 이용분 차감 = %(refund)s원"
    ) % {
        "net": won(net),
        "monthly": won(round_won(Fraction(net) / term, f.mode)) if term else "0",
        "used": _months(used),
        "discount": won(discount),
        "refund": won(refund),
    }
    return [SettlementLine("refund", text + " (BIL-15 · 002 제20조⑦)", -refund)] if refund else []


def _average_monthly_fee(f: _Facts) -> tuple[Fraction, str]:
    """002 art.32③-1/2: the average monthly fee of the last N full months before the termination month
    (fewer when the contract is younger), without agreed discounts."""
    gross = bool(f.policy.penalty_excludes_agreed_discounts)
    if f.annual:
        cperiod = f.term()
        if cperiod is None:
            return Fraction(0), ""
        lines = f.annual_lines(cperiod)
        span = contract_period_span(cperiod)
        amount = _fees(lines) - (0 if gross else _promos(lines))
        months = calendar_months(span.start, span.end)
        return Fraction(amount) / months, _("연납 %(a)s원 ÷ %(m)s개월") % {
            "a": won(amount),
            "m": _months(months),
        }
    n = int(f.policy.termination_penalty_average_months or 3)
    activated = f.contract.activated_on
    fees: list[tuple[str, int]] = []
    month = add_months(month_start(f.effective_on), -1)
    while len(fees) < n and activated is not None and month >= month_start(activated):
        period = calendar_month(month)
        if activated <= period.start:
            lines = f.lines_in(period)
            fees.append((f"{month:%Y-%m}", _fees(lines) - (0 if gross else _promos(lines))))
        month = add_months(month, -1)
    if not fees:
        nominal = contract_monthly_fee_won(f.contract)
        return Fraction(nominal), _("월 요금 %(a)s원") % {"a": won(nominal)}
    fees.reverse()
    average = Fraction(sum(a for _m, a in fees), len(fees))
    parts = " + ".join(f"{m} {won(a)}" for m, a in fees)
    return average, _("(%(parts)s) ÷ %(n)s = %(avg)s원") % {
        "parts": parts,
        "n": len(fees),
        "avg": won(round_won(average, f.mode)),
    }


def _penalty_percent_of_remaining_months(f: _Facts) -> tuple[int, str]:
    """BIL-14: the penalty percent × the average monthly fee × the months left in the term."""
    cperiod = f.term()
    if cperiod is None or f.effective_on >= cperiod.effective_end:
        return 0, ""
    remaining = calendar_months(f.effective_on + ONE_DAY, cperiod.effective_end)
    average, how = _average_monthly_fee(f)
    percent = f.policy.termination_penalty_percent
    amount = round_won(average * remaining * Fraction(str(percent)) / 100, f.mode)
    text = _(
        "중도 해지 위약금: 월 이용료 평균 %(how)s × 잔여 %(rem)s개월 (%(start)s~%(end)s) × %(pct)s%% "
        "= %(amount)s원 (BIL-14 · 002 제32조③)"
    ) % {
        "how": how,
        "rem": _months(remaining),
        "start": f.effective_on + ONE_DAY,
        "end": cperiod.effective_end,
        "pct": _pct(percent),
        "amount": won(amount),
    }
    return amount, text


def _penalty_received_benefits(f: _Facts) -> tuple[int, str]:
    """BIL-14: the free services and the long-term discounts received, paid back."""
    cperiod = f.term()
    if cperiod is None or f.effective_on >= cperiod.effective_end:
        return 0, ""
    free_prefixes = tuple(
        f"{p.description} (" for p in f.contract.promotions.all() if p.kind == Promotion.Kind.FREE_PERIOD
    )
    free = -sum(
        line.amount_won
        for line in f.issued
        if line.kind == InvoiceLine.Kind.PROMOTION
        and line.start <= f.effective_on
        and line.description.startswith(free_prefixes)
        and free_prefixes
    )
    long_term = promotions_received(f.contract, f.effective_on, long_term_only=True)
    long_term_free = -sum(
        r.amount_won
        for r in InvoiceLine.objects.filter(
            contract=f.contract,
            kind=InvoiceLine.Kind.PROMOTION,
            service_start__lte=f.effective_on,
            policy_basis__contains=LONG_TERM_TAG,
        ).exclude(invoice__status=Invoice.Status.VOID)
        if free_prefixes and r.description.startswith(free_prefixes)
    )
    amount = free + long_term - long_term_free
    text = _(
        "중도 해지 위약금: 계약 시 무료 제공 서비스 %(free)s원 + 장기계약 할인 %(lt)s원 = %(amount)s원 "
        "(BIL-14 · 004 제26조)"
    ) % {"free": won(free), "lt": won(long_term - long_term_free), "amount": won(amount)}
    return amount, text


def _penalty(f: _Facts, model: str, penalty_exempt: bool) -> list[SettlementLine]:
    strategy = PENALTY_STRATEGIES.get(model)
    if strategy is None:
        return []
    amount, text = strategy(f)
    if amount <= 0:
        return []
    if penalty_exempt:
        return [
            SettlementLine(
                "penalty",
                _(
                    "위약금 %(amount)s원 면제: 회사 귀책 사유(약관·요금 변경 거부, 서비스 장애)로 "
                    "인한 해지 (BIL-14)"
                )
                % {"amount": won(amount)},
                0,
            )
        ]
    return [SettlementLine("penalty", text, amount)]


def _suspension_credit(f: _Facts) -> list[SettlementLine]:
    """BIL-16: what the suspended days of this contract take off its fees (damoa none, 004 art.19②; flow
    only the first ``suspension_fee_max_days``, 001 art.19-6-가) and the regular invoices have not given
    back yet. The invoice run credits them while the contract runs (``charges.SuspensionCredits``); once
    the termination is recorded it stops, and the rest is here: the issued invoices' lines and the
    lines the run will still bill up to the effective date, minus the run's credits. A suspension still
    open (or lifted by the termination itself) runs through the effective date."""
    e = f.effective_on
    ranges = uncharged_suspension_days(f.contract, f.policy, e, ends_on=e)
    if not ranges:
        return []
    groups, credited = issued_suspension_groups(f.contract)
    if not f.annual and f.contract.activated_on is not None:
        first_day = ranges[0][0]
        for period in periods_between(
            f.policy, max(first_day, f.contract.activated_on), e, f.contract.activated_on
        ):
            if not f.invoiced(period):
                groups.append(billed(f.simulate(period)))
    amount = suspension_credit_owed(groups, ranges, f.mode) - credited
    if amount <= 0:
        return []
    text = _("이용 정지 기간 요금 환급: %(ranges)s, 일할 %(amount)s원 (%(rule)s, BIL-16)") % {
        "ranges": describe_ranges(ranges),
        "amount": won(amount),
        "rule": suspension_rule_text(f.policy),
    }
    if credited:
        text += _(" − 정기 청구서에서 이미 조정한 %(done)s원 제외") % {"done": won(credited)}
    return [SettlementLine("suspension", text, -amount)]


def _usage_context(f: _Facts) -> list[SettlementLine]:
    """The termination period's fee that the regular invoice will still bill (not issued here)."""
    if f.annual or f.contract.activated_on is None or f.effective_on < f.contract.activated_on:
        return []
    period = f.period_of(f.effective_on)
    if f.invoiced(period):
        return []
    drafts = f.simulate(period)
    amounts = [d.amount_won for d in drafts]
    totals = vat_split(
        sum(amounts),
        inclusive=bool(f.policy.vat_included),
        rate_percent=f.policy.vat_rate_percent,
        mode=f.mode,
    )
    used = (f.effective_on - max(period.start, f.contract.activated_on)).days + 1
    threshold = f.policy.termination_used_month_threshold_days
    if f.policy.termination_model_monthly == M.USED_MONTH_THRESHOLD and threshold:
        rule = (
            _("%(t)s일 미만 이용: 청구 없음") if used < int(threshold) else _("%(t)s일 이상 이용: 1개월 청구")
        ) % {"t": threshold}
        basis = " (BIL-13 · 001 제20조③)"
    elif f.policy.prorate_by_day:
        rule = _("%(used)s/%(days)s일 일할") % {"used": used, "days": period.days}
        basis = " (BIL-4)"
    else:
        rule = _("%(used)s일 사용분") % {"used": used}
        basis = " (BIL-6)"
        basis = " (BIL-4)"
    if not drafts and not (f.policy.termination_model_monthly == M.USED_MONTH_THRESHOLD and threshold):
        return []
    vat = "" if f.policy.vat_included else _(" + 부가세 %(vat)s원") % {"vat": won(totals.vat_won)}
    text = _("%(period)s 이용료 %(supply)s원%(vat)s (%(rule)s): 정기 청구서로 청구 예정") % {
        "period": f"{period.start}~{min(period.end, f.effective_on)}",
        "supply": won(totals.supply_won if not f.policy.vat_included else totals.total_won),
        "vat": vat,
        "rule": rule,
    }
    return [SettlementLine("usage", text + basis, totals.total_won)]


def _ledger_context(f: _Facts) -> list[SettlementLine]:
    lines = []
    customer = f.contract.customer
    rows = []
    for invoice in open_invoices(customer).filter(lines__contract=f.contract).distinct():
        amount = ledger.invoice_open_amount(invoice)
        if amount > 0:
            rows.append((invoice.number, amount))
    if rows:
        unpaid = sum(a for _n, a in rows)
        lines.append(
            SettlementLine(
                "unpaid",
                _("미납 청구액 %(amount)s원 (%(numbers)s): 해지 전 정산 필요, 환불금에서 우선 공제 (CON-7)")
                % {"amount": won(unpaid), "numbers": ", ".join(n for n, _a in rows)},
                unpaid,
            )
        )
    credit = ledger.credit_available(customer)
    if credit:
        lines.append(
            SettlementLine(
                "credit",
                _("크레딧 잔액 %(amount)s원: 미납액과 상계 또는 환불 (BIL-17)") % {"amount": won(credit)},
                -credit,
            )
        )
    return lines


def _vat(f: _Facts, lines: list[SettlementLine]) -> list[SettlementLine]:
    if f.policy.vat_included:
        return []
    taxable = sum(line.amount_won for line in lines if line.kind in ISSUED_KINDS - VAT_EXEMPT_KINDS)
    if not taxable:
        return []
    vat = vat_split(taxable, inclusive=False, rate_percent=f.policy.vat_rate_percent, mode=f.mode).vat_won
    if not vat:
        return []
    return [
        SettlementLine(
            "vat",
            _("부가세 %(rate)s%% (과세 대상 %(base)s원, 위약금 제외)")
            % {"rate": _pct(f.policy.vat_rate_percent), "base": won(taxable)},
            vat,
        )
    ]


def _unused(contract: Contract) -> bool:
    return not (
        SeatAssignment.objects.filter(contract=contract).exists()
        or UsageRecord.objects.filter(contract=contract).exists()
    )


def _withdrawal(f: _Facts) -> list[SettlementLine]:
    """CON-8: withdrawal after activation. officecore: everything back except one-time fees (000 art.18⑤);
    damoa: everything back if unused (004 art.24), else the days after the withdrawal; flow: the used
    days are charged (001 art.20-1) — the run no longer bills a withdrawn contract."""
    policy, e, lines = f.policy, f.effective_on, []
    paid_fees = sum(line.amount_won for line in f.issued if line.kind in PERIOD_FEE_KINDS)
    promos = _promos(f.issued)
    full = not policy.withdrawal_requires_unused or _unused(f.contract)
    if policy.withdrawal_charges_used_days:
        activated = f.contract.activated_on or e
        for period in periods_between(policy, activated, e, activated):
            if f.invoiced(period):
                continue
            start, end = max(period.start, activated), min(period.end, e)
            fee = contract_monthly_fee_won(f.contract)
            amount = round_won(Fraction(fee * ((end - start).days + 1), period.days), f.mode)
            if amount:
                lines.append(
                    SettlementLine(
                        "charge",
                        _(
                            "청약 철회: 사용 기간 %(start)s~%(end)s 이용료 %(fee)s원 × "
                            "%(used)s/%(days)s일 (CON-8 · 001 제20조①)"
                        )
                        % {
                            "start": start,
                            "end": end,
                            "fee": won(fee),
                            "used": (end - start).days + 1,
                            "days": period.days,
                        },
                        amount,
                    )
                )
        lines += _overbilled_refund(f, subtract_promotions=False)
    elif full and paid_fees:
        refund = max(0, paid_fees - promos)
        text = _("청약 철회: 납부한 이용료 %(fees)s원") % {"fees": won(paid_fees)}
        if promos:
            text += _(" − 할인 %(p)s원") % {"p": won(promos)}
        if any(line.kind == InvoiceLine.Kind.SETUP_FEE for line in f.issued):
            text += _(", 일회성 비용 제외")
        rule = "004 제24조" if policy.withdrawal_requires_unused else "000 제18조⑤"
        lines.append(SettlementLine("refund", text + f" 전액 환불 (CON-8 · {rule})", -refund))
    else:
        lines += _overbilled_refund(f, subtract_promotions=False)
    return lines


# --------------------------------------------------------------------------- strategies by shape


def _refund_default(f: _Facts) -> list[SettlementLine]:
    """No refund formula of its own: an annual prepayment converted to monthly fees where the policy says
    so (BIL-15), else the days billed in advance after the effective date when the policy prorates by day
    (BIL-4)."""
    if f.annual and f.policy.annual_prepay_refund_converts:
        return _annual_prepay(f)
    if f.policy.prorate_by_day:
        return _overbilled_refund(f, subtract_promotions=False)
    return []


def _refund_remaining_days_prorated(f: _Facts) -> list[SettlementLine]:
    """BIL-12: the prepaid days after the effective date, by day, minus the promotions received (an
    annual prepayment the policy converts is settled as such, BIL-15)."""
    if f.annual and f.policy.annual_prepay_refund_converts:
        return _annual_prepay(f)
    return _overbilled_refund(f, subtract_promotions=True)


# The policy's termination model (``TerminationChargeModel``, named by shape) -> what is refunded and
# what the penalty is. A model missing from a table uses the default refund / has no penalty.
REFUND_STRATEGIES: dict[str, Callable[[_Facts], list[SettlementLine]]] = {
    M.REMAINING_DAYS_PRORATED: _refund_remaining_days_prorated,
    M.UNUSED_CONTRACT_AMOUNT_PERCENT: _refund_unused_contract_amount_percent,
}
PENALTY_STRATEGIES: dict[str, Callable[[_Facts], tuple[int, str]]] = {
    M.PERCENT_OF_REMAINING_MONTHS: _penalty_percent_of_remaining_months,
    M.RECEIVED_BENEFITS: _penalty_received_benefits,
}


# --------------------------------------------------------------------------- the calculator


def settlement_compute(contract: Contract, effective_on: dt.date, penalty_exempt: bool) -> Settlement:
    """The complete final settlement of ``contract`` ending on ``effective_on`` (its last day of service).

    Installed as the contracts preview calculator; :func:`settlement_issue` calls it again with the
    effective date and exemption recorded on the contract, so the preview is what is issued (CON-7).
    """
    f = _Facts(contract, effective_on)
    policy = f.policy
    lines: list[SettlementLine] = []
    if contract.status == ContractStatus.WITHDRAWN:
        lines += _withdrawal(f)
    else:
        model = policy.termination_model_annual if f.annual else policy.termination_model_monthly
        lines += REFUND_STRATEGIES.get(model, _refund_default)(f)
        lines += _penalty(f, model, penalty_exempt)
        lines += _suspension_credit(f)
        lines += _usage_context(f)
    lines += _vat(f, lines)
    lines += _ledger_context(f)
    return Settlement(contract.pk, effective_on, [for_customers(line) for line in lines], complete=True)


_RULE_ID = re.compile(r"^[A-Z]{2,4}-\d+(?:\.\.\d+)?$")
_SEED_ARTICLE = re.compile(r"^\d{3} (제\S+)$")
_CITATION = re.compile(r"\s*\(([^()]*\b[A-Z]{2,4}-\d{1,2}\b(?!-)[^()]*)\)")  # not INV-2026-000123


def for_customers(line: SettlementLine) -> SettlementLine:
    """The line as the customer reads it: the formulas' citations ``(BIL-14 · 002 제32조③)`` become
    ``(약관 제32조③)`` (a bare rule id goes), and the rules and articles move to ``basis`` for staff."""
    bases: list[str] = [line.basis] if line.basis else []

    def plain(match: re.Match[str]) -> str:
        kept: list[str] = []
        for part in re.split(r"\s*(?:,|·)\s*", match.group(1)):
            article = _SEED_ARTICLE.match(part)
            if _RULE_ID.match(part):
                bases.append(part)
            elif article:
                bases.append(part)
                kept.append(_("약관 %(article)s") % {"article": article.group(1)})
            elif part:
                kept.append(part)
        return f" ({', '.join(kept)})" if kept else ""

    text = _CITATION.sub(plain, str(line.description))
    return SettlementLine(line.kind, text, line.amount_won, basis=" · ".join(bases))


def issued_total(lines: Iterable[SettlementLine | dict[str, Any]]) -> int:
    """The part of a settlement that the settlement itself issues (final invoice or refund)."""
    total = 0
    for line in lines:
        kind = line["kind"] if isinstance(line, dict) else line.kind
        amount = line["amount_won"] if isinstance(line, dict) else line.amount_won
        if kind in ISSUED_KINDS:
            total += int(amount)
    return total


# --------------------------------------------------------------------------- issuing


def _ending(contract: Contract) -> tuple[dt.date, bool] | None:
    if contract.status == ContractStatus.TERMINATED and contract.termination_effective_on:
        return contract.termination_effective_on, bool(contract.penalty_exempt)
    if contract.status == ContractStatus.WITHDRAWN and contract.activated_on and contract.withdrawn_on:
        return contract.withdrawn_on, False
    return None


def _refund_pay_by(f: _Facts) -> dt.date | None:
    if f.policy.refund_by_end_of_next_month:
        return month_end(add_months(month_start(f.effective_on), 1))
    return None


def _final_invoice(f: _Facts, issued: list[SettlementLine], today: dt.date) -> Invoice:
    contract, policy = f.contract, f.policy
    model_source = policy.source("termination_model_monthly").label
    supply = sum(line.amount_won for line in issued if line.kind != "vat")
    vat = sum(line.amount_won for line in issued if line.kind == "vat")
    period = Period(min(month_start(f.effective_on), f.effective_on), f.effective_on)
    due = due_date_for(policy, calendar_month(f.effective_on), today, default_calendar())
    invoice = Invoice.objects.create(
        customer=contract.customer,
        policy=contract.policy,
        schedule=schedule_for(contract, policy),
        kind=Invoice.Kind.FINAL,
        number=next_number("INV", today.year),
        period_start=period.start,
        period_end=period.end,
        issue_date=today,
        due_date=max(due, today),
        vat_inclusive=bool(policy.vat_included),
        vat_rate_percent=Decimal(policy.vat_rate_percent),
        supply_won=supply if not policy.vat_included else supply - _inclusive_vat(f, issued),
        vat_won=vat if not policy.vat_included else _inclusive_vat(f, issued),
        total_won=supply + vat,
        note=_("%(contract)s 해지 정산") % {"contract": contract.number},
    )
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(
                invoice=invoice,
                contract=contract,
                position=position,
                kind=INVOICE_LINE_KIND[line.kind],
                description=str(line.description)[:300],
                unit_price_won=line.amount_won,
                amount_won=line.amount_won,
                service_start=period.start,
                service_end=period.end,
                policy_basis=f"{line.basis or 'BIL-12..16'} · {model_source}"[:200],
            )
            for position, line in enumerate((x for x in issued if x.kind != "vat" and x.amount_won), start=1)
        ]
    )
    ledger.post(
        customer=contract.customer,
        kind=LedgerEntry.Kind.INVOICE,
        amount_won=invoice.total_won,
        occurred_on=today,
        description=_("해지 정산 청구서 %(number)s (%(contract)s)")
        % {"number": invoice.number, "contract": contract.number},
        invoice=invoice,
        key=f"invoice:{invoice.pk}",
    )
    return invoice


def _inclusive_vat(f: _Facts, issued: list[SettlementLine]) -> int:
    taxable = sum(line.amount_won for line in issued if line.kind in ISSUED_KINDS - VAT_EXEMPT_KINDS)
    return vat_split(taxable, inclusive=True, rate_percent=f.policy.vat_rate_percent, mode=f.mode).vat_won


def _refund(f: _Facts, amount: int, today: dt.date) -> Refund:
    contract = f.contract
    refund = Refund.objects.create(
        customer=contract.customer,
        contract=contract,
        amount_won=amount,
        reason=_("%(contract)s 해지 정산 환불") % {"contract": contract.number},
        operator_caused=bool(contract.penalty_exempt),
        requested_on=today,
        pay_by=_refund_pay_by(f),
        status=Refund.Status.REQUESTED,
    )
    # Owed to the customer until paid: credit in their favour (negative, no invoice). Paying it out posts
    # the matching positive ``refund`` entry (credits.credit_refund), which consumes this credit.
    ledger.post(
        customer=contract.customer,
        kind=LedgerEntry.Kind.REFUND,
        amount_won=-amount,
        occurred_on=today,
        description=_("해지 정산 환불 예정 %(amount)s원 (%(contract)s)")
        % {"amount": won(amount), "contract": contract.number},
        key=f"settlement:{contract.pk}:refund",
    )
    return refund


def settlement_issue(*, contract: Contract, today: dt.date) -> SettlementRecord:
    """Issue the final settlement of a terminated (or withdrawn after activation) contract once: a
    ``final`` invoice for a positive issued total, a ``Refund`` (and the credit it stands for) for a
    negative one, the record alone for zero. Idempotent: an existing settlement is returned as is."""
    return _issue(contract, today)[0]


def _issue(contract: Contract, today: dt.date) -> tuple[SettlementRecord, bool]:
    with transaction.atomic():
        # Lock order: the customer (money of one customer is serialised), then the contract, then the
        # document counter (numbering). A second worker waits here and then finds the settlement.
        ledger.lock_customer(contract.customer)
        existing = SettlementRecord.objects.filter(contract_id=contract.pk).first()
        if existing is not None:
            return existing, False
        contract = (
            Contract.objects.select_for_update()
            .select_related("customer", "plan", "policy")
            .get(pk=contract.pk)
        )
        ending = _ending(contract)
        if ending is None:
            raise DomainError(
                "not_terminated",
                _("해지 또는 청약 철회가 끝난 계약만 정산할 수 있습니다 ({status})."),
                rule="CON-7",
                field="status",
                status=contract.get_status_display(),
            )
        effective_on, exempt = ending
        settlement = settlement_compute(contract, effective_on, exempt)
        f = _Facts(contract, effective_on)
        issued = [line for line in settlement.lines if line.kind in ISSUED_KINDS]
        amount = issued_total(issued)
        invoice = _final_invoice(f, issued, today) if amount > 0 else None
        refund = _refund(f, -amount, today) if amount < 0 else None
        record = SettlementRecord.objects.create(
            contract=contract,
            effective_on=effective_on,
            lines=settlement_as_dict(settlement)["lines"],
            total_won=settlement.total_won,
            invoice=invoice,
            refund=refund,
            issued_on=today,
        )
        return record, True


def settle_terminations(*, today: dt.date) -> dict[str, int]:
    """Job ``settle_terminations`` (daily 04:40, after ``complete_terminations``): issue the settlement of
    every terminated contract (and contract withdrawn after activation) that has none. Idempotent; two
    workers issue each once (customer lock, then the one-settlement-per-contract check and key)."""
    counts = {"settled": 0, "invoices": 0, "refunds": 0, "zero": 0, "already": 0}
    pks = list(
        Contract.objects.filter(settlement__isnull=True)
        .filter(
            Q(status=ContractStatus.TERMINATED, termination_effective_on__lte=today)
            | Q(status=ContractStatus.WITHDRAWN, activated_on__isnull=False, withdrawn_on__lte=today)
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pk in pks:
        contract = Contract.objects.select_related("customer").get(pk=pk)
        record, created = _issue(contract, today)
        if not created:
            counts["already"] += 1
            continue
        counts["settled"] += 1
        if record.invoice_id:
            counts["invoices"] += 1
        elif record.refund_id:
            counts["refunds"] += 1
        else:
            counts["zero"] += 1
    return counts
