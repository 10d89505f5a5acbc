"""Billable usage (BIL-6): the invoice run bills a month's totals at the plan's unit prices (003 art.6-3).

The paid messaging product's delivered messages are read from ``messaging.selectors.delivered_counts``
(only delivered messages bill, MSG-6); other usage (an external meter) is recorded per unit and day
through :func:`usage_record`. One message is never both."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract
from core.errors import DomainError

from ..models import UsageRecord
from . import reads


def usage_record(
    *, contract: Contract, day: dt.date, unit: str, quantity: int, source_ref: str
) -> UsageRecord:
    """Record usage once per ``source_ref``: the same reference again returns the first row unchanged."""
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
        raise DomainError(
            "invalid_quantity", _("사용량은 0 이상의 정수여야 합니다."), rule="BIL-6", field="quantity"
        )
    if not unit or len(unit) > 32:
        raise DomainError("invalid_unit", _("사용량 단위가 올바르지 않습니다."), rule="BIL-6", field="unit")
    if not source_ref or len(source_ref) > 120:
        raise DomainError(
            "invalid_source_ref", _("출처 키가 필요합니다 (최대 120자)."), rule="BIL-6", field="source_ref"
        )
    existing = UsageRecord.objects.filter(source_ref=source_ref).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return UsageRecord.objects.create(
                contract=contract, day=day, unit=unit, quantity=quantity, source_ref=source_ref
            )
    except IntegrityError:
        return UsageRecord.objects.get(source_ref=source_ref)


def usage_totals(contract: Contract, start: dt.date, end: dt.date) -> dict[str, int]:
    """Quantity per unit recorded for ``start..end`` (inclusive), units sorted. Read through the batch's
    :class:`~billing.services.reads.ChargeReads` when the invoice run attached one (issue 16)."""
    data = reads.for_contract(contract, start, end)
    totals: dict[str, int] = {}
    for day, unit, quantity in data.usage(contract.pk):
        if start <= day <= end:
            totals[unit] = totals.get(unit, 0) + quantity
    totals = {unit: total for unit, total in totals.items() if total}
    # Messages the kgmsg product delivered for this customer (MSG-6: only delivered ones are billed).
    if contract.plan.usage_unit_prices:
        delivered = data.delivered(contract)
        if delivered is None:
            delivered = reads.ChargeReads([contract], start, end).delivered(contract) or []
        for day, unit, count in delivered:
            if start <= day <= end:
                totals[unit] = totals.get(unit, 0) + count
    return dict(sorted(totals.items()))
