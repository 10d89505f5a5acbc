"""BIL-10: dispute amounts and windows at their edges (mutation testing of billing/services/disputes.py,
docs/testing.md). Every figure is worked out by hand in the test."""

from __future__ import annotations

import datetime as dt

import pytest

from billing.models import CreditNote, Dispute, Invoice, InvoiceLine
from billing.services.disputes import (
    dispute_decide,
    dispute_extend,
    dispute_file,
    dispute_withdraw,
    open_disputes,
)
from billing.services.notes import credit_note_issue
from core.errors import DomainError
from core.models import StatusTransition
from messaging.models import Notice
from tests.billing.payment_factories import CustomerFactory, make_invoice
from tests.factories import AdminMemberFactory

from .conftest import D

pytestmark = pytest.mark.django_db


JUNE_5 = D(2026, 6, 5)


def an_invoice(presets, *, code="officecore", customer=None, issued=JUNE_5, **amount):  # type: ignore[no-untyped-def]
    """An issued invoice of the ``code`` preset, due 14 days after it is issued; ``amount`` is
    ``supply_won`` (VAT added) or ``total_won`` (with ``vat_inclusive=True``: VAT included)."""
    return make_invoice(
        customer or CustomerFactory(),
        issue_date=issued,
        due_date=issued + dt.timedelta(days=14),
        policy=presets[code],
        **amount,
    )


def officecore_invoice(presets, supply=300_000):  # type: ignore[no-untyped-def]
    """A VAT-exclusive officecore invoice: 300,000 supply + 30,000 VAT = 330,000, issued 2026-06-05."""
    return an_invoice(presets, supply_won=supply)


def base_line(invoice):  # type: ignore[no-untyped-def]
    """The invoice's one line: the 300,000 base fee."""
    return InvoiceLine.objects.create(
        invoice=invoice, kind=InvoiceLine.Kind.BASE_FEE, description="기본료", amount_won=300_000
    )


def test_an_upheld_whole_invoice_dispute_is_taken_off_the_invoice_once(presets):
    """BIL-10: after a whole-invoice dispute of 100,000 (supply) is upheld with a 110,000 credit note
    (100,000 + 10,000 VAT), 300,000 − 100,000 = 200,000 of supply is still disputable. The credit note
    already lowers the creditable amount; the decided dispute must not be subtracted a second time
    (that left only 100,000)."""
    invoice = officecore_invoice(presets)
    first = dispute_file(invoice=invoice, amount_won=100_000, reason="중복 청구", today=D(2026, 6, 10))
    dispute_decide(dispute=first, upheld_amount_won=110_000, answer="중복 확인", today=D(2026, 6, 12))
    with pytest.raises(DomainError) as refused:
        dispute_file(invoice=invoice, amount_won=200_001, reason="나머지", today=D(2026, 6, 13))
    assert refused.value.code == "dispute_exceeds_amount" and refused.value.field == "amount_won"
    assert "200000원" in refused.value.message_ko.replace(",", "")
    second = dispute_file(invoice=invoice, amount_won=200_000, reason="나머지", today=D(2026, 6, 13))
    assert (second.amount_won, second.status) == (200_000, Dispute.Status.OPEN)


def test_an_upheld_line_dispute_leaves_the_rest_of_the_invoice_disputable(presets):
    """BIL-10: a line dispute upheld in part (44,000 with VAT = 40,000 supply) lowers what the whole
    invoice can still be disputed for by 40,000 once: 300,000 − 40,000 = 260,000."""
    invoice = officecore_invoice(presets)
    line = base_line(invoice)
    on_line = dispute_file(invoice=invoice, line=line, amount_won=50_000, reason="요율", today=D(2026, 6, 10))
    dispute_decide(dispute=on_line, upheld_amount_won=44_000, answer="일부 인정", today=D(2026, 6, 12))
    with pytest.raises(DomainError):
        dispute_file(invoice=invoice, amount_won=260_001, reason="전부", today=D(2026, 6, 13))
    whole = dispute_file(invoice=invoice, amount_won=260_000, reason="전부", today=D(2026, 6, 13))
    assert whole.amount_won == 260_000


def test_open_disputes_on_the_invoice_and_its_lines_limit_a_whole_invoice_dispute(presets):
    """BIL-10: open disputes still claim their amounts: 300,000 − 70,000 (open, on the line) − 30,000
    (open, whole invoice) = 200,000 left."""
    invoice = officecore_invoice(presets)
    line = base_line(invoice)
    dispute_file(invoice=invoice, line=line, amount_won=70_000, reason="a", today=D(2026, 6, 10))
    dispute_file(invoice=invoice, amount_won=30_000, reason="b", today=D(2026, 6, 10))
    with pytest.raises(DomainError) as refused:
        dispute_file(invoice=invoice, amount_won=200_001, reason="c", today=D(2026, 6, 10))
    assert "200000원" in refused.value.message_ko.replace(",", "")
    assert (
        dispute_file(invoice=invoice, amount_won=200_000, reason="c", today=D(2026, 6, 10)).amount_won
        == 200_000
    )


# --------------------------------------------------------------------------- refusals: field, rule, message


def test_filing_refusals_name_the_field_and_the_rule(presets):
    """BIL-10: each refusal names its field and rule in Korean, and nothing is written."""
    invoice = officecore_invoice(presets)
    line = base_line(invoice)
    other_invoice = officecore_invoice(presets)
    stranger = AdminMemberFactory(customer=CustomerFactory())

    def refused(**kw):  # type: ignore[no-untyped-def]
        args = {"invoice": invoice, "amount_won": 1_000, "reason": "과다 청구", "today": D(2026, 6, 10)}
        with pytest.raises(DomainError) as err:
            dispute_file(**{**args, **kw})
        return (err.value.code, err.value.field, err.value.rule, err.value.message_ko)

    assert refused(reason="  ") == (
        "reason_required",
        "reason",
        "BIL-10",
        "BIL-10: 이의신청 사유를 입력해야 합니다.",
    )
    assert refused(reason=None) == (
        "reason_required",
        "reason",
        "BIL-10",
        "BIL-10: 이의신청 사유를 입력해야 합니다.",
    )
    assert refused(invoice=other_invoice, line=line) == (
        "wrong_invoice",
        "line",
        "BIL-10",
        "BIL-10: 다른 청구서의 항목입니다.",
    )
    assert refused(member=stranger) == (
        "wrong_customer",
        "member",
        "BIL-10",
        "BIL-10: 다른 고객의 구성원입니다.",
    )
    assert refused(known_on=D(2026, 6, 11)) == (
        "date_in_future",
        "known_on",
        "BIL-10",
        "BIL-10: known_on(2026-06-11)은(는) 오늘 이후일 수 없습니다.",
    )
    assert refused(cause_on=D(2026, 6, 11)) == (
        "date_in_future",
        "cause_on",
        "BIL-10",
        "BIL-10: cause_on(2026-06-11)은(는) 오늘 이후일 수 없습니다.",
    )
    assert refused(today=D(2026, 12, 6)) == (
        "dispute_window_closed",
        "filed_on",
        "BIL-10",
        "BIL-10: 이의신청 기간이 2026-12-05에 종료되었습니다",
    )
    assert refused(line=line, amount_won=300_001) == (
        "dispute_exceeds_amount",
        "amount_won",
        "BIL-10",
        "BIL-10: 이의 금액 300,001원이 이의 가능한 금액 300,000원(기본료)을 넘습니다.",
    )
    assert refused(amount_won=300_001) == (
        "dispute_exceeds_amount",
        "amount_won",
        "BIL-10",
        f"BIL-10: 이의 금액 300,001원이 이의 가능한 금액 300,000원({invoice.number})을 넘습니다.",
    )
    assert refused(amount_won=0)[0:3] == ("amount_not_positive", "amount_won", "BIL-10")
    assert not Dispute.objects.exists()


def test_known_and_cause_dates_may_be_today(presets):
    """BIL-10: the day the customer knew (or the cause) may be the filing day itself."""
    invoice = officecore_invoice(presets)
    dispute = dispute_file(
        invoice=invoice,
        amount_won=1_000,
        reason=" 과다 청구 ",
        today=D(2026, 6, 10),
        known_on=D(2026, 6, 10),
        cause_on=D(2026, 6, 10),
        member=AdminMemberFactory(customer=invoice.customer),
    )
    assert (dispute.known_on, dispute.cause_on, dispute.reason) == (
        D(2026, 6, 10),
        D(2026, 6, 10),
        "과다 청구",
    )
    assert dispute.filed_by is not None and dispute.customer_id == invoice.customer_id


def test_a_void_invoice_cannot_be_disputed(presets):
    """BIL-10: a fully cancelled invoice has nothing left to dispute; the refusal names its number."""
    invoice = officecore_invoice(presets)
    Invoice.objects.filter(pk=invoice.pk).update(status=Invoice.Status.VOID)
    with pytest.raises(DomainError) as refused:
        dispute_file(invoice=invoice, amount_won=1_000, reason="x", today=D(2026, 6, 10))
    assert (refused.value.code, refused.value.field) == ("invoice_void", "invoice")
    assert refused.value.message_ko == f"BIL-10: 청구서 {invoice.number}는 이미 전액 취소되었습니다."


def test_a_limit_below_zero_is_shown_as_zero(presets):
    """BIL-10: an open dispute of 200,000, then a 250,000 credit note for another reason: 50,000 − 200,000
    is left; the refusal shows 0, not a negative amount."""
    invoice = officecore_invoice(presets)
    dispute_file(invoice=invoice, amount_won=200_000, reason="x", today=D(2026, 6, 10))
    credit_note_issue(
        invoice=invoice,
        amount_won=250_000,
        reason=CreditNote.Reason.CORRECTION,
        description="전액 조정",
        today=D(2026, 6, 11),
    )
    with pytest.raises(DomainError) as refused:
        dispute_file(invoice=invoice, amount_won=1, reason="y", today=D(2026, 6, 12))
    assert refused.value.message_ko == (
        f"BIL-10: 이의 금액 1원이 이의 가능한 금액 0원({invoice.number})을 넘습니다."
    )


# --------------------------------------------------------------------- notices, extend, decide, withdraw


def test_the_filing_notice_carries_the_dispute(presets):
    """BIL-10: the customer is told the amount, reason, dates (as ISO text, in the stored context and the
    body alike) and the window's last day."""
    invoice = officecore_invoice(presets)
    dispute = dispute_file(invoice=invoice, amount_won=12_000, reason="요율", today=D(2026, 6, 10))
    told = Notice.objects.filter(event="dispute.filed", customer=invoice.customer).first()
    assert told is not None
    assert told.dedupe_key == f"dispute:{dispute.pk}:filed"
    context = {
        k: told.context[k]
        for k in (
            "dispute_id",
            "invoice_number",
            "amount_won",
            "reason",
            "filed_on",
            "answer_due_on",
            "status",
            "today",
            "window_closes_on",
        )
    }
    assert context == {
        "dispute_id": dispute.pk,
        "invoice_number": invoice.number,
        "amount_won": 12_000,
        "reason": "요율",
        "filed_on": "2026-06-10",
        "answer_due_on": "2026-06-24",
        "status": "접수",
        "today": "2026-06-10",
        "window_closes_on": "2026-12-05",
    }
    # the body shows the same ISO dates the context keeps, not the dates as the template would format them
    assert "2026-06-10에 아래 요금 이의신청이 접수되었습니다." in told.body
    assert "■ 답변 기한: 2026-06-24\n" in told.body


def test_extending_needs_a_reason_and_a_later_date(presets):
    """BIL-10 (000 art.17③): the new answer date must be later than the current one (2026-06-24, 14 days
    after filing); the reason is kept (at most 300 characters) and told to the customer."""
    invoice = officecore_invoice(presets)
    dispute = dispute_file(invoice=invoice, amount_won=12_000, reason="요율", today=D(2026, 6, 10))
    with pytest.raises(DomainError) as refused:
        dispute_extend(dispute=dispute, new_due_on=D(2026, 7, 1), reason=" ")
    assert (refused.value.code, refused.value.field, refused.value.message_ko) == (
        "reason_required",
        "reason",
        "BIL-10: 답변 기한 연장 사유를 입력해야 합니다.",
    )
    with pytest.raises(DomainError) as refused:
        dispute_extend(dispute=dispute, new_due_on=D(2026, 6, 24), reason="확인 필요")
    assert (refused.value.code, refused.value.field, refused.value.message_ko) == (
        "due_not_later",
        "new_due_on",
        "BIL-10: 새 답변 기한 2026-06-24는 현재 기한 2026-06-24보다 늦어야 합니다.",
    )
    long_reason = "가" * 301
    extended = dispute_extend(dispute=dispute, new_due_on=D(2026, 6, 25), reason=long_reason)
    extended.refresh_from_db()
    assert (extended.answer_due_on, extended.due_extension_reason) == (D(2026, 6, 25), "가" * 300)
    told = Notice.objects.filter(event="dispute.extended", customer=invoice.customer).first()
    assert told is not None
    assert told.dedupe_key == f"dispute:{dispute.pk}:extended:2026-06-25"
    assert (told.context["today"], told.context["previous_due_on"], told.context["answer_due_on"]) == (
        "2026-06-24",  # no day given: the previous deadline
        "2026-06-24",
        "2026-06-25",
    )
    assert told.context["extension_reason"] == long_reason


def test_deciding_refuses_amounts_that_are_not_whole_won_and_a_blank_answer(presets):
    """BIL-10: the upheld amount is a whole number of won, 0 or more; the answer is required."""
    invoice = officecore_invoice(presets)
    dispute = dispute_file(invoice=invoice, amount_won=12_000, reason="요율", today=D(2026, 6, 10))
    for amount in (True, -1, 1.0, "1"):
        with pytest.raises(DomainError) as refused:
            dispute_decide(dispute=dispute, upheld_amount_won=amount, answer="x", today=D(2026, 6, 11))
        assert (refused.value.code, refused.value.field, refused.value.message_ko) == (
            "amount_invalid",
            "upheld_amount_won",
            "BIL-10: 인용 금액은 0 이상의 원 단위 정수여야 합니다.",
        )
    with pytest.raises(DomainError) as refused:
        dispute_decide(dispute=dispute, upheld_amount_won=0, answer=None, today=D(2026, 6, 11))
    assert (refused.value.code, refused.value.field, refused.value.message_ko) == (
        "answer_required",
        "answer",
        "BIL-10: 답변 내용을 입력해야 합니다.",
    )
    with pytest.raises(DomainError) as refused:
        dispute_decide(dispute=dispute, upheld_amount_won=13_201, answer="x", today=D(2026, 6, 11))
    assert (refused.value.field, refused.value.message_ko) == (
        "upheld_amount_won",
        "BIL-10: 인용 금액 13,201원이 부가세를 포함한 이의 금액 13,200원을 넘습니다.",
    )
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.OPEN and not CreditNote.objects.exists()


def test_a_decision_is_recorded_and_told_with_its_credit_note(presets):
    """BIL-10: upheld in full (12,000 supply → 13,200 with VAT): the answer, day and amount are recorded,
    and the notice names the credit note; a decided dispute can be neither decided nor withdrawn again."""
    invoice = officecore_invoice(presets)
    dispute = dispute_file(invoice=invoice, amount_won=12_000, reason="요율", today=D(2026, 6, 10))
    decided = dispute_decide(dispute=dispute, upheld_amount_won=13_200, answer=" 인정 ", today=D(2026, 6, 11))
    decided.refresh_from_db()
    assert (decided.status, decided.answer, decided.answered_on, decided.upheld_amount_won) == (
        Dispute.Status.UPHELD,
        "인정",
        D(2026, 6, 11),
        13_200,
    )
    note = decided.credit_note
    assert (note.total_won, note.description) == (13_200, f"이의신청 #{dispute.pk} 인용: 요율")
    assert note.idempotency_key == f"dispute:{dispute.pk}"  # one credit note per dispute, also if retried
    told = Notice.objects.filter(event="dispute.decided", customer=invoice.customer).first()
    assert told is not None
    assert told.dedupe_key == f"dispute:{dispute.pk}:decided"
    assert told.context["today"] == "2026-06-11"
    assert (told.context["credit_note_number"], told.context["answer"], told.context["status"]) == (
        note.number,
        "인정",
        "인용",
    )
    with pytest.raises(DomainError) as refused:
        dispute_withdraw(dispute=decided, today=D(2026, 6, 12))
    assert (refused.value.code, refused.value.field, refused.value.message_ko) == (
        "dispute_not_open",
        "status",
        "BIL-10: 이의신청이 이미 '인용' 상태라 취하할 수 없습니다.",
    )
    with pytest.raises(DomainError) as refused:
        dispute_extend(dispute=decided, new_due_on=D(2026, 7, 30), reason="추가 확인")
    assert refused.value.message_ko == "BIL-10: 이의신청이 이미 '인용' 상태라 기한 연장할 수 없습니다."
    with pytest.raises(DomainError) as refused:
        dispute_decide(dispute=decided, upheld_amount_won=0, answer="재결정", today=D(2026, 6, 12))
    assert refused.value.message_ko == "BIL-10: 이의신청이 이미 '인용' 상태라 결정할 수 없습니다."


def test_a_rejection_notice_has_no_credit_note(presets):
    """BIL-10: rejected (0 upheld): no credit note, the notice's credit-note number is empty."""
    invoice = officecore_invoice(presets)
    dispute = dispute_file(invoice=invoice, amount_won=12_000, reason="요율", today=D(2026, 6, 10))
    dispute_decide(dispute=dispute, upheld_amount_won=0, answer="정상", today=D(2026, 6, 11))
    told = Notice.objects.filter(event="dispute.decided", customer=invoice.customer).first()
    assert told is not None
    assert (
        told.context["credit_note_number"],
        told.context["upheld_amount_won"],
        told.context["amount_won"],
    ) == ("", 0, 13_200)


def test_withdrawing_records_the_reason_or_the_customer_withdrawal(presets):
    """BIL-10: a withdrawal is answered that day with the customer's reason, or "고객 취하"."""
    invoice = officecore_invoice(presets)
    first = dispute_file(invoice=invoice, amount_won=1_000, reason="a", today=D(2026, 6, 10))
    second = dispute_file(invoice=invoice, amount_won=1_000, reason="b", today=D(2026, 6, 10))
    first = dispute_withdraw(dispute=first, today=D(2026, 6, 12))
    second = dispute_withdraw(dispute=second, today=D(2026, 6, 13), reason=" 오해 해소 ")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.answered_on, first.answer) == (
        Dispute.Status.WITHDRAWN,
        D(2026, 6, 12),
        "고객 취하",
    )
    assert (second.answered_on, second.answer) == (D(2026, 6, 13), "오해 해소")
    keys = set(Notice.objects.filter(event="dispute.withdrawn").values_list("dedupe_key", flat=True))
    assert keys == {f"dispute:{first.pk}:withdrawn", f"dispute:{second.pk}:withdrawn"}
    told = Notice.objects.filter(
        event="dispute.withdrawn", dedupe_key=f"dispute:{second.pk}:withdrawn"
    ).first()
    assert told is not None and told.context["today"] == "2026-06-13"
    logged = StatusTransition.objects.filter(object_id__in=[first.pk, second.pk], to_status="withdrawn")
    assert sorted(logged.values_list("object_id", "reason", "on_date")) == [
        (first.pk, "고객 취하", D(2026, 6, 12)),
        (second.pk, "오해 해소", D(2026, 6, 13)),
    ]


def test_open_disputes_are_the_invoices_open_ones(presets):
    """BIL-10: only this invoice's disputes that are still open."""
    invoice = officecore_invoice(presets)
    other = officecore_invoice(presets)
    kept = dispute_file(invoice=invoice, amount_won=1_000, reason="a", today=D(2026, 6, 10))
    withdrawn = dispute_file(invoice=invoice, amount_won=1_000, reason="b", today=D(2026, 6, 10))
    dispute_withdraw(dispute=withdrawn, today=D(2026, 6, 10))
    dispute_file(invoice=other, amount_won=1_000, reason="c", today=D(2026, 6, 10))
    assert list(open_disputes(invoice)) == [kept]


def test_a_decision_is_logged_with_its_answer_and_a_long_reason_is_cut_to_500(presets):
    """BIL-10: the status change is logged with the answer; the credit note's description (the dispute
    number and reason) is at most 500 characters."""
    invoice = officecore_invoice(presets)
    dispute = dispute_file(invoice=invoice, amount_won=1_000, reason="가" * 600, today=D(2026, 6, 10))
    decided = dispute_decide(dispute=dispute, upheld_amount_won=1_100, answer="확인", today=D(2026, 6, 11))
    prefix = f"이의신청 #{dispute.pk} 인용: "
    assert decided.credit_note.description == prefix + "가" * (500 - len(prefix))
    logged = StatusTransition.objects.get(object_id=dispute.pk, to_status="upheld")
    assert (logged.reason, logged.on_date) == ("확인", D(2026, 6, 11))


def test_a_decided_line_dispute_still_claims_its_credit_on_that_line(presets):
    """BIL-10: on the 300,000 base-fee line of a VAT-exclusive invoice, a dispute upheld in part with
    44,000 (40,000 supply + 4,000 VAT) leaves 300,000 − 40,000 = 260,000 of the line disputable; with a
    second upheld in part (22,000 = 20,000 supply) beside it, 240,000. An open one claims its amount too."""
    invoice = officecore_invoice(presets)
    line = base_line(invoice)
    first = dispute_file(invoice=invoice, line=line, amount_won=50_000, reason="요율", today=D(2026, 6, 10))
    dispute_decide(dispute=first, upheld_amount_won=44_000, answer="일부 인정", today=D(2026, 6, 12))
    with pytest.raises(DomainError) as refused:
        dispute_file(invoice=invoice, line=line, amount_won=260_001, reason="더", today=D(2026, 6, 13))
    assert "이의 가능한 금액 260,000원(기본료)" in refused.value.message_ko
    second = dispute_file(invoice=invoice, line=line, amount_won=30_000, reason="또", today=D(2026, 6, 13))
    dispute_decide(dispute=second, upheld_amount_won=22_000, answer="일부 인정", today=D(2026, 6, 14))
    dispute_file(invoice=invoice, line=line, amount_won=10_000, reason="열림", today=D(2026, 6, 15))
    with pytest.raises(DomainError) as refused:
        dispute_file(invoice=invoice, line=line, amount_won=230_001, reason="끝", today=D(2026, 6, 15))
    assert "이의 가능한 금액 230,000원(기본료)" in refused.value.message_ko


def test_a_decided_line_dispute_on_a_vat_inclusive_invoice_claims_the_credit_with_vat(presets):
    """BIL-10: a VAT-inclusive invoice's lines are in prices with VAT: on its 330,000 line, a dispute upheld
    in part with 55,000 (VAT included) leaves 330,000 − 55,000 = 275,000 disputable."""
    invoice = an_invoice(presets, total_won=330_000, vat_inclusive=True)
    line = InvoiceLine.objects.create(
        invoice=invoice, kind=InvoiceLine.Kind.BASE_FEE, description="기본료", amount_won=330_000
    )
    first = dispute_file(invoice=invoice, line=line, amount_won=60_000, reason="요율", today=D(2026, 6, 10))
    dispute_decide(dispute=first, upheld_amount_won=55_000, answer="일부 인정", today=D(2026, 6, 12))
    with pytest.raises(DomainError) as refused:
        dispute_file(invoice=invoice, line=line, amount_won=275_001, reason="더", today=D(2026, 6, 13))
    assert "이의 가능한 금액 275,000원(기본료)" in refused.value.message_ko
    assert dispute_file(invoice=invoice, line=line, amount_won=275_000, reason="더", today=D(2026, 6, 13))


def test_damoas_window_counts_two_months_from_the_cause_the_customer_names(presets):
    """BIL-10 (004 art.20-2): a damoa invoice issued 2026-03-05 whose cause was on 2026-01-10 may be
    disputed until 2026-01-10 + 2 months = 2026-03-10 (earlier than 1 month from knowing, 2026-04-05): on
    2026-03-11 the filing is refused naming that day; without a cause date it is still open."""
    invoice = an_invoice(presets, code="damoa", issued=D(2026, 3, 5), supply_won=100_000)
    with pytest.raises(DomainError) as refused:
        dispute_file(
            invoice=invoice, amount_won=1_000, reason="x", today=D(2026, 3, 11), cause_on=D(2026, 1, 10)
        )
    assert (refused.value.code, refused.value.field) == ("dispute_window_closed", "filed_on")
    assert refused.value.message_ko == "BIL-10: 이의신청 기간이 2026-03-10에 종료되었습니다"
    assert dispute_file(invoice=invoice, amount_won=1_000, reason="x", today=D(2026, 3, 11))


def test_open_disputes_on_another_invoice_do_not_limit_this_one(presets):
    """BIL-10: the same customer's open dispute of 100,000 on its May invoice leaves all 300,000 of the June
    invoice disputable."""
    june = officecore_invoice(presets)
    may = an_invoice(presets, customer=june.customer, issued=D(2026, 5, 5), supply_won=300_000)
    dispute_file(invoice=may, amount_won=100_000, reason="5월", today=D(2026, 6, 10))
    assert (
        dispute_file(invoice=june, amount_won=300_000, reason="6월", today=D(2026, 6, 10)).amount_won
        == 300_000
    )


def test_terms_without_an_answer_period_answer_on_the_filing_day(presets):
    """BIL-10: where the terms set no answer period (0 days), the answer is due the day the dispute is
    filed — promptly — not the next day."""
    from contracts.models import Policy

    Policy.objects.filter(pk=presets["officecore"].pk).update(dispute_answer_days=0)
    presets["officecore"].refresh_from_db()
    invoice = officecore_invoice(presets)
    dispute = dispute_file(invoice=invoice, amount_won=1_000, reason="x", today=D(2026, 6, 10))
    assert dispute.answer_due_on == D(2026, 6, 10)
