"""Daily jobs of the billing app (SPEC §10): thin wrappers the job runner calls with a date."""

from __future__ import annotations

import datetime as dt

from .services import invoicing, seats, settlement, tax


def generate_invoices(*, today: dt.date) -> dict[str, int]:
    """Invoices due to be issued today per policy (BIL-2, BIL-3)."""
    return invoicing.invoices_generate(today=today)


def snapshot_seats(*, today: dt.date) -> dict[str, int]:
    """Seat counts per live contract for the day (BIL-5)."""
    return seats.snapshot_seats(today=today)


def settle_terminations(*, today: dt.date) -> dict[str, int]:
    """Final settlements for terminated or withdrawn contracts (BIL-12..16, CON-7, CON-8)."""
    return settlement.settle_terminations(today=today)


def issue_tax_invoices(*, today: dt.date) -> dict[str, int]:
    """E-tax invoices issued through the provider by their deadline, and their NTS status (BIL-18)."""
    return tax.tax_invoices_issue(today=today)
