"""BIL-9 across a terms change (TRM-4, issue 9): each day of lateness is charged under the version in force
on that day. A new version applies from its effective date (002 art.3② "적용일자", 001 art.3-4 "효력
발생일"), never to the days before it, even when the charge for those days is recorded later (March's fee on
04-01, or at payment) after the contract moved to the new version.

The changes here go through the real services: ``policy_clone`` + ``policy_update`` (the new rate),
``terms_publish`` (the release) and the ``terms_transition`` job (silent customers deemed to consent and
moved). Every expected amount is worked out by hand in the docstring.

dcloud: unpaid × 15/1000 × 12 × days / 365 (= × 0.18 × days / 365); the new version 20/1000 (× 0.24).
flow: 1.5 % of the unpaid amount 30 days after the due date and on each monthly anniversary; new 2 %."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from billing.models import Invoice, InvoiceLine, LateCharge
from billing.services.late_charges import Accrual, accruals_for, apply_late_charges
from contracts.effective import policy_on, version_chain
from contracts.models import Contract, Policy, SpecialTerm
from contracts.policy import policy_clone, policy_update
from contracts.services import terms
from tests.billing.payment_factories import make_invoice

from .conftest import D, make_contract

pytestmark = pytest.mark.django_db

FEE = LateCharge.Kind.LATE_FEE
SURCHARGE = LateCharge.Kind.SURCHARGE


def facts(accruals: list[Accrual]) -> list[tuple[object, ...]]:
    return [(a.kind, a.period_start, a.period_end, a.days, a.base_won, a.amount_won) for a in accruals]


def change_rate(code: str, percent: str, *, effective_on: dt.date, published_on: dt.date) -> Policy:
    """Publish the next version of ``code`` with another late-charge rate and run the transition job on
    its effective date (silent customers are deemed to consent and move, TRM-4)."""
    return change_terms(
        code,
        {"late_charge_monthly_percent": Decimal(percent)},
        effective_on=effective_on,
        published_on=published_on,
    )


def change_terms(
    code: str, changes: dict[str, object], *, effective_on: dt.date, published_on: dt.date
) -> Policy:
    """Publish the next version of ``code`` with ``changes`` and run the transition job on its effective
    date."""
    current = Policy.objects.filter(code=code, status=Policy.Status.PUBLISHED).order_by("-version").first()
    assert current is not None
    draft = policy_clone(policy=current)
    policy_update(policy=draft, changes=changes)
    terms.terms_publish(
        policy=draft,
        previous=current,
        effective_on=effective_on,
        reasons="연체료율 변경",
        today=published_on,
        unfavourable=True,
    )
    terms.terms_transition(today=effective_on)
    draft.refresh_from_db()
    return draft


def late_invoice(contract: Contract, total_won: int, due: dt.date) -> Invoice:
    """An issued invoice of ``contract`` (its line names the contract, so its rules are the contract's)."""
    invoice = make_invoice(contract.customer, total_won, due_date=due, policy=contract.policy)
    InvoiceLine.objects.create(
        invoice=invoice,
        position=1,
        kind=InvoiceLine.Kind.BASE_FEE,
        description="기본료",
        quantity=1,
        unit_price_won=invoice.supply_won,
        amount_won=invoice.supply_won,
        contract=contract,
        policy_basis="BIL-3",
    )
    return invoice


def test_daily_fee_splits_the_month_at_the_change(presets):
    """BIL-9, TRM-4: dcloud, 1,000,000 unpaid since the 01-31 due date; 1.5 % → 2 % a month from 03-15.
    February, all under v1: 1,000,000 × 0.18 × 28 / 365 = 13,808.21 → 13,808.
    March 01..14 under v1: 1,000,000 × 0.18 × 14 / 365 = 6,904.10 → 6,904.
    March 15..31 under v2: 1,000,000 × 0.24 × 17 / 365 = 11,178.08 → 11,178.
    (The whole of March at the new rate would have been 1,000,000 × 0.24 × 31 / 365 = 20,383.)"""
    contract = make_contract("dcloud-vm-standard", start=D(2026, 1, 5))
    invoice = late_invoice(contract, 1_000_000, D(2026, 1, 31))
    v2 = change_rate("dcloud", "2", effective_on=D(2026, 3, 15), published_on=D(2026, 2, 1))
    contract.refresh_from_db()
    assert contract.policy == v2

    accruals = accruals_for(invoice, today=D(2026, 4, 1))
    assert facts(accruals) == [
        (FEE, D(2026, 2, 1), D(2026, 2, 28), 28, 1_000_000, 13_808),
        (FEE, D(2026, 3, 1), D(2026, 3, 14), 14, 1_000_000, 6_904),
        (FEE, D(2026, 3, 15), D(2026, 3, 31), 17, 1_000_000, 11_178),
    ]
    assert accruals[2].formula.startswith("1,000,000 × 2") and accruals[2].formula.endswith("× 12 × 17/365")

    # the job records the same three, once
    assert apply_late_charges(today=D(2026, 4, 1))["amount_won"] == 13_808 + 6_904 + 11_178
    assert apply_late_charges(today=D(2026, 4, 2))["late_charges"] == 0
    assert sorted(LateCharge.objects.filter(invoice=invoice).values_list("amount_won", flat=True)) == [
        6_904,
        11_178,
        13_808,
    ]


def test_march_posted_after_the_move_keeps_the_old_rate(presets):
    """BIL-9, TRM-4 (the what-if's case): 1.5 % → 2 % effective 04-01; the transition job moves the contract
    at 00:00 and March's fee is recorded at 02:00 the same day, but every March day ran under v1:
    1,000,000 × 0.18 × 31 / 365 = 15,287.67 → 15,287 (not 1,000,000 × 0.24 × 31 / 365 = 20,383).
    A change after the period changes nothing for it; April runs under v2 from its first day:
    1,000,000 × 0.24 × 30 / 365 = 19,726.03 → 19,726."""
    contract = make_contract("dcloud-vm-standard", start=D(2026, 1, 5))
    invoice = late_invoice(contract, 1_000_000, D(2026, 2, 28))
    change_rate("dcloud", "2", effective_on=D(2026, 4, 1), published_on=D(2026, 2, 1))

    apply_late_charges(today=D(2026, 4, 1))
    march = LateCharge.objects.get(invoice=invoice)
    assert (march.period_start, march.period_end, march.days, march.amount_won) == (
        D(2026, 3, 1),
        D(2026, 3, 31),
        31,
        15_287,
    )
    assert facts(accruals_for(invoice, today=D(2026, 5, 1))) == [
        (FEE, D(2026, 3, 1), D(2026, 3, 31), 31, 1_000_000, 15_287),
        (FEE, D(2026, 4, 1), D(2026, 4, 30), 30, 1_000_000, 19_726),
    ]


def test_a_change_after_the_period_changes_nothing(presets):
    """BIL-9, TRM-4: the invoice is paid on 03-17 (the last partial month is final then, SPEC §12 item 1:
    28 + 17 = 45 days, 1,000,000 × 0.18 × 45 / 365 = 22,191 in total: 13,808 + 8,383); a change to 2 %
    effective 04-15 comes after every late day, so recording on 04-20 gives the same two amounts."""
    from billing.services.payments import payment_record

    contract = make_contract("dcloud-vm-standard", start=D(2026, 1, 5))
    invoice = late_invoice(contract, 1_000_000, D(2026, 1, 31))
    payment_record(
        customer=contract.customer,
        amount_won=1_000_000,
        method="bank_transfer",
        received_on=D(2026, 3, 17),
        invoice=invoice,
    )
    change_rate("dcloud", "2", effective_on=D(2026, 4, 15), published_on=D(2026, 3, 1))
    invoice.refresh_from_db()
    assert facts(accruals_for(invoice, today=D(2026, 4, 20))) == [
        (FEE, D(2026, 2, 1), D(2026, 2, 28), 28, 1_000_000, 13_808),
        (FEE, D(2026, 3, 1), D(2026, 3, 17), 17, 1_000_000, 8_383),
    ]


def test_flow_surcharge_follows_the_version_on_its_assessment_day(presets):
    """BIL-9 (001 art.19-6-나), TRM-4: flow, 330,000 unpaid since the 01-31 due date; 1.5 % → 2 % from
    04-15. Assessed on 03-02 (30 days) and on 04-02, both under v1: 330,000 × 1.5 % = 4,950 each; on
    05-02 under v2: 330,000 × 2 % = 6,600. The 04-02 surcharge (its month runs 04-02..05-01, across the
    change) arose on 04-02 under v1 and stays at 1.5 %."""
    contract = make_contract("flow-business-monthly", start=D(2026, 1, 5))
    invoice = late_invoice(contract, 330_000, D(2026, 1, 31))
    change_rate("flow", "2", effective_on=D(2026, 4, 15), published_on=D(2026, 3, 1))

    assert facts(accruals_for(invoice, today=D(2026, 5, 4))) == [
        (SURCHARGE, D(2026, 3, 2), D(2026, 4, 1), 31, 330_000, 4_950),
        (SURCHARGE, D(2026, 4, 2), D(2026, 5, 1), 30, 330_000, 4_950),
        (SURCHARGE, D(2026, 5, 2), D(2026, 6, 1), 31, 330_000, 6_600),
    ]


def test_a_contract_that_refused_keeps_the_old_rate(presets):
    """BIL-9, TRM-5 (002 art.3④): a dcloud customer who refuses the 2 % version keeps v1 for the rest of its
    term, so March is charged at 1.5 % across the change date: 1,000,000 × 0.18 × 31 / 365 = 15,287."""
    contract = make_contract("dcloud-vm-standard", start=D(2026, 1, 5))
    invoice = late_invoice(contract, 1_000_000, D(2026, 2, 28))
    v1 = contract.policy
    draft = policy_clone(policy=v1)
    policy_update(policy=draft, changes={"late_charge_monthly_percent": Decimal("2")})
    terms.terms_publish(
        policy=draft, previous=v1, effective_on=D(2026, 3, 15), reasons="연체료율 변경", today=D(2026, 2, 1)
    )
    draft.refresh_from_db()
    terms.consent_record(customer=contract.customer, policy=draft, decision="refused", today=D(2026, 2, 10))
    terms.terms_transition(today=D(2026, 3, 15))
    contract.refresh_from_db()
    assert contract.policy == v1
    assert facts(accruals_for(invoice, today=D(2026, 4, 1))) == [
        (FEE, D(2026, 3, 1), D(2026, 3, 31), 31, 1_000_000, 15_287)
    ]


@pytest.mark.parametrize(
    ("effective_on", "percent", "amount"),
    [
        (D(2026, 3, 15), "2", 20_383),  # the 03-15..03-31 part lies inside the recorded March
        (D(2026, 3, 31), "1.5", 15_287),  # the one-day part 03-31..03-31 starts on its last day
    ],
)
def test_a_month_recorded_whole_before_is_not_charged_again(presets, effective_on, percent, amount):
    """BIL-9, TRM-4: a March fee recorded as one row before this rule (03-01..03-31) is kept as it is: the
    part of March after a version change (from 03-15, or from its last day, 03-31) lies inside the
    recorded period and is not charged again; both parts are counted existing."""
    contract = make_contract("dcloud-vm-standard", start=D(2026, 1, 5))
    invoice = late_invoice(contract, 1_000_000, D(2026, 2, 28))
    change_rate("dcloud", "2", effective_on=effective_on, published_on=D(2026, 2, 1))
    LateCharge.objects.create(
        invoice=invoice,
        kind=FEE,
        period_start=D(2026, 3, 1),
        period_end=D(2026, 3, 31),
        days=31,
        base_won=1_000_000,
        amount_won=amount,
        formula=f"1,000,000 × {percent}% × 12 × 31/365",
    )
    counts = apply_late_charges(today=D(2026, 4, 2))
    assert (counts["late_charges"], counts["existing"]) == (0, 2)
    assert LateCharge.objects.filter(invoice=invoice).count() == 1


def test_a_version_that_changes_the_model_charges_each_day_by_its_own(presets):
    """BIL-9, TRM-4: dcloud's daily fee (1.5 % a month, no grace) replaced from 03-15 by a monthly surcharge
    of 1.5 %; 1,000,000 unpaid since the 01-31 due date, looked at on 04-01:
    February under v1: 1,000,000 × 0.18 × 28 / 365 = 13,808.22 → 13,808;
    March 01..14 under v1: 1,000,000 × 0.18 × 14 / 365 = 6,904.11 → 6,904; 03-15..31 under v2 earn no
    daily fee;
    the surcharge's anniversaries of the due date: 01-31 and 02-28 fall under v1 (no surcharge), 03-31 under
    v2: 1,000,000 × 1.5 % = 15,000 for 03-31..04-29 (30 days)."""
    contract = make_contract("dcloud-vm-standard", start=D(2026, 1, 5))
    invoice = late_invoice(contract, 1_000_000, D(2026, 1, 31))
    change_terms(
        "dcloud",
        {"late_charge_model": "monthly_surcharge"},
        effective_on=D(2026, 3, 15),
        published_on=D(2026, 2, 1),
    )
    assert facts(accruals_for(invoice, today=D(2026, 4, 1))) == [
        (FEE, D(2026, 2, 1), D(2026, 2, 28), 28, 1_000_000, 13_808),
        (FEE, D(2026, 3, 1), D(2026, 3, 14), 14, 1_000_000, 6_904),
        (SURCHARGE, D(2026, 3, 31), D(2026, 4, 29), 30, 1_000_000, 15_000),
    ]


def test_a_version_from_the_first_of_a_month_counts_each_recorded_month_once(presets):
    """BIL-9, TRM-4: 1.5 % → 2 % a month from 03-01, 1,000,000 unpaid since 01-31: on 04-01 February under
    v1 (13,808) and March wholly under v2 (1,000,000 × 0.24 × 31 / 365 = 20,383.56 → 20,383); the run of
    04-02 finds both months recorded and counts each once (existing 2)."""
    contract = make_contract("dcloud-vm-standard", start=D(2026, 1, 5))
    invoice = late_invoice(contract, 1_000_000, D(2026, 1, 31))
    change_rate("dcloud", "2", effective_on=D(2026, 3, 1), published_on=D(2026, 1, 20))
    first = apply_late_charges(today=D(2026, 4, 1))
    assert (first["late_charges"], first["amount_won"]) == (2, 13_808 + 20_383)
    again = apply_late_charges(today=D(2026, 4, 2))
    assert (again["late_charges"], again["existing"]) == (0, 2)
    assert LateCharge.objects.filter(invoice=invoice).count() == 2


def test_two_versions_within_one_month_cut_it_in_three(presets):
    """BIL-9, TRM-4: 1.5 % → 2 % from 03-10 → 2.5 % from 03-20; 1,000,000 unpaid since 01-31, on 04-01:
    February under v1: 13,808;
    March 01..09 under v1: 1,000,000 × 0.18 × 9 / 365 = 4,438.36 → 4,438;
    March 10..19 under v2: 1,000,000 × 0.24 × 10 / 365 = 6,575.34 → 6,575;
    March 20..31 under v3: 1,000,000 × 0.30 × 12 / 365 = 9,863.01 → 9,863."""
    contract = make_contract("dcloud-vm-standard", start=D(2026, 1, 5))
    invoice = late_invoice(contract, 1_000_000, D(2026, 1, 31))
    change_rate("dcloud", "2", effective_on=D(2026, 3, 10), published_on=D(2026, 2, 1))
    change_rate("dcloud", "2.5", effective_on=D(2026, 3, 20), published_on=D(2026, 2, 10))
    assert facts(accruals_for(invoice, today=D(2026, 4, 1))) == [
        (FEE, D(2026, 2, 1), D(2026, 2, 28), 28, 1_000_000, 13_808),
        (FEE, D(2026, 3, 1), D(2026, 3, 9), 9, 1_000_000, 4_438),
        (FEE, D(2026, 3, 10), D(2026, 3, 19), 10, 1_000_000, 6_575),
        (FEE, D(2026, 3, 20), D(2026, 3, 31), 12, 1_000_000, 9_863),
    ]


def test_policy_on_walks_back_through_the_releases(presets):
    """TRM-1, TRM-4, CON-12: a dcloud contract moved to v2 (03-01) and v3 (05-01) was under v1 before 03-01,
    v2 from 03-01 and v3 from 05-01; its special term (1 % a month) is laid over every version."""
    contract = make_contract("dcloud-vm-standard", start=D(2026, 1, 5))
    v1 = contract.policy
    v2 = change_rate("dcloud", "2", effective_on=D(2026, 3, 1), published_on=D(2026, 1, 20))
    v3 = change_rate("dcloud", "2.5", effective_on=D(2026, 5, 1), published_on=D(2026, 3, 20))
    assert [(start, p.version) for start, p in version_chain(v3)] == [
        (None, 1),
        (D(2026, 3, 1), 2),
        (D(2026, 5, 1), 3),
    ]
    contract.refresh_from_db()
    days = [D(2026, 1, 10), D(2026, 2, 28), D(2026, 3, 1), D(2026, 4, 30), D(2026, 5, 1), D(2027, 1, 1)]
    assert [policy_on(contract, day).policy for day in days] == [v1, v1, v2, v2, v3, v3]
    assert policy_on(contract, D(2026, 3, 1)).late_charge_monthly_percent == Decimal("2")

    SpecialTerm.objects.create(
        contract=contract,
        parameter="late_charge_monthly_percent",
        value="1",
        note="특약: 월 1%",
        signed_on=D(2026, 1, 5),
    )
    contract = Contract.objects.get(pk=contract.pk)
    assert {policy_on(contract, day).late_charge_monthly_percent for day in days} == {Decimal("1")}
