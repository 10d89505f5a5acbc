"""Gapless yearly document numbers (BIL-2): ``INV-2026-000001``.

The number is taken from a ``DocumentCounter`` row locked with ``select_for_update`` inside the
caller's transaction: if the document is not saved (the transaction rolls back), the counter rolls
back with it, so no number is burnt. Two issuers of the same series and year queue on the row lock.
Lock order: take the customer lock (``ledger.lock_customer``) first, then the counter.
:func:`reserve_numbers` takes a batch's numbers with one update (the invoice run, issue 16).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

from ..models import DocumentCounter

SERIES = ("INV", "CN", "DN")


def format_number(series: str, year: int, number: int) -> str:
    return f"{series}-{year}-{number:06d}"


def _locked_counter(series: str, year: int) -> DocumentCounter:
    counter = DocumentCounter.objects.select_for_update().filter(series=series, year=year).first()
    if counter is not None:
        return counter
    try:
        with transaction.atomic():  # savepoint: a concurrent creator wins, we take its row
            DocumentCounter.objects.create(series=series, year=year, last_number=0)
    except IntegrityError:
        pass
    return DocumentCounter.objects.select_for_update().get(series=series, year=year)


def next_number(series: str, year: int) -> str:
    """The next number of ``series`` in ``year``. Call it inside the transaction that saves the document."""
    return reserve_numbers(series, year, 1)[0]


def reserve_numbers(series: str, year: int, count: int) -> list[str]:
    """The next ``count`` numbers of ``series`` in ``year``, in order, with ONE counter update (the invoice
    run numbers a whole batch at once, issue 16). Call it inside the transaction that saves the documents,
    after taking the customer locks; every number must be used or the transaction rolled back."""
    if not series or len(series) > 8 or not series.isalnum():
        raise DomainError(
            "invalid_series",
            _("문서 번호 구분 '{series}'이(가) 올바르지 않습니다."),
            rule="BIL-2",
            field="series",
            series=series,
        )
    if not 2000 <= year <= 9999:
        raise DomainError(  # the year as written, not as a count ("1999", not "1,999")
            "invalid_year",
            _("연도 {year}이(가) 올바르지 않습니다."),
            rule="BIL-2",
            field="year",
            year=str(year),
        )
    if count <= 0:
        return []
    with transaction.atomic():
        counter = _locked_counter(series, year)
        first = counter.last_number + 1
        counter.last_number += count
        counter.save(update_fields=["last_number"])
        return [format_number(series, year, n) for n in range(first, counter.last_number + 1)]
