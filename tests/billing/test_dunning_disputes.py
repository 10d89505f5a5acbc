"""BIL-10 and DUN-1: what an upheld dispute does to the dunning ladder, at its edges (issue 9, mutation
testing of ``dunning.on_dispute_decided``).

The rule: an upheld (or partly upheld) dispute cancels the steps its amount caused — the steps run
before the dispute was filed whose overdue amount the upheld amount (VAT included) covers — and, when
nothing stays overdue (what is left open is held by other disputes), it also cancels and lifts the
restrictions and suspensions still standing. A step run after the dispute was filed dunned only the
undisputed rest, so it stays; a step already cancelled keeps the day it was cancelled; a single won
still overdue keeps the restriction.

Every scenario is the officecore first invoice of a contract from 2026-01-05: seats 261,290 + setup
fee 200,000 = 461,290 + VAT 46,129 = 507,419 won, due 2026-01-19; the ladder notifies on 01-20 and 01-26
and restricts on 02-02. The real jobs walk the days, as in the other ladder tests.
"""

from __future__ import annotations

import pytest

from billing.models import DunningCase, InvoiceLine
from billing.services.disputes import dispute_decide, dispute_file
from billing.services.payments import payment_record

from .conftest import D
from .test_dunning import (  # noqa: F401 - fixture
    after_due_jobs,
    case_of,
    first_invoice,
    make_contract_on,
    reload,
    walk,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("presets", "after_due_jobs")]

TOTAL = 507_419


def _officecore_left_open(left_open: int):  # type: ignore[no-untyped-def]
    contract = make_contract_on("officecore-standard-monthly", D(2026, 1, 5))
    invoice = first_invoice(contract)
    assert invoice.total_won == TOTAL
    payment_record(
        customer=contract.customer,
        amount_won=TOTAL - left_open,
        method="bank_transfer",
        received_on=D(2026, 1, 19),
        invoice=invoice,
    )
    return contract, invoice


def _ladder(invoice):  # type: ignore[no-untyped-def]
    return [
        (s.action, s.executed_on, s.amount_won, s.cancelled_on)
        for s in case_of(invoice).steps.order_by("index")
    ]


def _line(invoice, kind):  # type: ignore[no-untyped-def]
    return invoice.lines.get(kind=kind)


def _dispute_setup_fee(invoice, filed_on):  # type: ignore[no-untyped-def]
    """The whole setup fee disputed (200,000; 220,000 with VAT)."""
    line = _line(invoice, InvoiceLine.Kind.SETUP_FEE)
    return dispute_file(invoice=invoice, line=line, amount_won=200_000, reason="설치 안 함", today=filed_on)


def test_a_single_won_left_overdue_keeps_the_restriction_and_the_larger_steps():
    """BIL-10, DUN-1: 220,001 left open, so every step dunned 220,001. The setup fee (200,000; 220,000
    with VAT) is disputed on 02-03 and upheld in full on 02-04: no step was caused by 220,000 alone, and
    one won is still overdue, so nothing is cancelled and the restriction stays."""
    contract, invoice = _officecore_left_open(220_001)
    walk(D(2026, 1, 19), D(2026, 2, 2))
    dispute = _dispute_setup_fee(invoice, D(2026, 2, 3))
    dispute_decide(dispute=dispute, upheld_amount_won=220_000, answer="설치 미실시 확인", today=D(2026, 2, 4))
    assert _ladder(invoice) == [
        ("notify", D(2026, 1, 20), 220_001, None),
        ("notify", D(2026, 1, 26), 220_001, None),
        ("restrict", D(2026, 2, 2), 220_001, None),
    ]
    assert case_of(invoice).status == DunningCase.Status.OPEN
    assert reload(contract).restrictions == ["service"]


def test_steps_run_after_the_dispute_was_filed_dunned_the_rest_and_stay():
    """BIL-10: 270,000 left open; the 01-20 notice dunned all of it. The setup fee (220,000 with VAT) is
    disputed on 01-25, so the notice of 01-26 and the restriction of 02-02 dun only the undisputed 50,000.
    Upheld in full on 02-03: the first notice dunned more than the upheld amount, and the later steps were
    not caused by the disputed amount (it was held when they ran) — all stay, and 50,000 is still overdue,
    so the restriction stays too."""
    contract, invoice = _officecore_left_open(270_000)
    walk(D(2026, 1, 19), D(2026, 1, 24))
    dispute = _dispute_setup_fee(invoice, D(2026, 1, 25))
    walk(D(2026, 1, 25), D(2026, 2, 2))
    dispute_decide(dispute=dispute, upheld_amount_won=220_000, answer="설치 미실시 확인", today=D(2026, 2, 3))
    assert _ladder(invoice) == [
        ("notify", D(2026, 1, 20), 270_000, None),
        ("notify", D(2026, 1, 26), 50_000, None),
        ("restrict", D(2026, 2, 2), 50_000, None),
    ]
    assert reload(contract).restrictions == ["service"]


def test_nothing_left_overdue_lifts_a_restriction_the_upheld_amount_did_not_cause():
    """BIL-10, DUN-1: 385,000 left open; a dispute of 100,000 of seats (110,000 with VAT) filed 01-18
    holds that much, so every step dunned 275,000. On 02-03 two more disputes: the setup fee (200,000 →
    220,000) and 50,000 more of seats (55,000). The setup fee upheld on 02-04 (220,000) caused no step
    (each dunned more), but what is left open (165,000) is all held by the two other disputes: nothing is
    overdue, so the restriction is cancelled and lifted on 02-04, while the notices, which restrict
    nothing, stay on record uncancelled; the case stays open for the held amount."""
    contract, invoice = _officecore_left_open(385_000)
    seats_line = _line(invoice, InvoiceLine.Kind.SEATS)
    dispute_file(
        invoice=invoice, line=seats_line, amount_won=100_000, reason="인원 과다", today=D(2026, 1, 18)
    )
    walk(D(2026, 1, 19), D(2026, 2, 2))
    assert reload(contract).restrictions == ["service"]
    setup = _dispute_setup_fee(invoice, D(2026, 2, 3))
    dispute_file(
        invoice=invoice, line=seats_line, amount_won=50_000, reason="인원 과다 (추가)", today=D(2026, 2, 3)
    )
    dispute_decide(dispute=setup, upheld_amount_won=220_000, answer="설치 미실시 확인", today=D(2026, 2, 4))
    assert _ladder(invoice) == [
        ("notify", D(2026, 1, 20), 275_000, None),
        ("notify", D(2026, 1, 26), 275_000, None),
        ("restrict", D(2026, 2, 2), 275_000, D(2026, 2, 4)),
    ]
    assert case_of(invoice).status == DunningCase.Status.OPEN
    assert reload(contract).restrictions == []


def test_a_step_cancelled_by_one_dispute_keeps_its_day_when_another_is_upheld():
    """BIL-10, DUN-1: 330,000 left open; a dispute of 200,000 of seats (220,000 with VAT) filed 01-18
    holds that much, so every step dunned 110,000. On 02-03 the setup fee is disputed twice, 100,000
    each (110,000 with VAT). The first upheld on 02-04 covers every step: all three cancelled on 02-04,
    the restriction lifted. The second upheld on 02-05 finds nothing left to cancel: the steps keep
    02-04, and the case stays open for the seats dispute's held amount."""
    contract, invoice = _officecore_left_open(330_000)
    seats_line = _line(invoice, InvoiceLine.Kind.SEATS)
    setup_line = _line(invoice, InvoiceLine.Kind.SETUP_FEE)
    dispute_file(
        invoice=invoice, line=seats_line, amount_won=200_000, reason="인원 과다", today=D(2026, 1, 18)
    )
    walk(D(2026, 1, 19), D(2026, 2, 2))
    first = dispute_file(
        invoice=invoice, line=setup_line, amount_won=100_000, reason="설치 일부", today=D(2026, 2, 3)
    )
    second = dispute_file(
        invoice=invoice, line=setup_line, amount_won=100_000, reason="설치 나머지", today=D(2026, 2, 3)
    )
    dispute_decide(dispute=first, upheld_amount_won=110_000, answer="일부 미실시", today=D(2026, 2, 4))
    cancelled = [
        ("notify", D(2026, 1, 20), 110_000, D(2026, 2, 4)),
        ("notify", D(2026, 1, 26), 110_000, D(2026, 2, 4)),
        ("restrict", D(2026, 2, 2), 110_000, D(2026, 2, 4)),
    ]
    assert _ladder(invoice) == cancelled
    assert reload(contract).restrictions == []
    dispute_decide(dispute=second, upheld_amount_won=110_000, answer="나머지 미실시", today=D(2026, 2, 5))
    assert _ladder(invoice) == cancelled
    assert case_of(invoice).status == DunningCase.Status.OPEN
