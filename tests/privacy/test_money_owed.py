"""The purge and money still owed (DAT-2, DAT-3, DAT-4): members and content go on the policy's day, the
contract and billing records wait until everything is settled; reports and ledgers are unchanged."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from accounts.models import Customer, Member
from billing.models import Dispute, Invoice, LedgerEntry, Payment
from billing.services.payments import payment_record
from core import clock
from core.errors import DomainError
from messaging.models import Notice
from privacy.models import DestructionRecord, RetainedRecord
from privacy.services.deletion import deletion_confirm, deletion_request
from privacy.services.purge import purge_data, purge_plan

from .conftest import ENDED, D, ended_customer, owe_final_settlement, rows_per_table

pytestmark = pytest.mark.django_db

#: What stays live while money is owed (DAT-3): the contract, billing and SLA money rows.
MONEY_TABLES = (
    "contracts.Contract",
    "contracts.ContractPeriod",
    "billing.Invoice",
    "billing.Payment",
    "billing.LedgerEntry",
    "billing.Dispute",
)


def _admin(customer: Customer) -> Member:
    return customer.members.select_related("user").get(role=Member.Role.ADMIN)


@pytest.mark.parametrize("preset", ["dcloud", "flow"])
def test_money_owed_keeps_billing_records_until_paid_then_they_go_on_the_next_run(presets, preset):
    """DAT-2, DAT-3: a dcloud/flow customer whose final settlement (330,000 won) is unpaid on the
    termination day: members, messages, recipients and incidents go that day; every contract and billing
    row stays live and unchanged, the customer row keeps its name; nothing more happens while it owes;
    the run after it pays keeps the records in place, anonymised, and tombstones the customer."""
    customer = ended_customer(preset)
    final = owe_final_settlement(customer)
    before = rows_per_table(customer.pk)
    assert before["billing.Invoice"] == 2 and before["accounts.Member"] == 2

    counts = purge_data(today=ENDED)
    assert counts["customers_held"] == 1 and "customers_purged" not in counts
    after = rows_per_table(customer.pk)
    for table in ("accounts.Member", "messaging.Message", "messaging.Recipient", "sla.Incident"):
        assert after[table] == 0, table
    for table in MONEY_TABLES:
        assert after[table] == before[table], table
    customer.refresh_from_db()
    assert customer.status != Customer.Status.PURGED and customer.legal_name != "파기된 고객"
    assert Dispute.objects.get(customer=customer).filed_by_id is None
    record = DestructionRecord.objects.get(customer_ref=customer.pk)
    assert record.kind == DestructionRecord.Kind.CUSTOMER_DATA and record.rows["accounts.Member"] == 2
    assert "billing.Invoice" not in record.rows and not RetainedRecord.objects.exists()

    plan = purge_plan(today=ENDED + dt.timedelta(days=1))
    assert [(p.customer_ref, p.hold.money.open_won) for p in plan if p.hold] == [(customer.pk, 330_000)]
    assert plan[0].held == ["미수금 330,000원 (청구서 1건)"]
    again = purge_data(today=ENDED + dt.timedelta(days=1))
    assert "customers_held" not in again and "customers_purged" not in again
    assert DestructionRecord.objects.filter(customer_ref=customer.pk).count() == 1
    assert rows_per_table(customer.pk)["billing.Invoice"] == 2

    paid_on = D(2026, 5, 2)
    payment_record(
        customer=customer,
        invoice=final,
        method=Payment.Method.BANK_TRANSFER,
        amount_won=330_000,
        received_on=paid_on,
        today=paid_on,
    )
    counts = purge_data(today=paid_on + dt.timedelta(days=1))
    assert counts["customers_purged"] == 1
    customer.refresh_from_db()
    assert customer.status == Customer.Status.PURGED
    kept = RetainedRecord.objects.get(customer_ref=customer.pk, kind=RetainedRecord.Kind.CONTRACT_RECORDS)
    assert sorted(kept.tables["billing.Invoice"]) == sorted(
        Invoice.objects.filter(customer=customer).values_list("pk", flat=True)
    )
    assert kept.rows["billing.Payment"] == 2 and kept.destroy_on == D(2031, 3, 31)
    assert DestructionRecord.objects.filter(customer_ref=customer.pk).count() == 2


def test_open_dispute_holds_the_records_and_the_calendar_says_why(presets, admin_client):
    """DAT-3: an open dispute is money not yet settled: the calendar (staff) shows the reason and amount,
    the dry run lists no billing row."""
    customer = ended_customer("kgmsg")
    Dispute.objects.filter(customer=customer).update(status=Dispute.Status.OPEN, answered_on=None)
    with clock.frozen(ENDED):
        page = admin_client.get(reverse("admin:privacy_retention_calendar")).content.decode()
    assert "처리 중인 이의신청 1건 (1,000원)" in page
    (item,) = purge_plan(today=ENDED)
    assert item.held == ["처리 중인 이의신청 1건 (1,000원)"]
    assert not any(table.startswith(("billing.", "contracts.Contract")) for table in item.rows)
    assert item.rows["accounts.Member"] == 2


def test_portal_says_in_plain_korean_that_records_wait_for_payment(presets):
    """DAT-3: the customer's 'what is kept' page says the records wait for the unpaid amount, no codes."""
    customer = ended_customer("dcloud")
    owe_final_settlement(customer)
    client = Client()
    client.force_login(_admin(customer).user)
    body = client.get(reverse("portal:privacy_home")).content.decode()
    assert "아직 내지 않은 요금 330,000원이 있습니다." in body
    assert "끝날 때까지 계약과 결제 기록은 그대로 보관" in body
    assert "DAT-" not in body


def test_deletion_on_request_refused_while_money_is_owed(presets):
    """DAT-4: asked and confirmed, but money is owed: refused with a clear message, nothing changed; once
    paid the same confirmation deletes."""
    customer = ended_customer("officecore")
    admin = _admin(customer)
    request = deletion_request(member=admin, today=ENDED)
    final = owe_final_settlement(customer)
    before = rows_per_table(customer.pk)
    with pytest.raises(DomainError) as refused:
        deletion_confirm(request=request, member=admin, confirmation=customer.legal_name, today=ENDED)
    assert refused.value.code == "money_owed" and refused.value.rule == "DAT-4"
    assert "정산을 마친 뒤" in str(refused.value.message)
    assert rows_per_table(customer.pk) == before and not DestructionRecord.objects.exists()
    with pytest.raises(DomainError):
        deletion_request(member=admin, today=ENDED)
    payment_record(
        customer=customer,
        invoice=final,
        method=Payment.Method.BANK_TRANSFER,
        amount_won=330_000,
        received_on=ENDED,
        today=ENDED,
    )
    assert deletion_confirm(request=request, member=admin, confirmation=customer.legal_name, today=ENDED)
    assert DestructionRecord.objects.get(kind=DestructionRecord.Kind.CUSTOMER_DATA).rule == "DAT-4"


def test_revenue_and_ledger_sums_of_past_months_unchanged_by_the_purge(presets):
    """DAT-3: invoiced revenue per month, payments and the ledger read the same after a purge and after a
    held purge (reports and ledgers unchanged)."""
    done = ended_customer("flow")
    owing = ended_customer("dcloud")
    owe_final_settlement(owing)

    def figures() -> tuple[list, list, int, int]:
        revenue = list(
            Invoice.objects.values("period_start").annotate(total=Sum("total_won")).order_by("period_start")
        )
        ledger = list(LedgerEntry.objects.values("kind").annotate(total=Sum("amount_won")).order_by("kind"))
        paid = Payment.objects.aggregate(total=Sum("amount_won"))["total"]
        return revenue, ledger, paid, Invoice.objects.count()

    before = figures()
    assert before[2] == 220_000 and before[3] == 3
    counts = purge_data(today=ENDED)
    assert counts["customers_purged"] == 1 and counts["customers_held"] == 1
    assert figures() == before
    assert Customer.objects.get(pk=done.pk).status == Customer.Status.PURGED


def test_export_reminder_links_the_export_page(presets, settings):
    """DAT-1: the reminder before the contract ends gives the portal's export page link."""
    from contracts.models import Contract, ContractStatus
    from tests.billing.conftest import make_contract

    settings.PORTAL_BASE_URL = "https://portal.example.com"
    contract = make_contract("damoa-standard", start=D(2026, 1, 5))
    Contract.objects.filter(pk=contract.pk).update(
        status=ContractStatus.TERMINATING, termination_effective_on=D(2026, 3, 31)
    )
    purge_data(today=D(2026, 3, 1))
    link = "https://portal.example.com" + reverse("portal:privacy_home")
    notices = Notice.objects.filter(customer=contract.customer, event="privacy.export_reminder")
    assert notices.exists() and all(link in n.body for n in notices)


def _run_together(day: dt.date) -> list[BaseException]:
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            purge_data(today=day)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_two_workers_hold_purge_and_destroy_kept_records_once():
    """DAT-3, DAT-5: two concurrent runs (threads released together): the owing customer is held once, the
    settled one purged once; on the kept records' dates two concurrent runs delete each kind once."""
    from contracts.presets import load_presets

    load_presets()
    owing = ended_customer("dcloud")
    owe_final_settlement(owing)
    settled = ended_customer("flow")
    assert _run_together(ENDED) == []
    per_customer = {
        c.pk: DestructionRecord.objects.filter(customer_ref=c.pk, kind=DestructionRecord.Kind.CUSTOMER_DATA)
        for c in (owing, settled)
    }
    assert per_customer[owing.pk].count() == 1 and per_customer[settled.pk].count() == 1
    assert per_customer[settled.pk].get().method == "delete_anonymise"
    assert not RetainedRecord.objects.filter(customer_ref=owing.pk).exists()
    assert rows_per_table(owing.pk)["billing.Invoice"] == 2

    assert _run_together(D(2031, 3, 31)) == []
    for kind in (RetainedRecord.Kind.DISPUTE_RECORDS, RetainedRecord.Kind.CONTRACT_RECORDS):
        assert DestructionRecord.objects.filter(customer_ref=settled.pk, kind=kind).count() == 1
    assert rows_per_table(settled.pk)["billing.Payment"] == 0
    assert not RetainedRecord.objects.filter(customer_ref=settled.pk).exists()


def test_termination_notice_links_the_export_page(presets, settings, django_capture_on_commit_callbacks):
    """DAT-1: the notice that a termination is scheduled asks for a download and gives the export page."""
    from contracts.services.lifecycle import notify_contract
    from tests.billing.conftest import make_contract

    settings.PORTAL_BASE_URL = "https://portal.example.com/"
    contract = make_contract("officecore-standard-monthly", start=D(2026, 1, 5))
    with django_capture_on_commit_callbacks(execute=True):
        notify_contract(contract, "contract.terminating", today=D(2026, 3, 1), dedupe_key="t:1")
    link = "https://portal.example.com" + reverse("portal:privacy_home")
    notices = Notice.objects.filter(customer=contract.customer, event="contract.terminating")
    assert notices.exists() and all(link in n.body for n in notices)


def test_portal_deletion_request_refused_in_plain_korean_while_owed(presets):
    """DAT-4: in the portal, asking for deletion while money is owed shows why, without codes."""
    customer = ended_customer("flow")
    owe_final_settlement(customer)
    client = Client()
    client.force_login(_admin(customer).user)
    url = reverse("portal:privacy_delete")
    page = client.post(url, {"action": "request"}, follow=True).content.decode()
    assert "정산을 마친 뒤 다시 요청해 주세요" in page and "DAT-" not in page and "money_owed" not in page
    assert rows_per_table(customer.pk)["accounts.Member"] == 2
