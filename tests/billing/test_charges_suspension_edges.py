"""BIL-16 in the invoice run at its edges (issue 9 mutation testing of ``billing/services/charges.py``):
which suspended days go uncharged (one day, merged ranges, a suspension the termination lifts), the
credit over several fee lines, the issued invoices read back one group per invoice, and the run's
``SuspensionCredits``: each contract once, the invoice's room shared in order, a credit given once over
the invoices one run drafts. Every expected figure is worked out by hand in the docstring."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from billing.services.charges import (
    LineDraft,
    suspension_credit_exact,
)
from contracts.effective import effective_policy
from core.calendar import add_months

from .conftest import make_contract
from .test_charges_edges import MARCH
from .test_suspension_fees import suspend

D = dt.date


@pytest.fixture(autouse=True)
def _korean():
    with translation.override("ko"):
        yield


# --------------------------------------------------------------------------- suspension credits: the sums


def test_suspension_credit_adds_every_period_fee_line_in_any_order():
    """BIL-16: a setup fee (not a period fee) listed first, then a 1-won seats line for 03-11 and a base
    fee of 31,000 for March, 03-11..03-20 suspended: 1 + 31,000 × 10/31 = 10,001 (the setup fee counts
    in the fees the promotions are weighed against, but is not credited by day). An invoice of 1 won in
    all, suspended that day, gives 1 back."""
    ranges = [(D(2026, 3, 11), D(2026, 3, 20))]
    lines = [
        ("setup_fee", 50_000, D(2026, 3, 1), D(2026, 3, 1)),
        ("seats", 1, D(2026, 3, 11), D(2026, 3, 11)),
        ("base_fee", 31_000, *MARCH),
    ]
    assert suspension_credit_exact(lines, ranges) == 10_001
    assert suspension_credit_exact([("seats", 1, D(2026, 3, 11), D(2026, 3, 11))], ranges) == 1


def _credits_for(today: dt.date, *drafts):  # type: ignore[no-untyped-def]
    """Run one SuspensionCredits over ``drafts`` (items, lines) in order; the lines it adds."""
    from types import SimpleNamespace

    from billing.services.charges import SuspensionCredits

    run = SuspensionCredits(today)
    out = []
    for contracts, lines in drafts:
        items = [SimpleNamespace(contract=c, policy=effective_policy(c)) for c in contracts]
        out.extend(run.lines_for(items, lines))
    return out


def _damoa_suspended_in_april():  # type: ignore[no-untyped-def]
    contract = make_contract("damoa-standard", start=D(2026, 3, 2), term_months=12)
    suspend(contract, D(2026, 4, 10), D(2026, 4, 20))
    return contract


def _april_fee(contract, amount: int = 300_000):  # type: ignore[no-untyped-def]
    return LineDraft(
        "base_fee",
        "4월 기본료",
        amount,
        service_start=D(2026, 4, 1),
        service_end=D(2026, 4, 30),
        contract_id=contract.pk,
    )


APRIL_CREDIT_TEXT = (
    "이용 정지 기간 요금 조정: 2026-04-10~2026-04-19 (10일), 일할 100,000원 "
    "(정지 기간 요금 없음, 약관 제19조②)"
)


@pytest.mark.django_db
def test_the_run_credits_each_contract_once_however_many_items_it_has(presets):
    """BIL-16: damoa 300,000 for April, suspended 04-10..04-19 (lifted 04-20): 300,000 × 10/30 = 100,000
    off, in one line with the days, the amount and the rule, even when the invoice lists the contract
    twice; a second suspended contract after it on the same invoice gets its own line."""
    from billing.models import InvoiceLine

    first, second = _damoa_suspended_in_april(), _damoa_suspended_in_april()
    added = _credits_for(D(2026, 5, 1), ([first, first, second], [_april_fee(first), _april_fee(second)]))

    def april_credit(contract):  # type: ignore[no-untyped-def]
        return LineDraft(
            InvoiceLine.Kind.ADJUSTMENT,
            APRIL_CREDIT_TEXT,
            -100_000,
            unit_price_won=-100_000,
            service_start=D(2026, 4, 10),
            service_end=D(2026, 4, 19),
            policy_basis="BIL-16 · damoa v1",
            contract_id=contract.pk,
        )

    assert added == [april_credit(first), april_credit(second)]


@pytest.mark.django_db
def test_the_run_credits_up_to_the_last_won_of_room_and_leaves_terminations_to_settlement(presets):
    """BIL-16: an invoice of 1 won in all (April 300,000 less a −299,999 adjustment) takes a credit of
    1 won; the rest waits. A contract whose termination is recorded gets no credit from the run (the
    final settlement gives it, CON-7)."""
    contract = _damoa_suspended_in_april()
    other = LineDraft("adjustment", "조정", -299_999, contract_id=contract.pk)
    (credit,) = _credits_for(D(2026, 5, 1), ([contract], [_april_fee(contract), other]))
    assert credit.amount_won == -1
    contract.termination_effective_on = D(2026, 5, 31)
    assert _credits_for(D(2026, 5, 1), ([contract], [_april_fee(contract)])) == []


@pytest.mark.django_db
def test_issued_invoices_are_grouped_per_invoice_and_their_suspension_credits_summed(presets):
    """BIL-16: damoa from 2026-03-02 (advance), suspended 04-10..04-19: March (300,000 × 30/31 =
    290,322), April (300,000) and May (300,000, with the −100,000 credit for April's suspended days) are
    issued. The lines come back one group per invoice, the credit apart as 100,000 given; a manual
    adjustment (not BIL-16) after the credit stays a line of its invoice, not a suspension credit."""
    from billing.models import Invoice, InvoiceLine
    from billing.services.charges import issued_suspension_groups
    from billing.services.invoicing import invoices_generate

    contract = make_contract("damoa-standard", start=D(2026, 3, 2), term_months=12)
    day = D(2026, 3, 1)
    while day <= D(2026, 5, 31):
        if day == D(2026, 4, 10):
            suspend(contract, D(2026, 4, 10), D(2026, 4, 20))
        invoices_generate(today=day)
        day += dt.timedelta(days=1)
    may = Invoice.objects.get(customer=contract.customer, period_start=D(2026, 5, 1), kind="regular")
    InvoiceLine.objects.create(
        invoice=may,
        contract=contract,
        position=99,
        kind="adjustment",
        description="수기 조정",
        amount_won=-5_000,
        policy_basis="BIL-9 · 수기 조정",
    )
    groups, credited = issued_suspension_groups(contract)
    assert groups == [
        [("base_fee", 290_322, D(2026, 3, 2), D(2026, 3, 31))],
        [("base_fee", 300_000, D(2026, 4, 1), D(2026, 4, 30))],
        [("base_fee", 300_000, D(2026, 5, 1), D(2026, 5, 31)), ("adjustment", -5_000, None, None)],
    ]
    assert credited == 100_000


@pytest.mark.django_db
def test_overlapping_and_adjacent_suspensions_merge_into_one_range(presets):
    """BIL-16: damoa suspended 04-10..04-19, again 04-15..04-25 (overlapping) and 04-26..04-27 (the next
    day): one range 04-10..04-27; a suspension inside another (04-12..04-14) changes nothing; one from
    05-05 (a gap) is a range of its own, to the cut-off 05-10 while open."""
    from billing.services.charges import uncharged_suspension_days

    contract = make_contract("damoa-standard", start=D(2026, 3, 2), term_months=12)
    for starts_on, lifted_on in (
        (D(2026, 4, 10), D(2026, 4, 20)),
        (D(2026, 4, 15), D(2026, 4, 26)),
        (D(2026, 4, 26), D(2026, 4, 28)),
        (D(2026, 4, 12), D(2026, 4, 15)),
        (D(2026, 5, 5), None),
    ):
        suspend(contract, starts_on, lifted_on)
    assert uncharged_suspension_days(contract, effective_policy(contract), D(2026, 5, 10)) == [
        (D(2026, 4, 10), D(2026, 4, 27)),
        (D(2026, 5, 5), D(2026, 5, 10)),
    ]


def _fee(contract, amount: int, month: int, kind: str = "base_fee"):  # type: ignore[no-untyped-def]
    start = D(2026, month, 1)
    return LineDraft(
        kind,
        "기본료",
        amount,
        service_start=start,
        service_end=add_months(start, 1) - dt.timedelta(days=1),
        contract_id=contract.pk,
    )


@pytest.mark.django_db
def test_one_run_gives_a_suspension_credit_once_over_the_invoices_it_drafts(presets):
    """BIL-16: one run on 2026-05-01 drafts three invoices for a damoa contract suspended 04-10..04-19
    (100,000 owed for April): the first has room for 40,000 only (April 300,000 less a −260,000
    adjustment), the second gives the other 60,000, the third nothing more."""
    from types import SimpleNamespace

    from billing.services.charges import SuspensionCredits

    contract = _damoa_suspended_in_april()
    items = [SimpleNamespace(contract=contract, policy=effective_policy(contract))]
    run = SuspensionCredits(D(2026, 5, 1))
    other = LineDraft("adjustment", "조정", -260_000, contract_id=contract.pk)
    given = [
        [line.amount_won for line in run.lines_for(items, lines)]
        for lines in (
            [_fee(contract, 300_000, 4), other],
            [_fee(contract, 300_000, 5)],
            [_fee(contract, 300_000, 6)],
        )
    ]
    assert given == [[-40_000], [-60_000], []]


@pytest.mark.django_db
def test_contracts_sharing_an_invoice_share_its_room_in_order(presets):
    """BIL-16: one invoice for six contracts, in this order: one terminated (left to its settlement), one
    never suspended, one suspended in April but billed for May only (nothing owed), then two suspended
    04-10..04-19 with April billed (100,000 owed each). The invoice's lines come to 150,000 after a
    −1,350,000 adjustment: the first owed gets 100,000, the second the 50,000 left."""
    terminated = _damoa_suspended_in_april()
    terminated.termination_effective_on = D(2026, 5, 31)
    never = make_contract("damoa-standard", start=D(2026, 3, 2), term_months=12)
    may_only, first, second = (_damoa_suspended_in_april() for _ in range(3))
    lines = [
        _fee(terminated, 300_000, 4),
        _fee(never, 300_000, 4),
        _fee(may_only, 300_000, 5),
        _fee(first, 300_000, 4),
        _fee(second, 300_000, 4),
        LineDraft("adjustment", "조정", -1_350_000, contract_id=never.pk),
    ]
    added = _credits_for(D(2026, 5, 1), ([terminated, never, may_only, first, second], lines))
    assert [(line.contract_id, line.amount_won) for line in added] == [
        (first.pk, -100_000),
        (second.pk, -50_000),
    ]


# ---------------------------------------------------------------- suspended days at their edges (BIL-16)


@pytest.mark.django_db
def test_a_one_day_suspension_and_one_lifted_by_the_termination(presets):
    """BIL-16: a suspension lifted the next day leaves one uncharged day; at settlement a suspension lifted
    on the contract's last day (the termination lifts it) runs through that day, one lifted the day
    before does not."""
    from billing.services.charges import uncharged_suspension_days

    contract = make_contract("damoa-standard", start=D(2026, 3, 2), term_months=12)
    suspend(contract, D(2026, 4, 10), D(2026, 4, 11))
    terms = effective_policy(contract)
    assert uncharged_suspension_days(contract, terms, D(2026, 4, 30)) == [(D(2026, 4, 10), D(2026, 4, 10))]
    ending = make_contract("damoa-standard", start=D(2026, 3, 2), term_months=12)
    suspension = suspend(ending, D(2026, 5, 20), D(2026, 5, 31))
    until = D(2026, 5, 31)
    assert uncharged_suspension_days(ending, terms, until, ends_on=D(2026, 5, 31)) == [
        (D(2026, 5, 20), until)
    ]
    suspension.lifted_on = D(2026, 5, 30)
    suspension.save(update_fields=["lifted_on"])
    assert uncharged_suspension_days(ending, terms, until, ends_on=D(2026, 5, 31)) == [
        (D(2026, 5, 20), D(2026, 5, 29))
    ]
