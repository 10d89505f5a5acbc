"""Contract back office: list, search, filters, the application form, the change page with its read-only
logs and policy panel, the application queue, bulk actions and the query-count pins (CON-1..4, CON-12).

The helpers here are shared with ``test_admin_*.py``: contracts are built through the services, as
in ``test_smoke_flow.py``, on top of ``load_presets()``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts import selectors
from contracts.models import (
    ApplicationCheck,
    Contract,
    ContractStatus,
    ContractTransition,
    Plan,
    Policy,
    RejectionReason,
    SpecialTerm,
    TerminationKind,
)
from contracts.presets import load_presets
from contracts.services import applications, changes, suspension
from core import clock
from tests.factories import AdminMemberFactory, CustomerFactory

pytestmark = pytest.mark.django_db

D = dt.date
TODAY = D(2026, 3, 2)  # a Monday
STARTED = D(2026, 2, 27)  # default activation of ``active()``: inside officecore's 7-day cooling-off
CHANGELIST = "admin:contracts_contract_changelist"
QUEUE = "admin:contracts_contract_queue"


# --------------------------------------------------------------------------- shared helpers


@pytest.fixture(autouse=True)
def _frozen_today():
    """The admin reads "today" from ``core.clock``; every test runs on TODAY."""
    with clock.frozen(TODAY):
        yield


@pytest.fixture
def policies() -> dict[str, Policy]:
    """Version 1 of each preset, by code (named apart from the rule tests' ``presets``)."""
    return {p.code: p for p in load_presets()}


def apply(
    plan_code: str,
    *,
    customer: Any = None,
    today: dt.date = TODAY,
    start: dt.date | None = None,
    docs: bool = False,
) -> Contract:
    """An application through the service, optionally with every required document."""
    member = AdminMemberFactory(customer=customer) if customer else AdminMemberFactory()
    contract = applications.contract_apply(
        customer=member.customer,
        plan=Plan.objects.get(code=plan_code),
        requested_start=start or today,
        today=today,
        member=member,
    )
    if docs:
        upload_all(contract, today)
    return contract


def upload_all(contract: Contract, today: dt.date = TODAY) -> None:
    for kind in contract.plan.required_documents:
        applications.document_upload(
            contract=contract,
            kind=kind,
            upload=SimpleUploadedFile(f"{kind}.pdf", b"%PDF-1.4 test"),
            today=today,
        )


def approved(plan_code: str, *, activation: dt.date = TODAY, **kwargs: Any) -> Contract:
    contract = apply(plan_code, docs=True, today=min(activation, TODAY), start=activation, **kwargs)
    return applications.contract_approve(contract=contract, today=min(activation, TODAY))


def active(plan_code: str, *, start: dt.date = STARTED, **kwargs: Any) -> Contract:
    """Activated on ``start`` (a few days before TODAY unless told)."""
    contract = apply(plan_code, docs=True, today=start, start=start, **kwargs)
    applications.contract_approve(contract=contract, today=start)
    applications.contract_activate(contract=contract, today=start)
    contract.refresh_from_db()
    return contract


def change_url(contract: Contract) -> str:
    return reverse("admin:contracts_contract_change", args=[contract.pk])


def action_url(contract: Contract, name: str) -> str:
    return reverse("admin:contracts_contract_action", args=[contract.pk, name])


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def offered(client: Any, contract: Contract) -> set[str]:
    response = client.get(change_url(contract))
    assert response.status_code == 200
    return {a["name"] for a in response.context["contract_actions"]}


def last_transition(contract: Contract) -> ContractTransition:
    return ContractTransition.objects.filter(contract=contract).order_by("id").last()  # type: ignore[return-value]


# --------------------------------------------------------------------------- changelist


def test_changelist_search_and_filters(admin_client, policies):
    """CON-1: the contract list searches by customer name, business number, plan and number, and filters
    by status, policy, billing cycle and termination kind."""
    office = apply("officecore-standard-monthly")
    cloud = active("dcloud-vm-standard")
    url = reverse(CHANGELIST)
    response = admin_client.get(url)
    assert response.status_code == 200
    assert set(response.context["cl"].queryset) == {office, cloud}

    def found(**params: str) -> set[Contract]:
        page = admin_client.get(url, params)
        assert page.status_code == 200
        return set(page.context["cl"].queryset)

    assert found(q=office.customer.legal_name) == {office}
    assert found(q=cloud.customer.business_number) == {cloud}
    assert found(q="dcloud-vm") == {cloud}
    assert found(q="오피스코어") == {office}
    assert found(q=cloud.number) == {cloud}
    assert found(status__exact="active") == {cloud}
    assert found(plan__policy__code="officecore") == {office}
    assert found(plan__policy__code__exact="dcloud") == {cloud}  # the links of Django's own filter
    assert found(billing_cycle__exact="monthly") == {office, cloud}
    assert found(termination_kind__exact=TerminationKind.OPERATOR) == set()
    assert found(applied_on__year="2026", applied_on__month="3") == {office}
    content = response.content.decode()
    assert office.number in content and "신청 심사 대기 (1)" in content


def test_changelist_query_count_is_fixed(admin_client, policies, django_assert_max_num_queries):
    """CON-1: the list costs the same number of queries for 2 contracts as for 12 (list_select_related)."""
    url = reverse(CHANGELIST)
    for code in ("officecore-standard-monthly", "dcloud-vm-standard"):
        active(code)
    admin_client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(url).status_code == 200
    for _ in range(5):
        apply("damoa-standard")
        active("flow-business-monthly")
    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(url)
    assert response.context["cl"].result_count == 12
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    with django_assert_max_num_queries(len(few)):
        admin_client.get(url)


def test_queue_query_count_is_fixed(admin_client, policies):
    """CON-2, CON-3: the queue's check and document columns come from prefetches, not one query per row."""
    url = reverse(QUEUE)
    apply("kgmsg-standard")
    admin_client.get(url)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)
    for _ in range(6):
        apply("kgmsg-standard", docs=True)
        apply("damoa-standard")
    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(url)
    assert response.context["cl"].result_count == 13
    assert len(many) == len(few)


# --------------------------------------------------------------------------- add = application (CON-1)


def test_add_page_applies_through_the_service(admin_client, admin_user, policies):
    """CON-1, CON-2: the add page is the application form; posting calls contract_apply, which runs the
    automatic checks, and the history names the staff user."""
    url = reverse("admin:contracts_contract_add")
    page = admin_client.get(url)
    assert page.status_code == 200
    assert set(page.context["form"].fields) >= {"customer", "plan", "requested_start", "seats"}
    member = AdminMemberFactory()
    plan = Plan.objects.get(code="dcloud-vm-standard")
    response = admin_client.post(
        url,
        {
            "customer": member.customer.pk,
            "plan": plan.pk,
            "member": member.pk,
            "requested_start": "2026-03-10",
            "billing_cycle": "",
            "seats": "2",
            "term_months": "",
        },
    )
    contract = Contract.objects.get(customer=member.customer)
    assert response.status_code == 302
    assert response.url == change_url(contract)
    assert (contract.status, contract.seats, contract.applied_on) == (ContractStatus.APPLIED, 2, TODAY)
    assert contract.requested_start == D(2026, 3, 10)
    assert ApplicationCheck.objects.filter(contract=contract).exists()
    assert contract.history.first().history_user == admin_user
    # the customer and member pickers search through the customer and member admins
    found = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "contracts",
            "model_name": "contract",
            "field_name": "customer",
            "term": member.customer.legal_name,
        },
    )
    assert found.status_code == 200
    assert [r["id"] for r in found.json()["results"]] == [str(member.customer.pk)]


def test_add_page_shows_service_refusal(admin_client, policies):
    """CON-4: a start date in the past is refused by the service; the rule is shown and nothing is made."""
    customer = CustomerFactory()
    plan = Plan.objects.get(code="damoa-standard")
    response = admin_client.post(
        reverse("admin:contracts_contract_add"),
        {"customer": customer.pk, "plan": plan.pk, "requested_start": "2026-02-01"},
    )
    assert response.status_code == 200
    assert any(m.startswith("CON-4") for m in messages_of(response))
    assert not Contract.objects.exists()


def test_add_page_refuses_duplicate_application(admin_client, policies):
    """CON-1: a second open application for the same plan is refused with the rule."""
    first = apply("damoa-standard")
    response = admin_client.post(
        reverse("admin:contracts_contract_add"),
        {"customer": first.customer.pk, "plan": first.plan.pk, "requested_start": "2026-03-05"},
    )
    assert response.status_code == 200
    assert any("CON-1" in m for m in messages_of(response))
    assert Contract.objects.count() == 1


# --------------------------------------------------------------------------- change page


def _change_post_data(response: Any, **overrides: str) -> dict[str, Any]:
    """The change form's POST: the editable fields plus each inline's management form."""
    data: dict[str, Any] = {}
    form = response.context["adminform"].form
    for name in form.fields:
        data[name] = form[name].value() or ""
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
    data.update(overrides)
    return data


def test_change_page_is_read_only_but_for_the_memo(admin_client, policies):
    """CON-1: status and lifecycle fields are read-only; saving the memo changes nothing else."""
    contract = active("officecore-standard-monthly")
    url = change_url(contract)
    page = admin_client.get(url)
    assert page.status_code == 200
    assert list(page.context["adminform"].form.fields) == ["decision_note"]
    Contract.objects.filter(pk=contract.pk).update(seats=7)  # a change made meanwhile is not overwritten
    response = admin_client.post(url, _change_post_data(page, decision_note="전화로 확인함"))
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    contract.refresh_from_db()
    assert (contract.decision_note, contract.status, contract.seats) == (
        "전화로 확인함",
        ContractStatus.ACTIVE,
        7,
    )


def test_change_page_shows_logs_and_effective_policy(admin_client, policies):
    """CON-12: the page lists periods, documents, checks, transitions, schedule changes, suspensions, special
    terms (with the policy value they override) and changes; the policy panel names each value's source."""
    contract = active("damoa-standard")
    changes.seats_change(contract=contract, seats=9, today=TODAY)
    changes.special_term_set(
        contract=contract,
        parameter="operator_termination_explanation_days",
        value=45,
        note="대형 고객 소명 기간 연장",
        signed_on=D(2026, 2, 20),
    )
    suspension.suspension_schedule(contract=contract, reason="스팸 발송", today=TODAY, days=10)
    response = admin_client.get(change_url(contract))
    assert response.status_code == 200
    names = {inline.formset.prefix for inline in response.context["inline_admin_formsets"]}
    assert names == {
        "periods",
        "documents",
        "checks",
        "transitions",
        "schedule_changes",
        "suspensions",
        "special_terms",
        "changes",
        "seat_assignments",
    }
    content = response.content.decode()
    assert "특약 (2026-02-20 체결)" in content  # the source of the overridden value
    assert "damoa v1" in content  # the source of values not overridden
    assert "45" in content and "30 (damoa v1)" in content  # special value next to the policy value
    assert "청약 철회 기한" in content
    assert "스팸 발송" in content and "business_registration.pdf" in content
    for inline in response.context["inline_admin_formsets"]:
        assert not inline.has_add_permission and not inline.has_change_permission


def test_document_download_link(admin_client, policies):
    """CON-3: uploaded documents download from the contract page."""
    contract = apply("damoa-standard", docs=True)
    document = contract.documents.get(kind="application_form")
    page = admin_client.get(change_url(contract)).content.decode()
    url = reverse("admin:contracts_contract_document", args=[contract.pk, document.pk])
    assert url in page
    response = admin_client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
    assert "application_form.pdf" in response["Content-Disposition"]
    other = apply("damoa-standard")
    assert (
        admin_client.get(
            reverse("admin:contracts_contract_document", args=[other.pk, document.pk])
        ).status_code
        == 404
    )


def test_contracts_cannot_be_deleted(admin_client, policies):
    """CON-1: contracts end through their lifecycle, never by deletion."""
    contract = apply("damoa-standard")
    assert admin_client.get(reverse("admin:contracts_contract_delete", args=[contract.pk])).status_code == 403
    page = admin_client.get(reverse(CHANGELIST))
    assert "delete_selected" not in page.content.decode()


# --------------------------------------------------------------------------- queue (CON-2, CON-3)


def test_queue_lists_applications_with_checks_and_missing_documents(admin_client, policies):
    """CON-2, CON-3: the queue lists applied and held contracts only, with each automatic check's result
    and the required documents still missing."""
    repeat = CustomerFactory()
    old = apply("dcloud-vm-standard", customer=repeat, docs=True)
    Contract.objects.filter(pk=old.pk).update(status=ContractStatus.TERMINATED, termination_kind="operator")
    flagged = apply("kgmsg-standard", customer=repeat)
    complete = apply("damoa-standard", docs=True)
    held = applications.contract_hold(
        contract=apply("flow-business-monthly"), reasons=["technical"], today=TODAY
    )
    running = active("officecore-standard-monthly")
    response = admin_client.get(reverse(QUEUE))
    assert response.status_code == 200
    assert response.context["title"] == "신청 심사 대기"
    assert "badge-fail { background" in response.content.decode()  # the contracts list template
    assert list(response.context["cl"].queryset) == [flagged, complete, held]  # oldest first (then by id)
    assert running not in response.context["cl"].queryset
    content = response.content.decode()
    fail = RejectionReason.PREVIOUS_FORCED_TERMINATION.label
    assert f'<span class="badge badge-fail" title="직권 해지 이력 1건">✘ {fail}</span>' in content
    assert "✔ " + str(RejectionReason.UNPAID_OTHER_CONTRACT.label) in content
    assert (
        '<span class="badge badge-fail">통신서비스 이용증명원</span>' in content
    )  # kgmsg's telecom certificate
    assert "모두 제출" in content  # damoa's complete file
    assert "기술상 장애" in content  # the held one's reason
    held_only = admin_client.get(reverse(QUEUE), {"status": "held"})
    assert list(held_only.context["cl"].queryset) == [held]


def test_queue_missing_documents_match_the_service(policies):
    """CON-3: the queue's prefetched reading (``selectors.review_queue``) equals a fresh
    applications.missing_documents."""
    contracts = [apply("kgmsg-standard"), apply("damoa-standard", docs=True), apply("flow-business-annual")]
    applications.document_upload(
        contract=contracts[0], kind="seal_certificate", upload=SimpleUploadedFile("s.pdf", b"x"), today=TODAY
    )
    queued = list(selectors.review_queue().select_related("plan"))
    assert {c.pk for c in queued} == {c.pk for c in contracts}
    for contract in queued:
        fresh = Contract.objects.get(pk=contract.pk)
        assert applications.missing_documents(contract) == applications.missing_documents(fresh)
    assert applications.missing_documents(next(c for c in queued if c.pk == contracts[1].pk)) == []


# --------------------------------------------------------------------------- bulk actions


def test_bulk_approve_approves_ready_and_names_the_rule_for_the_rest(admin_client, admin_user, policies):
    """CON-1, CON-3: "approve selected" approves each ready application through the service and reports
    a missing document with CON-3, changing nothing for that one. Issue 15: a confirmation page listing
    the chosen applications comes first and approves nothing."""
    ready = apply("damoa-standard", docs=True)
    missing = apply("dcloud-vm-standard")
    selected = {"action": "approve_selected", "_selected_action": [ready.pk, missing.pk]}
    confirm = admin_client.post(reverse(QUEUE), selected)
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "승낙할까요" in page or "계속할까요" in page
    for contract in (ready, missing):
        assert reverse("admin:contracts_contract_change", args=[contract.pk]) in page
        assert f'name="_selected_action" value="{contract.pk}"' in page
        contract.refresh_from_db()
        assert contract.status == ContractStatus.APPLIED  # nothing approved yet
    assert 'name="apply"' in page and f'href="{reverse(QUEUE)}"' in page  # the button and the way back
    response = admin_client.post(reverse(QUEUE), {**selected, "apply": "1"})
    assert response.status_code == 302
    ready.refresh_from_db()
    missing.refresh_from_db()
    assert (ready.status, missing.status) == (ContractStatus.APPROVED, ContractStatus.APPLIED)
    transition = last_transition(ready)
    assert (transition.to_status, transition.user) == (ContractStatus.APPROVED, admin_user)
    notes = messages_of(response)
    assert any(m.startswith(f"{missing.number}: CON-3") for m in notes)
    assert any("1건" in m for m in notes)
    assert not ContractTransition.objects.filter(contract=missing).exists()


def test_bulk_hold_asks_for_reasons(admin_client, admin_user, policies):
    """CON-2: "hold selected" shows a reasons form first, then holds each contract through the service."""
    first, second = apply("damoa-standard"), apply("officecore-standard-monthly")
    url = reverse(CHANGELIST)
    selected = {"action": "hold_selected", "_selected_action": [first.pk, second.pk]}
    page = admin_client.post(url, selected)
    assert page.status_code == 200
    assert "reasons" in page.context["form"].fields and first.number in page.content.decode()
    refused = admin_client.post(url, {**selected, "apply": "1"})
    assert refused.status_code == 200
    assert "CON-2" in str(refused.context["form"].errors)
    response = admin_client.post(
        url,
        {**selected, "apply": "1", "reasons": ["no_capacity", "technical"], "note": "설비 증설 후 재심사"},
    )
    assert response.status_code == 302
    for contract in (first, second):
        contract.refresh_from_db()
        assert contract.status == ContractStatus.HELD
        assert contract.hold_reasons == ["no_capacity", "technical"]
        assert last_transition(contract).user == admin_user


def test_special_terms_inline_is_not_editable(admin_client, policies):
    """CON-12: special terms are added through the service only; the inline is a read-only log."""
    contract = active("flow-business-monthly")
    changes.special_term_set(
        contract=contract, parameter="renewal_reminder_days", value=60, note="특약", signed_on=TODAY
    )
    page = admin_client.get(change_url(contract))
    inline = next(i for i in page.context["inline_admin_formsets"] if i.formset.prefix == "special_terms")
    assert inline.formset.total_form_count() == 1
    assert SpecialTerm.objects.get().value == 60


def test_history_page_names_the_staff_user(admin_client, admin_user, policies):
    """CON-1, ACC-11: the contract's audit history renders and names the staff user of each change."""
    contract = apply("damoa-standard", docs=True)
    admin_client.post(action_url(contract, "approve"), {"note": "확인"})
    response = admin_client.get(reverse("admin:contracts_contract_history", args=[contract.pk]))
    assert response.status_code == 200
    assert contract.history.first().history_user == admin_user


def test_view_only_staff_get_no_buttons(client, policies):
    """CON-1, ACC-11: staff who may only view contracts (the billing group) see the page without
    operations, and a posted operation is refused."""
    from tests.factories import StaffUserFactory

    client.force_login(StaffUserFactory(groups=["billing"]))
    contract = apply("damoa-standard", docs=True)
    page = client.get(change_url(contract))
    assert page.status_code == 200
    assert page.context.get("contract_actions") is None
    assert 'id="contract-actions"' not in page.content.decode()
    assert client.post(action_url(contract, "approve"), {"note": ""}).status_code == 403
    assert client.get(reverse("admin:contracts_contract_add")).status_code == 403
    contract.refresh_from_db()
    assert contract.status == ContractStatus.APPLIED


def test_support_staff_run_operations(client, policies):
    """CON-1, ACC-11: the support group may change contracts, so it gets the buttons; the transition
    names that staff member."""
    from tests.factories import StaffUserFactory

    staff = StaffUserFactory(groups=["support"])
    client.force_login(staff)
    contract = apply("damoa-standard", docs=True)
    assert "approve" in offered(client, contract)
    assert client.post(action_url(contract, "approve"), {"note": ""}).status_code == 302
    transition = last_transition(contract)
    assert (transition.to_status, transition.user, transition.actor) == (
        ContractStatus.APPROVED,
        staff,
        f"user:{staff.username}",
    )
