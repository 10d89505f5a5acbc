"""SLA portal pages (SLA-1, SLA-3, SLA-5, SLA-7): report and follow an incident, monthly availability with
its working in plain Korean, the pre-filled claim form, the no-penalty termination offer; another
customer's incident or contract is a 404; customers never see rule ids or raw codes."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from contracts.models import Contract, ContractStatus, TerminationKind
from core import clock
from sla.models import Incident, SlaClaim
from sla.services.credits import month_close_contract
from sla.services.incidents import incident_open, incident_post_update
from tests.factories import AdminMemberFactory, MemberFactory
from tests.sla.conftest import D, T, contract_for, fee_invoice

pytestmark = pytest.mark.django_db

NOV = D(2026, 11, 1)
CLOSE = D(2026, 12, 1)
NOW = T(2026, 12, 5, 9)
RAW = re.compile(r"SLA-\d|flow_error_rate|claim_late|title_required|force_majeure")


def _plain(page: str) -> str:
    assert not RAW.search(page), RAW.search(page)
    return page


@pytest.fixture
def admin(client):  # type: ignore[no-untyped-def]
    member = AdminMemberFactory()
    client.force_login(member.user)
    return member


@pytest.fixture
def flow(presets, admin):  # type: ignore[no-untyped-def]
    contract = contract_for("flow", customer=admin.customer)
    for month, fee in ((D(2026, 9, 1), 1_200_000), (D(2026, 10, 1), 1_000_000), (NOV, 800_000)):
        fee_invoice(contract, month, fee)
    contract.incident = incident_open(  # type: ignore[attr-defined]
        service="flow",
        title="접속 장애",
        detected_at=T(2026, 11, 5, 10),
        ended_at=T(2026, 11, 5, 20, 48),
        today=CLOSE,
        now=T(2026, 12, 1, 9),
    )
    incident_open(
        service="flow",
        title="정전",
        detected_at=T(2026, 11, 9, 1),
        ended_at=T(2026, 11, 9, 3),
        exclusions={"excl_force_majeure": True},
        today=CLOSE,
        now=T(2026, 12, 1, 9),
    )
    month_close_contract(contract=contract, month=NOV, today=CLOSE)
    return contract


def test_navigation_links_and_overview(client, flow):
    """SLA-1, SLA-5: the portal navigation leads to the SLA page, which lists the incidents, contracts and
    months awaiting a claim, and links the availability page, the claim and report forms and the public
    status page."""
    with clock.frozen(NOW):
        home = client.get(reverse("portal:home")).content.decode()
        page = client.get(reverse("portal:sla_home")).content.decode()
    assert f'href="{reverse("portal:sla_home")}"' in home and f'href="{reverse("status")}"' in home
    _plain(page)
    assert "접속 장애" in page and "정전" in page and flow.number in page
    assert reverse("portal:sla_availability", args=[flow.pk]) + "?month=2026-12" in page
    assert reverse("portal:sla_incident_report") in page
    assert reverse("portal:sla_incident", args=[flow.incident.pk]) in page
    # SLA-5: the month waiting for a claim is listed with its amount, due date and the claim form
    assert f"{flow.number} · 2026-11: 250,000원" in page and "(청구 기한 2026-12-30)" in page
    assert reverse("portal:sla_claim", args=[flow.pk]) + "?month=2026-11" in page


def test_report_an_incident_and_follow_it(client, admin, flow):
    """SLA-1: a member reports an incident; the page shows it waiting with its timeline; staff updates
    appear there. A blank title is refused next to the field, in plain Korean."""
    client.force_login(MemberFactory(customer=admin.customer).user)
    with clock.frozen(NOW):
        refused = client.post(
            reverse("portal:sla_incident_report"), {"contract": flow.pk, "title": "", "scope": "whole"}
        )
        assert refused.status_code == 200
        assert "장애 제목을 적어 주세요." in _plain(refused.content.decode())
        response = client.post(
            reverse("portal:sla_incident_report"),
            {
                "contract": flow.pk,
                "title": "결재 화면 오류",
                "description": "결재가 저장되지 않음",
                "scope": "whole",
            },
        )
    assert response.status_code == 302, response.content
    incident = Incident.objects.get(title="결재 화면 오류")
    assert incident.status == Incident.Status.REPORTED and incident.started_at == NOW
    assert response.url == reverse("portal:sla_incident", args=[incident.pk])
    with clock.frozen(NOW):
        incident_post_update(incident=flow.incident, body="원인: 설정 오류", today=D(2026, 12, 5), now=NOW)
        page = client.get(reverse("portal:sla_incident", args=[flow.incident.pk])).content.decode()
        mine = client.get(response.url).content.decode()
    assert "처리 경과" in page and "원인: 설정 오류" in _plain(page)
    assert "고객 신고 접수" in mine and "결재가 저장되지 않음" in mine


def test_another_customers_incident_and_contract_are_404(client, flow):
    """SLA-1/3/5 (ACC-4): another customer's reported incident and contract pages are 404."""
    other = contract_for("flow")
    with clock.frozen(NOW):
        foreign = incident_open(
            service="flow",
            title="남의 계약 장애",
            contract=other,
            detected_at=T(2026, 12, 4, 1),
            today=D(2026, 12, 5),
            now=NOW,
        )
        assert client.get(reverse("portal:sla_incident", args=[foreign.pk])).status_code == 404
        for name in ("portal:sla_availability", "portal:sla_claim", "portal:sla_terminate"):
            assert client.get(reverse(name, args=[other.pk]), {"month": "2026-11"}).status_code == 404
        assert "남의 계약 장애" not in client.get(reverse("portal:sla_home")).content.decode()


def test_availability_page_explains_the_working_in_plain_korean(client, flow):
    """SLA-3: the month's availability, the formula with its minutes, the counted outage, the excluded
    incident with its reason, and the credit with its basis and claim due date; no rule ids or codes."""
    with clock.frozen(NOW):
        response = client.get(reverse("portal:sla_availability", args=[flow.pk]), {"month": "2026-11"})
    assert response.status_code == 200
    page = _plain(response.content.decode())
    assert "98.5%" in page and "98.5000" not in page and "월 마감으로 확정된 값입니다." in page
    assert "서비스 시간 43,200분 중 장애로 인정된 시간은 648분입니다" in page
    assert "2026-11-05 10:00" in page and "2026-11-05 20:48" in page
    assert "정전: 120분 제외 (불가항력)" in page
    assert "보상액: 250,000원" in page and "청구 기한: 2026-12-30" in page
    assert reverse("portal:sla_claim", args=[flow.pk]) + "?month=2026-11" in page


def test_claim_form_is_prefilled_and_submits(client, admin, flow):
    """SLA-5: the claim form carries the computed amount and basis; submitting records the claim."""
    url = reverse("portal:sla_claim", args=[flow.pk])
    with clock.frozen(NOW):
        page = client.get(url, {"month": "2026-11"}).content.decode()
        assert 'value="250000"' in page and "1,000,000" in page and "청구 기한: 2026-12-30" in page
        response = client.post(url, {"month": "2026-11", "amount_won": "250000", "basis": "장애 10시간 48분"})
    assert response.status_code == 302, response.content
    claim = SlaClaim.objects.get()
    with clock.frozen(NOW):
        home = client.get(reverse("portal:sla_home")).content.decode()
    assert 'id="awaiting-claims"' not in home and "접수" in home
    assert claim.amount_won == 250_000 and claim.basis == "장애 10시간 48분" and claim.submitted_by == admin


def test_late_claim_is_refused_with_the_date_it_was_due(client, flow):
    """SLA-5: a claim after the due date is refused, naming the date it was due, without rule ids."""
    url = reverse("portal:sla_claim", args=[flow.pk])
    with clock.frozen(D(2026, 12, 31)):
        response = client.post(url, {"month": "2026-11", "amount_won": "250000", "basis": "근거"})
    assert response.status_code == 200
    assert "2026년 11월 보상 청구 기한은 2026-12-30까지였습니다." in _plain(response.content.decode())
    assert not SlaClaim.objects.exists()


def test_empty_claim_post_shows_the_form_again(client, flow):
    """SLA-5 (issue #14, found by the access matrix): a claim posted with no fields at all is answered with
    the claim page again, not a server error (the view read ``cleaned_data`` of an unbound form)."""
    with clock.frozen(NOW):
        response = client.post(reverse("portal:sla_claim", args=[flow.pk]), {})
    assert response.status_code == 200
    assert "<h1>보상 청구</h1>" in _plain(response.content.decode())
    assert not SlaClaim.objects.exists()


def test_claim_form_is_for_customer_admins(client, admin, flow):
    """SLA-5 (ACC-4): a plain member cannot claim."""
    client.force_login(MemberFactory(customer=admin.customer).user)
    with clock.frozen(NOW):
        response = client.get(reverse("portal:sla_claim", args=[flow.pk]), {"month": "2026-11"})
    assert response.status_code == 403


def test_no_penalty_termination_offered_when_it_applies(client, admin, presets):
    """SLA-7: damoa with five outages of an hour in a month: the SLA page offers the penalty-free
    termination and the form terminates through the sla service; a flow contract is never offered it."""
    contract = contract_for("damoa", customer=admin.customer)
    today, now = D(2026, 11, 20), T(2026, 11, 20, 12)
    with clock.frozen(now):
        for day in range(2, 6):
            incident_open(
                service="damoa",
                title=f"장애 {day}",
                detected_at=T(2026, 11, day, 10),
                ended_at=T(2026, 11, day, 11),
                today=today,
                now=now,
            )
        page = client.get(reverse("portal:sla_home")).content.decode()
        assert reverse("portal:sla_terminate", args=[contract.pk]) not in page
        refused = client.post(
            reverse("portal:sla_terminate", args=[contract.pk]), {"effective_on": "2026-11-30"}
        )
        assert "해당하지 않습니다" in _plain(refused.content.decode())
        incident_open(
            service="damoa",
            title="장애 6",
            detected_at=T(2026, 11, 6, 10),
            ended_at=T(2026, 11, 6, 11),
            today=today,
            now=now,
        )
        page = client.get(reverse("portal:sla_home")).content.decode()
        assert reverse("portal:sla_terminate", args=[contract.pk]) in page and "위약금 없이 해지" in page
        response = client.post(
            reverse("portal:sla_terminate", args=[contract.pk]), {"effective_on": "2026-11-30"}
        )
    assert response.status_code == 302, response.content
    contract = Contract.objects.get(pk=contract.pk)
    assert contract.status == ContractStatus.TERMINATING
    assert contract.penalty_exempt and contract.termination_kind == TerminationKind.OPERATOR_FAULT
    assert contract.termination_effective_on == dt.date(2026, 11, 30)
