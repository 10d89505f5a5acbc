"""The ``collect_payments`` job (SPEC §10; BIL-7, BIL-8, BIL-17).

For a date it

1. offsets credit balance against open invoices, oldest first (BIL-17 default, 002 art.35③);
2. charges, through the payment gateway, every open invoice due for an automatic charge whose
   customer's default payment method is CMS or card: the first attempt on the due date, or on
   the next business day when the due date is a weekend or holiday (banks and card acquirers do
   not settle then; ``BusinessCalendar.on_or_after``), then the policy's retries spread over its
   window of business days counted from that attempt (``flow``: two retries within 10 business
   days, i.e. about 5 and at 10 business days after the first attempt, 001 art.19-6). After the
   last failed retry nothing more happens here: the dunning ladder takes over.

Exactly-once: an attempt is first *claimed* as a pending ``Payment`` row (attempt number unique
per invoice; idempotency key ``invoice:{id}:attempt:{n}``) under the customer's row lock, taken
with SKIP LOCKED so workers spread out; the charge is sent after that commit, outside any
transaction; the outcome is written under the lock again. Two workers therefore charge once, a
second run for the same date finds nothing due, and a pending attempt left by a crash is sent
again later with the same key (the gateway answers a repeated key with the first result).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict

from django.db import IntegrityError, transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Customer
from contracts.effective import PolicyView
from core.audit import bulk_create_audited
from core.calendar import BusinessCalendar
from core.errors import Conflict, DomainError
from core.jobs import Payload, run_batches
from core.transitions import transition

from ..gateways import ChargeResult, GatewayError, PaymentGateway, get_gateway
from ..lifecycles import PAYMENT
from ..models import Invoice, LedgerEntry, Payment, PaymentMethod
from . import ledger
from .allocation import payment_apply
from .credits import credit_apply, credit_use_for_purchase
from .facts import policies_for_invoices, policy_for_invoice

__all__ = [
    "charge_outcome_record",
    "collect_payments",
    "collect_payments_batch",
    "collect_payments_plan",
    "credit_use_for_purchase",
    "invoice_charge_now",
    "next_attempt_on",
    "retry_dates",
]

log = logging.getLogger(__name__)

AUTO_METHODS = (PaymentMethod.Kind.CMS, PaymentMethod.Kind.CARD)
# A pending attempt untouched this long is taken to be orphaned by a crash and is sent again.
PENDING_STALE_AFTER = dt.timedelta(minutes=10)


# --------------------------------------------------------------------------- schedule


def retry_dates(
    *,
    first_attempt_on: dt.date,
    retry_count: int,
    window_business_days: int,
    calendar: BusinessCalendar | None = None,
) -> list[dt.date]:
    """Dates of the retries after a failed first attempt (BIL-8): retry k of R falls
    round(W × k / R) business days after the first attempt, so the last one closes the window
    (``flow`` R=2, W=10 → +5 and +10 business days). At least one business day apart."""
    if retry_count <= 0:
        return []
    calendar = calendar or BusinessCalendar()
    dates: list[dt.date] = []
    previous = 0
    for k in range(1, retry_count + 1):
        offset = (2 * window_business_days * k + retry_count) // (2 * retry_count)
        offset = max(offset, previous + 1)
        previous = offset
        dates.append(calendar.add_business_days(first_attempt_on, offset))
    return dates


def _attempts(invoice: Invoice) -> list[Payment]:
    return list(invoice.payments.filter(method__in=AUTO_METHODS).order_by("attempt"))


def _job_key(invoice: Invoice, attempt: int) -> str:
    return f"invoice:{invoice.pk}:attempt:{attempt}"


def _scheduled(invoice: Invoice, attempts: list[Payment]) -> list[Payment]:
    """The attempts this job made (a customer's pay-now charge or a payment staff entered by hand
    shares the attempt numbering but is not one of the policy's scheduled attempts)."""
    prefix = f"invoice:{invoice.pk}:attempt:"
    return [p for p in attempts if (p.idempotency_key or "").startswith(prefix)]


def next_attempt_on(
    invoice: Invoice,
    *,
    calendar: BusinessCalendar | None = None,
    attempts: list[Payment] | None = None,
    policy: PolicyView | None = None,
) -> dt.date | None:
    """When the next automatic charge of ``invoice`` is due, or None (paid, pending, exhausted).

    The first scheduled attempt is on the due date, or the next business day when the due date is
    not one, then the policy's retries counted in business days from that attempt (BIL-8); a failed
    pay-now charge neither uses up nor moves the schedule. The retries are those of the invoice's
    effective policy (``facts.policy_for_invoice``: a contract's special term counts, CON-12), as for the
    dunning ladder. ``attempts`` and ``policy``: the invoice's automatic payments by attempt and its rules,
    when the caller read them already (a batch of invoices)."""
    return _next_attempt_from(invoice, _attempts(invoice) if attempts is None else attempts, calendar, policy)


def _next_attempt_from(
    invoice: Invoice,
    attempts: list[Payment],
    calendar: BusinessCalendar | None = None,
    policy: PolicyView | None = None,
) -> dt.date | None:
    """:func:`next_attempt_on` from the invoice's automatic attempts already read (in attempt order)."""
    if any(p.status in (Payment.Status.SUCCEEDED, Payment.Status.PENDING) for p in attempts):
        return None
    calendar = calendar or BusinessCalendar()
    scheduled = _scheduled(invoice, attempts)
    if not scheduled:
        return calendar.on_or_after(invoice.due_date)
    policy = policy if policy is not None else policy_for_invoice(invoice)
    schedule = retry_dates(
        first_attempt_on=calendar.on_or_after(scheduled[0].received_on),
        retry_count=policy.payment_retry_count,
        window_business_days=policy.payment_retry_window_business_days,
        calendar=calendar,
    )
    index = len(scheduled) - 1  # retries done so far
    return schedule[index] if index < len(schedule) else None


# --------------------------------------------------------------------------- the job

#: Customers per batch of the job: one claiming transaction and one set of reads for each (issue 16).
BATCH_SIZE = 500
COUNT_KEYS = (
    "credit_applied",
    "charged",
    "succeeded",
    "failed",
    "retry_scheduled",
    "exhausted",
    "unknown",
    "resumed",
)
ZERO: dict[str, int] = dict.fromkeys(COUNT_KEYS, 0)


def collect_payments(*, today: dt.date, gateway: PaymentGateway | None = None) -> dict[str, int]:
    """Job ``collect_payments`` (daily 09:00). Returns counts.

    Batches (``collect_payments_plan`` / ``collect_payments_batch``, issue 19): the pending attempts a
    crash left behind are sent again, then each batch of customers has its credit offset (BIL-17) and
    the attempts due today claimed in one transaction, and sent after it (BIL-7, BIL-8)."""
    gateway = gateway or get_gateway()

    def batch(*, today: dt.date, payload: Payload) -> dict[str, int]:
        return collect_payments_batch(today=today, payload=payload, gateway=gateway)

    return run_batches(collect_payments_plan, batch, today=today, zero=ZERO)


def collect_payments_plan(*, today: dt.date) -> list[Payload]:
    """The job's batches (issue 19), three queries and no locks: ``{"resume": [payment ids]}`` for the
    stale pending attempts, then ``{"customers": [...]}`` of at most ``BATCH_SIZE`` customers, in id
    order: those in credit with an open invoice (BIL-17) and those with an invoice due for an automatic
    charge (BIL-7)."""
    payloads: list[Payload] = []
    stale = _stale_pending_ids()
    for i in range(0, len(stale), BATCH_SIZE):
        payloads.append({"resume": stale[i : i + BATCH_SIZE]})
    customers = sorted(
        set(_customers_with_credit_and_open_invoices().values_list("pk", flat=True))
        | {customer_id for _invoice_id, customer_id in _candidate_invoices(today)}
    )
    for i in range(0, len(customers), BATCH_SIZE):
        payloads.append({"customers": customers[i : i + BATCH_SIZE]})
    return payloads


def collect_payments_batch(
    *, today: dt.date, payload: Payload, gateway: PaymentGateway | None = None
) -> dict[str, int]:
    """One batch of the job. ``{"resume": ids}``: the stale pending attempts among ``ids`` are taken (each
    by one worker) and sent again with their keys. ``{"customers": ids}``: under the customers' row locks
    (SKIP LOCKED, so workers spread out; those another transaction holds are taken afterwards, waiting),
    credit is offset (BIL-17), then the attempts due today are claimed as pending payments with one
    insert, committed, and sent to the gateway one by one, each outcome recorded under the lock
    (:func:`charge_outcome_record`). Idempotent: an attempt is claimed once (a pending or succeeded one
    stops the schedule), so a second run or worker charges nothing again."""
    counts: Counter[str] = Counter()
    gateway = gateway or get_gateway()
    if payload.get("resume"):
        for payment_id in _claim_stale_pending([int(pk) for pk in payload["resume"]]):
            counts["resumed"] += 1
            _execute(payment_id, gateway=gateway, today=today, counts=counts)
    customer_ids = sorted(int(pk) for pk in payload.get("customers", []))
    if customer_ids:
        calendar = BusinessCalendar()  # one per batch: the staff holidays are read once
        claimed, held = _claim(customer_ids, today=today, calendar=calendar, skip_locked=True, counts=counts)
        _run(claimed, gateway=gateway, today=today, counts=counts)
        if held:  # held by someone else a moment ago: wait our turn, then re-check
            claimed, _held = _claim(held, today=today, calendar=calendar, skip_locked=False, counts=counts)
            _run(claimed, gateway=gateway, today=today, counts=counts)
    return {key: counts[key] for key in COUNT_KEYS}


def _customers_with_credit_and_open_invoices(customer_ids: list[int] | None = None) -> QuerySet[Customer]:
    entries = LedgerEntry.objects.filter(invoice__isnull=True)
    if customer_ids is not None:
        entries = entries.filter(customer_id__in=customer_ids)
    in_credit = (
        entries.values("customer").annotate(balance=Sum("amount_won")).filter(balance__lt=0).values("customer")
    )
    ids = (
        Invoice.objects.filter(status=Invoice.Status.ISSUED, customer__in=in_credit)
        .values_list("customer_id", flat=True)
        .distinct()
    )
    return Customer.objects.filter(pk__in=ids).order_by("pk")


def _candidate_invoices(today: dt.date) -> list[tuple[int, int]]:
    auto_customers = PaymentMethod.objects.filter(is_default=True, active=True, kind__in=AUTO_METHODS).values(
        "customer_id"
    )
    return list(
        Invoice.objects.filter(status=Invoice.Status.ISSUED, due_date__lte=today, customer__in=auto_customers)
        .order_by("customer_id", "due_date", "id")
        .values_list("id", "customer_id")
    )


def _claim(
    customer_ids: list[int],
    *,
    today: dt.date,
    calendar: BusinessCalendar,
    skip_locked: bool,
    counts: Counter[str],
) -> tuple[list[int], list[int]]:
    """Offset credit and claim the attempts due today for a batch of customers, under their row locks, in
    one transaction, with a fixed number of queries (issue 16) besides the credit offsets.

    Returns the new pending payment ids, and the customers left out because another transaction held
    them (only with ``skip_locked``)."""
    with transaction.atomic():
        locked = list(
            Customer.objects.select_for_update(skip_locked=skip_locked)
            .filter(pk__in=customer_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        held = sorted(set(customer_ids) - set(locked))
        if not locked:
            return [], held
        # BIL-17 first: credit pays towards open invoices before anything is charged
        for customer in _customers_with_credit_and_open_invoices(locked):
            counts["credit_applied"] += len(credit_apply(customer=customer, today=today))
        methods: dict[int, PaymentMethod] = {}
        for method in PaymentMethod.objects.filter(
            customer_id__in=locked, is_default=True, active=True, kind__in=AUTO_METHODS
        ):
            methods.setdefault(method.customer_id, method)  # one default method per customer
        if not methods:
            return [], held
        invoices = list(
            Invoice.objects.filter(
                customer_id__in=list(methods), status=Invoice.Status.ISSUED, due_date__lte=today
            )
            .select_related("policy")
            .order_by("customer_id", "due_date", "id")
        )
        attempts: dict[int, list[Payment]] = defaultdict(list)
        for payment in Payment.objects.filter(
            invoice_id__in=[invoice.pk for invoice in invoices], method__in=AUTO_METHODS
        ).order_by("invoice_id", "attempt"):
            attempts[payment.invoice_id or 0].append(payment)
        # the rules of those with an attempt made: their retries (CON-12 special terms count)
        policies = policies_for_invoices(invoice for invoice in invoices if attempts[invoice.pk])
        due = [
            invoice
            for invoice in invoices
            if (on := _next_attempt_from(invoice, attempts[invoice.pk], calendar, policies.get(invoice.pk)))
            is not None
            and on <= today
        ]
        if not due:
            return [], held
        open_won = _open_amounts([invoice.pk for invoice in due])
        claims = []
        for invoice in due:
            amount = open_won.get(invoice.pk, 0)
            if amount <= 0:
                continue
            method = methods[invoice.customer_id]
            attempt = max((p.attempt for p in attempts[invoice.pk]), default=0) + 1
            claims.append(
                Payment(
                    customer_id=invoice.customer_id,
                    invoice=invoice,
                    method=method.kind,
                    payment_method=method,
                    amount_won=amount,
                    received_on=today,
                    status=Payment.Status.PENDING,
                    attempt=attempt,
                    idempotency_key=_job_key(invoice, attempt),
                )
            )
        return [payment.pk for payment in _create_claims(claims)], held


def _open_amounts(invoice_ids: list[int]) -> dict[int, int]:
    """Each invoice's open amount (``ledger.invoice_open_amount``: Σ its ledger entries), one query."""
    rows = (
        LedgerEntry.objects.filter(invoice_id__in=invoice_ids)
        .values_list("invoice_id")
        .annotate(total=Sum("amount_won"))
        .order_by()
    )
    return {invoice_id: int(total or 0) for invoice_id, total in rows}


def _create_claims(claims: list[Payment]) -> list[Payment]:
    """Insert the batch's pending attempts (with their history rows) at once; when a unique index (attempt
    number, idempotency key) refuses the insert, one at a time, leaving out those another worker took."""
    if not claims:
        return []
    try:
        with transaction.atomic():
            return bulk_create_audited(claims)
    except IntegrityError:
        for claim in claims:
            claim.pk = None
    created: list[Payment] = []
    for claim in claims:
        try:
            with transaction.atomic():
                created.extend(bulk_create_audited([claim]))
        except IntegrityError:
            claim.pk = None  # another worker claimed this attempt (or this key)
    return created


def _claim_attempt(
    *,
    customer: Customer,
    method: PaymentMethod,
    invoice: Invoice,
    today: dt.date,
    idempotency_key: str | None = None,
) -> Payment | None:
    """Claim one charge of the invoice's open amount as a pending attempt (under the customer lock,
    which the caller holds). Returns None when nothing is owed or another worker took the number."""
    amount = ledger.invoice_open_amount(invoice)
    if amount <= 0:
        return None
    attempt = (max((p.attempt for p in _attempts(invoice)), default=0)) + 1
    try:
        with transaction.atomic():
            return Payment.objects.create(
                customer=customer,
                invoice=invoice,
                method=method.kind,
                payment_method=method,
                amount_won=amount,
                received_on=today,
                status=Payment.Status.PENDING,
                attempt=attempt,
                idempotency_key=idempotency_key or _job_key(invoice, attempt),
            )
    except IntegrityError:
        return None  # another worker claimed this attempt (or this key)


def _stale_pending_ids() -> list[int]:
    """Pending automatic attempts untouched for ``PENDING_STALE_AFTER``: orphaned by a crash."""
    return list(
        Payment.objects.filter(
            status=Payment.Status.PENDING,
            method__in=AUTO_METHODS,
            invoice__isnull=False,
            updated_at__lt=timezone.now() - PENDING_STALE_AFTER,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _claim_stale_pending(ids: list[int]) -> list[int]:
    """Take the stale pending attempts among ``ids``, each by one worker only: locked SKIP LOCKED and
    touched in one transaction (a worker that comes later finds them fresh)."""
    cutoff = timezone.now() - PENDING_STALE_AFTER
    with transaction.atomic():
        taken = list(
            Payment.objects.select_for_update(skip_locked=True)
            .filter(pk__in=ids, status=Payment.Status.PENDING, method__in=AUTO_METHODS, updated_at__lt=cutoff)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if taken:
            Payment.objects.filter(pk__in=taken).update(updated_at=timezone.now())
    return taken


def _run(payment_ids: list[int], *, gateway: PaymentGateway, today: dt.date, counts: Counter[str]) -> None:
    for payment_id in payment_ids:
        counts["charged"] += 1
        _execute(payment_id, gateway=gateway, today=today, counts=counts)


def _execute(payment_id: int, *, gateway: PaymentGateway, today: dt.date, counts: Counter[str]) -> None:
    """Send one claimed attempt to the gateway (outside any transaction), then record the outcome."""
    payment = Payment.objects.select_related("invoice", "payment_method").get(pk=payment_id)
    if payment.status != Payment.Status.PENDING:
        return
    invoice = payment.invoice
    assert invoice is not None
    token = payment.payment_method.gateway_token if payment.payment_method else ""
    key = payment.idempotency_key or _job_key(invoice, payment.attempt)
    template = (
        _("{number} 자동 결제 {attempt}회차")
        if key == _job_key(invoice, payment.attempt)
        else _("{number} 즉시 결제 {attempt}회차")
    )
    description = template.format(number=invoice.number, attempt=payment.attempt)
    try:
        result = gateway.charge(
            amount_won=payment.amount_won, token=token, idempotency_key=key, description=description
        )
    except GatewayError as exc:
        log.warning("charge %s: outcome unknown, kept pending: %s", payment.idempotency_key, exc)
        Payment.objects.filter(pk=payment.pk, status=Payment.Status.PENDING).update(
            failure_reason=f"gateway: {exc}"[:300], updated_at=timezone.now()
        )
        counts["unknown"] += 1
        return
    charge_outcome_record(payment_id=payment_id, result=result, today=today, counts=counts)


def charge_outcome_record(
    *, payment_id: int, result: ChargeResult, today: dt.date, counts: Counter[str] | None = None
) -> bool:
    """Write a gateway's answer for a pending attempt (BIL-7, BIL-8): succeeded → applied to the ledger;
    declined → failed, the next retry (or the dunning ladder) follows. The one place a charge outcome is
    recorded: the job, pay-now and a gateway's webhook (``gateway_webhooks``) all come here. Under the
    customer lock; returns False (and changes nothing) when the attempt is no longer pending."""
    counts = counts if counts is not None else Counter()
    with transaction.atomic():
        customer = Payment.objects.select_related("customer").get(pk=payment_id).customer
        ledger.lock_customer(customer)
        payment = (
            Payment.objects.select_for_update(of=("self",))
            .select_related("invoice__policy")
            .get(pk=payment_id)
        )
        if payment.status != Payment.Status.PENDING:
            return False  # another worker (or a webhook) recorded it
        payment.reference = result.reference[:200]
        if result.success:
            payment.failure_reason = ""
            transition(payment, PAYMENT, Payment.Status.SUCCEEDED, today=today,
                       save_fields=["reference", "failure_reason"])
            payment_apply(payment=payment, today=today)
            counts["succeeded"] += 1
            return True
        payment.failure_reason = (result.failure_reason or _("결제 실패"))[:300]
        transition(payment, PAYMENT, Payment.Status.FAILED, today=today, reason=str(payment.failure_reason),
                   save_fields=["reference", "failure_reason"])
        counts["failed"] += 1
        if payment.invoice is not None and next_attempt_on(payment.invoice) is None:
            counts["exhausted"] += 1  # BIL-8: no more retries; the dunning ladder takes over
        else:
            counts["retry_scheduled"] += 1
        return True


# --------------------------------------------------------------------------- pay now


def invoice_charge_now(
    *,
    invoice: Invoice,
    idempotency_key: str,
    today: dt.date,
    kind: str | None = None,
    gateway: PaymentGateway | None = None,
) -> Payment:
    """A customer pays ``invoice`` now with its default CMS/card method (BIL-7).

    Same discipline as the job: the charge is claimed as a pending attempt (next attempt number,
    ``idempotency_key`` as the row's and the gateway's key) under the customer lock, sent after that
    commit, and its outcome written under the lock again. Returns the attempt: ``succeeded``
    (applied to the ledger), ``failed`` (declined; recorded, no money) or ``pending`` (the gateway
    did not answer; the job resends it with the same key, as does calling this again with the key).

    The same key again returns that attempt (resending it while pending); with another invoice or
    method kind it is a ``Conflict``. Refused while another charge of the invoice is pending.
    """
    key = (idempotency_key or "").strip()
    if not key or len(key) > 100:
        raise DomainError(
            "idempotency_key_required",
            gettext_lazy("멱등 키(100자 이내)가 필요합니다."),
            rule="BIL-7",
            field="idempotency_key",
        )
    if kind is not None and kind not in AUTO_METHODS:
        raise DomainError(
            "payment_method_unknown",
            gettext_lazy("즉시 결제는 CMS 또는 카드로만 할 수 있습니다: {method}"),
            rule="BIL-7",
            field="method",
            method=kind,
        )
    gateway = gateway or get_gateway()
    with transaction.atomic():
        customer = ledger.lock_customer(invoice.customer)
        existing = Payment.objects.filter(idempotency_key=key).first()
        if existing is None:
            payment = _claim_now(customer=customer, invoice=invoice, key=key, kind=kind, today=today)
        else:
            payment = _same_charge(existing, invoice=invoice, kind=kind)
    if payment.status == Payment.Status.PENDING:
        _execute(payment.pk, gateway=gateway, today=today, counts=Counter())
        payment.refresh_from_db()
    return payment


def _same_charge(existing: Payment, *, invoice: Invoice, kind: str | None) -> Payment:
    if existing.invoice_id != invoice.pk or (kind is not None and existing.method != kind):
        raise Conflict(
            "idempotency_key_reused",
            gettext_lazy("같은 멱등 키가 다른 결제 요청에 이미 쓰였습니다."),
            rule="BIL-7",
            field="idempotency_key",
        )
    return existing


def _claim_now(
    *, customer: Customer, invoice: Invoice, key: str, kind: str | None, today: dt.date
) -> Payment:
    if invoice.customer_id != customer.pk:
        raise DomainError(
            "wrong_customer", gettext_lazy("다른 고객의 청구서입니다."), rule="BIL-7", field="invoice"
        )
    methods = PaymentMethod.objects.filter(
        customer=customer, is_default=True, active=True, kind__in=AUTO_METHODS
    )
    method = methods.filter(kind=kind).first() if kind is not None else methods.first()
    if method is None:
        raise DomainError(
            "no_default_method",
            gettext_lazy("기본 결제 수단으로 등록된 {kind}이(가) 없습니다."),
            rule="BIL-7",
            field="method",
            kind=PaymentMethod.Kind(kind).label if kind else gettext_lazy("CMS·카드"),
        )
    invoice = Invoice.objects.select_related("policy").get(pk=invoice.pk)
    if invoice.status == Invoice.Status.ISSUED and any(
        p.status == Payment.Status.PENDING for p in _attempts(invoice)
    ):
        raise Conflict(
            "charge_in_progress",
            gettext_lazy("청구서 {number}의 결제가 처리 중입니다. 잠시 후 결과를 확인해 주세요."),
            rule="BIL-7",
            field="invoice_id",
            number=invoice.number,
        )
    payment = None
    if invoice.status == Invoice.Status.ISSUED:
        payment = _claim_attempt(
            customer=customer, method=method, invoice=invoice, today=today, idempotency_key=key
        )
    if payment is None:
        raise DomainError(
            "nothing_to_pay",
            gettext_lazy("청구서 {number}에 낼 금액이 없습니다."),
            rule="BIL-7",
            field="invoice_id",
            number=invoice.number,
        )
    return payment
