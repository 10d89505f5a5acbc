"""Issue 15: the billing and contract journeys of a customer, in a real browser on the demo book.

(a) a member views an invoice, downloads its PDF and sends a bank-transfer notice (BIL-7, BIL-18);
(b) the overdue demo customer sees its overdue badge with days and the next step on the home page,
    /billing/ and the invoice, pays from the invoice page, and the badge goes (DUN-2, BIL-7);
(c) a dispute filed through the two-step form and answered by a billing staff user in the admin; the
    customer reads the answer (BIL-10);
(d) a termination requested through the settlement preview, labels in Korean and amounts formatted
    (CON-7, BIL-12..16).

Everything is reached by clicking from the page before (the navigation is part of what is tested).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Member
from billing import selectors
from billing.models import Dispute, Invoice, Payment
from billing.services import payments
from contracts.management.commands.seed_demo import DEMO_CUSTOMERS, PAY_OVERDUE
from contracts.portal.display import SETTLEMENT_KIND_LABELS
from core import clock
from core.models import JobRun

from .conftest import DEMO_TODAY

pytestmark = pytest.mark.django_db(transaction=True)

RULE_ID = re.compile(r"\b(?:ACC|BIL|CON|DAT|DUN|MSG|SLA|TRM)-\d+\b")
WON = re.compile(r"^-?\d{1,3}(?:,\d{3})*원$")


def _admin_login_id(spec: Any) -> str:
    return next(m.login_id for m in spec.members if m.role == Member.Role.ADMIN)


def _main(page: Page) -> str:
    return page.locator("main").inner_text()


def _open_billing(page: Page) -> None:
    page.locator("nav.main-nav").get_by_role("link", name="청구서").click()
    expect(page.locator("h1")).to_have_text("청구서")


def _dispute_diagnosis(page: Page) -> str:
    """What the test process and the page each saw, for a mismatch that happened once in CI and never
    since (the page offered no invoice where the test's reading found one)."""
    seen = []
    for spec in DEMO_CUSTOMERS:
        member = Member.objects.filter(login_id=_admin_login_id(spec)).select_related("customer").first()
        if member is None:
            seen.append(f"{spec.preset}: no member {_admin_login_id(spec)}")
            continue
        invoices = list(
            Invoice.objects.filter(customer=member.customer).values_list("pk", "issue_date", "status")
        )
        open_now = [d.invoice.pk for d in selectors.disputable_invoices(member.customer, DEMO_TODAY)]
        seen.append(f"{spec.preset}: member {member.pk} {member.role}/{member.status}, "
                    f"invoices {invoices}, disputable {open_now}")
    form = page.locator("#dispute-form")
    shown = form.inner_text() if form.count() else "(no #dispute-form: not an admin?)"
    runs = list(JobRun.objects.order_by("-pk").values_list("job", "as_of", "status")[:5])
    head = f"clock.today()={clock.today()} last job runs={runs}"
    return "\n".join([head, *seen, f"page: {page.url}", shown])


def test_a_member_views_an_invoice_downloads_pdf_and_sends_a_transfer_notice(demo_book, page, portal_login):
    """BIL-18, BIL-7: from the invoice list to the invoice, its PDF (a real PDF download), then a transfer
    notice with confirmation; the invoice shows the notice as waiting for the bank."""
    invoice = (
        Invoice.objects.filter(status=Invoice.Status.ISSUED)
        .annotate(open_won=selectors.open_amount_subquery())
        .filter(open_won__gt=0)
        .order_by("-due_date")
        .first()
    )
    assert invoice is not None, "the demo book has an open invoice"
    admin = invoice.customer.members.filter(role=Member.Role.ADMIN).order_by("pk").first()
    portal_login(admin.login_id)
    _open_billing(page)
    page.get_by_role("link", name=invoice.number).first.click()
    expect(page.locator("h1")).to_contain_text(invoice.number)
    with page.expect_download() as download:
        page.locator("#invoice-pdf").click()
    path = download.value.path()
    assert path is not None
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert invoice.number in download.value.suggested_filename

    page.locator("#transfer-notice-link").click()
    expect(page.locator("h1")).to_have_text("입금 통보")
    page.get_by_role("button", name="입금 통보 보내기").click()  # without the confirmation box
    expect(page.locator(".field-error")).to_contain_text("입금했음을 확인해 주세요")
    assert not Payment.objects.filter(invoice=invoice, status=Payment.Status.PENDING).exists()
    page.get_by_label("위 금액을 입금했음을 확인합니다.").check()
    page.get_by_role("button", name="입금 통보 보내기").click()
    expect(page.locator(".messages")).to_contain_text("입금 통보를 접수했습니다")
    expect(page.locator("#pending-notices")).to_contain_text("은행 입금 확인 중")
    notice = Payment.objects.get(invoice=invoice, status=Payment.Status.PENDING)
    assert notice.method == Payment.Method.BANK_TRANSFER and notice.amount_won > 0
    assert not RULE_ID.search(_main(page))


def test_b_overdue_customer_sees_badge_and_pays_from_the_invoice(demo_book, page, portal_login):
    """DUN-2, BIL-7: the overdue customer's badge (days, next step and its date) on home, /billing/ and
    the invoice; it pays each overdue invoice with its card from the invoice page; the badge goes."""
    spec = next(s for s in DEMO_CUSTOMERS if s.pays == PAY_OVERDUE)
    login_id = _admin_login_id(spec)
    customer = Member.objects.get(login_id=login_id).customer
    overdue = selectors.customer_overdue(customer, DEMO_TODAY)
    assert overdue is not None, "the demo's overdue customer is overdue"
    worst = overdue.worst
    days = f"연체 {worst.days_overdue}일"
    # The card is authorised at the payment gateway outside the portal (it returns the token).
    payments.payment_method_add(
        customer=customer, kind="card", label="국민카드 ****4321", make_default=True, gateway_token="tok-demo"
    )

    portal_login(login_id)
    card = page.locator("article.summary-card.tone-danger")
    expect(card).to_contain_text(days)
    expect(card).to_contain_text(f"다음 조치: {worst.next_label} ({worst.next_on.isoformat()})")
    assert "정상" not in card.inner_text()
    expect(page.locator("#home-overdue")).to_have_text(days)  # next to "고객 상태"

    _open_billing(page)
    expect(page.locator("#overdue-summary")).to_contain_text(days)
    head = page.locator("section.page-head").inner_text()
    for past in re.findall(r"다음 납기일 (\d{4}-\d{2}-\d{2})", head):
        assert past >= DEMO_TODAY.isoformat(), f"a past date shown as the next due date: {past}"

    states = selectors.overdue_states(
        Invoice.objects.filter(customer=customer).values_list("pk", flat=True), DEMO_TODAY
    )
    for state in sorted(states.values(), key=lambda s: s.due_date):
        number = Invoice.objects.get(pk=state.invoice_id).number
        _open_billing(page)
        row = page.locator(f"#invoice-{state.invoice_id}")
        expect(row).to_contain_text(f"연체 {state.days_overdue}일")
        row.get_by_role("link", name=number).click()
        expect(page.locator("#overdue-summary")).to_contain_text(f"연체 {state.days_overdue}일")
        expect(page.locator("#overdue-summary")).to_contain_text(state.next_label)
        page.locator("#pay-now").click()
        expect(page.locator("h1")).to_have_text("결제 확인")
        expect(page.locator(".pay-amount")).to_have_text(WON)
        page.get_by_role("button", name=re.compile("결제 확정")).click()
        expect(page.locator(".messages")).to_contain_text("결제했습니다")
        expect(page.locator("#overdue-summary")).to_have_count(0)
        assert Invoice.objects.get(pk=state.invoice_id).status == Invoice.Status.PAID

    page.locator("a.brand").click()
    expect(page.locator("article.summary-card.tone-danger")).to_have_count(0)
    expect(page.locator("#home-overdue")).to_have_count(0)
    assert "연체" not in page.locator("section.cards").inner_text()
    assert selectors.customer_overdue(customer, DEMO_TODAY) is None


def test_c_dispute_filed_then_answered_by_billing_staff(demo_book, page, portal_login, admin_login):
    """BIL-10: only invoices inside their window are offered, then only the chosen invoice's lines; a
    billing staff user answers in the admin and the customer reads the answer."""
    spec, _customer, choices = next(
        (s, c, d)
        for s in DEMO_CUSTOMERS
        if s.activate
        for c in [Member.objects.get(login_id=_admin_login_id(s)).customer]
        for d in [selectors.disputable_invoices(c, DEMO_TODAY)]
        if d
    )
    portal_login(_admin_login_id(spec))
    _open_billing(page)
    page.locator("nav.sub-nav").get_by_role("link", name="이의신청").click()
    expect(page.locator("h1")).to_have_text("요금 이의신청")
    select = page.locator("#dispute-choose select[name=invoice]")
    offered = [v for v in select.locator("option").evaluate_all("os => os.map(o => o.value)") if v]
    assert sorted(offered) == sorted(str(d.invoice.pk) for d in choices), _dispute_diagnosis(page)
    invoice = choices[0].invoice
    select.select_option(str(invoice.pk))
    page.get_by_role("button", name="다음: 항목 고르기").click()
    lines = page.locator("#dispute-details select[name=line] option")
    line_ids = [v for v in lines.evaluate_all("os => os.map(o => o.value)") if v]
    assert sorted(line_ids) == sorted(str(pk) for pk in invoice.lines.values_list("pk", flat=True))
    line = invoice.lines.order_by("-amount_won").first()
    page.locator("#dispute-details select[name=line]").select_option(str(line.pk))
    page.get_by_label("이의 금액 (원)").fill("1000")
    page.get_by_label("이의 사유").fill("사용하지 않은 계정 1개가 청구되었습니다.")
    page.get_by_role("button", name="이의신청 접수").click()
    expect(page.locator(".messages")).to_contain_text("이의신청을 접수했습니다")
    dispute = Dispute.objects.get(line=line, amount_won=1000)
    assert not RULE_ID.search(_main(page))

    page.context.clear_cookies()
    admin_login("ops-billing")
    page.get_by_role("link", name=re.compile("이의신청")).first.click()
    page.locator(f'a[href$="/billing/dispute/{dispute.pk}/change/"]').first.click()
    page.locator(".dispute-answer-button").click()
    page.get_by_label("인용 금액 (원)").fill("1000")
    page.get_by_label("답변").fill("확인 결과 해당 계정 요금을 감액합니다.")
    page.locator("form [type=submit]").last.click()
    expect(page.locator(".messagelist")).to_contain_text(f"이의신청 #{dispute.pk}")
    dispute.refresh_from_db()
    assert dispute.status != Dispute.Status.OPEN and dispute.answer.startswith("확인 결과")

    page.context.clear_cookies()
    portal_login(_admin_login_id(spec))
    _open_billing(page)
    page.locator("nav.sub-nav").get_by_role("link", name="이의신청").click()
    expect(page.locator("table.disputes")).to_contain_text("확인 결과 해당 계정 요금을 감액합니다.")


def test_d_termination_through_the_settlement_preview(demo_book, page, portal_login):
    """CON-7, BIL-12..16: the preview lists the settlement with Korean labels (never "penalty", "usage"
    …), amounts as 1,234원 and no rule ids; confirming requests the termination."""
    spec = next(s for s in DEMO_CUSTOMERS if s.activate and s.pays != PAY_OVERDUE and s.preset == "damoa")
    portal_login(_admin_login_id(spec))
    page.locator("nav.main-nav").get_by_role("link", name="계약").click()
    page.locator("main table a[href*='/contracts/']").first.click()
    page.get_by_role("link", name="해지 신청 (정산 미리보기)").click()
    expect(page.locator("h1")).to_have_text("해지 신청")
    page.get_by_role("button", name="정산 미리보기").click()
    preview = page.locator("#settlement-preview")
    expect(preview).to_be_visible()
    labels = {str(label) for label in SETTLEMENT_KIND_LABELS.values()}
    kinds = preview.locator("td.kind").all_inner_texts()
    assert kinds, "the preview has lines"
    assert all(kind in labels for kind in kinds), kinds
    amounts = preview.locator("td.amount").all_inner_texts()
    amounts.append(preview.locator("#settlement-total").inner_text())
    for amount in amounts:
        assert WON.match(amount.strip()), amount
    text = preview.inner_text()
    assert not RULE_ID.search(text), RULE_ID.search(text)
    for code in ("penalty", "usage", "unpaid", "refund", "vat"):
        assert not re.search(rf"\b{code}\b", text), code
    page.get_by_role("button", name="위 내용으로 해지 확정").click()
    expect(page.locator(".messages")).to_contain_text("해지를 신청했습니다")
