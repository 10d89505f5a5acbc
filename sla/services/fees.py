"""What a contract was billed for a month: the credit base and cap of SLA-4, read from invoice lines.

The fee lines (base fee, seats, added seats, usage) of the contract's issued invoices whose service
period overlaps the month, each by the share of its days inside the month (an annual line counts a
twelfth-ish of itself per month), in the invoice's price basis — the basis a credit note takes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from django.db.models import Q, QuerySet

from billing.models import Invoice, InvoiceLine
from billing.services.charges import FEE_KINDS
from contracts.models import Contract
from core.calendar import add_months, month_end
from core.money import round_won


@dataclass(frozen=True)
class MonthFee:
    month: dt.date
    fee_won: int
    invoice: Invoice | None  # the invoice carrying most of the month's fee: where the credit note goes


def fee_lines(contract_ids: list[int], first: dt.date, last: dt.date) -> dict[int, list[InvoiceLine]]:
    """The fee lines of these contracts whose service period can overlap [first, last], by contract, in
    :func:`month_fee`'s order: one query for a batch (the month close, issue 16)."""
    starts = Q(service_start__lte=last) | Q(service_start__isnull=True, invoice__period_start__lte=last)
    ends = Q(service_end__gte=first) | Q(service_end__isnull=True, invoice__period_end__gte=first)
    out: dict[int, list[InvoiceLine]] = {cid: [] for cid in contract_ids}
    for line in _lines(InvoiceLine.objects.filter(contract_id__in=contract_ids).filter(starts & ends)):
        out.setdefault(line.contract_id or 0, []).append(line)
    return out


def _lines(qs: QuerySet[InvoiceLine]) -> QuerySet[InvoiceLine]:
    return (
        qs.filter(kind__in=FEE_KINDS)
        .exclude(invoice__status=Invoice.Status.VOID)
        .select_related("invoice")
        .order_by("invoice__issue_date", "id")
    )


def month_fee(
    contract: Contract, month: dt.date, rounding: str, lines: list[InvoiceLine] | None = None
) -> MonthFee:
    """The month's fee of the contract; ``lines`` are its fee lines read beforehand (:func:`fee_lines`,
    covering the month), else they are read here."""
    first, last = month, month_end(month)
    if lines is None:
        lines = list(_lines(InvoiceLine.objects.filter(contract=contract)))
    total = Fraction(0)
    by_invoice: dict[int, tuple[Fraction, Invoice]] = {}
    for line in lines:
        start = line.service_start or line.invoice.period_start
        end = line.service_end or line.invoice.period_end
        lo, hi = max(start, first), min(end, last)
        if hi < lo:
            continue
        share = Fraction(line.amount_won * ((hi - lo).days + 1), (end - start).days + 1)
        total += share
        got, _inv = by_invoice.get(line.invoice_id, (Fraction(0), line.invoice))
        by_invoice[line.invoice_id] = (got + share, line.invoice)
    invoice = (
        max(by_invoice.values(), key=lambda pair: (pair[0], pair[1].issue_date))[1] if by_invoice else None
    )
    return MonthFee(month, max(0, round_won(total, rounding)), invoice)


def recent_fees(
    contract: Contract, month: dt.date, n: int, rounding: str, lines: list[InvoiceLine] | None = None
) -> list[MonthFee]:
    """The fees of the ``n`` months ending with ``month`` in which the contract was billed (oldest first)."""
    if lines is None:
        lines = list(_lines(InvoiceLine.objects.filter(contract=contract)))
    fees = [month_fee(contract, add_months(month, -k), rounding, lines) for k in range(n - 1, -1, -1)]
    return [f for f in fees if f.fee_won > 0]
