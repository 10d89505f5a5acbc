"""SPEC §11 interfaces after the due date: the back office (dunning cases and pauses, the dispute queue,
late charges, refunds, settlements, the evasion charge, the dashboard), the customer portal (disputes,
refunds, dunning status) and the REST API (disputes, refunds, dunning). BIL-10, BIL-11, BIL-20, DUN-2,
DUN-3."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from billing.models import (
    Dispute,
    DunningCase,
    DunningPause,
    Invoice,
    InvoiceLine,
    LateCharge,
    LedgerEntry,
    Payment,
    Refund,
    Settlement,
)
from billing.services import disputes, dunning, ledger, payments, refunds
from core import clock
from tests.billing.bdocs_support import api_client_for, make_invoice
from tests.billing.conftest import make_contract
from tests.contracts.factories import PolicyFactory
from tests.factories import AdminMemberFactory, CustomerFactory, MemberFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.billing.urls_for_tests")]
TODAY = dt.date(2026, 11, 20)
API = "/api/v1"
NOTIFY_LADDER = [
    {"day": 1, "action": "notify", "business_days": False},
    {"day": 30, "action": "notify", "business_days": False},
]


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen(TODAY):
        yield


def url(model: str, view: str = "changelist", *args) -> str:
    return reverse(f"admin:billing_{model}_{view}", args=args)


def act(client, model: str, action: str, pks, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [str(pk) for pk in pks], **extra}
    return client.post(url(model), data)


def give_credit(customer, amount: int, on: dt.date = dt.date(2026, 10, 1)) -> Payment:
    return payments.payment_record(
        customer=customer, amount_won=amount, method=Payment.Method.BANK_TRANSFER, received_on=on
    )


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


# =========================================================================== admin


SMOKE = [
    ("dunningcase", {"status__exact": "open"}),
    ("dunningcase", {"preset": "custom"}),
    ("dunningpause", {}),
    ("dispute", {"status__exact": "open"}),
    ("dispute", {"answer": "overdue"}),
    ("dispute", {"answer": "due_soon"}),
    ("latecharge", {"kind__exact": "late_fee"}),
    ("refund", {"status__exact": "requested"}),
    ("settlement", {}),
]


@pytest.mark.parametrize(("model", "filters"), SMOKE)
def test_admin_changelists_search_and_filters(admin_client, case, dispute, refund, model, filters):
    """SPEC §11: each after-due model has a changelist, search by customer and filters."""
    assert admin_client.get(url(model)).status_code == 200
    assert admin_client.get(url(model), {"q": "연체테스트"}).status_code == 200
    assert admin_client.get(url(model), filters).status_code == 200


def test_dunning_case_list_shows_amount_step_and_next_step(admin_client, case, overdue):
    """DUN-2: the case list shows the overdue amount, the step reached, and the next step with its date
    from ``dunning.ladder_position``; the change page has the read-only step log."""
    body = admin_client.get(url("dunningcase")).content.decode()
    assert overdue.number in body and "110,000" in body
    assert "notify (2026-11-20)" in body  # the day-1 step (planned 11-11) ran on the first run
    assert "notify (2026-12-10)" in body  # next: day 30 after 2026-11-10
    response = admin_client.get(url("dunningcase", "change", case.pk))
    assert response.status_code == 200
    assert "2026-11-11" in response.content.decode() or "2026년 11월 11일" in response.content.decode()
    assert admin_client.get(url("dunningcase"), {"q": overdue.number}).status_code == 200


def test_pause_ladder_action_calls_dunning_pause(admin_client, case):
    """DUN-3: the "pause" action asks for a reason and an end date, then pauses the customer's ladder."""
    response = act(admin_client, "dunningcase", "pause_ladder", [case.pk])
    assert response.status_code == 200 and "종료일" in response.content.decode()
    act(
        admin_client,
        "dunningcase",
        "pause_ladder",
        [case.pk],
        apply="1",
        reason="특별 승인: 대표 면담",
        ends_on="2026-12-05",
    )
    pause = DunningPause.objects.get(customer=case.customer)
    assert pause.ends_on == dt.date(2026, 12, 5) and "특별 승인" in pause.reason
    assert pause.created_by is not None


def test_pause_add_form_errors_next_to_field_and_creates(admin_client, case):
    """DUN-3: the pause add form goes through ``dunning_pause``; a refusal is shown next to its field."""
    assert admin_client.get(url("dunningpause", "add")).status_code == 200
    response = admin_client.post(
        url("dunningpause", "add"), {"customer": case.customer_id, "reason": "승인", "ends_on": "2026-11-01"}
    )
    assert response.status_code == 200
    assert "DUN-3" in response.content.decode()
    assert not DunningPause.objects.exists()
    response = admin_client.post(
        url("dunningpause", "add"), {"customer": case.customer_id, "reason": "승인", "ends_on": "2026-11-30"}
    )
    assert response.status_code == 302
    assert DunningPause.objects.filter(customer=case.customer, ends_on=dt.date(2026, 11, 30)).exists()
    assert admin_client.get(url("dunningpause")).status_code == 200


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


def test_late_charges_are_read_only(admin_client, overdue):
    """BIL-9: late charges are listed, never added or edited here."""
    charge = LateCharge.objects.create(
        invoice=overdue,
        kind=LateCharge.Kind.LATE_FEE,
        period_start=dt.date(2026, 11, 11),
        period_end=dt.date(2026, 11, 20),
        days=10,
        base_won=110_000,
        amount_won=542,
        formula="110,000 × 1.5% × 12 × 10/365",
    )
    body = admin_client.get(url("latecharge")).content.decode()
    assert "542" in body
    assert admin_client.get(url("latecharge", "add")).status_code == 403
    assert admin_client.get(url("latecharge", "change", charge.pk)).status_code == 200


def test_refund_mark_paid_and_cancel_actions(admin_client, refund):
    """BIL-11: "mark paid" posts the refund through ``refund_pay`` once; "cancel" asks for a reason."""
    act(admin_client, "refund", "mark_paid", [refund.pk])
    refund.refresh_from_db()
    assert refund.status == Refund.Status.PAID and refund.paid_on == TODAY
    act(admin_client, "refund", "mark_paid", [refund.pk])
    assert LedgerEntry.objects.filter(customer=refund.customer, kind=LedgerEntry.Kind.REFUND).count() == 1
    other = refunds.refund_request(customer=refund.customer, amount_won=10_000, reason="과납", today=TODAY)
    assert act(admin_client, "refund", "cancel_refunds", [other.pk]).status_code == 200
    act(admin_client, "refund", "cancel_refunds", [other.pk], apply="1", reason="고객 철회")
    other.refresh_from_db()
    assert other.status == Refund.Status.CANCELLED


def test_refund_add_form_requests_with_arrears_deducted(admin_client, admin_member):
    """BIL-11: staff can record a request (e.g. an operator error, with interest); errors by field."""
    response = admin_client.post(
        url("refund", "add"), {"customer": admin_member.customer.pk, "amount_won": 1_000, "reason": "과납"}
    )
    assert response.status_code == 200 and "BIL-11" in response.content.decode()  # no credit
    give_credit(admin_member.customer, 5_000)
    response = admin_client.post(
        url("refund", "add"),
        {
            "customer": admin_member.customer.pk,
            "amount_won": 1_000,
            "reason": "과납",
            "operator_caused": "on",
        },
    )
    assert response.status_code == 302
    assert Refund.objects.get(customer=admin_member.customer).operator_caused is True


def test_settlement_read_only_with_lines(admin_client, admin_member, presets):
    """BIL-12..16: the settlement list and its lines, read-only."""
    contract = make_contract("officecore-standard-monthly", customer=admin_member.customer)
    settlement = Settlement.objects.create(
        contract=contract,
        effective_on=dt.date(2026, 11, 21),
        lines=[{"kind": "refund", "description": "잔여 9일 환불", "amount_won": -90_000}],
        total_won=-90_000,
        issued_on=dt.date(2026, 11, 21),
    )
    assert admin_client.get(url("settlement")).status_code == 200
    body = admin_client.get(url("settlement", "change", settlement.pk)).content.decode()
    assert "잔여 9일 환불" in body and "-90,000" in body
    assert admin_client.get(url("settlement", "add")).status_code == 403


def test_evasion_charge_from_the_invoice_admin(admin_client, admin_member, presets):
    """BIL-20: from an invoice, staff charge evasion for one of its contracts (flow ×2), with a reason."""
    contract = make_contract(
        "flow-business-monthly", start=dt.date(2026, 10, 1), customer=admin_member.customer
    )
    invoice = make_invoice(admin_member.customer, issue_date=dt.date(2026, 11, 1))
    InvoiceLine.objects.filter(invoice=invoice).update(contract=contract)
    change = admin_client.get(url("invoice", "change", invoice.pk)).content.decode()
    assert "evasion-button" in change
    response = act(admin_client, "invoice", "evasion_charge_action", [invoice.pk])
    assert response.status_code == 302 and response["Location"] == url("invoice", "evasion", invoice.pk)
    form = admin_client.get(url("invoice", "evasion", invoice.pk))
    assert form.status_code == 200
    response = admin_client.post(
        url("invoice", "evasion", invoice.pk),
        {"contract": contract.pk, "evaded_amount_won": 50_000, "reason": " "},
    )
    assert response.status_code == 200
    assert not Invoice.objects.filter(kind=Invoice.Kind.ADJUSTMENT).exists()
    response = admin_client.post(
        url("invoice", "evasion", invoice.pk),
        {"contract": contract.pk, "evaded_amount_won": 50_000, "reason": "계정 공유", "token": "t-1"},
    )
    assert response.status_code == 302
    charged = Invoice.objects.get(kind=Invoice.Kind.ADJUSTMENT)
    assert charged.total_won == 100_000
    admin_client.post(  # a double submit of the same form issues nothing new
        url("invoice", "evasion", invoice.pk),
        {"contract": contract.pk, "evaded_amount_won": 50_000, "reason": "계정 공유", "token": "t-1"},
    )
    assert Invoice.objects.filter(kind=Invoice.Kind.ADJUSTMENT).count() == 1


def test_dashboard_overdue_by_age_revenue_and_disputes(
    admin_client, overdue, dispute, django_assert_max_num_queries
):
    """SPEC §11: overdue amounts by age (1–30 …), revenue by month, open disputes — aggregate queries."""
    old = make_invoice(overdue.customer, issue_date=dt.date(2026, 7, 1), lines=[("기본료 7월", 1, 1_000)])
    assert old.due_date == dt.date(2026, 7, 15)  # 128 days overdue → 90+
    with django_assert_max_num_queries(20):
        response = admin_client.get(reverse("admin:billing_after_due_dashboard"))
    assert response.status_code == 200
    context = response.context
    buckets = {b["label"]: b["amount_won"] for b in context["buckets"]}
    # 1–30: the overdue invoice (due 11-10) and the disputed one (due 11-15); 90+: due 07-15
    assert buckets["1–30"] == 110_000 + 220_000 and buckets["90+"] == 1_100 and buckets["31–60"] == 0
    months = {row["month"].strftime("%Y-%m"): row["total_won"] for row in context["revenue"]}
    assert months["2026-11"] == 220_000 and months["2026-10"] == 110_000 and months["2026-07"] == 1_100
    assert context["open_disputes"]["count"] == 1 and context["open_disputes"]["overdue"] == 1
    assert admin_client.get(url("dunningcase")).status_code == 200


# =========================================================================== portal


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
    next to the field."""
    policy = PolicyFactory(dispute_window_days=15)
    invoice = make_invoice(admin_member.customer, issue_date=dt.date(2026, 11, 1), policy_obj=policy)
    client.force_login(admin_member.user)
    response = client.post(
        reverse("portal:dispute_file"),
        {"invoice": invoice.pk, "line": invoice.lines.get().pk, "amount_won": 30_000, "reason": "과다 청구"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "field-error" in body and "2026-11-16" in body and "BIL-10" in body
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


def test_portal_refund_request(client, admin_member):
    """BIL-11: the customer admin asks for the overpayment back; arrears are deducted first."""
    client.force_login(admin_member.user)
    response = client.post(reverse("portal:refund_request"), {"amount_won": 10_000, "reason": "과납"})
    assert response.status_code == 400
    assert "field-error" in response.content.decode() and "BIL-11" in response.content.decode()
    give_credit(admin_member.customer, 50_000)
    page = client.get(reverse("portal:refunds")).content.decode()
    assert "50,000" in page
    response = client.post(reverse("portal:refund_request"), {"amount_won": 60_000, "reason": "이중 입금"})
    assert response.status_code == 302
    refund = Refund.objects.get(customer=admin_member.customer)
    assert refund.amount_won == 50_000  # capped at the credit
    assert "이중 입금" in client.get(reverse("portal:refunds")).content.decode()


def test_portal_dunning_status_shows_amount_next_step_and_date(client, member, overdue):
    """DUN-2: the overdue invoice, the amount, the next step and its date."""
    client.force_login(member.user)
    body = client.get(reverse("portal:dunning_status")).content.decode()
    assert overdue.number in body and "110,000" in body
    assert "notify" in body and "2026-12-10" in body


# =========================================================================== API


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


def test_api_refunds_need_an_idempotency_key_and_replay(admin_member, member):
    """BIL-11, SPEC §11: POST /refunds/ moves money — Idempotency-Key required; the same key replays."""
    give_credit(admin_member.customer, 40_000)
    api = api_client_for(admin_member)
    body = {"amount_won": 30_000, "reason": "이중 입금"}
    response = api.post(f"{API}/refunds/", body, format="json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "idempotency_key_required"
    first = api.post(f"{API}/refunds/", body, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    assert first.status_code == 201 and first.json()["amount_won"] == 30_000
    again = api.post(f"{API}/refunds/", body, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert Refund.objects.count() == 1
    clash = api.post(
        f"{API}/refunds/", {**body, "reason": "다른 요청"}, format="json", HTTP_IDEMPOTENCY_KEY="r-1"
    )
    assert clash.status_code == 409
    response = api_client_for(member).post(f"{API}/refunds/", body, format="json", HTTP_IDEMPOTENCY_KEY="r-2")
    assert response.status_code == 403
    listing = api_client_for(member).get(f"{API}/refunds/").json()
    assert listing["count"] == 1 and listing["results"][0]["status"] == "requested"
    assert ledger.credit_available(admin_member.customer) == 40_000  # nothing paid out yet


def test_api_dunning_lists_open_cases_with_next_step(member, overdue):
    """DUN-2: the customer's open cases with the amount, the next step and its date."""
    response = api_client_for(member).get(f"{API}/dunning/")
    assert response.status_code == 200
    [row] = response.json()
    assert row["invoice_number"] == overdue.number and row["open_won"] == 110_000
    assert row["last_action"] == "notify" and row["next_action"] == "notify"
    assert row["next_action_on"] == "2026-12-10"
    assert api_client_for(AdminMemberFactory()).get(f"{API}/dunning/").json() == []
