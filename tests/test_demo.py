"""The demo data (`manage.py seed_demo`, `manage.py demo --no-serve`): idempotent, live contracts, logins,
and three months of billing replayed through the daily jobs (invoices, payments by CMS, card and bank
statement, an overdue invoice on its dunning ladder, an open dispute)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from accounts.models import Customer, Member
from accounts.validators import is_valid_business_number
from billing.models import (
    BankStatementImport,
    BankTransaction,
    Dispute,
    DunningCase,
    DunningStep,
    Invoice,
    InvoiceLine,
    LedgerEntry,
    Payment,
    PaymentMethod,
    SeatSnapshot,
    TaxInvoice,
    UsageRecord,
)
from billing.services import ledger
from contracts.management.commands.seed_demo import (
    ADMIN_PASSWORD,
    DEMO_CUSTOMERS,
    DEMO_PASSWORD,
    FEED_JOB,
    HISTORY_DAYS,
    OVERDUE_WINDOW_DAYS,
    PAY_BANK,
    PAY_CARD,
    PAY_CMS,
    PAY_OVERDUE,
    STAFF_USERS,
)
from contracts.models import Contract, ContractStatus
from core import clock
from core.jobs import registry
from core.models import JobRun
from messaging.models import Message, MessageKind, Notice, SenderNumber
from messaging.selectors import delivered_counts

pytestmark = pytest.mark.django_db


def _spec(pays: str):
    return next(spec for spec in DEMO_CUSTOMERS if spec.activate and spec.pays == pays)


def _customer(spec) -> Customer:
    return Customer.objects.get(business_number=spec.business_number)


def state() -> dict[str, Any]:
    """Everything seeding writes, to compare a second run with the first."""
    return {
        "customers": Customer.objects.count(),
        "members": Member.objects.count(),
        "contracts": list(Contract.objects.order_by("pk").values_list("pk", "status")),
        "notices": Notice.objects.count(),
        "invoices": list(Invoice.objects.order_by("number").values_list("number", "status", "total_won")),
        "payments": list(Payment.objects.order_by("pk").values_list("pk", "status", "amount_won")),
        "ledger": LedgerEntry.objects.count(),
        "methods": PaymentMethod.objects.count(),
        "statements": BankStatementImport.objects.count(),
        "bank": list(BankTransaction.objects.order_by("pk").values_list("pk", "status")),
        "disputes": Dispute.objects.count(),
        "dunning": (DunningCase.objects.count(), DunningStep.objects.count()),
        "tax": TaxInvoice.objects.count(),
        "seats": SeatSnapshot.objects.count(),
        "usage": UsageRecord.objects.count(),
        "job_runs": JobRun.objects.count(),
    }


def test_seed_demo_twice_creates_each_customer_once_with_live_contracts(client):
    """ACC-1, ACC-2, CON-1, CON-4: one customer per preset, members through the services, contracts active
    since HISTORY_DAYS ago, three months of billing; a second run creates nothing new and replays no day.
    A printed login reaches the portal home."""
    call_command("seed_demo", stdout=io.StringIO())
    before = state()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert state() == before
    assert "고객 0곳" in out.getvalue()
    assert "0일치 일일 작업 재실행" in out.getvalue()
    assert FEED_JOB not in {spec.name for spec in registry()}  # registered only while seeding
    # TRM-3: the demo's terms change (dcloud v2) is published once, with its comparison table.
    from contracts.models import TermsRelease
    from contracts.services.terms_documents import terms_compare

    release = TermsRelease.objects.get(policy__code="dcloud")
    changes = terms_compare(old=release.previous, new=release.policy).summary_lines()
    assert changes == [
        "연체 월율: 월 1.5% → 월 1.25%",
        "연체 이자율: 연 18% → 연 15%",
        "제34조 (연체료) 변경",
    ]

    today = clock.today()
    assert Customer.objects.count() == len(DEMO_CUSTOMERS)
    presets = set()
    for spec in DEMO_CUSTOMERS:
        customer = _customer(spec)
        assert is_valid_business_number(customer.business_number)
        assert customer.legal_name == spec.legal_name
        members = customer.members.all()
        assert members.filter(role=Member.Role.ADMIN).count() == 1
        assert members.count() == len(spec.members)
        if spec.activate:
            assert 2 <= members.filter(role=Member.Role.MEMBER).count() <= 3
        contract = Contract.objects.get(customer=customer)
        assert contract.plan.code == spec.plan
        if spec.activate:
            presets.add(spec.preset)
            assert contract.status == ContractStatus.ACTIVE
            assert contract.activated_on == today - dt.timedelta(days=HISTORY_DAYS)
            assert contract.periods.count() >= 1
            assert not contract.documents.exclude(kind__in=contract.plan.required_documents).exists()
        else:
            assert contract.status == ContractStatus.APPLIED  # waits in the admin queue
    assert presets == {"officecore", "flow", "dcloud", "kgmsg", "damoa"}

    user_model = get_user_model()
    admin = user_model.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(ADMIN_PASSWORD)
    for username, group in STAFF_USERS.items():
        user = user_model.objects.get(username=username)
        assert user.is_staff and not user.is_superuser
        assert list(user.groups.values_list("name", flat=True)) == [group]
        assert user.check_password(DEMO_PASSWORD)
    member = Member.objects.get(login_id=DEMO_CUSTOMERS[0].members[0].login_id)
    assert member.user.check_password(DEMO_PASSWORD)

    login = DEMO_CUSTOMERS[0].members[0].login_id
    assert client.login(username=login, password=DEMO_PASSWORD)
    response = client.get("/")
    assert response.status_code == 200
    assert DEMO_CUSTOMERS[0].legal_name in response.content.decode()
    client.logout()

    # BIL-2, BIL-3, BIL-7, BIL-10, DUN-2: the billing history (checked here too: seeding is the slow part).
    check_billing_history(client, today)
    # MSG-4, MSG-6, MSG-8, BIL-6: the messaging customer's real sends, billed from delivered messages.
    check_messaging_usage(today)


def check_messaging_usage(today: dt.date) -> None:
    """MSG-4, MSG-6, MSG-8, BIL-6: the kgmsg customer's calling number was approved on a generated
    certificate; each replayed day it sent messages through the fake provider, all delivered; every
    kgmsg invoice bills, per unit, exactly the messages delivered in its service period at the plan's
    price, and nothing is recorded as usage by hand (so nothing is billed twice)."""
    spec = next(spec for spec in DEMO_CUSTOMERS if spec.activate and spec.preset == "kgmsg")
    customer = _customer(spec)
    contract = Contract.objects.get(customer=customer)
    sender = SenderNumber.objects.get(customer=customer)
    assert sender.status == SenderNumber.Status.APPROVED and sender.proof_document.name.endswith(".pdf")
    messages = Message.objects.filter(customer=customer)
    days = HISTORY_DAYS + 1
    assert messages.count() >= days
    assert not messages.exclude(status=Message.Status.DELIVERED).exists()
    assert set(messages.values_list("kind", flat=True)) == {MessageKind.SMS, MessageKind.LMS}
    assert messages.dates("sent_at", "day").count() == days  # every replayed day sent something
    assert not UsageRecord.objects.exists()

    billed = 0
    lines = InvoiceLine.objects.filter(invoice__customer=customer, kind=InvoiceLine.Kind.USAGE)
    for invoice in Invoice.objects.filter(customer=customer).exclude(status=Invoice.Status.VOID):
        usage_lines = lines.filter(invoice=invoice)
        if not usage_lines.exists():
            continue
        first = usage_lines.first()
        assert first is not None and first.service_start and first.service_end
        span = {"start": first.service_start, "end": first.service_end}
        delivered = delivered_counts(customer_id=customer.pk, **span)
        assert sorted(int(line.quantity) for line in usage_lines) == sorted(delivered.values())
        assert sorted(line.amount_won for line in usage_lines) == sorted(
            n * contract.plan.unit_price_won(unit) for unit, n in delivered.items()
        )
        billed += sum(delivered.values())
    assert billed > 0  # at least one month-end invoice billed the delivered messages


def check_billing_history(client, today: dt.date) -> None:
    """Every day since activation ran the whole job list; each live customer has invoices; CMS and card
    customers were charged, bank-transfer customers matched from imported statements; the overdue
    customer's invoice walks its ladder; one dispute is open."""
    start = today - dt.timedelta(days=HISTORY_DAYS)
    days = HISTORY_DAYS + 1
    assert JobRun.objects.filter(job=FEED_JOB, status=JobRun.Status.SUCCEEDED).count() == days
    assert JobRun.objects.filter(job="generate_invoices", as_of__gte=start, as_of__lte=today).count() == days
    assert not JobRun.objects.exclude(status=JobRun.Status.SUCCEEDED).exists()

    for spec in DEMO_CUSTOMERS:
        invoices = Invoice.objects.filter(customer=_customer(spec))
        if not spec.activate:
            assert not invoices.exists()
            continue
        assert invoices.count() >= 2, spec.legal_name
        # Everything due before the overdue window is paid, whoever pays how.
        for invoice in invoices.filter(due_date__lt=today - dt.timedelta(days=OVERDUE_WINDOW_DAYS)):
            assert invoice.status == Invoice.Status.PAID, invoice.number
    assert TaxInvoice.objects.exists()

    auto = {PAY_CMS: Payment.Method.CMS, PAY_CARD: Payment.Method.CARD}
    for pays, method in auto.items():
        customer = _customer(_spec(pays))
        assert customer.payment_methods.get(is_default=True).kind == method
        charges = Payment.objects.filter(customer=customer, method=method, status=Payment.Status.SUCCEEDED)
        assert charges.exists()
    bank_customer = _customer(_spec(PAY_BANK))
    matched = BankTransaction.objects.filter(customer=bank_customer, status=BankTransaction.Status.MATCHED)
    assert matched.exists()
    assert all(tx.payment is not None and tx.payment.method == Payment.Method.BANK_TRANSFER for tx in matched)
    assert BankTransaction.objects.filter(status=BankTransaction.Status.UNMATCHED).count() <= 1

    # The overdue customer: an unpaid invoice past its due date, an open case, the ladder's notices sent.
    overdue = _customer(_spec(PAY_OVERDUE))
    late = Invoice.objects.filter(customer=overdue, status=Invoice.Status.ISSUED, due_date__lt=today)
    assert late.exists()
    assert all(ledger.invoice_open_amount(invoice) > 0 for invoice in late)
    case = DunningCase.objects.get(
        customer=overdue, status=DunningCase.Status.OPEN, invoice=late.earliest("due_date")
    )
    assert case.steps.filter(action="notify").exists()
    assert Notice.objects.filter(customer=overdue, event="dunning.step").exists()
    assert not Contract.objects.filter(customer=overdue, status=ContractStatus.TERMINATED).exists()
    # Nobody else is overdue.
    assert not DunningCase.objects.exclude(customer=overdue).exists()

    dispute = Dispute.objects.get()
    assert dispute.status == Dispute.Status.OPEN
    assert dispute.customer == _customer(_spec(PAY_CMS))
    assert dispute.filed_on == today

    # The overdue customer's admin sees it in the portal.
    assert client.login(username=_spec(PAY_OVERDUE).members[0].login_id, password=DEMO_PASSWORD)
    page = client.get("/billing/")
    assert page.status_code == 200
    assert case.invoice.number in page.content.decode()


def test_demo_no_serve_prints_the_urls_logins_and_what_was_seeded():
    """The demo command prepares everything and prints where to go, how to log in and what the billing
    history holds (Korean first)."""
    out = io.StringIO()
    call_command("demo", "--no-serve", "--port", "8765", stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert "http://127.0.0.1:8765/login/" in text
    assert "http://127.0.0.1:8765/admin/" in text
    assert "http://127.0.0.1:8765/api/docs/" in text
    assert "http://127.0.0.1:8765/admin/billing/dunningcase/dashboard/" in text
    assert text.index("고객 포털") < text.index("customer portal")
    for spec in DEMO_CUSTOMERS:
        for m in spec.members:
            assert m.login_id in text
    assert "admin" in text and DEMO_PASSWORD in text
    assert Contract.objects.filter(status=ContractStatus.ACTIVE).count() == 5
    invoices = Invoice.objects.count()
    assert f"청구서 {invoices}건" in text
    overdue = _spec(PAY_OVERDUE)
    assert f"연체 고객: {overdue.legal_name} ({overdue.members[0].login_id})" in text
    assert "이의신청:" in text
