"""Issue 15 in the billing portal and the invoice admin: the overdue state people see (DUN-1, DUN-2) and
paying from the invoice page (BIL-7): pay now with the default card/CMS, send a bank-transfer notice.

The ``overdue`` fixture: an invoice of 110,000원 due 2026-11-10 on a notify-only ladder (day 1, day 30),
walked to today 2026-11-20: ten days overdue, the day-1 notice sent, the next notice on 2026-12-10."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing import selectors
from billing.gateways.fake import fake_state
from billing.models import DunningCase, Invoice, Payment, PaymentMethod
from billing.services import dunning, payments
from tests.billing.bdocs_support import make_invoice
from tests.contracts.factories import PolicyFactory

from .support import NOTIFY_LADDER, TODAY, url

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.billing.urls_for_tests")]

RULE_ID = re.compile(r"\b(BIL|DUN|CON|ACC|TRM|SLA|MSG|DAT)-\d+\b")


@pytest.fixture(autouse=True)
def _gateway():
    fake_state().reset()
    yield
    fake_state().reset()


def _card(customer, label: str = "신한카드 ****1234") -> PaymentMethod:
    return payments.payment_method_add(
        customer=customer, kind="card", label=label, make_default=True, gateway_token="tok-card-1234"
    )


def _text(response) -> str:
    return response.content.decode()


# --------------------------------------------------------------------------- the selector


def test_overdue_state_days_and_next_step_from_the_ladder(overdue):
    """DUN-2: days overdue, the amount, and the next step and its date come from the Policy ladder."""
    state = selectors.invoice_overdue_state(overdue, TODAY)
    assert state is not None
    assert state.days_overdue == 10
    assert state.overdue_won == 110_000
    assert state.next_step is not None and state.next_step.action == "notify"
    assert state.next_label == "안내"
    assert state.next_on == dt.date(2026, 12, 10)  # due 11-10 + day 30 of the ladder


def test_overdue_state_agrees_with_ladder_position(overdue):
    """DUN-2: the bulk read gives the next step and date ``dunning.ladder_position`` gives."""
    position = dunning.ladder_position(overdue, TODAY)
    state = selectors.invoice_overdue_state(overdue, TODAY)
    assert position is not None and state is not None
    assert (state.next_step, state.next_on, state.overdue_won) == (
        position.next_step,
        position.next_on,
        position.overdue_won,
    )


def test_overdue_state_follows_a_changed_ladder(admin_member):
    """DUN-2: another Policy ladder gives another next step and date (no number in the code)."""
    policy = PolicyFactory(dunning_ladder=[{"day": 14, "action": "suspend", "business_days": False}])
    invoice = make_invoice(
        admin_member.customer, issue_date=dt.date(2026, 10, 27), due_days=14, policy_obj=policy
    )
    state = selectors.invoice_overdue_state(invoice, TODAY)
    assert state is not None and state.next_label == "이용 정지"
    assert state.next_on == dt.date(2026, 11, 24)


def test_not_overdue_before_due_or_when_paid(admin_member, overdue):
    """DUN-1: an invoice not yet due, or paid in full, has no overdue state."""
    upcoming = make_invoice(admin_member.customer, issue_date=dt.date(2026, 11, 15))
    assert selectors.invoice_overdue_state(upcoming, TODAY) is None
    payments.payment_record(
        customer=admin_member.customer, amount_won=110_000, method="bank_transfer",
        received_on=TODAY, invoice=overdue,
    )
    assert selectors.invoice_overdue_state(overdue, TODAY) is None
    assert selectors.customer_overdue(admin_member.customer, TODAY) is None


def test_overdue_states_cost_the_same_for_many_invoices(admin_member):
    """DUN-2: the overdue state of a page of invoices is a fixed number of queries."""
    policy = PolicyFactory(dunning_ladder=NOTIFY_LADDER)

    months = iter(range(1, 11))

    def count(n: int) -> int:
        ids = [
            make_invoice(
                admin_member.customer, issue_date=dt.date(2026, next(months), 1), policy_obj=policy
            ).pk
            for _ in range(n)
        ]
        with CaptureQueriesContext(connection) as ctx:
            states = selectors.overdue_states(ids, TODAY)
        assert len(states) == n
        return len(ctx.captured_queries)

    assert count(2) == count(8)


# --------------------------------------------------------------------------- what people see


def test_home_card_shows_overdue_badge_not_normal(client, member, overdue):
    """DUN-2: ten days overdue, the home's billing card says so, with the next step and its date."""
    client.force_login(member.user)
    body = _text(client.get(reverse("portal:home")))
    assert "연체 10일" in body and 'id="home-overdue"' in body  # next to the customer's status too
    assert "다음 조치: 안내 (2026-12-10)" in body
    assert "110,000원" in body
    assert "납기일 2026-11-10이 지났습니다" not in body


def test_billing_index_never_shows_a_past_next_due_date(client, member, overdue):
    """DUN-2: /billing/ shows the overdue badge; "다음 납기일" is never a past date."""
    client.force_login(member.user)
    body = _text(client.get(reverse("portal:invoices")))
    assert "다음 납기일 2026-11-10" not in body
    assert 'id="overdue-summary"' in body and "연체 10일" in body
    assert f'id="invoice-{overdue.pk}"' in body
    row = body.split(f'id="invoice-{overdue.pk}"')[1].split("</tr>")[0]
    assert "연체 10일" in row and "2026-12-10" in row
    upcoming = make_invoice(member.customer, issue_date=dt.date(2026, 11, 15))
    body = _text(client.get(reverse("portal:invoices")))
    assert f"다음 납기일 {upcoming.due_date.isoformat()}" in body


def test_invoice_detail_and_payments_page_show_badge(client, member, overdue):
    """DUN-2: the invoice page and the payments page show the overdue badge and the next step."""
    client.force_login(member.user)
    body = _text(client.get(reverse("portal:invoice_detail", args=[overdue.pk])))
    assert "연체 10일" in body and "다음 조치: 안내 (2026-12-10)" in body
    body = _text(client.get(reverse("portal:payments")))
    assert "연체 10일" in body
    assert "다음 납기일 2026-11-10" not in body


def test_billing_pages_link_overdue_disputes_and_refunds(client, member, overdue):
    """BIL-10, BIL-11, DUN-2: every billing page's menu links the overdue status, disputes and refunds;
    no rule id shows on these customer pages."""
    client.force_login(member.user)
    for name in ("portal:invoices", "portal:payments", "portal:payment_methods", "portal:dunning_status",
                 "portal:disputes", "portal:refunds"):
        body = _text(client.get(reverse(name)))
        for target in ("portal:dunning_status", "portal:disputes", "portal:refunds", "portal:invoices"):
            assert f'href="{reverse(target)}"' in body, (name, target)
        assert not RULE_ID.search(body.split('<main')[1]), (name, RULE_ID.search(body).group(0))


def test_dunning_page_shows_step_labels_not_codes(client, member, overdue):
    """DUN-2: the overdue page reads "안내 (2026-11-20)", never the code "notify"."""
    client.force_login(member.user)
    body = _text(client.get(reverse("portal:dunning_status")))
    assert "안내 (2026-11-20)" in body
    assert "notify" not in body


def test_admin_invoice_list_and_change_page_show_overdue(admin_client, overdue):
    """DUN-2: the invoice changelist has an overdue column (days, next step and date); so does the
    change page."""
    body = _text(admin_client.get(url("invoice")))
    assert "연체 10일 · 다음: 안내 (2026-12-10)" in body
    body = _text(admin_client.get(url("invoice", "change", overdue.pk)))
    assert "연체 10일" in body


def test_admin_invoice_list_queries_do_not_grow_with_rows(admin_client, admin_member):
    """DUN-2: the overdue column reads the whole page at once: 3 overdue invoices or 9 cost the same."""
    policy = PolicyFactory(dunning_ladder=NOTIFY_LADDER)

    months = iter(range(1, 11))

    def count(n: int) -> int:
        for _ in range(n):
            make_invoice(admin_member.customer, issue_date=dt.date(2026, next(months), 1), policy_obj=policy)
        with CaptureQueriesContext(connection) as ctx:
            assert admin_client.get(url("invoice")).status_code == 200
        return len(ctx.captured_queries)

    first = count(3)
    assert count(6) == first


# --------------------------------------------------------------------------- pay now (BIL-7)


def test_pay_now_with_the_default_card_after_confirmation(client, admin_member, overdue):
    """BIL-7: the invoice page offers pay now with the default card; the confirmation page names amount
    and method; confirming charges once and the overdue badge goes."""
    _card(admin_member.customer)
    client.force_login(admin_member.user)
    detail = _text(client.get(reverse("portal:invoice_detail", args=[overdue.pk])))
    assert reverse("portal:invoice_pay", args=[overdue.pk]) in detail
    confirm = client.get(reverse("portal:invoice_pay", args=[overdue.pk]))
    body = _text(confirm)
    assert "110,000원" in body and "신용카드" in body
    key = re.search(r'name="idempotency_key" value="([^"]+)"', body).group(1)
    assert Payment.objects.filter(invoice=overdue).count() == 0  # nothing before confirming
    response = client.post(reverse("portal:invoice_pay", args=[overdue.pk]), {"idempotency_key": key})
    assert response.status_code == 302, _text(response)
    again = client.post(reverse("portal:invoice_pay", args=[overdue.pk]), {"idempotency_key": key})
    assert again.status_code == 302
    paid = Payment.objects.filter(invoice=overdue, status=Payment.Status.SUCCEEDED)
    assert paid.count() == 1 and paid.get().amount_won == 110_000
    assert len(fake_state().charges) == 1
    overdue.refresh_from_db()
    assert overdue.status == Invoice.Status.PAID
    body = _text(client.get(reverse("portal:invoice_detail", args=[overdue.pk]), follow=True))
    assert "연체 10일" not in body and "110,000원을 신용카드로 결제했습니다." in body


def test_pay_now_declined_shows_plain_korean(client, admin_member, overdue):
    """BIL-7: a declined card is told in Korean, without a rule id; the invoice stays open."""
    _card(admin_member.customer)
    fake_state().fail_always = True
    client.force_login(admin_member.user)
    response = client.post(
        reverse("portal:invoice_pay", args=[overdue.pk]), {"idempotency_key": "k1"}, follow=True
    )
    body = _text(response)
    assert "결제가 거절되었습니다" in body
    assert not RULE_ID.search(body.split("<main")[1])
    overdue.refresh_from_db()
    assert overdue.status == Invoice.Status.ISSUED


def test_pay_now_without_card_points_to_payment_methods(client, admin_member, overdue):
    """BIL-7: without a default card/CMS authorised at the gateway (a bank account, or a card added
    without the gateway's token) the page says how to add one; posting charges nothing."""
    payments.payment_method_add(
        customer=admin_member.customer, kind="card", label="미인증 카드", make_default=True
    )
    client.force_login(admin_member.user)
    body = _text(client.get(reverse("portal:invoice_detail", args=[overdue.pk])))
    assert reverse("portal:payment_methods") in body
    assert reverse("portal:invoice_pay", args=[overdue.pk]) not in body
    pay_url = reverse("portal:invoice_pay", args=[overdue.pk])
    response = client.post(pay_url, {"idempotency_key": "x"}, follow=True)
    assert "결제 수단을 먼저 등록해 주세요" in _text(response)
    assert not Payment.objects.filter(invoice=overdue).exists()


def test_plain_member_may_not_pay_or_notify(client, member, admin_member, overdue):
    """ACC-4: a plain member sees the invoice but paying and notices are for customer admins."""
    _card(admin_member.customer)
    client.force_login(member.user)
    body = _text(client.get(reverse("portal:invoice_detail", args=[overdue.pk])))
    assert reverse("portal:invoice_pay", args=[overdue.pk]) not in body
    assert "고객사 관리자가 할 수 있습니다" in body
    pay_url = reverse("portal:invoice_pay", args=[overdue.pk])
    assert client.post(pay_url, {"idempotency_key": "x"}).status_code == 403
    notice = client.post(reverse("portal:invoice_transfer_notice", args=[overdue.pk]), {})
    assert notice.status_code == 403
    assert not Payment.objects.filter(invoice=overdue).exists()


# --------------------------------------------------------------------------- transfer notice (BIL-7)


def test_transfer_notice_needs_confirmation_and_records_pending(client, admin_member, overdue):
    """BIL-7: the notice form is filled with the open amount; without the confirmation box nothing is
    recorded; with it a pending bank-transfer payment (no ledger entry) is recorded once."""
    client.force_login(admin_member.user)
    form = _text(client.get(reverse("portal:invoice_transfer_notice", args=[overdue.pk])))
    assert 'value="110000"' in form or 'value="110,000"' in form
    data = {"amount_won": "110000", "transferred_on": "2026-11-20", "payer_name": "(주)연체테스트",
            "idempotency_key": "n1"}
    refused = client.post(reverse("portal:invoice_transfer_notice", args=[overdue.pk]), data)
    assert refused.status_code == 400 and "입금했음을 확인해 주세요" in _text(refused)
    assert not Payment.objects.filter(invoice=overdue).exists()
    data["confirm"] = "on"
    for _ in range(2):  # a double submit records one notice
        response = client.post(reverse("portal:invoice_transfer_notice", args=[overdue.pk]), data)
        assert response.status_code == 302
    notice = Payment.objects.get(invoice=overdue)
    assert (notice.status, notice.method) == (Payment.Status.PENDING, "bank_transfer")
    assert notice.amount_won == 110_000
    assert selectors.invoice_open_amount(overdue) == 110_000  # counts only when the bank shows it
    body = _text(client.get(reverse("portal:invoice_detail", args=[overdue.pk])))
    assert "은행 입금 확인 중" in body


def test_transfer_notice_refuses_a_future_date(client, admin_member, overdue):
    """BIL-7: a transfer dated after today is refused next to the date, in Korean."""
    client.force_login(admin_member.user)
    data = {"amount_won": "110000", "transferred_on": "2026-11-25", "payer_name": "연체테스트",
            "idempotency_key": "n2", "confirm": "on"}
    response = client.post(reverse("portal:invoice_transfer_notice", args=[overdue.pk]), data)
    assert response.status_code == 400 and "오늘 이후일 수 없습니다" in _text(response)


def test_closed_case_has_no_next_step(overdue):
    """DUN-2: a resolved case shows no next step (the ladder stopped)."""
    DunningCase.objects.filter(invoice=overdue).update(status=DunningCase.Status.RESOLVED)
    state = selectors.invoice_overdue_state(overdue, TODAY)
    assert state is not None and state.next_step is None


def test_overdue_badge_and_pay_in_english(client, admin_member, overdue):
    """DUN-2, BIL-7: in English mode the badge, the next step and the amounts read in English."""
    from django.conf import settings

    _card(admin_member.customer)
    client.force_login(admin_member.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = _text(client.get(reverse("portal:invoice_detail", args=[overdue.pk])))
    assert "10 days overdue" in body and "KRW 110,000" in body
    assert "Pay now by" in body and "Notify us of a bank transfer" in body
    confirm = _text(client.get(reverse("portal:invoice_pay", args=[overdue.pk])))
    assert "Confirm payment of KRW 110,000" in confirm
