"""The purge job per preset: nothing before each retention boundary, exactly the right data after it."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection

from accounts.models import Customer
from billing.models import Dispute, Payment
from contracts.models import TermsConsent
from core.calendar import add_months
from privacy.models import DestructionRecord, RetainedRecord
from privacy.services.purge import purge_data, purge_plan
from privacy.services.retention import KEPT_TABLES, customer_schedule

from .conftest import DISPUTE_REASON, ENDED, PAYER, D, ended_customer, rows_per_table

pytestmark = pytest.mark.django_db

#: SPEC DAT-2 (months after the contract ended): data, login IDs.
DATA_MONTHS = {"officecore": 6, "flow": 0, "dcloud": 0, "kgmsg": 0, "damoa": 1}
LOGIN_ID_MONTHS = {"damoa": 3}


def _day_before(day):  # type: ignore[no-untyped-def]
    return day - __import__("datetime").timedelta(days=1)


#: DAT-3: the tables kept in place after the purge of ``ended_customer`` and their rows.
KEPT_IN_PLACE = {
    "contracts.Contract": 1,
    "contracts.ContractPeriod": 1,
    "billing.Invoice": 1,
    "billing.Payment": 1,
    "billing.LedgerEntry": 2,
    "billing.Dispute": 1,
}


@pytest.mark.parametrize("preset", list(DATA_MONTHS))
def test_live_data_kept_until_the_boundary_then_destroyed_in_every_table(presets, preset):
    """DAT-2, DAT-3: before the policy's boundary nothing is gone; on it every table holding the customer's
    data is empty (bar the staff access log) except the law's records, which stay in their own tables,
    anonymised, listed by a kept record per kind."""
    customer = ended_customer(preset)
    bystander = ended_customer(preset, ended=D(2026, 12, 31))
    boundary = add_months(ENDED, DATA_MONTHS[preset])
    assert customer_schedule(customer.pk).data_on == boundary
    before = rows_per_table(customer.pk)
    others = rows_per_table(bystander.pk)
    assert (
        before["billing.Payment"] == 1
        and before["messaging.Recipient"] == 1
        and before["accounts.Member"] >= 2
    )

    if boundary > ENDED:
        purge_data(today=_day_before(boundary))
        assert rows_per_table(customer.pk) == before
        assert not DestructionRecord.objects.exists()

    counts = purge_data(today=boundary)
    assert counts["customers_purged"] == 1
    after = rows_per_table(customer.pk)
    left = {table: n for table, n in after.items() if n and table not in KEPT_TABLES}
    consents = before["contracts.TermsConsent"]
    expected = {**KEPT_IN_PLACE, **({"contracts.TermsConsent": consents} if consents else {})}
    assert left == expected
    assert rows_per_table(bystander.pk) == others
    customer.refresh_from_db()
    assert customer.status == Customer.Status.PURGED and customer.legal_name == "파기된 고객"
    kept = {r.kind: r for r in RetainedRecord.objects.filter(customer_ref=customer.pk)}
    contract_ids = kept[RetainedRecord.Kind.CONTRACT_RECORDS].tables
    assert contract_ids["billing.Payment"] == [Payment.objects.get(customer=customer).pk]
    assert kept[RetainedRecord.Kind.DISPUTE_RECORDS].tables["billing.Dispute"] == [
        Dispute.objects.get(customer=customer).pk
    ]
    assert RetainedRecord.Kind.IDENTITY in kept
    assert (RetainedRecord.Kind.LOGIN_IDS in kept) == (preset in LOGIN_ID_MONTHS)


def test_kept_records_are_anonymised_in_place(presets):
    """DAT-3: the payer's name, the dispute's text and its member, the consent's member and IP are gone
    from the rows that stay; amounts, dates and numbers are unchanged."""
    customer = ended_customer("flow")
    payment = Payment.objects.get(customer=customer)
    dispute = Dispute.objects.get(customer=customer)
    assert payment.payer_name == PAYER and dispute.reason == DISPUTE_REASON and dispute.filed_by_id
    purge_data(today=ENDED)
    payment.refresh_from_db()
    dispute.refresh_from_db()
    assert payment.payer_name == "" and payment.amount_won == 110_000
    assert payment.received_on == D(2026, 2, 10)
    assert dispute.reason == "" and dispute.filed_by_id is None and dispute.amount_won == 1_000
    assert not TermsConsent.objects.filter(customer=customer).exclude(member=None).exists()
    assert not TermsConsent.objects.filter(customer=customer).exclude(ip_address=None).exists()
    dumped = json.dumps(
        [list(m._base_manager.filter(customer=customer).values()) for m in (Payment, Dispute)],
        default=str,
        ensure_ascii=False,
    )
    assert PAYER not in dumped and "김민수" not in dumped


def test_damoa_login_ids_outlive_the_data_by_their_own_period(presets):
    """DAT-2: damoa data after 1 month, login IDs after 3 months (004 art.23-1)."""
    customer = ended_customer("damoa")
    purge_data(today=add_months(ENDED, 1))
    login_ids = RetainedRecord.objects.get(customer_ref=customer.pk, kind=RetainedRecord.Kind.LOGIN_IDS)
    assert login_ids.destroy_on == add_months(ENDED, 3)
    purge_data(today=_day_before(add_months(ENDED, 3)))
    assert RetainedRecord.objects.filter(pk=login_ids.pk).exists()
    purge_data(today=add_months(ENDED, 3))
    assert not RetainedRecord.objects.filter(pk=login_ids.pk).exists()
    assert (
        DestructionRecord.objects.filter(
            kind=DestructionRecord.Kind.LOGIN_IDS, customer_ref=customer.pk
        ).count()
        == 1
    )


@pytest.mark.parametrize("preset", list(DATA_MONTHS))
def test_payment_and_dispute_records_survive_until_their_own_period(presets, preset):
    """DAT-3: identity 12 months, disputes 3 years, contract and payment records 5 years, each kept in
    place until the day before its date and deleted for real on it, with a destruction record."""
    customer = ended_customer(preset)
    purge_data(today=add_months(ENDED, DATA_MONTHS[preset]))
    assert Payment.objects.filter(customer=customer).count() == 1
    periods = {
        RetainedRecord.Kind.IDENTITY: (add_months(ENDED, 12), {}),
        RetainedRecord.Kind.DISPUTE_RECORDS: (add_months(ENDED, 36), {"billing.Dispute": 1}),
        RetainedRecord.Kind.CONTRACT_RECORDS: (add_months(ENDED, 60), {"billing.Payment": 1}),
    }
    for kind, (day, tables) in periods.items():
        record = RetainedRecord.objects.get(customer_ref=customer.pk, kind=kind)
        assert record.destroy_on == day
        purge_data(today=_day_before(day))
        assert RetainedRecord.objects.filter(pk=record.pk).exists()
        assert all(rows_per_table(customer.pk)[table] == n for table, n in tables.items())
        purge_data(today=day)
        assert not RetainedRecord.objects.filter(pk=record.pk).exists()
        assert all(rows_per_table(customer.pk)[table] == 0 for table in tables)
        destroyed = DestructionRecord.objects.get(kind=kind, customer_ref=customer.pk)
        assert all(destroyed.rows[table] == n for table, n in tables.items())
    assert not RetainedRecord.objects.filter(customer_ref=customer.pk).exists()
    left = {t: n for t, n in rows_per_table(customer.pk).items() if n and t not in KEPT_TABLES}
    assert left == {}


def test_destruction_records_hold_counts_and_no_personal_data(presets):
    """DAT-5: one destruction record per purge: what, rows per table, when, which job; no personal data."""
    customer = ended_customer("flow")
    members = list(customer.members.select_related("user"))
    secrets = [customer.legal_name, customer.business_number, customer.billing_email, "01098765432", PAYER]
    secrets += [m.login_id for m in members] + [m.email for m in members] + [m.name for m in members]
    purge_data(today=ENDED)
    record = DestructionRecord.objects.get(kind=DestructionRecord.Kind.CUSTOMER_DATA)
    assert record.job == "purge_data" and record.on_date == ENDED and record.user is None
    assert record.rows["billing.Payment(anonymised)"] == 1 and record.rows["accounts.Member"] == len(members)
    assert record.method == "delete_anonymise"
    assert record.rows["messaging.Recipient"] == 1 and record.rows["accounts.HistoricalCustomer"] >= 1
    assert record.total_rows == sum(record.rows.values())
    dumped = json.dumps([r.rows for r in DestructionRecord.objects.all()], ensure_ascii=False)
    dumped += " ".join(str(getattr(record, f.attname)) for f in DestructionRecord._meta.concrete_fields)
    for secret in secrets:
        assert secret and secret not in dumped


def test_run_twice_does_the_work_once(presets):
    """DAT-5: a second run for the same date destroys nothing and writes no second record."""
    ended_customer("dcloud")
    first = purge_data(today=ENDED)
    second = purge_data(today=ENDED)
    assert first["customers_purged"] == 1
    assert second.get("customers_purged", 0) == 0
    assert DestructionRecord.objects.filter(kind=DestructionRecord.Kind.CUSTOMER_DATA).count() == 1


def test_dry_run_lists_what_would_go_and_changes_nothing(presets):
    """DAT-2: the preview lists each due customer with its rows per table and writes nothing."""
    customer = ended_customer("kgmsg")
    before = rows_per_table(customer.pk)
    plan = purge_plan(today=ENDED)
    assert [(p.kind, p.customer_ref) for p in plan] == [(DestructionRecord.Kind.CUSTOMER_DATA, customer.pk)]
    assert plan[0].rows["messaging.Recipient"] == 1 and "billing.Payment" not in plan[0].rows
    assert plan[0].kept["billing.Payment"] == 1 and plan[0].hold is None
    assert rows_per_table(customer.pk) == before
    assert not DestructionRecord.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_purge_once():
    """DAT-5: two concurrent runs (threads released together) purge the customer once, one record."""
    from contracts.presets import load_presets

    load_presets()
    customer = ended_customer("flow")
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            purge_data(today=ENDED)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert (
        DestructionRecord.objects.filter(
            kind=DestructionRecord.Kind.CUSTOMER_DATA, customer_ref=customer.pk
        ).count()
        == 1
    )
    assert (
        RetainedRecord.objects.filter(customer_ref=customer.pk, kind=RetainedRecord.Kind.IDENTITY).count()
        == 1
    )


def test_registered_daily_job_runs_the_purge(presets):
    """DAT-2: ``purge_data`` is one of the daily jobs; run through the runner it purges and counts."""
    from core import jobs

    customer = ended_customer("dcloud")
    outcome = jobs.run_job("purge_data", ENDED)
    assert outcome.ran and outcome.counts["customers_purged"] == 1
    assert DestructionRecord.objects.get(customer_ref=customer.pk).job == "purge_data"


def test_live_customers_message_records_purged_after_their_period(presets):
    """MSG-9: a live kgmsg customer's delivered messages older than ``message_records_retention_months``
    go; newer ones stay."""
    import datetime as dt

    from django.utils import timezone

    from messaging.models import Message
    from tests.billing.conftest import make_contract

    contract = make_contract("kgmsg-standard", start=D(2026, 1, 5))
    months = contract.policy.message_records_retention_months
    today = D(2027, 6, 1)
    old = Message.objects.create(
        customer=contract.customer, kind="sms", sender="0212345678", text="a", status=Message.Status.DELIVERED
    )
    new = Message.objects.create(
        customer=contract.customer, kind="sms", sender="0212345678", text="b", status=Message.Status.DELIVERED
    )
    cut = timezone.make_aware(dt.datetime.combine(add_months(today, -months), dt.time()))
    Message.objects.filter(pk=old.pk).update(created_at=cut - dt.timedelta(days=1))
    Message.objects.filter(pk=new.pk).update(created_at=cut + dt.timedelta(days=1))
    assert purge_data(today=today)["messages_purged"] == 1
    assert list(Message.objects.filter(customer=contract.customer).values_list("pk", flat=True)) == [new.pk]


def test_command_dry_run_lists_and_keeps_then_run_destroys(presets):
    """DAT-2, DAT-5: ``purge_data --dry-run`` lists the customer and destroys nothing; without it, purges."""
    from io import StringIO

    from django.core.management import call_command

    customer = ended_customer("dcloud")
    out = StringIO()
    call_command("purge_data", "--date", ENDED.isoformat(), "--dry-run", stdout=out)
    line = out.getvalue().splitlines()[0]
    assert f"customer={customer.pk}" in line and "billing.Payment=1" in line.split("; kept: ")[1]
    assert not DestructionRecord.objects.exists()
    call_command("purge_data", "--date", ENDED.isoformat(), stdout=StringIO())
    assert DestructionRecord.objects.filter(customer_ref=customer.pk).count() == 1


def test_a_table_without_an_erasure_rule_stops_the_purge(presets, monkeypatch):
    """DAT-3: if any table still holds the customer's rows after every app's erasure (a new table nobody
    erases), the purge refuses and rolls back: nothing is half destroyed, no record is written."""
    from billing.models import PayerAlias
    from billing.services import erasure
    from core.errors import DomainError

    customer = ended_customer("flow")
    PayerAlias.objects.create(customer=customer, name="홍길동")
    before = rows_per_table(customer.pk)
    monkeypatch.setattr(erasure, "TABLES", tuple(t for t in erasure.TABLES if t is not PayerAlias))
    with pytest.raises(DomainError) as refused:
        purge_data(today=ENDED)
    assert refused.value.code == "purge_incomplete" and "billing.PayerAlias" in refused.value.message
    assert rows_per_table(customer.pk) == before
    assert not DestructionRecord.objects.exists() and not RetainedRecord.objects.exists()


def test_on_by_default_and_the_kill_switch_only_counts(presets, settings):
    """DAT-2: the purge runs by default; with ``PRIVACY_PURGE_ENABLED`` off the job counts what is due and
    destroys nothing."""
    from django.conf import settings as live_settings

    from config.settings import base
    from privacy import jobs

    assert base.PRIVACY_PURGE_ENABLED is True and live_settings.PRIVACY_PURGE_ENABLED is True
    customer = ended_customer("flow")
    before = rows_per_table(customer.pk)
    settings.PRIVACY_PURGE_ENABLED = False
    assert jobs.purge_data(today=ENDED) == {"due": 1, "purge_disabled": 1}
    assert rows_per_table(customer.pk) == before and not DestructionRecord.objects.exists()
    settings.PRIVACY_PURGE_ENABLED = True
    assert jobs.purge_data(today=ENDED)["customers_purged"] == 1
