"""BIL-7, BIL-8: the payment services the API and portal call — transfer notices (and their closing by
bank-statement matching), pay-now through the gateway with the collect job's claim discipline, and
payment methods with one default per customer."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from billing.models import BankTransaction, LedgerEntry, Payment, PaymentMethod
from billing.services import bank, ledger, payments
from billing.services.collection import collect_payments, invoice_charge_now, next_attempt_on
from core.errors import Conflict, DomainError
from tests.factories import AdminMemberFactory

from .payment_factories import D, PaymentMethodFactory, fake_gateway, flow_policy, make_invoice

pytestmark = pytest.mark.django_db
__all__ = ["fake_gateway"]  # the fixture, imported for the tests below

TODAY = D(2026, 11, 20)


@pytest.fixture
def admin():
    return AdminMemberFactory()


@pytest.fixture
def customer(admin):
    return admin.customer


def statement(*rows: tuple[str, str, int]) -> bytes:
    lines = ["거래일자,입금자명,입금액,거래번호"] + [
        f'{day},{payer},"{amount:,}",R{n}' for n, (day, payer, amount) in enumerate(rows)
    ]
    return "\r\n".join(lines).encode("cp949")


# --------------------------------------------------------------------------- transfer notices


def test_notice_is_pending_idempotent_and_moves_no_money(customer, admin):
    """BIL-7: a notice is a pending payment without ledger entries; the same key → the same notice; the
    same key with another amount → Conflict; a member of another customer is refused."""
    invoice = make_invoice(customer, 110_000)
    args = dict(
        customer=customer,
        amount_won=110_000,
        transferred_on=TODAY,
        payer_name=" 홍길동 ",
        member=admin,
        idempotency_key="n-1",
        invoice=invoice,
    )
    notice = payments.transfer_notice_record(**args)
    assert (notice.status, notice.method, notice.payer_name) == ("pending", "bank_transfer", "홍길동")
    assert payments.transfer_notice_record(**args).pk == notice.pk
    assert not LedgerEntry.objects.filter(payment=notice).exists()
    assert ledger.invoice_open_amount(invoice) == 110_000
    with pytest.raises(Conflict):
        payments.transfer_notice_record(**{**args, "amount_won": 1})
    with pytest.raises(DomainError) as err:
        payments.transfer_notice_record(**{**args, "member": AdminMemberFactory(), "idempotency_key": "n-2"})
    assert err.value.code == "wrong_customer"
    with pytest.raises(DomainError) as err:
        payments.transfer_notice_record(**{**args, "amount_won": 0, "idempotency_key": "n-3"})
    assert err.value.code == "amount_not_positive"
    assert Payment.objects.count() == 1


def test_statement_match_confirms_the_notice(customer, admin):
    """BIL-7: the deposit matched by name with the notice's amount turns the notice into the payment —
    one Payment for one transfer, applied, nothing left pending."""
    invoice = make_invoice(customer, 110_000)
    notice = payments.transfer_notice_record(
        customer=customer,
        amount_won=110_000,
        transferred_on=D(2026, 11, 18),
        payer_name=customer.legal_name,
        member=admin,
        idempotency_key="n-1",
    )
    report = bank.bank_statement_import(
        file_name="a.csv", content=statement(("2026-11-19", customer.legal_name, 110_000))
    )
    assert len(report.matched) == 1
    notice.refresh_from_db()
    assert notice.status == Payment.Status.SUCCEEDED and notice.received_on == D(2026, 11, 19)
    assert report.matched[0].payment_id == notice.pk
    assert Payment.objects.count() == 1
    assert ledger.invoice_open_amount(invoice) == 0


def test_notice_payer_name_matches_an_unknown_payer(customer, admin):
    """BIL-7: a payer name no customer has matches the customer whose notice gave it (same amount)."""
    make_invoice(customer, 55_000)
    notice = payments.transfer_notice_record(
        customer=customer,
        amount_won=55_000,
        transferred_on=D(2026, 11, 19),
        payer_name="김 총무",
        member=admin,
        idempotency_key="n-1",
    )
    report = bank.bank_statement_import(
        file_name="a.csv",
        content=statement(("2026-11-19", "김총무", 55_000), ("2026-11-19", "김총무", 10_000)),
    )
    assert [tx.payment_id for tx in report.matched] == [notice.pk]
    assert [tx.status for tx in report.unmatched] == [BankTransaction.Status.UNMATCHED]  # other amount


def test_notice_of_another_amount_stays_pending_and_staff_assignment_closes_it(customer, admin):
    """BIL-7: a deposit of another amount (neither an invoice's open amount nor the total) waits in the
    queue and leaves the notice pending; a later deposit of the notice's amount that staff assign from
    the queue closes it."""
    make_invoice(customer, 200_000)
    notice = payments.transfer_notice_record(
        customer=customer,
        amount_won=150_000,
        transferred_on=D(2026, 11, 19),
        payer_name="",
        member=admin,
        idempotency_key="n-1",
    )
    first = bank.bank_statement_import(
        file_name="a.csv", content=statement(("2026-11-19", customer.legal_name, 50_000))
    )
    assert first.matched == [] and len(first.unmatched) == 1
    notice.refresh_from_db()
    assert notice.status == Payment.Status.PENDING
    report = bank.bank_statement_import(
        file_name="b.csv", content=statement(("2026-11-20", "모르는이", 150_000))
    )
    tx = report.unmatched[0]
    payment = bank.bank_transaction_assign(transaction=tx, customer=customer, remember_alias=False)
    assert payment.pk == notice.pk and payment.status == Payment.Status.SUCCEEDED
    assert ledger.customer_balance(customer) == 50_000
    bank.bank_transaction_assign(transaction=first.unmatched[0], customer=customer, remember_alias=False)
    assert ledger.customer_balance(customer) == 0


def test_old_notice_does_not_claim_a_later_deposit(customer, admin):
    """BIL-7: a notice only matches deposits within NOTICE_MATCH_DAYS of the date the customer gave."""
    make_invoice(customer, 30_000)
    notice = payments.transfer_notice_record(
        customer=customer,
        amount_won=30_000,
        transferred_on=D(2026, 9, 1),
        payer_name="",
        member=admin,
        idempotency_key="n-1",
    )
    bank.bank_statement_import(
        file_name="a.csv", content=statement(("2026-11-19", customer.legal_name, 30_000))
    )
    notice.refresh_from_db()
    assert notice.status == Payment.Status.PENDING
    assert Payment.objects.filter(status="succeeded").count() == 1


# --------------------------------------------------------------------------- pay now


def test_charge_now_success_and_replay(customer, fake_gateway):
    """BIL-7: pay now charges the open amount once; the same key returns the same attempt."""
    PaymentMethodFactory(customer=customer, kind="cms", gateway_token="tok_ok")
    invoice = make_invoice(customer, 121_000)
    payment = invoice_charge_now(invoice=invoice, idempotency_key="k1", today=TODAY)
    assert (payment.status, payment.attempt, payment.amount_won) == ("succeeded", 1, 121_000)
    assert invoice_charge_now(invoice=invoice, idempotency_key="k1", today=TODAY).pk == payment.pk
    assert len(fake_gateway.successful_charges()) == 1
    assert ledger.invoice_open_amount(invoice) == 0
    with pytest.raises(DomainError) as err:
        invoice_charge_now(invoice=invoice, idempotency_key="k2", today=TODAY)
    assert err.value.code == "nothing_to_pay"
    with pytest.raises(Conflict):
        invoice_charge_now(invoice=invoice, idempotency_key="k1", today=TODAY, kind="card")


def test_failed_charge_now_does_not_move_the_retry_schedule(customer, fake_gateway):
    """BIL-8: a declined pay-now is recorded (failed, attempt 1) but the job still charges on the due
    date and keeps the policy's retries."""
    PaymentMethodFactory(customer=customer, kind="cms", gateway_token="tok_x")
    invoice = make_invoice(customer, 50_000, due_date=D(2026, 11, 25), policy=flow_policy())
    fake_gateway.fail_first["tok_x"] = 1
    failed = invoice_charge_now(invoice=invoice, idempotency_key="k1", today=TODAY)
    assert (failed.status, failed.attempt) == ("failed", 1)
    assert next_attempt_on(invoice) == D(2026, 11, 25)
    assert collect_payments(today=D(2026, 11, 24))["charged"] == 0
    counts = collect_payments(today=D(2026, 11, 25))
    assert counts["succeeded"] == 1
    assert [(p.attempt, p.status) for p in invoice.payments.order_by("attempt")] == [
        (1, "failed"),
        (2, "succeeded"),
    ]


def test_charge_now_unknown_outcome_is_resumed_with_the_same_key(customer, fake_gateway):
    """SPEC §10 discipline: a timeout leaves the attempt pending (no second charge may start); the same
    key sends it again and the gateway answers once; the job does not charge it meanwhile."""
    PaymentMethodFactory(customer=customer, kind="card", gateway_token="tok_ok")
    invoice = make_invoice(customer, 70_000, due_date=D(2026, 11, 20))
    fake_gateway.unavailable = True
    pending = invoice_charge_now(invoice=invoice, idempotency_key="k1", today=TODAY)
    assert pending.status == Payment.Status.PENDING
    with pytest.raises(Conflict) as err:
        invoice_charge_now(invoice=invoice, idempotency_key="k2", today=TODAY)
    assert err.value.code == "charge_in_progress"
    assert collect_payments(today=TODAY)["charged"] == 0
    fake_gateway.unavailable = False
    done = invoice_charge_now(invoice=invoice, idempotency_key="k1", today=TODAY)
    assert done.pk == pending.pk and done.status == Payment.Status.SUCCEEDED
    assert len(fake_gateway.charges) == 1


def test_charge_now_needs_a_default_automatic_method(customer, fake_gateway):
    """BIL-7: without a default CMS/card method there is nothing to charge (nothing written)."""
    PaymentMethodFactory(customer=customer, kind="bank_transfer", gateway_token="")
    invoice = make_invoice(customer, 10_000)
    with pytest.raises(DomainError) as err:
        invoice_charge_now(invoice=invoice, idempotency_key="k1", today=TODAY)
    assert err.value.code == "no_default_method"
    with pytest.raises(DomainError):
        invoice_charge_now(invoice=invoice, idempotency_key="k1", today=TODAY, kind="bank_transfer")
    assert not Payment.objects.exists()


# --------------------------------------------------------------------------- payment methods


def test_payment_methods_one_default(customer):
    """BIL-7: the first method is the default; a new default takes the flag; an inactive one cannot."""
    first = payments.payment_method_add(customer=customer, kind="bank_transfer", label="무통장")
    assert first.is_default
    card = payments.payment_method_add(customer=customer, kind="card", label="카드 ****1", gateway_token="t")
    assert not card.is_default
    cms = payments.payment_method_add(customer=customer, kind="cms", label="CMS", make_default=True)
    assert cms.is_default
    assert list(PaymentMethod.objects.filter(customer=customer, is_default=True)) == [cms]
    payments.payment_method_set_default(method=card)
    assert list(PaymentMethod.objects.filter(customer=customer, is_default=True)) == [card]
    PaymentMethod.objects.filter(pk=first.pk).update(active=False)
    with pytest.raises(DomainError) as err:
        payments.payment_method_set_default(method=first)
    assert err.value.code == "payment_method_inactive"
    with pytest.raises(DomainError):
        payments.payment_method_add(customer=customer, kind="bitcoin", label="x")
    with pytest.raises(DomainError):
        payments.payment_method_add(customer=customer, kind="card", label="  ")
    with pytest.raises(IntegrityError), transaction.atomic():  # the database backstop
        PaymentMethod.objects.filter(pk=cms.pk).update(is_default=True)


@pytest.mark.urls("tests.billing.urls_for_tests")
def test_api_pay_now_timeout_then_same_key_resumes(admin, fake_gateway):
    """BIL-7, SPEC §11: the gateway times out → 503 and a pending attempt; the same Idempotency-Key
    resumes that attempt (201, one charge); a declined charge replayed with its key is 402 again."""
    from core import clock
    from tests.billing.bdocs_support import api_client_for

    PaymentMethodFactory(customer=admin.customer, kind="card", gateway_token="tok_ok")
    invoice = make_invoice(admin.customer, 33_000)
    api = api_client_for(admin)
    body = {"method": "card", "invoice_id": invoice.pk}
    with clock.frozen(TODAY):
        fake_gateway.unavailable = True
        first = api.post("/api/v1/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="p1")
        assert first.status_code == 503 and first.json()["error"]["code"] == "gateway_unavailable"
        fake_gateway.unavailable = False
        again = api.post("/api/v1/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="p1")
        assert again.status_code == 201 and again.json()["status"] == "succeeded"
        assert len(fake_gateway.charges) == 1 and Payment.objects.count() == 1
        second = make_invoice(admin.customer, 11_000)
        fake_gateway.fail_tokens.add("tok_ok")
        body = {"method": "card", "invoice_id": second.pk}
        declined = api.post("/api/v1/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="p2")
        replayed = api.post("/api/v1/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="p2")
    assert declined.status_code == replayed.status_code == 402
    assert Payment.objects.get(idempotency_key=f"api:{admin.customer.pk}:p2").status == "failed"
