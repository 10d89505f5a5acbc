"""DUN-3: staff pause a customer's dunning ladder (and cancel a pause). A pause holds every open case of the
customer until its end date (inclusive); the ``dunning`` job resumes them the day after. A suspension may
be extended only as far as the policy's ``max_suspension_extension_days`` allows (dcloud: 60 days from the
restriction or suspension, 002 art.33①). Re-exported by ``billing.services.dunning``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy

from accounts.models import Customer
from contracts.models import DunningAction
from core.audit import acting_as
from core.calendar import BusinessCalendar, default_calendar
from core.errors import DomainError
from core.transitions import transition
from messaging.services import notify

from ..lifecycles import DUNNING_CASE
from ..models import DunningCase, DunningPause
from . import ledger
from .dunning_reads import ACTIVE_CASE, ladder_plan
from .facts import policy_for_invoice

A = DunningAction


def _extension_cap(customer: Customer, calendar: BusinessCalendar) -> tuple[dt.date, int] | None:
    """The latest end a pause may have under ``max_suspension_extension_days`` (dcloud 60 days from the
    restriction/suspension, 002 art.33①), over the customer's active cases; None when unlimited."""
    caps: list[tuple[dt.date, int]] = []
    for case in DunningCase.objects.filter(customer=customer, status__in=ACTIVE_CASE).select_related(
        "invoice__policy"
    ):
        policy = policy_for_invoice(case.invoice)
        limit = policy.max_suspension_extension_days
        if not limit:
            continue
        plan = ladder_plan(case.invoice, policy=policy, calendar=calendar)
        measure = next((p for p in plan if p.action in (A.RESTRICT, A.SUSPEND)), None)
        if measure is None:
            continue
        executed = case.steps.filter(index=measure.index).values_list("executed_on", flat=True).first()
        caps.append(((executed or measure.on) + dt.timedelta(days=limit), limit))
    return min(caps) if caps else None


def dunning_pause(
    *, customer: Customer, reason: str, ends_on: dt.date, today: dt.date, actor: Any = None
) -> DunningPause:
    """DUN-3: staff pause the customer's ladder until ``ends_on`` (inclusive) with a reason; the cases
    resume the day after (see the module docstring). ``actor`` is the staff user."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            "reason_required", gettext_lazy("유예 사유를 입력해야 합니다."), rule="DUN-3", field="reason"
        )
    if ends_on < today:
        raise DomainError(
            "date_in_past",
            gettext_lazy("유예 종료일 {date}은(는) 오늘({today}) 이전입니다."),
            rule="DUN-3",
            field="ends_on",
            date=ends_on.isoformat(),
            today=today.isoformat(),
        )
    with transaction.atomic():
        customer = ledger.lock_customer(customer)
        cap = _extension_cap(customer, default_calendar())
        if cap is not None and ends_on > cap[0]:
            raise DomainError(
                "extension_too_long",
                gettext_lazy("이용 정지 연장은 최대 {days}일, {cap}까지입니다."),
                rule="DUN-3",
                field="ends_on",
                days=cap[1],
                cap=cap[0].isoformat(),
            )
        user = actor if getattr(actor, "pk", None) and hasattr(actor, "get_username") else None
        with acting_as(user, reason=reason[:100]) if user else acting_as(job="dunning", reason=reason[:100]):
            pause = DunningPause.objects.create(
                customer=customer, reason=reason, starts_on=today, ends_on=ends_on, created_by=user
            )
            cases = list(
                DunningCase.objects.select_for_update().filter(
                    customer=customer, status=DunningCase.Status.OPEN
                )
            )
            for case in cases:
                transition(case, DUNNING_CASE, DunningCase.Status.PAUSED, today=today, reason=reason)
        notify(
            customer=customer,
            event="dunning.paused",
            context={
                "reason": reason,
                "starts_on": today.isoformat(),
                "ends_on": ends_on.isoformat(),
                "resumes_on": (ends_on + dt.timedelta(days=1)).isoformat(),
            },
            dedupe_key=f"dunning-pause:{pause.pk}",
            actor=actor,
        )
    return pause


def dunning_pause_cancel(
    *, pause: DunningPause, today: dt.date, reason: str = "", actor: Any = None
) -> DunningPause:
    """End a pause early; the cases resume on the next ``dunning`` run."""
    with transaction.atomic():
        ledger.lock_customer(pause.customer)
        pause = DunningPause.objects.select_for_update().get(pk=pause.pk)
        if pause.cancelled_on is not None:
            raise DomainError(
                "pause_cancelled",
                gettext_lazy("이미 {date}에 철회된 유예입니다."),
                rule="DUN-3",
                field="cancelled_on",
                date=pause.cancelled_on.isoformat(),
            )
        pause.cancelled_on = today
        pause.save(update_fields=["cancelled_on", "updated_at"])
        notify(
            customer=pause.customer,
            event="dunning.pause_cancelled",
            context={
                "reason": reason,
                "cancelled_on": today.isoformat(),
                "ends_on": pause.ends_on.isoformat(),
            },
            dedupe_key=f"dunning-pause:{pause.pk}:cancelled",
            actor=actor,
        )
    return pause
