"""Customer portal: contracts, applications, termination preview, terms consent (CON-1..13, TRM-3..6, ACC-4).

Data is built with the factories, the presets and the contracts services; the clock is frozen so the
views' ``today`` is known. Pages are requested in the default language (Korean).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contracts.models import Contract, ContractStatus, Plan, Policy, TermsConsent
from contracts.policy import policy_clone
from contracts.presets import load_presets
from contracts.services import applications, changes, suspension, terms
from core import clock
from tests.factories import AdminMemberFactory, MemberFactory

D = dt.date
APPLIED, START = D(2026, 1, 2), D(2026, 1, 5)
pytestmark = pytest.mark.django_db


def _plan(code: str) -> Plan:
    load_presets()
    return Plan.objects.select_related("policy").get(code=code)


def _active(admin, plan_code: str, *, applied: dt.date = APPLIED, start: dt.date = START):
    """An active contract through the services: apply, documents, approve, activate."""
    plan = _plan(plan_code)
    contract = applications.contract_apply(
        customer=admin.customer, plan=plan, requested_start=start, today=applied, member=admin
    )
    for kind in plan.required_documents:
        applications.document_upload(
            contract=contract, kind=kind, upload=SimpleUploadedFile(f"{kind}.pdf", b"%PDF"), today=applied
        )
    applications.contract_approve(contract=contract, today=applied)
    applications.contract_activate(contract=contract, today=start)
    return Contract.objects.get(pk=contract.pk)


def _publish_v2(v1: Policy, *, today: dt.date, effective_on: dt.date, price_increase: bool = False):
    v2 = policy_clone(policy=v1)
    return terms.terms_publish(
        policy=v2,
        previous=v1,
        effective_on=effective_on,
        reasons="개인정보 처리 조항 정비",
        today=today,
        price_increase=price_increase,
    )


@pytest.fixture
def admin(client):
    member = AdminMemberFactory()
    client.force_login(member.user)
    return member


# --------------------------------------------------------------------------- list, detail, card


def test_list_and_detail_render_in_korean_with_policy_sources(client, admin):
    """CON-1, CON-12: the list and detail pages render in Korean; a special term is shown as the source
    of the value it overrides, next to the value."""
    contract = _active(admin, "dcloud-vm-standard")
    changes.special_term_set(
        contract=contract,
        parameter="customer_termination_notice_days",
        value=3,
        note="해지 통지 3일로 단축 합의",
        signed_on=D(2026, 1, 10),
    )
    with clock.frozen(D(2026, 2, 1)):
        listing = client.get(reverse("portal:contracts"))
        detail = client.get(reverse("portal:contract_detail", args=[contract.pk]))
    assert listing.status_code == 200
    text = listing.content.decode()
    assert contract.number in text and "이용 중" in text and "계약 번호" in text
    assert detail.status_code == 200
    page = detail.content.decode()
    assert "적용되는 약관 조건" in page and "상태 변경 기록" in page and "계약 기간" in page
    row = page[page.index('id="param-customer_termination_notice_days"') :].split("</tr>")[0]
    assert "특약 (2026-01-10 체결)" in row and "해지 통지 3일로 단축 합의" in row and ">3<" in row
    # the earliest termination date uses the special term and names it as its source (CON-7, CON-12)
    assert "가장 빠른 해지 효력일: 2026-02-04 (근거: 특약 (2026-01-10 체결))" in page
    other = page[page.index('id="param-renewal_notice_days"') :].split("</tr>")[0]
    assert "dcloud v1" in other


def test_other_customers_contract_is_404(client, admin):
    """ACC-4: a member never sees another customer's contract (404, not 403)."""
    foreign = _active(AdminMemberFactory(), "damoa-standard")
    with clock.frozen(D(2026, 2, 1)):
        assert client.get(reverse("portal:contract_detail", args=[foreign.pk])).status_code == 404
        response = client.get(reverse("portal:contract_terminate", args=[foreign.pk]))
    assert response.status_code == 404


def test_home_card_shows_entitlement(client, admin):
    """CON-13: the home page summarises contracts and whether the service is usable now."""
    with clock.frozen(D(2026, 1, 3)):
        page = client.get(reverse("portal:home")).content.decode()
    assert "이용 중인 계약" in page and "이용 중인 계약이 없습니다" in page
    contract = _active(admin, "damoa-standard")
    with clock.frozen(D(2026, 2, 1)):
        page = client.get(reverse("portal:home")).content.decode()
    assert "서비스 이용 가능" in page
    suspension.suspension_schedule(contract=contract, reason="스팸 발송", today=D(2026, 2, 1), days=10)
    with clock.frozen(D(2026, 2, 9)):
        suspension.suspensions_due(today=D(2026, 2, 8))
        page = client.get(reverse("portal:home")).content.decode()
    assert "서비스 이용 가능" not in page and "이용 정지 중입니다" in page and "tone-danger" in page


def test_home_card_names_the_suspension(client, admin):
    """CON-13: a suspended customer is told the service is suspended, not that it has no contract."""
    contract = _active(admin, "flow-business-monthly")
    suspension.suspension_schedule(contract=contract, reason="스팸 발송", today=D(2026, 2, 1), days=10)
    with clock.frozen(D(2026, 2, 2)):
        page = client.get(reverse("portal:home")).content.decode()
    assert "이용 정지 중입니다" in page


# --------------------------------------------------------------------------- application


def test_apply_upload_approve_detail_shows_approved(client, admin):
    """ACC-4, CON-1, CON-3: an admin applies, uploads the required documents, staff approve (service),
    and the detail page shows the application approved."""
    plan = _plan("damoa-standard")
    with clock.frozen(D(2026, 3, 2)):
        form = client.get(reverse("portal:contract_apply"))
        assert form.status_code == 200 and "이용 신청" in form.content.decode()
        response = client.post(
            reverse("portal:contract_apply"),
            {
                "plan": plan.pk,
                "requested_start": "2026-03-16",
                "seats": "5",
                "billing_cycle": "",
                "term_months": "",
            },
        )
    contract = Contract.objects.get(customer=admin.customer)
    assert response.status_code == 302 and response.url == reverse(
        "portal:contract_detail", args=[contract.pk]
    )
    assert contract.status == ContractStatus.APPLIED and contract.applied_by == admin
    with clock.frozen(D(2026, 3, 2)):
        page = client.get(response.url).content.decode()
    assert "신청 진행 상황" in page and "미제출" in page and "사업자등록증" in page
    for kind in plan.required_documents:
        with clock.frozen(D(2026, 3, 3)):
            upload = client.post(
                reverse("portal:contract_document_upload", args=[contract.pk]),
                {"kind": kind, "file": SimpleUploadedFile(f"{kind}.pdf", b"%PDF-1.4")},
            )
        assert upload.status_code == 302
    assert contract.documents.count() == len(plan.required_documents)
    applications.contract_approve(contract=contract, today=D(2026, 3, 4), note="서류 확인")
    with clock.frozen(D(2026, 3, 4)):
        page = client.get(reverse("portal:contract_detail", args=[contract.pk])).content.decode()
    assert 'id="contract-status">승낙<' in page and "서류 확인" in page and "제출됨" in page
    # postponement deadline shown (CON-4): 3 days before 2026-03-16
    assert "개통 연기는 2026-03-13까지 신청할 수 있습니다" in page


def test_apply_refusals_are_shown_next_to_the_field(client, admin):
    """CON-4, CON-1: a start date in the past and a duplicate application are refused next to their
    field; nothing is written."""
    plan = _plan("damoa-standard")
    with clock.frozen(D(2026, 3, 2)):
        response = client.post(
            reverse("portal:contract_apply"), {"plan": plan.pk, "requested_start": "2026-03-01"}
        )
    assert response.status_code == 400
    assert Contract.objects.count() == 0
    # customers read the refusal without its rule id (issue 15)
    error = response.context["form"].errors["requested_start"][0]
    assert error == "희망 개통일 2026-03-01은(는) 오늘(2026-03-02) 이전입니다."
    assert "CON-4" not in response.content.decode()
    with clock.frozen(D(2026, 3, 2)):
        client.post(reverse("portal:contract_apply"), {"plan": plan.pk, "requested_start": "2026-03-10"})
        again = client.post(
            reverse("portal:contract_apply"), {"plan": plan.pk, "requested_start": "2026-03-11"}
        )
    assert again.status_code == 400
    assert again.context["form"].errors["plan"][0].endswith("처리 중인 신청이 이미 있습니다.")
    assert Contract.objects.count() == 1


def test_plain_member_cannot_apply_or_terminate(client):
    """ACC-4: writes are for customer admins; a plain member reads only."""
    admin = AdminMemberFactory()
    contract = _active(admin, "damoa-standard")
    member = MemberFactory(customer=admin.customer)
    client.force_login(member.user)
    with clock.frozen(D(2026, 2, 1)):
        assert client.get(reverse("portal:contract_detail", args=[contract.pk])).status_code == 200
        assert client.get(reverse("portal:contract_apply")).status_code == 403
        response = client.post(
            reverse("portal:contract_terminate", args=[contract.pk]),
            {"effective_on": "2026-02-20", "previewed_total_won": "0"},
        )
    assert response.status_code == 403
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE


def test_postpone_too_late_and_withdraw(client, admin):
    """CON-4: postponement after the deadline is refused and no longer offered (its reason shown instead of
    the form); CON-8: an application is withdrawn before activation."""
    plan = _plan("dcloud-vm-standard")
    contract = applications.contract_apply(
        customer=admin.customer, plan=plan, requested_start=D(2026, 3, 10), today=D(2026, 3, 2), member=admin
    )
    with clock.frozen(D(2026, 3, 8)):
        response = client.post(
            reverse("portal:contract_postpone", args=[contract.pk]), {"new_date": "2026-03-20", "reason": ""}
        )
    assert response.status_code == 400
    # Past the deadline postponement is not offered: no form, the reason instead (without a rule id).
    assert response.context["postpone_form"] is None
    reason = response.context["actions"]["postpone"].reason
    assert not reason.startswith("CON-") and "2026-03-07" in reason
    assert reason in response.content.decode()
    contract.refresh_from_db()
    assert contract.activation_date == D(2026, 3, 10)
    with clock.frozen(D(2026, 3, 5)):
        ok = client.post(reverse("portal:contract_postpone", args=[contract.pk]), {"new_date": "2026-03-20"})
    assert ok.status_code == 302
    contract.refresh_from_db()
    assert contract.activation_date == D(2026, 3, 20)
    with clock.frozen(D(2026, 3, 5)):
        refused = client.post(reverse("portal:contract_withdraw", args=[contract.pk]), {"reason": "취소"})
        assert refused.status_code == 400  # the confirmation box is required
        done = client.post(
            reverse("portal:contract_withdraw", args=[contract.pk]), {"reason": "취소", "confirm": "on"}
        )
    assert done.status_code == 302
    contract.refresh_from_db()
    assert contract.status == ContractStatus.WITHDRAWN


def test_withdrawal_deadline_shown_and_enforced(client, admin):
    """CON-8: officecore shows the 7-day cooling-off deadline; after it, withdrawal is refused."""
    contract = _active(admin, "officecore-standard-monthly")
    with clock.frozen(D(2026, 1, 8)):
        page = client.get(reverse("portal:contract_detail", args=[contract.pk])).content.decode()
    assert "청약 철회 기간은 2026-01-12까지입니다" in page
    with clock.frozen(D(2026, 1, 13)):
        response = client.post(reverse("portal:contract_withdraw", args=[contract.pk]), {"confirm": "on"})
    assert response.status_code == 400
    assert "청약 철회 기간이 2026-01-12에 끝났습니다." in response.content.decode()
    assert "CON-8" not in response.content.decode()
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE


# --------------------------------------------------------------------------- termination, renewal, appeal


def test_termination_preview_then_confirm(client, admin):
    """CON-7: choosing a date shows the settlement lines and total first; confirming moves the contract
    to terminating with that effective date."""
    contract = _active(admin, "damoa-standard")
    url = reverse("portal:contract_terminate", args=[contract.pk])
    with clock.frozen(D(2026, 3, 2)):
        start = client.get(url)
        assert start.status_code == 200 and "해지 효력일 선택" in start.content.decode()
        preview = client.get(url, {"effective_on": "2026-03-20", "reason": "사업 종료"})
    assert preview.status_code == 200
    settlement = preview.context["settlement"]
    assert settlement.lines and settlement.effective_on == D(2026, 3, 20)
    page = preview.content.decode()
    assert "최종 정산 미리보기" in page and "위 내용으로 해지 확정" in page
    assert settlement.lines[0].description in page
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE  # a preview changes nothing
    with clock.frozen(D(2026, 3, 2)):
        confirm = client.post(
            url,
            {
                "effective_on": "2026-03-20",
                "reason": "사업 종료",
                "previewed_total_won": str(settlement.total_won),
            },
        )
    assert confirm.status_code == 302
    contract.refresh_from_db()
    assert contract.status == ContractStatus.TERMINATING
    assert contract.termination_effective_on == D(2026, 3, 20)


def test_termination_refusals(client, admin):
    """CON-7: a date in the past and dcloud's 7-day notice are refused next to the date; a confirm whose
    previewed total no longer matches shows the preview again instead of terminating."""
    contract = _active(admin, "dcloud-vm-standard")
    url = reverse("portal:contract_terminate", args=[contract.pk])
    with clock.frozen(D(2026, 3, 2)):
        past = client.get(url, {"effective_on": "2026-03-01"})
        short = client.get(url, {"effective_on": "2026-03-05"})
        stale = client.post(url, {"effective_on": "2026-03-20", "previewed_total_won": "1"})
    assert past.status_code == 400
    error = past.context["form"].errors["effective_on"][0]
    assert error == "해지 효력일 2026-03-01은(는) 오늘(2026-03-02) 이전입니다."
    assert short.status_code == 400 and "2026-03-09" in short.context["form"].errors["effective_on"][0]
    assert stale.status_code == 200 and stale.context["settlement"] is not None
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE


def test_stop_renewal_shows_deadline(client, admin):
    """CON-6: the renewal-notice deadline is shown and the stop is recorded."""
    contract = _active(admin, "dcloud-vm-standard")
    with clock.frozen(D(2026, 2, 1)):
        page = client.get(reverse("portal:contract_detail", args=[contract.pk])).content.decode()
        assert "자동 갱신을 원하지 않으면" in page
        response = client.post(
            reverse("portal:contract_stop_renewal", args=[contract.pk]), {"reason": "이전"}
        )
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.renewal_stopped


def test_suspension_appeal(client, admin):
    """CON-10: the customer files an appeal against a suspension; an empty text is refused next to it."""
    contract = _active(admin, "flow-business-monthly")
    susp = suspension.suspension_schedule(contract=contract, reason="약관 위반", today=D(2026, 2, 1), days=10)
    url = reverse("portal:contract_suspension_appeal", args=[contract.pk, susp.pk])
    with clock.frozen(D(2026, 2, 2)):
        empty = client.post(url, {f"appeal-{susp.pk}-text": "  "})
        ok = client.post(url, {f"appeal-{susp.pk}-text": "위반 사실이 없습니다"})
    assert empty.status_code == 400
    assert ok.status_code == 302
    susp.refresh_from_db()
    assert susp.appeal == "filed" and susp.appeal_text == "위반 사실이 없습니다"


# --------------------------------------------------------------------------- terms


def test_terms_page_accept_records_portal_consent(client, admin):
    """TRM-3, TRM-4: the pending version is listed with reasons, effective date and the
    silence-means-consent statement; accepting records member, IP and channel portal."""
    contract = _active(admin, "officecore-standard-monthly")
    release = _publish_v2(contract.policy, today=D(2026, 2, 1), effective_on=D(2026, 2, 15))
    with clock.frozen(D(2026, 2, 2)):
        page = client.get(reverse("portal:contract_terms")).content.decode()
        assert "개인정보 처리 조항 정비" in page and "2026-02-15" in page
        assert "거부 의사를 표시하지 않으면 개정 약관에 동의한 것으로 봅니다" in page
        home = client.get(reverse("portal:home")).content.decode()
        assert "약관 개정 응답 필요" in home
        response = client.post(
            reverse("portal:contract_terms_consent", args=[release.policy_id]),
            {"decision": "accepted"},
            REMOTE_ADDR="203.0.113.7",
        )
    assert response.status_code == 302
    consent = TermsConsent.objects.get(customer=admin.customer, policy=release.policy)
    assert (consent.decision, consent.channel, consent.ip_address, consent.member) == (
        "accepted",
        "portal",
        "203.0.113.7",
        admin,
    )


def test_terms_refusal_then_penalty_free_termination(client, admin):
    """TRM-5 (officecore): after refusing, the page offers termination without penalty before the
    effective date; it moves the contract to terminating, penalty exempt."""
    contract = _active(admin, "officecore-standard-monthly")
    release = _publish_v2(contract.policy, today=D(2026, 2, 1), effective_on=D(2026, 2, 15))
    with clock.frozen(D(2026, 2, 2)):
        client.post(
            reverse("portal:contract_terms_consent", args=[release.policy_id]), {"decision": "refused"}
        )
        page = client.get(reverse("portal:contract_terms")).content.decode()
        assert "위약금 없이 해지할 수 있습니다" in page
        again = client.post(
            reverse("portal:contract_terms_consent", args=[release.policy_id]), {"decision": "accepted"}
        )
        assert again.status_code == 400 and "이미 2026-02-02에" in again.content.decode()
        assert "TRM-4" not in again.content.decode()
        response = client.post(
            reverse("portal:contract_terms_refusal_termination", args=[release.policy_id, contract.pk])
        )
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.status == ContractStatus.TERMINATING
    assert contract.penalty_exempt and contract.termination_kind == "terms_refused"
    assert contract.termination_effective_on == D(2026, 2, 14)


def test_dcloud_refusal_offers_no_termination(client, admin):
    """TRM-5 (dcloud): refusing keeps the old version until the term ends; no penalty-free termination
    is offered, and a direct request is refused by the service."""
    contract = _active(admin, "dcloud-vm-standard")
    release = _publish_v2(contract.policy, today=D(2026, 2, 1), effective_on=D(2026, 3, 5))
    with clock.frozen(D(2026, 2, 2)):
        client.post(
            reverse("portal:contract_terms_consent", args=[release.policy_id]), {"decision": "refused"}
        )
        page = client.get(reverse("portal:contract_terms")).content.decode()
        # No termination form (the page now also shows the new terms text, which may mention 해지).
        assert "refusal-termination" not in page and "종전 약관을 적용" in page
        response = client.post(
            reverse("portal:contract_terms_refusal_termination", args=[release.policy_id, contract.pk])
        )
    assert response.status_code == 400
    assert "위약금 없는 중도 해지 대상이 아닙니다." in response.content.decode()
    assert "TRM-5" not in response.content.decode()
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE


def test_rejected_application_shows_reasons(client, admin):
    """CON-2: the applicant sees the staff decision and its reasons on the application page."""
    plan = _plan("flow-business-monthly")
    contract = applications.contract_apply(
        customer=admin.customer, plan=plan, requested_start=D(2026, 3, 10), today=D(2026, 3, 2), member=admin
    )
    applications.contract_hold(
        contract=contract, reasons=["no_capacity"], today=D(2026, 3, 3), note="증설 대기"
    )
    with clock.frozen(D(2026, 3, 3)):
        page = client.get(reverse("portal:contract_detail", args=[contract.pk])).content.decode()
    assert "보류 사유" in page and "설비 여유 없음" in page and "증설 대기" in page
    applications.contract_reject(
        contract=contract, reasons=["credit_delinquent", "other"], today=D(2026, 3, 4), note="심사 기준 미달"
    )
    with clock.frozen(D(2026, 3, 4)):
        page = client.get(reverse("portal:contract_detail", args=[contract.pk])).content.decode()
    assert 'id="contract-status">거절<' in page and "신용불량, 기타" in page and "심사 기준 미달" in page
