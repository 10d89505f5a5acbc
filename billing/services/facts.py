"""Invoice facts every billing service needs: the bottom of ``billing/services``.

This module imports no other billing service (only models, ``core`` and lower apps), so the money
primitives (ledger, allocation, notes, credits), the dispute and dunning services and the selectors
can all depend on it without forming a loop. Each derived amount has exactly one definition here:

* **open** (:func:`invoice_open_amount`, :func:`open_amount_subquery`): Σ the ledger entries posted on
  the invoice (:func:`invoice_entries`). Positive = still owed.
* **held** (:func:`held_won`): what open disputes claim, VAT included, at most the open amount (BIL-10).
* **dunnable** (:func:`dunnable_won`): open minus held on an issued invoice — what the dunning ladder
  and its notices act on (BIL-10, 003 art.7-2).
* **overdue** (:func:`invoice_overdue_won`): the dunnable amount of an invoice whose due date has passed.
* **unpaid** (:func:`unpaid_won`): a customer's overdue amounts summed — the unpaid fees of CON-2 and
  CON-7 (see the decision written at the function).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import BigIntegerField, Min, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer
from contracts.effective import (
    EffectivePolicy,
    VersionSpan,
    active_terms_prefetch,
    effective_policy,
    policy_spans,
    terms_releases,
)
from contracts.models import Contract
from core.errors import DomainError
from core.money import vat_on
from core.related import attach_related

from ..models import CreditNote, Dispute, Invoice, InvoiceLine, LedgerEntry, Payment

__all__ = [
    "card_refundable",
    "customer_open_won",
    "dunnable_won",
    "held_won",
    "held_won_on",
    "invoice_entries",
    "invoice_open_amount",
    "invoice_overdue_won",
    "net_noted_won",
    "open_amount_subquery",
    "open_invoices",
    "policy_for_invoice",
    "policy_spans_for_invoice",
    "policy_spans_for_invoices",
    "require_positive_won",
    "unpaid_won",
    "with_vat",
]


# --------------------------------------------------------------------------- arguments


def require_positive_won(value: object, *, field: str = "amount_won", rule: str = "BIL-7") -> int:
    """A money argument: a positive whole number of won (an integral ``Decimal`` is accepted).

    Raises before anything is written, naming the field.
    """
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise DomainError(
            "amount_not_integer",
            _("{name}: 금액은 원 단위 정수여야 합니다 ({value})."),
            rule=rule,
            field=field,
            name=field,
            value=repr(value),
        )
    if isinstance(value, Decimal):
        if not value.is_finite() or value != value.to_integral_value():
            raise DomainError(
                "amount_not_integer",
                _("{name}: 금액은 원 단위 정수여야 합니다 ({value})."),
                rule=rule,
                field=field,
                name=field,
                value=str(value),
            )
        value = int(value)
    if value <= 0:
        raise DomainError(
            "amount_not_positive",
            _("{name}: 금액은 0원보다 커야 합니다 ({value}원)."),
            rule=rule,
            field=field,
            name=field,
            value=value,
        )
    return int(value)


# --------------------------------------------------------------------------- open amount (one definition)


def invoice_entries(invoice: Invoice | Combinable) -> QuerySet[LedgerEntry]:
    """THE definition of an invoice's open amount: the ledger entries posted on it (charges +, payments,
    credit notes and applied credit −). ``invoice`` is an invoice or ``OuterRef("pk")`` in a query."""
    return LedgerEntry.objects.filter(invoice=invoice)  # type: ignore[misc]  # OuterRef is fine here


def open_amount_subquery(ref: str = "pk") -> Coalesce:
    """Each invoice's open amount as one correlated subquery (for lists: no N+1). ``ref`` names the
    invoice's id in the outer query: ``"pk"`` for invoices, ``"invoice_id"`` for rows that point at one
    (dunning cases, disputes, payments). Same entries as :func:`invoice_open_amount`
    (:func:`invoice_entries`)."""
    per_invoice = (
        invoice_entries(OuterRef(ref))
        .order_by()
        .values("invoice")
        .annotate(total=Sum("amount_won"))
        .values("total")
    )
    return Coalesce(Subquery(per_invoice, output_field=BigIntegerField()), Value(0))


def invoice_open_amount(invoice: Invoice) -> int:
    """What is still owed on one invoice (never below zero in practice: overpayment goes to credit)."""
    return int(invoice_entries(invoice).aggregate(total=Sum("amount_won"))["total"] or 0)


def issued_invoices() -> QuerySet[Invoice]:
    """Invoices that can still be owed on: issued (not draft, void or settled by a final settlement)."""
    return Invoice.objects.filter(status=Invoice.Status.ISSUED)


def open_invoices(customer: Customer) -> QuerySet[Invoice]:
    """The customer's issued invoices, oldest first: overdue (arrears) before the rest."""
    return issued_invoices().filter(customer=customer).order_by("due_date", "issue_date", "id")


def customer_open_won(customer: Customer) -> int:
    """Everything still owed on the customer's issued invoices (each invoice's positive open amount)."""
    rows = (
        open_invoices(customer).annotate(open_won=open_amount_subquery()).values_list("open_won", flat=True)
    )
    return sum(int(value) for value in rows if value > 0)


def net_noted_won(invoice: Invoice) -> int:
    """Credit notes minus debit notes issued against the invoice (totals, VAT included)."""
    rows = CreditNote.objects.filter(invoice=invoice).values("kind").annotate(total=Sum("total_won"))
    totals = {row["kind"]: int(row["total"] or 0) for row in rows}
    return totals.get(CreditNote.Kind.CREDIT, 0) - totals.get(CreditNote.Kind.DEBIT, 0)


# --------------------------------------------------------------------------- the invoice's rules and VAT


def _invoice_contract(invoice: Invoice) -> Contract | None:
    """The contract whose rules an invoice follows: the one of its first contract line."""
    contract_id = (
        InvoiceLine.objects.filter(invoice=invoice, contract__isnull=False)
        .order_by("contract_id")
        .values_list("contract_id", flat=True)
        .first()
    )
    if contract_id is None:
        return None
    return Contract.objects.select_related("policy").get(pk=contract_id)


def policy_for_invoice(invoice: Invoice) -> EffectivePolicy:
    """The rules for an invoice: the effective policy (CON-12 special terms included) of its first
    contract line, or the invoice's policy version when no line names a contract."""
    contract = _invoice_contract(invoice)
    if contract is not None:
        return effective_policy(contract)
    return EffectivePolicy(invoice.policy, {})


def policies_for_invoices(invoices: Iterable[Invoice]) -> dict[int, EffectivePolicy]:
    """:func:`policy_for_invoice` of many invoices, by invoice id, in three queries (their first contract
    lines, those contracts with their special terms, their policy versions): for the jobs that read a
    batch of invoices (issue 16). The invoices' ``policy`` is read as it is (attach it first)."""
    invoices = list(invoices)
    ids = [invoice.pk for invoice in invoices]
    first_contract = dict(
        InvoiceLine.objects.filter(invoice_id__in=ids, contract__isnull=False)
        .order_by()
        .values("invoice_id")
        .annotate(first=Min("contract_id"))
        .values_list("invoice_id", "first")
    )
    contracts = {
        contract.pk: contract
        for contract in Contract.objects.filter(pk__in=set(first_contract.values())).prefetch_related(
            active_terms_prefetch()
        )
    }
    attach_related(list(contracts.values()), "policy")
    policies = {}
    for invoice in invoices:
        contract = contracts.get(first_contract.get(invoice.pk, 0))
        policies[invoice.pk] = (
            effective_policy(contract) if contract is not None else EffectivePolicy(invoice.policy, {})
        )
    return policies


def policy_spans_for_invoice(invoice: Invoice) -> list[VersionSpan]:
    """The versions that governed the invoice's contract over time, oldest first (TRM-4; see
    ``contracts.effective.policy_spans``): for rules that run day by day after the invoice, such as late
    charges (BIL-9), where each day follows the terms in force that day. Without a contract line: the
    invoice's policy version alone (it names no contract whose terms could change)."""
    contract = _invoice_contract(invoice)
    if contract is not None:
        return policy_spans(contract)
    return [VersionSpan(None, EffectivePolicy(invoice.policy, {}))]


def policy_spans_for_invoices(invoices: Iterable[Invoice]) -> dict[int, list[VersionSpan]]:
    """:func:`policy_spans_for_invoice` for many invoices at once (issue 16), by invoice id: four queries
    whatever their number (first contract lines, contracts with their policies, special terms, and the
    terms releases of every policy code involved). ``invoice.policy`` should be loaded with the invoice."""
    invoices = list(invoices)
    first = (
        dict(
            InvoiceLine.objects.filter(invoice_id__in=[i.pk for i in invoices], contract__isnull=False)
            .values_list("invoice_id")
            .annotate(first=Min("contract_id"))
            .order_by()
        )
        if invoices
        else {}
    )
    contracts = (
        Contract.objects.filter(pk__in=sorted(set(first.values())))
        .select_related("policy")
        .prefetch_related("special_terms")
        .in_bulk()
        if first
        else {}
    )
    releases = terms_releases(c.policy.code for c in contracts.values()) if contracts else {}
    spans: dict[int, list[VersionSpan]] = {}
    for invoice in invoices:
        contract = contracts.get(first.get(invoice.pk, 0))
        if contract is not None:
            spans[invoice.pk] = policy_spans(contract, releases)
        else:
            spans[invoice.pk] = [VersionSpan(None, EffectivePolicy(invoice.policy, {}))]
    return spans


def with_vat(invoice: Invoice, amount_won: int) -> int:
    """A price-basis amount as money owed: VAT added for a VAT-exclusive invoice."""
    if invoice.vat_inclusive or amount_won <= 0:
        return amount_won
    mode = getattr(invoice.policy, "rounding", None) or "truncate"
    return vat_on(amount_won, invoice.vat_rate_percent, mode).total_won


# --------------------------------------------------------------------------- held, dunnable, overdue, unpaid


def held_won(invoice: Invoice) -> int:
    """What open disputes hold out of the ladder now (VAT included), at most the open amount (BIL-10)."""
    claimed = sum(
        with_vat(invoice, d.amount_won)
        for d in Dispute.objects.filter(invoice=invoice, status=Dispute.Status.OPEN).only("amount_won")
    )
    return min(claimed, max(invoice_open_amount(invoice), 0))


def held_won_on(invoice: Invoice, day: dt.date, disputes: list[Dispute] | None = None) -> int:
    """What disputes held on ``day``: filed on or before it and not yet answered (or withdrawn) by it.
    Not capped (the caller caps against that day's balance)."""
    rows = disputes if disputes is not None else list(Dispute.objects.filter(invoice=invoice))
    return sum(
        with_vat(invoice, d.amount_won)
        for d in rows
        if d.filed_on <= day and (d.answered_on is None or d.answered_on > day)
    )


def dunnable_won(invoice: Invoice) -> int:
    """What the ladder duns on an issued invoice: its open amount minus what open disputes hold
    (BIL-10: dunning pauses on the disputed amount; 003 art.7-2: the undisputed part stays payable),
    never below 0. 0 for a paid or void invoice. The due date is the caller's
    (see :func:`invoice_overdue_won`)."""
    if invoice.status != Invoice.Status.ISSUED:
        return 0
    return max(0, invoice_open_amount(invoice) - held_won(invoice))


def invoice_overdue_won(invoice: Invoice, today: dt.date) -> int:
    """The invoice's overdue amount on ``today``: its dunnable amount once the due date has passed."""
    if invoice.due_date >= today:
        return 0
    return dunnable_won(invoice)


def unpaid_won(customer: Customer, today: dt.date) -> int:
    """The customer's unpaid fees on ``today``: Σ :func:`invoice_overdue_won` over its issued invoices.

    This is the lookup billing installs for ``contracts.services.applications.unpaid_won``, so the
    automatic application check (CON-2, "unpaid fees on another contract") and the completion of a
    customer termination (CON-7, "unpaid fees must be settled before the termination completes")
    read the same number.

    Decision (an amount under an OPEN dispute is NOT unpaid, for CON-2 and for CON-7):
    * CON-2's sources speak of arrears (체납: 001 art.5-4 사, 002 art.8⑥): failing to pay an
      established charge. A charge the customer objected to in time (002 art.35①, 000 art.17①,
      004 art.20-2) is not established until the operator answers it; 003 art.7-2 obliges the customer
      to pay the undisputed part first and settles the rest by reconciliation. BIL-7 and BIL-10 carry
      exactly that: undisputed parts stay payable, dunning pauses on the disputed amount.
    * CON-7 (002 art.20②) requires "미지불 이용 요금" to be paid; the disputed part is not yet a fee
      the customer has to pay, and holding the termination for it would let the operator's answer
      delay (or an operator error, 000 art.17①) keep a customer bound to the contract.
    * One definition: counting it here but not in the ladder would call the same won "unpaid" for an
      application and "not due" for dunning.
    The moment the dispute is rejected or withdrawn the amount counts again (a termination still
    waiting then waits for it; after completion it stays on the ledger and the ladder duns it);
    an upheld amount is credited and never counts.
    """
    invoices = open_invoices(customer).filter(due_date__lt=today).select_related("policy")
    return sum(invoice_overdue_won(invoice, today) for invoice in invoices)


def card_refundable(customer: Customer) -> list[tuple[Payment, int]]:
    """The customer's succeeded card payments a refund can go back to (BIL-11, issue 18), newest first,
    each with what is not yet refunded of it: its amount less its card refunds, pending ones included
    (a pending part may already be with the PG). Payments without a gateway reference are left out
    (the PG could not find them), as are those refunded in full."""
    payments = (
        Payment.objects.filter(customer=customer, method=Payment.Method.CARD, status=Payment.Status.SUCCEEDED)
        .exclude(reference="")
        .annotate(
            refunded=Coalesce(Sum("card_refunds__amount_won"), Value(0), output_field=BigIntegerField())
        )
        .order_by("-received_on", "-id")
    )
    return [(p, p.amount_won - p.refunded) for p in payments if p.amount_won > p.refunded]
