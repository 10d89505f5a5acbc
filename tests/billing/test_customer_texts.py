"""Issue 15: what customers read from billing: settlement lines without rule ids (the article as "약관 제N조",
the rules kept for staff in ``basis``), and refusals in the portal without the rule id the API and the
admin keep."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from billing.services.settlement import for_customers
from contracts.settlement import SettlementLine
from core import clock
from core.errors import DomainError, customer_facing
from tests.billing.bdocs_support import api_client_for, make_invoice
from tests.contracts.factories import PolicyFactory
from tests.factories import AdminMemberFactory

RULE_ID = re.compile(r"\b[A-Z]{2,4}-\d{1,2}\b(?!-)")


@pytest.mark.parametrize(
    ("description", "text", "basis"),
    [
        ("위약금 90,000원 (BIL-14 · 002 제32조③)", "위약금 90,000원 (약관 제32조③)", "BIL-14 · 002 제32조③"),
        ("일할 환불 = 241,935원 (BIL-4)", "일할 환불 = 241,935원", "BIL-4"),
        ("환급: 2026-03-01~2026-03-05 (5일), 일할 5,000원 (정지 기간 요금 없음, 약관 제19조②, BIL-16)",
         "환급: 2026-03-01~2026-03-05 (5일), 일할 5,000원 (정지 기간 요금 없음, 약관 제19조②)", "BIL-16"),
        ("미납 청구액 10,000원 (INV-2026-000123, INV-2026-000124): 우선 공제 (CON-7)",
         "미납 청구액 10,000원 (INV-2026-000123, INV-2026-000124): 우선 공제", "CON-7"),
        ("부가세 10% (과세 대상 10,000원)", "부가세 10% (과세 대상 10,000원)", ""),
    ],
)
def test_settlement_lines_read_without_rule_ids(description, text, basis):
    """CON-7, BIL-12..16: the settlement a customer previews and is invoiced names the terms' article
    ("약관 제32조③"), never a rule id or a seed document code; staff keep both in ``basis``."""
    line = for_customers(SettlementLine("penalty", description, 90_000))
    assert (line.description, line.basis, line.amount_won, line.kind) == (text, basis, 90_000, "penalty")
    assert not RULE_ID.search(line.description) and not re.search(r"\b00\d 제", line.description)


def test_domain_error_reads_plain_for_customers_only():
    """Issue 15: staff and the API read "BIL-10: ..."; inside customer_facing() the same refusal reads
    without the id, and plain_message never has it."""
    error = DomainError(
        "dispute_window_closed", "이의신청 기간이 {day}에 끝났습니다.", rule="BIL-10", day="2026-12-05"
    )
    assert error.message == "BIL-10: 이의신청 기간이 2026-12-05에 끝났습니다."
    assert error.plain_message == "이의신청 기간이 2026-12-05에 끝났습니다."
    with customer_facing():
        assert error.message == str(error) == "이의신청 기간이 2026-12-05에 끝났습니다."
    assert error.as_dict()["rule"] == "BIL-10" and error.message.startswith("BIL-10: ")


@pytest.mark.django_db
@pytest.mark.urls("tests.billing.urls_for_tests")
def test_portal_refusal_has_no_rule_id_but_the_api_keeps_it(client):
    """BIL-10, issue 15: a dispute filed after its window is refused in the portal in plain words (the
    closing date, no "BIL-10"); the API answers the same refusal with its ``rule`` field."""
    admin_member = AdminMemberFactory()
    with clock.frozen(dt.date(2026, 11, 20)):
        _refused_twice(client, admin_member)


def _refused_twice(client, admin_member):  # type: ignore[no-untyped-def]
    policy = PolicyFactory(dispute_window_days=15)
    invoice = make_invoice(admin_member.customer, issue_date=dt.date(2026, 11, 1), policy_obj=policy)
    client.force_login(admin_member.user)
    response = client.post(
        reverse("portal:dispute_file"),
        {"invoice": invoice.pk, "line": invoice.lines.get().pk, "amount_won": 30_000, "reason": "과다 청구"},
    )
    body = response.content.decode()
    assert response.status_code == 400 and "2026-11-16" in body
    assert not RULE_ID.search(body.replace("INV-", "")), RULE_ID.search(body)
    api = api_client_for(admin_member).post(
        "/api/v1/disputes/", {"invoice_id": invoice.pk, "amount_won": 30_000, "reason": "과다 청구"},
        format="json",
    )
    assert api.status_code == 400 and api.json()["error"]["rule"] == "BIL-10"
