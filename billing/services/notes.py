"""Credit notes and debit notes (BIL-2): corrections to issued invoices, never edits.

A credit note lowers what an invoice asks for, at most by what is still creditable (the
invoice total minus earlier credit notes plus debit notes). Its amount is given in the
invoice's price basis — supply for a VAT-exclusive invoice (VAT is added), total for a
VAT-inclusive one (the VAT part is taken out) — and split with ``core.money`` in the policy's
rounding mode. The note posts a negative ledger entry on the invoice; whatever the invoice no
longer owes (it was paid) becomes credit balance (BIL-17). A mistaken credit note is reversed,
once, by a debit note for the same amounts (a positive entry on the invoice).

Numbers are gapless per series and year (``CN-2026-000001``, ``DN-2026-000001``) from
``numbering.next_number`` (a locked ``DocumentCounter``), in the same transaction as the note,
taken after the customer lock (the lock order numbering documents).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from core.audit import bulk_create_audited
from core.errors import Conflict, DomainError
from core.money import Rounding, VatSplit, vat_on, vat_within

from ..models import CreditNote, Invoice, LedgerEntry
from . import ledger
from .allocation import invoice_settle
from .credits import credit_apply
from .facts import require_positive_won
from .numbering import next_number, reserve_numbers

CREDIT_SERIES = "CN"
DEBIT_SERIES = "DN"


def _remaining(invoice: Invoice) -> VatSplit:
    """What can still be credited on the invoice: total − credit notes + debit notes, per part."""
    sums = {
        row["kind"]: row
        for row in CreditNote.objects.filter(invoice=invoice)
        .values("kind")
        .annotate(supply=Sum("supply_won"), vat=Sum("vat_won"))
    }

    def part(kind: str, name: str) -> int:
        return int((sums.get(kind) or {}).get(name) or 0)

    supply = (
        invoice.supply_won - part(CreditNote.Kind.CREDIT, "supply") + part(CreditNote.Kind.DEBIT, "supply")
    )
    vat = invoice.vat_won - part(CreditNote.Kind.CREDIT, "vat") + part(CreditNote.Kind.DEBIT, "vat")
    return VatSplit(supply, vat, supply + vat)


def creditable_amount(invoice: Invoice, *, vat_included: bool = False) -> int:
    """The largest ``amount_won`` a credit note on this invoice may have, in its price basis (or, with
    ``vat_included``, as a total with VAT)."""
    remaining = _remaining(invoice)
    return max(0, remaining.total_won if invoice.vat_inclusive or vat_included else remaining.supply_won)


def _split(invoice: Invoice, amount_won: int, remaining: VatSplit, *, vat_included: bool = False) -> VatSplit:
    mode = getattr(invoice.policy, "rounding", Rounding.TRUNCATE) or Rounding.TRUNCATE
    rate = invoice.vat_rate_percent
    if invoice.vat_inclusive or vat_included:
        if amount_won == remaining.total_won:
            return remaining  # the last of it: exactly what is left, no rounding drift
        split = vat_within(amount_won, rate, mode)
    else:
        if amount_won == remaining.supply_won:
            return remaining
        split = vat_on(amount_won, rate, mode)
    vat = min(split.vat_won, max(remaining.vat_won, 0))
    supply = split.total_won - vat if invoice.vat_inclusive else split.supply_won
    return VatSplit(supply, vat, supply + vat)


def credit_note_issue(
    *,
    invoice: Invoice,
    amount_won: int,
    reason: str,
    description: str,
    today: dt.date,
    idempotency_key: str | None = None,
    vat_included: bool = False,
) -> CreditNote:
    """Issue a credit note against ``invoice`` (BIL-2). See the module docstring for the amount's basis;
    with ``vat_included`` the amount is the note's total, VAT included, whatever the invoice's basis
    (an upheld dispute, BIL-10: the VAT part is taken out of it).

    Refused, naming the maximum, when it would credit more than the invoice still has; an
    ``idempotency_key`` seen before returns the first note.
    """
    amount_won = require_positive_won(amount_won, rule="BIL-2")
    if reason not in CreditNote.Reason.values or reason == CreditNote.Reason.REVERSAL:
        raise DomainError(
            "credit_note_reason_invalid",
            _("크레딧 노트 사유가 올바르지 않습니다: {reason}"),
            rule="BIL-2",
            field="reason",
            reason=reason,
        )
    if not description.strip():
        raise DomainError(
            "description_required", _("크레딧 노트 설명을 적어 주세요."), rule="BIL-2", field="description"
        )
    with transaction.atomic():
        customer = ledger.lock_customer(invoice.customer)
        if idempotency_key:
            existing = CreditNote.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                if existing.invoice_id != invoice.pk:
                    raise Conflict(
                        "idempotency_key_reused",
                        _("같은 멱등 키가 다른 청구서의 노트에 이미 쓰였습니다."),
                        rule="BIL-2",
                        field="idempotency_key",
                    )
                return existing
        invoice = Invoice.objects.select_for_update(of=("self",)).select_related("policy").get(pk=invoice.pk)
        if invoice.status == Invoice.Status.VOID:
            raise DomainError(
                "invoice_void",
                _("청구서 {number}는 이미 전액 취소되었습니다."),
                rule="BIL-2",
                field="invoice",
                number=invoice.number,
            )
        remaining = _remaining(invoice)
        maximum = creditable_amount(invoice, vat_included=vat_included)
        if amount_won > maximum:
            raise DomainError(
                "credit_note_exceeds_invoice",
                _("청구서 {number}의 크레딧 노트는 최대 {maximum}원입니다 (요청 {amount}원)."),
                rule="BIL-2",
                field="amount_won",
                number=invoice.number,
                maximum=maximum,
                amount=amount_won,
            )
        split = _split(invoice, amount_won, remaining, vat_included=vat_included)
        note = CreditNote.objects.create(
            number=next_number(CREDIT_SERIES, today.year),
            kind=CreditNote.Kind.CREDIT,
            invoice=invoice,
            customer=customer,
            reason=reason,
            description=description.strip(),
            issued_on=today,
            supply_won=split.supply_won,
            vat_won=split.vat_won,
            total_won=split.total_won,
            idempotency_key=idempotency_key or None,
        )
        open_won = ledger.invoice_open_amount(invoice) if invoice.status == Invoice.Status.ISSUED else 0
        on_invoice = min(split.total_won, max(open_won, 0))
        label = f"{note.number} ({invoice.number}) {note.get_reason_display()}"
        if on_invoice:
            ledger.post(
                customer=customer,
                kind=LedgerEntry.Kind.CREDIT_NOTE,
                amount_won=-on_invoice,
                occurred_on=today,
                description=label,
                invoice=invoice,
                credit_note=note,
                key=f"credit_note:{note.pk}:invoice",
            )
        if split.total_won > on_invoice:  # already paid: the rest is credit balance (BIL-17)
            ledger.post(
                customer=customer,
                kind=LedgerEntry.Kind.CREDIT_NOTE,
                amount_won=-(split.total_won - on_invoice),
                occurred_on=today,
                description=f"{label} → 크레딧 잔액",
                credit_note=note,
                key=f"credit_note:{note.pk}:unallocated",
            )
        invoice_settle(invoice=invoice, today=today)
        return note


@dataclass(frozen=True)
class NoteRequest:
    """One credit note of :func:`credit_notes_issue_many`: ``amount_won`` in the invoice's price basis."""

    invoice: Invoice
    amount_won: int
    reason: str
    description: str
    idempotency_key: str


def credit_notes_issue_many(requests: list[NoteRequest], *, today: dt.date) -> list[CreditNote | None]:
    """:func:`credit_note_issue` for a batch (the SLA month close, issue 16), set-based: each amount is
    limited to what its invoice can still credit after the requests before it (a request left with
    nothing, or on a void invoice, gets None); one counter update for the gapless numbers, one insert for
    the notes and their history, one for the ledger entries. An idempotency key seen before returns the
    first note. Call it in one transaction holding the customers' locks (``ledger.lock_customer``)."""
    out: list[CreditNote | None] = [None] * len(requests)
    if not requests:
        return out
    for r in requests:
        if r.reason not in CreditNote.Reason.values or r.reason == CreditNote.Reason.REVERSAL:
            raise DomainError(
                "credit_note_reason_invalid",
                _("크레딧 노트 사유가 올바르지 않습니다: {reason}"),
                rule="BIL-2",
                field="reason",
                reason=r.reason,
            )
        if not r.description.strip():
            raise DomainError(
                "description_required",
                _("크레딧 노트 설명을 적어 주세요."),
                rule="BIL-2",
                field="description",
            )
    seen = {
        n.idempotency_key: n
        for n in CreditNote.objects.filter(idempotency_key__in=[r.idempotency_key for r in requests])
    }
    invoice_ids = sorted({r.invoice.pk for r in requests})
    invoices = {
        i.pk: i
        for i in Invoice.objects.select_for_update(of=("self",))
        .select_related("policy", "customer")
        .filter(pk__in=invoice_ids)
        .order_by("pk")
    }
    remaining: dict[int, VatSplit] = {
        pk: VatSplit(i.supply_won, i.vat_won, i.supply_won + i.vat_won) for pk, i in invoices.items()
    }
    for row in (
        CreditNote.objects.filter(invoice_id__in=invoice_ids)
        .values("invoice_id", "kind")
        .annotate(supply=Sum("supply_won"), vat=Sum("vat_won"))
    ):
        sign = -1 if row["kind"] == CreditNote.Kind.CREDIT else 1
        left = remaining[row["invoice_id"]]
        supply = left.supply_won + sign * int(row["supply"] or 0)
        vat = left.vat_won + sign * int(row["vat"] or 0)
        remaining[row["invoice_id"]] = VatSplit(supply, vat, supply + vat)
    open_won = {
        row["invoice_id"]: int(row["total"] or 0)
        for row in LedgerEntry.objects.filter(invoice_id__in=invoice_ids)
        .values("invoice_id")
        .annotate(total=Sum("amount_won"))
    }
    planned: list[tuple[int, NoteRequest, Invoice, VatSplit]] = []
    for n, r in enumerate(requests):
        if r.idempotency_key in seen:
            out[n] = seen[r.idempotency_key]
            continue
        invoice = invoices[r.invoice.pk]
        if invoice.status == Invoice.Status.VOID:
            continue
        left = remaining[invoice.pk]
        maximum = max(0, left.total_won if invoice.vat_inclusive else left.supply_won)
        amount = min(int(r.amount_won), maximum)
        if amount <= 0:
            continue
        split = _split(invoice, amount, left)
        remaining[invoice.pk] = VatSplit(
            left.supply_won - split.supply_won, left.vat_won - split.vat_won, left.total_won - split.total_won
        )
        planned.append((n, r, invoice, split))
    if not planned:
        return out
    numbers = iter(reserve_numbers(CREDIT_SERIES, today.year, len(planned)))
    notes = bulk_create_audited(
        [
            CreditNote(
                number=next(numbers),
                kind=CreditNote.Kind.CREDIT,
                invoice=invoice,
                customer=invoice.customer,
                reason=r.reason,
                description=r.description.strip(),
                issued_on=today,
                supply_won=split.supply_won,
                vat_won=split.vat_won,
                total_won=split.total_won,
                idempotency_key=r.idempotency_key,
            )
            for _n, r, invoice, split in planned
        ]
    )
    entries = []
    for (n, _r, invoice, split), note in zip(planned, notes, strict=True):
        out[n] = note
        owed = open_won.get(invoice.pk, 0) if invoice.status == Invoice.Status.ISSUED else 0
        on_invoice = min(split.total_won, max(owed, 0))
        open_won[invoice.pk] = open_won.get(invoice.pk, 0) - on_invoice
        label = f"{note.number} ({invoice.number}) {note.get_reason_display()}"
        if on_invoice:
            entries.append(
                {
                    "customer": invoice.customer,
                    "kind": LedgerEntry.Kind.CREDIT_NOTE,
                    "amount_won": -on_invoice,
                    "occurred_on": today,
                    "description": label,
                    "invoice": invoice,
                    "credit_note": note,
                    "key": f"credit_note:{note.pk}:invoice",
                }
            )
        if split.total_won > on_invoice:  # already paid: the rest is credit balance (BIL-17)
            entries.append(
                {
                    "customer": invoice.customer,
                    "kind": LedgerEntry.Kind.CREDIT_NOTE,
                    "amount_won": -(split.total_won - on_invoice),
                    "occurred_on": today,
                    "description": f"{label} → 크레딧 잔액",
                    "credit_note": note,
                    "key": f"credit_note:{note.pk}:unallocated",
                }
            )
    ledger.post_many(entries)
    # invoice_settle changes only an issued invoice whose open amount the notes brought to zero or below
    for pk in sorted({invoice.pk for _n, _r, invoice, _s in planned}):
        if invoices[pk].status == Invoice.Status.ISSUED and open_won.get(pk, 0) <= 0:
            invoice_settle(invoice=invoices[pk], today=today)
    return out


def debit_note_reverse(*, credit_note: CreditNote, reason: str, today: dt.date) -> CreditNote:
    """Reverse a mistaken credit note with a debit note for the same amounts (BIL-2), once.

    The debit is owed on the invoice again (reopening it if it had been settled); credit balance
    the customer still has is then offset as usual (BIL-17).
    """
    if not reason.strip():
        raise DomainError("reason_required", _("취소 사유를 적어 주세요."), rule="BIL-2", field="reason")
    with transaction.atomic():
        customer = ledger.lock_customer(credit_note.customer)
        original = CreditNote.objects.select_for_update().get(pk=credit_note.pk)
        if original.kind != CreditNote.Kind.CREDIT:
            raise DomainError(
                "not_a_credit_note",
                _("{number}는 크레딧 노트가 아니어서 취소할 수 없습니다."),
                rule="BIL-2",
                field="credit_note",
                number=original.number,
            )
        if CreditNote.objects.filter(reverses=original).exists():
            raise DomainError(
                "credit_note_already_reversed",
                _("크레딧 노트 {number}는 이미 취소되었습니다."),
                rule="BIL-2",
                field="credit_note",
                number=original.number,
            )
        invoice = original.invoice
        note = CreditNote.objects.create(
            number=next_number(DEBIT_SERIES, today.year),
            kind=CreditNote.Kind.DEBIT,
            invoice=invoice,
            customer=customer,
            reverses=original,
            reason=CreditNote.Reason.REVERSAL,
            description=reason.strip(),
            issued_on=today,
            supply_won=original.supply_won,
            vat_won=original.vat_won,
            total_won=original.total_won,
        )
        ledger.post(
            customer=customer,
            kind=LedgerEntry.Kind.DEBIT_NOTE,
            amount_won=original.total_won,
            occurred_on=today,
            description=f"{note.number}: {original.number} 취소",
            invoice=invoice,
            credit_note=note,
            key=f"debit_note:{note.pk}",
        )
        if invoice is not None:
            invoice_settle(invoice=Invoice.objects.select_for_update().get(pk=invoice.pk), today=today)
            credit_apply(customer=customer, today=today)
        return note
