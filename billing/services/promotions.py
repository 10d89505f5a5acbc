"""Promotions and free periods (BIL-19; 000 art.15⑤, 18③④; 004 art.26).

A promotion applies to ``periods`` consecutive billing periods of its contract starting with the one that
contains ``starts_on``. The invoice run turns it into a negative ``promotion`` line next to the fees it
discounts (a free period: the fee line and an equal negative line), so what was given is on record;
:func:`promotions_received` sums those lines for refunds and penalties.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract
from core.errors import DomainError

from ..models import Invoice, InvoiceLine, Promotion


def promotion_add(
    *,
    contract: Contract,
    kind: str,
    starts_on: dt.date,
    periods: int = 1,
    amount_won: int = 0,
    percent: Decimal | int | str = 0,
    description: str = "",
    is_long_term_discount: bool = False,
) -> Promotion:
    """Record a discount (amount or percent, for N periods) or a free period on a contract (BIL-19)."""
    if kind not in Promotion.Kind.values:
        raise DomainError(
            "invalid_kind", _("알 수 없는 프로모션 종류: {kind}"), rule="BIL-19", field="kind", kind=kind
        )
    if not isinstance(periods, int) or isinstance(periods, bool) or periods < 1:
        raise DomainError(
            "invalid_periods", _("적용 개월 수는 1 이상이어야 합니다."), rule="BIL-19", field="periods"
        )
    try:
        pct = Decimal(str(percent))
    except (InvalidOperation, ValueError):
        pct = Decimal(-1)
    if kind == Promotion.Kind.AMOUNT:
        if not isinstance(amount_won, int) or isinstance(amount_won, bool) or amount_won <= 0:
            raise DomainError(
                "invalid_amount", _("할인 금액은 0보다 커야 합니다."), rule="BIL-19", field="amount_won"
            )
        pct = Decimal(0)
    elif kind == Promotion.Kind.PERCENT:
        if not (Decimal(0) < pct <= Decimal(100)) or pct.as_tuple().exponent < -2:  # type: ignore[operator]
            raise DomainError(
                "invalid_percent", _("할인율은 0 초과 100 이하여야 합니다."), rule="BIL-19", field="percent"
            )
        amount_won = 0
    else:
        amount_won, pct = 0, Decimal(0)
    with transaction.atomic():
        return Promotion.objects.create(
            contract=contract,
            kind=kind,
            amount_won=amount_won,
            percent=pct,
            starts_on=starts_on,
            periods=periods,
            is_long_term_discount=is_long_term_discount,
            description=description or str(Promotion.Kind(kind).label),
        )


def promotions_received(contract: Contract, until: dt.date, *, long_term_only: bool = False) -> int:
    """The value (won, positive) of promotions and free periods billed to ``contract`` for service up to
    ``until`` (BIL-12, BIL-14, BIL-19), read from the issued invoices' promotion lines."""
    lines = InvoiceLine.objects.filter(
        contract=contract, kind=InvoiceLine.Kind.PROMOTION, service_start__lte=until
    ).exclude(invoice__status=Invoice.Status.VOID)
    if long_term_only:
        lines = lines.filter(policy_basis__contains="[장기계약]")
    total = lines.aggregate(total=Sum("amount_won"))["total"] or 0
    return -int(total)
