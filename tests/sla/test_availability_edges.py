"""SLA-3 at its edges: the access-failure feed's refusals (code, field, rule and whole Korean message) and
bounds, what a stored point carries, and the working stored for an outage."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from contracts.models import Contract
from core.audit import acting_as
from core.errors import DomainError
from sla.models import ErrorRateSample
from sla.services.availability import error_rate_record, measure_month
from sla.services.incidents import incident_open
from sla.services.maintenance import maintenance_plan
from tests.sla.conftest import D, T, contract_for

pytestmark = pytest.mark.django_db

NOW = T(2026, 12, 1, 9)
AT = T(2026, 11, 3, 10)


def refusal(**kw) -> DomainError:  # type: ignore[no-untyped-def]
    kw.setdefault("service", "flow")
    kw.setdefault("at", AT)
    kw.setdefault("now", NOW)
    with pytest.raises(DomainError) as info:
        error_rate_record(**kw)
    assert not ErrorRateSample.objects.filter(at=kw["at"], service=kw["service"]).exists()
    return info.value


def test_feed_point_for_an_unknown_service_is_refused(presets):
    """SLA-3: a service with no policy is named in the refusal."""
    err = refusal(service="nope", failure_ratio="0.1")
    assert (err.code, err.field, err.rule) == ("unknown_service", "service", "SLA-3")
    assert err.message_ko == "SLA-3: 서비스 nope을(를) 찾을 수 없습니다."


@pytest.mark.parametrize("ratio", ["abc", "NaN", "-0.01", "1.01"])
def test_feed_ratio_outside_0_to_1_or_not_a_number_is_refused(presets, ratio):
    """SLA-3: the failure ratio must be a number from 0 to 1; the refusal repeats what was sent."""
    err = refusal(failure_ratio=ratio)
    assert (err.code, err.field, err.rule) == ("ratio_out_of_range", "failure_ratio", "SLA-3")
    assert err.message_ko == f"SLA-3: 실패 비율은 0에서 1 사이여야 합니다 (입력 {ratio})."


@pytest.mark.parametrize("ratio", ["0", "1"])
def test_feed_ratio_of_exactly_0_or_1_is_accepted(presets, ratio):
    """SLA-3: 0 (no failure) and 1 (every attempt failed) are both valid points."""
    sample = error_rate_record(service="flow", at=AT, failure_ratio=ratio, now=NOW)
    assert sample.failure_ratio == Decimal(ratio)


def test_feed_point_at_the_present_moment_is_accepted_a_later_one_refused(presets):
    """SLA-3: a point timed exactly now is accepted; one five minutes later is in the future."""
    assert error_rate_record(service="flow", at=NOW, failure_ratio="0.1", now=NOW).at == NOW
    later = NOW + dt.timedelta(minutes=5)
    err = refusal(at=later, failure_ratio="0.1")
    assert (err.code, err.field, err.rule) == ("sample_in_future", "at", "SLA-3")
    assert err.message_ko == "SLA-3: 미래 시각(2026-12-01T09:05:00+09:00)의 기록은 받을 수 없습니다."


def test_feed_point_needs_a_window(presets):
    """SLA-3: officecore's policy has no feed window; a point without ``window_minutes`` is refused, one with
    a 1-minute window is kept."""
    err = refusal(service="officecore", failure_ratio="0.1")
    assert (err.code, err.field, err.rule) == ("window_required", "window_minutes", "SLA-3")
    assert err.message_ko == "SLA-3: 측정 구간(분)이 필요합니다."
    sample = error_rate_record(service="officecore", at=AT, failure_ratio="0.1", now=NOW, window_minutes=1)
    assert sample.window_minutes == 1


def test_duplicate_point_names_the_service_and_time_other_services_may_share_it(presets):
    """SLA-3: one point per service and time; the same time for another service is a different point."""
    error_rate_record(service="flow", at=AT, failure_ratio="0.1", now=NOW)
    error_rate_record(service="dcloud", at=AT, failure_ratio="0.2", now=NOW, window_minutes=5)
    with pytest.raises(DomainError) as info:
        error_rate_record(service="flow", at=AT, failure_ratio="0.3", now=NOW)
    err = info.value
    assert (err.code, err.field, err.rule) == ("duplicate_sample", "at", "SLA-3")
    assert err.message_ko == "SLA-3: flow의 2026-11-03T10:00:00+09:00 기록이 이미 있습니다."
    assert ErrorRateSample.objects.count() == 2


def test_feed_point_keeps_its_attempts_source_window_and_who_recorded_it(presets):
    """SLA-3: the stored point carries the attempts, the source, flow's 5-minute window and the actor."""
    with acting_as(job="error_feed") as actor:
        sample = error_rate_record(
            service="flow",
            at=AT,
            failure_ratio="0.25",
            now=NOW,
            attempts=120,
            source=ErrorRateSample.Source.STAFF,
        )
    sample.refresh_from_db()
    assert (sample.attempts, sample.source, sample.window_minutes) == (120, "staff", 5)
    assert sample.recorded_by == actor.label and sample.recorded_by


def test_outage_working_names_its_times_incidents_and_counted_minutes(presets):
    """SLA-3: officecore, 11-03 10:00–13:00 (180 minutes, over the 120-minute floor, counted from the
    start): the stored outage names its Seoul times, incident, minutes and reason."""
    contract = contract_for("officecore")
    incident = incident_open(
        service="officecore",
        title="장애",
        detected_at=T(2026, 11, 3, 10),
        ended_at=T(2026, 11, 3, 13),
        today=D(2026, 12, 1),
        now=NOW,
    )
    m = measure_month(contract=contract, month=D(2026, 11, 1), now=NOW)
    assert m.breakdown()["outages"] == [
        {
            "start": "2026-11-03T10:00+09:00",
            "end": "2026-11-03T13:00+09:00",
            "minutes": 180.0,
            "incidents": [incident.pk],
            "counted": True,
            "counted_minutes_in_month": 180.0,
            "counted_from": "2026-11-03T10:00+09:00",
            "reason": "인정",
        }
    ]


def test_month_working_names_the_rule_the_service_window_and_the_totals(presets):
    """SLA-3: officecore all of November (43,200 minutes), one outage of 180 minutes → 99.5833 % (rounded
    down); the whole working is stored."""
    contract = contract_for("officecore")
    incident_open(
        service="officecore",
        title="장애",
        detected_at=T(2026, 11, 3, 10),
        ended_at=T(2026, 11, 3, 13),
        today=D(2026, 12, 1),
        now=NOW,
    )
    breakdown = measure_month(contract=contract, month=D(2026, 11, 1), now=NOW).breakdown()
    outages = breakdown.pop("outages")
    assert len(outages) == 1
    assert breakdown == {
        "rule": "officecore_2h_join_1h",
        "service_from": "2026-11-01T00:00+09:00",
        "service_to": "2026-12-01T00:00+09:00",
        "service_minutes": 43_200,
        "counted_minutes": 180.0,
        "availability": "99.5833",
        "excluded_incidents": [],
        "maintenance": [],
    }


def test_month_before_activation_has_no_service_window(presets):
    """SLA-3: a contract activated on 12-05 had no service in November: no window, no minutes."""
    contract = contract_for("officecore", start=D(2026, 12, 5))
    breakdown = measure_month(contract=contract, month=D(2026, 11, 1), now=NOW).breakdown()
    assert (breakdown["service_from"], breakdown["service_to"], breakdown["service_minutes"]) == (
        None,
        None,
        0,
    )


@pytest.mark.parametrize(
    ("ended", "minutes", "service_to"),
    [
        ({"terminated_on": D(2026, 11, 20)}, 20 * 1440, "2026-11-21T00:00+09:00"),
        ({"withdrawn_on": D(2026, 11, 10)}, 10 * 1440, "2026-11-11T00:00+09:00"),
    ],
)
def test_service_ends_with_the_last_day_of_a_terminated_or_withdrawn_contract(
    presets, ended, minutes, service_to
):
    """SLA-3: terminated on 11-20 → service to the end of 11-20 (20 days, 28,800 minutes); withdrawn on 11-10
    → 10 days, 14,400 minutes."""
    contract = contract_for("officecore")
    Contract.objects.filter(pk=contract.pk).update(**ended)
    contract.refresh_from_db()
    m = measure_month(contract=contract, month=D(2026, 11, 1), now=NOW)
    assert m.service_minutes == minutes
    assert m.breakdown()["service_to"] == service_to


def test_minutes_in_the_working_are_shown_to_two_places(presets):
    """SLA-3: flow counts every outage (no minimum): 10:00:00 → 10:10:20 is 620 s = 10.333… minutes,
    shown as 10.33."""
    contract = contract_for("flow")
    incident_open(
        service="flow",
        title="짧은 장애",
        detected_at=T(2026, 11, 3, 10),
        ended_at=T(2026, 11, 3, 10, 10) + dt.timedelta(seconds=20),
        today=D(2026, 12, 1),
        now=NOW,
    )
    breakdown = measure_month(contract=contract, month=D(2026, 11, 1), now=NOW).breakdown()
    assert breakdown["counted_minutes"] == 10.33
    assert breakdown["outages"][0]["minutes"] == 10.33


def test_one_feature_incident_is_excluded_where_the_rule_needs_the_whole_service(presets):
    """SLA-3 (004 art.27-1): damoa counts whole-service outages only; a one-feature incident is listed as
    excluded with that reason."""
    contract = contract_for("damoa")
    incident_open(
        service="damoa",
        title="메일 장애",
        detected_at=T(2026, 11, 5),
        ended_at=T(2026, 11, 6, 6),
        scope="feature",
        feature="메일 발송",
        today=D(2026, 12, 1),
        now=NOW,
    )
    m = measure_month(contract=contract, month=D(2026, 11, 1), now=NOW)
    assert [e["reasons"] for e in m.breakdown()["excluded_incidents"]] == [["전체가 아닌 특정 기능 장애"]]


def test_month_in_progress_is_measured_up_to_now(presets):
    """SLA-3: November measured on 11-15 at 09:00 has 14 days and 9 hours of service so far: 14 × 1,440 +
    540 = 20,700 minutes."""
    contract = contract_for("officecore")
    m = measure_month(contract=contract, month=D(2026, 11, 1), now=T(2026, 11, 15, 9))
    assert m.service_minutes == 20_700
    assert m.breakdown()["service_to"] == "2026-11-15T09:00+09:00"


def test_contract_activated_the_day_after_the_month_has_no_window_in_it(presets):
    """SLA-3: activated on 12-01, the contract's November window would start and end at 12-01 00:00: an
    empty window is no window. The measurement still names the contract and the month."""
    contract = contract_for("officecore", start=D(2026, 12, 1))
    m = measure_month(contract=contract, month=D(2026, 11, 1), now=T(2026, 12, 2))
    assert (m.window, m.service_minutes) == (None, 0)
    assert (m.contract_id, m.month) == (contract.pk, D(2026, 11, 1))


def test_month_without_service_still_names_its_rule_and_lists_nothing(presets):
    """SLA-3: no service in November (activated 12-05): the rule is named, no outage, exclusion,
    maintenance window or raw span is listed."""
    contract = contract_for("officecore", start=D(2026, 12, 5))
    m = measure_month(contract=contract, month=D(2026, 11, 1), now=NOW)
    assert m.rule == "officecore_2h_join_1h"
    assert (m.outages, m.excluded, m.maintenance, m.raw_spans) == ([], [], [], [])


def test_maintenance_and_exclusions_are_listed_whole(presets):
    """SLA-1, SLA-2, SLA-3: an announced window 11-20 00:00–07:00 is listed; an incident 11-19 23:00 →
    11-20 08:00 loses its 420 minutes inside it; a force-majeure incident of 300 minutes is left out."""
    contract = contract_for("dcloud")
    window = maintenance_plan(
        service="dcloud",
        title="정기 점검",
        starts_at=T(2026, 11, 20, 0),
        ends_at=T(2026, 11, 20, 7),
        today=D(2026, 11, 10),
        now=T(2026, 11, 10, 9),
    )
    kw = {"service": "dcloud", "today": D(2026, 12, 1), "now": NOW}
    overlapping = incident_open(
        title="점검 중 장애", detected_at=T(2026, 11, 19, 23), ended_at=T(2026, 11, 20, 8), **kw
    )
    excluded = incident_open(
        title="정전",
        detected_at=T(2026, 11, 3, 10),
        ended_at=T(2026, 11, 3, 15),
        exclusions={"excl_force_majeure": True},
        **kw,
    )
    breakdown = measure_month(contract=contract, month=D(2026, 11, 1), now=NOW).breakdown()
    assert breakdown["maintenance"] == [
        {
            "id": window.pk,
            "title": "정기 점검",
            "start": "2026-11-20T00:00+09:00",
            "end": "2026-11-20T07:00+09:00",
        }
    ]
    assert sorted(breakdown["excluded_incidents"], key=lambda e: e["id"]) == sorted(
        [
            {
                "id": overlapping.pk,
                "title": "점검 중 장애",
                "minutes": 420.0,
                "reasons": ["공지된 점검 시간"],
            },
            {"id": excluded.pk, "title": "정전", "reasons": ["불가항력"], "minutes": 300.0},
        ],
        key=lambda e: e["id"],
    )


def test_incident_starting_exactly_now_is_not_listed(presets):
    """SLA-1, SLA-3: an open force-majeure incident detected exactly at ``now`` has lasted 0 minutes: it is
    neither counted nor listed as excluded (an earlier one of 300 minutes is)."""
    contract = contract_for("dcloud")
    kw = {
        "service": "dcloud",
        "today": D(2026, 12, 1),
        "now": NOW,
        "exclusions": {"excl_force_majeure": True},
    }
    earlier = incident_open(title="정전", detected_at=T(2026, 11, 3, 10), ended_at=T(2026, 11, 3, 15), **kw)
    incident_open(title="방금 난 장애", detected_at=NOW, **kw)
    m = measure_month(contract=contract, month=D(2026, 11, 1), now=NOW)
    assert m.breakdown()["excluded_incidents"] == [
        {"id": earlier.pk, "title": "정전", "reasons": ["불가항력"], "minutes": 300.0}
    ]


def test_recurrence_before_the_month_joins_an_outage_that_runs_into_it(presets):
    """SLA-3 (000 art.23①): officecore joins a recurrence within 60 minutes. An outage 10-28 20:00–23:30
    and one from 10-29 00:00 (30 minutes later) to 11-01 03:00 are one outage from 10-28 20:00; November
    counts its first 180 minutes. The first ends 3 days and 30 minutes before the month: it is still read
    (the 3-day look-up margin widened by the gap)."""
    contract = contract_for("officecore")
    kw = {"service": "officecore", "today": D(2026, 12, 1), "now": NOW}
    first = incident_open(
        title="1차", detected_at=T(2026, 10, 28, 20), ended_at=T(2026, 10, 28, 23, 30), **kw
    )
    second = incident_open(title="2차", detected_at=T(2026, 10, 29), ended_at=T(2026, 11, 1, 3), **kw)
    outages = measure_month(contract=contract, month=D(2026, 11, 1), now=NOW).breakdown()["outages"]
    assert [(o["start"], o["end"], o["incidents"], o["counted_minutes_in_month"]) for o in outages] == [
        ("2026-10-28T20:00+09:00", "2026-11-01T03:00+09:00", [first.pk, second.pk], 180.0)
    ]


def test_recurrence_after_the_month_joins_an_outage_that_runs_out_of_it(presets):
    """SLA-3 (000 art.23①): an outage 11-30 22:00 → 12-03 23:30 and a recurrence 12-04 00:30–02:00 (60
    minutes later) are one outage to 12-04 02:00; November counts its last 120 minutes. The recurrence
    starts 3 days and 30 minutes after the month: it is still read (margin widened by the gap)."""
    contract = contract_for("officecore")
    now = T(2026, 12, 10, 9)
    kw = {"service": "officecore", "today": D(2026, 12, 10), "now": now}
    first = incident_open(title="1차", detected_at=T(2026, 11, 30, 22), ended_at=T(2026, 12, 3, 23, 30), **kw)
    second = incident_open(title="2차", detected_at=T(2026, 12, 4, 0, 30), ended_at=T(2026, 12, 4, 2), **kw)
    outages = measure_month(contract=contract, month=D(2026, 11, 1), now=now).breakdown()["outages"]
    assert [(o["start"], o["end"], o["incidents"], o["counted_minutes_in_month"]) for o in outages] == [
        ("2026-11-30T22:00+09:00", "2026-12-04T02:00+09:00", [first.pk, second.pk], 120.0)
    ]


def test_without_a_join_gap_a_recurrence_a_minute_later_is_a_separate_outage(presets):
    """SLA-3 (002 art.36②): dcloud joins nothing (gap 0). Outages 11-03 10:00–11:00 and 11:01–12:00 are two;
    each counts from 30 minutes after it started: 30 + 29 = 59 minutes (joined they would be 90)."""
    contract = contract_for("dcloud")
    kw = {"service": "dcloud", "today": D(2026, 12, 1), "now": NOW}
    incident_open(title="1차", detected_at=T(2026, 11, 3, 10), ended_at=T(2026, 11, 3, 11), **kw)
    incident_open(title="2차", detected_at=T(2026, 11, 3, 11, 1), ended_at=T(2026, 11, 3, 12), **kw)
    breakdown = measure_month(contract=contract, month=D(2026, 11, 1), now=NOW).breakdown()
    assert [(o["start"], o["end"], o["counted_minutes_in_month"]) for o in breakdown["outages"]] == [
        ("2026-11-03T10:00+09:00", "2026-11-03T11:00+09:00", 30.0),
        ("2026-11-03T11:01+09:00", "2026-11-03T12:00+09:00", 29.0),
    ]
    assert breakdown["counted_minutes"] == 59.0


def test_feed_window_failing_exactly_at_the_threshold_is_removed_and_listed(presets):
    """SLA-3 (001 art.25-1): flow removes a 5-minute window failing at or below 5 %. Outage 11-03
    10:00–11:00; the window from 10:00 failed 5 % (removed, listed as 5 minutes), the one from 10:05 6 %
    (kept): 55 minutes counted."""
    contract = contract_for("flow")
    incident_open(
        service="flow",
        title="접속 장애",
        detected_at=T(2026, 11, 3, 10),
        ended_at=T(2026, 11, 3, 11),
        today=D(2026, 12, 1),
        now=NOW,
    )
    error_rate_record(service="flow", at=T(2026, 11, 3, 10), failure_ratio="0.05", now=NOW)
    error_rate_record(service="flow", at=T(2026, 11, 3, 10, 5), failure_ratio="0.06", now=NOW)
    breakdown = measure_month(contract=contract, month=D(2026, 11, 1), now=NOW).breakdown()
    assert breakdown["excluded_incidents"] == [
        {
            "id": None,
            "title": "접속 실패율 기록",
            "minutes": 5.0,
            "reasons": ["5분간 실패율이 기준 이하인 구간"],
        }
    ]
    assert breakdown["counted_minutes"] == 55.0


def test_feed_points_do_not_remove_downtime_where_the_rule_has_no_feed(presets):
    """SLA-3: only flow's rule reads the access-failure feed. An officecore outage 11-03 10:00–13:00 with a
    feed point of 0 % failure inside it still counts 180 minutes, nothing excluded."""
    contract = contract_for("officecore")
    incident_open(
        service="officecore",
        title="장애",
        detected_at=T(2026, 11, 3, 10),
        ended_at=T(2026, 11, 3, 13),
        today=D(2026, 12, 1),
        now=NOW,
    )
    error_rate_record(
        service="officecore", at=T(2026, 11, 3, 11), failure_ratio="0", now=NOW, window_minutes=60
    )
    breakdown = measure_month(contract=contract, month=D(2026, 11, 1), now=NOW).breakdown()
    assert breakdown["excluded_incidents"] == []
    assert breakdown["counted_minutes"] == 180.0


@pytest.mark.parametrize(
    ("passing_at", "first", "second"),
    [
        (T(2026, 11, 3, 10), ("09:00", "10:00"), ("10:05", "11:00")),
        (T(2026, 11, 3, 9, 55), ("09:00", "09:55"), ("10:00", "11:00")),
    ],
)
def test_each_outage_names_only_its_own_incidents(presets, passing_at, first, second):
    """SLA-3 (001 art.25-1): flow incidents A 09:00–10:00 and B 10:00–11:00; a passing feed window (1 %)
    at 10:00 or at 09:55 splits them into two outages touching the other incident's edge: each outage
    names only its own incident."""
    contract = contract_for("flow")
    kw = {"service": "flow", "today": D(2026, 12, 1), "now": NOW}
    a = incident_open(title="A", detected_at=T(2026, 11, 3, 9), ended_at=T(2026, 11, 3, 10), **kw)
    b = incident_open(title="B", detected_at=T(2026, 11, 3, 10), ended_at=T(2026, 11, 3, 11), **kw)
    error_rate_record(service="flow", at=passing_at, failure_ratio="0.01", now=NOW)
    outages = measure_month(contract=contract, month=D(2026, 11, 1), now=NOW).breakdown()["outages"]
    assert [(o["start"][11:16], o["end"][11:16], o["incidents"]) for o in outages] == [
        (*first, [a.pk]),
        (*second, [b.pk]),
    ]


@pytest.mark.parametrize(("minutes", "counted"), [(120, True), (119, False)])
def test_officecore_outage_of_exactly_120_minutes_counts(presets, minutes, counted):
    """SLA-3 (000 art.23①): officecore counts an outage of 120 minutes or more; one of 119 is listed, with
    its incident, as not counted."""
    contract = contract_for("officecore")
    start = T(2026, 11, 3, 10)
    incident = incident_open(
        service="officecore",
        title="장애",
        detected_at=start,
        ended_at=start + dt.timedelta(minutes=minutes),
        today=D(2026, 12, 1),
        now=NOW,
    )
    outage = measure_month(contract=contract, month=D(2026, 11, 1), now=NOW).breakdown()["outages"][0]
    assert (outage["incidents"], outage["counted"]) == ([incident.pk], counted)
    assert outage["counted_minutes_in_month"] == (120.0 if counted else 0.0)
    assert outage["reason"] == ("인정" if counted else "120분 미만 장애는 제외")


def test_flow_counts_an_outage_shorter_than_a_minute(presets):
    """SLA-3 (001 art.25-1): flow has no minimum outage: 30 seconds count as 0.5 minutes."""
    contract = contract_for("flow")
    incident_open(
        service="flow",
        title="순간 장애",
        detected_at=T(2026, 11, 3, 10),
        ended_at=T(2026, 11, 3, 10) + dt.timedelta(seconds=30),
        today=D(2026, 12, 1),
        now=NOW,
    )
    breakdown = measure_month(contract=contract, month=D(2026, 11, 1), now=NOW).breakdown()
    assert breakdown["counted_minutes"] == 0.5


def test_dcloud_outage_of_exactly_30_minutes_counts_from_its_end(presets):
    """SLA-3 (002 art.36②): dcloud counts an outage of 30 minutes or more from 30 minutes after it started.
    11-03 10:00–10:30 is counted, with 0 minutes and no counting start; the measurement names its
    contract."""
    contract = contract_for("dcloud")
    incident = incident_open(
        service="dcloud",
        title="장애",
        detected_at=T(2026, 11, 3, 10),
        ended_at=T(2026, 11, 3, 10, 30),
        today=D(2026, 12, 1),
        now=NOW,
    )
    m = measure_month(contract=contract, month=D(2026, 11, 1), now=NOW)
    assert m.contract_id == contract.pk
    assert m.breakdown()["outages"] == [
        {
            "start": "2026-11-03T10:00+09:00",
            "end": "2026-11-03T10:30+09:00",
            "minutes": 30.0,
            "incidents": [incident.pk],
            "counted": True,
            "counted_minutes_in_month": 0.0,
            "counted_from": None,
            "reason": "통지·인지 30분 후부터 측정",
        }
    ]
