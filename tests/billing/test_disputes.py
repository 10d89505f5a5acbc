"""BIL-10: disputes (이의신청) — windows per policy, amounts, answer deadlines, decisions with credit notes,
and their effect on the dunning ladder (held while open, upheld cancels the steps it caused, DUN-1)."""

from __future__ import annotations

import pytest

from billing.models import CreditNote, Dispute, DunningCase, Invoice, InvoiceLine
from billing.services import facts, ledger
from billing.services.disputes import (
    dispute_decide,
    dispute_extend,
    dispute_file,
    dispute_window_closes_on,
    dispute_withdraw,
    held_won,
)
from billing.services.payments import payment_record
from contracts.entitlement import is_entitled
from core.errors import DomainError
from messaging.models import Notice
from tests.billing.payment_factories import CustomerFactory, make_invoice

from .conftest import D
from .test_dunning import (  # noqa: F401 - fixture
    after_due_jobs,
    case_of,
    first_invoice,
    make_contract_on,
    reload,
    step_notice,
    steps,
    walk,
)


def preset_invoice(presets, code: str, *, issue, due, supply=300_000):  # type: ignore[no-untyped-def]
    return make_invoice(
        CustomerFactory(), supply_won=supply, issue_date=issue, due_date=due, policy=presets[code]
    )


# --------------------------------------------------------------------------- windows


@pytest.mark.django_db
def test_officecore_six_months_from_the_invoice_unless_the_operator_erred(presets):
    """BIL-10 (000 art.17①): 6 months from the invoice; no limit when the operator erred."""
    invoice = preset_invoice(presets, "officecore", issue=D(2026, 6, 5), due=D(2026, 6, 19))
    assert dispute_window_closes_on(invoice) == D(2026, 12, 5)
    with pytest.raises(DomainError) as refused:
        dispute_file(invoice=invoice, amount_won=10_000, reason="과다 청구", today=D(2026, 12, 6))
    assert refused.value.code == "dispute_window_closed"
    assert refused.value.message_ko == "BIL-10: 이의신청 기간이 2026-12-05에 종료되었습니다"
    assert not Dispute.objects.exists()
    on_last_day = dispute_file(invoice=invoice, amount_won=10_000, reason="과다 청구", today=D(2026, 12, 5))
    assert on_last_day.answer_due_on == D(2026, 12, 19)  # 2 weeks (000 art.17②)
    late = dispute_file(
        invoice=invoice, amount_won=10_000, reason="회사 착오", today=D(2027, 3, 1), operator_erred=True
    )
    assert late.operator_erred


@pytest.mark.django_db
def test_dcloud_fifteen_days_from_issue_answer_in_seven(presets):
    """BIL-10 (002 art.35①): 15 days from the invoice's issue; the answer within 7 days."""
    invoice = preset_invoice(presets, "dcloud", issue=D(2026, 2, 10), due=D(2026, 2, 28))
    dispute = dispute_file(invoice=invoice, amount_won=50_000, reason="미사용 서버", today=D(2026, 2, 25))
    assert dispute.answer_due_on == D(2026, 3, 4)
    with pytest.raises(DomainError, match="2026-02-25"):
        dispute_file(invoice=invoice, amount_won=50_000, reason="x", today=D(2026, 2, 26))
    with pytest.raises(DomainError, match="2026-02-25"):  # the operator-error exception is officecore's
        dispute_file(
            invoice=invoice, amount_won=50_000, reason="x", today=D(2026, 2, 26), operator_erred=True
        )


@pytest.mark.django_db
def test_damoa_one_month_from_knowing_two_from_the_cause(presets):
    """BIL-10 (004 art.20-2): whichever closes first of 1 month from knowing and 2 months from the cause."""
    invoice = preset_invoice(presets, "damoa", issue=D(2026, 1, 7), due=D(2026, 1, 12))
    assert dispute_window_closes_on(invoice) == D(2026, 2, 7)
    assert dispute_window_closes_on(invoice, known_on=D(2026, 1, 20)) == D(2026, 2, 20)
    assert dispute_window_closes_on(invoice, known_on=D(2026, 2, 20), cause_on=D(2026, 1, 7)) == D(2026, 3, 7)
    with pytest.raises(DomainError) as refused:
        dispute_file(
            invoice=invoice, amount_won=1_000, reason="x", today=D(2026, 2, 21), known_on=D(2026, 1, 20)
        )
    assert refused.value.message_ko == "BIL-10: 이의신청 기간이 2026-02-20에 종료되었습니다"
    ok = dispute_file(
        invoice=invoice, amount_won=1_000, reason="x", today=D(2026, 2, 20), known_on=D(2026, 1, 20)
    )
    assert ok.known_on == D(2026, 1, 20)
    with pytest.raises(DomainError):
        dispute_file(
            invoice=invoice, amount_won=1_000, reason="x", today=D(2026, 2, 1), known_on=D(2026, 2, 2)
        )


@pytest.mark.django_db
def test_no_window_for_flow_and_kgmsg(presets):
    """BIL-10: flow and kgmsg set no window."""
    for code in ("flow", "kgmsg"):
        invoice = preset_invoice(presets, code, issue=D(2026, 1, 1), due=D(2026, 1, 15))
        assert dispute_window_closes_on(invoice) is None
        dispute_file(invoice=invoice, amount_won=1_000, reason="x", today=D(2027, 6, 1))


# --------------------------------------------------------------------------- amounts, extend, decide


@pytest.mark.django_db
@pytest.mark.usefixtures("presets")
def test_amount_at_most_the_line_and_the_invoice():
    """BIL-10: at most the line's amount (minus other live disputes on it), or the invoice's; a line of
    another invoice is refused."""
    contract = make_contract_on("officecore-standard-monthly", D(2026, 1, 5))
    invoice = first_invoice(contract)
    setup = invoice.lines.get(kind=InvoiceLine.Kind.SETUP_FEE)
    with pytest.raises(DomainError) as refused:
        dispute_file(
            invoice=invoice, line=setup, amount_won=setup.amount_won + 1, reason="x", today=D(2026, 1, 10)
        )
    assert refused.value.code == "dispute_exceeds_amount"
    dispute_file(invoice=invoice, line=setup, amount_won=150_000, reason="x", today=D(2026, 1, 10))
    with pytest.raises(DomainError):
        dispute_file(invoice=invoice, line=setup, amount_won=50_001, reason="y", today=D(2026, 1, 10))
    with pytest.raises(DomainError):
        dispute_file(invoice=invoice, amount_won=invoice.supply_won, reason="z", today=D(2026, 1, 10))
    other = make_invoice(contract.customer, 110_000, policy=invoice.policy)
    with pytest.raises(DomainError):
        dispute_file(invoice=other, line=setup, amount_won=1, reason="x", today=D(2026, 1, 10))
    with pytest.raises(DomainError):
        dispute_file(invoice=invoice, amount_won=1, reason="   ", today=D(2026, 1, 10))


@pytest.mark.django_db
def test_extend_with_reason_and_decide_with_credit_note(presets):
    """BIL-10 (000 art.17③, 002 art.35②): staff set a later answer date with a reason; upheld → credit
    note ``dispute_upheld``; partial → credit for the upheld part; rejected → none. The customer is told."""
    invoice = preset_invoice(presets, "officecore", issue=D(2026, 6, 5), due=D(2026, 6, 19))
    dispute = dispute_file(invoice=invoice, amount_won=100_000, reason="x", today=D(2026, 6, 10))
    with pytest.raises(DomainError):
        dispute_extend(dispute=dispute, new_due_on=D(2026, 6, 30), reason="")
    dispute = dispute_extend(
        dispute=dispute, new_due_on=D(2026, 7, 10), reason="현장 확인 필요", today=D(2026, 6, 20)
    )
    assert (dispute.answer_due_on, dispute.due_extension_reason) == (D(2026, 7, 10), "현장 확인 필요")
    decided = dispute_decide(
        dispute=dispute, upheld_amount_won=44_000, answer="일부 인정", today=D(2026, 7, 1)
    )
    assert decided.status == Dispute.Status.PARTIAL
    note = decided.credit_note
    assert (note.reason, note.supply_won, note.vat_won, note.total_won) == (
        CreditNote.Reason.DISPUTE_UPHELD,
        40_000,
        4_000,
        44_000,
    )
    assert decided.upheld_amount_won == 44_000
    assert ledger.invoice_open_amount(invoice) == 330_000 - 44_000
    with pytest.raises(DomainError):
        dispute_decide(dispute=decided, upheld_amount_won=0, answer="again", today=D(2026, 7, 2))
    rejected = dispute_decide(
        dispute=dispute_file(invoice=invoice, amount_won=10_000, reason="y", today=D(2026, 7, 1)),
        upheld_amount_won=0,
        answer="정상 청구",
        today=D(2026, 7, 3),
    )
    assert rejected.status == Dispute.Status.REJECTED and rejected.credit_note is None
    events = set(Notice.objects.filter(customer=invoice.customer).values_list("event", flat=True))
    assert {"dispute.filed", "dispute.extended", "dispute.decided"} <= events


@pytest.mark.django_db
def test_upheld_amount_is_vat_inclusive_and_is_exactly_the_credit_note(presets):
    """BIL-10, BIL-2: the answer states the upheld amount VAT included and that is what is credited:
    6,600 upheld on a VAT-exclusive 10% invoice → a 6,600 credit note (6,000 supply + 600 VAT), not 7,260.
    More than the disputed amount with its VAT is refused before anything is written."""
    invoice = preset_invoice(presets, "officecore", issue=D(2026, 6, 5), due=D(2026, 6, 19))
    assert (invoice.vat_inclusive, invoice.vat_rate_percent) == (False, 10)
    dispute = dispute_file(invoice=invoice, amount_won=6_000, reason="중복 청구", today=D(2026, 6, 10))
    with pytest.raises(DomainError) as refused:
        dispute_decide(dispute=dispute, upheld_amount_won=6_601, answer="x", today=D(2026, 6, 12))
    assert refused.value.code == "upheld_exceeds_dispute" and "6600" in refused.value.message_ko.replace(
        ",", ""
    )
    assert not CreditNote.objects.exists()
    decided = dispute_decide(
        dispute=dispute, upheld_amount_won=6_600, answer="중복 확인", today=D(2026, 6, 12)
    )
    note = decided.credit_note
    assert (note.total_won, note.supply_won, note.vat_won) == (6_600, 6_000, 600)
    assert (decided.status, decided.upheld_amount_won) == (Dispute.Status.UPHELD, 6_600)
    told = Notice.objects.filter(event="dispute.decided", customer=invoice.customer).first()
    assert told is not None
    assert (told.context["amount_won"], told.context["upheld_amount_won"]) == (6_600, 6_600)  # "인용"
    assert ledger.invoice_open_amount(invoice) == 330_000 - 6_600
    partly = dispute_file(invoice=invoice, amount_won=10_000, reason="요율 오류", today=D(2026, 6, 10))
    partly = dispute_decide(dispute=partly, upheld_amount_won=3_300, answer="일부 인정", today=D(2026, 6, 12))
    assert partly.status == Dispute.Status.PARTIAL
    assert (partly.credit_note.total_won, partly.credit_note.supply_won, partly.credit_note.vat_won) == (
        3_300,
        3_000,
        300,
    )


@pytest.mark.django_db
def test_upheld_amount_on_a_vat_inclusive_invoice_is_the_credit_note_total():
    """BIL-10, BIL-2: on a VAT-inclusive invoice (flow) the dispute's amount already includes VAT: upheld
    in full is that amount, credited as the note's total with its VAT part taken out."""
    invoice = make_invoice(CustomerFactory(), 110_000, vat_inclusive=True)
    dispute = dispute_file(invoice=invoice, amount_won=11_000, reason="x", today=invoice.issue_date)
    decided = dispute_decide(
        dispute=dispute, upheld_amount_won=11_000, answer="인정", today=invoice.issue_date
    )
    assert decided.status == Dispute.Status.UPHELD
    assert (decided.credit_note.total_won, decided.credit_note.supply_won, decided.credit_note.vat_won) == (
        11_000,
        10_000,
        1_000,
    )


# --------------------------------------------------------------------------- the ladder


@pytest.mark.django_db
@pytest.mark.usefixtures("presets", "after_due_jobs")
def test_open_dispute_holds_its_amount_and_undisputed_part_is_dunned():
    """BIL-10, 003 art.7-2: while open, the disputed amount (with VAT) is held out of the ladder; the
    undisputed part stays payable and is dunned for its own amount."""
    contract = make_contract_on("officecore-standard-monthly", D(2026, 1, 5))
    invoice = first_invoice(contract)
    setup = invoice.lines.get(kind=InvoiceLine.Kind.SETUP_FEE)
    dispute_file(invoice=invoice, line=setup, amount_won=200_000, reason="설치 안 함", today=D(2026, 1, 15))
    assert held_won(invoice) == 220_000
    assert facts.dunnable_won(invoice) == invoice.total_won - 220_000
    walk(D(2026, 1, 19), D(2026, 1, 20))
    assert step_notice(case_of(invoice), 1)["amount_won"] == invoice.total_won - 220_000
    # paying the undisputed part stops the ladder although the invoice is not paid
    payment_record(
        customer=contract.customer,
        amount_won=invoice.total_won - 220_000,
        method="bank_transfer",
        received_on=D(2026, 1, 21),
        invoice=invoice,
    )
    walk(D(2026, 1, 21), D(2026, 2, 20))
    assert [s[0] for s in steps(invoice)] == [1]
    assert reload(contract).restrictions == []


@pytest.mark.django_db
@pytest.mark.usefixtures("presets", "after_due_jobs")
def test_rejected_dispute_returns_the_amount_to_dunning():
    """BIL-10: rejected → the amount is dunned again; steps whose dates passed run on the next run, in
    order, each once."""
    contract = make_contract_on("officecore-standard-monthly", D(2026, 1, 5))
    invoice = first_invoice(contract)
    dispute = dispute_file(
        invoice=invoice, amount_won=invoice.supply_won, reason="전부 부당", today=D(2026, 1, 15)
    )
    walk(D(2026, 1, 19), D(2026, 1, 27))
    assert steps(invoice) == []
    assert not DunningCase.objects.exists()
    dispute_decide(dispute=dispute, upheld_amount_won=0, answer="정상 청구", today=D(2026, 1, 27))
    walk(D(2026, 1, 28), D(2026, 1, 28))
    assert steps(invoice) == [
        (1, "notify", D(2026, 1, 20), D(2026, 1, 28)),
        (2, "notify", D(2026, 1, 26), D(2026, 1, 28)),
    ]


@pytest.mark.django_db
@pytest.mark.usefixtures("presets", "after_due_jobs")
def test_upheld_dispute_cancels_the_steps_it_caused():
    """BIL-10, DUN-1: the customer paid all but the setup fee; the notices that only dunned the fee were
    caused by it; once upheld they are cancelled and the case resolved."""
    contract = make_contract_on("officecore-standard-monthly", D(2026, 1, 5))
    invoice = first_invoice(contract)
    setup = invoice.lines.get(kind=InvoiceLine.Kind.SETUP_FEE)
    payment_record(
        customer=contract.customer,
        amount_won=invoice.total_won - 220_000,
        method="bank_transfer",
        received_on=D(2026, 1, 19),
        invoice=invoice,
    )
    walk(D(2026, 1, 19), D(2026, 1, 26))
    case = case_of(invoice)
    assert [(s.index, s.amount_won) for s in case.steps.order_by("index")] == [(1, 220_000), (2, 220_000)]
    dispute = dispute_file(
        invoice=invoice, line=setup, amount_won=200_000, reason="설치 안 함", today=D(2026, 1, 27)
    )
    walk(D(2026, 1, 27), D(2026, 2, 3))
    assert [s[0] for s in steps(invoice)] == [1, 2]  # held: no restriction on 02-02
    assert reload(contract).restrictions == []
    dispute_decide(dispute=dispute, upheld_amount_won=220_000, answer="설치 미실시 확인", today=D(2026, 2, 4))
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    case.refresh_from_db()
    assert case.status == DunningCase.Status.RESOLVED
    assert set(case.steps.values_list("cancelled_on", flat=True)) == {D(2026, 2, 4)}


@pytest.mark.django_db
@pytest.mark.usefixtures("presets", "after_due_jobs")
def test_upheld_dispute_after_restriction_lifts_it_at_once():
    """DUN-1 (an upheld dispute), BIL-10: the whole invoice was wrong (operator error, after the
    window): upheld → credit note voids it, the restriction is lifted the same moment, later steps never
    run."""
    contract = make_contract_on("officecore-standard-monthly", D(2026, 1, 5))
    invoice = first_invoice(contract)
    walk(D(2026, 1, 19), D(2026, 2, 3))
    assert reload(contract).restrictions == ["service"]
    dispute = dispute_file(
        invoice=invoice,
        amount_won=invoice.supply_won,
        reason="이중 청구",
        today=D(2026, 2, 3),
        operator_erred=True,
    )
    assert facts.dunnable_won(invoice) == 0
    dispute_decide(
        dispute=dispute, upheld_amount_won=invoice.total_won, answer="이중 청구 확인", today=D(2026, 2, 5)
    )
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.VOID
    contract = reload(contract)
    assert contract.restrictions == []
    assert is_entitled(contract.customer, today=D(2026, 2, 5))
    case = case_of(invoice)
    assert case.status == DunningCase.Status.RESOLVED
    assert all(s.cancelled_on == D(2026, 2, 5) for s in case.steps.all())
    walk(D(2026, 2, 5), D(2026, 2, 25))
    assert reload(contract).status == "active"


@pytest.mark.django_db
@pytest.mark.usefixtures("presets", "after_due_jobs")
def test_withdrawn_dispute_is_dunned_again():
    """BIL-10: a withdrawn dispute no longer holds its amount."""
    contract = make_contract_on("officecore-standard-monthly", D(2026, 1, 5))
    invoice = first_invoice(contract)
    dispute = dispute_file(invoice=invoice, amount_won=invoice.supply_won, reason="x", today=D(2026, 1, 15))
    assert facts.dunnable_won(invoice) == 0
    dispute_withdraw(dispute=dispute, today=D(2026, 1, 19))
    assert facts.dunnable_won(invoice) == invoice.total_won
    walk(D(2026, 1, 19), D(2026, 1, 20))
    assert [s[0] for s in steps(invoice)] == [1]
