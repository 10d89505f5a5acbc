"""Fee evasion (BIL-20; 001 art.19-8 "불법으로 이용요금 등을 면탈할 경우에는 면탈한 금액의 2배").

A staff action with a reason: the evaded amount × the policy's ``evasion_multiplier`` (flow 2, the
others 1) is charged on an *adjustment* invoice of its own — gapless ``INV`` number, one line of kind
``evasion`` for the contract, VAT per the contract's policy (added on top, or the VAT part of a
VAT-inclusive price, per invoice, in the policy's rounding mode), due per the policy's due-date rule,
and one ``invoice`` ledger entry keyed ``invoice:{pk}`` like the invoice run posts.

Runs under the customer lock, then the counter lock (the lock order of ``numbering``). With an
``idempotency_key`` (the admin form's token), submitting the same charge twice issues one invoice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from contracts.effective import effective_policy
from contracts.models import Contract
from core.calendar import default_calendar
from core.errors import DomainError
from core.money import vat_split
from messaging.services import notify

from ..models import Invoice, InvoiceLine, LedgerEntry
from . import ledger
from .allocation import require_positive_won
from .dates import calendar_month, due_date_for
from .numbering import next_number
from .refunds import _acting

RULE = "BIL-20"
SOURCE = "BIL-20; 001 art.19-8"


def _scoped_key(contract: Contract, key: str) -> str:
    return f"evasion:{contract.pk}:" + hashlib.sha256(key.encode()).hexdigest()[:64]


def _replayed(contract: Contract, key: str | None) -> Invoice | None:
    """The adjustment invoice an earlier submission with this key issued, if any."""
    if not key:
        return None
    return Invoice.objects.filter(idempotency_key=_scoped_key(contract, key)).first()


def evasion_charge(
    *,
    contract: Contract,
    evaded_amount_won: int,
    reason: str,
    today: dt.date,
    actor: Any = None,
    idempotency_key: str | None = None,
) -> Invoice:
    """BIL-20: charge ``evaded_amount_won`` × ``evasion_multiplier`` on an adjustment invoice.

    ``evaded_amount_won`` is in the plan's price basis (VAT-exclusive, or VAT-inclusive for a policy
    with VAT-inclusive prices). Refused without a reason or for a non-positive amount, naming the field.
    """
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            "reason_required", _("요금 면탈 청구에는 사유가 필요합니다."), rule=RULE, field="reason"
        )
    evaded = require_positive_won(evaded_amount_won, field="evaded_amount_won", rule=RULE)
    policy = effective_policy(contract)
    multiplier = int(policy.evasion_multiplier or 1)
    amount = evaded * multiplier
    split = vat_split(
        amount,
        inclusive=bool(policy.vat_included),
        rate_percent=policy.vat_rate_percent,
        mode=policy.rounding,
    )
    due = max(due_date_for(policy, calendar_month(today), today, default_calendar()), today)
    with _acting(actor), transaction.atomic():
        customer = ledger.lock_customer(contract.customer)
        replay = _replayed(contract, idempotency_key)
        if replay is not None:
            return replay
        description = str(_("요금 면탈 {multiplier}배 청구 ({evaded}원 × {multiplier}): {reason}")).format(
            multiplier=multiplier, evaded=f"{evaded:,}", reason=reason
        )
        invoice = Invoice(
            customer=customer,
            policy=contract.policy,
            schedule=f"{contract.policy.code}-evasion-c{contract.pk}"[:40],
            kind=Invoice.Kind.ADJUSTMENT,
            number=next_number("INV", today.year),
            period_start=today,
            period_end=today,
            issue_date=today,
            due_date=due,
            vat_inclusive=bool(policy.vat_included),
            vat_rate_percent=Decimal(policy.vat_rate_percent),
            supply_won=split.supply_won,
            vat_won=split.vat_won,
            total_won=split.total_won,
            note=description,
        )
        if idempotency_key:
            invoice.idempotency_key = _scoped_key(contract, idempotency_key)
        invoice.save()
        InvoiceLine.objects.create(
            invoice=invoice,
            contract=contract,
            position=1,
            kind=InvoiceLine.Kind.EVASION,
            description=description[:300],
            quantity=multiplier,
            unit_price_won=evaded,
            amount_won=amount,
            service_start=today,
            service_end=today,
            policy_basis=SOURCE,
        )
        ledger.post(
            customer=customer,
            kind=LedgerEntry.Kind.INVOICE,
            amount_won=invoice.total_won,
            occurred_on=today,
            description=f"청구서 {invoice.number} (요금 면탈, {SOURCE})",
            invoice=invoice,
            key=f"invoice:{invoice.pk}",
        )
        notify(
            customer=customer,
            event="invoice.evasion_charged",
            context={
                "invoice_number": invoice.number,
                "contract_number": contract.number,
                "evaded_won": evaded,
                "multiplier": multiplier,
                "total_won": invoice.total_won,
                "due_date": invoice.due_date.isoformat(),
                "reason": reason,
            },
            dedupe_key=f"invoice.evasion_charged:{invoice.pk}",
        )
        return invoice


__all__ = ["evasion_charge"]
