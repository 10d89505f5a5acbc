"""Test helpers for the tax-invoice, PDF, admin, API and portal tests: build issued invoices directly
with the ORM plus their ledger entry (the way the invoice run records them)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Customer, Member
from billing.models import Invoice, InvoiceLine, LedgerEntry
from billing.services import ledger
from contracts.models import Policy
from core.money import vat_on
from tests.contracts.factories import PolicyFactory

_numbers = itertools.count(1)

Line = tuple[str, int, int]  # description, quantity, unit price (VAT-exclusive)


def policy() -> Policy:
    return PolicyFactory()


def make_invoice(
    customer: Customer,
    *,
    issue_date: dt.date = dt.date(2026, 11, 1),
    lines: Sequence[Line] = (("기본료 2026-11", 1, 100_000),),
    due_days: int = 14,
    status: str = Invoice.Status.ISSUED,
    policy_obj: Policy | None = None,
    period_start: dt.date | None = None,
) -> Invoice:
    policy_obj = policy_obj or PolicyFactory()
    supply = sum(qty * unit for _d, qty, unit in lines)
    split = vat_on(supply)
    start = period_start or issue_date.replace(day=1)
    end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    invoice = Invoice.objects.create(
        customer=customer,
        policy=policy_obj,
        schedule=policy_obj.code,
        number=f"INV-{issue_date.year}-{next(_numbers) + 900_000:06d}",
        period_start=start,
        period_end=end,
        issue_date=issue_date,
        due_date=issue_date + dt.timedelta(days=due_days),
        status=status,
        supply_won=split.supply_won,
        vat_won=split.vat_won,
        total_won=split.total_won,
    )
    for position, (description, qty, unit) in enumerate(lines):
        InvoiceLine.objects.create(
            invoice=invoice,
            position=position,
            kind=InvoiceLine.Kind.BASE_FEE,
            description=description,
            quantity=qty,
            unit_price_won=unit,
            amount_won=qty * unit,
        )
    ledger.post(
        customer=customer,
        kind=LedgerEntry.Kind.INVOICE,
        amount_won=invoice.total_won,
        occurred_on=issue_date,
        description=invoice.number,
        invoice=invoice,
        key=f"test-invoice:{invoice.pk}",
    )
    return invoice


def pay(invoice: Invoice, amount: int, *, on: dt.date | None = None) -> LedgerEntry:
    return ledger.post(
        customer=invoice.customer,
        kind=LedgerEntry.Kind.PAYMENT,
        amount_won=-amount,
        occurred_on=on or invoice.issue_date,
        description="입금",
        invoice=invoice,
    )


def api_client_for(member: Member) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=member.user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client
