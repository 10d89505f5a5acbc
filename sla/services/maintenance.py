"""Maintenance windows (SLA-2): planned, announced in advance to the affected customers, re-announced
when changed; downtime inside an announced window is not outage (002 art.14③)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from contracts.models import Plan, Policy
from core.errors import DomainError
from core.transitions import transition

from .. import selectors
from ..lifecycles import MAINTENANCE
from ..models import MaintenanceWindow
from ..notices import notify_customers


def _err(code: str, message: Any, field: str, **params: Any) -> DomainError:
    return DomainError(code, message, rule="SLA-2", field=field, **params)


def _validate(window: MaintenanceWindow, now: dt.datetime) -> None:
    if not Policy.objects.filter(code=window.service).exists():
        raise _err(
            "unknown_service",
            _("서비스 {service}을(를) 찾을 수 없습니다."),
            "service",
            service=window.service,
        )
    plan = window.plan
    if plan is not None and plan.policy.code != window.service:
        raise _err(
            "plan_not_in_service",
            _("요금제 {plan}은(는) {service} 서비스가 아닙니다."),
            "plan",
            plan=plan.name,
            service=window.service,
        )
    if window.ends_at <= window.starts_at:
        raise _err("maintenance_ends_before_start", _("점검 종료가 시작보다 늦어야 합니다."), "ends_at")
    if window.starts_at <= now:
        raise _err(
            "maintenance_not_in_advance",
            _("점검은 시작({start}) 전에 계획하고 공지해야 합니다."),
            "starts_at",
            start=window.starts_at.isoformat(timespec="minutes"),
        )


def _context(window: MaintenanceWindow) -> dict[str, Any]:
    return {
        "title": window.title,
        "service": window.service,
        "starts_at": window.starts_at,
        "ends_at": window.ends_at,
        "revision": window.revision,
        "description": window.description,
    }


def _announce(window: MaintenanceWindow, today: dt.date, now: dt.datetime) -> None:
    window.announced_at = now
    window.revision += 1
    customers = selectors.affected_customers(service=window.service, plan_id=window.plan_id)
    notify_customers(
        customers,
        "sla.maintenance.announced",
        today=today,
        dedupe_key=f"sla.maintenance:{window.pk}:r{window.revision}",
        context=_context(window),
    )


def maintenance_plan(
    *,
    service: str,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    today: dt.date,
    now: dt.datetime,
    plan: Plan | None = None,
    description: str = "",
    announce: bool = True,
) -> MaintenanceWindow:
    """Plan a maintenance window (SLA-2) and, by default, announce it to the affected customers now."""
    if not title.strip():
        raise _err("title_required", _("점검 제목을 적어 주세요."), "title")
    window = MaintenanceWindow(
        service=service,
        plan=plan,
        title=title.strip(),
        description=description,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    with transaction.atomic():
        _validate(window, now)
        window.save()
        if announce:
            _announce(window, today, now)
            transition(
                window,
                MAINTENANCE,
                MaintenanceWindow.Status.ANNOUNCED,
                today=today,
                save_fields=["announced_at", "revision"],
            )
    return window


def maintenance_announce(*, window: MaintenanceWindow, today: dt.date, now: dt.datetime) -> MaintenanceWindow:
    """Announce a planned window before it starts (SLA-2)."""
    with transaction.atomic():
        window = MaintenanceWindow.objects.select_for_update().get(pk=window.pk)
        MAINTENANCE.check(window, MaintenanceWindow.Status.ANNOUNCED)
        _validate(window, now)
        _announce(window, today, now)
        transition(
            window,
            MAINTENANCE,
            MaintenanceWindow.Status.ANNOUNCED,
            today=today,
            save_fields=["announced_at", "revision"],
        )
    return window


def maintenance_change(
    *,
    window: MaintenanceWindow,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    today: dt.date,
    now: dt.datetime,
    reason: str = "",
) -> MaintenanceWindow:
    """Move a window that has not started; an announced one is announced again (SLA-2)."""
    with transaction.atomic():
        window = MaintenanceWindow.objects.select_for_update().get(pk=window.pk)
        if window.status == MaintenanceWindow.Status.CANCELLED:
            raise _err("maintenance_cancelled", _("취소된 점검은 바꿀 수 없습니다."), "status")
        if window.starts_at <= now:
            raise _err("maintenance_started", _("이미 시작한 점검은 바꿀 수 없습니다."), "starts_at")
        window.starts_at, window.ends_at = starts_at, ends_at
        if reason:
            window.description = f"{window.description}\n{reason}".strip()
        _validate(window, now)
        if window.status == MaintenanceWindow.Status.ANNOUNCED:
            _announce(window, today, now)
        window.save()
    return window


def maintenance_cancel(*, window: MaintenanceWindow, today: dt.date, reason: str = "") -> MaintenanceWindow:
    """Cancel a window; customers who were told are told it is off (SLA-2)."""
    with transaction.atomic():
        window = MaintenanceWindow.objects.select_for_update().get(pk=window.pk)
        was_announced = window.status == MaintenanceWindow.Status.ANNOUNCED
        transition(window, MAINTENANCE, MaintenanceWindow.Status.CANCELLED, today=today, reason=reason)
        if was_announced:
            customers = selectors.affected_customers(service=window.service, plan_id=window.plan_id)
            notify_customers(
                customers,
                "sla.maintenance.cancelled",
                today=today,
                dedupe_key=f"sla.maintenance.cancelled:{window.pk}",
                context=_context(window),
            )
    return window
