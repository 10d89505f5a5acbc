"""BIL-9 amount due: late charges are billed on an invoice outside its supply/VAT/total, so wherever a
person is shown what an invoice asks for — the PDF, the portal list/detail/home card/payments page, the
API invoice serializers and credit balance, the admin list and CSV — the amount due
(``late_charges.invoice_amount_due_won`` = total + late-charge lines) is shown next to the total and the
ledger's open amount."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from billing.models import Invoice, InvoiceLine, LedgerEntry
from billing.services import documents, ledger
from billing.services.late_charges import invoice_amount_due_won
from core import clock
from tests.billing.bdocs_support import api_client_for, make_invoice, pay
from tests.factories import MemberFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.billing.urls_for_tests")]
TODAY = dt.date(2026, 11, 20)
API = "/api/v1"
LATE = 22_191  # SPEC §12 item 1


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen(TODAY):
        yield


def with_late_charge(invoice: Invoice, amount: int = LATE) -> Invoice:
    """Bill a late charge on ``invoice`` the way ``late_charges.bill_on_invoice`` does: a ``late_charge``
    line (outside the totals) and its ledger entry on the invoice."""
    InvoiceLine.objects.create(
        invoice=invoice,
        position=99,
        kind=InvoiceLine.Kind.LATE_CHARGE,
        description="연체료 INV-2026-000001 2026-10-01~2026-10-31",
        quantity=1,
        unit_price_won=amount,
        amount_won=amount,
        policy_basis="BIL-9; 002 art.34",
    )
    ledger.post(
        customer=invoice.customer,
        kind=LedgerEntry.Kind.LATE_CHARGE,
        amount_won=amount,
        occurred_on=invoice.issue_date,
        description="연체료",
        invoice=invoice,
        key=f"test-late:{invoice.pk}",
    )
    return invoice


@pytest.fixture
def member():
    return MemberFactory()


@pytest.fixture
def invoice(member):
    """Total 220,000 (200,000 + VAT) plus a 22,191 late charge; 100,000 paid → 142,191 open."""
    invoice = make_invoice(
        member.customer, issue_date=dt.date(2026, 11, 1), lines=[("기본료 11월", 1, 200_000)]
    )
    with_late_charge(invoice)
    pay(invoice, 100_000)
    return invoice


def test_amount_due_is_total_plus_late_charges_and_the_ledger_agrees(invoice):
    assert invoice.total_won == 220_000
    assert invoice_amount_due_won(invoice) == 242_191
    assert ledger.invoice_open_amount(invoice) == 242_191 - 100_000


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    # poppler-utils is installed by .ci/run; a missing tool is a CI defect, never a skip.
    assert shutil.which("pdftotext"), "pdftotext (poppler-utils) is required for the PDF checks"
    path = tmp_path / "invoice.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def test_pdf_lists_late_charges_under_the_total_and_the_amount_due(invoice, tmp_path):
    pdf = documents.invoice_pdf(invoice)
    assert pdf.startswith(b"%PDF")
    text = _pdf_text(pdf, tmp_path)
    for expected in ("220,000", "연체료·가산금 (부가세 대상 아님)", "22,191", "242,191", "142,191"):
        assert expected in text, expected
    # under the total, not among the supply lines; paid = amount due − open
    assert text.index("합계") < text.index("연체료·가산금 (부가세 대상 아님)") < text.index("242,191")
    assert "100,000" in text


def test_pdf_without_late_charges_unchanged_amounts(member, tmp_path):
    plain = make_invoice(member.customer, issue_date=dt.date(2026, 11, 1), lines=[("기본료", 1, 100_000)])
    text = _pdf_text(documents.invoice_pdf(plain), tmp_path)
    assert "연체료·가산금" not in text and "110,000" in text


def test_portal_list_detail_home_and_payments_show_amount_due(client, member, invoice):
    client.force_login(member.user)
    listing = client.get(reverse("portal:invoices")).content.decode()
    row = listing[listing.index(f'id="invoice-{invoice.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "220,000원" in row and "242,191원" in row and "142,191원" in row and "22,191원" in row

    detail = client.get(reverse("portal:invoice_detail", args=[invoice.pk])).content.decode()
    assert "연체료·가산금 (부가세 대상 아님)" in detail
    assert "242,191원" in detail and "142,191원" in detail
    assert "100,000원" in detail  # 입금·조정 = amount due − open

    home = client.get(reverse("portal:home")).content.decode()
    assert "142,191원" in home and "청구 금액 242,191원" in home and "연체료·가산금 22,191원" in home

    payments_page = client.get(reverse("portal:payments")).content.decode()
    assert "242,191원" in payments_page and "142,191원" in payments_page


def test_api_invoice_list_detail_and_balance_show_amount_due(member, invoice):
    api = api_client_for(member)
    row = next(r for r in api.get(f"{API}/invoices/").json()["results"] if r["id"] == invoice.pk)
    assert (row["total_won"], row["late_charges_won"], row["amount_due_won"], row["open_won"]) == (
        220_000,
        LATE,
        242_191,
        142_191,
    )
    detail = api.get(f"{API}/invoices/{invoice.pk}/").json()
    assert detail["amount_due_won"] == 242_191 and detail["late_charges_won"] == LATE
    assert any(line["kind"] == "late_charge" for line in detail["lines"])
    balance = api.get(f"{API}/credit-balance/").json()
    assert balance["open_won"] == 142_191
    assert balance["open_invoices_amount_due_won"] == 242_191
    assert balance["open_invoices_late_charges_won"] == LATE


def test_api_serializer_without_annotations_falls_back_to_the_service(invoice):
    from billing.api.serializers import InvoiceOutputSerializer

    plain = Invoice.objects.annotate().get(pk=invoice.pk)
    plain.open_won = 0  # type: ignore[attr-defined]
    data = InvoiceOutputSerializer(plain).data
    assert data["amount_due_won"] == 242_191 and data["late_charges_won"] == LATE


def test_admin_list_and_csv_show_amount_due(admin_client, invoice):
    response = admin_client.get(reverse("admin:billing_invoice_changelist"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "청구 금액" in body and "242191" in body.replace(",", "") and "142191" in body.replace(",", "")
    export = admin_client.post(
        reverse("admin:billing_invoice_changelist"),
        {"action": "export_csv", ACTION_CHECKBOX_NAME: [invoice.pk]},
    )
    text = export.content.decode("utf-8-sig")
    assert "청구 금액" in text.splitlines()[0]
    assert "220000" in text and "22191" in text and "242191" in text and "142191" in text
    change = admin_client.get(reverse("admin:billing_invoice_change", args=[invoice.pk])).content.decode()
    assert "242191" in change.replace(",", "")
