"""What may be done to a contract now: one answer (``contracts.services.actions.offered_actions``)
rendered by the portal (forms), the API (``actions`` in the contract detail) and the back office
(buttons), for every contract state (CON-1, CON-3, CON-4, CON-6..8, CON-10, ACC-4).

Contracts are walked to each state through the services; the clock is frozen so every interface's
``today`` is the same day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from contracts.models import Contract, ContractStatus, Plan
from contracts.presets import load_presets
from contracts.services import applications, renewal, suspension, termination
from contracts.services.actions import (
    CUSTOMER_CODES,
    STAFF_AUDIENCE,
    Audience,
    offered_actions,
)
from core import clock
from core.errors import DomainError
from tests.factories import AdminMemberFactory, MemberFactory

D = dt.date
APPLIED, START = D(2026, 1, 2), D(2026, 1, 5)
pytestmark = pytest.mark.django_db

# The customer's operation and the staff operation that does the same thing for the customer.
SAME_OPERATION = {
    "upload_document": "upload_document",
    "withdraw": "withdraw",
    "terminate": "terminate_customer",
    "stop_renewal": "stop_renewal",
    "file_appeal": "file_appeal",
}


def _plan(code: str) -> Plan:
    load_presets()
    return Plan.objects.select_related("policy").get(code=code)


def _apply(member: Any, code: str, *, start: dt.date = START, docs: bool = False) -> Contract:
    plan = _plan(code)
    contract = applications.contract_apply(
        customer=member.customer, plan=plan, requested_start=start, today=APPLIED, member=member
    )
    if docs:
        for kind in plan.required_documents:
            applications.document_upload(
                contract=contract, kind=kind, upload=SimpleUploadedFile(f"{kind}.pdf", b"%PDF"), today=APPLIED
            )
    return contract


def _active(member: Any, code: str) -> Contract:
    contract = _apply(member, code, docs=True)
    applications.contract_approve(contract=contract, today=APPLIED)
    applications.contract_activate(contract=contract, today=START)
    return Contract.objects.get(pk=contract.pk)


# Each builder walks a fresh contract to a state and returns it with the day the interfaces are asked on.
def _applied(m: Any) -> tuple[Contract, dt.date]:
    return _apply(m, "damoa-standard", start=D(2026, 1, 20)), D(2026, 1, 3)


def _applied_with_documents(m: Any) -> tuple[Contract, dt.date]:
    return _apply(m, "damoa-standard", start=D(2026, 1, 20), docs=True), D(2026, 1, 19)


def _held(m: Any) -> tuple[Contract, dt.date]:
    contract = _apply(m, "flow-business-monthly", start=D(2026, 1, 20))
    applications.contract_hold(contract=contract, reasons=["technical"], today=APPLIED)
    return contract, D(2026, 1, 3)


def _rejected(m: Any) -> tuple[Contract, dt.date]:
    contract = _apply(m, "flow-business-monthly")
    applications.contract_reject(contract=contract, reasons=["false_documents"], today=APPLIED)
    return contract, D(2026, 1, 3)


def _approved(m: Any) -> tuple[Contract, dt.date]:
    contract = _apply(m, "officecore-standard-monthly", start=D(2026, 1, 20), docs=True)
    applications.contract_approve(contract=contract, today=APPLIED)
    return contract, D(2026, 1, 3)


def _active_in_window(m: Any) -> tuple[Contract, dt.date]:
    return _active(m, "officecore-standard-monthly"), D(2026, 1, 8)


def _active_after_window(m: Any) -> tuple[Contract, dt.date]:
    return _active(m, "officecore-standard-monthly"), D(2026, 1, 13)


def _active_without_window(m: Any) -> tuple[Contract, dt.date]:
    return _active(m, "dcloud-vm-standard"), D(2026, 1, 8)


def _suspended(m: Any) -> tuple[Contract, dt.date]:
    contract = _active(m, "flow-business-monthly")
    suspension.suspension_schedule(contract=contract, reason="약관 위반", today=D(2026, 2, 2), days=5)
    return contract, D(2026, 2, 2)


def _terminating(m: Any) -> tuple[Contract, dt.date]:
    contract = _active(m, "damoa-standard")
    termination.termination_request(contract=contract, effective_on=D(2026, 3, 20), today=D(2026, 3, 2))
    return contract, D(2026, 3, 2)


def _terminated(m: Any) -> tuple[Contract, dt.date]:
    contract, _today = _terminating(m)
    termination.termination_complete(contract=contract, today=D(2026, 3, 20))
    return contract, D(2026, 3, 21)


def _withdrawn(m: Any) -> tuple[Contract, dt.date]:
    contract = _apply(m, "officecore-standard-monthly")
    termination.contract_withdraw(contract=contract, today=APPLIED)
    return contract, D(2026, 1, 3)


STATES: dict[str, Callable[[Any], tuple[Contract, dt.date]]] = {
    "applied": _applied,
    "applied_with_documents": _applied_with_documents,
    "held": _held,
    "rejected": _rejected,
    "approved": _approved,
    "active_in_window": _active_in_window,
    "active_after_window": _active_after_window,
    "active_without_window": _active_without_window,
    "suspended": _suspended,
    "terminating": _terminating,
    "terminated": _terminated,
    "withdrawn": _withdrawn,
}

# The portal renders each allowed action as a form (or a link) to its URL.
PORTAL_URLS = {
    "upload_document": "portal:contract_document_upload",
    "postpone": "portal:contract_postpone",
    "withdraw": "portal:contract_withdraw",
    "terminate": "portal:contract_terminate",
    "stop_renewal": "portal:contract_stop_renewal",
}


def _portal(client: Any, contract: Contract, today: dt.date) -> Any:
    with clock.frozen(today):
        response = client.get(reverse("portal:contract_detail", args=[contract.pk]))
    assert response.status_code == 200
    return response


def _api_actions(member: Any, contract: Contract, today: dt.date) -> list[dict[str, Any]]:
    api = APIClient()
    api.force_authenticate(member.user)
    with clock.frozen(today):
        response = api.get(reverse("api-contract-detail", args=[contract.pk]))
    assert response.status_code == 200, response.content
    return response.json()["actions"]


def _admin_buttons(admin_client: Any, contract: Contract, today: dt.date) -> set[str]:
    with clock.frozen(today):
        response = admin_client.get(reverse("admin:contracts_contract_change", args=[contract.pk]))
    assert response.status_code == 200
    return {a["name"] for a in response.context["contract_actions"]}


@pytest.mark.parametrize("state", list(STATES))
def test_portal_api_and_admin_agree(client, admin_client, state):
    """CON-1, ACC-4: for each contract state the portal's forms, the API's ``actions`` and the back office's
    buttons are exactly what ``offered_actions`` allows, and customer and staff agree on the operations
    they share."""
    member = AdminMemberFactory()
    client.force_login(member.user)
    contract, today = STATES[state](member)
    contract = Contract.objects.get(pk=contract.pk)
    customer = offered_actions(contract, audience=Audience.member(member), today=today)
    staff = offered_actions(contract, audience=STAFF_AUDIENCE, today=today)
    allowed = {a.code for a in customer if a.allowed}

    # API: the same list, in the same order, with the same answers and reasons.
    api = _api_actions(member, contract, today)
    assert [(a["code"], a["allowed"], a["reason"]) for a in api] == [
        (a.code, a.allowed, a.reason) for a in customer
    ]
    assert [a["code"] for a in api] == list(CUSTOMER_CODES)

    # Portal: a form (or link) for each allowed action and none for the others.
    response = _portal(client, contract, today)
    page = response.content.decode()
    for code, url_name in PORTAL_URLS.items():
        url = reverse(url_name, args=[contract.pk])
        assert (f'"{url}"' in page) == (code in allowed), (state, code)
    appeal_forms = [form for _s, form in response.context["suspensions"] if form is not None]
    assert bool(appeal_forms) == ("file_appeal" in allowed)
    shown_reasons = {a.code for a in customer if a.explained and a.reason in page}
    assert all(a.code in shown_reasons for a in customer if a.explained and a.code != "upload_document")

    # Back office: the buttons are the staff answer's allowed operations.
    assert _admin_buttons(admin_client, contract, today) == {a.code for a in staff if a.allowed}
    staff_allowed = {a.code for a in staff if a.allowed}
    for customer_code, staff_code in SAME_OPERATION.items():
        assert (customer_code in allowed) == (staff_code in staff_allowed), (state, customer_code)


def test_withdrawal_form_hidden_after_the_window(client, admin_client):
    """CON-8: after the cooling-off window the portal shows why withdrawal is not available and no
    withdrawal form; the API says the same without a rule id; the back office has no withdrawal button."""
    member = AdminMemberFactory()
    client.force_login(member.user)
    contract, today = _active_after_window(member)
    response = _portal(client, contract, today)
    page = response.content.decode()
    assert response.context["withdraw_form"] is None
    assert reverse("portal:contract_withdraw", args=[contract.pk]) not in page
    assert "청약 철회 기간이 2026-01-12에 끝났습니다. 해지를 신청해 주세요." in page
    api = {a["code"]: a for a in _api_actions(member, contract, today)}
    assert api["withdraw"]["allowed"] is False and api["withdraw"]["url"].endswith("/withdraw/")
    assert api["withdraw"]["reason"] == "청약 철회 기간이 2026-01-12에 끝났습니다. 해지를 신청해 주세요."
    assert "withdraw" not in _admin_buttons(admin_client, contract, today)


def test_withdrawal_offered_inside_the_window(client):
    """CON-8: inside the window the portal shows the deadline and the form."""
    member = AdminMemberFactory()
    client.force_login(member.user)
    contract, today = _active_in_window(member)
    response = _portal(client, contract, today)
    assert response.context["withdraw_form"] is not None
    assert "청약 철회 기간은 2026-01-12까지입니다" in response.content.decode()


def test_reasons_name_the_rule_for_staff_only(client):
    """CON-8, ACC-4: staff see the refusing rule id; customers get the same sentence without it."""
    member = AdminMemberFactory()
    contract, today = _active_after_window(member)
    staff = {a.code: a for a in offered_actions(contract, audience=STAFF_AUDIENCE, today=today)}
    customer = {a.code: a for a in offered_actions(contract, audience=Audience.member(member), today=today)}
    assert staff["withdraw"].rule == "CON-8" and staff["withdraw"].reason.startswith("CON-8: ")
    assert customer["withdraw"].rule is None
    assert staff["withdraw"].reason == "CON-8: " + customer["withdraw"].reason
    assert all("CON-" not in a.reason and "ACC-" not in a.reason for a in customer.values())


def test_refusal_is_the_services_own(client):
    """CON-8, CON-4: an action's refusal is the error its service raises for the same contract and day."""
    member = AdminMemberFactory()
    contract, today = _active_after_window(member)
    offered = {a.code: a for a in offered_actions(contract, audience=STAFF_AUDIENCE, today=today)}
    with pytest.raises(DomainError) as withdraw:
        termination.contract_withdraw(contract=contract, today=today)
    assert (withdraw.value.code, withdraw.value.message) == (
        offered["withdraw"].refusal,
        offered["withdraw"].reason,
    )
    later, _today = _applied(member)
    late = D(2026, 1, 19)  # damoa: postponement up to 3 days before 2026-01-20
    offered_to_customer = offered_actions(later, audience=Audience.member(member), today=late)
    postpone = next(a for a in offered_to_customer if a.code == "postpone")
    with pytest.raises(DomainError) as refused:
        applications.activation_postpone(contract=later, new_date=D(2026, 1, 30), today=late)
    assert (postpone.allowed, postpone.refusal) == (False, refused.value.code)


def test_plain_member_sees_no_forms(client):
    """ACC-4: a member who is not a customer admin is offered nothing to do; the API says why."""
    owner = AdminMemberFactory()
    contract, today = _active_in_window(owner)
    member = MemberFactory(customer=owner.customer)
    client.force_login(member.user)
    response = _portal(client, contract, today)
    for name in ("withdraw_form", "renewal_form", "postpone_form", "document_form"):
        assert response.context[name] is None
    assert response.context["can_terminate"] is False
    api = {a["code"]: a for a in _api_actions(member, contract, today)}
    assert api["withdraw"]["allowed"] is False
    assert api["withdraw"]["reason"] == "고객사 관리자만 할 수 있습니다."


def test_terminate_page_refused_when_not_offered(client):
    """CON-7: the termination page is not shown for a contract that cannot be terminated now."""
    member = AdminMemberFactory()
    client.force_login(member.user)
    contract, today = _applied(member)
    with clock.frozen(today):
        response = client.get(reverse("portal:contract_terminate", args=[contract.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal:contract_detail", args=[contract.pk])
    contract.refresh_from_db()
    assert contract.status == ContractStatus.APPLIED


def test_stop_renewal_once(client):
    """CON-6: once the renewal is stopped, stopping it again is refused and no longer offered."""
    member = AdminMemberFactory()
    contract, today = _active_without_window(member)
    renewal.renewal_stop(contract=contract, today=today)
    contract.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        renewal.renewal_stop(contract=contract, today=today)
    assert (refused.value.code, refused.value.rule) == ("renewal_already_stopped", "CON-6")
    offered = {a.code: a for a in offered_actions(contract, audience=Audience.member(member), today=today)}
    assert offered["stop_renewal"].allowed is False
