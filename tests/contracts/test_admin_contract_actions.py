"""Contract operations as buttons on the contract page (CON-1..12): each is offered only from the states
the lifecycle table allows (plus its own precondition), leads to a small form, runs the service as the
staff user and writes the service's record; a refusal is an error message naming the rule, and nothing
changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contracts.models import (
    BillingCycle,
    Contract,
    ContractChange,
    ContractPeriod,
    ContractStatus,
    ContractTransition,
    Plan,
    Policy,
    ScheduleChange,
    SpecialTerm,
    Suspension,
    TerminationKind,
)
from contracts.presets import load_presets
from contracts.services import suspension, termination
from tests.contracts.test_contract_admin import (  # noqa: F401 - fixtures
    TODAY,
    _frozen_today,
    action_url,
    active,
    apply,
    approved,
    change_url,
    last_transition,
    messages_of,
    offered,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def policies() -> dict[str, Policy]:
    """Version 1 of each preset, by code (named apart from the rule tests' ``presets``)."""
    return {p.code: p for p in load_presets()}


D = dt.date
S = ContractStatus


def _snapshot(contract: Contract) -> tuple[object, ...]:
    contract.refresh_from_db()
    return (
        contract.status,
        contract.activation_date,
        contract.seats,
        contract.plan_id,
        contract.updated_at,
        contract.transitions.count(),
    )


def assert_refused(client, contract: Contract, action: str, data: dict, rule: str) -> None:
    """Posting ``action`` shows an error message starting with ``rule`` and changes nothing."""
    before = _snapshot(contract)
    response = client.post(action_url(contract, action), data, follow=True)
    assert response.status_code == 200
    notes = messages_of(response) or [str(m) for m in response.context["messages"]]
    assert any(m.startswith(rule) for m in notes), notes
    assert _snapshot(contract) == before


# --------------------------------------------------------------------------- which buttons show


def test_buttons_follow_the_state_table(admin_client, policies):
    """CON-1: only the operations allowed from the current state are offered."""
    applied = apply("damoa-standard")
    assert offered(admin_client, applied) == {
        "hold",
        "reject",
        "upload_document",
        "reschedule",
        "withdraw",
        "add_special_term",
    }
    held = apply("flow-business-monthly")
    admin_client.post(action_url(held, "hold"), {"reasons": ["technical"]})
    assert offered(admin_client, held) == {
        "approve",
        "reject",
        "upload_document",
        "reschedule",
        "add_special_term",
    }
    waiting = approved("damoa-standard", activation=D(2026, 3, 9))
    assert offered(admin_client, waiting) == {"reschedule", "withdraw", "change_seats", "add_special_term"}
    running = active("dcloud-vm-standard")
    assert offered(admin_client, running) == {
        "terminate_customer",
        "terminate_operator",
        "suspend",
        "stop_renewal",
        "change_seats",
        "change_plan",
        "add_special_term",
    }  # dcloud has no cooling-off window (CON-8), so no withdrawal
    page = admin_client.get(change_url(running)).content.decode()
    assert 'data-action="suspend"' in page and 'data-action="approve"' not in page
    assert 'data-disabled-action="approve"' not in page  # refused by the state alone: not shown at all


def test_approve_shown_disabled_with_its_reason(admin_client, policies):
    """CON-3: while a required document is missing, approval is shown disabled with the CON-3 reason
    (``offered_actions``), not as a button."""
    applied = apply("damoa-standard")
    page = admin_client.get(change_url(applied))
    disabled = {a["name"]: a["reason"] for a in page.context["disabled_actions"]}
    assert "approve" not in offered(admin_client, applied)
    assert disabled["approve"].startswith("CON-3")
    assert 'data-disabled-action="approve"' in page.content.decode()


def test_illegal_action_posted_anyway_is_refused(admin_client, policies):
    """CON-1: an operation not offered is refused with the rule and changes nothing, even if posted."""
    applied = apply("damoa-standard", docs=True)
    assert_refused(admin_client, applied, "activate", {}, "CON-1")
    assert_refused(admin_client, applied, "suspend", {"reason": "x", "days": "3"}, "CON-1")
    running = active("officecore-standard-monthly")
    assert_refused(admin_client, running, "approve", {"note": ""}, "CON-1")
    assert admin_client.get(action_url(running, "approve")).status_code == 302
    assert admin_client.get(action_url(running, "no_such_action")).status_code == 404


# --------------------------------------------------------------------------- application review


def test_approve_with_a_missing_document_shows_con3(admin_client, policies):
    """CON-3: approval is refused while a required document is missing; the message names CON-3."""
    contract = apply("kgmsg-standard")
    before = _snapshot(contract)
    page = admin_client.get(action_url(contract, "approve"), follow=True)  # back to the contract page
    notes = messages_of(page)
    assert any(m.startswith("CON-3") and "통신서비스 이용증명원" in m for m in notes), notes
    response = admin_client.post(
        action_url(contract, "approve"), {"note": "", "activation_date": ""}, follow=True
    )
    notes = messages_of(response)
    assert any(m.startswith("CON-3") and "통신서비스 이용증명원" in m for m in notes), notes
    assert _snapshot(contract) == before


def test_upload_then_approve(admin_client, admin_user, policies):
    """CON-3, CON-1, CON-4: staff upload the documents, then approve with an activation date; the transition
    names the staff user."""
    contract = apply("damoa-standard", start=D(2026, 3, 5))
    for kind in contract.plan.required_documents:
        response = admin_client.post(
            action_url(contract, "upload_document"),
            {"kind": kind, "file": SimpleUploadedFile(f"{kind}.pdf", b"scan")},
        )
        assert response.status_code == 302, messages_of(response)
    assert contract.documents.count() == 2
    assert contract.documents.first().uploaded_by == admin_user
    response = admin_client.post(
        action_url(contract, "approve"), {"note": "서류 확인", "activation_date": "2026-03-06"}
    )
    assert response.status_code == 302
    assert response.url == change_url(contract)
    contract.refresh_from_db()
    assert (contract.status, contract.activation_date, contract.decided_by) == (
        S.APPROVED,
        D(2026, 3, 6),
        admin_user,
    )
    transition = last_transition(contract)
    assert (transition.from_status, transition.to_status) == (S.APPLIED, S.APPROVED)
    assert (transition.user, transition.actor, transition.on_date) == (admin_user, "user:admin", TODAY)


def test_hold_and_reject(admin_client, admin_user, policies):
    """CON-2: hold needs reasons from the list (the service names CON-2 when none is picked); a held
    application can be rejected with reasons and a note."""
    contract = apply("dcloud-vm-standard")
    assert_refused(admin_client, contract, "hold", {"note": "사유 없음"}, "CON-2")
    response = admin_client.post(
        action_url(contract, "hold"), {"reasons": ["no_capacity"], "note": "증설 대기"}
    )
    assert response.status_code == 302
    contract.refresh_from_db()
    assert (contract.status, contract.hold_reasons) == (S.HELD, ["no_capacity"])
    response = admin_client.post(
        action_url(contract, "reject"), {"reasons": ["false_documents", "other"], "note": "서류 위조"}
    )
    assert response.status_code == 302
    contract.refresh_from_db()
    assert (contract.status, contract.rejection_reasons) == (S.REJECTED, ["false_documents", "other"])
    assert [t.to_status for t in contract.transitions.all()] == [S.HELD, S.REJECTED]
    assert last_transition(contract).reason == "서류 위조"
    assert offered(admin_client, contract) == set()


def test_reschedule_activation(admin_client, policies):
    """CON-4: staff move the activation date with a reason; the change is logged (the service refuses a
    missing reason with CON-4)."""
    contract = approved("dcloud-vm-standard", activation=D(2026, 3, 9))
    assert_refused(admin_client, contract, "reschedule", {"new_date": "2026-03-20", "reason": ""}, "CON-4")
    response = admin_client.post(
        action_url(contract, "reschedule"), {"new_date": "2026-03-20", "reason": "랙 설치 지연"}
    )
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.activation_date == D(2026, 3, 20)
    change = ScheduleChange.objects.get(contract=contract)
    assert (change.old_date, change.new_date, change.reason, change.actor) == (
        D(2026, 3, 9),
        D(2026, 3, 20),
        "랙 설치 지연",
        "user:admin",
    )


def test_activate_now_only_when_due(admin_client, policies):
    """CON-4: "activate now" shows only once the activation date has come; it starts the first period."""
    later = approved("damoa-standard", activation=D(2026, 3, 10))
    assert "activate" not in offered(admin_client, later)
    assert_refused(admin_client, later, "activate", {}, "CON-4")  # the service's own refusal
    due = approved("officecore-standard-monthly", activation=TODAY)
    assert "activate" in offered(admin_client, due)
    assert admin_client.get(action_url(due, "activate")).status_code == 200
    response = admin_client.post(action_url(due, "activate"), {})
    assert response.status_code == 302
    due.refresh_from_db()
    assert (due.status, due.activated_on) == (S.ACTIVE, TODAY)
    assert ContractPeriod.objects.filter(contract=due, number=1, starts_on=TODAY).exists()
    assert last_transition(due).to_status == S.ACTIVE


def test_withdraw(admin_client, policies):
    """CON-8: an application is withdrawn; an active officecore contract only inside 7 days of start."""
    contract = apply("damoa-standard")
    response = admin_client.post(action_url(contract, "withdraw"), {"reason": "고객 요청"})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert (contract.status, contract.withdrawn_on) == (S.WITHDRAWN, TODAY)
    inside = active("officecore-standard-monthly", start=D(2026, 2, 27))
    assert "withdraw" in offered(admin_client, inside)
    outside = active("officecore-standard-monthly", start=D(2026, 2, 2))
    assert "withdraw" not in offered(admin_client, outside)
    assert_refused(admin_client, outside, "withdraw", {"reason": ""}, "CON-8")  # the service's own refusal
    admin_client.post(action_url(inside, "withdraw"), {"reason": ""})
    inside.refresh_from_db()
    assert inside.status == S.WITHDRAWN


# --------------------------------------------------------------------------- ending a contract


def test_customer_termination_shows_the_preview_before_confirming(admin_client, admin_user, policies):
    """CON-7: termination on the customer's behalf first shows the settlement preview's lines, and only a
    confirmation for the previewed date sends the contract to terminating."""
    contract = active("damoa-standard", start=D(2026, 2, 2))
    page = admin_client.get(action_url(contract, "terminate_customer"))
    assert page.context["form"].initial["effective_on"] == TODAY  # damoa: no notice period
    response = admin_client.post(action_url(contract, "terminate_customer"), {"effective_on": "2026-03-15"})
    assert response.status_code == 200
    expected = termination.termination_preview(contract=contract, effective_on=D(2026, 3, 15), today=TODAY)
    assert response.context["preview"] == expected
    content = response.content.decode()
    assert 'id="settlement-preview"' in content
    for line in expected.lines:
        assert line.description in content
    contract.refresh_from_db()
    assert contract.status == S.ACTIVE
    # confirming another date than the previewed one previews again
    again = admin_client.post(
        action_url(contract, "terminate_customer"),
        {"effective_on": "2026-03-20", "preview_for": "2026-03-15", "_confirm": "1"},
    )
    assert again.status_code == 200 and again.context["preview"].effective_on == D(2026, 3, 20)
    done = admin_client.post(
        action_url(contract, "terminate_customer"),
        {"effective_on": "2026-03-20", "preview_for": "2026-03-20", "_confirm": "1", "reason": "사업 종료"},
    )
    assert done.status_code == 302
    contract.refresh_from_db()
    assert (contract.status, contract.termination_kind, contract.termination_effective_on) == (
        S.TERMINATING,
        TerminationKind.CUSTOMER,
        D(2026, 3, 20),
    )
    transition = last_transition(contract)
    assert (transition.to_status, transition.user) == (S.TERMINATING, admin_user)
    assert contract.termination_settlement["effective_on"] == "2026-03-20"
    page = admin_client.get(change_url(contract)).content.decode()
    assert "합계 (효력일 2026-03-20)" in page  # the stored preview is shown on the contract page


def test_customer_termination_notice_too_short(admin_client, policies):
    """CON-7: dcloud needs 7 days' notice; the preview step already names the rule and nothing changes."""
    contract = active("dcloud-vm-standard")
    page = admin_client.get(action_url(contract, "terminate_customer"))
    assert page.context["form"].initial["effective_on"] == TODAY + dt.timedelta(days=7)
    assert_refused(admin_client, contract, "terminate_customer", {"effective_on": "2026-03-04"}, "CON-7")
    assert_refused(
        admin_client,
        contract,
        "terminate_customer",
        {"effective_on": "2026-03-04", "preview_for": "2026-03-04", "_confirm": "1"},
        "CON-7",
    )


def test_operator_termination(admin_client, policies):
    """CON-9: damoa's operator termination defaults to today + 30 explanation days; reasons come from the
    list; an earlier date is refused with CON-9."""
    contract = active("damoa-standard")
    page = admin_client.get(action_url(contract, "terminate_operator"))
    assert page.context["form"].initial["effective_on"] == TODAY + dt.timedelta(days=30)
    assert_refused(
        admin_client,
        contract,
        "terminate_operator",
        {"reasons": ["abuse"], "effective_on": "2026-03-10"},
        "CON-9",
    )
    assert_refused(admin_client, contract, "terminate_operator", {"reasons": [], "effective_on": ""}, "CON-9")
    response = admin_client.post(
        action_url(contract, "terminate_operator"),
        {"reasons": ["abuse", "spam_blacklist"], "note": "대량 스팸", "effective_on": ""},
    )
    assert response.status_code == 302
    contract.refresh_from_db()
    assert (contract.status, contract.termination_kind) == (S.TERMINATING, TerminationKind.OPERATOR)
    assert contract.termination_effective_on == D(2026, 4, 1)
    assert contract.termination_reasons == ["abuse", "spam_blacklist"]
    assert last_transition(contract).to_status == S.TERMINATING


def test_complete_termination_when_due(admin_client, policies):
    """CON-7: "terminate now" shows once the effective date has come and moves terminating → terminated."""
    contract = active("officecore-standard-monthly", start=D(2026, 2, 2))
    termination.termination_request(contract=contract, effective_on=D(2026, 3, 1), today=D(2026, 2, 20))
    assert offered(admin_client, contract) == {"complete_termination", "add_special_term"}
    response = admin_client.post(action_url(contract, "complete_termination"), {})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert (contract.status, contract.terminated_on) == (S.TERMINATED, D(2026, 3, 1))
    assert last_transition(contract).to_status == S.TERMINATED
    assert offered(admin_client, contract) == set()


# --------------------------------------------------------------------------- suspension and appeals (CON-10)


def test_suspend_and_lift(admin_client, admin_user, policies):
    """CON-10: suspension for violation (at most the policy's 30 days) and lifting, both logged."""
    contract = active("flow-business-monthly")
    page = admin_client.get(action_url(contract, "suspend"))
    assert page.context["form"].initial["days"] == 30
    assert_refused(admin_client, contract, "suspend", {"reason": "약관 위반", "days": "45"}, "CON-10")
    response = admin_client.post(action_url(contract, "suspend"), {"reason": "약관 위반", "days": "10"})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.status == S.SUSPENDED
    record = Suspension.objects.get(contract=contract)
    assert (record.starts_on, record.planned_end_on) == (TODAY, TODAY + dt.timedelta(days=10))
    assert offered(admin_client, contract) >= {"lift_suspension", "file_appeal", "terminate_operator"}
    assert "suspend" not in offered(admin_client, contract)
    response = admin_client.post(action_url(contract, "lift_suspension"), {"reason": "원인 해소"})
    assert response.status_code == 302
    contract.refresh_from_db()
    record.refresh_from_db()
    assert (contract.status, record.lifted_on, record.lift_reason) == (S.ACTIVE, TODAY, "원인 해소")
    assert [(t.to_status, t.user) for t in contract.transitions.all()][-2:] == [
        (S.SUSPENDED, admin_user),
        (S.ACTIVE, admin_user),
    ]


def test_damoa_suspension_is_announced_first(admin_client, policies):
    """CON-10: damoa notifies 7 days before suspending; the contract stays active, the lift button cancels."""
    contract = active("damoa-standard")
    admin_client.post(action_url(contract, "suspend"), {"reason": "위반", "days": "5"})
    contract.refresh_from_db()
    record = Suspension.objects.get(contract=contract)
    assert (contract.status, record.started, record.starts_on) == (S.ACTIVE, False, D(2026, 3, 9))
    assert "lift_suspension" in offered(admin_client, contract)


def test_appeal_filed_and_upheld_extends_the_term(admin_client, policies):
    """CON-10: staff record a written appeal and decide it; upheld lifts the suspension and extends the
    contract by the suspended days (001 art.23-2)."""
    contract = active("flow-business-monthly", start=D(2026, 2, 2))
    suspension.suspension_schedule(contract=contract, reason="위반", today=D(2026, 2, 25), days=20)
    assert "decide_appeal" not in offered(admin_client, contract)
    response = admin_client.post(action_url(contract, "file_appeal"), {"text": "오탐입니다"})
    assert response.status_code == 302
    assert offered(admin_client, contract) >= {"decide_appeal"}
    assert "file_appeal" not in offered(admin_client, contract)
    response = admin_client.post(
        action_url(contract, "decide_appeal"), {"decision": "upheld", "note": "오탐 확인"}
    )
    assert response.status_code == 302
    contract.refresh_from_db()
    record = Suspension.objects.get(contract=contract)
    assert (record.appeal, record.lifted_on, contract.status) == (Suspension.Appeal.UPHELD, TODAY, S.ACTIVE)
    assert contract.periods.get().extension_days == 5  # 2026-02-25 .. 2026-03-02
    assert last_transition(contract).to_status == S.ACTIVE


def test_appeal_dismissed(admin_client, policies):
    """CON-10: a dismissed appeal leaves the suspension running."""
    contract = active("flow-business-monthly")
    suspension.suspension_schedule(contract=contract, reason="위반", today=TODAY, days=5)
    record = Suspension.objects.get(contract=contract)
    suspension.appeal_file(suspension=record, text="이의", today=TODAY)
    response = admin_client.post(action_url(contract, "decide_appeal"), {"decision": "dismissed", "note": ""})
    assert response.status_code == 302
    record.refresh_from_db()
    contract.refresh_from_db()
    assert (record.appeal, record.lifted_on, contract.status) == (
        Suspension.Appeal.DISMISSED,
        None,
        S.SUSPENDED,
    )


# --------------------------------------------------------------------------- renewal, changes, special terms


def test_stop_renewal(admin_client, policies):
    """CON-6: staff record the customer's notice not to renew before the deadline."""
    contract = active("dcloud-vm-standard")
    response = admin_client.post(action_url(contract, "stop_renewal"), {"reason": "서면 통지 접수"})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert (contract.renewal_stopped, contract.renewal_stop_reason) == (True, "서면 통지 접수")
    assert "stop_renewal" not in offered(admin_client, contract)


def test_change_seats(admin_client, policies):
    """ACC-5, BIL-5: a seat change is recorded for billing; the same number is refused with ACC-5."""
    contract = active("officecore-standard-monthly")
    assert admin_client.get(action_url(contract, "change_seats")).context["form"].initial["seats"] == 50
    assert_refused(admin_client, contract, "change_seats", {"seats": "50"}, "ACC-5")
    response = admin_client.post(action_url(contract, "change_seats"), {"seats": "55"})
    assert response.status_code == 302
    contract.refresh_from_db()
    change = ContractChange.objects.get(contract=contract)
    assert (contract.seats, change.kind, change.quantity, change.actor) == (
        55,
        ContractChange.Kind.SEATS_ADDED,
        5,
        "user:admin",
    )


def test_change_plan_and_cycle(admin_client, policies):
    """CON-11: a monthly contract moves to the annual plan; during a running annual term the change is
    refused with CON-11."""
    contract = active("officecore-standard-monthly")
    annual = Plan.objects.get(code="officecore-standard-annual")
    response = admin_client.post(
        action_url(contract, "change_plan"), {"plan": annual.pk, "billing_cycle": "annual"}
    )
    assert response.status_code == 302
    contract.refresh_from_db()
    assert (contract.plan, contract.billing_cycle) == (annual, BillingCycle.ANNUAL)
    assert set(ContractChange.objects.filter(contract=contract).values_list("kind", flat=True)) == {
        "plan",
        "cycle",
    }
    locked = active("flow-business-annual")
    monthly = Plan.objects.get(code="flow-business-monthly")
    assert_refused(
        admin_client, locked, "change_plan", {"plan": monthly.pk, "billing_cycle": "monthly"}, "CON-11"
    )


def test_add_special_term_overrides_the_value_everywhere(admin_client, policies):
    """CON-12: a special term overrides one parameter; the policy panel and the termination form use it."""
    contract = active("dcloud-vm-standard")
    form = admin_client.get(action_url(contract, "add_special_term")).context["form"]
    assert "customer_termination_notice_days" in dict(form.fields["parameter"].choices)
    assert_refused(
        admin_client,
        contract,
        "add_special_term",
        {
            "parameter": "customer_termination_notice_days",
            "value": '"열흘"',
            "note": "x",
            "signed_on": "2026-03-02",
        },
        "CON-12",
    )
    response = admin_client.post(
        action_url(contract, "add_special_term"),
        {
            "parameter": "customer_termination_notice_days",
            "value": "3",
            "note": "해지 통지 3일로 단축",
            "signed_on": "2026-03-01",
        },
    )
    assert response.status_code == 302
    term = SpecialTerm.objects.get(contract=contract)
    assert (term.value, term.active) == (3, True)
    page = admin_client.get(change_url(contract)).content.decode()
    assert "특약 (2026-03-01 체결)" in page
    termination_form = admin_client.get(action_url(contract, "terminate_customer")).context["form"]
    assert termination_form.initial["effective_on"] == TODAY + dt.timedelta(days=3)


def test_every_operation_writes_its_record(admin_client, policies):
    """CON-1: every transition button leaves one ContractTransition naming the staff user; the other
    operations leave their own record, never a status change."""
    contract = apply("damoa-standard", docs=True)
    before = ContractTransition.objects.count()
    admin_client.post(
        action_url(contract, "add_special_term"),
        {
            "parameter": "renewal_reminder_days",
            "value": "45",
            "note": "안내 45일 전",
            "signed_on": "2026-03-02",
        },
    )
    admin_client.post(action_url(contract, "reschedule"), {"new_date": "2026-03-04", "reason": "고객 일정"})
    assert ContractTransition.objects.count() == before  # no state change
    admin_client.post(action_url(contract, "approve"), {"note": ""})
    assert ContractTransition.objects.count() == before + 1
    contract.refresh_from_db()
    assert (contract.status, contract.activation_date) == (S.APPROVED, D(2026, 3, 4))
    assert ContractTransition.objects.filter(user__username="admin").count() == 1
