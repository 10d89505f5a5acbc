"""Monthly availability per contract (SLA-3), showing its working, and the access-failure feed.

availability = 100 × (1 − counted outage minutes / minutes of service in the month)

What counts follows the policy's ``sla_measurement`` and its numbers (never literals here):

1. the contract's confirmed incidents (its service; all plans or its plan; or only this contract);
   an incident with an exclusion flag (SLA-1) is left out with its reason; where the rule needs the
   whole service (``flow`` 001 art.25-3-다, ``damoa`` 004 art.27-1) a one-feature incident is too;
2. downtime inside an announced maintenance window is removed (SLA-2, 002 art.14③);
3. ``flow``: the 5-minute windows the feed shows at or below ``sla_error_rate_percent`` failing are
   removed; windows without a feed point keep counting **[reading]**: the incident was reported or
   detected, and the terms measure from then (001 art.25-1);
4. overlapping incidents are merged (never counted twice); a recurrence within
   ``sla_join_gap_minutes`` of recovery joins the previous outage, the gap included (``officecore``
   000 art.23① [reading]);
5. an outage shorter than ``sla_min_outage_minutes`` does not count (officecore 120, dcloud 30,
   damoa 1,440); one that does counts from ``sla_counting_offset_minutes`` after it started
   (dcloud 30, 002 art.36②);
6. the whole outage decides the thresholds; its minutes count in each month by where they fall.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contracts.effective import effective_policy
from contracts.models import Contract, SlaMeasurement
from core.audit import current_actor
from core.calendar import add_months
from core.clock import SEOUL, start_of_day
from core.errors import DomainError

from .. import selectors
from ..models import ErrorRateSample, Incident, IncidentScope
from .intervals import Span, clip, join_within, minutes, subtract, total_minutes, union

FULL_SERVICE_RULES = {SlaMeasurement.FLOW_ERROR_RATE, SlaMeasurement.DAMOA_24H_FULL}
MARGIN = dt.timedelta(days=3)


def month_window(month: dt.date) -> Span:
    return start_of_day(month), start_of_day(add_months(month, 1))


def read_bounds(month: dt.date, gap_minutes: int) -> Span:
    """The widest span :func:`measure_month` reads for ``month`` with a join gap of ``gap_minutes`` (a
    batch's reads cover every contract of it: ``selectors.BatchReads``)."""
    lo, hi = month_window(month)
    gap = dt.timedelta(minutes=gap_minutes)
    return lo - MARGIN - gap, hi + MARGIN + gap


def service_window(contract: Contract, month: dt.date, now: dt.datetime | None = None) -> Span | None:
    """The part of ``month`` the contract was in service (activation to termination), up to ``now``."""
    lo, hi = month_window(month)
    if contract.activated_on is None:
        return None
    lo = max(lo, start_of_day(contract.activated_on))
    ended = contract.terminated_on or contract.withdrawn_on
    if ended is not None:
        hi = min(hi, start_of_day(ended + dt.timedelta(days=1)))
    if now is not None:
        hi = min(hi, now)
    return (lo, hi) if hi > lo else None


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(SEOUL).isoformat(timespec="minutes")


def _num(value: Fraction) -> float:
    return float(round(value, 2))


@dataclass
class Outage:
    start: dt.datetime
    end: dt.datetime
    incident_ids: list[int]
    counted: bool
    reason: str
    counted_spans: list[Span] = field(default_factory=list)  # inside the month's service window

    @property
    def length(self) -> Fraction:
        return minutes((self.start, self.end))

    @property
    def counted_minutes(self) -> Fraction:
        return total_minutes(self.counted_spans)

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": _iso(self.start),
            "end": _iso(self.end),
            "minutes": _num(self.length),
            "incidents": self.incident_ids,
            "counted": self.counted,
            "counted_minutes_in_month": _num(self.counted_minutes),
            "counted_from": _iso(self.counted_spans[0][0]) if self.counted_spans else None,
            "reason": self.reason,
        }


@dataclass
class Measurement:
    """The month's availability and how it was reached (stored as the breakdown)."""

    contract_id: int
    month: dt.date
    rule: str
    window: Span | None
    service_minutes: int
    outages: list[Outage]
    excluded: list[dict[str, Any]]
    maintenance: list[dict[str, Any]]
    raw_spans: list[Span]  # outage after exclusions, maintenance and the feed, before thresholds (SLA-7)

    @property
    def counted_spans(self) -> list[Span]:
        return union(s for o in self.outages for s in o.counted_spans)

    @property
    def counted_minutes(self) -> Fraction:
        return total_minutes(self.counted_spans)

    @property
    def availability_exact(self) -> Fraction:
        if not self.service_minutes:
            return Fraction(100)
        return 100 * (1 - self.counted_minutes / self.service_minutes)

    @property
    def availability(self) -> Decimal:
        """Shown to 4 places, rounded down (never shows more availability than there was)."""
        exact = self.availability_exact
        return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
            Decimal("0.0001"), ROUND_FLOOR
        )

    def breakdown(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "service_from": _iso(self.window[0]) if self.window else None,
            "service_to": _iso(self.window[1]) if self.window else None,
            "service_minutes": self.service_minutes,
            "counted_minutes": _num(self.counted_minutes),
            "availability": str(self.availability),
            "outages": [o.as_dict() for o in self.outages],
            "excluded_incidents": self.excluded,
            "maintenance": self.maintenance,
        }


def _exclusion_reasons(incident: Incident, rule: str) -> list[str]:
    reasons = incident.exclusions()
    if rule in FULL_SERVICE_RULES and incident.scope == IncidentScope.FEATURE:
        reasons.append(_("전체가 아닌 특정 기능 장애"))
    return reasons


def measure_month(
    *, contract: Contract, month: dt.date, now: dt.datetime, reads: selectors.ContractReads | None = None
) -> Measurement:
    """SLA-3: the contract's availability for ``month`` (the first day), as of ``now``. ``reads`` gives
    the incidents, maintenance windows and feed points (a batch's, read once: ``selectors.BatchReads``);
    by default each is read from the database for this contract."""
    reads = reads or selectors.ContractReads()
    policy = effective_policy(contract)
    rule = str(policy.sla_measurement)
    window = service_window(contract, month, now)
    if window is None:
        return Measurement(contract.pk, month, rule, None, 0, [], [], [], [])
    service_minutes = int((window[1] - window[0]).total_seconds()) // 60
    gap = dt.timedelta(minutes=int(policy.sla_join_gap_minutes or 0))
    lo, hi = window[0] - MARGIN - gap, window[1] + MARGIN + gap
    windows = reads.maintenance(contract, lo, hi)
    holes = [(w.starts_at, w.ends_at) for w in windows]
    maintenance = [
        {"id": w.pk, "title": w.title, "start": _iso(w.starts_at), "end": _iso(w.ends_at)} for w in windows
    ]
    excluded: list[dict[str, Any]] = []
    kept: list[tuple[Incident, list[Span]]] = []
    for incident in reads.incidents(contract, lo, hi):
        end = min(incident.ended_at or now, now)
        if end <= incident.started_at:
            continue
        reasons = _exclusion_reasons(incident, rule)
        if reasons:
            excluded.append(
                {
                    "id": incident.pk,
                    "title": incident.title,
                    "reasons": reasons,
                    "minutes": _num(minutes((incident.started_at, end))),
                }
            )
            continue
        spans = subtract([(incident.started_at, end)], holes)
        removed = minutes((incident.started_at, end)) - total_minutes(spans)
        if removed:
            excluded.append(
                {
                    "id": incident.pk,
                    "title": incident.title,
                    "minutes": _num(removed),
                    "reasons": [_("공지된 점검 시간")],
                }
            )
        kept.append((incident, spans))
    raw = union(s for _i, spans in kept for s in spans)
    if rule == SlaMeasurement.FLOW_ERROR_RATE and raw:
        threshold = Decimal(policy.sla_error_rate_percent or 0) / 100
        passing = [
            (p.at, p.at + dt.timedelta(minutes=p.window_minutes))
            for p in reads.samples(selectors.service_of(contract), lo, hi)
            if p.failure_ratio <= threshold
        ]
        before = total_minutes(raw)
        raw = subtract(raw, passing)
        if before != total_minutes(raw):
            excluded.append(
                {
                    "id": None,
                    "title": _("접속 실패율 기록"),
                    "minutes": _num(before - total_minutes(raw)),
                    "reasons": [_("5분간 실패율이 기준 이하인 구간")],
                }
            )
    joined = join_within(raw, gap)
    min_minutes = int(policy.sla_min_outage_minutes or 0)
    offset = dt.timedelta(minutes=int(policy.sla_counting_offset_minutes or 0))
    outages = []
    for start, end in joined:
        ids = [i.pk for i, spans in kept if any(s < end and e > start for s, e in spans)]
        length = minutes((start, end))
        if length < min_minutes:
            outages.append(Outage(start, end, ids, False, _("{n}분 미만 장애는 제외").format(n=min_minutes)))
            continue
        counted = clip([(start + offset, end)], window) if start + offset < end else []
        reason = _("인정")
        if offset:
            reason = _("통지·인지 {n}분 후부터 측정").format(n=int(offset.total_seconds() // 60))
        outages.append(Outage(start, end, ids, True, reason, counted))
    outages = [o for o in outages if clip([(o.start, o.end)], window)]
    return Measurement(
        contract.pk, month, rule, window, service_minutes, outages, excluded, maintenance, clip(raw, window)
    )


# --------------------------------------------------------------------------- the access-failure feed


def error_rate_record(
    *,
    service: str,
    at: dt.datetime,
    failure_ratio: Decimal | str | float,
    now: dt.datetime,
    window_minutes: int | None = None,
    attempts: int | None = None,
    source: str = ErrorRateSample.Source.MONITOR,
) -> ErrorRateSample:
    """Record one feed point (SLA-3, ``flow`` 001 art.25-1). Refused, writing nothing: a ratio outside
    0–1, a timestamp already recorded for the service, a point in the future, an unknown service."""
    policy = selectors.service_policy(service)
    if policy is None:
        raise DomainError(
            "unknown_service",
            gettext_lazy("서비스 {service}을(를) 찾을 수 없습니다."),
            rule="SLA-3",
            field="service",
            service=service,
        )
    try:
        ratio = Decimal(str(failure_ratio))
    except ArithmeticError:
        ratio = Decimal(-1)
    if not ratio.is_finite() or not Decimal(0) <= ratio <= Decimal(1):
        raise DomainError(
            "ratio_out_of_range",
            gettext_lazy("실패 비율은 0에서 1 사이여야 합니다 (입력 {value})."),
            rule="SLA-3",
            field="failure_ratio",
            value=str(failure_ratio),
        )
    if at > now:
        raise DomainError(
            "sample_in_future",
            gettext_lazy("미래 시각({at})의 기록은 받을 수 없습니다."),
            rule="SLA-3",
            field="at",
            at=at.isoformat(),
        )
    window = int(window_minutes or policy.sla_error_window_minutes or 0)
    if window <= 0:
        raise DomainError(
            "window_required",
            gettext_lazy("측정 구간(분)이 필요합니다."),
            rule="SLA-3",
            field="window_minutes",
        )
    duplicate = DomainError(
        "duplicate_sample",
        gettext_lazy("{service}의 {at} 기록이 이미 있습니다."),
        rule="SLA-3",
        field="at",
        service=service,
        at=at.isoformat(),
    )
    if ErrorRateSample.objects.filter(service=service, at=at).exists():
        raise duplicate
    try:
        with transaction.atomic():
            return ErrorRateSample.objects.create(
                service=service,
                at=at,
                window_minutes=window,
                failure_ratio=ratio,
                attempts=attempts,
                source=source,
                recorded_by=current_actor().label,
            )
    except IntegrityError:
        raise duplicate from None
