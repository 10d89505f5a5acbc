"""SLA credits (SLA-4, SLA-6): the month close, the credit per policy, and corrections.

The credit for a month, by the policy's ``sla_credit_model`` (numbers from the policy):

* ``tiers_of_month_fee`` (officecore): the tier's percent of the month's fee (000 art.23①-3);
* ``tiers_of_average_spend`` (flow): the tier's percent of the average fee of the last
  ``sla_average_months`` months (this one included, months without a fee left out) (001 art.25-2);
* ``daily_fee_after_floor`` (dcloud): the daily fee (month fee / days in month) for each calendar day
  with counted outage after the moment availability fell below ``sla_target_percent`` (002 art.36③);
* ``multiplied_daily_fee`` (damoa): ``sla_multiplier`` × the average daily fee × the days without
  service, from the day the outage began to the day before service returned (004 art.27-1).

Whatever the model, the credit never exceeds the month's fee (``sla_credit_cap``: the month fee for
officecore/dcloud/damoa; for flow "what the customer paid that month" is read as the fee billed for
the month **[reading]**: a credit note lowers that invoice, paid or not). Free services earn none
(SLA-6). Where the policy needs a claim (SLA-5) the month waits for it (``sla.services.claims``).

The credit is a credit note on the invoice carrying the month's fee (``billing.services.notes``,
reason ``sla_credit``). A closed month is never changed silently: when an incident is corrected
afterwards, :func:`month_recompute` stores the new working (``revision`` + 1) and issues the
difference — a further credit note when the credit grows, a debit note reversing the earlier
notes and a new credit note for the new amount when it shrinks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Subquery
from django.utils.translation import gettext as _

from accounts.models import Customer
from billing.models import CreditNote, Invoice, InvoiceLine
from billing.services.ledger import lock_customer
from billing.services.notes import (
    NoteRequest,
    credit_note_issue,
    credit_notes_issue_many,
    creditable_amount,
    debit_note_reverse,
)
from contracts.effective import EffectivePolicy, active_terms_prefetch, effective_policy
from contracts.models import Contract, SlaCreditModel
from core.audit import bulk_create_audited
from core.calendar import add_months, days_in_month, month_end, month_start
from core.clock import SEOUL, start_of_day
from core.formatting import quantity
from core.jobs import run_batches
from core.money import round_won
from core.related import attach_related
from messaging.services import NoticeRequest, notify_many

from .. import selectors
from ..models import SlaClaim, SlaCreditDocument, SlaMonth
from ..notices import notice_request, notify_customer
from .availability import Measurement, measure_month, read_bounds
from .fees import MonthFee, fee_lines, month_fee, recent_fees
from .intervals import Span, total_minutes


@dataclass(frozen=True)
class Credit:
    amount_won: int
    fee: MonthFee
    basis: str
    free: bool = False


def _won(n: int | Fraction) -> str:
    return f"{int(n):,}"


def _tier_percent(policy: EffectivePolicy, availability: Fraction) -> Fraction:
    for tier in policy.sla_credit_tiers or []:
        lo, hi = Fraction(str(tier["min"])), Fraction(str(tier["max"]))
        if lo <= availability < hi:
            return Fraction(str(tier["percent"]))
    return Fraction(0)


def _dates(span: Span) -> set[dt.date]:
    """The Seoul calendar days a span touches."""
    first = span[0].astimezone(SEOUL).date()
    last = (span[1] - dt.timedelta(microseconds=1)).astimezone(SEOUL).date()
    return {first + dt.timedelta(days=n) for n in range((last - first).days + 1)}


def days_after_floor(m: Measurement, target_percent: Fraction) -> tuple[dt.datetime | None, list[dt.date]]:
    """dcloud (002 art.36③): when availability fell below the floor, and the days with counted outage
    after that moment."""
    allowed = m.service_minutes * (1 - target_percent / 100)
    used = Fraction(0)
    crossed: dt.datetime | None = None
    days: set[dt.date] = set()
    for start, end in m.counted_spans:
        if crossed is None:
            length = total_minutes([(start, end)])
            if used + length <= allowed:
                used += length
                continue
            crossed = start + dt.timedelta(seconds=float((allowed - used) * 60))
            start = crossed
        if end > start:
            days |= _dates((start, end))
    return crossed, sorted(days)


def days_without_service(m: Measurement) -> list[dt.date]:
    """damoa (004 art.27-1): from the day the outage began to the day before service returned."""
    if m.window is None:
        return []
    first = m.window[0].astimezone(SEOUL).date()
    last = (m.window[1] - dt.timedelta(microseconds=1)).astimezone(SEOUL).date()
    days: set[dt.date] = set()
    for outage in m.outages:
        if not outage.counted:
            continue
        day, back = outage.start.astimezone(SEOUL).date(), outage.end.astimezone(SEOUL).date()
        while day < back:
            if first <= day <= last:
                days.add(day)
            day += dt.timedelta(days=1)
    return sorted(days)


def compute_credit(*, contract: Contract, m: Measurement, lines: list[InvoiceLine] | None = None) -> Credit:
    """SLA-4/6: the credit ``m`` earns under the contract's policy, capped, with its basis in words.
    ``lines``: the contract's fee lines read beforehand for a batch (``fees.fee_lines``)."""
    policy = effective_policy(contract)
    mode = str(policy.rounding)
    fee = month_fee(contract, m.month, mode, lines)
    if contract.plan.is_free or fee.fee_won <= 0:
        return Credit(0, fee, _("무료 서비스 또는 요금 없음: 보상 없음 (SLA-6)"), free=True)
    model = str(policy.sla_credit_model)
    availability = m.availability_exact
    dim = days_in_month(m.month.year, m.month.month)
    amount = Fraction(0)
    basis = ""
    if model == SlaCreditModel.TIERS_OF_MONTH_FEE:
        pct = _tier_percent(policy, availability)
        amount = Fraction(fee.fee_won) * pct / 100
        basis = _("가용률 {a}% → 월 요금 {fee}원 × {p}%").format(
            a=quantity(m.availability), fee=_won(fee.fee_won), p=pct
        )
    elif model == SlaCreditModel.TIERS_OF_AVERAGE_SPEND:
        pct = _tier_percent(policy, availability)
        fees = recent_fees(contract, m.month, int(policy.sla_average_months or 1), mode, lines)
        average = Fraction(sum(f.fee_won for f in fees), len(fees)) if fees else Fraction(0)
        amount = average * pct / 100
        parts = " + ".join(f"{f.month:%Y-%m} {_won(f.fee_won)}" for f in fees)
        basis = _("가용률 {a}% → 평균 사용금액 ({parts}) ÷ {n} = {avg}원 × {p}%").format(
            a=quantity(m.availability), parts=parts, n=len(fees), avg=_won(round_won(average, mode)), p=pct
        )
    elif model == SlaCreditModel.DAILY_FEE_AFTER_FLOOR:
        target = Fraction(str(policy.sla_target_percent or 0))
        crossed, days = days_after_floor(m, target)
        amount = Fraction(fee.fee_won * len(days), dim)
        when = crossed.astimezone(SEOUL).strftime("%Y-%m-%d %H:%M") if crossed else "-"
        basis = _(
            "가용률 {a}% ({t}% 미달 시점 {when}) → 이후 장애일 {days} = {n}일 × 일 요금 ({fee}원 ÷ {dim}일)"
        ).format(
            a=quantity(m.availability),
            t=target,
            when=when,
            days=", ".join(f"{d:%m-%d}" for d in days) or "-",
            n=len(days),
            fee=_won(fee.fee_won),
            dim=dim,
        )
    elif model == SlaCreditModel.MULTIPLIED_DAILY_FEE:
        multiplier = Fraction(str(policy.sla_multiplier or 0))
        days = days_without_service(m)
        amount = multiplier * Fraction(fee.fee_won, dim) * len(days)
        basis = _("미이용 일수 {days} = {n}일 × 1일 평균 요금 ({fee}원 ÷ {dim}일) × {x}배").format(
            days=", ".join(f"{d:%m-%d}" for d in days) or "-",
            n=len(days),
            fee=_won(fee.fee_won),
            dim=dim,
            x=multiplier,
        )
    credit = round_won(amount, mode)
    if credit > fee.fee_won:
        basis += _(" → 상한 {cap}원 (해당 월 요금)").format(cap=_won(fee.fee_won))
        credit = fee.fee_won
    return Credit(credit, fee, basis)


# --------------------------------------------------------------------------- the month close


def _month_row(
    contract: Contract, month: dt.date, m: Any, credit: Any, policy: EffectivePolicy, today: dt.date
) -> SlaMonth:
    """The month's record, unsaved (SLA-3, SLA-4): its measure, credit and status, the same for one
    contract closed alone and for a batch."""
    claim_required = bool(policy.sla_claim_required)
    if credit.free:
        status = SlaMonth.Status.NOT_ELIGIBLE
    elif credit.amount_won <= 0:
        status = SlaMonth.Status.NO_CREDIT
    else:
        status = SlaMonth.Status.AWAITING_CLAIM if claim_required else SlaMonth.Status.CREDITED
    return SlaMonth(
        contract=contract,
        month=month,
        service_minutes=m.service_minutes,
        counted_minutes=_minutes(m),
        availability=m.availability,
        breakdown=m.breakdown(),
        fee_won=credit.fee.fee_won,
        credit_won=credit.amount_won,
        credit_basis=credit.basis,
        status=status,
        claim_required=claim_required,
        claim_due_on=_claim_due_on(policy, month) if credit.amount_won > 0 else None,
        closed_on=today,
    )


def _claim_due_on(policy: EffectivePolicy, month: dt.date) -> dt.date | None:
    """SLA-5 [reading]: the claim window counts from the day the month closes (the 1st of the next
    month), the first day a claim with its amount and basis can be made."""
    if not policy.sla_claim_required:
        return None
    closing = add_months(month, 1)
    if policy.sla_claim_window_months:
        return add_months(closing, int(policy.sla_claim_window_months)) - dt.timedelta(days=1)
    return closing + dt.timedelta(days=int(policy.sla_claim_window_days or 0) - 1)


def month_close_contract(*, contract: Contract, month: dt.date, today: dt.date) -> tuple[SlaMonth, bool]:
    """Close one contract's month (SLA-3/4): measure, store the working, and credit where no claim is
    needed. Once per contract and month (a unique constraint); returns (month, created)."""
    month = month_start(month)
    with transaction.atomic():
        lock_customer(contract.customer)
        existing = SlaMonth.objects.filter(contract=contract, month=month).first()
        if existing is not None:
            return existing, False
        contract = Contract.objects.select_related("customer", "plan", "policy").get(pk=contract.pk)
        policy = effective_policy(contract)
        m = measure_month(contract=contract, month=month, now=start_of_day(today))
        credit = compute_credit(contract=contract, m=m)
        try:
            with transaction.atomic():
                record = _month_row(contract, month, m, credit, policy, today)
                record.save(force_insert=True)
        except IntegrityError:  # closed meanwhile by a path that skipped the customer lock
            return SlaMonth.objects.get(contract=contract, month=month), False
        if record.status == SlaMonth.Status.CREDITED:
            _settle(record, credit.fee.invoice, today, kind=SlaCreditDocument.Kind.ORIGINAL)
        elif record.status == SlaMonth.Status.AWAITING_CLAIM:
            notify_customer(
                contract.customer,
                "sla.credit.claimable",
                today=today,
                dedupe_key=f"sla.credit.claimable:{record.pk}",
                context=_context(record),
            )
        return record, True


def _minutes(m: Measurement) -> Decimal:
    value = m.counted_minutes
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"))


def _context(record: SlaMonth) -> dict[str, Any]:
    return {
        "contract_number": record.contract.number,
        "month": f"{record.month:%Y-%m}",
        "availability": str(record.availability),
        "credit_won": record.credit_won,
        "basis": record.credit_basis,
        "claim_due_on": record.claim_due_on.isoformat() if record.claim_due_on else "",
    }


def _description(record: SlaMonth) -> str:
    return _("SLA 보상 {month} ({contract}): {basis}").format(
        month=f"{record.month:%Y-%m}", contract=record.contract.number, basis=record.credit_basis
    )


def issued_won(record: SlaMonth) -> int:
    """What the month's credit documents add up to (credits positive, reversals negative)."""
    return sum(d.amount_won for d in record.documents.all())


def _settle(record: SlaMonth, invoice: Invoice | None, today: dt.date, *, kind: str) -> None:
    """Bring the credit documents of ``record`` to ``record.credit_won`` (caller holds the lock)."""
    target, already = record.credit_won, issued_won(record)
    if target == already:
        return
    if target < already:
        for doc in record.documents.filter(amount_won__gt=0).select_related("credit_note"):
            if CreditNote.objects.filter(reverses=doc.credit_note).exists():
                continue
            debit = debit_note_reverse(
                credit_note=doc.credit_note,
                reason=_("SLA 재산정 {month} (차수 {rev})").format(
                    month=f"{record.month:%Y-%m}", rev=record.revision
                ),
                today=today,
            )
            SlaCreditDocument.objects.create(
                sla_month=record,
                credit_note=debit,
                kind=SlaCreditDocument.Kind.REVERSAL,
                amount_won=-doc.amount_won,
                revision=record.revision,
                issued_on=today,
            )
        already = issued_won(record)
        kind = SlaCreditDocument.Kind.CORRECTION
    amount = target - already
    if amount <= 0 or invoice is None:
        return
    amount = min(amount, creditable_amount(invoice))
    if amount <= 0:
        return
    note = credit_note_issue(
        invoice=invoice,
        amount_won=amount,
        reason=CreditNote.Reason.SLA_CREDIT,
        description=_description(record),
        today=today,
        idempotency_key=f"sla:{record.pk}:r{record.revision}:{kind}",
    )
    SlaCreditDocument.objects.create(
        sla_month=record,
        credit_note=note,
        kind=kind,
        amount_won=amount,
        revision=record.revision,
        issued_on=today,
    )
    notify_customer(
        record.contract.customer,
        "sla.credit.issued",
        today=today,
        dedupe_key=f"sla.credit.issued:{note.pk}",
        context={**_context(record), "credit_won": amount, "credit_note_number": note.number},
    )


def credit_pay(*, record: SlaMonth, today: dt.date) -> SlaMonth:
    """Issue the month's computed credit (a claim was approved, SLA-5). Caller holds the lock."""
    fee = month_fee(record.contract, record.month, str(effective_policy(record.contract).rounding))
    record.status = SlaMonth.Status.CREDITED
    record.save(update_fields=["status", "updated_at"])
    _settle(record, fee.invoice, today, kind=SlaCreditDocument.Kind.ORIGINAL)
    return record


def _payable(record: SlaMonth) -> bool:
    if not record.claim_required:
        return True
    return record.claims.filter(status=SlaClaim.Status.APPROVED).exists()


def month_recompute(*, record: SlaMonth, today: dt.date, reason: str) -> SlaMonth:
    """Measure a closed month again after an incident changed (SLA-3/4): store the new working as a new
    revision and issue the difference as credit or debit notes. Nothing changes when the result is the
    same."""
    with transaction.atomic():
        lock_customer(record.contract.customer)
        record = (
            SlaMonth.objects.select_for_update()
            .select_related("contract", "contract__customer", "contract__plan", "contract__policy")
            .get(pk=record.pk)
        )
        contract = record.contract
        m = measure_month(
            contract=contract, month=record.month, now=start_of_day(max(today, add_months(record.month, 1)))
        )
        credit = compute_credit(contract=contract, m=m)
        minutes_now = _minutes(m)
        if minutes_now == record.counted_minutes and credit.amount_won == record.credit_won:
            return record
        breakdown = m.breakdown()
        breakdown["revision_note"] = {
            "revision": record.revision + 1,
            "reason": reason,
            "on": today.isoformat(),
            "previous": {
                "counted_minutes": str(record.counted_minutes),
                "availability": str(record.availability),
                "credit_won": record.credit_won,
            },
        }
        record.revision += 1
        record.service_minutes = m.service_minutes
        record.counted_minutes = minutes_now
        record.availability = m.availability
        record.breakdown = breakdown
        record.fee_won = credit.fee.fee_won
        record.credit_won = credit.amount_won
        record.credit_basis = credit.basis
        payable = _payable(record)
        if credit.free:
            record.status = SlaMonth.Status.NOT_ELIGIBLE
        elif payable and (credit.amount_won > 0 or issued_won(record) > 0):
            record.status = SlaMonth.Status.CREDITED
        elif credit.amount_won > 0:
            record.status = SlaMonth.Status.AWAITING_CLAIM
            record.claim_due_on = record.claim_due_on or _claim_due_on(
                effective_policy(contract), record.month
            )
        else:
            record.status = SlaMonth.Status.NO_CREDIT
        record.save()
        if payable:
            _settle(record, credit.fee.invoice, today, kind=SlaCreditDocument.Kind.CORRECTION)
        return record


def months_recompute(
    *,
    service: str,
    plan_id: int | None,
    contract_id: int | None,
    spans: list[Span],
    today: dt.date,
    reason: str,
) -> int:
    """Recompute every closed month the given spans touch, for the contracts concerned."""
    if not spans:
        return 0
    start = min(s for s, _e in spans).astimezone(SEOUL).date()
    end = max(e for _s, e in spans).astimezone(SEOUL).date()
    ids = list(
        selectors.affected_contracts(
            service=service, plan_id=plan_id, contract_id=contract_id, live_only=False
        ).values_list("pk", flat=True)
    )
    n = 0
    for record in selectors.closed_months(ids, start - dt.timedelta(days=31), end + dt.timedelta(days=31)):
        before = record.revision
        if month_recompute(record=record, today=today, reason=reason).revision != before:
            n += 1
    return n


#: Customers per batch of the month close (as the invoice run's ``invoicing.BATCH_SIZE``): one
#: transaction, one read per table and one insert per table for each, a customer's contracts together.
BATCH_SIZE = 500
#: Rows per INSERT statement.
INSERT_BATCH = 2000
ZERO = {"contracts": 0, "closed": 0, "credited": 0, "awaiting_claim": 0}


def _closing_month(today: dt.date) -> dt.date:
    return add_months(month_start(today), -1)


def sla_month_close_plan(*, today: dt.date) -> list[dict[str, Any]]:
    """The batches of the month close for ``today`` (issue 19): the contracts not closed yet for last
    month, in (customer, id) order, those of ``BATCH_SIZE`` customers in each batch."""
    month = _closing_month(today)
    rows = (
        selectors.contracts_in_month(month)
        .exclude(sla_months__month=month)
        .order_by("customer_id", "pk")
        .values_list("customer_id", "pk")
    )
    batches: list[dict[str, Any]] = []
    ids: list[int] = []
    last: int | None = None
    customers = 0
    for customer_id, pk in rows:
        if customer_id != last:
            if customers == BATCH_SIZE:
                batches.append({"ids": ids})
                ids, customers = [], 0
            customers += 1
            last = customer_id
        ids.append(pk)
    if ids:
        batches.append({"ids": ids})
    return batches


def sla_month_close_batch(*, today: dt.date, payload: dict[str, Any]) -> dict[str, int]:
    """One batch of the month close (SLA-3, SLA-4), in one transaction, set-based (issue 16): the
    customers locked (waiting, in id order: a second worker on the same batch finds it closed), the
    contracts still open for the month measured from one read per table (``selectors.BatchReads``, the
    fee lines), their months, credit notes, credit documents and notices each written with one insert.
    Idempotent: a contract already closed for the month is left alone."""
    month = _closing_month(today)
    ids = sorted(int(pk) for pk in payload.get("ids", []))
    counts = dict(ZERO)
    if not ids:
        return counts
    with transaction.atomic():
        list(
            Customer.objects.select_for_update()
            .filter(pk__in=Subquery(Contract.objects.filter(pk__in=ids).values("customer_id")))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        contracts = list(
            selectors.contracts_in_month(month)
            .filter(pk__in=ids)
            .exclude(sla_months__month=month)
            .select_related(None)
            .prefetch_related(active_terms_prefetch())
        )
        # one customer, plan and policy object per row read, shared (not a joined copy per contract, each
        # parsing its phone number or decoding its JSON: issue 16, core.related)
        attach_related(contracts, "customer", "plan", "policy")
        counts["contracts"] = len(contracts)
        records = _close_many(contracts, month, today)
    counts["closed"] = len(records)
    counts["credited"] = sum(r.status == SlaMonth.Status.CREDITED for r in records)
    counts["awaiting_claim"] = sum(r.status == SlaMonth.Status.AWAITING_CLAIM for r in records)
    return counts


def _close_many(contracts: list[Contract], month: dt.date, today: dt.date) -> list[SlaMonth]:
    """:func:`month_close_contract` for contracts whose customers the caller has locked, set-based;
    returns the months created."""
    if not contracts:
        return []
    policies = {c.pk: effective_policy(c) for c in contracts}
    gap = max(int(p.sla_join_gap_minutes or 0) for p in policies.values())
    reads = selectors.BatchReads(contracts, *read_bounds(month, gap))
    average = max(int(p.sla_average_months or 1) for p in policies.values())
    lines = fee_lines([c.pk for c in contracts], add_months(month, 1 - max(average, 1)), month_end(month))
    now = start_of_day(today)
    records: list[SlaMonth] = []
    fees: list[MonthFee] = []
    for contract in contracts:
        policy = policies[contract.pk]
        m = measure_month(contract=contract, month=month, now=now, reads=reads)
        credit = compute_credit(contract=contract, m=m, lines=lines[contract.pk])
        records.append(_month_row(contract, month, m, credit, policy, today))
        fees.append(credit.fee)
    try:
        with transaction.atomic():
            records = bulk_create_audited(records, batch_size=INSERT_BATCH)
    except IntegrityError:  # a month closed meanwhile by a path that skipped the customer lock
        closed = [month_close_contract(contract=c, month=month, today=today) for c in contracts]
        return [record for record, created in closed if created]
    credited = [
        (record, fee.invoice)
        for record, fee in zip(records, fees, strict=True)
        if record.status == SlaMonth.Status.CREDITED and fee.invoice is not None
    ]
    notes = credit_notes_issue_many(
        [
            NoteRequest(
                invoice=invoice,
                amount_won=record.credit_won,
                reason=CreditNote.Reason.SLA_CREDIT,
                description=_description(record),
                idempotency_key=f"sla:{record.pk}:r{record.revision}:{SlaCreditDocument.Kind.ORIGINAL}",
            )
            for record, invoice in credited
        ],
        today=today,
    )
    issued = {
        record.pk: note for (record, _invoice), note in zip(credited, notes, strict=True) if note is not None
    }
    SlaCreditDocument.objects.bulk_create(
        [
            SlaCreditDocument(
                sla_month_id=pk,
                credit_note=note,
                kind=SlaCreditDocument.Kind.ORIGINAL,
                amount_won=_note_amount(note),
                revision=1,
                issued_on=today,
            )
            for pk, note in issued.items()
        ]
    )
    notices: list[NoticeRequest] = []
    for record in records:
        note = issued.get(record.pk)
        if note is not None:
            context = {
                **_context(record),
                "credit_won": _note_amount(note),
                "credit_note_number": note.number,
            }
            notices.append(
                notice_request(
                    record.contract.customer,
                    "sla.credit.issued",
                    today=today,
                    dedupe_key=f"sla.credit.issued:{note.pk}",
                    context=context,
                )
            )
        elif record.status == SlaMonth.Status.AWAITING_CLAIM:
            notices.append(
                notice_request(
                    record.contract.customer,
                    "sla.credit.claimable",
                    today=today,
                    dedupe_key=f"sla.credit.claimable:{record.pk}",
                    context=_context(record),
                )
            )
    notify_many(notices)
    return records


def _note_amount(note: CreditNote) -> int:
    """A credit note's amount in its invoice's price basis (what ``credit_note_issue`` was asked for)."""
    assert note.invoice is not None
    return note.total_won if note.invoice.vat_inclusive else note.supply_won


def sla_month_close(*, today: dt.date) -> dict[str, int]:
    """The ``sla_month_close`` job (SPEC §10): availability and credits for last month (SLA-3,4). Runs on
    any day for the month before ``today``'s; a month already closed for a contract is skipped (the job
    runs every day of a replay). Batched (:func:`sla_month_close_plan`, :func:`sla_month_close_batch`)."""
    return run_batches(sla_month_close_plan, sla_month_close_batch, today=today, zero=ZERO)
