"""Overpayment refunds on request (BIL-11; 000 art.18①⑥, 002 art.35③④).

Overpaid money is credit balance (BIL-17). By default it is offset against the next invoice by the
``collect_payments`` job (``credits.credit_apply``); a customer may instead ask for it back:

* :func:`refund_request` — arrears are deducted first (002 art.35④, 000 art.18⑥: the credit is offset
  against overdue invoices and the amount recorded in ``arrears_deducted_won``), then the refund is
  capped at the credit left (less what other open requests already claim). When the operator caused
  the overpayment and the policy says so (``overpayment_statutory_interest``, 000 art.18①), statutory
  interest is added (see :func:`statutory_interest`). Nothing leaves the ledger yet.
* :func:`refund_pay` — staff paid it out: ``credits.credit_refund`` posts the ledger movement (the
  interest as a credit, then one ``refund`` entry, keyed by the refund), the refund becomes *paid*.
* :func:`refund_pay_card` — the same, but the money goes back to the customer's card payments through
  the payment gateway (partial cancels, issue 18), tracked per payment in ``CardRefund`` rows.
* :func:`refund_cancel` — a request withdrawn or refused; nothing was posted, nothing to reverse.

Every write runs under the customer lock (``ledger.lock_customer``, taken first) then the refund row.
``refund_pay`` and ``refund_cancel`` are idempotent (a second call returns the refund unchanged);
``refund_request`` is idempotent with an ``idempotency_key`` (the API's ``Idempotency-Key``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer, Member
from contracts.effective import EffectivePolicy, PolicyView, effective_policy
from contracts.models import Contract, Policy
from contracts.models.contract import LIVE
from core.audit import acting_as
from core.calendar import add_months, month_end
from core.errors import DomainError
from core.money import Rounding, round_won
from core.transitions import transition
from messaging.services import notify

from ..gateways import GatewayError, PaymentGateway, get_gateway
from ..lifecycles import REFUND
from ..models import CardRefund, Invoice, LedgerEntry, Refund, Settlement
from . import ledger
from .allocation import require_positive_won
from .credits import _arrears_to_deduct, _not_more_than_credit, credit_apply, credit_refund
from .facts import card_refundable

RULE = "BIL-11"

# 법정이율 (BIL-11, 000 art.18① "법정이율로서 적정이자"). The terms name no number, the law does:
#   민법 제379조 (민사 법정이율) 연 5%;
#   상법 제54조 (상사 법정이율) 연 6% — for obligations arising from a commercial act (상행위).
# Every customer here is a business buying a B2B service, so the commercial rate applies. These are
# statutes, not terms: they are constants here, not Policy fields; the Policy only says *whether*
# interest is owed (``overpayment_statutory_interest``).
CIVIL_STATUTORY_INTEREST_PERCENT = Decimal("5")  # 민법 제379조
COMMERCIAL_STATUTORY_INTEREST_PERCENT = Decimal("6")  # 상법 제54조
STATUTORY_INTEREST_PERCENT = COMMERCIAL_STATUTORY_INTEREST_PERCENT
INTEREST_DAY_BASIS = 365  # per day, on a 365-day year

CARD_REFUND_UNANSWERED = _(
    "결제대행사가 카드 환불에 답하지 않았습니다. 잠시 후 '카드로 환불'을 다시 실행해 주세요 "
    "(같은 요청으로 다시 보내므로 두 번 환불되지 않습니다)."
)

# --------------------------------------------------------------------------- helpers


@contextlib.contextmanager
def _acting(actor: Any) -> Iterator[None]:
    """Attribute the block to ``actor`` (a user) when given; otherwise keep the caller's actor."""
    if actor is None:
        yield
        return
    with acting_as(actor):
        yield


def _scoped_key(customer: Customer, key: str) -> str:
    """Idempotency keys are the client's, so they are scoped to the customer that sent them."""
    return f"refund:{customer.pk}:" + hashlib.sha256(key.encode()).hexdigest()[:64]


def refund_for_idempotency_key(customer: Customer, key: str | None) -> Refund | None:
    """The refund an earlier request with this idempotency key created (a replay), if any."""
    if not key:
        return None
    return Refund.objects.filter(idempotency_key=_scoped_key(customer, key)).first()


def customer_policy(customer: Customer, contract: Contract | None = None) -> EffectivePolicy | Policy | None:
    """The terms that govern a customer-level money matter: the given contract's, else the customer's
    most recently started live contract's (special terms included), else its latest invoice's."""
    if contract is None:
        contract = (
            Contract.objects.filter(customer=customer, status__in=LIVE)
            .select_related("policy")
            .order_by("-activated_on", "-pk")
            .first()
        )
    if contract is not None:
        return effective_policy(contract)
    invoice = (
        Invoice.objects.filter(customer=customer).select_related("policy").order_by("-issue_date").first()
    )
    return invoice.policy if invoice is not None else None


def statutory_interest(amount_won: int, start: dt.date, end: dt.date) -> int:
    """Simple interest by day: amount × 6% × days / 365, truncated below 1 won (BIL-11).

    Days run from the day after the overpayment to the refund date (초일 불산입, 민법 제157조), i.e.
    ``(end - start).days``; nothing when ``end`` is not after ``start``.
    """
    days = (end - start).days
    if days <= 0 or amount_won <= 0:
        return 0
    ratio = Fraction(amount_won) * Fraction(str(STATUTORY_INTEREST_PERCENT)) / 100
    return round_won(ratio * days / INTEREST_DAY_BASIS, Rounding.TRUNCATE)


def overpaid_on(customer: Customer, amount_won: int, *, before: dt.date) -> dt.date:
    """The date since which the customer's credit has held at least ``amount_won`` without a break,
    counting the unallocated ledger entries dated before ``before`` (the request date); ``before``
    itself when the credit was not there earlier (it arose on the request day).

    Ledger entries are append-only, so the answer is the same at the request and at the payment.
    """
    entries = (
        LedgerEntry.objects.filter(customer=customer, invoice__isnull=True, occurred_on__lt=before)
        .order_by("occurred_on", "id")
        .values_list("occurred_on", "amount_won")
    )
    balance = 0
    since: dt.date | None = None
    for day, amount in entries:
        balance += amount
        if -balance >= amount_won:
            if since is None:
                since = day
        else:
            since = None
    return since or before


def _interest_due(refund: Refund, policy: PolicyView | None, on: dt.date) -> int:
    """000 art.18①: interest on an overpayment the operator caused — not on termination refunds."""
    if not refund.operator_caused or policy is None or not policy.overpayment_statutory_interest:
        return 0
    if refund.pk and Settlement.objects.filter(refund=refund).exists():
        return 0
    start = overpaid_on(refund.customer, refund.amount_won, before=refund.requested_on)
    return statutory_interest(refund.amount_won, start, on)


def _claimed_by_open_requests(customer: Customer) -> int:
    """Credit already promised to refunds requested but not paid: overpayment requests, and settlement
    refunds (whose credit ``settlement_issue`` posted and which their payment will consume)."""
    total = Refund.objects.filter(customer=customer, status=Refund.Status.REQUESTED).aggregate(
        total=Sum("amount_won")
    )["total"]
    return int(total or 0)


def _notify(refund: Refund, event: str) -> None:
    """Tell the customer (MSG-1), once per refund and event."""
    context = {
        "refund_id": refund.pk,
        "amount_won": refund.amount_won,
        "interest_won": refund.interest_won,
        "arrears_deducted_won": refund.arrears_deducted_won,
        "reason": refund.reason,
        "requested_on": refund.requested_on.isoformat(),
        "pay_by": refund.pay_by.isoformat() if refund.pay_by else "",
        "paid_on": refund.paid_on.isoformat() if refund.paid_on else "",
    }
    notify(customer=refund.customer, event=event, context=context, dedupe_key=f"{event}:{refund.pk}")


def _check_transition(refund: Refund, target: str) -> None:
    if not REFUND.can(refund.status, target):
        raise DomainError(
            "refund_transition_not_allowed",
            _("환불 {id}은(는) {status} 상태라서 {target}(으)로 바꿀 수 없습니다."),
            rule=RULE,
            field="status",
            id=refund.pk,
            status=refund.get_status_display(),
            target=Refund.Status(target).label,
        )


# --------------------------------------------------------------------------- services


def refund_request(
    *,
    customer: Customer,
    amount_won: int,
    reason: str,
    today: dt.date,
    operator_caused: bool = False,
    member: Member | None = None,
    contract: Contract | None = None,
    idempotency_key: str | None = None,
    actor: Any = None,
) -> Refund:
    """BIL-11: the customer asks for its overpayment back instead of the default offset.

    Arrears are deducted first (offset now, recorded in ``arrears_deducted_won``); the refund is the
    smaller of ``amount_won`` and the credit left (refused when none is left). ``member`` (portal/API)
    must be an admin of ``customer``. Interest (operator's fault, policy flag) is estimated to today
    and settled to the day at :func:`refund_pay`.
    """
    amount_won = require_positive_won(amount_won, rule=RULE)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required", _("환불 사유를 적어 주세요."), rule=RULE, field="reason")
    if member is not None and (member.customer_id != customer.pk or not member.is_admin):
        raise DomainError(
            "not_customer_admin",
            _("환불은 고객사의 관리자만 요청할 수 있습니다."),
            rule=RULE,
            field="member",
        )
    if contract is not None and contract.customer_id != customer.pk:
        raise DomainError("wrong_customer", _("다른 고객의 계약입니다."), rule=RULE, field="contract")
    with _acting(actor), transaction.atomic():
        customer = ledger.lock_customer(customer)
        replay = refund_for_idempotency_key(customer, idempotency_key)
        if replay is not None:
            return replay
        applied = credit_apply(customer=customer, today=today, only_arrears=True)
        deducted = sum(amount for _invoice, amount in applied)
        available = ledger.credit_available(customer) - _claimed_by_open_requests(customer)
        if available <= 0:
            raise DomainError(
                "no_credit_to_refund",
                _("환불할 수 있는 과납액이 없습니다 (미납액 공제 {deducted}원 후 잔액 0원)."),
                rule=RULE,
                field="amount_won",
                deducted=deducted,
            )
        policy = customer_policy(customer, contract)
        pay_by = None
        if policy is not None and policy.refund_by_end_of_next_month:
            pay_by = month_end(add_months(today, 1))  # 000 art.18⑥
        refund = Refund(
            customer=customer,
            contract=contract,
            amount_won=min(amount_won, available),
            arrears_deducted_won=deducted,
            reason=reason[:300],
            operator_caused=bool(operator_caused),
            requested_on=today,
            pay_by=pay_by,
        )
        refund.interest_won = _interest_due(refund, policy, today)
        if idempotency_key:
            refund.idempotency_key = _scoped_key(customer, idempotency_key)
        refund.save()
        _notify(refund, "refund.requested")
        return refund


def _lock_for_payment(refund: Refund, today: dt.date) -> Refund:
    """The refund locked (the customer lock taken first) and checked: it may become paid ``today``.
    Returns it as it is when already paid (callers then change nothing)."""
    ledger.lock_customer(refund.customer)
    refund = (
        Refund.objects.select_for_update(of=("self",))
        .select_related("customer", "contract")
        .get(pk=refund.pk)
    )
    if refund.status == Refund.Status.PAID:
        return refund
    _check_transition(refund, Refund.Status.PAID)
    if today < refund.requested_on:
        raise DomainError(
            "paid_before_request",
            _("지급일({today})이 요청일({requested}) 앞설 수 없습니다."),
            rule=RULE,
            field="paid_on",
            today=today,
            requested=refund.requested_on,
        )
    return refund


def _settle(refund: Refund, *, interest: int, today: dt.date) -> Refund:
    """Post the paid refund to the ledger once (keyed by the refund) and mark it paid (under the lock)."""
    credit_refund(
        customer=refund.customer,
        amount_won=refund.amount_won,
        reason=f"#{refund.pk} {refund.reason}",
        today=today,
        interest_won=interest,
        idempotency_key=f"refund:{refund.pk}",
    )
    refund.interest_won = interest
    refund.paid_on = today
    transition(refund, REFUND, Refund.Status.PAID, today=today, save_fields=["interest_won", "paid_on"])
    _notify(refund, "refund.paid")
    return refund


def _refuse_if_card_refund_started(refund: Refund) -> None:
    """A refund already (partly) sent to a card is finished by card: paying it out by bank transfer or
    cancelling it could return the money twice or leave a card refund without its ledger entry."""
    if CardRefund.objects.filter(refund=refund).exists():
        raise DomainError(
            "card_refund_started",
            _("환불 {id}은(는) 카드 환불이 진행 중입니다. '카드로 환불'을 다시 실행해 마무리해 주세요."),
            rule=RULE,
            field="status",
            id=refund.pk,
        )


def refund_pay(*, refund: Refund, today: dt.date, actor: Any = None) -> Refund:
    """Staff paid the refund out (BIL-11): interest settled to ``today``, then ``credits.credit_refund``
    posts the ledger movement once (keyed by the refund). Paying a paid refund changes nothing."""
    with _acting(actor), transaction.atomic():
        refund = _lock_for_payment(refund, today)
        if refund.status == Refund.Status.PAID:
            return refund
        _refuse_if_card_refund_started(refund)
        interest = _interest_due(refund, customer_policy(refund.customer, refund.contract), today)
        return _settle(refund, interest=interest, today=today)


def _card_plan(refund: Refund, today: dt.date) -> list[CardRefund]:
    """Under the lock: the refund's card parts, planned once (pending rows) and reused by every retry,
    so a retry sends the same amounts with the same idempotency keys. After a decline that followed a
    part which went back, only the rest is planned again (over the payments not used yet). Nothing is
    written when the card payments cannot cover the refund or the credit is no longer there."""
    parts = list(CardRefund.objects.filter(refund=refund).select_related("payment").order_by("id"))
    if parts:
        interest = refund.interest_won  # settled when the first parts were planned
        owed = refund.amount_won + interest - sum(p.amount_won for p in parts)
        if owed <= 0 or any(p.status == CardRefund.Status.PENDING for p in parts):
            return parts
    else:
        interest = _interest_due(refund, customer_policy(refund.customer, refund.contract), today)
        credit = ledger.credit_available(refund.customer)
        _not_more_than_credit(
            refund.customer,
            refund.amount_won,
            available=max(0, credit - _arrears_to_deduct(refund.customer, today)),
            rule=RULE,
        )
        owed = refund.amount_won + interest
    used = {p.payment_id for p in parts}
    planned: list[CardRefund] = []
    for payment, left in card_refundable(refund.customer):
        if owed <= 0:
            break
        if payment.pk in used:
            continue
        take = min(left, owed)
        planned.append(CardRefund(refund=refund, payment=payment, amount_won=take))
        owed -= take
    if owed > 0:
        raise DomainError(
            "card_refund_exceeds_card_payments",
            _(
                "카드 결제액 중 환불할 수 있는 금액이 {available}원뿐이라 {amount}원을 카드로 "
                "환불할 수 없습니다. 계좌로 지급해 주세요."
            ),
            rule=RULE,
            field="amount_won",
            available=refund.amount_won + interest - owed,
            amount=refund.amount_won + interest,
        )
    if not parts:
        refund.interest_won = interest  # settled now: this is what goes back to the cards
        refund.save(update_fields=["interest_won", "updated_at"])
    return parts + CardRefund.objects.bulk_create(planned)


def card_refund_key(part: CardRefund) -> str:
    """The gateway idempotency key of one card part: the same for every retry of that part."""
    return f"refund:{part.refund_id}:{part.payment_id}"


def refund_pay_card(
    *, refund: Refund, today: dt.date, actor: Any = None, gateway: PaymentGateway | None = None
) -> Refund:
    """BIL-11, issue 18: pay the refund (with its interest, settled to ``today``) back to the customer's
    succeeded card payments, newest first, as many as needed and never more than what is left of each.

    1. Under the customer lock the parts are planned once as *pending* ``CardRefund`` rows (nothing is
       written when the card payments or the credit do not cover it).
    2. Each pending part is refunded through the gateway with the key ``refund:{refund}:{payment}``.
    3. When every part succeeded, the ledger is posted as :func:`refund_pay` does and the refund is paid.

    A decline is refused (``DomainError`` on ``payment``); the declined part and the parts not yet sent are
    dropped, so when nothing had gone back the refund is exactly as before. A transport error
    (``DomainError`` ``gateway_unavailable``) leaves the parts pending: the money may have gone back, so
    the refund can only be finished by card — calling this again sends the same keys and the gateway
    answers a repeated key with its first result. Paying a paid refund changes nothing."""
    gateway = gateway or get_gateway()
    with _acting(actor), transaction.atomic():
        refund = _lock_for_payment(refund, today)
        if refund.status == Refund.Status.PAID:
            return refund
        interest_before = refund.interest_won
        parts = _card_plan(refund, today)
    failure: DomainError | None = None
    for part in parts:
        if part.status == CardRefund.Status.SUCCEEDED:
            continue
        try:
            result = gateway.refund(
                reference=part.payment.reference,
                amount_won=part.amount_won,
                idempotency_key=card_refund_key(part),
                reason=f"환불 #{refund.pk}",
            )
        except GatewayError as exc:
            failure = DomainError(
                "gateway_unavailable",
                CARD_REFUND_UNANSWERED,
                rule=RULE,
                field="refund",
            )
            failure.__cause__ = exc
            break
        if not result.success:
            failure = DomainError(
                "card_refund_declined",
                _("결제대행사가 카드 결제 {payment}({amount}원)의 환불을 거절했습니다: {reason}"),
                rule=RULE,
                field="payment",
                payment=part.payment.reference,
                amount=part.amount_won,
                reason=result.failure_reason,
            )
            with transaction.atomic():
                ledger.lock_customer(refund.customer)
                CardRefund.objects.filter(
                    refund=refund, status=CardRefund.Status.PENDING, id__gte=part.pk
                ).delete()
                if not CardRefund.objects.filter(refund=refund).exists():  # nothing went back
                    Refund.objects.filter(pk=refund.pk).update(interest_won=interest_before)
            break
        CardRefund.objects.filter(pk=part.pk, status=CardRefund.Status.PENDING).update(
            status=CardRefund.Status.SUCCEEDED, reference=result.reference[:200]
        )
    if failure is not None:
        raise failure
    with _acting(actor), transaction.atomic():
        refund = _lock_for_payment(refund, today)
        if refund.status == Refund.Status.PAID:
            return refund  # another worker finished it
        done = CardRefund.objects.filter(refund=refund, status=CardRefund.Status.SUCCEEDED).aggregate(
            total=Sum("amount_won")
        )["total"]
        if int(done or 0) != refund.amount_won + refund.interest_won:
            raise DomainError(
                "gateway_unavailable",
                CARD_REFUND_UNANSWERED,
                rule=RULE,
                field="refund",
            )
        return _settle(refund, interest=refund.interest_won, today=today)


def refund_cancel(*, refund: Refund, today: dt.date, actor: Any = None, reason: str = "") -> Refund:
    """A requested refund withdrawn or refused: nothing was posted, the credit stays (and is offset
    against the next invoice as usual). Arrears already deducted stay paid. Idempotent."""
    with _acting(actor), transaction.atomic():
        ledger.lock_customer(refund.customer)
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
        if refund.status == Refund.Status.CANCELLED:
            return refund
        _check_transition(refund, Refund.Status.CANCELLED)
        _refuse_if_card_refund_started(refund)
        if reason.strip():
            refund._change_reason = reason.strip()[:100]  # type: ignore[attr-defined]
        transition(refund, REFUND, Refund.Status.CANCELLED, today=today, reason=reason.strip())
        _notify(refund, "refund.cancelled")
        return refund


def refundable_amount(customer: Customer, *, today: dt.date) -> int:
    """What a refund request made today could return at most (after arrears and open requests), for the
    portal form. Reads only."""
    credit = ledger.credit_available(customer)
    return max(0, credit - _arrears_to_deduct(customer, today) - _claimed_by_open_requests(customer))


__all__ = [
    "COMMERCIAL_STATUTORY_INTEREST_PERCENT",
    "STATUTORY_INTEREST_PERCENT",
    "card_refund_key",
    "overpaid_on",
    "refund_cancel",
    "refund_for_idempotency_key",
    "refund_pay",
    "refund_pay_card",
    "refund_request",
    "refundable_amount",
    "statutory_interest",
]
