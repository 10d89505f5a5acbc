"""One way to change a contract's state (CON-1): core's transition helper (checked, logged), then notified."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.transitions import transition as core_transition
from messaging.services import NoticeRequest, notify_request

from ..lifecycle import CONTRACT, EVENTS
from ..models import Contract, ContractStatus, ContractTransition


def lock(contract: Contract) -> Contract:
    """Re-read the contract under a row lock (call inside ``transaction.atomic``)."""
    return (
        Contract.objects.select_for_update().select_related("customer", "plan", "policy").get(pk=contract.pk)
    )


def ensure_status(contract: Contract, *expected: str, action: str | Promise = "") -> None:
    if contract.status not in expected:
        raise DomainError(
            "invalid_state",
            _("계약 {number}은(는) 현재 '{current}' 상태라 {action}할 수 없습니다. 가능한 상태: {expected}"),
            rule="CON-1",
            field="status",
            number=contract.number,
            current=contract.get_status_display(),
            action=action or _("처리"),
            expected=", ".join(str(ContractStatus(s).label) for s in expected),
        )


def ensure_transition(contract: Contract, to_status: str) -> None:
    """Refuse a move the state table (``contracts.lifecycle``) does not allow (CON-1)."""
    CONTRACT.check(contract, to_status)


def transition(
    contract: Contract,
    to_status: str,
    *,
    today: dt.date,
    reason: str = "",
    event: str | None = None,
    context: dict[str, Any] | None = None,
    save_fields: list[str] | None = None,
) -> ContractTransition:
    """Move a locked contract to ``to_status``. The caller holds the row lock and the transaction.

    ``save_fields`` are extra fields the caller changed on ``contract`` that must be saved with the state.
    """
    current = contract.status
    record: ContractTransition = core_transition(
        contract, CONTRACT, to_status, today=today, reason=reason, save_fields=save_fields or ()
    )
    notify_contract(
        contract,
        event or EVENTS[to_status],
        today=today,
        dedupe_key=f"contract:{contract.pk}:transition:{record.pk}",
        context={"reason": reason, "from_status": str(ContractStatus(current).label), **(context or {})},
    )
    return record


def notify_contract(
    contract: Contract, event: str, *, today: dt.date, dedupe_key: str, context: dict[str, Any] | None = None
) -> None:
    """Tell the customer about its contract; sent after commit, once per dedupe key (inside a batch's
    ``messaging.services.notices_together`` block, with the batch's other notices)."""
    notify_request(contract_notice(contract, event, today=today, dedupe_key=dedupe_key, context=context))


def contract_notice(
    contract: Contract, event: str, *, today: dt.date, dedupe_key: str, context: dict[str, Any] | None = None
) -> NoticeRequest:
    """The notice :func:`notify_contract` sends, for a batch's ``messaging.services.notify_many``."""
    base = {
        "contract_number": contract.number,
        "plan_name": contract.plan.name,
        "status": str(contract.get_status_display()),
        "customer_name": contract.customer.legal_name,
        "today": today.isoformat(),
        "activation_date": _iso(contract.activation_date),
        "termination_effective_on": _iso(contract.termination_effective_on),
        "export_url": portal_export_url(),
    }
    base.update({k: _json_safe(v) for k, v in (context or {}).items()})
    return NoticeRequest(customer=contract.customer, event=event, context=base, dedupe_key=dedupe_key)


def portal_export_url() -> str:
    """DAT-1: the portal's data export page ("내 데이터"), absolute when ``PORTAL_BASE_URL`` is set; ""
    where the portal is not installed."""
    try:
        path = reverse("portal:privacy_home")
    except NoReverseMatch:
        return ""
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _json_safe(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, int | str | float | bool) or value is None:
        return value
    return str(value)
