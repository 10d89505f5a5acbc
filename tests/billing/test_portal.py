"""SPEC §11 customer portal for billing: invoices with open amounts (BIL-7), PDF download (BIL-18) with
cross-customer 404, payment status and history, credit balance (BIL-17), payment methods (admins only,
ACC-4), and the home card."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from billing.models import LedgerEntry, PaymentMethod
from billing.services import ledger, payments
from core import clock
from tests.billing.bdocs_support import make_invoice
from tests.factories import AdminMemberFactory, MemberFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.billing.urls_for_tests")]
TODAY = dt.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen(TODAY):
        yield


@pytest.fixture
def member():
    return MemberFactory()


@pytest.fixture
def admin(member):
    return AdminMemberFactory(customer=member.customer)


@pytest.fixture
def invoice(member):
    return make_invoice(member.customer, issue_date=dt.date(2026, 11, 1), lines=[("기본료 11월", 1, 200_000)])


@pytest.fixture
def foreign_invoice():
    return make_invoice(MemberFactory().customer)


def test_invoice_list_and_detail(client, member, invoice, foreign_invoice):
    """BIL-7: the list shows number, period, dates, total, open amount, status; only own invoices."""
    payments.payment_record(
        customer=member.customer,
        amount_won=20_000,
        method="bank_transfer",
        received_on=TODAY,
        invoice=invoice,
    )
    client.force_login(member.user)
    response = client.get(reverse("portal:invoices"))
    assert response.status_code == 200
    body = response.content.decode()
    assert invoice.number in body and foreign_invoice.number not in body
    assert "220,000원" in body and "200,000원" in body  # total and open amount
    assert "2026-11-15" in body
    detail = client.get(reverse("portal:invoice_detail", args=[invoice.pk]))
    assert detail.status_code == 200
    assert "기본료 11월" in detail.content.decode()
    assert client.get(reverse("portal:invoice_detail", args=[foreign_invoice.pk])).status_code == 404
    filtered = client.get(reverse("portal:invoices"), {"status": "paid"})
    assert invoice.number not in filtered.content.decode()


def test_pdf_download_own_only(client, member, invoice, foreign_invoice):
    """BIL-18: the member downloads its customer's invoice PDF; another customer's invoice is a 404."""
    client.force_login(member.user)
    response = client.get(reverse("portal:invoice_pdf", args=[invoice.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert invoice.number in response["Content-Disposition"]
    assert client.get(reverse("portal:invoice_pdf", args=[foreign_invoice.pk])).status_code == 404


def test_login_required(client, invoice):
    """ACC-4: portal pages need a member login."""
    response = client.get(reverse("portal:invoice_pdf", args=[invoice.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_payments_page_shows_history_and_credit(client, member, invoice):
    """BIL-7, BIL-17: payment history, open invoices and the credit balance (ledger.credit_available)."""
    ledger.post(
        customer=member.customer,
        kind=LedgerEntry.Kind.ADJUSTMENT,
        amount_won=-5_000,
        occurred_on=TODAY,
        description="SLA 크레딧",
    )
    payments.payment_record(
        customer=member.customer,
        amount_won=20_000,
        method="bank_transfer",
        received_on=TODAY,
        invoice=invoice,
        payer_name="테스트",
    )
    client.force_login(member.user)
    response = client.get(reverse("portal:payments"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "20,000원" in body
    assert "5,000원" in body  # credit
    assert invoice.number in body


def test_payment_methods_admin_only(client, member, admin):
    """ACC-4: members see payment methods; only admins add one or change the default."""
    client.force_login(member.user)
    assert client.get(reverse("portal:payment_methods")).status_code == 200
    denied = client.post(reverse("portal:payment_method_add"), {"kind": "card", "label": "카드 ****1234"})
    assert denied.status_code == 403
    assert not PaymentMethod.objects.exists()
    client.force_login(admin.user)
    response = client.post(
        reverse("portal:payment_method_add"), {"kind": "bank_transfer", "label": "국민 ****1"}
    )
    assert response.status_code == 302
    first = PaymentMethod.objects.get()
    assert first.is_default  # the first method is the default
    client.post(reverse("portal:payment_method_add"), {"kind": "card", "label": "카드 ****5678"})
    card = PaymentMethod.objects.get(kind="card")
    assert not card.is_default
    assert client.post(reverse("portal:payment_method_default", args=[card.pk])).status_code == 302
    card.refresh_from_db()
    first.refresh_from_db()
    assert card.is_default and not first.is_default
    other = PaymentMethod.objects.create(customer=MemberFactory().customer, kind="card", label="남의 카드")
    assert client.post(reverse("portal:payment_method_default", args=[other.pk])).status_code == 404
    bad = client.post(reverse("portal:payment_method_add"), {"kind": "bitcoin", "label": "x"})
    assert bad.status_code == 400


def test_home_card_shows_open_amount_and_next_due(client, member, invoice):
    """SPEC §11: the home page card shows what is owed and the next due date."""
    client.force_login(member.user)
    client.get(reverse("portal:invoices"))  # the billing urlconf (and its card) is loaded
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    body = response.content.decode()
    # five days past due: the card is the overdue badge (issue 15), with the due date and the amount
    assert "연체 5일" in body and "220,000원" in body and "납기일 2026-11-15" in body
    assert 'id="home-overdue"' in body
