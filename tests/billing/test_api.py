"""SPEC §11 billing REST API: invoices (BIL-2) with open amounts (BIL-7), PDF (BIL-18), preview (BIL-2),
payments with idempotency keys (BIL-7), credit notes, credit balance (BIL-17), tax invoice data (BIL-18);
scoped to the member's customer, admins only for POST and preview (ACC-4)."""

from __future__ import annotations

import datetime as dt

import pytest

from billing.gateways import fake_state
from billing.models import Invoice, LedgerEntry, Payment, PaymentMethod
from billing.services import invoicing, ledger, notes, payments
from core import clock
from tests.billing.bdocs_support import api_client_for, make_invoice
from tests.billing.conftest import make_contract
from tests.factories import AdminMemberFactory, MemberFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.billing.urls_for_tests")]
TODAY = dt.date(2026, 11, 20)
API = "/api/v1"


@pytest.fixture(autouse=True)
def _today():
    fake_state().reset()
    with clock.frozen(TODAY):
        yield
    fake_state().reset()


@pytest.fixture
def admin():
    return AdminMemberFactory()


@pytest.fixture
def member(admin):
    return MemberFactory(customer=admin.customer)


@pytest.fixture
def invoice(admin):
    return make_invoice(
        admin.customer,
        issue_date=dt.date(2026, 11, 1),
        lines=[("기본료 11월", 1, 100_000), ("추가 인원", 2, 5_000)],
    )


@pytest.fixture
def foreign_invoice():
    return make_invoice(AdminMemberFactory().customer)


def test_anonymous_is_401(client, invoice):
    """SPEC §11: no token → 401 JSON error."""
    response = client.get(f"{API}/invoices/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_invoice_list_filters_and_scope(member, invoice, foreign_invoice):
    """BIL-2, BIL-7: the member's invoices only, with open amount; filter by status and period; paginated."""
    old = make_invoice(member.customer, issue_date=dt.date(2026, 10, 1))
    payments.payment_record(
        customer=member.customer,
        amount_won=old.total_won,
        method="bank_transfer",
        received_on=TODAY,
        invoice=old,
    )
    api = api_client_for(member)
    body = api.get(f"{API}/invoices/").json()
    assert body["count"] == 2
    numbers = [row["number"] for row in body["results"]]
    assert foreign_invoice.number not in numbers
    first = body["results"][0]
    assert (
        first["number"] == invoice.number and first["open_won"] == 121_000 and first["total_won"] == 121_000
    )
    assert [r["number"] for r in api.get(f"{API}/invoices/", {"status": "paid"}).json()["results"]] == [
        old.number
    ]
    assert [r["number"] for r in api.get(f"{API}/invoices/", {"period": "2026-11"}).json()["results"]] == [
        invoice.number
    ]
    assert api.get(f"{API}/invoices/", {"page_size": 1}).json()["next"]
    bad = api.get(f"{API}/invoices/", {"status": "nope"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "validation_error"


def test_invoice_detail_and_pdf(member, invoice, foreign_invoice):
    """BIL-18: detail with lines and open amount; PDF download; another customer's invoice → 404."""
    api = api_client_for(member)
    body = api.get(f"{API}/invoices/{invoice.pk}/").json()
    assert [line["description"] for line in body["lines"]] == ["기본료 11월", "추가 인원"]
    assert body["open_won"] == 121_000
    pdf = api.get(f"{API}/invoices/{invoice.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    for path in (
        f"/invoices/{foreign_invoice.pk}/",
        f"/invoices/{foreign_invoice.pk}/pdf/",
        f"/tax-invoices/{foreign_invoice.pk}/",
    ):
        response = api.get(API + path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"


def test_preview_admin_only(admin, member, presets):
    """BIL-2: the preview shows exactly what the run will issue; customer admins only (ACC-4)."""
    make_contract("officecore-standard-monthly", start=dt.date(2026, 1, 5), customer=admin.customer)
    denied = api_client_for(member).get(f"{API}/invoices/preview/", {"date": "2026-02-01"})
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "admin_required"
    response = api_client_for(admin).get(f"{API}/invoices/preview/", {"date": "2026-02-01"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["date"] == "2026-02-01"
    assert body["invoices"], body
    draft = body["invoices"][0]
    assert draft["total_won"] == draft["supply_won"] + draft["vat_won"]
    assert sum(line["amount_won"] for line in draft["lines"]) in (draft["supply_won"], draft["total_won"])
    invoicing.invoices_generate(today=dt.date(2026, 2, 1))
    issued = Invoice.objects.filter(customer=admin.customer).order_by("period_start")
    assert [(i.total_won, str(i.period_start)) for i in issued] == [
        (d["total_won"], d["period_start"]) for d in sorted(body["invoices"], key=lambda d: d["period_start"])
    ]
    assert api_client_for(admin).get(f"{API}/invoices/preview/", {"date": "x"}).status_code == 400


def test_payment_post_requires_admin_and_key(admin, member, invoice):
    """ACC-4, SPEC §11: plain members cannot POST (403 JSON); a missing Idempotency-Key is refused."""
    body = {"method": "bank_transfer", "amount_won": 121_000, "payer_name": "테스트"}
    denied = api_client_for(member).post(f"{API}/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "admin_required"
    no_key = api_client_for(admin).post(f"{API}/payments/", body, format="json")
    assert no_key.status_code == 400 and no_key.json()["error"]["code"] == "idempotency_key_required"
    assert not Payment.objects.exists()


def test_bank_transfer_notice_is_idempotent(admin, invoice):
    """BIL-7: a transfer notice is a pending payment (no money until the statement shows it); the same key
    returns the original response, a different body with a used key → 409."""
    api = api_client_for(admin)
    body = {
        "method": "bank_transfer",
        "amount_won": 121_000,
        "payer_name": "테스트",
        "invoice_id": invoice.pk,
    }
    first = api.post(f"{API}/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="notice-1")
    assert first.status_code == 201, first.content
    assert first.json()["status"] == "pending"
    again = api.post(f"{API}/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="notice-1")
    assert again.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Payment.objects.count() == 1
    assert ledger.invoice_open_amount(invoice) == 121_000  # a notice moves no money
    changed = api.post(
        f"{API}/payments/", {**body, "amount_won": 1}, format="json", HTTP_IDEMPOTENCY_KEY="notice-1"
    )
    assert changed.status_code == 409 and changed.json()["error"]["code"] == "idempotency_key_reused"
    other_customer = AdminMemberFactory()
    theirs = api_client_for(other_customer).post(
        f"{API}/payments/", {**body, "invoice_id": None}, format="json", HTTP_IDEMPOTENCY_KEY="notice-1"
    )
    assert theirs.status_code == 201  # keys are per customer
    listed = api.get(f"{API}/payments/").json()
    assert listed["count"] == 1 and listed["results"][0]["invoice_number"] == invoice.number


def test_card_payment_charges_once(admin, invoice):
    """BIL-7: pay by the default card; a repeated key charges nothing new; a declined card is 402."""
    PaymentMethod.objects.create(
        customer=admin.customer, kind="card", label="카드 ****1", gateway_token="tok_ok", is_default=True
    )
    api = api_client_for(admin)
    body = {"method": "card", "invoice_id": invoice.pk}
    first = api.post(f"{API}/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="pay-1")
    assert first.status_code == 201, first.content
    assert first.json()["status"] == "succeeded" and first.json()["amount_won"] == 121_000
    again = api.post(f"{API}/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="pay-1")
    assert again.status_code == 201 and again.json() == first.json()
    assert len(fake_state().successful_charges()) == 1
    assert ledger.invoice_open_amount(invoice) == 0
    nothing = api.post(f"{API}/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="pay-2")
    assert nothing.status_code == 400 and nothing.json()["error"]["code"] == "nothing_to_pay"
    other = api.post(
        f"{API}/payments/",
        {"method": "cms", "invoice_id": invoice.pk},
        format="json",
        HTTP_IDEMPOTENCY_KEY="pay-1",
    )
    assert other.status_code == 409
    second = make_invoice(admin.customer, issue_date=dt.date(2026, 10, 1))
    PaymentMethod.objects.filter(customer=admin.customer).update(gateway_token="fail_card")
    declined = api.post(
        f"{API}/payments/",
        {"method": "card", "invoice_id": second.pk},
        format="json",
        HTTP_IDEMPOTENCY_KEY="pay-3",
    )
    assert declined.status_code == 402 and declined.json()["error"]["code"] == "charge_declined"
    assert ledger.invoice_open_amount(second) == second.total_won
    foreign = make_invoice(AdminMemberFactory().customer)
    assert (
        api.post(
            f"{API}/payments/",
            {"method": "card", "invoice_id": foreign.pk},
            format="json",
            HTTP_IDEMPOTENCY_KEY="pay-4",
        ).status_code
        == 404
    )
    no_method = api_client_for(AdminMemberFactory())
    assert (
        no_method.post(
            f"{API}/payments/",
            {"method": "cms", "invoice_id": invoice.pk},
            format="json",
            HTTP_IDEMPOTENCY_KEY="x",
        ).status_code
        == 404
    )


def test_credit_notes_and_balance(member, invoice):
    """BIL-2, BIL-17: credit notes listed; credit balance from the ledger."""
    notes.credit_note_issue(
        invoice=invoice, amount_won=10_000, reason="goodwill", description="보상", today=TODAY
    )
    ledger.post(
        customer=member.customer,
        kind=LedgerEntry.Kind.ADJUSTMENT,
        amount_won=-7_000,
        occurred_on=TODAY,
        description="SLA 크레딧",
    )
    api = api_client_for(member)
    notes_body = api.get(f"{API}/credit-notes/").json()
    assert notes_body["count"] == 1 and notes_body["results"][0]["total_won"] == 11_000
    assert notes_body["results"][0]["invoice_number"] == invoice.number
    balance = api.get(f"{API}/credit-balance/").json()
    assert balance == {
        "credit_won": 7_000,
        "open_won": 110_000,
        "open_invoices_total_won": 121_000,  # what the open invoices asked for (before the credit note)
        "open_invoices_late_charges_won": 0,
        "open_invoices_amount_due_won": 121_000,
        "balance_won": 103_000,
        "next_due_date": "2026-11-15",
    }


def test_tax_invoice_data(member, invoice):
    """BIL-18: the tax invoice data of the member's invoice (created once)."""
    api = api_client_for(member)
    body = api.get(f"{API}/tax-invoices/{invoice.pk}/").json()
    assert body["invoice_number"] == invoice.number
    assert body["supplier_business_number"] == "2208162517"
    assert body["buyer_business_number"] == member.customer.business_number
    assert (body["supply_won"], body["vat_won"], body["total_won"]) == (110_000, 11_000, 121_000)
    assert body["written_on"] == "2026-11-01" and body["issue_by"] == "2026-12-10"
    assert body["buyer_id_type"] == "01"
    assert api.get(f"{API}/tax-invoices/{invoice.pk}/").json()["id"] == body["id"]


def test_schema_lists_billing_endpoints(client):
    """SPEC §11: the OpenAPI schema documents the billing endpoints."""
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/invoices/",
        "/api/v1/invoices/{id}/",
        "/api/v1/invoices/{id}/pdf/",
        "/api/v1/invoices/preview/",
        "/api/v1/payments/",
        "/api/v1/credit-notes/",
        "/api/v1/credit-balance/",
        "/api/v1/tax-invoices/{invoice_id}/",
    ):
        assert path in paths, path
