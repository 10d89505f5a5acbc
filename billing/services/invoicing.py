"""The invoice run (BIL-2, BIL-3): one invoice per customer, billing schedule and period, all the
customer's contracts on that schedule as lines.

* Schedule (``Invoice.schedule``): the contracts' policy code (``-annual`` for annual-cycle contracts,
  whose periods are the contract's terms; ``-c<contract id>`` when a special term changes a billing
  parameter of one contract, so its dates and VAT can differ from its siblings').
* The run for ``today`` issues every period whose nominal issue date (``dates.nominal_issue_date``) has
  come and that has no invoice yet, looking back ``LOOKBACK_MONTHS``: a missed run day, or a contract
  activated after the nominal date, is issued by the next run, dated that day.
* Idempotent and safe on several workers: each invoice is created in its own transaction after locking
  the customer row (``ledger.lock_customer``); the unique (customer, schedule, period_start) index of
  regular invoices is the backstop (an ``IntegrityError`` means another worker issued it).
* The gapless number is taken inside the same transaction (``numbering.next_number``), and one ledger
  entry of kind ``invoice`` is posted for the total with ``key=f"invoice:{pk}"``.
* An issued invoice is never updated by this module; corrections are credit notes.

:func:`invoice_preview` computes exactly the drafts the run would issue on a date, writing nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property, partial
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet, prefetch_related_objects

from accounts.models import Customer
from contracts.effective import EffectivePolicy, active_terms_prefetch, effective_policy
from contracts.models import BillingCycle, Contract, ContractStatus, Policy
from contracts.models.contract import LIVE
from core.audit import bulk_create_audited
from core.calendar import BusinessCalendar, add_months, default_calendar, month_start
from core.errors import DomainError
from core.related import attach_related, rows_of, rows_prefetch

from ..models import Invoice, InvoiceLine, LedgerEntry
from . import late_charges, ledger, reads
from .charges import (
    LineDraft,
    SuspensionCredits,
    annual_addition_lines,
    annual_lines,
    contract_period_span,
    invoice_totals,
    monthly_lines,
    nothing_to_charge,
    promotion_lines,
    seat_changes,
)
from .dates import Period, calendar_month, due_date_for, nominal_issue_date, periods_between
from .numbering import reserve_numbers

log = logging.getLogger(__name__)

LOOKBACK_MONTHS = 3
#: Customers per batch: one transaction, one set of reads and one insert per table for each.
BATCH_SIZE = 500
#: Rows per INSERT statement.
INSERT_BATCH = 2000
BILLABLE = (*LIVE, ContractStatus.TERMINATED)

# Policy parameters that decide an invoice's dates, VAT or rounding: a contract whose special terms
# change one of them gets its own schedule.
SCHEDULE_FIELDS = frozenset(
    {
        "billing_period",
        "billing_timing",
        "issue_rule",
        "issue_day",
        "issue_days_before_due",
        "due_rule",
        "due_days",
        "due_day_of_month",
        "vat_included",
        "vat_rate_percent",
        "rounding",
    }
)


@dataclass
class InvoiceDraft:
    customer: Customer
    policy: Policy
    schedule: str
    period_start: dt.date
    period_end: dt.date
    issue_date: dt.date
    due_date: dt.date
    vat_inclusive: bool
    vat_rate_percent: Decimal
    supply_won: int
    vat_won: int
    total_won: int
    lines: list[LineDraft] = field(default_factory=list)
    kind: str = Invoice.Kind.REGULAR

    @property
    def key(self) -> tuple[int, str, dt.date]:
        return (self.customer.pk, self.schedule, self.period_start)


@dataclass
class _Item:
    """One contract's share of one (customer, schedule, period). Its lines are computed on first use, so
    telling whether anything is due reads no charges (issue 16 follow-up: a day with nothing due)."""

    contract: Contract
    policy: EffectivePolicy
    schedule: str
    period: Period
    due_basis: Period
    make_lines: Callable[[], list[LineDraft]]

    @cached_property
    def lines(self) -> list[LineDraft]:
        return self.make_lines()


def schedule_for(contract: Contract, policy: EffectivePolicy) -> str:
    name = contract.policy.code
    if contract.billing_cycle == BillingCycle.ANNUAL:
        name += "-annual"
    if SCHEDULE_FIELDS & set(policy.overridden()):
        name += f"-c{contract.pk}"
    return name[:40]


# --------------------------------------------------------------------------- what is due


def _window_start(today: dt.date) -> dt.date:
    return add_months(month_start(today), -LOOKBACK_MONTHS)


def _contract_items(
    contract: Contract, today: dt.date, cal: BusinessCalendar, issued: set[tuple[int, str, dt.date]]
) -> Iterator[_Item]:
    """The periods of ``contract`` whose invoice is due by ``today`` and not issued yet, with their lines
    (lines are only computed for periods still to issue, so a day with nothing due stays cheap)."""
    if contract.activated_on is None or contract.activated_on > today:
        return
    policy = effective_policy(contract)
    schedule = schedule_for(contract, policy)
    window = _window_start(today)

    def done(start: dt.date) -> bool:
        return (contract.customer_id, schedule, start) in issued

    if contract.billing_cycle == BillingCycle.ANNUAL:
        for cperiod in rows_of(contract, "periods"):
            period = contract_period_span(cperiod)
            if cperiod.starts_on > today or period.end < window:
                continue
            if (
                cperiod.starts_on >= window
                and not done(period.start)
                and (
                    contract.termination_effective_on is None
                    or cperiod.starts_on <= contract.termination_effective_on
                )
            ):
                yield _Item(
                    contract,
                    policy,
                    schedule,
                    period,
                    calendar_month(period.start),
                    partial(annual_lines, contract, cperiod, policy),
                )
            added_days = sorted(
                {
                    c.effective_on
                    for c in seat_changes(contract)
                    if c.quantity > 0
                    and period.start < c.effective_on <= min(today, period.end)
                    and c.effective_on >= window
                }
            )
            for day in added_days:
                if done(day):
                    continue
                sub = Period(day, period.end)
                yield _Item(
                    contract,
                    policy,
                    schedule,
                    sub,
                    calendar_month(day),
                    partial(annual_addition_lines, contract, cperiod, day, policy),
                )
        return
    anchor = contract.activated_on
    start = max(window, anchor)
    for period in periods_between(policy, start, add_months(today, 2), anchor):
        if not period.overlaps(anchor, contract.termination_effective_on):
            continue
        if done(period.start) or nominal_issue_date(policy, period, cal) > today:
            continue
        yield _Item(
            contract, policy, schedule, period, period, partial(monthly_lines, contract, period, policy)
        )


def _with_promotions(item: _Item) -> list[LineDraft]:
    lines = [line for line in item.lines if line.amount_won != 0]
    return lines + promotion_lines(item.contract, item.period, lines, item.policy)


def _drafts(
    contracts: Iterable[Contract],
    today: dt.date,
    cal: BusinessCalendar,
    issued: set[tuple[int, str, dt.date]],
) -> list[InvoiceDraft]:
    groups: dict[tuple[int, str, dt.date], list[_Item]] = {}
    for contract in contracts:
        for item in _contract_items(contract, today, cal, issued):
            key = (contract.customer_id, item.schedule, item.period.start)
            groups.setdefault(key, []).append(item)
    drafts = []
    # --- BIL-9 late-charge hook (billing.services.late_charges): the customer's unbilled late charges
    # ride on its first invoice of the run as ``late_charge`` lines, outside the VAT totals.
    late = late_charges.unbilled_late_charges({key[0] for key in groups})
    first_contracts = late_charges.first_contract_ids(c.invoice_id for cs in late.values() for c in cs)
    suspension = SuspensionCredits(today)  # BIL-16 hook (billing.services.charges)
    for (_cid, schedule, period_start), items in sorted(
        groups.items(), key=lambda kv: (kv[0][0], kv[0][2], kv[0][1])
    ):
        items.sort(key=lambda i: i.contract.pk)
        lines = [line for item in items for line in _with_promotions(item)]
        if not lines:
            continue
        lines += suspension.lines_for(items, lines)  # BIL-16 hook: suspended days credited
        lead = max(items, key=lambda i: (i.contract.policy.version, -i.contract.pk))
        policy = lead.policy
        period_end = max(i.period.end for i in items)
        due = due_date_for(policy, lead.due_basis, today, cal)
        totals = invoice_totals(
            (line.amount_won for line in lines),
            vat_included=bool(policy.vat_included),
            rate_percent=policy.vat_rate_percent,
            mode=policy.rounding,
        )
        if totals.total_won < 0:
            log.warning("negative invoice for customer %s %s %s skipped", _cid, schedule, period_start)
            continue
        late_lines = late_charges.late_charge_line_drafts(late.pop(_cid, []), first_contracts)  # BIL-9 hook
        lines = lines + late_lines
        drafts.append(
            InvoiceDraft(
                customer=lead.contract.customer,
                policy=lead.contract.policy,
                schedule=schedule,
                period_start=period_start,
                period_end=period_end,
                issue_date=today,
                due_date=max(due, today),
                vat_inclusive=bool(policy.vat_included),
                vat_rate_percent=Decimal(policy.vat_rate_percent),
                supply_won=totals.supply_won,
                vat_won=totals.vat_won,
                total_won=totals.total_won,
                lines=lines,
            )
        )
    return drafts


def _billable_contracts(today: dt.date) -> QuerySet[Contract]:
    return Contract.objects.filter(status__in=BILLABLE, activated_on__lte=today).exclude(
        Q(termination_effective_on__lt=_window_start(today))
    )


def _reads_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """The days the batch's usage and snapshot reads cover: every period the run can bill (a period
    that reaches outside is read on its own, ``reads.for_contract``)."""
    return add_months(_window_start(today), -3), add_months(today, 3)


def _load(customer_ids: list[int], today: dt.date) -> list[Contract]:
    contracts = list(
        _billable_contracts(today)
        .filter(customer_id__in=customer_ids)
        .prefetch_related(active_terms_prefetch(), *rows_prefetch(*_DATING, *_CHARGING))
        .order_by("customer_id", "pk")
    )
    # one customer, plan and policy object per row read, shared by the contracts (not one decoded copy
    # per contract: issue 16)
    attach_related(contracts, "customer", "plan", "policy")
    reads.attach(contracts, *_reads_window(today))  # usage, snapshots, billed lines: once per batch
    return contracts


def _issued_keys(customer_ids: list[int], today: dt.date) -> set[tuple[int, str, dt.date]]:
    earliest = add_months(_window_start(today), -12)  # annual periods start up to a year before
    rows = Invoice.objects.filter(
        kind=Invoice.Kind.REGULAR, customer_id__in=customer_ids, period_start__gte=earliest
    ).values_list("customer_id", "schedule", "period_start")
    return set(rows)


def _candidates(today: dt.date, customer_ids: list[int] | None = None) -> list[int]:
    """The customers with a billable contract on ``today``, in id order (the order of the batches)."""
    qs = _billable_contracts(today)
    if customer_ids is not None:
        qs = qs.filter(customer_id__in=customer_ids)
    return sorted(set(qs.values_list("customer_id", flat=True)))


def _batches(ids: list[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), BATCH_SIZE):
        yield ids[i : i + BATCH_SIZE]


#: What dates an annual contract's periods (its contract periods and seat changes), read with the contracts
#: when the batch has an annual one; the charge reads below are made only for customers with something due.
#: Read as lists (``core.related.rows_prefetch``: no Django queryset per contract, issue 16).
_DATING = ("periods", "changes")
_CHARGING = ("promotions", "suspensions")


def _batch_drafts(customer_ids: list[int], today: dt.date, cal: BusinessCalendar) -> list[InvoiceDraft]:
    """The batch's drafts, :func:`_load` in two steps (issue 16 follow-up): first the contracts with what
    dates their periods, and what is issued; only the customers with a period due (most days: none) get
    the charge reads (promotions, suspensions, usage, snapshots, billed lines), late charges and
    suspension credits. The same drafts as ``_drafts(_load(...))``, in as many queries on a day with
    something due, and far fewer on a day without."""
    contracts = list(
        _billable_contracts(today)
        .filter(customer_id__in=customer_ids)
        .prefetch_related(active_terms_prefetch())
        .order_by("customer_id", "pk")
    )
    # one plan and policy object per row read, shared by the contracts (not one decoded copy per contract:
    # issue 16); the customers only for those with something due, below
    attach_related(contracts, "plan", "policy")
    # only an annual contract's periods are dated by its rows (a monthly one's come from its policy)
    annual = [c for c in contracts if c.billing_cycle == BillingCycle.ANNUAL]
    prefetch_related_objects(annual, *rows_prefetch(*_DATING))
    issued = _issued_keys(customer_ids, today)
    due: set[int] = set()
    monthly: list[tuple[Contract, list[_Item]]] = []  # due periods that may have nothing to charge
    for contract in contracts:
        if contract.customer_id in due:
            continue
        items = list(_contract_items(contract, today, cal, issued))
        if not items:
            continue
        if contract.billing_cycle == BillingCycle.ANNUAL:
            due.add(contract.customer_id)
        else:
            monthly.append((contract, items))
    # One set of charge reads for the batch, lazy: the check below loads only usage and delivered
    # messages, and the drafts reuse them (issue 16).
    reads.attach(contracts, *_reads_window(today))
    for contract, items in monthly:
        if not all(nothing_to_charge(contract, item.period) for item in items):
            due.add(contract.customer_id)
    if not due:
        return []
    contracts = [c for c in contracts if c.customer_id in due]
    attach_related(contracts, "customer")
    # the dating lists read above are not read again
    prefetch_related_objects(contracts, *rows_prefetch(*_DATING, *_CHARGING))
    return _drafts(contracts, today, cal, issued)  # usage, snapshots, billed lines: the batch's reads


def invoice_drafts(*, today: dt.date, customer_ids: list[int] | None = None) -> list[InvoiceDraft]:
    """Every invoice the run would issue on ``today`` (for the given customers), writing nothing."""
    cal = default_calendar()
    drafts: list[InvoiceDraft] = []
    for batch in _batches(_candidates(today, customer_ids)):
        drafts.extend(_batch_drafts(batch, today, cal))
    return drafts


def invoice_preview(*, customer: Customer, today: dt.date) -> list[InvoiceDraft]:
    """BIL-2: exactly what the invoice run would issue to ``customer`` on ``today``; nothing is written."""
    return invoice_drafts(today=today, customer_ids=[customer.pk])


def _next_issue_days(
    contract: Contract,
    today: dt.date,
    horizon: dt.date,
    cal: BusinessCalendar,
    issued: set[tuple[int, str, dt.date]],
) -> Iterator[dt.date]:
    """The days from ``today`` on which the run would issue this contract's next periods (BIL-3; a period
    whose nominal day has passed unissued: ``today``), as :func:`_contract_items` decides what is due."""
    policy = effective_policy(contract)
    schedule = schedule_for(contract, policy)
    key = (contract.customer_id, schedule)
    if contract.billing_cycle == BillingCycle.ANNUAL:
        for cperiod in rows_of(contract, "periods"):
            start = contract_period_span(cperiod).start
            ended = (
                contract.termination_effective_on is not None
                and cperiod.starts_on > contract.termination_effective_on
            )
            if (*key, start) not in issued and not ended and cperiod.starts_on <= horizon:
                yield max(cperiod.starts_on, today)
        return
    anchor = contract.activated_on
    if anchor is None:
        return
    for period in periods_between(policy, max(_window_start(today), anchor), horizon, anchor):
        if not period.overlaps(anchor, contract.termination_effective_on) or (*key, period.start) in issued:
            continue
        yield max(nominal_issue_date(policy, period, cal), today)


def next_invoice_preview(
    *, customer: Customer, today: dt.date, horizon_months: int = 13, tries: int = 3
) -> tuple[dt.date | None, list[InvoiceDraft]]:
    """BIL-2: the customer's next invoice as an estimate: the first day from ``today`` on which the run
    would issue something to it (its contracts' next periods, BIL-3) and :func:`invoice_preview` of that
    day (seats, plan and promotions as they stand now). Nothing is written. ``(None, [])`` when nothing is
    due within ``horizon_months``."""
    cal = default_calendar()
    horizon = add_months(today, horizon_months)
    issued = _issued_keys([customer.pk], today)
    days: set[dt.date] = set()
    for contract in _load([customer.pk], today):
        try:
            days.update(_next_issue_days(contract, today, horizon, cal, issued))
        except DomainError:  # a policy that cannot date its invoices (BIL-3) has no estimate
            continue
    for day in sorted(days)[:tries]:
        drafts = invoice_preview(customer=customer, today=day)
        if drafts:
            return day, drafts
    return None, []


# --------------------------------------------------------------------------- issuing


def _exists(draft: InvoiceDraft) -> bool:
    return Invoice.objects.filter(
        kind=Invoice.Kind.REGULAR,
        customer_id=draft.customer.pk,
        schedule=draft.schedule,
        period_start=draft.period_start,
    ).exists()


def _issue(drafts: list[InvoiceDraft]) -> list[Invoice]:
    """Create the invoices of ``drafts`` with their numbers, lines, history rows and ledger entries, set-
    based: one counter update per year for the gapless numbers (in the drafts' order), one insert each for
    the invoices, their history, their lines and their ledger entries. Call it in one transaction, under
    the locks of the drafts' customers, with drafts computed under those locks (nothing issued yet)."""
    if not drafts:
        return []
    # BIL-9 hook: drop late charges billed meanwhile (one locking query for the batch)
    line_lists = late_charges.current_lines_many([draft.lines for draft in drafts])
    numbers: dict[int, Iterator[str]] = {}
    for year in sorted({draft.issue_date.year for draft in drafts}):
        count = sum(1 for draft in drafts if draft.issue_date.year == year)
        numbers[year] = iter(reserve_numbers("INV", year, count))
    invoices = [
        Invoice(
            customer=draft.customer,
            policy=draft.policy,
            schedule=draft.schedule,
            kind=draft.kind,
            number=next(numbers[draft.issue_date.year]),
            period_start=draft.period_start,
            period_end=draft.period_end,
            issue_date=draft.issue_date,
            due_date=draft.due_date,
            vat_inclusive=draft.vat_inclusive,
            vat_rate_percent=draft.vat_rate_percent,
            supply_won=draft.supply_won,
            vat_won=draft.vat_won,
            total_won=draft.total_won,
        )
        for draft in drafts
    ]
    invoices = bulk_create_audited(invoices, batch_size=INSERT_BATCH)
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(
                invoice=invoice,
                contract_id=line.contract_id,
                position=position,
                kind=line.kind,
                description=line.description[:300],
                quantity=line.quantity,
                unit_price_won=line.unit_price_won,
                amount_won=line.amount_won,
                service_start=line.service_start,
                service_end=line.service_end,
                policy_basis=line.policy_basis[:200],
            )
            for invoice, lines in zip(invoices, line_lists, strict=True)
            for position, line in enumerate(lines, start=1)
        ],
        batch_size=INSERT_BATCH,
    )
    late_charges.bill_on_invoices(list(zip(invoices, line_lists, strict=True)))  # BIL-9 hook: ledger, once
    ledger.post_many(
        [
            {
                "customer": invoice.customer,
                "kind": LedgerEntry.Kind.INVOICE,
                "amount_won": invoice.total_won,
                "occurred_on": invoice.issue_date,
                "description": f"청구서 {invoice.number} ({invoice.period_start}~{invoice.period_end})",
                "invoice": invoice,
                "key": f"invoice:{invoice.pk}",
            }
            for invoice in invoices
            if invoice.total_won
        ]
    )
    return invoices


def _lock(customer_ids: list[int], *, skip_locked: bool) -> list[int]:
    """Lock the customers' rows (``ledger.lock_customer`` for a batch), in id order; with ``skip_locked``
    the rows another transaction holds are left out (another worker is issuing them)."""
    return list(
        Customer.objects.select_for_update(skip_locked=skip_locked)
        .filter(pk__in=customer_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def invoice_issue(draft: InvoiceDraft) -> Invoice | None:
    """Create one invoice from a draft with its number, lines and ledger entry, in one transaction.
    Returns None when the period was issued meanwhile (another run or worker)."""
    try:
        with transaction.atomic():
            ledger.lock_customer(draft.customer)
            if _exists(draft):
                return None
            return _issue([draft])[0]
    except IntegrityError:
        if _exists(draft):
            return None
        raise


def _run_batch(
    batch: list[int], today: dt.date, cal: BusinessCalendar, counts: dict[str, int], *, skip_locked: bool
) -> list[int]:
    """One batch in one transaction: lock its customers, draft what is due under the locks, issue it
    set-based. Returns the customers left out because another transaction held them."""
    drafts: list[InvoiceDraft] = []
    locked: list[int] = []
    invoices: list[Invoice] = []
    try:
        with transaction.atomic():
            locked = _lock(batch, skip_locked=skip_locked)
            if locked:
                drafts = _batch_drafts(locked, today, cal)
                invoices = _issue(drafts)
    except IntegrityError:
        # The unique index (customer, schedule, period) is the backstop: someone issued one of these
        # periods without the customer lock. Issue the batch one invoice at a time, as before.
        log.warning("invoice batch of %s customers hit the unique index; issuing one by one", len(batch))
        issued = [invoice_issue(draft) for draft in drafts]
        invoices = [invoice for invoice in issued if invoice is not None]
        counts["already_issued"] += len(issued) - len(invoices)
    counts["customers"] += len(locked)
    counts["invoices"] += len(invoices)
    counts["total_won"] += sum(invoice.total_won for invoice in invoices)
    return sorted(set(batch) - set(locked))


def _zero() -> dict[str, int]:
    return {"customers": 0, "invoices": 0, "already_issued": 0, "total_won": 0}


def invoices_generate_plan(*, today: dt.date, customer_ids: list[int] | None = None) -> list[dict[str, Any]]:
    """The batches of the invoice run (issue 19): ``{"customers": [...]}`` of ``BATCH_SIZE`` customers with a
    billable contract on ``today``, in id order. One query, no locks."""
    return [{"customers": batch} for batch in _batches(_candidates(today, customer_ids))]


def invoices_generate_batch(*, today: dt.date, payload: dict[str, Any]) -> dict[str, int]:
    """One batch of the invoice run (BIL-2, BIL-3): its customers locked ``FOR UPDATE SKIP LOCKED`` in one
    transaction, what is due drafted under the locks and issued set-based; the customers another
    transaction held are taken again at the end, waiting for their locks this time. When it returns,
    everything due for its customers is issued, once: run twice, or by two workers at once, the second
    run finds it issued and counts nothing new."""
    cal = default_calendar()
    counts = _zero()
    held = _run_batch(list(payload["customers"]), today, cal, counts, skip_locked=True)
    if held:
        _run_batch(held, today, cal, counts, skip_locked=False)
    return counts


def invoices_generate(*, today: dt.date, customer_ids: list[int] | None = None) -> dict[str, int]:
    """Job ``generate_invoices`` (daily 01:00): issue what is due on ``today`` (BIL-2, BIL-3).

    Batches of ``BATCH_SIZE`` customers (``invoices_generate_plan``), each in one transaction (issue 16).
    Under ``core.jobs.run_job`` every Celery worker takes whole batches (``invoices_generate_batch``,
    issue 19). Called directly, processes running it at once share the batches too: a batch's customers
    are locked ``FOR UPDATE SKIP LOCKED``, so a second process passes over a batch the first holds and
    takes the next. The customers a run passed over are taken again at the end, waiting for their locks
    this time: when the run returns, everything due is issued, once (what the other process issued is no
    longer drafted)."""
    cal = default_calendar()
    counts = _zero()
    held: list[int] = []
    for payload in invoices_generate_plan(today=today, customer_ids=customer_ids):
        held.extend(_run_batch(list(payload["customers"]), today, cal, counts, skip_locked=True))
    for batch in _batches(held):
        _run_batch(batch, today, cal, counts, skip_locked=False)
    return counts


def draft_as_dict(draft: InvoiceDraft) -> dict[str, Any]:
    """A plain view of a draft (for the dry run and for comparing with an issued invoice)."""
    return {
        "customer": draft.customer.pk,
        "schedule": draft.schedule,
        "period_start": draft.period_start,
        "period_end": draft.period_end,
        "issue_date": draft.issue_date,
        "due_date": draft.due_date,
        "supply_won": draft.supply_won,
        "vat_won": draft.vat_won,
        "total_won": draft.total_won,
        "lines": [
            (
                line.contract_id,
                line.kind,
                line.description,
                line.quantity,
                line.unit_price_won,
                line.amount_won,
                line.service_start,
                line.service_end,
            )
            for line in draft.lines
        ],
    }


def invoice_as_dict(invoice: Invoice) -> dict[str, Any]:
    return {
        "customer": invoice.customer_id,
        "schedule": invoice.schedule,
        "period_start": invoice.period_start,
        "period_end": invoice.period_end,
        "issue_date": invoice.issue_date,
        "due_date": invoice.due_date,
        "supply_won": invoice.supply_won,
        "vat_won": invoice.vat_won,
        "total_won": invoice.total_won,
        "lines": [
            (
                line.contract_id,
                line.kind,
                line.description,
                line.quantity,
                line.unit_price_won,
                line.amount_won,
                line.service_start,
                line.service_end,
            )
            for line in invoice.lines.order_by("position")
        ],
    }
