"""Issue 15 in the customer portal: every billing and contracts page is reached by clicking from the
home page; the withdrawal form only while withdrawal is available (the service's rule); the
termination preview reads in words (labels, no codes); the status history names people, not actor
codes."""

from __future__ import annotations

import datetime as dt
import re
from collections import deque
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve, reverse

from billing.services import payments
from contracts.models import ContractStatus
from contracts.portal.display import actor_label, customer_wording, settlement_kind_label
from contracts.services.actions import Audience, offered_action
from core import clock
from tests.billing.bdocs_support import make_invoice
from tests.factories import MemberFactory

from .test_portal_contracts import _active, admin  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db
D = dt.date
RULE_ID = re.compile(r"\b(?:ACC|BIL|CON|DAT|DUN|MSG|SLA|TRM)-\d+\b")

#: The billing and contract pages a customer admin must find by clicking (issue 15: "can't find it").
MUST_REACH = {
    "portal:invoices",
    "portal:invoice_detail",
    "portal:invoice_pdf",
    "portal:invoice_pay",
    "portal:invoice_transfer_notice",
    "portal:payments",
    "portal:payment_methods",
    "portal:dunning_status",
    "portal:disputes",
    "portal:refunds",
    "portal:contracts",
    "portal:contract_detail",
    "portal:contract_apply",
    "portal:contract_terminate",
    "portal:contract_terms",
}


def _crawl(client, start: str, limit: int = 120) -> set[str]:
    """Follow every same-site link (GET) from ``start``; the URL names of the pages reached."""
    seen_urls: set[str] = set()
    names: set[str] = set()
    queue = deque([start])
    while queue and len(seen_urls) < limit:
        url = queue.popleft()
        if url in seen_urls:
            continue
        seen_urls.add(url)
        try:
            match = resolve(urlsplit(url).path)
        except Resolver404:
            continue
        names.add(f"{match.namespace}:{match.url_name}" if match.namespace else str(match.url_name))
        if match.namespace != "portal" or "logout" in str(match.url_name):
            continue
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for href in re.findall(r'href="([^"#]+)', response.content.decode()):
            href = href.replace("&amp;", "&")
            if href.startswith("/") and not href.startswith(("/static/", "/admin/", "/api/")):
                queue.append(href)
    return names


def test_every_billing_and_contract_page_is_reachable_by_clicking(client, admin):  # noqa: F811
    """BIL-7, BIL-10, BIL-11, DUN-2, CON-7: from the home page, links lead to every billing and contract
    page: invoices, an invoice, its PDF, pay and transfer notice, payments, methods, the overdue
    status, disputes, refunds, contracts, a contract, apply, terminate, terms."""
    with clock.frozen(D(2026, 3, 2)):
        _active(admin, "damoa-standard")
        make_invoice(admin.customer, issue_date=D(2026, 2, 1), due_days=14)  # open and overdue
        payments.payment_method_add(
            customer=admin.customer, kind="card", label="카드 ****1111", make_default=True, gateway_token="t"
        )
        reached = _crawl(client, reverse("portal:home"))
    assert reached >= MUST_REACH, sorted(MUST_REACH - reached)


def test_withdrawal_form_only_while_withdrawal_is_available(client, admin):  # noqa: F811
    """CON-8: inside the cooling-off period the withdrawal form shows; after it the page says why and
    shows no form — the same ``offered_action`` rule the service's refusal follows."""
    contract = _active(admin, "officecore-standard-monthly")
    detail = reverse("portal:contract_detail", args=[contract.pk])
    with clock.frozen(D(2026, 1, 8)):
        body = client.get(detail).content.decode()
        allowed = offered_action(contract, "withdraw", audience=Audience.member(admin), today=D(2026, 1, 8))
    assert allowed is not None and allowed.allowed
    assert f'action="{reverse("portal:contract_withdraw", args=[contract.pk])}"' in body
    with clock.frozen(D(2026, 1, 13)):
        body = client.get(detail).content.decode()
        refused = offered_action(contract, "withdraw", audience=Audience.member(admin), today=D(2026, 1, 13))
    assert refused is not None and not refused.allowed
    assert f'action="{reverse("portal:contract_withdraw", args=[contract.pk])}"' not in body
    assert 'id="withdraw-reason"' in body and not RULE_ID.search(body.split("<main")[1])


def test_termination_preview_reads_in_words(client, admin):  # noqa: F811
    """CON-7, BIL-14: the preview's kinds are Korean labels, amounts as 1,234원, no rule ids or article
    codes such as "002 제32조③" — "약관 제32조" where the article helps."""
    contract = _active(admin, "dcloud-vm-standard")
    with clock.frozen(D(2026, 3, 2)):
        response = client.get(
            reverse("portal:contract_terminate", args=[contract.pk]), {"effective_on": "2026-03-20"}
        )
    assert response.status_code == 200
    body = response.content.decode()
    preview = body.split('id="settlement-preview"')[1].split("</section>")[0]
    kinds = re.findall(r'<td class="kind">([^<]*)</td>', preview)
    assert kinds and all(k == settlement_kind_label(line.kind) for k, line in
                         zip(kinds, response.context["settlement"].lines, strict=True))
    assert not re.search(r">(penalty|usage|unpaid|refund|vat)<", preview)
    assert not RULE_ID.search(preview) and not re.search(r"\d{3} 제\d+조", preview)
    amounts = re.findall(r'<td class="amount">([^<]*)</td>', preview)
    assert amounts and all(re.fullmatch(r"-?\d{1,3}(,\d{3})*원", a) for a in amounts)


def test_customer_wording_keeps_the_article_and_drops_codes():
    """TRM-1: customers read "약관 제32조" where the article helps; rule ids and policy numbers go."""
    assert customer_wording("위약금 30,000원 (BIL-14 · 002 제32조③)") == "위약금 30,000원 (약관 제32조)"
    assert customer_wording("이용료 (BIL-4)") == "이용료"
    assert customer_wording("사유 (월 2회)") == "사유 (월 2회)"


def test_status_history_names_people_not_codes(client, admin):  # noqa: F811
    """CON-1: the status history shows "신청 → 승인"-style labels and who in words: never "job:…",
    "user:…" or raw status codes."""
    contract = _active(admin, "damoa-standard")
    contract.transitions.update(actor="job:seed_demo")
    body = client.get(reverse("portal:contract_detail", args=[contract.pk])).content.decode()
    history = body.split('id="log-h"')[1].split("</section>")[0]
    assert "job:" not in history and "user:" not in history and "자동 처리" in history
    assert not re.search(r"\b(applied|approved|active)\b", history)
    assert str(ContractStatus.ACTIVE.label) in history
    member = MemberFactory(customer=admin.customer)
    assert actor_label(f"user:{member.user.username}", {member.user.username: member.name}) == member.name
    assert actor_label("user:ops-billing", {}) == "운영 담당자"
