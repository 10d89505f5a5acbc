"""SPEC §11 disputes (BIL-10) in the interfaces: the back office queue with its answer and extend forms,
the portal's dispute form and list, the API's list, detail and create."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from billing.models import (
    Dispute,
)
from tests.billing.bdocs_support import api_client_for, make_invoice
from tests.contracts.factories import PolicyFactory
from tests.factories import AdminMemberFactory

from .support import API, act, url

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.billing.urls_for_tests")]


def test_dispute_queue_open_first_with_overdue_deadline_highlighted(admin_client, dispute):
    """BIL-10: open disputes come first; an answer date that passed is highlighted."""
    answered = Dispute.objects.create(
        invoice=dispute.invoice,
        customer=dispute.customer,
        amount_won=1_000,
        reason="x",
        filed_on=dt.date(2026, 11, 1),
        answer_due_on=dt.date(2026, 11, 1),
        status=Dispute.Status.REJECTED,
        answer="기각",
        answered_on=dt.date(2026, 11, 2),
    )
    body = admin_client.get(url("dispute")).content.decode()
    assert 'class="overdue"' in body  # due 2026-11-12 < today, still open
    assert body.index(f"/{dispute.pk}/change/") < body.index(f"/{answered.pk}/change/")
    change = admin_client.get(url("dispute", "change", dispute.pk)).content.decode()
    assert "dispute-answer-button" in change and "dispute-extend-button" in change


def test_dispute_answer_form_calls_dispute_decide(admin_client, dispute):
    """BIL-10: the answer form decides the dispute (partly upheld → a credit note)."""
    response = act(admin_client, "dispute", "answer_action", [dispute.pk])
    assert response.status_code == 302 and response["Location"] == url("dispute", "answer", dispute.pk)
    assert admin_client.get(url("dispute", "answer", dispute.pk)).status_code == 200
    response = admin_client.post(
        url("dispute", "answer", dispute.pk), {"upheld_amount_won": 60_000, "answer": "x"}
    )
    assert response.status_code == 200 and "BIL-10" in response.content.decode()  # more than disputed
    response = admin_client.post(
        url("dispute", "answer", dispute.pk), {"upheld_amount_won": 20_000, "answer": "일부 인정합니다."}
    )
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.PARTIAL and dispute.credit_note is not None


def test_dispute_extend_form_calls_dispute_extend(admin_client, dispute):
    """BIL-10 (000 art.17③, 002 art.35②): staff set a later answer date with a reason."""
    response = act(admin_client, "dispute", "extend_action", [dispute.pk])
    assert response.status_code == 302
    response = admin_client.post(
        url("dispute", "extend", dispute.pk), {"new_due_on": "2026-11-01", "reason": "x"}
    )
    assert response.status_code == 200 and "BIL-10" in response.content.decode()
    response = admin_client.post(
        url("dispute", "extend", dispute.pk), {"new_due_on": "2026-11-30", "reason": "현장 확인 필요"}
    )
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.answer_due_on == dt.date(2026, 11, 30) and dispute.due_extension_reason == "현장 확인 필요"


def test_portal_dispute_filed_inside_the_window(client, admin_member):
    """BIL-10: a customer admin disputes a line within the policy window; the list shows it."""
    policy = PolicyFactory(dispute_window_days=15)
    invoice = make_invoice(admin_member.customer, issue_date=dt.date(2026, 11, 10), policy_obj=policy)
    line = invoice.lines.get()
    client.force_login(admin_member.user)
    page = client.get(reverse("portal:disputes"), {"invoice": invoice.pk})
    assert page.status_code == 200 and 'id="dispute-form"' in page.content.decode()
    response = client.post(
        reverse("portal:dispute_file"),
        {"invoice": invoice.pk, "line": line.pk, "amount_won": 30_000, "reason": "사용하지 않은 기능"},
    )
    assert response.status_code == 302
    dispute = Dispute.objects.get(invoice=invoice)
    assert dispute.line == line and dispute.filed_by == admin_member
    body = client.get(reverse("portal:disputes")).content.decode()
    assert "사용하지 않은 기능" not in body or invoice.number in body
    assert dispute.get_status_display() in body


def test_portal_dispute_after_the_window_shows_the_closing_date(client, admin_member):
    """BIL-10 (002 art.35①): 15 days from issue; after that the error names the date the window closed,
    next to the field, in plain words: customers never read the rule id (issue 15)."""
    policy = PolicyFactory(dispute_window_days=15)
    invoice = make_invoice(admin_member.customer, issue_date=dt.date(2026, 11, 1), policy_obj=policy)
    client.force_login(admin_member.user)
    response = client.post(
        reverse("portal:dispute_file"),
        {"invoice": invoice.pk, "line": invoice.lines.get().pk, "amount_won": 30_000, "reason": "과다 청구"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "2026-11-16에 끝났습니다" in body and "BIL-10" not in body  # no rule id on a customer page
    assert not Dispute.objects.exists()


def test_portal_dispute_form_is_for_admins(client, member, admin_member):
    """ACC-4: plain members see their disputes but cannot file."""
    client.force_login(member.user)
    page = client.get(reverse("portal:disputes"))
    assert page.status_code == 200 and 'id="dispute-form"' not in page.content.decode()
    invoice = make_invoice(member.customer)
    response = client.post(
        reverse("portal:dispute_file"), {"invoice": invoice.pk, "amount_won": 1_000, "reason": "x"}
    )
    assert response.status_code == 403


def test_api_disputes_list_detail_create_and_scope(admin_member, member, dispute):
    """BIL-10: members list and read their disputes; another customer's is a 404; admins file."""
    response = api_client_for(member).get(f"{API}/disputes/")
    assert response.status_code == 200 and response.json()["count"] == 1
    assert api_client_for(member).get(f"{API}/disputes/{dispute.pk}/").json()["amount_won"] == 50_000
    stranger = AdminMemberFactory()
    assert api_client_for(stranger).get(f"{API}/disputes/{dispute.pk}/").status_code == 404
    body = {"invoice_id": dispute.invoice_id, "amount_won": 10_000, "reason": "추가 이의"}
    response = api_client_for(member).post(f"{API}/disputes/", body, format="json")
    assert response.status_code == 403 and response.json()["error"]["code"] == "admin_required"
    response = api_client_for(admin_member).post(f"{API}/disputes/", body, format="json")
    assert response.status_code == 201 and response.json()["status"] == "open"
    other = make_invoice(stranger.customer)
    response = api_client_for(admin_member).post(
        f"{API}/disputes/", {**body, "invoice_id": other.pk}, format="json"
    )
    assert response.status_code == 404


def test_api_dispute_window_closed_is_a_json_error(admin_member):
    """BIL-10: after the window, 400 with a stable code and the closing date."""
    invoice = make_invoice(
        admin_member.customer,
        issue_date=dt.date(2026, 11, 1),
        policy_obj=PolicyFactory(dispute_window_days=15),
    )
    response = api_client_for(admin_member).post(
        f"{API}/disputes/", {"invoice_id": invoice.pk, "amount_won": 1_000, "reason": "x"}, format="json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "dispute_window_closed" and "2026-11-16" in error["message"]
