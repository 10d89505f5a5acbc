"""SLA credits at their edges (SLA-3, SLA-4, SLA-5, SLA-6): tier bounds, the days of the dcloud and damoa
models, recomputation after the close (each status it can reach, the revision note, the documents it
issues) and the month-close job's counts. Every figure is worked out by hand in the docstring.

November 2026 has 30 days = 43,200 minutes of service for a contract active all month.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from billing.models import CreditNote
from billing.services.notes import credit_note_issue
from contracts.models import Contract, ContractStatus, Plan
from contracts.services.changes import special_term_set
from core.calendar import add_months
from messaging.models import Notice
from sla.models import Incident, SlaCreditDocument, SlaMonth
from sla.services.availability import Measurement, Outage
from sla.services.claims import claim_approve, claim_submit
from sla.services.credits import (
    days_after_floor,
    month_close_contract,
    month_recompute,
    months_recompute,
    sla_month_close,
)
from sla.services.incidents import incident_correct, incident_open
from tests.sla.conftest import D, T, contract_for, fee_invoice

pytestmark = pytest.mark.django_db

NOV = D(2026, 11, 1)
CLOSE = D(2026, 12, 1)
LATER = D(2026, 12, 5)


def outage(service: str, start: dt.datetime, end: dt.datetime | None, *, today: dt.date = CLOSE, **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("title", "장애")
    now = T(today.year, today.month, today.day, 9) if end is None or end.date() < today else end
    return incident_open(service=service, detected_at=start, ended_at=end, today=today, now=now, **kw)


def correct(incident, **changes):  # type: ignore[no-untyped-def]
    return incident_correct(
        incident=incident, changes=changes, reason="정정", today=LATER, now=T(2026, 12, 5, 9)
    )


def documents(record: SlaMonth) -> list[tuple[str, int]]:
    return list(
        SlaCreditDocument.objects.filter(sla_month=record).order_by("id").values_list("kind", "amount_won")
    )


# --------------------------------------------------------------------------- tier bounds


def test_availability_exactly_at_a_tier_floor_takes_that_tier(presets):
    """SLA-4 (000 art.23①-3): officecore tiers are [99.0, 99.5) 10 %, [95.0, 99.0) 25 %. 432 minutes of
    43,200 → 100 × (1 − 432/43,200) = 99.0 % exactly → 10 % of 500,000 = 50,000 won."""
    contract = contract_for("officecore")
    fee_invoice(contract, NOV, 500_000)
    outage("officecore", T(2026, 11, 3, 10), T(2026, 11, 3, 17, 12))  # 7 h 12 min = 432 min
    record, _ = month_close_contract(contract=contract, month=NOV, today=CLOSE)
    assert record.availability == Decimal("99.0000")
    assert record.credit_won == 50_000
    assert record.credit_basis == "가용률 99% → 월 요금 500,000원 × 10%"


def test_availability_exactly_at_a_tier_ceiling_is_outside_it(presets):
    """SLA-4 (000 art.23①-3): 216 minutes of 43,200 → 99.5 % exactly: the 10 % tier is [99.0, 99.5), so
    99.5 % earns nothing."""
    contract = contract_for("officecore")
    fee_invoice(contract, NOV, 500_000)
    outage("officecore", T(2026, 11, 3, 10), T(2026, 11, 3, 13, 36))  # 3 h 36 min = 216 min
    record, _ = month_close_contract(contract=contract, month=NOV, today=CLOSE)
    assert record.availability == Decimal("99.5000")
    assert record.credit_won == 0 and record.status == SlaMonth.Status.NO_CREDIT


# --------------------------------------------------------------------------- dcloud: days after the floor


def test_dcloud_days_after_the_floor_add_up_over_several_outages(presets):
    """SLA-4 (002 art.36③): 95 % of 43,200 allows 2,160 minutes. Each outage counts from 30 minutes after
    it started: 11-02, 11-05 and 11-08 00:00–17:10 count 1,000 minutes each (00:30–17:10), 11-20
    10:00–11:00 counts 30. After 2,000 minutes the third outage crosses the floor 160 minutes after 00:30 =
    11-08 03:10; days with counted outage from then: 11-08 and 11-20 → 2 × 900,000 / 30 = 60,000 won."""
    contract = contract_for("dcloud")
    fee_invoice(contract, NOV, 900_000)
    for day in (2, 5, 8):
        outage("dcloud", T(2026, 11, day), T(2026, 11, day, 17, 10))
    outage("dcloud", T(2026, 11, 20, 10), T(2026, 11, 20, 11))
    record, _ = month_close_contract(contract=contract, month=NOV, today=CLOSE)
    assert record.counted_minutes == Decimal("3030.00")
    assert record.credit_won == 60_000
    assert record.credit_basis == (
        "가용률 92.9861% (95% 미달 시점 2026-11-08 03:10) → 이후 장애일 11-08, 11-20 = 2일 × 일 요금 "
        "(900,000원 ÷ 30일)"
    )


def test_dcloud_outage_that_exactly_uses_the_allowance_does_not_cross_the_floor(presets):
    """SLA-4 (002 art.36③): 11-02 00:00 – 11-03 12:30 counts 00:30 – 12:30 next day = 2,160 minutes, exactly
    the 5 % allowed: availability is still 95 %, not below. The floor is crossed at the start of the next
    counted minute, 11-20 10:30 → one day, 30,000 won."""
    contract = contract_for("dcloud")
    fee_invoice(contract, NOV, 900_000)
    outage("dcloud", T(2026, 11, 2), T(2026, 11, 3, 12, 30))
    outage("dcloud", T(2026, 11, 20, 10), T(2026, 11, 20, 11))
    record, _ = month_close_contract(contract=contract, month=NOV, today=CLOSE)
    assert record.credit_won == 30_000
    assert "미달 시점 2026-11-20 10:30" in record.credit_basis
    assert "이후 장애일 11-20 = 1일" in record.credit_basis


def _measurement(span: tuple[dt.datetime, dt.datetime]) -> Measurement:
    window = (T(2026, 11, 1), T(2026, 12, 1))
    out = Outage(span[0], span[1], [], True, "인정", [span])
    return Measurement(0, NOV, "dcloud_30min", window, 43_200, [out], [], [], [span])


def test_days_after_the_floor_are_the_seoul_days_a_span_touches():
    """SLA-4 (002 art.36③): a span is [start, end): one ending at midnight does not touch the next day; one
    ending a microsecond after midnight does. With a 100 % target the floor is crossed at the first
    counted minute."""
    crossed, days = days_after_floor(_measurement((T(2026, 11, 10, 9), T(2026, 11, 12))), Fraction(100))
    assert crossed == T(2026, 11, 10, 9)
    assert days == [D(2026, 11, 10), D(2026, 11, 11)]
    end = T(2026, 11, 12) + dt.timedelta(microseconds=1)
    _crossed, days = days_after_floor(_measurement((T(2026, 11, 10, 9), end)), Fraction(100))
    assert days == [D(2026, 11, 10), D(2026, 11, 11), D(2026, 11, 12)]


# --------------------------------------------------------------------------- damoa: days without service


def test_damoa_days_without_service_stop_at_the_month_edges(presets):
    """SLA-4 (004 art.27-1): 10-31 10:00 → 11-03 10:00 gives 11-01 and 11-02 in November (10-31 is
    October's; service is back on 11-03); 11-28 10:00 → 12-03 10:00 gives 11-28, 11-29, 11-30 (December's
    days are December's). 5 days × 300,000 / 30 × 3 = 150,000 won."""
    contract = contract_for("damoa")
    fee_invoice(contract, NOV, 300_000)
    outage("damoa", T(2026, 10, 31, 10), T(2026, 11, 3, 10), today=LATER)
    outage("damoa", T(2026, 11, 28, 10), T(2026, 12, 3, 10), today=LATER)
    record, _ = month_close_contract(contract=contract, month=NOV, today=LATER)
    assert record.credit_won == 150_000
    assert record.credit_basis == (
        "미이용 일수 11-01, 11-02, 11-28, 11-29, 11-30 = 5일 × 1일 평균 요금 (300,000원 ÷ 30일) × 3배"
    )


def test_damoa_outage_under_a_day_is_skipped_and_later_ones_still_count(presets):
    """SLA-3, SLA-4 (004 art.27-1): a 2-hour outage on 11-02 is under the 1,440 minutes and earns no day;
    11-10 10:00 → 11-12 10:00 gives 11-10 and 11-11: 2 × 10,000 × 3 = 60,000 won."""
    contract = contract_for("damoa")
    fee_invoice(contract, NOV, 300_000)
    outage("damoa", T(2026, 11, 2, 10), T(2026, 11, 2, 12))
    outage("damoa", T(2026, 11, 10, 10), T(2026, 11, 12, 10))
    record, _ = month_close_contract(contract=contract, month=NOV, today=CLOSE)
    assert [o["counted"] for o in record.breakdown["outages"]] == [False, True]
    assert record.credit_won == 60_000
    assert "미이용 일수 11-10, 11-11 = 2일" in record.credit_basis


# --------------------------------------------------------------------------- recomputation after the close


def test_recompute_with_nothing_changed_keeps_the_month_as_it_is(presets):
    """SLA-4: a closed month measured again with the same minutes and credit stays revision 1."""
    contract = contract_for("officecore")
    fee_invoice(contract, NOV, 500_000)
    outage("officecore", T(2026, 11, 3, 10), T(2026, 11, 3, 20))
    record, _ = month_close_contract(contract=contract, month=NOV, today=CLOSE)
    again = month_recompute(record=record, today=LATER, reason="확인")
    assert again.revision == 1 and "revision_note" not in again.breakdown
    assert documents(again) == [("original", 125_000)]


def test_recompute_measures_an_open_incident_as_of_the_later_of_today_and_the_month_end(presets):
    """SLA-3: an incident still open, started 11-30 23:00, is 60 minutes long at the close (12-01 00:00),
    under officecore's 120. Measured again on 12-01, it is still 60 minutes: nothing changes."""
    contract = contract_for("officecore")
    fee_invoice(contract, NOV, 500_000)
    incident_open(
        service="officecore",
        title="진행 중 장애",
        detected_at=T(2026, 11, 30, 23),
        today=D(2026, 11, 30),
        now=T(2026, 11, 30, 23, 30),
    )
    record, _ = month_close_contract(contract=contract, month=NOV, today=CLOSE)
    assert record.breakdown["outages"][0]["minutes"] == 60
    again = month_recompute(record=record, today=CLOSE, reason="확인")
    assert again.revision == 1 and again.counted_minutes == Decimal("0.00")


def test_recompute_with_new_minutes_and_the_same_credit_records_a_revision(presets):
    """SLA-3, SLA-4: 180 minutes (99.5833 %, no credit) corrected to 200 minutes (99.5370 %, still no
    credit): revision 2 with the new minutes, the earlier figures in the revision note, still no credit."""
    contract = contract_for("officecore")
    fee_invoice(contract, NOV, 500_000)
    incident = outage("officecore", T(2026, 11, 3, 10), T(2026, 11, 3, 13))
    record, _ = month_close_contract(contract=contract, month=NOV, today=CLOSE)
    correct(incident, ended_at=T(2026, 11, 3, 13, 20))
    record.refresh_from_db()
    assert (record.revision, record.counted_minutes, record.credit_won) == (2, Decimal("200.00"), 0)
    assert record.availability == Decimal("99.5370")
    assert record.status == SlaMonth.Status.NO_CREDIT
    assert record.breakdown["revision_note"] == {
        "revision": 2,
        "reason": f"장애 #{incident.pk} 정정: 정정",
        "on": "2026-12-05",
        "previous": {"counted_minutes": "180.00", "availability": "99.5833", "credit_won": 0},
    }
    assert documents(record) == []


def test_a_growing_credit_issues_only_the_difference(presets):
    """SLA-4: 300 minutes (99.3056 % → 10 % of 500,000 = 50,000) corrected to 600 minutes (98.6111 % → 25 %
    = 125,000): a correction credit note for 125,000 − 50,000 = 75,000."""
    contract = contract_for("officecore")
    fee_invoice(contract, NOV, 500_000)
    incident = outage("officecore", T(2026, 11, 3, 10), T(2026, 11, 3, 15))
    record, _ = month_close_contract(contract=contract, month=NOV, today=CLOSE)
    assert record.credit_won == 50_000
    correct(incident, ended_at=T(2026, 11, 3, 20))
    record.refresh_from_db()
    assert record.credit_won == 125_000
    assert documents(record) == [("original", 50_000), ("correction", 75_000)]


def test_a_credit_shrinking_twice_reverses_each_note_once(presets):
    """SLA-4, BIL-2: 600 minutes (125,000) → 300 minutes (50,000): the original note is reversed by a debit
    note and a 50,000 correction issued; then excluded as customer-caused (0): the original is already
    reversed, the correction is reversed. The documents add up to 0; each debit note names the month
    and the revision."""
    contract = contract_for("officecore")
    fee_invoice(contract, NOV, 500_000)
    incident = outage("officecore", T(2026, 11, 3, 10), T(2026, 11, 3, 20))
    record, _ = month_close_contract(contract=contract, month=NOV, today=CLOSE)
    correct(incident, ended_at=T(2026, 11, 3, 15))
    incident.refresh_from_db()
    correct(incident, excl_customer_caused=True)
    record.refresh_from_db()
    assert record.revision == 3 and record.credit_won == 0
    assert documents(record) == [
        ("original", 125_000),
        ("reversal", -125_000),
        ("correction", 50_000),
        ("reversal", -50_000),
    ]
    reasons = list(
        SlaCreditDocument.objects.filter(sla_month=record, kind="reversal")
        .order_by("id")
        .values_list("credit_note__description", flat=True)
    )
    assert reasons == ["SLA 재산정 2026-11 (차수 2)", "SLA 재산정 2026-11 (차수 3)"]


def test_one_won_credits_are_issued_and_reversed(presets):
    """SLA-4: a 10-won month fee. 180 minutes (no credit) corrected to 300 minutes (99.3056 % → 10 % of 10 =
    1 won): credited, a 1-won note. Then excluded (0): the 1-won note is reversed; the month stays
    "credited" (it has documents) and they add up to 0."""
    contract = contract_for("officecore")
    fee_invoice(contract, NOV, 10)
    incident = outage("officecore", T(2026, 11, 3, 10), T(2026, 11, 3, 13))
    record, _ = month_close_contract(contract=contract, month=NOV, today=CLOSE)
    assert record.status == SlaMonth.Status.NO_CREDIT
    correct(incident, ended_at=T(2026, 11, 3, 15))
    record.refresh_from_db()
    assert (record.credit_won, record.status) == (1, SlaMonth.Status.CREDITED)
    assert documents(record) == [("correction", 1)]
    incident.refresh_from_db()
    correct(incident, excl_customer_caused=True)
    record.refresh_from_db()
    assert (record.credit_won, record.status) == (0, SlaMonth.Status.CREDITED)
    assert documents(record) == [("correction", 1), ("reversal", -1)]


def test_a_month_whose_plan_became_free_is_not_eligible_and_its_credit_reversed(presets):
    """SLA-6: 125,000 credited; the plan is made free and the month measured again: not eligible, credit
    0, the note reversed."""
    contract = contract_for("officecore")
    fee_invoice(contract, NOV, 500_000)
    outage("officecore", T(2026, 11, 3, 10), T(2026, 11, 3, 20))
    record, _ = month_close_contract(contract=contract, month=NOV, today=CLOSE)
    Plan.objects.filter(pk=contract.plan_id).update(is_free=True)
    record = month_recompute(record=record, today=LATER, reason="무료 전환")
    assert (record.status, record.credit_won) == (SlaMonth.Status.NOT_ELIGIBLE, 0)
    assert documents(record) == [("original", 125_000), ("reversal", -125_000)]


def _flow_month():  # type: ignore[no-untyped-def]
    contract = contract_for("flow")
    for month, fee in ((D(2026, 9, 1), 1_200_000), (D(2026, 10, 1), 1_000_000), (NOV, 800_000)):
        fee_invoice(contract, month, fee)
    incident = outage("flow", T(2026, 11, 5, 10), T(2026, 11, 5, 20, 48))  # 648 min → 98.5 %
    record, _ = month_close_contract(contract=contract, month=NOV, today=CLOSE)
    assert (record.credit_won, record.status) == (250_000, SlaMonth.Status.AWAITING_CLAIM)
    return contract, incident, record


def test_unclaimed_month_corrected_to_no_credit_has_no_credit(presets):
    """SLA-4, SLA-5: flow's 250,000 awaits a claim; the outage is then excluded (customer-caused): no credit,
    status "no credit", nothing issued."""
    _contract, incident, record = _flow_month()
    correct(incident, excl_customer_caused=True)
    record.refresh_from_db()
    assert (record.credit_won, record.status) == (0, SlaMonth.Status.NO_CREDIT)
    assert documents(record) == []


def test_approved_month_corrected_upwards_is_credited_the_difference(presets):
    """SLA-4, SLA-5: flow 250,000 claimed and approved (one note); the outage is corrected to 11-05 10:00 –
    11-07 10:00 = 2,880 minutes → 93.3333 % → 50 % of the 1,000,000 average = 500,000 (under the 800,000
    of November): a correction note for 250,000 without a new claim."""
    contract, incident, record = _flow_month()
    claim = claim_submit(contract=contract, month=NOV, today=D(2026, 12, 2))
    claim_approve(claim=claim, today=D(2026, 12, 3))
    correct(incident, ended_at=T(2026, 11, 7, 10))
    record.refresh_from_db()
    assert (record.credit_won, record.status) == (500_000, SlaMonth.Status.CREDITED)
    assert documents(record) == [("original", 250_000), ("correction", 250_000)]


def test_credit_found_after_the_close_awaits_a_claim_with_its_due_date(presets):
    """SLA-4, SLA-5 (001 art.25-4): flow, November billed 10 won, closed with no outage. An outage of 100
    minutes entered on 12-05 → 99.7685 % → 10 % of the 10-won average = 1 won: it awaits a claim, due 30
    days from the close (12-01 + 29 days = 12-30)."""
    contract = contract_for("flow")
    fee_invoice(contract, NOV, 10)
    record, _ = month_close_contract(contract=contract, month=NOV, today=CLOSE)
    assert (record.status, record.claim_due_on) == (SlaMonth.Status.NO_CREDIT, None)
    outage("flow", T(2026, 11, 5, 10), T(2026, 11, 5, 11, 40), today=LATER)
    record.refresh_from_db()
    assert (record.revision, record.credit_won) == (2, 1)
    assert (record.status, record.claim_due_on) == (SlaMonth.Status.AWAITING_CLAIM, D(2026, 12, 30))
    assert not CreditNote.objects.exists()


# --------------------------------------------------------------------------- the job's counts


def test_month_close_job_counts_each_outcome(presets):
    """SLA-4, SPEC §10: two officecore contracts credited (one outage of 600 minutes, 25 %), two flow
    contracts awaiting a claim (648 minutes, 25 %), one damoa contract with no outage: 5 contracts, 5
    closed, 2 credited, 2 awaiting a claim. Run again: nothing left to close."""
    for service in ("officecore", "officecore", "flow", "flow", "damoa"):
        fee_invoice(contract_for(service), NOV, 500_000)
    outage("officecore", T(2026, 11, 3, 10), T(2026, 11, 3, 20))
    outage("flow", T(2026, 11, 5, 10), T(2026, 11, 5, 20, 48))
    counts = sla_month_close(today=CLOSE)
    assert counts == {"contracts": 5, "closed": 5, "credited": 2, "awaiting_claim": 2}
    assert sla_month_close(today=CLOSE) == {"contracts": 0, "closed": 0, "credited": 0, "awaiting_claim": 0}


# --------------------------------------------------------------------------- what the credit is computed on


def test_month_without_a_fee_is_not_eligible(presets):
    """SLA-6: 600 minutes of outage but nothing billed for November (fee 0): no credit, not eligible."""
    contract = contract_for("officecore")
    outage("officecore", T(2026, 11, 3, 10), T(2026, 11, 3, 20))
    record, _ = month_close_contract(contract=contract, month=NOV, today=CLOSE)
    assert (record.status, record.credit_won) == (SlaMonth.Status.NOT_ELIGIBLE, 0)
    assert record.credit_basis == "무료 서비스 또는 요금 없음: 보상 없음 (SLA-6)"


def test_one_won_fee_is_a_fee(presets):
    """SLA-6: a month billed 1 won is not free: with no outage it is closed "no credit"."""
    contract = contract_for("officecore")
    fee_invoice(contract, NOV, 1)
    record, _ = month_close_contract(contract=contract, month=NOV, today=CLOSE)
    assert (record.status, record.fee_won) == (SlaMonth.Status.NO_CREDIT, 1)


def test_policy_without_a_credit_model_credits_nothing(presets):
    """SLA-4: kgmsg's policy has no SLA credit: its month closes with 0 and no basis."""
    from tests.billing.conftest import make_contract

    contract = make_contract("kgmsg-standard", start=D(2026, 1, 5))
    fee_invoice(contract, NOV, 500_000)
    record, _ = month_close_contract(contract=contract, month=NOV, today=CLOSE)
    assert (record.status, record.credit_won, record.credit_basis) == (SlaMonth.Status.NO_CREDIT, 0, "")


def test_flow_average_is_shown_and_rounded_by_the_policy(presets):
    """SLA-4 (001 art.25-2): fees 1,200,000 / 1,000,000 / 800,001, average 3,000,001 / 3 = 1,000,000.33; the
    contract's signed special term rounds up: shown 1,000,001; credit 25 % × 3,000,001 / 3 = 250,000.08 →
    250,001."""
    contract = contract_for("flow")
    special_term_set(
        contract=contract, parameter="rounding", value="ceil", note="원 미만 올림", signed_on=D(2025, 12, 1)
    )
    for month, fee in ((D(2026, 9, 1), 1_200_000), (D(2026, 10, 1), 1_000_000), (NOV, 800_001)):
        fee_invoice(contract, month, fee)
    outage("flow", T(2026, 11, 5, 10), T(2026, 11, 5, 20, 48))  # 648 min → 98.5 %
    record, _ = month_close_contract(contract=contract, month=NOV, today=CLOSE)
    assert record.credit_won == 250_001
    assert record.credit_basis == (
        "가용률 98.5% → 평균 사용금액 (2026-09 1,200,000 + 2026-10 1,000,000 + 2026-11 800,001) ÷ 3 = "
        "1,000,001원 × 25%"
    )


def test_dcloud_month_above_the_floor_names_no_moment_and_no_day(presets):
    """SLA-4 (002 art.36③): one hour down counts 30 minutes (from 30 minutes after the start): 99.9305 %,
    above 95 %: no moment below the floor, no day, 0 won."""
    contract = contract_for("dcloud")
    fee_invoice(contract, NOV, 900_000)
    outage("dcloud", T(2026, 11, 3, 10), T(2026, 11, 3, 11))
    record, _ = month_close_contract(contract=contract, month=NOV, today=CLOSE)
    assert record.credit_won == 0
    assert record.credit_basis == (
        "가용률 99.9305% (95% 미달 시점 -) → 이후 장애일 - = 0일 × 일 요금 (900,000원 ÷ 30일)"
    )


# --------------------------------------------------------------------------- the credit note and the notices


def test_credit_note_and_notice_name_the_month_the_contract_and_the_basis(presets):
    """SLA-4: officecore 600 minutes → 98.6111 % → 25 % of 500,000 = 125,000: the credit note says what it
    is for and is keyed to the month's revision; the customer is told with the note's number."""
    contract = contract_for("officecore")
    fee_invoice(contract, NOV, 500_000)
    outage("officecore", T(2026, 11, 3, 10), T(2026, 11, 3, 20))
    record, _ = month_close_contract(contract=contract, month=NOV, today=CLOSE)
    note = CreditNote.objects.get(sla_document__sla_month=record)
    basis = "가용률 98.6111% → 월 요금 500,000원 × 25%"
    assert record.credit_basis == basis
    assert note.description == f"SLA 보상 2026-11 ({contract.number}): {basis}"
    assert note.idempotency_key == f"sla:{record.pk}:r1:original"
    notices = Notice.objects.filter(customer=contract.customer, event="sla.credit.issued")
    assert notices.exists()
    assert {n.dedupe_key for n in notices} == {f"sla.credit.issued:{note.pk}"}
    assert [n.context for n in notices] == [
        {
            "contract_number": contract.number,
            "month": "2026-11",
            "availability": "98.6111",
            "credit_won": 125_000,
            "basis": basis,
            "claim_due_on": "",
            "credit_note_number": note.number,
            "today": "2026-12-01",
        }
    ] * notices.count()


def test_claimable_notice_carries_the_amount_and_the_due_date(presets):
    """SLA-5: flow's 250,000 awaits a claim; the notice says how much and until when (2026-12-30)."""
    contract, _incident, record = _flow_month()
    notices = Notice.objects.filter(customer=contract.customer, event="sla.credit.claimable")
    assert notices.exists()
    assert {n.dedupe_key for n in notices} == {f"sla.credit.claimable:{record.pk}"}
    assert [n.context for n in notices] == [
        {
            "contract_number": contract.number,
            "month": "2026-11",
            "availability": "98.5000",
            "credit_won": 250_000,
            "basis": record.credit_basis,
            "claim_due_on": "2026-12-30",
            "today": "2026-12-01",
        }
    ] * notices.count()


@pytest.mark.parametrize(("credited_before", "sla_note"), [(450_000, 50_000), (499_999, 1)])
def test_credit_is_limited_to_what_the_invoice_can_still_credit(presets, credited_before, sla_note):
    """SLA-4, BIL-2: 125,000 owed on an invoice of 500,000 (supply) already credited 450,000 / 499,999:
    the SLA note is 50,000 / 1."""
    contract = contract_for("officecore")
    invoice = fee_invoice(contract, NOV, 500_000)
    credit_note_issue(
        invoice=invoice,
        amount_won=credited_before,
        reason=CreditNote.Reason.OTHER,
        description="요금 조정",
        today=D(2026, 11, 30),
    )
    outage("officecore", T(2026, 11, 3, 10), T(2026, 11, 3, 20))
    record, _ = month_close_contract(contract=contract, month=NOV, today=CLOSE)
    assert record.credit_won == 125_000
    assert documents(record) == [("original", sla_note)]


# --------------------------------------------------------------------------- recomputing touched months


def test_months_recompute_counts_the_months_that_changed(presets):
    """SLA-3, SLA-4: September, October and November closed without outage; an outage of 10-31 22:00 →
    11-01 02:00 (240 minutes) recorded behind the services' back touches October and November (and
    September is looked at, 31 days before): 2 months changed. No spans: nothing to do."""
    contract = contract_for("officecore")
    for month in (D(2026, 9, 1), D(2026, 10, 1), NOV):
        fee_invoice(contract, month, 500_000)
        month_close_contract(contract=contract, month=month, today=add_months(month, 1))
    span = (T(2026, 10, 31, 22), T(2026, 11, 1, 2))
    Incident.objects.create(
        service="officecore",
        title="늦게 확인한 장애",
        status=Incident.Status.RESOLVED,
        detected_at=span[0],
        started_at=span[0],
        ended_at=span[1],
    )
    kw = {"service": "officecore", "plan_id": None, "contract_id": None, "today": LATER, "reason": "확인"}
    assert months_recompute(spans=[], **kw) == 0
    assert months_recompute(spans=[span], **kw) == 2
    revisions = dict(SlaMonth.objects.filter(contract=contract).values_list("month", "revision"))
    assert revisions == {D(2026, 9, 1): 1, D(2026, 10, 1): 2, NOV: 2}


def test_a_terminated_contracts_closed_month_is_still_recomputed(presets):
    """SLA-3, SLA-4: November closed with no outage, the contract terminated on 12-02; an outage of 600
    minutes entered on 12-05 for November still credits that month (25 % of 500,000 = 125,000)."""
    contract = contract_for("officecore")
    fee_invoice(contract, NOV, 500_000)
    record, _ = month_close_contract(contract=contract, month=NOV, today=CLOSE)
    Contract.objects.filter(pk=contract.pk).update(
        status=ContractStatus.TERMINATED, terminated_on=D(2026, 12, 2)
    )
    outage("officecore", T(2026, 11, 3, 10), T(2026, 11, 3, 20), today=LATER)
    record.refresh_from_db()
    assert (record.revision, record.credit_won) == (2, 125_000)


@pytest.mark.parametrize(
    ("back", "credit", "basis"),
    [
        # 11-03..11-12: 10 days × 10,000 × 3 = 300,000, exactly the month fee: not capped
        (12, 300_000, "미이용 일수 {days} = 10일 × 1일 평균 요금 (300,000원 ÷ 30일) × 3배"),
        # 11-03..11-13: 11 days = 330,000, capped at the 300,000 fee
        (
            13,
            300_000,
            "미이용 일수 {days} = 11일 × 1일 평균 요금 (300,000원 ÷ 30일) × 3배"
            " → 상한 300,000원 (해당 월 요금)",
        ),
    ],
)
def test_damoa_credit_at_and_above_the_month_fee(presets, back, credit, basis):
    """SLA-4 (004 art.27-1, 27-4): the cap applies only above the month fee, and the basis says so."""
    contract = contract_for("damoa")
    fee_invoice(contract, NOV, 300_000)
    outage("damoa", T(2026, 11, 3, 10), T(2026, 11, back + 1, 10))
    record, _ = month_close_contract(contract=contract, month=NOV, today=CLOSE)
    days = ", ".join(f"11-{d:02d}" for d in range(3, back + 1))
    assert (record.credit_won, record.credit_basis) == (credit, basis.format(days=days))


def test_damoa_month_without_a_counted_day_shows_none(presets):
    """SLA-4 (004 art.27-1): no outage of a day or more: no day, 0 won, the days shown as "-"."""
    contract = contract_for("damoa")
    fee_invoice(contract, NOV, 300_000)
    record, _ = month_close_contract(contract=contract, month=NOV, today=CLOSE)
    assert record.credit_won == 0
    assert record.credit_basis == "미이용 일수 - = 0일 × 1일 평균 요금 (300,000원 ÷ 30일) × 3배"


def test_one_won_credits_found_at_the_close(presets):
    """SLA-4, SLA-5: 10-won November fees. officecore, 300 minutes out (99.3056 % → 10 % of 10 = 1 won),
    is credited at the close with a 1-won note; flow, 100 minutes out (99.7685 % → 10 % of 10 = 1 won),
    awaits a claim due 12-30. The outage ends 30 seconds past the minute: 300.50 minutes are counted."""
    office, flow = contract_for("officecore"), contract_for("flow")
    fee_invoice(office, NOV, 10)
    fee_invoice(flow, NOV, 10)
    outage("officecore", T(2026, 11, 3, 10), T(2026, 11, 3, 15) + dt.timedelta(seconds=30))
    outage("flow", T(2026, 11, 5, 10), T(2026, 11, 5, 11, 40))
    credited, _ = month_close_contract(contract=office, month=NOV, today=CLOSE)
    assert (credited.credit_won, credited.status, credited.claim_due_on) == (
        1,
        SlaMonth.Status.CREDITED,
        None,
    )
    assert credited.counted_minutes == Decimal("300.50")
    assert documents(credited) == [("original", 1)]
    waiting, _ = month_close_contract(contract=flow, month=NOV, today=CLOSE)
    assert (waiting.credit_won, waiting.status, waiting.claim_due_on) == (
        1,
        SlaMonth.Status.AWAITING_CLAIM,
        D(2026, 12, 30),
    )


def test_dcloud_with_a_zero_percent_target_promises_no_floor(presets):
    """SLA-4 (002 art.36③): a special term setting dcloud's target to 0 % — the whole month may be down
    before the floor is crossed: the same hour's outage (99.9305 %) names a 0 % floor, no moment, no day."""
    contract = contract_for("dcloud")
    special_term_set(
        contract=contract,
        parameter="sla_target_percent",
        value="0",
        note="시험용 특약",
        signed_on=D(2026, 10, 1),
    )
    fee_invoice(contract, NOV, 900_000)
    outage("dcloud", T(2026, 11, 3, 10), T(2026, 11, 3, 11))
    record, _ = month_close_contract(contract=contract, month=NOV, today=CLOSE)
    assert (record.credit_won, record.credit_basis) == (
        0,
        "가용률 99.9305% (0% 미달 시점 -) → 이후 장애일 - = 0일 × 일 요금 (900,000원 ÷ 30일)",
    )
