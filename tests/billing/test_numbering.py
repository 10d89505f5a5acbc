"""BIL-2: gapless yearly invoice numbers from a locked counter."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from billing.models import DocumentCounter
from billing.services.numbering import next_number
from core.errors import DomainError


@pytest.mark.django_db
def test_numbers_are_sequential_per_series_and_year():
    """BIL-2: INV-2026-000001, 000002 ...; each year and series counts on its own."""
    assert next_number("INV", 2026) == "INV-2026-000001"
    assert next_number("INV", 2026) == "INV-2026-000002"
    assert next_number("INV", 2027) == "INV-2027-000001"
    assert next_number("CN", 2026) == "CN-2026-000001"
    assert DocumentCounter.objects.get(series="INV", year=2026).last_number == 2


@pytest.mark.django_db
def test_rolled_back_issue_does_not_burn_a_number():
    """BIL-2: the number is taken inside the document's transaction; a rollback gives it back."""
    assert next_number("INV", 2026) == "INV-2026-000001"
    with pytest.raises(RuntimeError), transaction.atomic():
        assert next_number("INV", 2026) == "INV-2026-000002"
        raise RuntimeError("the invoice could not be saved")
    assert next_number("INV", 2026) == "INV-2026-000002"


@pytest.mark.django_db
def test_invalid_series_refused():
    """BIL-2: a series is a short code."""
    with pytest.raises(DomainError):
        next_number("", 2026)
    with pytest.raises(DomainError):
        next_number("INV", 1999)


@pytest.mark.django_db(transaction=True)
def test_gapless_under_concurrency():
    """BIL-2: threads taking numbers at once (the counter row not yet created) get 1..N with no gap
    and no duplicate; numbers taken in transactions that roll back are reused."""
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(6)

    def worker(index: int) -> None:
        try:
            barrier.wait()
            for i in range(5):
                try:
                    with transaction.atomic():
                        number = next_number("INV", 2026)
                        if (index + i) % 4 == 0:
                            raise RuntimeError("rolled back")
                    with lock:
                        results.append(number)
                except RuntimeError:
                    pass
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    numbers = sorted(int(r.rsplit("-", 1)[1]) for r in results)
    assert numbers == list(range(1, len(results) + 1))
    assert DocumentCounter.objects.get(series="INV", year=2026).last_number == len(results)
