"""Issue #14: view-only staff change nothing, the billing dashboard is billing staff's, and bank
transactions, payer aliases, late charges and tax invoices keep a history naming who changed them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from accounts.staff import ensure_staff_groups
from billing.models import BankTransaction, InvoiceLine, LateCharge, PayerAlias, TaxInvoice
from billing.services import tax
from billing.services.bank import bank_statement_import, bank_transaction_ignore
from billing.services.charges import LineDraft
from billing.services.late_charges import bill_on_invoice, late_charge_line_drafts
from core.audit import acting_as, current_actor
from tests.billing.payment_factories import CustomerFactory, make_invoice
from tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def groups() -> None:
    ensure_staff_groups()


def _export(client, pks: list[int]):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("admin:billing_taxinvoice_changelist"),
        {"action": "export_csv", ACTION_CHECKBOX_NAME: [str(pk) for pk in pks]},
    )


def _tax_row() -> TaxInvoice:
    customer = CustomerFactory(legal_name="주식회사 세금계산")
    return tax.tax_invoice_for(invoice=make_invoice(customer, 110_000, issue_date=dt.date(2026, 11, 2)))


# --------------------------------------------------------------------------- tax invoice export


def test_view_only_staff_cannot_export_and_mark_tax_invoices(groups, client):
    """BIL-18, ACC-11: the export marks rows exported, so it needs the change permission; a support
    member (billing: view only) is not offered the action and nothing changes."""
    row = _tax_row()
    support = StaffUserFactory(groups=["support"])
    assert support.has_perm("billing.view_taxinvoice") and not support.has_perm("billing.change_taxinvoice")
    client.force_login(support)
    response = _export(client, [row.pk])
    assert "Content-Disposition" not in response
    row.refresh_from_db()
    assert (row.status, row.exported_at) == (TaxInvoice.Status.READY, None)
    assert [h.history_type for h in row.history.all()] == ["+"]  # its creation only


def test_export_writes_a_history_row_per_marked_invoice(groups, client):
    """BIL-18: billing staff export; each marked row (first export and re-export) gets a history row
    attributed to the staff member, besides the status log."""
    first, second = _tax_row(), _tax_row()
    billing = StaffUserFactory(groups=["billing"], username="kim-billing")
    client.force_login(billing)
    response = _export(client, [first.pk])
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    first.refresh_from_db()
    assert first.status == TaxInvoice.Status.EXPORTED
    assert [(h.status, h.history_actor, h.history_user_id) for h in first.history.all()] == [
        (TaxInvoice.Status.EXPORTED, "user:kim-billing", billing.pk),
        (TaxInvoice.Status.READY, "system", None),  # prepared by the system
    ]
    exported_at = first.exported_at
    _export(client, [first.pk, second.pk])  # a re-export of the first, a first export of the second
    first.refresh_from_db()
    assert first.exported_at > exported_at
    assert first.history.count() == 3 and first.history.first().exported_at == first.exported_at
    assert first.history.first().history_actor == "user:kim-billing"
    assert [h.history_actor for h in second.history.all()] == ["user:kim-billing", "system"]


# --------------------------------------------------------------------------- dashboard


@pytest.mark.parametrize(("group", "status"), [("sla", 403), ("messaging", 403), ("billing", 200),
                                               ("compliance", 200)])
def test_dashboard_needs_billing_view_permission(groups, client, group, status):
    """SPEC §11, ACC-11: revenue, overdue amounts and customer names are for staff who may view invoices."""
    client.force_login(StaffUserFactory(groups=[group]))
    assert client.get(reverse("admin:billing_after_due_dashboard")).status_code == status


# --------------------------------------------------------------------------- history of the four models


def test_bank_import_and_notes_leave_history_with_the_actor(groups):
    """BIL-7: imported bank transactions get a creation history row naming the importer; a note written
    by the matcher and an ignore by staff each add one."""
    staff = StaffUserFactory(groups=["billing"], username="lee-bank")
    CustomerFactory(legal_name="주식회사 한빛")
    content = "거래일자,입금자명,입금액,거래번호,메모\n2026-11-10,모르는사람,5000,TX-9,\n".encode()
    bank_statement_import(file_name="kb.csv", content=content, actor=staff)
    tx = BankTransaction.objects.get()
    imported = list(tx.history.order_by("history_id").values_list("history_type", "history_actor", "note"))
    assert imported[0][:2] == ("+", "user:lee-bank")
    assert imported[-1] == ("~", "user:lee-bank", tx.note) and tx.note  # the matcher's reason, noted
    bank_transaction_ignore(transaction=tx, actor=staff, reason="중복 입금 확인")
    latest = tx.history.first()
    assert (latest.status, latest.history_actor) == (BankTransaction.Status.IGNORED, "user:lee-bank")
    assert tx.history.count() == len(imported) + 1


def test_payer_alias_has_history():
    """BIL-7: a remembered payer alias records who added it."""
    staff = StaffUserFactory(username="park-alias")
    with acting_as(staff):
        alias = PayerAlias.objects.create(name="한빛(주)", customer=CustomerFactory(), created_by=staff)
    assert [(h.history_type, h.history_actor) for h in alias.history.all()] == [("+", "user:park-alias")]


def test_billing_a_late_charge_is_in_its_history():
    """BIL-9: linking a late charge to the invoice that bills it (a conditional update) writes history
    attributed to the job that issued the invoice."""
    customer = CustomerFactory()
    late = make_invoice(customer, 1_100_000, due_date=dt.date(2026, 1, 31))
    nxt = make_invoice(customer, 330_000, issue_date=dt.date(2026, 4, 10), due_date=dt.date(2026, 4, 30))
    with acting_as(job="late_charges"):
        charge = LateCharge.objects.create(
            invoice=late, kind=LateCharge.Kind.LATE_FEE, period_start=dt.date(2026, 2, 1),
            period_end=dt.date(2026, 2, 28), days=28, base_won=1_100_000, amount_won=15_189, formula="test",
        )
    lines = [LineDraft(InvoiceLine.Kind.BASE_FEE, "이용료", 300_000), *late_charge_line_drafts([charge])]
    with acting_as(job="invoices"):
        assert bill_on_invoice(invoice=nxt, lines=lines) == 15_189
    history = list(charge.history.order_by("history_id").values_list("history_actor", "billed_on_invoice_id"))
    assert history == [("job:late_charges", None), ("job:invoices", nxt.pk)]


def test_a_service_called_without_a_person_keeps_the_job_as_actor():
    """Audit: ``acting_as(None)`` inside a job (seeding, a command) keeps the job's label instead of
    "anonymous"; outside any block it is "system"."""
    with acting_as(job="seed_demo"), acting_as(None) as inner:
        assert inner.label == "job:seed_demo"
    with acting_as(None) as outside:
        assert outside.label == "system"
    assert current_actor().label == "system"
