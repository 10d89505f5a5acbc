"""The collect_payments job (SPEC §10): automatic charges and retries (BIL-7, BIL-8), credit (BIL-17)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.management import call_command
from django.db import connection

from billing.models import Invoice, Payment, PaymentMethod
from billing.services import ledger
from billing.services.collection import collect_payments, next_attempt_on, retry_dates
from billing.services.payments import payment_record
from core import jobs
from core.calendar import BusinessCalendar
from core.jobs import JobSpec
from core.models import JobRun
from tests.billing.payment_factories import (
    CustomerFactory,
    D,
    PaymentMethodFactory,
    fake_gateway,  # noqa: F401 - fixture
    flow_policy,
    make_invoice,
)

DUE = D(2026, 11, 2)  # a Monday; no public holidays in November 2026


def days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def card_customer(token: str = "tok_ok", kind: str = PaymentMethod.Kind.CARD):  # type: ignore[no-untyped-def]
    customer = CustomerFactory()
    PaymentMethodFactory(customer=customer, gateway_token=token, kind=kind)
    return customer


@pytest.mark.django_db
def test_retry_dates_for_flow():
    """BIL-8 (001 art.19-6): two retries within 10 business days → about 5 and at 10 business days."""
    dates = retry_dates(first_attempt_on=DUE, retry_count=2, window_business_days=10)
    assert dates == [D(2026, 11, 9), D(2026, 11, 16)]
    assert BusinessCalendar().business_days_between(DUE, dates[-1]) == 10
    # across Chuseok (09-24..26), Gaecheonjeol (10-03 → 10-05 substitute) and Hangul Day (10-09)
    assert retry_dates(first_attempt_on=D(2026, 9, 22), retry_count=2, window_business_days=10) == [
        D(2026, 10, 1), D(2026, 10, 12),
    ]
    assert retry_dates(first_attempt_on=DUE, retry_count=0, window_business_days=10) == []


@pytest.mark.django_db
def test_card_charged_on_the_due_date_and_applied(fake_gateway):  # noqa: F811
    """BIL-7: an open invoice of a card customer is charged on its due date and the payment applied."""
    customer = card_customer()
    invoice = make_invoice(customer, 110_000, due_date=DUE, policy=flow_policy())
    assert collect_payments(today=DUE - dt.timedelta(days=1))["charged"] == 0
    counts = collect_payments(today=DUE)
    assert counts["charged"] == 1 and counts["succeeded"] == 1
    payment = Payment.objects.get()
    assert payment.status == Payment.Status.SUCCEEDED and payment.attempt == 1
    assert payment.idempotency_key == f"invoice:{invoice.pk}:attempt:1"
    assert payment.method == Payment.Method.CARD
    assert payment.reference == fake_gateway.charges[0].result.reference  # the gateway's own reference
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID and invoice.paid_on == DUE
    assert fake_gateway.charges[0].amount_won == 110_000


@pytest.mark.django_db
def test_flow_retries_twice_within_ten_business_days_then_stops(fake_gateway):  # noqa: F811
    """BIL-8 (001 art.19-6): a failed automatic charge is retried twice within 10 business days
    (due date, +5 and +10 business days); after the last failure nothing more is charged."""
    customer = card_customer(token="fail_card")
    invoice = make_invoice(customer, 110_000, due_date=DUE, policy=flow_policy())
    totals = {"failed": 0, "retry_scheduled": 0, "exhausted": 0}
    charged_on = []
    for day in days(DUE, D(2026, 12, 31)):
        counts = collect_payments(today=day)
        for key in totals:
            totals[key] += counts[key]
        if counts["charged"]:
            charged_on.append(day)
    assert charged_on == [D(2026, 11, 2), D(2026, 11, 9), D(2026, 11, 16)]
    assert totals == {"failed": 3, "retry_scheduled": 2, "exhausted": 1}
    attempts = list(Payment.objects.filter(invoice=invoice).order_by("attempt"))
    assert [(p.attempt, p.status) for p in attempts] == [(n, Payment.Status.FAILED) for n in (1, 2, 3)]
    assert all(p.failure_reason for p in attempts)
    assert next_attempt_on(invoice) is None
    assert ledger.invoice_open_amount(invoice) == 110_000  # dunning takes over


@pytest.mark.django_db
def test_retry_that_succeeds_stops_the_schedule(fake_gateway):  # noqa: F811
    """BIL-8: the first retry goes through → the invoice is paid, no third attempt."""
    customer = card_customer(token="tok_flaky", kind=PaymentMethod.Kind.CMS)
    fake_gateway.fail_first["tok_flaky"] = 1
    invoice = make_invoice(customer, 110_000, due_date=DUE, policy=flow_policy())
    for day in days(DUE, D(2026, 11, 30)):
        collect_payments(today=day)
    assert [(p.attempt, p.status) for p in Payment.objects.order_by("attempt")] == [
        (1, Payment.Status.FAILED), (2, Payment.Status.SUCCEEDED),
    ]
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID and invoice.paid_on == D(2026, 11, 9)


@pytest.mark.django_db
def test_policy_without_retries_charges_once(fake_gateway):  # noqa: F811
    """BIL-8: retries are a policy number; with 0 (officecore, dcloud ...) one attempt only."""
    customer = card_customer(token="fail_card")
    make_invoice(customer, 110_000, due_date=DUE)  # PolicyFactory: payment_retry_count 0
    assert collect_payments(today=DUE)["exhausted"] == 1
    for day in days(DUE, D(2026, 11, 30)):
        collect_payments(today=day)
    assert Payment.objects.count() == 1


@pytest.mark.django_db
def test_only_cms_or_card_customers_are_charged(fake_gateway):  # noqa: F811
    """BIL-7: bank-transfer customers are not charged; inactive methods neither."""
    bank = CustomerFactory()
    PaymentMethodFactory(customer=bank, kind=PaymentMethod.Kind.BANK_TRANSFER)
    make_invoice(bank, 110_000, due_date=DUE)
    inactive = CustomerFactory()
    PaymentMethodFactory(customer=inactive, active=False)
    make_invoice(inactive, 110_000, due_date=DUE)
    assert collect_payments(today=DUE)["charged"] == 0
    assert fake_gateway.charges == []


@pytest.mark.django_db
def test_charges_the_open_amount_after_partial_payment(fake_gateway):  # noqa: F811
    """BIL-7: a partial payment before the due date lowers the automatic charge."""
    customer = card_customer()
    invoice = make_invoice(customer, 110_000, due_date=DUE)
    payment_record(customer=customer, amount_won=10_000, method=Payment.Method.BANK_TRANSFER,
                   received_on=D(2026, 10, 30))
    collect_payments(today=DUE)
    assert fake_gateway.charges[0].amount_won == 100_000
    assert ledger.invoice_open_amount(invoice) == 0


@pytest.mark.django_db
def test_running_twice_the_same_day_does_nothing_new(fake_gateway):  # noqa: F811
    """SPEC §10: the job is idempotent per date — also when its first run failed the charge."""
    ok, failing = card_customer(), card_customer(token="fail_card")
    make_invoice(ok, 110_000, due_date=DUE, policy=flow_policy())
    make_invoice(failing, 110_000, due_date=DUE, policy=flow_policy())
    first = collect_payments(today=DUE)
    assert (first["succeeded"], first["failed"]) == (1, 1)
    payments = Payment.objects.count()
    second = collect_payments(today=DUE)
    assert all(value == 0 for value in second.values())
    assert Payment.objects.count() == payments and len(fake_gateway.charges) == 2


@pytest.mark.django_db
def test_unknown_outcome_stays_pending_and_is_resumed_with_the_same_key(fake_gateway):  # noqa: F811
    """SPEC §10 (resumable): a timeout leaves the attempt pending; a later run sends it again with the
    same idempotency key, so the customer is charged once."""
    customer = card_customer()
    invoice = make_invoice(customer, 110_000, due_date=DUE)
    fake_gateway.unavailable = True
    assert collect_payments(today=DUE)["unknown"] == 1
    payment = Payment.objects.get()
    assert payment.status == Payment.Status.PENDING and "gateway" in payment.failure_reason
    fake_gateway.unavailable = False
    assert collect_payments(today=DUE)["resumed"] == 0  # not stale yet: maybe still in another worker's hands
    Payment.objects.filter(pk=payment.pk).update(updated_at=payment.updated_at - dt.timedelta(hours=1))
    counts = collect_payments(today=D(2026, 11, 3))
    assert counts["resumed"] == 1 and counts["succeeded"] == 1
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED and payment.attempt == 1
    assert len(fake_gateway.successful_charges()) == 1
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID


@pytest.mark.django_db
def test_job_runner_and_command(fake_gateway, capsys):  # noqa: F811
    """SPEC §10: registered as a job it runs once per date (JobRun); the command is ``run_jobs --job
    collect_payments``."""
    customer = card_customer()
    make_invoice(customer, 110_000, due_date=DUE)
    jobs.register(JobSpec("collect_payments", "billing.services.collection.collect_payments"))
    try:
        first = jobs.run_job("collect_payments", DUE)
        again = jobs.run_job("collect_payments", DUE)
        assert first.ran and first.counts["succeeded"] == 1
        assert not again.ran
        call_command("collect_payments", "--date", "2026-11-03")
    finally:
        jobs.unregister("collect_payments")
    assert "collect_payments 2026-11-03" in capsys.readouterr().out
    call_command("collect_payments", "--date", "2026-11-04")
    assert Payment.objects.count() == 1
    assert JobRun.objects.filter(job="collect_payments", as_of=dt.date(2026, 11, 4)).exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_charge_once(fake_gateway):  # noqa: F811
    """SPEC §10, BIL-7: two workers running the job at the same moment charge each invoice once."""
    customers = [card_customer() for _ in range(4)]
    invoices = [make_invoice(c, 110_000, due_date=DUE, policy=flow_policy()) for c in customers]
    invoices.append(make_invoice(customers[0], 55_000, due_date=DUE, policy=flow_policy()))
    barrier = threading.Barrier(2)
    results: list[dict[str, int]] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(collect_payments(today=DUE))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert sum(r["charged"] for r in results) == len(invoices)
    assert len(fake_gateway.charges) == len(invoices)
    assert Payment.objects.count() == len(invoices)
    for invoice in invoices:
        invoice.refresh_from_db()
        assert invoice.status == Invoice.Status.PAID
        assert ledger.invoice_open_amount(invoice) == 0
