"""BIL-7, BIL-10: one definition of each derived amount (billing.services.facts, exposed by
billing.selectors), the allocation read, and the explicit "invoice paid"/"dispute decided" wiring."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from billing import selectors
from billing.models import Dispute, Invoice
from billing.services import dunning, events, facts
from billing.services.disputes import dispute_decide, dispute_file
from billing.services.notes import credit_note_issue, debit_note_reverse
from billing.services.payments import payment_record
from tests.billing.payment_factories import CustomerFactory, D, make_invoice

pytestmark = pytest.mark.django_db


def test_open_amount_sql_and_python_are_the_same_definition():
    """BIL-7: the list annotation (open_amount_subquery) and the per-invoice function give the same open
    amount for partly paid, paid, overpaid, credited and debited invoices."""
    customer = CustomerFactory()
    oldest = make_invoice(customer, 110_000, due_date=D(2026, 10, 1))
    partly = make_invoice(customer, 220_000, due_date=D(2026, 10, 2))
    paid = make_invoice(customer, 55_000, due_date=D(2026, 10, 3))
    noted = make_invoice(customer, 330_000, due_date=D(2026, 10, 4))
    payment_record(
        customer=customer,
        amount_won=70_000,
        method="bank_transfer",
        received_on=D(2026, 9, 20),
        invoice=partly,
    )
    payment_record(
        customer=customer, amount_won=60_000, method="bank_transfer", received_on=D(2026, 9, 20), invoice=paid
    )
    note = credit_note_issue(
        invoice=noted, amount_won=100_000, reason="correction", description="요금 오류", today=D(2026, 9, 21)
    )
    debit_note_reverse(credit_note=note, reason="잘못 발행", today=D(2026, 9, 22))
    credit_note_issue(
        invoice=noted, amount_won=50_000, reason="correction", description="재발행", today=D(2026, 9, 23)
    )
    other = make_invoice(CustomerFactory(), 99_000)
    listed = {
        invoice.pk: invoice.open_won
        for invoice in Invoice.objects.annotate(open_won=selectors.open_amount_subquery())  # type: ignore[attr-defined]
    }
    expected = {i.pk: facts.invoice_open_amount(i) for i in (oldest, partly, paid, noted, other)}
    assert listed == expected
    assert expected == {
        oldest.pk: 105_000,  # the 5,000 overpaid on ``paid`` offset when the debit note ran (BIL-17)
        partly.pk: 150_000,
        paid.pk: 0,
        noted.pk: 330_000 - 55_000,
        other.pk: 99_000,
    }
    # the portal/admin list reads use the same annotation
    assert {i.pk: i.open_won for i in selectors.customer_invoices(customer)} == {  # type: ignore[attr-defined]
        k: v for k, v in expected.items() if k != other.pk
    }
    assert selectors.customer_open_won(customer) == 105_000 + 150_000 + 275_000


def test_held_dunnable_overdue_and_unpaid_are_one_chain():
    """BIL-10: held = open disputes with VAT (capped at the open amount); dunnable = open − held;
    overdue = dunnable once past due; unpaid = Σ overdue of the customer."""
    customer = CustomerFactory()
    past = make_invoice(customer, supply_won=100_000, due_date=D(2026, 10, 31))
    future = make_invoice(customer, supply_won=50_000, due_date=D(2026, 12, 31))
    dispute_file(invoice=past, amount_won=40_000, reason="x", today=D(2026, 10, 20))
    today = D(2026, 11, 15)
    assert facts.held_won(past) == 44_000
    assert facts.dunnable_won(past) == 110_000 - 44_000
    assert facts.invoice_overdue_won(past, today) == 66_000
    assert facts.invoice_overdue_won(future, today) == 0 and facts.dunnable_won(future) == 55_000
    assert selectors.unpaid_won(customer, today) == 66_000
    assert selectors.unpaid_won(customer, D(2027, 1, 1)) == 66_000 + 55_000


def test_dunning_position_reports_the_dunnable_amount():
    """BIL-10: the ladder position (admin, portal, API) shows what the ladder duns: facts.dunnable_won."""
    customer = CustomerFactory()
    invoice = make_invoice(customer, supply_won=100_000, due_date=D(2026, 10, 31))
    dispute_file(invoice=invoice, amount_won=30_000, reason="x", today=D(2026, 10, 20))
    position = selectors.ladder_position(invoice, D(2026, 11, 2))
    assert position is not None and position.overdue_won == facts.dunnable_won(invoice) == 77_000


def test_a_payment_made_without_an_invoice_shows_the_invoices_it_paid():
    """BIL-7: a payment recorded without an invoice is applied oldest first; the allocation read names
    each invoice and the surplus that became credit (BIL-11)."""
    customer = CustomerFactory()
    older = make_invoice(customer, 110_000, due_date=D(2026, 10, 1))
    newer = make_invoice(customer, 55_000, due_date=D(2026, 11, 1))
    payment = payment_record(
        customer=customer, amount_won=200_000, method="bank_transfer", received_on=D(2026, 11, 1)
    )
    assert payment.invoice_id is None
    allocations = selectors.payment_allocations(payment)
    assert [(a.invoice.pk, a.amount_won) for a in allocations.to_invoices] == [
        (older.pk, 110_000),
        (newer.pk, 55_000),
    ]
    assert allocations.unallocated_won == 35_000


# --------------------------------------------------------------------------- events (DUN-1 wiring)


@pytest.fixture
def saved_receivers():  # type: ignore[no-untyped-def]
    saved = events.receivers()
    yield
    events.register(invoice_paid=saved[0], dispute_decided=saved[1])


def test_billing_registers_dunning_as_the_receiver_of_both_events():
    """DUN-1: BillingConfig.ready wires the ladder to the events the money primitives send."""
    assert events.receivers() == (dunning.on_invoice_paid, dunning.on_dispute_decided)


@pytest.mark.usefixtures("saved_receivers")
def test_an_event_without_a_receiver_fails_loudly_and_writes_nothing():
    """DUN-1: settling an invoice with no "invoice paid" receiver raises instead of silently leaving the
    ladder running; the payment's transaction is rolled back."""
    customer = CustomerFactory()
    invoice = make_invoice(customer, 110_000)
    events.register(invoice_paid=None, dispute_decided=None)
    with pytest.raises(ImproperlyConfigured, match="invoice_paid"):
        payment_record(
            customer=customer,
            amount_won=110_000,
            method="bank_transfer",
            received_on=D(2026, 11, 1),
            invoice=invoice,
        )
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.ISSUED and facts.invoice_open_amount(invoice) == 110_000
    dispute = dispute_file(invoice=invoice, amount_won=10_000, reason="x", today=D(2026, 11, 1))
    with pytest.raises(ImproperlyConfigured, match="dispute_decided"):
        dispute_decide(dispute=dispute, upheld_amount_won=0, answer="기각", today=D(2026, 11, 2))
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.OPEN


@pytest.mark.usefixtures("saved_receivers")
def test_the_events_reach_the_registered_receivers():
    """DUN-1, BIL-10: settling an invoice and deciding a dispute call the registered receivers once each."""
    seen: list[tuple[str, int]] = []
    events.register(
        invoice_paid=lambda *, invoice, today: seen.append(("paid", invoice.pk)),
        dispute_decided=lambda *, dispute, today: seen.append(("decided", dispute.pk)),
    )
    customer = CustomerFactory()
    invoice = make_invoice(customer, 110_000)
    dispute = dispute_file(invoice=invoice, amount_won=10_000, reason="x", today=D(2026, 11, 1))
    dispute_decide(dispute=dispute, upheld_amount_won=0, answer="기각", today=D(2026, 11, 2))
    payment_record(
        customer=customer,
        amount_won=110_000,
        method="bank_transfer",
        received_on=D(2026, 11, 3),
        invoice=invoice,
    )
    assert seen == [("decided", dispute.pk), ("paid", invoice.pk)]
