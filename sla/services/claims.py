"""SLA claims (SLA-5): where the policy needs one (``flow`` 30 days in writing, 001 art.25-4; ``dcloud``
3 months with amount and basis, 002 art.37), the credit is paid only on a timely claim.

The claim form is pre-filled with the amount and basis the month close computed; a claim for a month
not yet closed, one already claimed, or one after the due date is refused (the last naming the date it
was due). Staff approve (the credit note is issued) or reject with a reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Member
from billing.services.ledger import lock_customer
from contracts.models import Contract
from core.calendar import month_start
from core.errors import Conflict, DomainError
from core.formatting import MonthValue
from core.transitions import transition

from ..lifecycles import CLAIM
from ..models import SlaClaim, SlaMonth
from ..notices import notify_customer
from .credits import credit_pay


def _err(code: str, message: Any, field: str, **params: Any) -> DomainError:
    return DomainError(code, message, rule="SLA-5", field=field, **params)


@dataclass(frozen=True)
class ClaimDraft:
    month: dt.date
    amount_won: int
    basis: str
    availability: str
    due_on: dt.date | None


def _closed_month(contract: Contract, month: dt.date) -> SlaMonth:
    record = SlaMonth.objects.filter(contract=contract, month=month_start(month)).first()
    if record is None:
        raise _err(
            "month_not_closed",
            _("{month}은(는) 아직 마감되지 않아 청구할 수 없습니다."),
            "month",
            month=MonthValue(month),
        )
    return record


def claim_prefill(*, contract: Contract, month: dt.date) -> ClaimDraft:
    """The claim form's amount and basis, as the month close computed them (SLA-5)."""
    record = _closed_month(contract, month)
    return ClaimDraft(
        record.month, record.credit_won, record.credit_basis, str(record.availability), record.claim_due_on
    )


def claim_submit(
    *,
    contract: Contract,
    month: dt.date,
    today: dt.date,
    member: Member | None = None,
    amount_won: int | None = None,
    basis: str = "",
    details: str = "",
) -> SlaClaim:
    """A customer claims the month's credit (SLA-5). Refused, writing nothing: a month not yet closed or
    already claimed, a policy without claims, a claim after its due date (naming the date)."""
    if member is not None and member.customer_id != contract.customer_id:
        raise _err("not_your_contract", _("다른 고객의 계약입니다."), "contract")
    with transaction.atomic():
        lock_customer(contract.customer)
        record = _closed_month(contract, month)
        if not record.claim_required:
            raise _err(
                "claim_not_required", _("이 계약의 보상은 청구 없이 월 마감 때 자동으로 지급됩니다."), "month"
            )
        if record.claims.filter(status__in=[SlaClaim.Status.SUBMITTED, SlaClaim.Status.APPROVED]).exists():
            raise _err(
                "already_claimed",
                _("{month} 보상은 이미 청구되었습니다."),
                "month",
                month=MonthValue(record.month),
            )
        if record.claim_due_on is not None and today > record.claim_due_on:
            raise _err(
                "claim_late",
                _("{month} 보상 청구 기한은 {due}까지였습니다."),
                "month",
                month=MonthValue(record.month),
                due=record.claim_due_on.isoformat(),
            )
        amount = record.credit_won if amount_won is None else int(amount_won)
        if amount < 0:
            raise _err("amount_negative", _("청구액은 0원 이상이어야 합니다."), "amount_won")
        try:
            with transaction.atomic():
                return SlaClaim.objects.create(
                    sla_month=record,
                    contract=contract,
                    submitted_on=today,
                    submitted_by=member,
                    amount_won=amount,
                    basis=basis.strip() or record.credit_basis,
                    details=details,
                )
        except IntegrityError:
            raise Conflict(
                "already_claimed",
                _("{month} 보상은 이미 청구되었습니다."),
                rule="SLA-5",
                field="month",
                month=MonthValue(record.month),
            ) from None


def _lock(claim: SlaClaim) -> SlaClaim:
    lock_customer(claim.contract.customer)
    return (
        SlaClaim.objects.select_for_update()
        .select_related("sla_month", "contract", "contract__customer", "contract__plan", "contract__policy")
        .get(pk=claim.pk)
    )


def claim_approve(*, claim: SlaClaim, today: dt.date, reason: str = "") -> SlaClaim:
    """Staff approve a claim: the month's credit (as computed, within its caps) is issued (SLA-4/5)."""
    with transaction.atomic():
        claim = _lock(claim)
        claim.decided_on, claim.decision_reason = today, reason.strip()
        transition(
            claim,
            CLAIM,
            SlaClaim.Status.APPROVED,
            today=today,
            reason=reason,
            save_fields=["decided_on", "decision_reason"],
        )
        record = (
            SlaMonth.objects.select_for_update()
            .select_related("contract", "contract__customer")
            .get(pk=claim.sla_month_id)
        )
        credit_pay(record=record, today=today)
    return claim


def claim_reject(*, claim: SlaClaim, today: dt.date, reason: str) -> SlaClaim:
    """Staff reject a claim with a reason; the customer is told (SLA-5)."""
    if not reason.strip():
        raise _err("reason_required", _("반려 사유를 적어 주세요."), "reason")
    with transaction.atomic():
        claim = _lock(claim)
        claim.decided_on, claim.decision_reason = today, reason.strip()
        transition(
            claim,
            CLAIM,
            SlaClaim.Status.REJECTED,
            today=today,
            reason=reason,
            save_fields=["decided_on", "decision_reason"],
        )
        notify_customer(
            claim.contract.customer,
            "sla.claim.rejected",
            today=today,
            dedupe_key=f"sla.claim.rejected:{claim.pk}",
            context={
                "contract_number": claim.contract.number,
                "month": f"{claim.sla_month.month:%Y-%m}",
                "reason": reason.strip(),
            },
        )
    return claim
