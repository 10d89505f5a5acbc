"""Incidents (SLA-1): reported by customers (confirmed or rejected by staff) or opened by staff, with a
timeline of updates; affected customers are told when one opens, changes and is resolved.

An incident starts at the earlier of the customer's report and the operator's detection (001 art.25-1,
002 art.36②-2). Refused before anything is written, naming the field and the rule: an end not after the
start, a start or end in the future, a contract's incident outside its service period, an incident
overlapping another of the same scope (the same outage recorded twice). Changes to an incident whose
month is already closed recompute that month and issue the difference (``credits.months_recompute``),
never a silent change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Member
from contracts.models import Contract, Plan, Policy
from core.audit import current_actor
from core.clock import start_of_day
from core.errors import DomainError
from core.transitions import transition

from .. import selectors
from ..lifecycles import INCIDENT
from ..models import EXCLUSION_FLAGS, Incident, IncidentCause, IncidentScope, IncidentUpdate
from ..notices import notify_customers
from .credits import months_recompute

EDITABLE = {
    "title",
    "description",
    "reported_at",
    "detected_at",
    "ended_at",
    "scope",
    "feature",
    "cause",
    "plan",
    *EXCLUSION_FLAGS,
}


def _err(code: str, message: Any, field: str, **params: Any) -> DomainError:
    return DomainError(code, message, rule="SLA-1", field=field, **params)


def _start(reported_at: dt.datetime | None, detected_at: dt.datetime | None) -> dt.datetime:
    times = [t for t in (reported_at, detected_at) if t is not None]
    if not times:
        raise _err(
            "incident_start_required", _("고객 통지 시각이나 회사 인지 시각이 필요합니다."), "detected_at"
        )
    return min(times)


def _same_or_null(name: str, pk: int | None) -> Q:
    return Q(**{f"{name}__isnull": True}) if pk is None else Q(**{f"{name}_id": pk})


def validate(incident: Incident, *, now: dt.datetime) -> None:
    """Every check of SLA-1 on an unsaved state of ``incident``; raises before anything is written."""
    if not Policy.objects.filter(code=incident.service).exists():
        raise _err(
            "unknown_service",
            _("서비스 {service}을(를) 찾을 수 없습니다."),
            "service",
            service=incident.service,
        )
    plan = incident.plan
    if plan is not None and plan.policy.code != incident.service:
        raise _err(
            "plan_not_in_service",
            _("요금제 {plan}은(는) {service} 서비스가 아닙니다."),
            "plan",
            plan=plan.name,
            service=incident.service,
        )
    for name in ("reported_at", "detected_at", "started_at", "ended_at"):
        value = getattr(incident, name)
        if value is not None and value > now:
            raise _err(
                "incident_in_future",
                _("{at}은(는) 미래 시각입니다."),
                name,
                at=value.isoformat(timespec="minutes"),
            )
    if incident.ended_at is not None and incident.ended_at <= incident.started_at:
        raise _err(
            "incident_ends_before_start",
            _("복구 시각 {end}이(가) 시작 {start}보다 늦어야 합니다."),
            "ended_at",
            end=incident.ended_at.isoformat(timespec="minutes"),
            start=incident.started_at.isoformat(timespec="minutes"),
        )
    if incident.scope == IncidentScope.FEATURE and not incident.feature.strip():
        raise _err("feature_required", _("특정 기능 장애에는 기능 이름이 필요합니다."), "feature")
    contract = incident.contract
    if contract is not None:
        if contract.activated_on is None or incident.started_at < start_of_day(contract.activated_on):
            raise _err(
                "incident_outside_contract",
                _("장애 시작이 계약 {contract}의 이용 기간 밖입니다."),
                "started_at",
                contract=contract.number,
            )
        ended = contract.terminated_on or contract.withdrawn_on
        if ended is not None and incident.started_at >= start_of_day(ended + dt.timedelta(days=1)):
            raise _err(
                "incident_outside_contract",
                _("장애 시작이 계약 {contract}의 이용 기간 밖입니다."),
                "started_at",
                contract=contract.number,
            )
    end = incident.ended_at or now
    same = Incident.objects.filter(
        _same_or_null("plan", incident.plan_id),
        _same_or_null("contract", incident.contract_id),
        service=incident.service,
        scope=incident.scope,
        feature=incident.feature,
        status__in=[Incident.Status.REPORTED, Incident.Status.OPEN, Incident.Status.RESOLVED],
        started_at__lt=end,
    ).filter(Q(ended_at__isnull=True) | Q(ended_at__gt=incident.started_at))
    if incident.pk:
        same = same.exclude(pk=incident.pk)
    other = same.first()
    if other is not None:
        raise _err(
            "incident_overlaps",
            _("같은 범위의 장애 #{other}과(와) 시간이 겹칩니다."),
            "started_at",
            other=other.pk,
        )


def _context(incident: Incident, update: str = "") -> dict[str, Any]:
    return {
        "incident_id": incident.pk,
        "title": incident.title,
        "service": incident.service,
        "scope": str(incident.get_scope_display()) + (f" ({incident.feature})" if incident.feature else ""),
        "started_at": incident.started_at,
        "ended_at": incident.ended_at or "",
        "update": update,
    }


def _tell(incident: Incident, event: str, key: str, today: dt.date, update: str = "") -> None:
    customers = selectors.affected_customers(
        service=incident.service, plan_id=incident.plan_id, contract_id=incident.contract_id
    )
    notify_customers(customers, event, today=today, dedupe_key=key, context=_context(incident, update))


def _log(incident: Incident, body: str, now: dt.datetime) -> IncidentUpdate:
    return IncidentUpdate.objects.create(
        incident=incident, at=now, status=incident.status, body=body, author=current_actor().label
    )


def _flags(exclusions: dict[str, bool] | None) -> dict[str, bool]:
    flags = dict(exclusions or {})
    unknown = set(flags) - set(EXCLUSION_FLAGS)
    if unknown:
        raise _err(
            "unknown_exclusion",
            _("알 수 없는 제외 사유: {names}"),
            "exclusions",
            names=", ".join(sorted(unknown)),
        )
    return {k: bool(v) for k, v in flags.items()}


def incident_open(
    *,
    service: str,
    title: str,
    today: dt.date,
    now: dt.datetime,
    detected_at: dt.datetime | None = None,
    reported_at: dt.datetime | None = None,
    ended_at: dt.datetime | None = None,
    plan: Plan | None = None,
    contract: Contract | None = None,
    scope: str = IncidentScope.WHOLE,
    feature: str = "",
    cause: str = IncidentCause.UNKNOWN,
    description: str = "",
    exclusions: dict[str, bool] | None = None,
) -> Incident:
    """Staff open an incident (SLA-1); the affected customers are told."""
    if not title.strip():
        raise _err("title_required", _("장애 제목을 적어 주세요."), "title")
    incident = Incident(
        service=service,
        plan=plan,
        contract=contract,
        title=title.strip(),
        description=description,
        status=Incident.Status.OPEN if ended_at is None else Incident.Status.RESOLVED,
        reported_at=reported_at,
        detected_at=detected_at,
        started_at=_start(reported_at, detected_at),
        ended_at=ended_at,
        scope=scope,
        feature=feature,
        cause=cause,
        **_flags(exclusions),
    )
    with transaction.atomic():
        validate(incident, now=now)
        incident.save()
        _log(incident, description or str(_("장애 등록")), now)
        _tell(incident, "sla.incident.opened", f"sla.incident.opened:{incident.pk}", today)
        if ended_at is not None:
            _tell(
                incident,
                "sla.incident.resolved",
                f"sla.incident.resolved:{incident.pk}:{ended_at.isoformat()}",
                today,
            )
            months_recompute(
                service=incident.service,
                plan_id=incident.plan_id,
                contract_id=incident.contract_id,
                spans=[(incident.started_at, ended_at)],
                today=today,
                reason=str(_("장애 #{id} 등록")).format(id=incident.pk),
            )
    return incident


def incident_report(
    *,
    contract: Contract,
    title: str,
    today: dt.date,
    now: dt.datetime,
    member: Member | None = None,
    description: str = "",
    reported_at: dt.datetime | None = None,
    scope: str = IncidentScope.WHOLE,
    feature: str = "",
) -> Incident:
    """A customer reports an incident from the portal (SLA-1): it waits for staff to confirm or reject it."""
    if not title.strip():
        raise _err("title_required", _("장애 제목을 적어 주세요."), "title")
    if member is not None and member.customer_id != contract.customer_id:
        raise DomainError("not_your_contract", _("다른 고객의 계약입니다."), rule="SLA-1", field="contract")
    at = reported_at or now
    incident = Incident(
        service=selectors.service_of(contract),
        contract=contract,
        title=title.strip(),
        description=description,
        status=Incident.Status.REPORTED,
        reported_at=at,
        started_at=at,
        reported_by=member,
        scope=scope,
        feature=feature,
    )
    with transaction.atomic():
        validate(incident, now=now)
        incident.save()
        _log(incident, description or str(_("고객 신고 접수")), now)
    return incident


def _lock(incident: Incident) -> Incident:
    return (
        Incident.objects.select_for_update(of=("self",))
        .select_related("plan", "plan__policy", "contract")
        .get(pk=incident.pk)
    )


def incident_confirm(
    *,
    incident: Incident,
    today: dt.date,
    now: dt.datetime,
    detected_at: dt.datetime | None = None,
    whole_service: bool = False,
    plan: Plan | None = None,
    cause: str | None = None,
    note: str = "",
) -> Incident:
    """Staff confirm a customer's report (SLA-1): the start is the earlier of report and detection; with
    ``whole_service`` it concerns every contract of the service (or of ``plan``), not only the reporter's."""
    with transaction.atomic():
        incident = _lock(incident)
        INCIDENT.check(incident, Incident.Status.OPEN)
        if detected_at is not None:
            incident.detected_at = detected_at
        incident.started_at = _start(incident.reported_at, incident.detected_at)
        if whole_service:
            incident.contract = None
            incident.plan = plan
        if cause:
            incident.cause = cause
        validate(incident, now=now)
        transition(
            incident,
            INCIDENT,
            Incident.Status.OPEN,
            today=today,
            reason=note,
            save_fields=["detected_at", "started_at", "contract", "plan", "cause"],
        )
        _log(incident, note or str(_("장애 확인")), now)
        _tell(incident, "sla.incident.opened", f"sla.incident.opened:{incident.pk}", today)
        months_recompute(
            service=incident.service,
            plan_id=incident.plan_id,
            contract_id=incident.contract_id,
            spans=[(incident.started_at, incident.ended_at or now)],
            today=today,
            reason=str(_("장애 #{id} 확인")).format(id=incident.pk),
        )
    return incident


def incident_reject(*, incident: Incident, today: dt.date, now: dt.datetime, reason: str) -> Incident:
    """Staff reject a customer's report with a reason (SLA-1); the reporter is told."""
    if not reason.strip():
        raise _err("reason_required", _("반려 사유를 적어 주세요."), "reason")
    with transaction.atomic():
        incident = _lock(incident)
        incident.rejection_reason = reason.strip()
        transition(
            incident,
            INCIDENT,
            Incident.Status.REJECTED,
            today=today,
            reason=reason,
            save_fields=["rejection_reason"],
        )
        _log(incident, reason.strip(), now)
        _tell(
            incident,
            "sla.incident.updated",
            f"sla.incident.rejected:{incident.pk}",
            today,
            update=reason.strip(),
        )
    return incident


def incident_post_update(
    *, incident: Incident, body: str, today: dt.date, now: dt.datetime
) -> IncidentUpdate:
    """Add to the incident's timeline (SLA-1); the affected customers are told."""
    if not body.strip():
        raise _err("body_required", _("경과 내용을 적어 주세요."), "body")
    with transaction.atomic():
        incident = _lock(incident)
        if incident.status in (Incident.Status.REJECTED,):
            raise _err("incident_rejected", _("반려된 장애에는 경과를 남길 수 없습니다."), "incident")
        update = _log(incident, body.strip(), now)
        if incident.status != Incident.Status.REPORTED:
            _tell(
                incident,
                "sla.incident.updated",
                f"sla.incident.update:{update.pk}",
                today,
                update=body.strip(),
            )
    return update


def incident_resolve(
    *, incident: Incident, ended_at: dt.datetime, today: dt.date, now: dt.datetime, note: str = ""
) -> Incident:
    """Service is back (SLA-1): the end is recorded, the customers told, closed months recomputed."""
    with transaction.atomic():
        incident = _lock(incident)
        INCIDENT.check(incident, Incident.Status.RESOLVED)
        incident.ended_at = ended_at
        validate(incident, now=now)
        transition(
            incident, INCIDENT, Incident.Status.RESOLVED, today=today, reason=note, save_fields=["ended_at"]
        )
        _log(incident, note or str(_("복구")), now)
        _tell(
            incident,
            "sla.incident.resolved",
            f"sla.incident.resolved:{incident.pk}:{ended_at.isoformat()}",
            today,
        )
        months_recompute(
            service=incident.service,
            plan_id=incident.plan_id,
            contract_id=incident.contract_id,
            spans=[(incident.started_at, ended_at)],
            today=today,
            reason=str(_("장애 #{id} 복구")).format(id=incident.pk),
        )
    return incident


def incident_correct(
    *, incident: Incident, changes: dict[str, Any], reason: str, today: dt.date, now: dt.datetime
) -> Incident:
    """Correct an incident's facts (times, scope, cause, exclusions) with a reason (SLA-1). The change is
    on the timeline, and every closed month it touches (before or after) is recomputed, issuing a credit
    or debit note for the difference (SLA-4)."""
    if not reason.strip():
        raise _err("reason_required", _("정정 사유를 적어 주세요."), "reason")
    unknown = set(changes) - EDITABLE
    if unknown:
        raise _err(
            "field_not_editable",
            _("고칠 수 없는 항목: {names}"),
            sorted(unknown)[0],
            names=", ".join(sorted(unknown)),
        )
    with transaction.atomic():
        incident = _lock(incident)
        if incident.status == Incident.Status.REJECTED:
            raise _err("incident_rejected", _("반려된 장애는 고칠 수 없습니다."), "incident")
        before = (incident.started_at, incident.ended_at or now)
        for name, value in changes.items():
            setattr(incident, name, value)
        if "reported_at" in changes or "detected_at" in changes:
            incident.started_at = _start(incident.reported_at, incident.detected_at)
        if incident.ended_at is None and incident.status == Incident.Status.RESOLVED:
            raise _err("end_required", _("복구된 장애에는 복구 시각이 필요합니다."), "ended_at")
        validate(incident, now=now)
        incident.save()
        described = ", ".join(f"{k}={v}" for k, v in sorted(changes.items()))
        _log(
            incident,
            str(_("정정: {changes} (사유: {reason})")).format(changes=described, reason=reason.strip()),
            now,
        )
        if incident.status != Incident.Status.REPORTED:
            months_recompute(
                service=incident.service,
                plan_id=None if "plan" in changes else incident.plan_id,
                contract_id=incident.contract_id,
                spans=[before, (incident.started_at, incident.ended_at or now)],
                today=today,
                reason=str(_("장애 #{id} 정정: {reason}")).format(id=incident.pk, reason=reason.strip()),
            )
    return incident
