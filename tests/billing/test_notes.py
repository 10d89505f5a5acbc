"""Credit and debit notes (BIL-2): corrections never edit an invoice."""

from __future__ import annotations

import re

import pytest

from billing.models import CreditNote, Invoice, LedgerEntry, Payment
from billing.services import ledger
from billing.services.notes import credit_note_issue, creditable_amount, debit_note_reverse
from billing.services.payments import payment_record
from core.errors import DomainError
from tests.billing.payment_factories import CustomerFactory, D, make_invoice

pytestmark = pytest.mark.django_db

TODAY = D(2026, 11, 20)


def issue(invoice, amount, **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("reason", CreditNote.Reason.CORRECTION)
    kw.setdefault("description", "요금 오류 정정")
    kw.setdefault("today", TODAY)
    return credit_note_issue(invoice=invoice, amount_won=amount, **kw)


def test_credit_note_on_vat_exclusive_invoice_adds_vat_and_lowers_open_amount():
    """BIL-2: a credit note is numbered CN-YYYY-NNNNNN, split supply/VAT per the invoice (VAT added
    to a VAT-exclusive amount, truncated, SPEC §12-15) and posted as a negative entry on the invoice."""
    customer = CustomerFactory()
    invoice = make_invoice(customer, supply_won=1_000_000)  # total 1,100,000
    note = issue(invoice, 333_333)
    assert re.fullmatch(r"CN-2026-\d{6}", note.number)
    assert (note.supply_won, note.vat_won, note.total_won) == (333_333, 33_333, 366_666)
    assert ledger.invoice_open_amount(invoice) == 1_100_000 - 366_666
    entry = LedgerEntry.objects.get(credit_note=note)
    assert entry.kind == LedgerEntry.Kind.CREDIT_NOTE and entry.invoice_id == invoice.pk
    second = issue(invoice, 1000)
    assert int(second.number[-6:]) == int(note.number[-6:]) + 1


def test_credit_note_on_vat_inclusive_invoice_takes_vat_out():
    """BIL-2 (001 art.19-9): on a VAT-inclusive invoice the amount is the total; the VAT part is shown."""
    customer = CustomerFactory()
    invoice = make_invoice(customer, 110_000, vat_inclusive=True)
    note = issue(invoice, 55_000)
    assert (note.supply_won, note.vat_won, note.total_won) == (50_000, 5_000, 55_000)


def test_credit_note_cannot_exceed_what_is_left_and_names_the_maximum():
    """BIL-2: no more than the invoice total minus earlier credit notes plus debit notes; the error
    names the maximum and nothing is written."""
    customer = CustomerFactory()
    invoice = make_invoice(customer, supply_won=100_000)
    first = issue(invoice, 60_000)
    assert creditable_amount(invoice) == 40_000
    notes = CreditNote.objects.count()
    with pytest.raises(DomainError) as info:
        issue(invoice, 40_001)
    assert info.value.code == "credit_note_exceeds_invoice" and info.value.field == "amount_won"
    assert "40,000" in info.value.message_ko
    assert CreditNote.objects.count() == notes
    debit_note_reverse(credit_note=first, reason="잘못 발행", today=TODAY)
    assert creditable_amount(invoice) == 100_000


def test_full_credit_voids_the_invoice_without_rounding_leftovers():
    """BIL-2: crediting what is left cancels the invoice exactly (supply and VAT), status void."""
    customer = CustomerFactory()
    invoice = make_invoice(customer, supply_won=100_001)  # VAT 10,000 (truncated)
    issue(invoice, 55_555)
    last = issue(invoice, creditable_amount(invoice))
    invoice.refresh_from_db()
    assert ledger.invoice_open_amount(invoice) == 0
    assert invoice.status == Invoice.Status.VOID
    total = sum(CreditNote.objects.filter(invoice=invoice).values_list("total_won", flat=True))
    assert total == invoice.total_won and last.total_won > 0
    with pytest.raises(DomainError) as info:
        issue(invoice, 1)
    assert info.value.code == "invoice_void"


def test_credit_note_on_paid_invoice_becomes_credit_balance():
    """BIL-2, BIL-17: when the invoice is already paid the credit goes to the customer's credit balance."""
    customer = CustomerFactory()
    invoice = make_invoice(customer, 110_000)
    payment_record(customer=customer, amount_won=110_000, method=Payment.Method.BANK_TRANSFER,
                   received_on=D(2026, 11, 10), invoice=invoice)
    note = issue(invoice, 50_000, reason=CreditNote.Reason.SLA_CREDIT)
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert ledger.credit_available(customer) == note.total_won
    assert LedgerEntry.objects.get(credit_note=note).invoice_id is None


def test_credit_note_idempotency_key():
    """BIL-2: the same idempotency key returns the first note."""
    customer = CustomerFactory()
    invoice = make_invoice(customer, 110_000)
    first = issue(invoice, 1000, idempotency_key="sla:1")
    assert issue(invoice, 1000, idempotency_key="sla:1").pk == first.pk
    assert CreditNote.objects.count() == 1


def test_debit_note_reverses_a_credit_note_once():
    """BIL-2: a mistaken credit note is reversed by a debit note DN-YYYY-NNNNNN for the same amounts
    (a positive entry), never by editing; only once."""
    customer = CustomerFactory()
    invoice = make_invoice(customer, supply_won=100_000)
    note = issue(invoice, 30_000)
    debit = debit_note_reverse(credit_note=note, reason="중복 발행", today=TODAY)
    assert re.fullmatch(r"DN-2026-\d{6}", debit.number)
    assert debit.kind == CreditNote.Kind.DEBIT and debit.reverses_id == note.pk
    amounts = (note.supply_won, note.vat_won, note.total_won)
    assert (debit.supply_won, debit.vat_won, debit.total_won) == amounts
    assert LedgerEntry.objects.get(credit_note=debit).amount_won == note.total_won
    assert ledger.invoice_open_amount(invoice) == 110_000
    note.refresh_from_db()
    assert note.total_won == 33_000  # the credit note itself is untouched
    with pytest.raises(DomainError) as info:
        debit_note_reverse(credit_note=note, reason="또", today=TODAY)
    assert info.value.code == "credit_note_already_reversed"
    with pytest.raises(DomainError):
        debit_note_reverse(credit_note=debit, reason="데빗은 취소 불가", today=TODAY)


def test_debit_note_reopens_a_void_invoice():
    """BIL-2: reversing the credit that cancelled an invoice makes it owed again."""
    customer = CustomerFactory()
    invoice = make_invoice(customer, 110_000)
    note = issue(invoice, 100_000)
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.VOID
    debit_note_reverse(credit_note=note, reason="취소 철회", today=TODAY)
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.ISSUED
    assert ledger.invoice_open_amount(invoice) == 110_000


def test_debit_note_on_paid_invoice_takes_back_the_credit():
    """BIL-2, BIL-17: credit that a mistaken note gave on a paid invoice is taken back; the invoice
    ends paid again and the customer's balance is as before the mistake."""
    customer = CustomerFactory()
    invoice = make_invoice(customer, 110_000, vat_inclusive=True)
    payment_record(customer=customer, amount_won=110_000, method=Payment.Method.BANK_TRANSFER,
                   received_on=D(2026, 11, 10), invoice=invoice)
    note = issue(invoice, 11_000)
    assert ledger.credit_available(customer) == 11_000
    debit_note_reverse(credit_note=note, reason="착오", today=TODAY)
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert ledger.credit_available(customer) == 0
    assert ledger.customer_balance(customer) == 0


@pytest.mark.parametrize("amount", [0, -5, 1.5])
def test_credit_note_amount_must_be_positive_whole_won(amount):
    """BIL-2: amounts ≤ 0 or fractional are refused naming amount_won."""
    customer = CustomerFactory()
    invoice = make_invoice(customer, 110_000)
    with pytest.raises(DomainError) as info:
        issue(invoice, amount)
    assert info.value.field == "amount_won"
    assert CreditNote.objects.count() == 0
