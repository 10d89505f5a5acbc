"""Every declared lifecycle: an allowed move is saved and logged (who, when, why); an illegal one is
refused naming the machine's rule and changes nothing (ACC-1, ACC-8, ACC-9, ACC-10, MSG-6, TRM-1,
BIL-7, BIL-10, BIL-11, BIL-18, DUN-1; CON-1 is in tests/contracts/test_lifecycle_log.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.base import ContentFile

from accounts.lifecycles import CHANGE_REQUEST, CUSTOMER, MEMBER
from accounts.models import Customer, CustomerChangeRequest, Member, SuccessionRequest
from billing.lifecycles import BANK_TRANSACTION, DISPUTE, DUNNING_CASE, INVOICE, PAYMENT, REFUND, TAX_INVOICE
from billing.models import (
    BankStatementImport,
    BankTransaction,
    Dispute,
    DunningCase,
    Invoice,
    Payment,
    Refund,
    TaxInvoice,
)
from contracts.lifecycle import POLICY, SUCCESSION
from contracts.models import Policy
from core import clock
from core.audit import acting_as
from core.errors import DomainError
from core.models import StatusTransition
from core.transitions import StateMachine, history, transition, transition_many
from messaging.lifecycles import NOTICE
from messaging.models import Channel, Notice
from tests.billing.payment_factories import make_invoice
from tests.contracts.factories import PolicyFactory
from tests.factories import CustomerFactory, MemberFactory, StaffUserFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 6)


def _change_request() -> CustomerChangeRequest:
    request = CustomerChangeRequest(
        customer=CustomerFactory(),
        changes={"legal_name": "주식회사 새이름"},
        requested_on=TODAY,
        document_name="사업자등록증.pdf",
        document_sha256="0" * 64,
    )
    request.document.save("doc.pdf", ContentFile(b"%PDF-1.4"), save=False)
    request.save()
    return request


def _succession() -> SuccessionRequest:
    return SuccessionRequest.objects.create(
        predecessor=CustomerFactory(),
        kind=SuccessionRequest.Kind.MERGER,
        event_date=TODAY,
        filed_on=TODAY,
        deadline=TODAY + dt.timedelta(days=30),
    )


def _notice() -> Notice:
    return Notice.objects.create(
        customer=CustomerFactory(),
        channel=Channel.EMAIL,
        event="test.event",
        recipient="a@example.com",
        subject="제목",
        body="본문",
    )


def _invoice() -> Invoice:
    return make_invoice(CustomerFactory(), 110_000)


def _payment() -> Payment:
    return Payment.objects.create(
        customer=CustomerFactory(),
        method=Payment.Method.CARD,
        amount_won=110_000,
        received_on=TODAY,
        status=Payment.Status.PENDING,
    )


def _bank_transaction() -> BankTransaction:
    statement = BankStatementImport.objects.create(file_name="statement.csv", sha256="1" * 64)
    return BankTransaction.objects.create(
        statement=statement, line_no=1, transacted_on=TODAY, payer_name="테스트", amount_won=110_000,
        processed_at=clock.now(),  # automatic matching looked at it (staff act only after that)
    )


def _tax_invoice() -> TaxInvoice:
    invoice = _invoice()
    return TaxInvoice.objects.create(
        invoice=invoice,
        supplier_business_number="1234567890",
        supplier_name="공급자",
        supplier_representative="대표",
        buyer_name=invoice.customer.legal_name,
        written_on=TODAY,
        issue_by=TODAY + dt.timedelta(days=10),
        supply_won=invoice.supply_won,
        vat_won=invoice.vat_won,
        total_won=invoice.total_won,
        item_name="서비스 이용료",
    )


def _dunning_case() -> DunningCase:
    invoice = _invoice()
    return DunningCase.objects.create(invoice=invoice, customer=invoice.customer, opened_on=TODAY)


def _dispute() -> Dispute:
    invoice = _invoice()
    return Dispute.objects.create(
        invoice=invoice,
        customer=invoice.customer,
        amount_won=10_000,
        reason="과다 청구",
        filed_on=TODAY,
        answer_due_on=TODAY + dt.timedelta(days=7),
    )


def _refund() -> Refund:
    return Refund.objects.create(
        customer=CustomerFactory(), amount_won=10_000, reason="과오납", requested_on=TODAY
    )


# (machine, build an object in a start state, an allowed move, an illegal move from the new state)
CASES: list[tuple[StateMachine, Callable[[], Any], str, str]] = [
    (CUSTOMER, CustomerFactory, Customer.Status.DORMANT, Customer.Status.PURGED),
    (MEMBER, MemberFactory, Member.Status.REMOVED, Member.Status.ACTIVE),
    (
        CHANGE_REQUEST,
        _change_request,
        CustomerChangeRequest.Status.REJECTED,
        CustomerChangeRequest.Status.APPROVED,
    ),
    (SUCCESSION, _succession, SuccessionRequest.Status.APPROVED, SuccessionRequest.Status.REJECTED),
    (NOTICE, _notice, Notice.Status.FAILED, Notice.Status.SENT),
    (POLICY, lambda: PolicyFactory(effective_from=TODAY), Policy.Status.PUBLISHED, Policy.Status.DRAFT),
    (INVOICE, _invoice, Invoice.Status.PAID, Invoice.Status.VOID),
    (PAYMENT, _payment, Payment.Status.SUCCEEDED, Payment.Status.FAILED),
    (BANK_TRANSACTION, _bank_transaction, BankTransaction.Status.IGNORED, BankTransaction.Status.MATCHED),
    (TAX_INVOICE, _tax_invoice, TaxInvoice.Status.EXPORTED, TaxInvoice.Status.READY),
    (DUNNING_CASE, _dunning_case, DunningCase.Status.PAUSED, DunningCase.Status.CLOSED),
    (DISPUTE, _dispute, Dispute.Status.WITHDRAWN, Dispute.Status.UPHELD),
    (REFUND, _refund, Refund.Status.CANCELLED, Refund.Status.PAID),
]
IDS = [case[0].name for case in CASES]


@pytest.mark.parametrize(("machine", "build", "allowed", "illegal"), CASES, ids=IDS)
def test_allowed_move_is_saved_and_logged_with_who_when_why(
    machine: StateMachine, build: Callable[[], Any], allowed: str, illegal: str
) -> None:
    """ACC-1, ACC-8..10, MSG-6, TRM-1, BIL-7, BIL-10, BIL-11, BIL-18, DUN-1: the move is logged."""
    obj = build()
    start = obj.status
    staff = StaffUserFactory()
    with acting_as(staff):
        row = transition(obj, machine, allowed, today=TODAY, reason="사유 메모")
    obj.refresh_from_db()
    assert obj.status == allowed
    assert (row.machine, row.from_status, row.to_status) == (machine.name, start, allowed)
    assert (row.actor, row.user, row.on_date, row.reason) == (
        f"user:{staff.username}",
        staff,
        TODAY,
        "사유 메모",
    )
    assert list(history(obj)) == [row]


@pytest.mark.parametrize(("machine", "build", "allowed", "illegal"), CASES, ids=IDS)
def test_illegal_move_is_refused_with_the_rule_and_changes_nothing(
    machine: StateMachine, build: Callable[[], Any], allowed: str, illegal: str
) -> None:
    """ACC-1, ACC-8..10, MSG-6, TRM-1, BIL-7, BIL-10, BIL-11, BIL-18, DUN-1: refused before writing."""
    obj = build()
    with acting_as(job="test"):
        transition(obj, machine, allowed, today=TODAY)
    logged = StatusTransition.objects.count()
    with pytest.raises(DomainError) as err:
        transition(obj, machine, illegal, today=TODAY)
    assert (err.value.code, err.value.rule, err.value.field) == ("illegal_transition", machine.rule, "status")
    assert str(machine.label(allowed)) in err.value.message_ko
    obj.refresh_from_db()
    assert obj.status == allowed
    assert StatusTransition.objects.count() == logged


def test_transition_many_checks_every_row_first_and_logs_each() -> None:
    """BIL-18: a batch export moves every ready row and logs each; one illegal row refuses the batch."""
    rows = [_tax_invoice(), _tax_invoice()]
    done = _tax_invoice()
    with acting_as(job="export"):
        transition(done, TAX_INVOICE, TaxInvoice.Status.EXPORTED, today=TODAY)
        logged = StatusTransition.objects.count()
        with pytest.raises(DomainError):
            transition_many([*rows, done], TAX_INVOICE, TaxInvoice.Status.EXPORTED, today=TODAY)
        assert StatusTransition.objects.count() == logged
        assert set(
            TaxInvoice.objects.filter(pk__in=[r.pk for r in rows]).values_list("status", flat=True)
        ) == {TaxInvoice.Status.READY}
        logs = transition_many(rows, TAX_INVOICE, TaxInvoice.Status.EXPORTED, today=TODAY, reason="일괄")
    assert [(log.object_id, log.actor, log.reason) for log in logs] == [
        (r.pk, "job:export", "일괄") for r in rows
    ]
    assert set(TaxInvoice.objects.filter(pk__in=[r.pk for r in rows]).values_list("status", flat=True)) == {
        TaxInvoice.Status.EXPORTED
    }
