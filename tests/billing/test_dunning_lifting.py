"""DUN-1 and DUN-4 at their edges (issue 9 mutation testing of ``billing/services/dunning.py``): what a
payment in full lifts, and what it must leave in place.

- Another overdue invoice of the customer whose restriction acts on the same contract keeps it; one
  whose ladder has only sent notices so far does not; one that acts on another contract (DUN-4) does
  not either.
- Only what the ladder imposed is lifted: a feature staff blocked stays blocked, a suspension for a
  violation stays.
- The resolution is on record: the case's status log says why, the customer is told which contracts
  were restored, the contract's history names the dunning job, and the notices the ladder sent are
  not "cancelled".

Each scenario walks the real jobs day by day (``run_jobs``), as the ladder tests do.
"""

from __future__ import annotations

import json

import pytest
from django.contrib.contenttypes.models import ContentType

from billing.models import DunningCase, Invoice
from contracts.models import SpecialTerm, Suspension
from contracts.services.restriction import contract_restrict
from core.models import StatusTransition
from messaging.models import Notice

from .conftest import D
from .test_dunning import (  # noqa: F401 - fixture
    after_due_jobs,
    case_of,
    first_invoice,
    make_contract_on,
    pay_in_full,
    reload,
    walk,
)
from .test_suspension_fees import suspend

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("presets", "after_due_jobs")]


JANUARY_5 = D(2026, 1, 5)


def _monthly_and_annual(*, annual_start=JANUARY_5, whole_customer: bool):  # type: ignore[no-untyped-def]
    """One customer, officecore monthly from 2026-01-05 and officecore annual from ``annual_start``,
    both invoices issued and left unpaid; with ``whole_customer`` both contracts carry the special term
    that makes the ladder act on every contract of the customer (DUN-4, CON-12)."""
    from billing.services import invoicing

    monthly = make_contract_on("officecore-standard-monthly", D(2026, 1, 5))
    annual = make_contract_on(
        "officecore-standard-annual", annual_start, customer=monthly.customer, cycle="annual", term_months=12
    )
    if whole_customer:
        for contract in (monthly, annual):
            SpecialTerm.objects.create(
                contract=contract,
                parameter="dunning_whole_customer",
                value=True,
                note="연체 시 전체 계약 제한",
                signed_on=D(2026, 1, 2),
            )
    for day in sorted({D(2026, 1, 5), annual_start}):
        invoicing.invoices_generate(today=day)
    invoices = {i.schedule: i for i in Invoice.objects.filter(customer=monthly.customer)}
    return monthly, annual, invoices["officecore"], invoices["officecore-annual"]


def _resolved_notice(invoice: Invoice) -> dict:
    case = case_of(invoice)
    notices = Notice.objects.filter(event="dunning.resolved", dedupe_key__startswith=f"dunning:{case.pk}:")
    told = {(n.dedupe_key, n.actor, json.dumps(n.context, sort_keys=True)) for n in notices}  # per channel
    assert len(told) == 1, told
    ((key, actor, context),) = told
    return {"dedupe_key": key, "actor": actor, **json.loads(context)}


def test_a_restriction_another_overdue_invoice_imposes_stays_until_that_one_is_paid():
    """DUN-1, DUN-4: both invoices (due 2026-01-19) overdue, the terms acting on the whole customer: each
    case restricts both contracts on 02-02. Paying the monthly invoice on 02-04 resolves its case but
    restores nothing (the annual invoice's restriction still stands), and the customer is told so;
    paying the annual one on 02-05 restores both, named in the notice."""
    monthly, annual, monthly_invoice, annual_invoice = _monthly_and_annual(whole_customer=True)
    bystander = make_contract_on("officecore-standard-monthly", D(2026, 1, 5))  # another customer, not billed
    walk(D(2026, 1, 19), D(2026, 2, 3))
    assert (reload(monthly).restrictions, reload(annual).restrictions) == (["service"], ["service"])
    assert reload(bystander).restrictions == []  # "the whole customer" is this customer

    pay_in_full(monthly_invoice, D(2026, 2, 4))
    assert case_of(monthly_invoice).status == DunningCase.Status.RESOLVED
    assert case_of(annual_invoice).status == DunningCase.Status.OPEN
    assert (reload(monthly).restrictions, reload(annual).restrictions) == (["service"], ["service"])
    first = case_of(monthly_invoice)
    assert _resolved_notice(monthly_invoice) == {
        "dedupe_key": f"dunning:{first.pk}:resolved:2026-02-04",
        "actor": "job:dunning",
        "invoice_number": monthly_invoice.number,
        "resolution": "완납",
        "resolved_on": "2026-02-04",
        "lifted": [],
    }

    pay_in_full(annual_invoice, D(2026, 2, 5))
    assert (reload(monthly).restrictions, reload(annual).restrictions) == ([], [])
    assert _resolved_notice(annual_invoice)["lifted"] == [
        f"{monthly.number}:restrict",
        f"{annual.number}:restrict",
    ]


def test_another_invoice_that_has_only_sent_notices_does_not_keep_the_restriction():
    """DUN-1: the annual contract starts 2026-01-12 (its invoice due 01-26, notices from 01-27, restriction
    on 02-09); on 02-04 only the monthly invoice's case has restricted. Paying it lifts the restriction
    of both contracts although the annual case is open: a notice restricts nothing."""
    monthly, annual, monthly_invoice, annual_invoice = _monthly_and_annual(
        annual_start=D(2026, 1, 12), whole_customer=True
    )
    walk(D(2026, 1, 19), D(2026, 2, 3))
    assert [s.action for s in case_of(annual_invoice).steps.order_by("index")] == ["notify", "notify"]
    assert (reload(monthly).restrictions, reload(annual).restrictions) == (["service"], ["service"])
    pay_in_full(monthly_invoice, D(2026, 2, 4))
    assert (reload(monthly).restrictions, reload(annual).restrictions) == ([], [])
    assert _resolved_notice(monthly_invoice)["lifted"] == [
        f"{monthly.number}:restrict",
        f"{annual.number}:restrict",
    ]


def test_a_restriction_of_another_contract_does_not_keep_this_one():
    """DUN-4: without the whole-customer term each case restricts its own contract; paying the monthly
    invoice restores the monthly contract while the annual one, still overdue, stays restricted."""
    monthly, annual, monthly_invoice, _annual_invoice = _monthly_and_annual(whole_customer=False)
    walk(D(2026, 1, 19), D(2026, 2, 3))
    assert (reload(monthly).restrictions, reload(annual).restrictions) == (["service"], ["service"])
    pay_in_full(monthly_invoice, D(2026, 2, 4))
    assert (reload(monthly).restrictions, reload(annual).restrictions) == ([], ["service"])


def test_payment_lifts_only_what_the_ladder_blocked_and_says_so_everywhere():
    """DUN-1: staff blocked the API of the contract on 2026-01-10 (not a dunning measure); the ladder
    blocks the service on 02-02; payment on 02-04 unblocks the service only. The case's status log
    gives the reason ("완납"), the contract's history names the dunning job, the customer's
    ``contract.unrestricted`` notice is keyed to this case, and the two notices the ladder sent are not
    cancelled (only measures are)."""
    monthly = make_contract_on("officecore-standard-monthly", D(2026, 1, 5))
    contract_restrict(contract=monthly, features=["api"], today=D(2026, 1, 10), reason="API 남용")
    invoice = first_invoice(monthly)
    walk(D(2026, 1, 19), D(2026, 2, 3))
    assert reload(monthly).restrictions == ["api", "service"]
    pay_in_full(invoice, D(2026, 2, 4))
    assert reload(monthly).restrictions == ["api"]
    case = case_of(invoice)
    log = StatusTransition.objects.get(
        content_type=ContentType.objects.get_for_model(DunningCase), object_id=case.pk, to_status="resolved"
    )
    assert (log.from_status, log.reason, log.on_date) == ("open", "완납", D(2026, 2, 4))
    lift = reload(monthly).history.order_by("-history_id").first()
    assert (lift.history_actor, lift.restrictions) == ("job:dunning", ["api"])
    assert Notice.objects.filter(
        event="contract.unrestricted", dedupe_key=f"dunning:{case.pk}:lift:{monthly.pk}:restrict:2026-02-04"
    ).exists()
    assert [(s.action, s.cancelled_on) for s in case.steps.order_by("index")] == [
        ("notify", None),
        ("notify", None),
        ("restrict", D(2026, 2, 4)),
    ]


def test_payment_leaves_a_suspension_for_a_violation_in_place():
    """DUN-1: damoa suspended for a violation (by staff, open) before its invoice falls due: the ladder's
    suspension step finds it suspended already and adds none; paying the invoice lifts nothing, the
    violation suspension stays open."""
    contract = make_contract_on("damoa-standard", D(2026, 1, 5))
    invoice = first_invoice(contract)
    violation = suspend(contract, D(2026, 1, 13), kind=Suspension.Kind.VIOLATION)
    walk(D(2026, 1, 12), D(2026, 1, 23))
    assert list(contract.suspensions.values_list("kind", flat=True)) == ["violation"]
    assert case_of(invoice).steps.get(action="suspend").detail == "이용 정지: -"
    pay_in_full(invoice, D(2026, 1, 24))
    violation.refresh_from_db()
    assert violation.lifted_on is None
    assert _resolved_notice(invoice)["lifted"] == []


def test_an_invoice_cancelled_in_full_resolves_its_case_as_cancelled_and_only_once():
    """DUN-1, BIL-2: an overdue, restricted invoice cancelled in full by a credit note on 2026-02-04 (a
    billing error) is void: its case is resolved as "전액 취소" in the status log and the customer's
    notice, and the restriction lifted. Told again that the invoice is settled (the event is safe to
    repeat), nothing changes: one resolution, on 02-04."""
    from billing.models import CreditNote
    from billing.services import dunning
    from billing.services.notes import credit_note_issue

    monthly = make_contract_on("officecore-standard-monthly", D(2026, 1, 5))
    invoice = first_invoice(monthly)
    walk(D(2026, 1, 19), D(2026, 2, 3))
    assert reload(monthly).restrictions == ["service"]
    credit_note_issue(
        invoice=invoice,
        amount_won=invoice.total_won,
        reason=CreditNote.Reason.CORRECTION,
        description="청구 오류 전액 정정",
        today=D(2026, 2, 4),
        vat_included=True,
    )
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.VOID
    assert reload(monthly).restrictions == []
    assert _resolved_notice(invoice)["resolution"] == "전액 취소"
    case = case_of(invoice)
    resolved = StatusTransition.objects.filter(
        content_type=ContentType.objects.get_for_model(DunningCase), object_id=case.pk, to_status="resolved"
    )
    assert [(log.reason, log.on_date) for log in resolved] == [("전액 취소", D(2026, 2, 4))]
    dunning.on_invoice_paid(invoice=invoice, today=D(2026, 2, 5))
    case.refresh_from_db()
    assert (case.status, case.resolved_on, resolved.count()) == (
        DunningCase.Status.RESOLVED,
        D(2026, 2, 4),
        1,
    )


def test_an_upheld_dispute_cancels_the_steps_it_caused_while_another_dispute_keeps_the_case_open():
    """BIL-10, DUN-1: officecore from 2026-01-05, first invoice 507,419 (seats 261,290 + setup fee 200,000
    + VAT), due 01-19; the customer pays all but 330,000. A dispute of the seats line (100,000, 110,000
    with VAT) filed 01-18 holds that much, so the ladder duns 220,000: notices on 01-20 and 01-26, the
    restriction on 02-02. The setup fee is disputed on 02-03 (200,000) and upheld in full on 02-04
    (220,000): every step dunned only that amount, so all three are cancelled and the restriction lifted,
    with the dispute named as the reason. The invoice still has 110,000 open under the first dispute: the
    case stays open, until that is paid on 02-05 (the cancelled steps keep their date)."""
    from billing.models import InvoiceLine
    from billing.services.disputes import dispute_decide, dispute_file
    from billing.services.payments import payment_record

    contract = make_contract_on("officecore-standard-monthly", D(2026, 1, 5))
    invoice = first_invoice(contract)
    assert invoice.total_won == 507_419
    seats_line = invoice.lines.get(kind=InvoiceLine.Kind.SEATS)
    setup = invoice.lines.get(kind=InvoiceLine.Kind.SETUP_FEE)
    dispute_file(
        invoice=invoice, line=seats_line, amount_won=100_000, reason="인원 과다", today=D(2026, 1, 18)
    )
    payment_record(
        customer=contract.customer,
        amount_won=507_419 - 330_000,
        method="bank_transfer",
        received_on=D(2026, 1, 19),
        invoice=invoice,
    )
    walk(D(2026, 1, 19), D(2026, 2, 2))
    case = case_of(invoice)
    assert [(s.action, s.amount_won) for s in case.steps.order_by("index")] == [
        ("notify", 220_000),
        ("notify", 220_000),
        ("restrict", 220_000),
    ]
    assert reload(contract).restrictions == ["service"]
    dispute = dispute_file(
        invoice=invoice, line=setup, amount_won=200_000, reason="설치 안 함", today=D(2026, 2, 3)
    )
    dispute_decide(dispute=dispute, upheld_amount_won=220_000, answer="설치 미실시 확인", today=D(2026, 2, 4))
    case.refresh_from_db()
    assert case.status == DunningCase.Status.OPEN
    assert [s.cancelled_on for s in case.steps.order_by("index")] == [D(2026, 2, 4)] * 3
    assert reload(contract).restrictions == []
    unrestricted = Notice.objects.filter(event="contract.unrestricted", customer=contract.customer).first()
    assert unrestricted is not None
    assert unrestricted.context["reason"] == f"이의신청 인용 (청구서 {invoice.number})"
    # the rest paid on 02-05: the case is resolved; the steps keep the day the dispute cancelled them
    pay_in_full(invoice, D(2026, 2, 5))
    case.refresh_from_db()
    assert (case.status, case.resolved_on) == (DunningCase.Status.RESOLVED, D(2026, 2, 5))
    assert [s.cancelled_on for s in case.steps.order_by("index")] == [D(2026, 2, 4)] * 3


def test_a_restriction_staff_lifted_already_is_not_reported_as_lifted_by_the_payment():
    """DUN-1: the ladder restricts on 2026-02-02; staff lift it by hand on 02-03; the payment on 02-04
    resolves the case and has nothing left to lift: the customer is not told of a restoration."""
    from contracts.services.restriction import contract_unrestrict

    monthly = make_contract_on("officecore-standard-monthly", D(2026, 1, 5))
    invoice = first_invoice(monthly)
    walk(D(2026, 1, 19), D(2026, 2, 2))
    contract_unrestrict(contract=reload(monthly), today=D(2026, 2, 3), reason="고객 요청 (입금 예정)")
    pay_in_full(invoice, D(2026, 2, 4))
    assert _resolved_notice(invoice)["lifted"] == []
