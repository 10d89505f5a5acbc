"""Credit balance (BIL-11, BIL-17): offset against open invoices, used for a purchase, or refunded.

Credit is the negative part of a customer's unallocated ledger balance (overpayments, payments
to closed invoices, credit notes on paid invoices). Moving it never deletes anything: each use
is a keyed pair of entries (+X unallocated, −X on the invoice) or a single +X unallocated entry.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer
from contracts.models import OverpaymentDefault
from core.errors import Conflict, DomainError

from ..models import Invoice, LedgerEntry
from . import ledger
from .allocation import invoice_settle
from .facts import invoice_overdue_won, open_invoices, require_positive_won


def _offset_allowed(invoice: Invoice, today: dt.date) -> bool:
    """BIL-11: offset by default (002 art.35③); where the terms refund instead (damoa, 004 art.20-1),
    credit still pays arrears first (002 art.35④, 000 art.18⑥)."""
    policy = invoice.policy
    if policy.overpayment_default == OverpaymentDefault.OFFSET:
        return True
    return bool(policy.arrears_deducted_first) and invoice.due_date < today


def _apply_to_invoice(
    *, customer: Customer, invoice: Invoice, amount_won: int, today: dt.date, description: str
) -> None:
    seq = LedgerEntry.objects.filter(invoice=invoice, kind=LedgerEntry.Kind.CREDIT_APPLIED).count() + 1
    key = f"credit_applied:invoice:{invoice.pk}:{seq}"
    ledger.post(
        customer=customer,
        kind=LedgerEntry.Kind.CREDIT_APPLIED,
        amount_won=amount_won,
        occurred_on=today,
        description=f"{description} → {invoice.number}",
        key=f"{key}:from_credit",
    )
    ledger.post(
        customer=customer,
        kind=LedgerEntry.Kind.CREDIT_APPLIED,
        amount_won=-amount_won,
        occurred_on=today,
        description=description,
        invoice=invoice,
        key=key,
    )
    invoice_settle(invoice=invoice, today=today)


def credit_apply(
    *, customer: Customer, today: dt.date, only_arrears: bool = False
) -> list[tuple[Invoice, int]]:
    """Offset the customer's credit against open invoices, oldest first (BIL-17, 002 art.35③④).

    Runs under the customer lock; running it again with no new credit changes nothing.
    """
    applied: list[tuple[Invoice, int]] = []
    with transaction.atomic():
        customer = ledger.lock_customer(customer)
        credit = ledger.credit_available(customer)
        if credit <= 0:
            return applied
        for invoice in open_invoices(customer).select_related("policy"):
            if credit <= 0:
                break
            if only_arrears:
                if invoice.due_date >= today or not invoice.policy.arrears_deducted_first:
                    continue
            elif not _offset_allowed(invoice, today):
                continue
            open_won = ledger.invoice_open_amount(invoice)
            if open_won <= 0:
                continue
            amount = min(credit, open_won)
            _apply_to_invoice(
                customer=customer,
                invoice=invoice,
                amount_won=amount,
                today=today,
                description=str(_("크레딧 상계")),
            )
            credit -= amount
            applied.append((invoice, amount))
    return applied


def _keyed(prefix: str, idempotency_key: str | None) -> str | None:
    return f"{prefix}:{idempotency_key}" if idempotency_key else None


def _replayed(key: str | None, customer: Customer, amount_won: int) -> LedgerEntry | None:
    if key is None:
        return None
    entry = LedgerEntry.objects.filter(key=key).first()
    if entry is None:
        return None
    if entry.customer_id != customer.pk or abs(entry.amount_won) != amount_won:
        raise Conflict(
            "idempotency_key_reused",
            _("같은 멱등 키가 다른 요청에 이미 쓰였습니다."),
            rule="BIL-17",
            field="idempotency_key",
        )
    return entry


def _not_more_than_credit(customer: Customer, amount_won: int, *, available: int, rule: str) -> None:
    if amount_won > available:
        raise DomainError(
            "credit_insufficient",
            _("사용할 수 있는 크레딧은 {available}원입니다 (요청 {amount}원)."),
            rule=rule,
            field="amount_won",
            available=available,
            amount=amount_won,
        )


def credit_use_for_purchase(
    *,
    customer: Customer,
    amount_won: int,
    description: str,
    today: dt.date,
    invoice: Invoice | None = None,
    idempotency_key: str | None = None,
) -> LedgerEntry:
    """BIL-17 (001 art.25-5): at the customer's choice, credit pays for another purchase.

    With ``invoice`` (the purchase's invoice) the credit is offset against it whatever the
    policy's default; without, one +X unallocated entry records the credit consumed, described.
    """
    amount_won = require_positive_won(amount_won, rule="BIL-17")
    if not description.strip():
        raise DomainError(
            "description_required", _("무엇을 구매했는지 적어 주세요."), rule="BIL-17", field="description"
        )
    key = _keyed("credit_purchase", idempotency_key)
    with transaction.atomic():
        customer = ledger.lock_customer(customer)
        replay = _replayed(key, customer, amount_won)
        if replay is not None:
            return replay
        _not_more_than_credit(
            customer, amount_won, available=ledger.credit_available(customer), rule="BIL-17"
        )
        text = str(_("크레딧으로 구매: {description}")).format(description=description.strip())
        if invoice is not None:
            if invoice.customer_id != customer.pk:
                raise DomainError(
                    "wrong_customer", _("다른 고객의 청구서입니다."), rule="BIL-17", field="invoice"
                )
            open_won = ledger.invoice_open_amount(invoice)
            if invoice.status != Invoice.Status.ISSUED or amount_won > open_won:
                raise DomainError(
                    "credit_exceeds_invoice",
                    _("청구서 {number}에 남은 금액은 {open}원입니다."),
                    rule="BIL-17",
                    field="amount_won",
                    number=invoice.number,
                    open=max(open_won, 0) if invoice.status == Invoice.Status.ISSUED else 0,
                )
        entry = ledger.post(
            customer=customer,
            kind=LedgerEntry.Kind.CREDIT_APPLIED,
            amount_won=amount_won,
            occurred_on=today,
            description=text,
            key=key,
        )
        if invoice is not None:
            ledger.post(
                customer=customer,
                kind=LedgerEntry.Kind.CREDIT_APPLIED,
                amount_won=-amount_won,
                occurred_on=today,
                description=text,
                invoice=invoice,
                key=f"{key}:invoice" if key else None,
            )
            invoice_settle(invoice=invoice, today=today)
        return entry


def credit_refund(
    *,
    customer: Customer,
    amount_won: int,
    reason: str,
    today: dt.date,
    interest_won: int = 0,
    idempotency_key: str | None = None,
) -> LedgerEntry:
    """Refund credit on request (BIL-11, 002 art.35③): at most the credit left after arrears are
    deducted (002 art.35④, 000 art.18⑥) — the deduction is posted first as an offset.

    ``interest_won``: statutory interest when the operator caused the overpayment (000 art.18①),
    computed by the caller (BIL-11 interest comes later); it is credited then refunded with the rest.
    Returns the positive ``refund`` entry.
    """
    amount_won = require_positive_won(amount_won, rule="BIL-11")
    if interest_won:
        interest_won = require_positive_won(interest_won, field="interest_won", rule="BIL-11")
    if not reason.strip():
        raise DomainError("reason_required", _("환불 사유를 적어 주세요."), rule="BIL-11", field="reason")
    key = _keyed("refund", idempotency_key)
    with transaction.atomic():
        customer = ledger.lock_customer(customer)
        replay = _replayed(key, customer, amount_won + interest_won)
        if replay is not None:
            return replay
        credit = ledger.credit_available(customer)
        deducted = _arrears_to_deduct(customer, today)
        _not_more_than_credit(customer, amount_won, available=max(0, credit - deducted), rule="BIL-11")
        if deducted:
            credit_apply(customer=customer, today=today, only_arrears=True)
        if interest_won:
            ledger.post(
                customer=customer,
                kind=LedgerEntry.Kind.ADJUSTMENT,
                amount_won=-interest_won,
                occurred_on=today,
                description=str(_("과납 법정이자 (000 제18조①): {reason}")).format(reason=reason.strip()),
                key=f"{key}:interest" if key else None,
            )
        return ledger.post(
            customer=customer,
            kind=LedgerEntry.Kind.REFUND,
            amount_won=amount_won + interest_won,
            occurred_on=today,
            description=str(_("크레딧 환불: {reason}")).format(reason=reason.strip()),
            key=key,
        )


def _arrears_to_deduct(customer: Customer, today: dt.date) -> int:
    """Overdue amounts (``facts.invoice_overdue_won``: amounts under an open dispute are not arrears)
    under policies that deduct arrears before a refund (002 art.35④, 000 art.18⑥)."""
    overdue = open_invoices(customer).filter(due_date__lt=today, policy__arrears_deducted_first=True)
    return sum(invoice_overdue_won(invoice, today) for invoice in overdue.select_related("policy"))


__all__ = ["credit_apply", "credit_refund", "credit_use_for_purchase"]
