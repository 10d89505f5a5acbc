"""Fixtures of the billing interface tests for dunning, disputes and refunds (admin, portal and API):
an overdue invoice walked on a notify-only ladder, a filed dispute, a requested refund; today is
2026-11-20 throughout."""

from __future__ import annotations

import datetime as dt

import pytest

from billing.models import (
    DunningCase,
)
from billing.services import disputes, dunning, refunds
from core import clock
from tests.billing.bdocs_support import make_invoice
from tests.contracts.factories import PolicyFactory
from tests.factories import AdminMemberFactory, CustomerFactory, MemberFactory

from .support import NOTIFY_LADDER, TODAY, give_credit


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen(TODAY):
        yield


@pytest.fixture
def admin_member():
    return AdminMemberFactory(customer=CustomerFactory(legal_name="주식회사 연체테스트"))


@pytest.fixture
def member(admin_member):
    return MemberFactory(customer=admin_member.customer)


@pytest.fixture
def overdue(admin_member):
    """An invoice due 2026-11-10 on a notify-only ladder (day 1, day 30), walked to 2026-11-20."""
    policy = PolicyFactory(dunning_ladder=NOTIFY_LADDER)
    invoice = make_invoice(
        admin_member.customer,
        issue_date=dt.date(2026, 10, 27),
        due_days=14,
        lines=[("기본료 10월", 1, 100_000)],
        policy_obj=policy,
    )
    dunning.dunning_run(today=TODAY)
    return invoice


@pytest.fixture
def case(overdue):
    return DunningCase.objects.get(invoice=overdue)


@pytest.fixture
def dispute(admin_member):
    policy = PolicyFactory(dispute_answer_days=7)
    invoice = make_invoice(
        admin_member.customer,
        issue_date=dt.date(2026, 11, 1),
        lines=[("기본료 11월", 1, 200_000)],
        policy_obj=policy,
    )
    return disputes.dispute_file(
        invoice=invoice,
        line=invoice.lines.get(),
        amount_won=50_000,
        reason="사용하지 않은 기간 청구",
        today=dt.date(2026, 11, 5),
        member=admin_member,
    )


@pytest.fixture
def refund():
    customer = CustomerFactory(legal_name="연체테스트 환불고객")
    give_credit(customer, 80_000)
    return refunds.refund_request(
        customer=customer, amount_won=30_000, reason="이중 입금", today=dt.date(2026, 11, 10)
    )
