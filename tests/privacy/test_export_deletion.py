"""DAT-1 export, DAT-4 deletion on request, ACC-10 dormant data purge."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest

from accounts.models import Customer, DormantMemberData, Member
from accounts.services import member_make_dormant
from core.errors import DomainError
from privacy.models import DestructionRecord, ExportRequest, RetainedRecord
from privacy.services.deletion import deletion_confirm, deletion_request
from privacy.services.export import export_build, export_request
from privacy.services.purge import purge_data
from privacy.services.retention import CONTRACT_RECORD_TABLES, DISPUTE_RECORD_TABLES
from tests.billing.conftest import make_contract
from tests.factories import MemberFactory

from .conftest import ENDED, ended_customer, rows_per_table

pytestmark = pytest.mark.django_db


def _admin(customer: Customer) -> Member:
    return customer.members.get(role=Member.Role.ADMIN)


def test_export_zip_holds_csv_and_json_of_every_section(presets, django_capture_on_commit_callbacks):
    """DAT-1: a ZIP with members, contracts, invoices, payments, messages, incidents and consents."""
    customer = ended_customer("officecore")
    with django_capture_on_commit_callbacks(execute=False):
        request = export_request(member=_admin(customer), today=ENDED)
    assert request.status == ExportRequest.Status.QUEUED
    built = export_build(request_id=request.pk)
    assert built.status == ExportRequest.Status.READY and built.progress == 100
    with zipfile.ZipFile(io.BytesIO(built.file.read())) as archive:
        names = set(archive.namelist())
        for section in ("members", "contracts", "invoices", "payments", "messages", "incidents", "consents"):
            assert {f"{section}.csv", f"{section}.json"} <= names
        members = json.loads(archive.read("members.json"))
        payments = json.loads(archive.read("payments.json"))
    assert sorted(m["login_id"] for m in members) == sorted(
        customer.members.values_list("login_id", flat=True)
    )
    assert [p["amount_won"] for p in payments] == [110_000]
    assert all("password" not in row for row in members)


def test_export_only_for_the_customers_admin(presets):
    """DAT-1: an ordinary member cannot export."""
    customer = ended_customer("flow")
    plain = customer.members.exclude(role=Member.Role.ADMIN).first()
    with pytest.raises(DomainError) as refused:
        export_request(member=plain, today=ENDED)
    assert refused.value.code == "not_customer_admin"


def test_deletion_on_request_after_confirmation(presets):
    """DAT-4: asked, export offered, the name typed again; then every table is emptied at once, the records
    kept apart keep their periods and a destruction record names the request."""
    customer = ended_customer("officecore")
    admin = _admin(customer)
    request = deletion_request(member=admin, today=ENDED)
    assert request.export_offered
    with pytest.raises(DomainError) as wrong:
        deletion_confirm(request=request, member=admin, confirmation="다른 이름", today=ENDED)
    assert wrong.value.code == "deletion_confirmation"
    assert rows_per_table(customer.pk)["billing.Payment"] == 1
    assert deletion_confirm(request=request, member=admin, confirmation=customer.legal_name, today=ENDED)
    left = {t: n for t, n in rows_per_table(customer.pk).items() if n and t != "accounts.PersonalDataAccess"}
    kept = RetainedRecord.objects.filter(customer_ref=customer.pk).exclude(tables={})
    assert left == {t: len(ids) for r in kept for t, ids in r.tables.items()}
    assert set(left) <= set(CONTRACT_RECORD_TABLES) | set(DISPUTE_RECORD_TABLES)
    record = DestructionRecord.objects.get(kind=DestructionRecord.Kind.CUSTOMER_DATA)
    assert record.rule == "DAT-4" and record.job == "deletion_request"
    assert RetainedRecord.objects.get(customer_ref=customer.pk, kind=RetainedRecord.Kind.CONTRACT_RECORDS)


def test_deletion_refused_while_a_contract_is_live(presets):
    """DAT-4: the contract must end first."""
    contract = make_contract("flow-business-monthly", start=dt.date(2026, 1, 5))
    with pytest.raises(DomainError) as refused:
        deletion_request(member=_admin(contract.customer), today=dt.date(2026, 2, 1))
    assert refused.value.code == "contract_still_live"


def test_dormant_members_separated_data_purged_after_its_period(presets):
    """ACC-10, DAT-5: the separated data goes ``dormancy_days`` after dormancy, with a destruction record."""
    contract = make_contract("flow-business-monthly", start=dt.date(2026, 1, 5))
    member = MemberFactory(customer=contract.customer)
    dormant_on = dt.date(2026, 2, 1)
    member_make_dormant(member=member, today=dormant_on)
    due = dormant_on + dt.timedelta(days=contract.policy.dormancy_days)
    purge_data(today=due - dt.timedelta(days=1))
    assert DormantMemberData.objects.filter(member=member).exists()
    purge_data(today=due)
    assert not DormantMemberData.objects.filter(member=member).exists()
    member.refresh_from_db()
    assert member.status == Member.Status.REMOVED and member.login_id == f"purged-{member.pk}"
    record = DestructionRecord.objects.get(kind=DestructionRecord.Kind.DORMANT_DATA)
    assert record.rows["accounts.DormantMemberData"] == 1 and record.rule == "ACC-10"


def test_reminded_to_export_once_before_the_contract_ends(presets):
    """DAT-1: once a contract's end is scheduled, the customer is reminded (once) to download its data."""
    from contracts.models import Contract, ContractStatus
    from messaging.models import Notice

    contract = make_contract("officecore-standard-monthly", start=dt.date(2026, 1, 5))
    Contract.objects.filter(pk=contract.pk).update(
        status=ContractStatus.TERMINATING, termination_effective_on=dt.date(2026, 3, 31)
    )
    assert purge_data(today=dt.date(2026, 3, 1))["export_reminders"] == 1
    assert purge_data(today=dt.date(2026, 3, 2))["export_reminders"] == 0
    notices = Notice.objects.filter(customer=contract.customer, event="privacy.export_reminder")
    assert notices.exists()
    assert all("2026-03-31" in n.body and "내려받" in n.body for n in notices if n.language == "ko")
