"""The charges of one contract for one period, as line drafts (BIL-4, BIL-5, BIL-6, BIL-19, CON-4).

Functions here read the contract's data (seat changes, snapshots, usage, promotions) but write nothing;
the invoice run turns the drafts into ``InvoiceLine`` rows. Every number comes from the effective policy
(CON-12: special terms apply) and the plan. Amounts are in the policy's price basis (VAT-exclusive, or
VAT-inclusive for ``vat_included`` policies); each line is rounded once with the policy's mode, and VAT
is computed per invoice on the sum of the lines (:func:`invoice_totals`).

* Billing starts at activation (CON-4, 000 art.15③) and stops at the termination's effective date
  (inclusive). A partial month is ``fee × days used / days in the month`` (BIL-4, 000 art.15②,
  002 art.32②④) when the policy prorates by day. A policy that does not prorate bills a started month in
  full, except a termination month used fewer than ``termination_used_month_threshold_days`` days, which
  is free (001 art.20-3).
* Contracted seats: advance billing bills the seats at the start of the period; seats added later in a
  period are billed on the next period's invoice for the days they were used. Arrears billing bills the
  exact seat-days. Reductions are not refunded (``refund_on_seat_reduction`` is off in every preset).
* Peak seats (``monthly_seat_basis = peak_users``): the period's peak of daily registered users (BIL-5).
* Annual cycle: contracted seats × annual monthly rate × the term's months, up front at the start of
  each annual period; seats added mid-term: added × annual monthly rate × remaining months (001 art.19-5).
* Usage: the period's successful quantity per unit × the plan's unit price (BIL-6, 003 art.6-3).
* Promotions: a negative line against the contract's fee lines (a free period: equal to them) (BIL-19).
* The setup fee is billed once, with the period in which the contract was activated.
* Suspension (BIL-16): a started suspension's days (``starts_on`` to the day before ``lifted_on``, or to
  the run's cut-off while open) are not charged where ``suspension_fee_model`` is ``none`` (``damoa``
  004 art.19②, ``officecore``, ``dcloud``, ``kgmsg``), and only the first ``suspension_fee_max_days`` of
  each suspension are where it is ``charged_up_to_days`` (``flow`` 30, 001 art.19-6-가). The period-fee
  lines (base fee, seats, added seats) are reduced by day (BIL-4: line × suspended days / line days, after
  the item's promotions) through one negative ``adjustment`` line per contract and invoice
  (:class:`SuspensionCredits`), whose ``policy_basis`` starts with :data:`SUSPENSION_BASIS`. The amount is
  what is owed so far minus what earlier invoices already credited, so a suspension known only after an
  advance-billed month was invoiced comes back on the contract's next regular invoice. Once the contract's
  termination is recorded the run credits nothing more: the final settlement does (one place each).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _

from contracts.effective import EffectivePolicy
from contracts.models import (
    BillingCycle,
    BillingTiming,
    Contract,
    ContractChange,
    ContractPeriod,
    SeatBasis,
    SuspensionFeeModel,
)
from core.calendar import add_months
from core.formatting import month
from core.money import VatSplit, percent_of, round_won, vat_split
from core.related import rows_of

from ..models import InvoiceLine, Promotion
from . import reads
from .dates import ONE_DAY, Period, period_containing, periods_between
from .seats import peak_registered
from .usage import usage_totals

K = InvoiceLine.Kind
FEE_KINDS = frozenset({K.BASE_FEE, K.SEATS, K.ADDED_SEATS, K.USAGE})
PERIOD_FEE_KINDS = frozenset({K.BASE_FEE, K.SEATS, K.ADDED_SEATS})  # billed by day (usage is not)
SUSPENSION_BASIS = "BIL-16"


@dataclass
class LineDraft:
    kind: str
    description: str
    amount_won: int
    quantity: Decimal = Decimal(1)
    unit_price_won: int = 0
    service_start: dt.date | None = None
    service_end: dt.date | None = None
    policy_basis: str = ""
    contract_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


# --------------------------------------------------------------------------- pure arithmetic


def prorated_amount(amount_won: int, used_days: int, total_days: int, mode: str) -> int:
    """BIL-4: ``amount × used / total``, rounded once."""
    if total_days <= 0:
        raise ValueError("total_days must be positive")
    return round_won(Fraction(amount_won * used_days, total_days), mode)


def months_between(start: dt.date, end_exclusive: dt.date) -> Fraction:
    """Whole months from ``start`` (counted with ``add_months`` from ``start``), plus the last partial
    month as a fraction of its days: 2026-08-01 → 2027-01-01 is exactly 5."""
    if end_exclusive <= start:
        return Fraction(0)
    whole = 0
    while add_months(start, whole + 1) <= end_exclusive:
        whole += 1
    tail_start, tail_end = add_months(start, whole), add_months(start, whole + 1)
    return whole + Fraction((end_exclusive - tail_start).days, (tail_end - tail_start).days)


def added_seats_amount(added: int, monthly_rate_won: int, remaining_months: Fraction, mode: str) -> int:
    """BIL-5: added seats × annual-plan monthly rate × remaining months (001 art.19-5), rounded once."""
    return round_won(Fraction(added * monthly_rate_won) * remaining_months, mode)


def invoice_totals(amounts: Iterable[int], *, vat_included: bool, rate_percent: Any, mode: str) -> VatSplit:
    """VAT per invoice on the sum of the lines: added on top (VAT-exclusive prices) or the VAT part of
    the sum (VAT-inclusive prices, 001 art.19-9). SPEC §12 item 15: 333,333 → 33,333, 366,666."""
    return vat_split(sum(amounts), inclusive=vat_included, rate_percent=rate_percent, mode=mode)


def _fmt_months(months: Fraction) -> str:
    if months.denominator == 1:
        return str(months.numerator)
    return f"{float(months):.2f}".rstrip("0").rstrip(".")


# --------------------------------------------------------------------------- contract facts


def seat_changes(contract: Contract, rows: Iterable[ContractChange] | None = None) -> list[ContractChange]:
    """The contract's seat changes in effect order; ``rows``: its changes when the caller read them."""
    kinds = (ContractChange.Kind.SEATS_ADDED, ContractChange.Kind.SEATS_REMOVED)
    rows = rows_of(contract, "changes") if rows is None else rows
    return sorted((c for c in rows if c.kind in kinds), key=lambda c: (c.effective_on, c.pk))


def seats_on(contract: Contract, day: dt.date, changes: list[ContractChange] | None = None) -> int:
    """Contracted seats on ``day``: today's count minus the changes that took effect after ``day``."""
    changes = seat_changes(contract) if changes is None else changes
    return contract.seats - sum(c.quantity for c in changes if c.effective_on > day)


def seat_days(contract: Contract, start: dt.date, end: dt.date, changes: list[ContractChange]) -> int:
    """Σ seats × days over ``start..end`` (a change counts from its effective day)."""
    bounds = sorted({start, *(c.effective_on for c in changes if start < c.effective_on <= end)})
    total = 0
    for i, seg_start in enumerate(bounds):
        seg_end = bounds[i + 1] - ONE_DAY if i + 1 < len(bounds) else end
        total += seats_on(contract, seg_start, changes) * ((seg_end - seg_start).days + 1)
    return total


def used_span(contract: Contract, period: Period) -> tuple[dt.date, dt.date] | None:
    """The days of ``period`` the contract was in service: from activation (CON-4) to the termination's
    effective date (inclusive)."""
    if contract.activated_on is None:
        return None
    start = max(period.start, contract.activated_on)
    end = period.end
    if contract.termination_effective_on is not None:
        end = min(end, contract.termination_effective_on)
    return (start, end) if start <= end else None


def _basis(policy: EffectivePolicy, name: str, rule: str) -> str:
    return f"{rule} · {policy.source(name).label}"[:200]


def _month_label(period: Period) -> str:
    """A calendar month as people read it ("2026년 10월", core.formatting), other periods by their days."""
    if period.start.day == 1 and period.end == add_months(period.start, 1) - ONE_DAY:
        return month(period.start)
    return f"{period.start}~{period.end}"


# --------------------------------------------------------------------------- monthly cycle


def _factor(
    policy: EffectivePolicy, contract: Contract, period: Period, span: tuple[dt.date, dt.date]
) -> Fraction:
    """The share of the period's fee that is due: days used / days in the period (BIL-4), or 1 / 0 for a
    policy that does not prorate (a termination month under the threshold is free, 001 art.20-3)."""
    used = (span[1] - span[0]).days + 1
    if policy.prorate_by_day:
        return Fraction(used, period.days)
    terminated_here = contract.termination_effective_on is not None and period.contains(
        contract.termination_effective_on
    )
    threshold = policy.termination_used_month_threshold_days
    if terminated_here and threshold and used < int(threshold):
        return Fraction(0)
    return Fraction(1)


def _days_note(span: tuple[dt.date, dt.date], period: Period, factor: Fraction) -> str:
    used = (span[1] - span[0]).days + 1
    if used == period.days or factor in (0, 1):
        return ""
    return " " + _("(%(used)s/%(total)s일 일할)") % {"used": used, "total": period.days}


def monthly_lines(contract: Contract, period: Period, policy: EffectivePolicy) -> list[LineDraft]:
    """The fee, seat, usage and setup-fee lines of a monthly-cycle contract for one period."""
    span = used_span(contract, period)
    if span is None:
        return []
    plan = contract.plan
    mode = policy.rounding
    factor = _factor(policy, contract, period, span)
    label = _month_label(period)
    note = _days_note(span, period, factor)
    lines: list[LineDraft] = []
    common: dict[str, Any] = {"service_start": span[0], "service_end": span[1], "contract_id": contract.pk}

    if plan.monthly_fee_won:
        lines.append(
            LineDraft(
                K.BASE_FEE,
                _("%(plan)s %(label)s 기본료") % {"plan": plan.name, "label": label} + note,
                round_won(plan.monthly_fee_won * factor, mode),
                quantity=Decimal(1),
                unit_price_won=plan.monthly_fee_won,
                policy_basis=_basis(policy, "prorate_by_day", "BIL-4"),
                **common,
            )
        )

    price = plan.monthly_price_per_seat_won
    if price:
        changes = seat_changes(contract)
        if policy.monthly_seat_basis == SeatBasis.PEAK_USERS:
            peak = peak_registered(contract, span[0], span[1])
            lines.append(
                LineDraft(
                    K.SEATS,
                    _("%(plan)s %(label)s 월중 최대 등록 인원 %(n)s명 × %(price)s원")
                    % {"plan": plan.name, "label": label, "n": peak, "price": f"{price:,}"}
                    + note,
                    round_won(peak * price * factor, mode),
                    quantity=Decimal(peak),
                    unit_price_won=price,
                    policy_basis=_basis(policy, "monthly_seat_basis", "BIL-5"),
                    **common,
                )
            )
        elif policy.billing_timing == BillingTiming.ADVANCE:
            seats = seats_on(contract, span[0], changes)
            lines.append(
                LineDraft(
                    K.SEATS,
                    _("%(plan)s %(label)s 인원 요금 %(n)s명 × %(price)s원")
                    % {"plan": plan.name, "label": label, "n": seats, "price": f"{price:,}"}
                    + note,
                    round_won(seats * price * factor, mode),
                    quantity=Decimal(seats),
                    unit_price_won=price,
                    policy_basis=_basis(policy, "prorate_by_day", "BIL-4"),
                    **common,
                )
            )
            lines.extend(_advance_catch_up(contract, period, policy, changes))
        else:
            days = seat_days(contract, span[0], span[1], changes)
            used = (span[1] - span[0]).days + 1
            if policy.prorate_by_day:
                amount = round_won(Fraction(days * price, period.days), mode)
            else:
                amount = round_won(Fraction(days * price, used) * factor, mode)  # average seats, full month
            avg = Fraction(days, used)
            lines.append(
                LineDraft(
                    K.SEATS,
                    _("%(plan)s %(label)s 인원 요금 %(n)s명 × %(price)s원")
                    % {"plan": plan.name, "label": label, "n": _fmt_months(avg), "price": f"{price:,}"}
                    + note,
                    amount,
                    quantity=Decimal(avg.numerator) / Decimal(avg.denominator),
                    unit_price_won=price,
                    policy_basis=_basis(policy, "prorate_by_day", "BIL-4"),
                    **common,
                )
            )

    for unit, quantity in usage_totals(contract, span[0], span[1]).items():
        unit_price = plan.unit_price_won(unit)
        lines.append(
            LineDraft(
                K.USAGE,
                _("%(label)s %(unit)s 성공 %(n)s건 × %(price)s원")
                % {"label": label, "unit": unit.upper(), "n": f"{quantity:,}", "price": f"{unit_price:,}"},
                quantity * unit_price,
                quantity=Decimal(quantity),
                unit_price_won=unit_price,
                policy_basis="BIL-6 · 003 제6조③",
                **common,
            )
        )

    if plan.setup_fee_won and period.contains(contract.activated_on):  # type: ignore[arg-type]
        lines.append(_setup_line(contract, policy))
    return lines


def nothing_to_charge(contract: Contract, period: Period) -> bool:
    """Whether :func:`monthly_lines` is sure to be empty for ``period``: the plan charges nothing but usage
    there (no base fee, no seat price, no setup fee falling in it) and no usage was recorded or delivered
    in the days the contract was in service. Read through the batch's reads when attached. The invoice
    run asks this before its charge reads (issue 16: a usage-only contract idle for months kept its
    past months due, so every batch read every charge every day)."""
    plan = contract.plan
    activated = contract.activated_on
    setup = plan.setup_fee_won and activated is not None and period.contains(activated)
    if plan.monthly_fee_won or plan.monthly_price_per_seat_won or setup:
        return False
    span = used_span(contract, period)
    return span is None or not usage_totals(contract, span[0], span[1])


def _setup_line(contract: Contract, policy: EffectivePolicy) -> LineDraft:
    plan = contract.plan
    return LineDraft(
        K.SETUP_FEE,
        _("%(plan)s 일회성 설치비") % {"plan": plan.name},
        plan.setup_fee_won,
        unit_price_won=plan.setup_fee_won,
        service_start=contract.activated_on,
        service_end=contract.activated_on,
        policy_basis=f"BIL-12 · {policy.source('refund_excludes_one_time_fees').label}",
        contract_id=contract.pk,
    )


def _advance_catch_up(
    contract: Contract, period: Period, policy: EffectivePolicy, changes: list[ContractChange]
) -> list[LineDraft]:
    """Seats added during the previous period after its invoice's base day, for the days they were used
    there (advance billing, BIL-4, 000 art.15②)."""
    if not policy.midterm_additions_prorated or contract.activated_on is None:
        return []
    if period.start <= contract.activated_on:
        return []
    previous = period_containing(policy, period.start - ONE_DAY, contract.activated_on)
    span = used_span(contract, previous)
    if span is None:
        return []
    price = contract.plan.monthly_price_per_seat_won
    lines = []
    for change in changes:
        if change.kind != ContractChange.Kind.SEATS_ADDED or not span[0] < change.effective_on <= span[1]:
            continue
        days = (span[1] - change.effective_on).days + 1
        lines.append(
            LineDraft(
                K.ADDED_SEATS,
                _("인원 추가 %(n)s명 %(start)s~%(end)s (%(days)s/%(total)s일 일할)")
                % {
                    "n": change.quantity,
                    "start": change.effective_on,
                    "end": span[1],
                    "days": days,
                    "total": previous.days,
                },
                prorated_amount(change.quantity * price, days, previous.days, policy.rounding),
                quantity=Decimal(change.quantity),
                unit_price_won=price,
                service_start=change.effective_on,
                service_end=span[1],
                policy_basis=_basis(policy, "midterm_additions_prorated", "BIL-4 · CON-11"),
                contract_id=contract.pk,
            )
        )
    return lines


# --------------------------------------------------------------------------- annual cycle


def annual_rate(contract: Contract) -> int:
    plan = contract.plan
    return plan.annual_monthly_price_per_seat_won or plan.monthly_price_per_seat_won


def contract_period_span(period: ContractPeriod) -> Period:
    return Period(period.starts_on, period.effective_end)


def annual_lines(contract: Contract, cperiod: ContractPeriod, policy: EffectivePolicy) -> list[LineDraft]:
    """BIL-5: an annual period billed up front: contracted seats × annual monthly rate × months
    (plus the monthly fee × months for plans with a flat fee)."""
    period = contract_period_span(cperiod)
    span = used_span(contract, period)
    if span is None:
        return []
    plan = contract.plan
    mode = policy.rounding
    months = months_between(span[0], period.end + ONE_DAY)
    lines: list[LineDraft] = []
    common: dict[str, Any] = {"service_start": span[0], "service_end": period.end, "contract_id": contract.pk}
    if plan.monthly_fee_won:
        lines.append(
            LineDraft(
                K.BASE_FEE,
                _("%(plan)s 연간 기본료 %(fee)s원 × %(m)s개월")
                % {"plan": plan.name, "fee": f"{plan.monthly_fee_won:,}", "m": _fmt_months(months)},
                round_won(plan.monthly_fee_won * months, mode),
                quantity=Decimal(months.numerator) / Decimal(months.denominator),
                unit_price_won=plan.monthly_fee_won,
                policy_basis="BIL-5 · CON-5",
                **common,
            )
        )
    rate = annual_rate(contract)
    if rate:
        seats = seats_on(contract, span[0])
        lines.append(
            LineDraft(
                K.SEATS,
                _("%(plan)s 연간 이용료 %(n)s명 × %(rate)s원 × %(m)s개월")
                % {"plan": plan.name, "n": seats, "rate": f"{rate:,}", "m": _fmt_months(months)},
                round_won(seats * rate * months, mode),
                quantity=Decimal(seats),
                unit_price_won=rate,
                policy_basis="BIL-5 · 001 제19조⑤",
                **common,
            )
        )
    if plan.setup_fee_won and period.contains(contract.activated_on):  # type: ignore[arg-type]
        lines.append(_setup_line(contract, policy))
    return lines


def annual_addition_lines(
    contract: Contract, cperiod: ContractPeriod, day: dt.date, policy: EffectivePolicy
) -> list[LineDraft]:
    """BIL-5: seats added on ``day`` during an annual period: added × annual monthly rate × remaining
    months (001 art.19-5). A policy with neither ``annual_added_seats_prorated`` nor
    ``midterm_additions_prorated`` bills them from the next period on; reductions are not refunded."""
    if not (policy.annual_added_seats_prorated or policy.midterm_additions_prorated):
        return []
    period = contract_period_span(cperiod)
    rate = annual_rate(contract)
    if not rate or not period.start < day <= period.end:
        return []
    added = sum(
        c.quantity
        for c in seat_changes(contract)
        if c.kind == ContractChange.Kind.SEATS_ADDED and c.effective_on == day
    )
    if added <= 0:
        return []
    months = months_between(day, period.end + ONE_DAY)
    name = (
        "annual_added_seats_prorated" if policy.annual_added_seats_prorated else "midterm_additions_prorated"
    )
    return [
        LineDraft(
            K.ADDED_SEATS,
            _("연간 추가 인원 %(n)s명 × %(rate)s원 × 남은 %(m)s개월")
            % {"n": added, "rate": f"{rate:,}", "m": _fmt_months(months)},
            added_seats_amount(added, rate, months, policy.rounding),
            quantity=Decimal(added),
            unit_price_won=rate,
            service_start=day,
            service_end=period.end,
            policy_basis=_basis(policy, name, "BIL-5 · 001 제19조⑤"),
            contract_id=contract.pk,
        )
    ]


# --------------------------------------------------------------------------- promotions


def _promotion_applies(
    promotion: Promotion, contract: Contract, period: Period, policy: EffectivePolicy
) -> bool:
    if contract.billing_cycle == BillingCycle.ANNUAL:
        starts = [p.starts_on for p in rows_of(contract, "periods") if p.effective_end >= promotion.starts_on]
        starts.sort()
        return period.start in starts[: promotion.periods]
    anchor = contract.activated_on
    first = period_containing(policy, max(promotion.starts_on, anchor or promotion.starts_on), anchor)
    if period.start < first.start:
        return False
    count = sum(1 for _p in periods_between(policy, first.start, period.start, anchor))
    return count <= promotion.periods


def promotion_lines(
    contract: Contract, period: Period, fee_lines: list[LineDraft], policy: EffectivePolicy
) -> list[LineDraft]:
    """BIL-19: a negative line per promotion that applies to ``period``, never more than the fees left."""
    base = sum(
        line.amount_won for line in fee_lines if line.kind in FEE_KINDS and line.contract_id == contract.pk
    )
    if base <= 0:
        return []
    remaining = base
    lines = []
    for promotion in sorted(rows_of(contract, "promotions"), key=lambda p: (p.starts_on, p.pk)):
        if remaining <= 0 or not _promotion_applies(promotion, contract, period, policy):
            continue
        if promotion.kind == Promotion.Kind.FREE_PERIOD:
            value = remaining
        elif promotion.kind == Promotion.Kind.PERCENT:
            value = percent_of(base, promotion.percent, policy.rounding)
        else:
            value = promotion.amount_won
        value = min(value, remaining)
        if value <= 0:
            continue
        remaining -= value
        tag = " [장기계약]" if promotion.is_long_term_discount else ""
        lines.append(
            LineDraft(
                K.PROMOTION,
                f"{promotion.description} ({promotion.get_kind_display()})",
                -value,
                unit_price_won=-value,
                service_start=period.start,
                service_end=period.end,
                policy_basis=f"BIL-19 · 000 제15조⑤{tag}",
                contract_id=contract.pk,
            )
        )
    return lines


# --------------------------------------------------------------------------- suspension (BIL-16)

# (kind, amount, service_start, service_end) of one billed line
BilledLine = tuple[str, int, dt.date | None, dt.date | None]
DayRange = tuple[dt.date, dt.date]


def suspension_free_days(policy: EffectivePolicy) -> int | None:
    """Days of each suspension that are still charged: 0 (``none``), N (``charged_up_to_days``), or None
    for a model that charges the whole suspension."""
    if policy.suspension_fee_model == SuspensionFeeModel.NONE:
        return 0
    if policy.suspension_fee_model == SuspensionFeeModel.CHARGED_UP_TO_DAYS:
        return int(policy.suspension_fee_max_days or 0)
    return None  # pragma: no cover - a model we don't know yet charges everything


def uncharged_suspension_days(
    contract: Contract, policy: EffectivePolicy, until: dt.date, *, ends_on: dt.date | None = None
) -> list[DayRange]:
    """BIL-16: the days up to ``until`` (inclusive) on which ``contract`` was suspended and the policy
    charges nothing, as sorted, merged ranges. A started suspension runs from ``starts_on`` to the day
    before ``lifted_on`` (to ``until`` while open); ``charged_up_to_days`` charges its first N days.
    ``ends_on`` is the contract's last day (settlement): a suspension lifted by the termination itself
    (``lifted_on`` ≥ ``ends_on``) runs through it."""
    free = suspension_free_days(policy)
    if free is None:
        return []
    ranges: list[DayRange] = []
    for s in rows_of(contract, "suspensions"):
        if not s.started:
            continue
        if s.lifted_on is None or (ends_on is not None and s.lifted_on >= ends_on):
            last = until
        else:
            last = min(until, s.lifted_on - ONE_DAY)
        first = s.starts_on + dt.timedelta(days=free)
        if first <= last:
            ranges.append((first, last))
    ranges.sort()
    merged: list[DayRange] = []
    for first, last in ranges:
        if merged and first <= merged[-1][1] + ONE_DAY:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def _overlap_days(start: dt.date, end: dt.date, ranges: Iterable[DayRange]) -> int:
    return sum(max(0, (min(end, hi) - max(start, lo)).days + 1) for lo, hi in ranges)


def suspension_credit_exact(lines: Iterable[BilledLine], ranges: list[DayRange]) -> Fraction:
    """The share of one contract's lines on one invoice that falls on uncharged suspended days: each
    period-fee line × its suspended days / its days (BIL-4), scaled by what the promotions left of the
    fees (a free month gives nothing back)."""
    rows = list(lines)
    gross = sum(amount for kind, amount, _s, _e in rows if kind in FEE_KINDS)
    if gross <= 0 or not ranges:
        return Fraction(0)
    promotions = sum(amount for kind, amount, _s, _e in rows if kind == K.PROMOTION)
    ratio = Fraction(max(0, gross + promotions), gross)
    exact = Fraction(0)
    for kind, amount, start, end in rows:
        if kind not in PERIOD_FEE_KINDS or amount <= 0 or start is None:
            continue
        end = end or start
        suspended = _overlap_days(start, end, ranges)
        if suspended:
            exact += Fraction(amount * suspended, (end - start).days + 1)
    return exact * ratio


def suspension_credit_owed(groups: Iterable[Iterable[BilledLine]], ranges: list[DayRange], mode: str) -> int:
    """Σ per invoice (rounded once each) of :func:`suspension_credit_exact`: what the suspension takes off
    everything billed so far. Grows with the days known, never shrinks."""
    return sum(round_won(suspension_credit_exact(group, ranges), mode) for group in groups)


def is_suspension_credit(line: Any) -> bool:
    return line.kind == K.ADJUSTMENT and (line.policy_basis or "").startswith(SUSPENSION_BASIS)


def issued_suspension_groups(contract: Contract) -> tuple[list[list[BilledLine]], int]:
    """The contract's lines on its issued (not void) regular invoices, one group per invoice, and the
    suspension credits those invoices already gave (a positive number)."""
    rows = reads.issued_lines(contract)  # the batch's rows in the invoice run (issue 16)
    groups: dict[int, list[BilledLine]] = {}
    credited = 0
    for invoice_id, kind, amount, start, end, basis in rows:
        if kind == K.ADJUSTMENT and (basis or "").startswith(SUSPENSION_BASIS):
            credited -= amount
            continue
        groups.setdefault(invoice_id, []).append((kind, amount, start, end))
    return list(groups.values()), credited


def billed(lines: Iterable[Any]) -> list[BilledLine]:
    return [(line.kind, line.amount_won, line.service_start, line.service_end) for line in lines]


def describe_ranges(ranges: list[DayRange], limit: int = 3) -> str:
    """The suspended days, the latest ``limit`` ranges spelled out."""
    days = sum((hi - lo).days + 1 for lo, hi in ranges)
    spans = ", ".join(f"{lo}~{hi}" if lo != hi else f"{lo}" for lo, hi in ranges[-limit:])
    if len(ranges) > limit:
        spans = "…, " + spans
    return _("%(spans)s (%(days)s일)") % {"spans": spans, "days": days}


def suspension_rule_text(policy: EffectivePolicy) -> str:
    free = suspension_free_days(policy) or 0
    if free:
        return _("정지 %(n)s일 초과분 요금 없음, 약관 제19조⑥가") % {"n": free}
    return _("정지 기간 요금 없음, 약관 제19조②")


class SuspensionCredits:
    """BIL-16 in the invoice run: one instance per run (or preview) on ``today``.

    :meth:`lines_for` is called once per invoice being drafted, with its items (the contracts' shares)
    and lines, in the run's order; it returns the negative ``adjustment`` lines that bring each
    contract's suspension credit up to what is owed for the days known by yesterday, over the issued
    invoices and the ones drafted earlier in this run. A credit never makes the invoice negative: what
    does not fit waits for the next invoice (the owed amount is recomputed each time). Contracts whose
    termination is recorded are left to the final settlement."""

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self._drafted: dict[int, list[list[BilledLine]]] = {}
        self._given: dict[int, int] = {}

    def lines_for(self, items: Iterable[Any], lines: list[LineDraft]) -> list[LineDraft]:
        out: list[LineDraft] = []
        room = sum(line.amount_won for line in lines)
        seen: set[int] = set()
        for item in items:
            contract = item.contract
            if contract.pk in seen:
                continue
            seen.add(contract.pk)
            group = billed(line for line in lines if line.contract_id == contract.pk)
            self._drafted.setdefault(contract.pk, []).append(group)
            if contract.termination_effective_on is not None or room <= 0:
                continue
            policy = item.policy
            ranges = uncharged_suspension_days(contract, policy, self.today - ONE_DAY)
            if not ranges:
                continue
            issued, credited = issued_suspension_groups(contract)
            owed = suspension_credit_owed([*issued, *self._drafted[contract.pk]], ranges, policy.rounding)
            amount = min(owed - credited - self._given.get(contract.pk, 0), room)
            if amount <= 0:
                continue
            self._given[contract.pk] = self._given.get(contract.pk, 0) + amount
            room -= amount
            out.append(
                LineDraft(
                    K.ADJUSTMENT,
                    _("이용 정지 기간 요금 조정: %(ranges)s, 일할 %(amount)s원 (%(rule)s)")
                    % {
                        "ranges": describe_ranges(ranges),
                        "amount": f"{amount:,}",
                        "rule": suspension_rule_text(policy),
                    },
                    -amount,
                    unit_price_won=-amount,
                    service_start=ranges[0][0],
                    service_end=ranges[-1][1],
                    policy_basis=_basis(policy, "suspension_fee_model", SUSPENSION_BASIS),
                    contract_id=contract.pk,
                )
            )
        return out
