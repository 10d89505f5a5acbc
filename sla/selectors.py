"""SLA reads shared by services and interfaces: which incidents and maintenance windows touch a
contract, which contracts and customers an incident affects, and the status page (SLA-8)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Min, Q, QuerySet

from accounts.models import Customer
from contracts.models import Contract, Policy
from contracts.models.contract import LIVE
from core.calendar import month_end
from core.clock import start_of_day, to_seoul_date

from .models import ErrorRateSample, Incident, MaintenanceWindow, SlaClaim, SlaMonth
from .services.intervals import Span, clip, subtract, total_minutes, union

COUNTED_STATUSES = (Incident.Status.OPEN, Incident.Status.RESOLVED)


def service_of(contract: Contract) -> str:
    """The service a contract belongs to: its policy's code."""
    return str(contract.policy.code)


def service_policy(service: str) -> Policy | None:
    """The newest published policy version of a service (status page settings, feed window)."""
    return (
        Policy.objects.filter(code=service, status=Policy.Status.PUBLISHED).order_by("-version").first()
        or Policy.objects.filter(code=service).order_by("-version").first()
    )


def _overlapping(
    qs: QuerySet[Any],
    start_field: str,
    end_field: str,
    start: dt.datetime,
    end: dt.datetime,
    open_ended: bool = True,
) -> QuerySet[Any]:
    ends = Q(**{f"{end_field}__gt": start})
    if open_ended:
        ends |= Q(**{f"{end_field}__isnull": True})
    return qs.filter(Q(**{f"{start_field}__lt": end}) & ends)


def incidents_for_contract(contract: Contract, start: dt.datetime, end: dt.datetime) -> QuerySet[Incident]:
    """Confirmed incidents of the contract's service (its plan, or all plans; or this contract only)
    overlapping [start, end)."""
    qs = (
        Incident.objects.filter(service=service_of(contract), status__in=COUNTED_STATUSES)
        .filter(Q(plan__isnull=True) | Q(plan_id=contract.plan_id))
        .filter(Q(contract__isnull=True) | Q(contract_id=contract.pk))
    )
    return _overlapping(qs, "started_at", "ended_at", start, end).order_by("started_at", "id")


def maintenance_for_contract(
    contract: Contract, start: dt.datetime, end: dt.datetime
) -> list[MaintenanceWindow]:
    """Announced maintenance windows (SLA-2) of the contract's service and plan overlapping [start, end)."""
    qs = MaintenanceWindow.objects.filter(
        service=service_of(contract), status=MaintenanceWindow.Status.ANNOUNCED
    ).filter(Q(plan__isnull=True) | Q(plan_id=contract.plan_id))
    return [
        w for w in _overlapping(qs, "starts_at", "ends_at", start, end, open_ended=False) if w.excludes_outage
    ]


def error_samples(service: str, start: dt.datetime, end: dt.datetime) -> QuerySet[ErrorRateSample]:
    return ErrorRateSample.objects.filter(service=service, at__lt=end, at__gte=start - dt.timedelta(hours=1))


class ContractReads:
    """What :func:`sla.services.availability.measure_month` reads for one contract: its incidents, its
    maintenance windows and its service's feed points, each from the database (one query each)."""

    def incidents(self, contract: Contract, start: dt.datetime, end: dt.datetime) -> list[Incident]:
        return list(incidents_for_contract(contract, start, end))

    def maintenance(
        self, contract: Contract, start: dt.datetime, end: dt.datetime
    ) -> list[MaintenanceWindow]:
        return maintenance_for_contract(contract, start, end)

    def samples(self, service: str, start: dt.datetime, end: dt.datetime) -> list[ErrorRateSample]:
        return list(error_samples(service, start, end))


class BatchReads(ContractReads):
    """The same reads for a batch of contracts (the month close, issue 16): each table read once for the
    whole batch over [start, end), then each contract's rows picked in memory with exactly the filters of
    :func:`incidents_for_contract`, :func:`maintenance_for_contract` and :func:`error_samples` (same
    order). A request outside [start, end) falls back to the database."""

    def __init__(self, contracts: list[Contract], start: dt.datetime, end: dt.datetime) -> None:
        self.start, self.end = start, end
        services = sorted({service_of(c) for c in contracts})
        plans = sorted({c.plan_id for c in contracts})
        ids = sorted(c.pk for c in contracts)
        incidents = (
            Incident.objects.filter(service__in=services, status__in=COUNTED_STATUSES)
            .filter(Q(plan__isnull=True) | Q(plan_id__in=plans))
            .filter(Q(contract__isnull=True) | Q(contract_id__in=ids))
        )
        self._incidents = list(
            _overlapping(incidents, "started_at", "ended_at", start, end).order_by("started_at", "id")
        )
        windows = MaintenanceWindow.objects.filter(
            service__in=services, status=MaintenanceWindow.Status.ANNOUNCED
        ).filter(Q(plan__isnull=True) | Q(plan_id__in=plans))
        self._windows = [
            w for w in _overlapping(windows, "starts_at", "ends_at", start, end, open_ended=False)
            if w.excludes_outage
        ]
        self._samples: dict[str, list[ErrorRateSample]] = {}

    def _covers(self, start: dt.datetime, end: dt.datetime) -> bool:
        return self.start <= start and end <= self.end

    def incidents(self, contract: Contract, start: dt.datetime, end: dt.datetime) -> list[Incident]:
        if not self._covers(start, end):
            return super().incidents(contract, start, end)
        service = service_of(contract)
        return [
            i
            for i in self._incidents
            if i.service == service
            and (i.plan_id is None or i.plan_id == contract.plan_id)
            and (i.contract_id is None or i.contract_id == contract.pk)
            and i.started_at < end
            and (i.ended_at is None or i.ended_at > start)
        ]

    def maintenance(
        self, contract: Contract, start: dt.datetime, end: dt.datetime
    ) -> list[MaintenanceWindow]:
        if not self._covers(start, end):
            return super().maintenance(contract, start, end)
        service = service_of(contract)
        return [
            w
            for w in self._windows
            if w.service == service
            and (w.plan_id is None or w.plan_id == contract.plan_id)
            and w.starts_at < end
            and w.ends_at > start
        ]

    def samples(self, service: str, start: dt.datetime, end: dt.datetime) -> list[ErrorRateSample]:
        if not self._covers(start, end):
            return super().samples(service, start, end)
        if service not in self._samples:  # one query per service of the batch that needs the feed
            self._samples[service] = list(error_samples(service, self.start, self.end))
        low = start - dt.timedelta(hours=1)
        return [p for p in self._samples[service] if low <= p.at < end]


def affected_contracts(
    *, service: str, plan_id: int | None = None, contract_id: int | None = None, live_only: bool = True
) -> QuerySet[Contract]:
    """The contracts an incident or a maintenance window concerns."""
    qs = Contract.objects.filter(policy__code=service).select_related("customer", "plan", "policy")
    if live_only:
        qs = qs.filter(status__in=LIVE)
    if plan_id is not None:
        qs = qs.filter(plan_id=plan_id)
    if contract_id is not None:
        qs = qs.filter(pk=contract_id)
    return qs.order_by("pk")


def affected_customers(
    *, service: str, plan_id: int | None = None, contract_id: int | None = None
) -> list[Customer]:
    seen: dict[int, Customer] = {}
    for contract in affected_contracts(service=service, plan_id=plan_id, contract_id=contract_id):
        seen.setdefault(contract.customer_id, contract.customer)
    return list(seen.values())


def contracts_in_month(month: dt.date) -> QuerySet[Contract]:
    """Contracts in service at some point of ``month`` whose policy has an SLA (SLA-3)."""
    return (
        Contract.objects.filter(activated_on__isnull=False, activated_on__lte=month_end(month))
        .filter(Q(terminated_on__isnull=True) | Q(terminated_on__gte=month))
        .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=month))
        .exclude(policy__sla_measurement="none")
        .select_related("customer", "plan", "policy")
        .order_by("pk")
    )


def closed_months(contract_ids: list[int], start: dt.date, end: dt.date) -> QuerySet[SlaMonth]:
    """Closed SLA months of these contracts from the month of ``start`` to the month of ``end``."""
    return SlaMonth.objects.filter(
        contract_id__in=contract_ids, month__gte=start.replace(day=1), month__lte=end.replace(day=1)
    ).select_related("contract", "contract__customer", "contract__plan", "contract__policy")


def status_page(*, service: str, now: dt.datetime) -> dict[str, Any]:
    """SLA-8: the service's current incidents, upcoming announced maintenance and daily availability for
    the policy's ``status_page_days`` (90) ending yesterday. Whole-service incidents of the service (not
    one contract's) count; excluded ones and announced maintenance do not."""
    policy = service_policy(service)
    days = int(policy.status_page_days) if policy is not None else 90
    current = list(
        Incident.objects.filter(service=service, status=Incident.Status.OPEN, contract__isnull=True)
        .select_related("plan")
        .order_by("started_at")
    )
    maintenance = list(
        MaintenanceWindow.objects.filter(
            service=service, status=MaintenanceWindow.Status.ANNOUNCED, ends_at__gt=now
        ).order_by("starts_at")
    )
    return {
        "service": service,
        "current_incidents": current,
        "maintenance": maintenance,
        "days": daily_availability(service=service, now=now, days=days),
    }


def daily_availability(*, service: str, now: dt.datetime, days: int) -> list[dict[str, Any]]:
    """SLA-8: for each of the last ``days`` days (oldest first, ending yesterday), 100 × (1 − outage
    minutes / 1,440) from the service's whole-service confirmed incidents, without excluded ones and
    without announced maintenance."""
    today = to_seoul_date(now)
    first = today - dt.timedelta(days=days)
    start, end = start_of_day(first), start_of_day(today)
    incidents = _overlapping(
        Incident.objects.filter(service=service, status__in=COUNTED_STATUSES, contract__isnull=True),
        "started_at",
        "ended_at",
        start,
        end,
    )
    spans: list[Span] = [(i.started_at, i.ended_at or now) for i in incidents if not i.exclusions()]
    windows = [
        (w.starts_at, w.ends_at)
        for w in _overlapping(
            MaintenanceWindow.objects.filter(service=service, status=MaintenanceWindow.Status.ANNOUNCED),
            "starts_at",
            "ends_at",
            start,
            end,
            open_ended=False,
        )
        if w.excludes_outage
    ]
    outage = subtract(union(spans), windows)
    out = []
    for n in range(days):
        day = first + dt.timedelta(days=n)
        lo, hi = start_of_day(day), start_of_day(day + dt.timedelta(days=1))
        down = total_minutes(clip(outage, (lo, hi)))
        total = int((hi - lo).total_seconds()) // 60
        availability = (100 * (1 - down / total)).__round__(3)
        out.append({"date": day, "outage_minutes": int(down), "availability": float(availability)})
    return out


# --------------------------------------------------------------------------- what a customer sees


def customer_sla_contracts(customer: Customer) -> QuerySet[Contract]:
    """The customer's activated contracts whose policy has an SLA (SLA-3), newest first."""
    return (
        Contract.objects.filter(customer=customer, activated_on__isnull=False)
        .exclude(policy__sla_measurement="none")
        .select_related("customer", "plan", "policy")
        .order_by("-activated_on", "-id")
    )


def customer_incidents(customer: Customer) -> QuerySet[Incident]:
    """SLA-1: the incidents a customer follows: those reported on its contracts (any status) and the
    confirmed service-wide or plan-wide incidents of the services and plans it has contracts for.
    Another customer's report is never included."""
    contracts = Contract.objects.filter(customer=customer, activated_on__isnull=False)
    services = contracts.values("policy__code")
    plans = contracts.values("plan_id")
    shared = (
        Q(contract__isnull=True, status__in=COUNTED_STATUSES, service__in=services)
        & (Q(plan__isnull=True) | Q(plan_id__in=plans))
    )
    return (
        Incident.objects.filter(Q(contract__customer=customer) | shared)
        .select_related("plan", "contract")
        .order_by("-started_at", "-id")
    )


def customer_claims(customer: Customer) -> QuerySet[SlaClaim]:
    """SLA-5: the customer's claims, newest first."""
    return (
        SlaClaim.objects.filter(contract__customer=customer)
        .select_related("sla_month", "contract", "contract__plan")
        .order_by("-submitted_on", "-id")
    )


def closed_month(contract: Contract, month: dt.date) -> SlaMonth | None:
    """The contract's closed SLA month (SLA-3/4), if the month close ran."""
    return SlaMonth.objects.filter(contract=contract, month=month.replace(day=1)).first()


def status_services() -> list[str]:
    """SLA-8: the services with a public status page: codes of published policies that have an SLA."""
    codes = (
        Policy.objects.filter(status=Policy.Status.PUBLISHED)
        .exclude(sla_measurement="none")
        .values_list("code", flat=True)
        .distinct()
    )
    return sorted(set(codes))


def customer_months_awaiting_claim(customer: Customer) -> QuerySet[SlaMonth]:
    """SLA-5: the customer's closed months whose credit is paid only on a claim not yet made."""
    return (
        SlaMonth.objects.filter(contract__customer=customer, status=SlaMonth.Status.AWAITING_CLAIM)
        .exclude(claims__status__in=[SlaClaim.Status.SUBMITTED, SlaClaim.Status.APPROVED])
        .select_related("contract")
        .order_by("-month", "contract_id")
    )


# --------------------------------------------------------------------------- back-office dashboard (SPEC §11)


def availability_by_service(months: list[dt.date]) -> list[dict[str, Any]]:
    """SLA-3: the closed SLA months of ``months`` (first days) per service (policy code) and month:
    ``service``, ``month``, ``contracts``, ``mean`` and ``lowest`` availability (%), ``credited`` (months
    that earned a credit, SLA-4). One query."""
    rows = (
        SlaMonth.objects.filter(month__in=months)
        .values("contract__policy__code", "month")
        .annotate(
            contracts=Count("contract_id", distinct=True),
            mean=Avg("availability"),
            lowest=Min("availability"),
            credited=Count("pk", filter=Q(credit_won__gt=0)),
        )
        .order_by("contract__policy__code", "month")
    )
    return [
        {
            "service": row["contract__policy__code"],
            "month": row["month"],
            "contracts": int(row["contracts"]),
            "mean": Decimal(row["mean"]).quantize(Decimal("0.001")),
            "lowest": Decimal(row["lowest"]).quantize(Decimal("0.001")),
            "credited": int(row["credited"]),
        }
        for row in rows
    ]


def open_claims() -> QuerySet[SlaClaim]:
    """SLA-5: claims received and not decided yet, oldest first."""
    return (
        SlaClaim.objects.filter(status=SlaClaim.Status.SUBMITTED)
        .select_related("sla_month", "contract", "contract__customer")
        .order_by("submitted_on", "pk")
    )


def months_awaiting_claim(today: dt.date) -> QuerySet[SlaMonth]:
    """SLA-5: closed months whose credit is paid only on a claim not made yet and whose claim window is
    still open on ``today``, the nearest deadline first."""
    return (
        SlaMonth.objects.filter(status=SlaMonth.Status.AWAITING_CLAIM)
        .filter(Q(claim_due_on__isnull=True) | Q(claim_due_on__gte=today))
        .exclude(claims__status__in=[SlaClaim.Status.SUBMITTED, SlaClaim.Status.APPROVED])
        .select_related("contract", "contract__customer")
        .order_by("claim_due_on", "pk")
    )
