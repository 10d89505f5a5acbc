"""Issue 15: the portal's dispute form offers only what may be filed (BIL-10): invoices still inside
their dispute window (the service's own rule, ``disputes.dispute_window_closes_on``), and in a second
step the lines of the chosen invoice only. It works without script (GET step, then POST)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from billing import selectors
from billing.models import Dispute
from billing.services import disputes
from tests.billing.bdocs_support import make_invoice
from tests.contracts.factories import PolicyFactory

from .support import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.billing.urls_for_tests")]


@pytest.fixture
def invoices(admin_member):
    """An invoice issued 11-01 (window 15 days: closed 11-16) and one issued 11-10 (open until 11-25)."""
    policy = PolicyFactory(dispute_window_days=15)
    closed = make_invoice(
        admin_member.customer, issue_date=dt.date(2026, 10, 1), policy_obj=policy,
        lines=[("지난달 기본료", 1, 50_000)],
    )
    open_ = make_invoice(
        admin_member.customer, issue_date=dt.date(2026, 11, 10), policy_obj=policy,
        lines=[("이번 달 기본료", 1, 100_000), ("추가 계정 2개", 2, 10_000)],
    )
    return closed, open_


def _options(body: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', body, re.S)
    assert select, name
    return re.findall(r'<option value="(\d+)"', select.group(1))


def test_only_invoices_inside_the_window_are_offered(client, admin_member, invoices):
    """BIL-10: the invoice whose window closed is not offered; the open one is, with its last day."""
    closed, open_ = invoices
    client.force_login(admin_member.user)
    body = client.get(reverse("portal:disputes")).content.decode()
    assert _options(body, "invoice") == [str(open_.pk)]
    assert "2026-11-25까지 신청 가능" in body
    assert [d.invoice.pk for d in selectors.disputable_invoices(admin_member.customer, TODAY)] == [open_.pk]
    # the same rule as the service: the closed one is refused there too
    assert disputes.dispute_window_closes_on(closed) < TODAY <= disputes.dispute_window_closes_on(open_)


def test_second_step_lists_only_the_chosen_invoices_lines(client, admin_member, invoices):
    """BIL-10: after choosing an invoice, the line list holds that invoice's lines only."""
    closed, open_ = invoices
    client.force_login(admin_member.user)
    body = client.get(reverse("portal:disputes"), {"invoice": open_.pk}).content.decode()
    lines = _options(body, "line")
    assert sorted(lines) == sorted(str(pk) for pk in open_.lines.values_list("pk", flat=True))
    assert "지난달 기본료" not in body
    assert "추가 계정 2개 · 20,000원" in body
    refused = client.get(reverse("portal:disputes"), {"invoice": closed.pk}).content.decode()
    assert 'name="line"' not in refused and "기간이 지났거나" in refused


def test_file_through_both_steps(client, admin_member, invoices):
    """BIL-10: choose the invoice, then a line, amount and reason: the dispute is filed."""
    _closed, open_ = invoices
    line = open_.lines.get(description="추가 계정 2개")
    client.force_login(admin_member.user)
    response = client.post(
        reverse("portal:dispute_file"),
        {"invoice": open_.pk, "line": line.pk, "amount_won": "10000", "reason": "퇴사자 1명분"},
    )
    assert response.status_code == 302
    dispute = Dispute.objects.get()
    assert (dispute.invoice_id, dispute.line_id, dispute.amount_won) == (open_.pk, line.pk, 10_000)


def test_a_line_of_another_invoice_is_refused(client, admin_member, invoices):
    """BIL-10: a line not of the chosen invoice is not a valid choice; nothing is filed."""
    closed, open_ = invoices
    client.force_login(admin_member.user)
    response = client.post(
        reverse("portal:dispute_file"),
        {"invoice": open_.pk, "line": closed.lines.get().pk, "amount_won": "1000", "reason": "x"},
    )
    assert response.status_code == 400 and not Dispute.objects.exists()
    assert "field-error" in response.content.decode()


def test_nothing_to_dispute_says_so(client, admin_member):
    """BIL-10: with no invoice inside its window the form is replaced by a plain sentence."""
    policy = PolicyFactory(dispute_window_days=15)
    make_invoice(admin_member.customer, issue_date=dt.date(2026, 9, 1), policy_obj=policy)
    client.force_login(admin_member.user)
    body = client.get(reverse("portal:disputes")).content.decode()
    assert 'id="no-disputable"' in body and 'name="invoice"' not in body
