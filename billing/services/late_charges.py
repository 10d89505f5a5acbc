"""Late charges (연체료·가산금, BIL-9): computed by the ``apply_late_charges`` job, billed on the next
invoice.

Models, all numbers from the (effective) policy:

* ``daily_rate`` (``dcloud``, 002 art.34): unpaid × ``late_charge_monthly_percent``/100 ×
  ``late_charge_months_per_year`` × days late / ``late_charge_day_basis``, from the day after the due
  date (+ ``late_charge_grace_days``). SPEC §12 item 1: 1,000,000 × 0.015 × 12 × 45/365 = 22,191.78 →
  **22,191** (policy rounding, truncation). Days are counted per day on that day's unpaid amount, so a
  partial payment lowers the rest; the day a payment arrives still counts (45 days from 01-31 to 03-17).
  One ``LateCharge`` per calendar month of accrual, posted once the month is over, or when the invoice
  is paid (the last, partial month up to the payment).
* ``monthly_surcharge`` (``flow``, 001 art.19-6-나): once unpaid for ``late_charge_grace_days`` (30)
  days, ``late_charge_monthly_percent`` (1.5%) of the unpaid amount, and again on each monthly
  anniversary while it stays unpaid; one ``LateCharge`` per such month. Not waivable (nothing here
  waives anything; ``late_charge_waivable`` is for a later staff action).
* ``none`` (``damoa``, ``officecore``, ``kgmsg``): nothing.

**Terms changes (TRM-4).** Each day is charged under the version in force on that day
(``contracts.effective.policy_spans``), not the contract's current one: a ``daily_rate`` month the
version changed in becomes two accruals (one per version, each rounded on its own); a ``monthly_surcharge``
follows the version in force on its assessment day; the grace days are those of the version in force on
the first day after the due date. See BIL-9's [reading] in docs/rules.md.

"Unpaid" is the invoice's ledger balance at the start of the day without its own late-charge entries
(payments go to the fees first), minus what open disputes hold (BIL-10: the disputed amount is held
out of late charges while open); never below zero.

**Money: posted when billed (one choice, kept everywhere).** The job writes only the ``LateCharge`` row
(the accrual record: period, days, base, formula). Nothing reaches the ledger until the invoice run
bills it: ``invoicing`` puts every unbilled ``LateCharge`` of the customer on the customer's next invoice
as a ``late_charge`` line and, in the same transaction under the customer lock, sets
``LateCharge.billed_on_invoice`` and posts one ``LedgerEntry`` of kind ``late_charge`` on the new
invoice keyed ``late_charge:{pk}`` (:func:`bill_on_invoice`). So the money is counted once, the
customer's balance is always the sum of the ledger, and the charge is dunned with the invoice that asks
for it (001 art.19-6-나 "재청구"). Late charges are not a supply for VAT (부가가치세법 §29⑤-3,
연체이자): the lines stay outside ``Invoice.supply_won/vat_won/total_won``; what the customer owes on
that invoice is :func:`invoice_amount_due_won` (= total + late-charge lines), which is also its ledger
open amount before payments.
"""

from __future__ import annotations

import datetime as dt
import logging
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Min, Q, Sum
from django.utils.translation import gettext as _

from accounts.models import Customer
from contracts.effective import EffectivePolicy, VersionSpan, span_on
from contracts.models import LateChargeModel
from core.audit import bulk_create_audited, bulk_update_audited
from core.calendar import add_months, month_end
from core.jobs import Payload, run_batches
from core.money import round_won

from ..models import Dispute, Invoice, InvoiceLine, LateCharge, LedgerEntry
from . import ledger
from .disputes import held_won_on
from .facts import policy_spans_for_invoice, policy_spans_for_invoices

__all__ = [
    "Accrual",
    "accruals_for",
    "apply_late_charges",
    "apply_late_charges_batch",
    "apply_late_charges_plan",
    "bill_on_invoice",
    "bill_on_invoices",
    "current_lines_many",
    "daily_late_fee",
    "first_contract_ids",
    "invoice_amount_due_won",
    "late_charge_line_drafts",
    "surcharge",
    "unbilled_late_charges",
]

log = logging.getLogger(__name__)
ONE_DAY = dt.timedelta(days=1)
# Paid invoices are looked at this long after payment, for the last partial month (a missed run day).
PAID_LOOKBACK = dt.timedelta(days=62)
RULE_TEXT: dict[str, str] = {
    LateCharge.Kind.LATE_FEE: "BIL-9; 002 art.34",
    LateCharge.Kind.SURCHARGE: "BIL-9; 001 art.19-6-나",
}


# --------------------------------------------------------------------------- arithmetic


def daily_late_fee(
    *,
    unpaid_won: int,
    days: int,
    monthly_percent: Decimal | int | str,
    months_per_year: int = 12,
    day_basis: int = 365,
    mode: str = "truncate",
) -> int:
    """BIL-9 (002 art.34②): unpaid × monthly% × months/year × days / day basis, rounded once.
    ``daily_late_fee(unpaid_won=1_000_000, days=45, monthly_percent="1.5")`` → 22,191 (SPEC §12 item 1)."""
    return _daily_from_won_days(unpaid_won * days, monthly_percent, months_per_year, day_basis, mode)


def _daily_from_won_days(won_days: int, percent: Any, months: int, basis: int, mode: str) -> int:
    rate = Fraction(str(percent)) / 100 * months
    return round_won(Fraction(won_days) * rate / basis, mode)


def surcharge(*, unpaid_won: int, monthly_percent: Decimal | int | str, mode: str = "truncate") -> int:
    """BIL-9 (001 art.19-6-나): monthly% of the unpaid amount."""
    return round_won(Fraction(unpaid_won) * Fraction(str(monthly_percent)) / 100, mode)


# --------------------------------------------------------------------------- what is owed


@dataclass(frozen=True)
class Accrual:
    kind: str
    period_start: dt.date
    period_end: dt.date
    days: int
    base_won: int
    amount_won: int
    formula: str


class _Balances:
    """The invoice's unpaid amount at the start of each day (fees only, disputes held out). ``entries``
    (``(occurred_on, amount_won)`` of the invoice's ledger entries, late charges left out) and
    ``disputes`` may be given, read for a whole batch (issue 16); otherwise they are read here."""

    def __init__(
        self,
        invoice: Invoice,
        entries: list[tuple[dt.date, int]] | None = None,
        disputes: list[Dispute] | None = None,
    ) -> None:
        self.invoice = invoice
        if entries is None:
            entries = list(
                LedgerEntry.objects.filter(invoice=invoice)
                .exclude(kind=LedgerEntry.Kind.LATE_CHARGE)
                .values_list("occurred_on", "amount_won")
                .order_by("occurred_on")
            )
        self.entries = sorted(entries, key=lambda entry: entry[0])
        self.disputes = disputes if disputes is not None else list(Dispute.objects.filter(invoice=invoice))
        # The balance before each entry's day, so a day's balance is one bisection (issue 16: it was a sum
        # over every entry for every day of every overdue month).
        self._days = [when for when, _amount in self.entries]
        self._running = [0]
        for _when, amount in self.entries:
            self._running.append(self._running[-1] + amount)

    def on(self, day: dt.date) -> int:
        balance = self._running[bisect_left(self._days, day)]  # entries dated before ``day``
        if not self.disputes:
            return max(0, balance)
        return max(0, balance - held_won_on(self.invoice, day, self.disputes))

    def last_entry_on(self) -> dt.date | None:
        return self.entries[-1][0] if self.entries else None


class Recorded:
    """The late charges an invoice already has (``(kind, period_start, period_end)``): an accrual whose
    first day falls inside a recorded period of its kind is never recorded again (a month recorded whole
    before it was cut at a terms change is not charged again for its second part), so the job does not
    compute it either (issue 16: an invoice overdue for a year recomputed every past month every day).
    ``hits`` counts the accruals skipped."""

    def __init__(self, periods: Iterable[tuple[str, dt.date, dt.date]] = ()) -> None:
        self.periods = list(periods)
        self.hits = 0

    def covers(self, kind: str, day: dt.date) -> bool:
        if any(k == kind and start <= day <= end for k, start, end in self.periods):
            self.hits += 1
            return True
        return False


def _stop(invoice: Invoice, today: dt.date, balances: _Balances) -> tuple[dt.date, bool]:
    """The last day to look at, and whether the invoice is closed (then a partial month is final)."""
    if invoice.status == Invoice.Status.ISSUED:
        return today - ONE_DAY, False
    paid = invoice.paid_on or balances.last_entry_on() or today
    return min(paid, today), True


def accruals_for(
    invoice: Invoice,
    *,
    today: dt.date,
    spans: list[VersionSpan] | None = None,
    balances: _Balances | None = None,
    recorded: Recorded | None = None,
) -> list[Accrual]:
    """Every late charge ``invoice`` has earned by ``today`` (existing or not), each day under the terms in
    force that day (TRM-4, see "Terms changes" in the module docstring). The job passes ``spans`` and
    ``balances`` read for its whole batch (issue 16); without them they are read here. With ``recorded``,
    the accruals it covers are left out (not computed)."""
    if spans is None:
        spans = policy_spans_for_invoice(invoice)
    models = {span.policy.late_charge_model for span in spans if span.policy.late_charge_monthly_percent}
    if not models & {LateChargeModel.DAILY_RATE, LateChargeModel.MONTHLY_SURCHARGE}:
        return []
    balances = balances if balances is not None else _Balances(invoice)
    recorded = recorded if recorded is not None else Recorded()
    stop, closed = _stop(invoice, today, balances)
    result: list[Accrual] = []
    if LateChargeModel.DAILY_RATE in models:
        result += _daily_accruals(invoice, spans, balances, stop, closed, recorded)
    if LateChargeModel.MONTHLY_SURCHARGE in models:
        result += _surcharge_accruals(invoice, spans, balances, stop, recorded)
    return sorted(result, key=lambda accrual: (accrual.period_start, accrual.kind))


def _charges(policy: EffectivePolicy, model: str) -> bool:
    return policy.late_charge_model == model and bool(policy.late_charge_monthly_percent)


def _segments(
    spans: list[VersionSpan], start: dt.date, end: dt.date
) -> list[tuple[dt.date, dt.date, EffectivePolicy]]:
    """``start``..``end`` cut at each version change inside it, each part with its version (TRM-4)."""
    cuts = sorted({s.start for s in spans if s.start is not None and start < s.start <= end})
    bounds = [start, *cuts]
    return [
        (first, bounds[i + 1] - ONE_DAY if i + 1 < len(bounds) else end, span_on(spans, first))
        for i, first in enumerate(bounds)
    ]


def _daily_accruals(
    invoice: Invoice,
    spans: list[VersionSpan],
    balances: _Balances,
    stop: dt.date,
    closed: bool,
    recorded: Recorded,
) -> list[Accrual]:
    """One accrual per calendar month, and per version within a month the terms changed in."""
    late_from = invoice.due_date + ONE_DAY
    grace = span_on(spans, late_from).late_charge_grace_days or 0
    result: list[Accrual] = []
    start = late_from + dt.timedelta(days=grace)
    while start <= stop:
        end_of_month = month_end(start)
        if end_of_month > stop and not closed:
            break  # this month is not over and the invoice is still open
        end = min(end_of_month, stop)
        for first, last, policy in _segments(spans, start, end):
            if _charges(policy, LateChargeModel.DAILY_RATE) and not recorded.covers(
                LateCharge.Kind.LATE_FEE, first
            ):
                accrual = _daily_accrual(policy, balances, first, last)
                if accrual is not None:
                    result.append(accrual)
        start = end_of_month + ONE_DAY
    return result


def _daily_accrual(
    policy: EffectivePolicy, balances: _Balances, start: dt.date, end: dt.date
) -> Accrual | None:
    mode = policy.rounding
    percent = policy.late_charge_monthly_percent
    months = policy.late_charge_months_per_year
    basis = policy.late_charge_day_basis
    won_days = days = base = 0
    day = start
    while day <= end:
        unpaid = balances.on(day)
        if unpaid > 0:
            won_days += unpaid
            days += 1
            base = max(base, unpaid)
        day += ONE_DAY
    amount = _daily_from_won_days(won_days, percent, months, basis, mode)
    if amount <= 0:
        return None
    if won_days == base * days:
        formula = f"{base:,} × {percent}% × {months} × {days}/{basis}"
    else:
        formula = f"Σ일별 미납액 {won_days:,} × {percent}% × {months} / {basis} ({days}일)"
    return Accrual(LateCharge.Kind.LATE_FEE, start, end, days, base, amount, formula[:300])


def _surcharge_accruals(
    invoice: Invoice, spans: list[VersionSpan], balances: _Balances, stop: dt.date, recorded: Recorded
) -> list[Accrual]:
    """Assessed on due + grace and each monthly anniversary after it, when still unpaid at the end of
    that day ("30일 이상 지속": paying on day 30 avoids it), under the version in force on that day."""
    grace = span_on(spans, invoice.due_date + ONE_DAY).late_charge_grace_days or 0
    first = invoice.due_date + dt.timedelta(days=grace)
    result: list[Accrual] = []
    k = 0
    while (on := add_months(first, k)) <= stop:
        k += 1
        unpaid = balances.on(on + ONE_DAY)
        if unpaid <= 0:
            if invoice.status != Invoice.Status.ISSUED:
                break
            continue  # held by a dispute that day, or paid and reopened
        policy = span_on(spans, on)
        if not _charges(policy, LateChargeModel.MONTHLY_SURCHARGE):
            continue
        if recorded.covers(LateCharge.Kind.SURCHARGE, on):
            continue
        amount = surcharge(
            unpaid_won=unpaid, monthly_percent=policy.late_charge_monthly_percent, mode=policy.rounding
        )
        if amount <= 0:
            continue
        period_end = add_months(first, k) - ONE_DAY
        result.append(
            Accrual(
                LateCharge.Kind.SURCHARGE,
                on,
                period_end,
                (period_end - on).days + 1,
                unpaid,
                amount,
                f"{unpaid:,} × {policy.late_charge_monthly_percent}% ({(on - invoice.due_date).days}일 미납)",
            )
        )
    return result


# --------------------------------------------------------------------------- the job

#: Customers per batch of the job: one transaction and one set of reads for each (issue 16).
BATCH_SIZE = 500
ZERO: dict[str, int] = {"invoices": 0, "late_charges": 0, "amount_won": 0, "existing": 0}


def _candidates(today: dt.date, customer_ids: list[int] | None = None) -> list[tuple[int, int]]:
    """``(invoice id, customer id)`` of the invoices that may earn a late charge on ``today`` (once each),
    by customer, then due date."""
    charging = Q(
        policy__late_charge_model__in=[LateChargeModel.DAILY_RATE, LateChargeModel.MONTHLY_SURCHARGE]
    )
    special = Q(
        lines__contract__special_terms__active=True,
        lines__contract__special_terms__parameter__startswith="late_charge",
    )
    open_overdue = Q(status=Invoice.Status.ISSUED, due_date__lt=today)
    recently_paid = Q(
        status=Invoice.Status.PAID, paid_on__gte=today - PAID_LOOKBACK, paid_on__gt=F("due_date")
    )
    qs = Invoice.objects.filter((charging | special) & (open_overdue | recently_paid))
    if customer_ids is not None:
        qs = qs.filter(customer_id__in=customer_ids)
    rows = (
        qs.order_by("customer_id", "due_date", "id").values_list("id", "customer_id", "due_date").distinct()
    )
    return list(dict.fromkeys((invoice_id, customer_id) for invoice_id, customer_id, _due in rows))


def apply_late_charges_plan(*, today: dt.date) -> list[Payload]:
    """The job's batches (issue 19): ``{"customers": [...]}`` of at most ``BATCH_SIZE`` customers with an
    invoice that may earn a late charge, in id order. One query, no locks."""
    customers = sorted({customer_id for _invoice_id, customer_id in _candidates(today)})
    return [{"customers": customers[i : i + BATCH_SIZE]} for i in range(0, len(customers), BATCH_SIZE)]


def apply_late_charges_batch(*, today: dt.date, payload: Payload) -> dict[str, int]:
    """One batch of the job (BIL-9): in one transaction, under its customers' row locks (taken in id
    order, waiting: they serialise the job with billing and payments), every late charge its invoices have
    earned by ``today`` and not recorded yet is recorded, with one insert. The reads are set-based: a
    fixed number of queries per batch, whatever its size (issue 16).

    Idempotent: an existing period (or a day of it inside a recorded period) is never recorded again, so a
    second run, or a second worker waiting for the locks, counts it ``existing``; the unique index
    (invoice, kind, period_start) is the backstop."""
    counts = dict(ZERO)
    customer_ids = sorted(int(pk) for pk in payload.get("customers", []))
    if not customer_ids:
        return counts
    with transaction.atomic():
        list(
            Customer.objects.select_for_update().filter(pk__in=customer_ids).order_by("pk").values_list("pk")
        )
        invoice_ids = [invoice_id for invoice_id, _customer_id in _candidates(today, customer_ids)]
        if not invoice_ids:
            return counts
        invoices = list(
            Invoice.objects.filter(pk__in=invoice_ids)
            .select_related("policy")
            .order_by("customer_id", "due_date", "id")
        )
        spans = policy_spans_for_invoices(invoices)
        entries: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
        for invoice_id, occurred_on, amount_won in (
            LedgerEntry.objects.filter(invoice_id__in=invoice_ids)
            .exclude(kind=LedgerEntry.Kind.LATE_CHARGE)
            .values_list("invoice_id", "occurred_on", "amount_won")
            .order_by("occurred_on", "id")
        ):
            entries[invoice_id].append((occurred_on, amount_won))
        disputes: dict[int, list[Dispute]] = defaultdict(list)
        for dispute in Dispute.objects.filter(invoice_id__in=invoice_ids).order_by("id"):
            disputes[dispute.invoice_id].append(dispute)
        done: dict[int, list[tuple[str, dt.date, dt.date]]] = defaultdict(list)
        for invoice_id, kind, start, end in LateCharge.objects.filter(invoice_id__in=invoice_ids).values_list(
            "invoice_id", "kind", "period_start", "period_end"
        ):
            done[invoice_id].append((kind, start, end))
        new: list[LateCharge] = []
        for invoice in invoices:
            counts["invoices"] += 1
            balances = _Balances(invoice, entries[invoice.pk], disputes[invoice.pk])
            recorded = Recorded(done[invoice.pk])
            accruals = accruals_for(
                invoice, today=today, spans=spans[invoice.pk], balances=balances, recorded=recorded
            )
            counts["existing"] += recorded.hits
            for accrual in accruals:
                new.append(
                    LateCharge(
                        invoice=invoice,
                        kind=accrual.kind,
                        period_start=accrual.period_start,
                        period_end=accrual.period_end,
                        days=accrual.days,
                        base_won=accrual.base_won,
                        amount_won=accrual.amount_won,
                        formula=accrual.formula,
                    )
                )
        created = _create(new)
        counts["existing"] += len(new) - len(created)
        counts["late_charges"] += len(created)
        counts["amount_won"] += sum(charge.amount_won for charge in created)
    return counts


def _create(charges: list[LateCharge]) -> list[LateCharge]:
    """Insert the batch's new charges (with their history rows) at once; when the unique index refuses
    the insert (someone recorded one of them without the customer lock), one at a time, skipping those."""
    if not charges:
        return []
    try:
        with transaction.atomic():
            return bulk_create_audited(charges)
    except IntegrityError:
        for charge in charges:
            charge.pk = None
    created: list[LateCharge] = []
    for charge in charges:
        try:
            with transaction.atomic():
                created.extend(bulk_create_audited([charge]))
        except IntegrityError:
            charge.pk = None  # another worker recorded it
    return created


def apply_late_charges(*, today: dt.date) -> dict[str, int]:
    """Job ``apply_late_charges`` (daily 02:00, BIL-9): record each late charge earned, once.

    Batches of customers (``apply_late_charges_plan`` / ``apply_late_charges_batch``, issue 19), each in
    one transaction. Idempotent (unique invoice/kind/period_start; an existing period is never
    recomputed) and safe on two workers (the customer row locks serialise them; the unique index is the
    backstop). Writes no ledger entry: see the module docstring ("posted when billed").
    """
    return run_batches(apply_late_charges_plan, apply_late_charges_batch, today=today, zero=ZERO)


# --------------------------------------------------------------------------- billing (the invoice run's hook)


def unbilled_late_charges(customer_ids: Iterable[int]) -> dict[int, list[LateCharge]]:
    """Late charges not on any invoice yet, per customer, oldest first."""
    result: dict[int, list[LateCharge]] = defaultdict(list)
    rows = (
        LateCharge.objects.filter(invoice__customer_id__in=list(customer_ids), billed_on_invoice__isnull=True)
        .select_related("invoice")
        .order_by("invoice__due_date", "invoice_id", "period_start", "id")
    )
    for charge in rows:
        result[charge.invoice.customer_id].append(charge)
    return result


def first_contract_ids(invoice_ids: Iterable[int]) -> dict[int, int]:
    """The lowest contract id on each invoice (a late-charge line names the contract of the invoice it
    comes from), one query for all of them."""
    ids = sorted(set(invoice_ids))
    if not ids:
        return {}
    rows = (
        InvoiceLine.objects.filter(invoice_id__in=ids, contract__isnull=False)
        .values_list("invoice_id")
        .annotate(first=Min("contract_id"))
        .order_by()
    )
    return {invoice_id: first for invoice_id, first in rows}


def late_charge_line_drafts(
    charges: Iterable[LateCharge], first_contracts: dict[int, int] | None = None
) -> list[Any]:
    """``late_charge`` line drafts for the invoice run (amounts outside the VAT totals, see module doc).
    Each carries ``extra={"late_charge_id": pk}`` so :func:`bill_on_invoice` can link it.
    ``first_contracts`` (from :func:`first_contract_ids`) saves the query when the run has it."""
    from .charges import LineDraft

    charges = list(charges)
    if first_contracts is None:
        first_contracts = first_contract_ids(c.invoice_id for c in charges)
    drafts = []
    for charge in charges:
        label = LateCharge.Kind(charge.kind).label
        drafts.append(
            LineDraft(
                kind=InvoiceLine.Kind.LATE_CHARGE,
                description=_("{label} ({number}, {start}~{end}, {days}일, 부가세 없음)").format(
                    label=label,
                    number=charge.invoice.number,
                    start=charge.period_start.isoformat(),
                    end=charge.period_end.isoformat(),
                    days=charge.days,
                ),
                amount_won=charge.amount_won,
                quantity=Decimal(charge.days),
                unit_price_won=0,
                service_start=charge.period_start,
                service_end=charge.period_end,
                policy_basis=f"{RULE_TEXT.get(charge.kind, 'BIL-9')}: {charge.formula}"[:200],
                contract_id=first_contracts.get(charge.invoice_id),
                extra={"late_charge_id": charge.pk},
            )
        )
    return drafts


def _charge_id(line: Any) -> int | None:
    return line.extra.get("late_charge_id") or None


def current_lines(lines: list[Any]) -> list[Any]:
    """Drop late-charge line drafts whose charge another invoice billed meanwhile (call under the
    customer lock, before creating the lines)."""
    return current_lines_many([lines])[0]


def current_lines_many(line_lists: list[list[Any]]) -> list[list[Any]]:
    """:func:`current_lines` for a batch of invoices (issue 16): one locking query for all of them."""
    ids = [cid for lines in line_lists for line in lines if (cid := _charge_id(line))]
    if not ids:
        return line_lists
    still = set(
        LateCharge.objects.select_for_update()
        .filter(pk__in=ids, billed_on_invoice__isnull=True)
        .values_list("pk", flat=True)
    )
    return [
        [line for line in lines if not _charge_id(line) or _charge_id(line) in still] for lines in line_lists
    ]


def bill_on_invoice(*, invoice: Invoice, lines: list[Any]) -> int:
    """Link the late charges of ``lines`` to ``invoice`` and post them to the ledger on it (kind
    ``late_charge``, key ``late_charge:{pk}``). Called by the invoice run in its transaction, under the
    customer lock, after :func:`current_lines`. Returns the won posted."""
    return bill_on_invoices([(invoice, lines)])


def bill_on_invoices(pairs: list[tuple[Invoice, list[Any]]]) -> int:
    """:func:`bill_on_invoice` for a batch of new invoices (issue 16): the charges still unbilled are
    locked and linked with one update (a history row each) and posted with one insert."""
    target = {cid: invoice for invoice, lines in pairs for line in lines if (cid := _charge_id(line))}
    if not target:
        return 0
    charges = list(
        LateCharge.objects.select_for_update(of=("self",))
        .select_related("invoice")
        .filter(pk__in=list(target), billed_on_invoice__isnull=True)
        .order_by("pk")
    )
    if not charges:
        return 0
    for charge in charges:
        charge.billed_on_invoice = target[charge.pk]
    bulk_update_audited(charges, ["billed_on_invoice"])
    ledger.post_many(
        [
            {
                "customer": target[charge.pk].customer,
                "kind": LedgerEntry.Kind.LATE_CHARGE,
                "amount_won": charge.amount_won,
                "occurred_on": target[charge.pk].issue_date,
                "description": f"{LateCharge.Kind(charge.kind).label} {charge.invoice.number} "
                f"{charge.period_start}~{charge.period_end} → {target[charge.pk].number}",
                "invoice": target[charge.pk],
                "key": f"late_charge:{charge.pk}",
            }
            for charge in charges
        ]
    )
    return sum(charge.amount_won for charge in charges)


def invoice_amount_due_won(invoice: Invoice) -> int:
    """What the invoice asks for: its total plus the late charges billed on it (outside VAT)."""
    late = InvoiceLine.objects.filter(invoice=invoice, kind=InvoiceLine.Kind.LATE_CHARGE).aggregate(
        total=Sum("amount_won")
    )["total"]
    return invoice.total_won + int(late or 0)
