"""Payments (BIL-7), overpayment and credit (BIL-11, BIL-17)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from billing.models import Invoice, LedgerEntry, Payment
from billing.services import ledger
from billing.services.allocation import payment_apply
from billing.services.collection import collect_payments
from billing.services.payments import credit_refund, payment_record
from core.errors import Conflict, DomainError
from tests.billing.payment_factories import CustomerFactory, D, make_invoice

pytestmark = pytest.mark.django_db

BANK = Payment.Method.BANK_TRANSFER


def pay(customer, amount, **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("received_on", D(2026, 11, 20))
    return payment_record(customer=customer, amount_won=amount, method=BANK, **kw)


def test_partial_payments_go_oldest_first_and_mark_paid():
    """BIL-7: partial payments allowed; no invoice named → oldest open invoice first (arrears first,
    002 art.35④); an invoice whose open amount reaches 0 is marked paid with the date."""
    customer = CustomerFactory()
    newer = make_invoice(customer, 110_000, due_date=D(2026, 11, 30))
    older = make_invoice(customer, 110_000, due_date=D(2026, 10, 31))

    pay(customer, 150_000, received_on=D(2026, 11, 5))
    older.refresh_from_db()
    newer.refresh_from_db()
    assert ledger.invoice_open_amount(older) == 0
    assert older.status == Invoice.Status.PAID and older.paid_on == D(2026, 11, 5)
    assert ledger.invoice_open_amount(newer) == 70_000
    assert newer.status == Invoice.Status.ISSUED

    pay(customer, 30_000, received_on=D(2026, 11, 10))
    assert ledger.invoice_open_amount(newer) == 40_000
    pay(customer, 40_000, received_on=D(2026, 11, 12))
    newer.refresh_from_db()
    assert newer.status == Invoice.Status.PAID and newer.paid_on == D(2026, 11, 12)
    assert ledger.customer_balance(customer) == 0
    assert ledger.credit_available(customer) == 0


def test_payment_for_a_named_invoice_goes_to_it():
    """BIL-7: a payment made for an invoice pays that invoice, even if an older one is open."""
    customer = CustomerFactory()
    older = make_invoice(customer, 110_000, due_date=D(2026, 10, 31))
    newer = make_invoice(customer, 110_000, due_date=D(2026, 11, 30))
    payment = pay(customer, 60_000, invoice=newer)
    assert ledger.invoice_open_amount(newer) == 50_000
    assert ledger.invoice_open_amount(older) == 110_000
    entry = LedgerEntry.objects.get(payment=payment)
    assert entry.key == f"payment:{payment.pk}:invoice:{newer.pk}" and entry.amount_won == -60_000


def test_overpayment_becomes_credit_applied_to_next_invoice_by_the_job():
    """BIL-11 (002 art.35③), BIL-17: an overpayment is credit balance, never lost, and the
    collect_payments job offsets it against the next invoice automatically; a second run changes nothing."""
    customer = CustomerFactory()
    first = make_invoice(customer, 110_000, due_date=D(2026, 10, 31))
    pay(customer, 150_000, invoice=first, received_on=D(2026, 10, 30))
    assert ledger.credit_available(customer) == 40_000
    assert ledger.customer_balance(customer) == -40_000

    nxt = make_invoice(customer, 110_000, due_date=D(2026, 11, 30), issue_date=D(2026, 11, 1))
    counts = collect_payments(today=D(2026, 11, 2))
    assert counts["credit_applied"] == 1
    assert ledger.invoice_open_amount(nxt) == 70_000
    assert ledger.credit_available(customer) == 0
    pair = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.CREDIT_APPLIED).order_by("amount_won")
    assert [(e.amount_won, e.invoice_id) for e in pair] == [(-40_000, nxt.pk), (40_000, None)]
    entries = LedgerEntry.objects.count()
    assert collect_payments(today=D(2026, 11, 2))["credit_applied"] == 0
    assert LedgerEntry.objects.count() == entries


def test_credit_covering_the_whole_next_invoice_marks_it_paid():
    """BIL-17: credit larger than the next invoice pays it and the rest stays credit."""
    customer = CustomerFactory()
    pay(customer, 200_000)  # no invoice at all: all credit
    invoice = make_invoice(customer, 110_000, due_date=D(2026, 11, 30))
    collect_payments(today=D(2026, 11, 21))
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID and invoice.paid_on == D(2026, 11, 21)
    assert ledger.credit_available(customer) == 90_000


@pytest.mark.parametrize("status", [Invoice.Status.PAID, Invoice.Status.VOID])
def test_payment_to_a_closed_invoice_becomes_credit(status):
    """BIL-7, BIL-11: money sent for an invoice that is already paid or void becomes credit balance."""
    customer = CustomerFactory()
    invoice = make_invoice(customer, 110_000)
    pay(customer, 110_000, invoice=invoice)
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    Invoice.objects.filter(pk=invoice.pk).update(status=status)
    invoice.refresh_from_db()
    payment = pay(customer, 110_000, invoice=invoice)
    assert ledger.credit_available(customer) == 110_000
    entry = LedgerEntry.objects.get(payment=payment)
    assert entry.invoice_id is None and entry.key == f"payment:{payment.pk}:unallocated"


@pytest.mark.parametrize("amount", [0, -1, -110_000, 1.5, 100.0, "1000", Decimal("10.5"), True, None])
def test_amount_must_be_a_positive_whole_number_nothing_written(amount):
    """BIL-7: amounts ≤ 0 or not whole won are refused naming amount_won; nothing is written."""
    customer = CustomerFactory()
    make_invoice(customer, 110_000)
    entries, payments = LedgerEntry.objects.count(), Payment.objects.count()
    with pytest.raises(DomainError) as info:
        pay(customer, amount, idempotency_key="k1")
    assert info.value.field == "amount_won" and info.value.rule == "BIL-7"
    assert "amount_won" in info.value.message_ko
    assert (LedgerEntry.objects.count(), Payment.objects.count()) == (entries, payments)


def test_integral_decimal_is_accepted():
    """BIL-7: money is integer won; an integral Decimal is whole won."""
    customer = CustomerFactory()
    assert pay(customer, Decimal("5000")).amount_won == 5000


def test_idempotency_key_reuse_returns_the_first_payment():
    """BIL-7 (SPEC §11 idempotency keys): the same key again returns the first payment, changes nothing;
    the same key for a different payment is a conflict."""
    customer = CustomerFactory()
    invoice = make_invoice(customer, 110_000)
    first = pay(customer, 50_000, idempotency_key="pay-123")
    entries = LedgerEntry.objects.count()
    again = pay(customer, 50_000, idempotency_key="pay-123")
    assert again.pk == first.pk
    assert Payment.objects.count() == 1 and LedgerEntry.objects.count() == entries
    assert ledger.invoice_open_amount(invoice) == 60_000
    with pytest.raises(Conflict) as info:
        pay(customer, 70_000, idempotency_key="pay-123")
    assert info.value.field == "idempotency_key"


def test_payment_apply_is_idempotent():
    """BIL-7: applying the same payment twice posts it once."""
    customer = CustomerFactory()
    make_invoice(customer, 110_000)
    payment = pay(customer, 200_000)
    entries = LedgerEntry.objects.count()
    again = payment_apply(payment=payment, today=D(2026, 11, 21))
    assert LedgerEntry.objects.count() == entries
    assert again.allocated_won == 110_000 and again.unallocated_won == 90_000


def test_other_customers_invoice_refused():
    """BIL-7: a payment cannot be pointed at another customer's invoice."""
    customer, other = CustomerFactory(), CustomerFactory()
    invoice = make_invoice(other, 110_000)
    with pytest.raises(DomainError) as info:
        pay(customer, 1000, invoice=invoice)
    assert info.value.field == "invoice"
    assert Payment.objects.count() == 0


def test_manual_card_payments_take_the_next_attempt_number():
    """BIL-8: card/CMS payments keep unique attempt numbers per invoice, also when entered by hand."""
    customer = CustomerFactory()
    invoice = make_invoice(customer, 110_000)
    one = payment_record(customer=customer, amount_won=10_000, method=Payment.Method.CARD,
                         received_on=D(2026, 11, 20), invoice=invoice)
    two = payment_record(customer=customer, amount_won=10_000, method=Payment.Method.CMS,
                         received_on=D(2026, 11, 20), invoice=invoice)
    assert (one.attempt, two.attempt) == (1, 2)


# --------------------------------------------------------------------------- refunds (BIL-11)


def test_credit_refund_up_to_available_credit():
    """BIL-11: credit is refunded on request, never more than the credit balance."""
    customer = CustomerFactory()
    pay(customer, 50_000)
    with pytest.raises(DomainError) as info:
        credit_refund(customer=customer, amount_won=50_001, reason="고객 요청", today=D(2026, 11, 21))
    assert info.value.code == "credit_insufficient" and info.value.field == "amount_won"
    assert "50,000" in info.value.message_ko
    entry = credit_refund(customer=customer, amount_won=30_000, reason="고객 요청", today=D(2026, 11, 21))
    assert entry.kind == LedgerEntry.Kind.REFUND and entry.amount_won == 30_000 and entry.invoice_id is None
    assert ledger.credit_available(customer) == 20_000


def test_credit_refund_deducts_arrears_first():
    """BIL-11 (002 art.35④, 000 art.18⑥): arrears are deducted before credit is refunded."""
    customer = CustomerFactory()
    overdue = make_invoice(customer, 30_000, due_date=D(2026, 10, 31))
    pay(customer, 100_000, invoice=make_invoice(customer, 20_000, due_date=D(2026, 12, 31)))
    assert ledger.credit_available(customer) == 80_000
    with pytest.raises(DomainError):
        credit_refund(customer=customer, amount_won=60_000, reason="요청", today=D(2026, 11, 21))
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.CREDIT_APPLIED).count() == 0
    credit_refund(customer=customer, amount_won=50_000, reason="요청", today=D(2026, 11, 21))
    overdue.refresh_from_db()
    assert overdue.status == Invoice.Status.PAID
    assert ledger.credit_available(customer) == 0
    assert ledger.customer_balance(customer) == 0


def test_credit_refund_with_statutory_interest_and_idempotency():
    """BIL-11 (000 art.18①): interest (computed by the caller) is refunded on top; a repeated key
    refunds once."""
    customer = CustomerFactory()
    pay(customer, 100_000)
    kw = {"customer": customer, "amount_won": 100_000, "reason": "회사 과오", "today": D(2026, 11, 21),
          "interest_won": 1_500, "idempotency_key": "r1"}
    first = credit_refund(**kw)
    again = credit_refund(**kw)
    assert first.pk == again.pk and first.amount_won == 101_500
    assert ledger.credit_available(customer) == 0
    assert ledger.customer_balance(customer) == 0
