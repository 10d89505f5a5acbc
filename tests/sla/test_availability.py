"""Monthly availability per contract (SLA-3): month boundaries, overlaps, maintenance, exclusions, the
flow feed and each preset's thresholds, with the working stored."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from core.errors import DomainError
from sla.models import ErrorRateSample
from sla.services.availability import error_rate_record, measure_month
from sla.services.incidents import incident_open
from sla.services.maintenance import maintenance_plan
from tests.sla.conftest import D, T, contract_for

pytestmark = pytest.mark.django_db

NOW = T(2026, 12, 1, 9)
TODAY = D(2026, 12, 1)


def open_incident(service, start, end, **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("title", "장애")
    return incident_open(service=service, detected_at=start, ended_at=end, today=TODAY, now=NOW, **kw)


def test_incident_spanning_two_months_counts_in_each_by_its_minutes(presets):
    """SLA-3: 10-31 23:00 → 11-01 02:00 (180 min, over officecore's 2 h) counts 60 min in October and
    120 min in November; the threshold looks at the whole outage."""
    contract = contract_for("officecore")
    open_incident("officecore", T(2026, 10, 31, 23), T(2026, 11, 1, 2))
    october = measure_month(contract=contract, month=D(2026, 10, 1), now=NOW)
    november = measure_month(contract=contract, month=D(2026, 11, 1), now=NOW)
    assert october.counted_minutes == 60 and october.service_minutes == 31 * 1440
    assert november.counted_minutes == 120 and november.service_minutes == 30 * 1440


def test_overlapping_incidents_are_not_counted_twice(presets):
    """SLA-3: a whole-service incident 10:00–13:00 and a plan incident 12:00–14:00 → one outage of 240 min."""
    contract = contract_for("officecore")
    open_incident("officecore", T(2026, 11, 3, 10), T(2026, 11, 3, 13))
    open_incident(
        "officecore", T(2026, 11, 3, 12), T(2026, 11, 3, 14), plan=contract.plan, title="요금제 장애"
    )
    m = measure_month(contract=contract, month=D(2026, 11, 1), now=NOW)
    assert m.counted_minutes == 240
    assert len(m.outages) == 1 and len(m.outages[0].incident_ids) == 2


def test_announced_maintenance_is_not_outage_but_an_unannounced_one_is(presets):
    """SLA-2 (002 art.14③): downtime inside an announced window is removed; a window only planned is not."""
    contract = contract_for("dcloud")
    announced = maintenance_plan(
        service="dcloud",
        title="정기 점검",
        starts_at=T(2026, 11, 20, 0),
        ends_at=T(2026, 11, 20, 7),
        today=D(2026, 11, 10),
        now=T(2026, 11, 10, 9),
    )
    maintenance_plan(
        service="dcloud",
        title="임시 점검",
        starts_at=T(2026, 11, 21, 0),
        ends_at=T(2026, 11, 21, 2),
        today=D(2026, 11, 10),
        now=T(2026, 11, 10, 9),
        announce=False,
    )
    # 11-19 23:00 → 11-20 08:00: 540 min, of which 420 in the announced window → 120 min outage
    open_incident("dcloud", T(2026, 11, 19, 23), T(2026, 11, 20, 8))
    # 11-21 00:00 → 02:00 in a window never announced: counts (120 min, minus dcloud's 30-minute offset)
    open_incident("dcloud", T(2026, 11, 21, 0), T(2026, 11, 21, 2), title="점검 중 장애")
    m = measure_month(contract=contract, month=D(2026, 11, 1), now=NOW)
    breakdown = m.breakdown()
    assert [o["minutes"] for o in breakdown["outages"]] == [60, 60, 120]
    assert m.counted_minutes == 30 + 30 + 90
    assert breakdown["maintenance"][0]["id"] == announced.pk
    assert any("점검" in r for e in breakdown["excluded_incidents"] for r in e["reasons"])


def test_excluded_incidents_are_listed_with_their_reason(presets):
    """SLA-1, SLA-3: an incident flagged force majeure or customer equipment is left out, with why."""
    contract = contract_for("officecore")
    open_incident(
        "officecore", T(2026, 11, 3, 10), T(2026, 11, 3, 15), exclusions={"excl_force_majeure": True}
    )
    open_incident(
        "officecore",
        T(2026, 11, 4, 10),
        T(2026, 11, 4, 15),
        title="고객 장비",
        exclusions={"excl_customer_equipment": True},
    )
    m = measure_month(contract=contract, month=D(2026, 11, 1), now=NOW)
    assert m.counted_minutes == 0 and m.availability == Decimal("100.0000")
    reasons = [r for e in m.breakdown()["excluded_incidents"] for r in e["reasons"]]
    assert reasons == ["불가항력", "고객 장비·소프트웨어로 인한 장애"]


def test_dcloud_counts_only_outages_of_30_minutes_from_30_minutes_after_the_report(presets):
    """SLA-3 (002 art.36②): a 25-minute outage does not count; a 50-minute one counts 20 minutes."""
    contract = contract_for("dcloud")
    open_incident("dcloud", T(2026, 11, 3, 10), T(2026, 11, 3, 10, 25))
    open_incident("dcloud", T(2026, 11, 4, 10), T(2026, 11, 4, 10, 50))
    m = measure_month(contract=contract, month=D(2026, 11, 1), now=NOW)
    assert [o.counted for o in m.outages] == [False, True]
    assert m.counted_minutes == 20


def test_damoa_counts_full_service_outages_of_24_hours_only(presets):
    """SLA-3 (004 art.27-1): 23 h does not count; a 30 h one-feature outage does not either; 25 h does."""
    contract = contract_for("damoa")
    open_incident("damoa", T(2026, 11, 2, 0), T(2026, 11, 2, 23))
    open_incident("damoa", T(2026, 11, 5, 0), T(2026, 11, 6, 6), scope="feature", feature="메일 발송")
    open_incident("damoa", T(2026, 11, 10, 0), T(2026, 11, 11, 1), title="전체 장애")
    m = measure_month(contract=contract, month=D(2026, 11, 1), now=NOW)
    assert m.counted_minutes == 25 * 60
    assert any("특정 기능" in r for e in m.breakdown()["excluded_incidents"] for r in e["reasons"])


def test_flow_windows_at_or_below_5_percent_are_not_outage(presets):
    """SLA-3 (001 art.25-1): in a 30-minute incident, two 5-minute windows the feed shows at 2% failing are
    removed; a window at 6% and windows without a point keep counting."""
    contract = contract_for("flow")
    start = T(2026, 11, 3, 10)
    open_incident("flow", start, start + dt.timedelta(minutes=30))
    for minute, ratio in ((0, "0.02"), (5, "0.02"), (10, "0.06")):
        error_rate_record(
            service="flow", at=start + dt.timedelta(minutes=minute), failure_ratio=ratio, now=NOW
        )
    m = measure_month(contract=contract, month=D(2026, 11, 1), now=NOW)
    assert m.counted_minutes == 20
    assert m.availability_exact == 100 * (1 - Fraction(20, 43_200))


def test_feed_refuses_bad_points_and_writes_nothing(presets):
    """SLA-3: a ratio outside 0–1 and a duplicate timestamp are refused naming the field and the rule."""
    at = T(2026, 11, 3, 10)
    error_rate_record(service="flow", at=at, failure_ratio="0.5", now=NOW)
    with pytest.raises(DomainError) as bad:
        error_rate_record(service="flow", at=at + dt.timedelta(minutes=5), failure_ratio="1.2", now=NOW)
    assert (bad.value.field, bad.value.rule, bad.value.code) == (
        "failure_ratio",
        "SLA-3",
        "ratio_out_of_range",
    )
    with pytest.raises(DomainError) as dup:
        error_rate_record(service="flow", at=at, failure_ratio="0.1", now=NOW)
    assert (dup.value.field, dup.value.code) == ("at", "duplicate_sample")
    with pytest.raises(DomainError) as future:
        error_rate_record(service="flow", at=NOW + dt.timedelta(minutes=5), failure_ratio="0.1", now=NOW)
    assert future.value.field == "at"
    assert ErrorRateSample.objects.count() == 1


def test_service_minutes_start_at_activation(presets):
    """SLA-3: a contract activated mid-month has only its days of service as the denominator."""
    contract = contract_for("officecore", start=D(2026, 11, 16))
    m = measure_month(contract=contract, month=D(2026, 11, 1), now=NOW)
    assert m.service_minutes == 15 * 1440
