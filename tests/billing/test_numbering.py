"""BIL-2: gapless yearly invoice numbers from a locked counter."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

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


@pytest.mark.django_db
@pytest.mark.parametrize("series", ["I", "ABCDEFGH", "INV2"])
def test_series_of_one_to_eight_letters_and_digits_is_accepted(series):
    """BIL-2: a series is 1 to 8 letters or digits; eight is still allowed."""
    assert next_number(series, 2026) == f"{series}-2026-000001"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("series", "particle"), [("", "이(가)"), ("ABCDEFGHI", "가"), ("IN-V", "가"), ("CN 2", "가")]
)
def test_series_refused_with_its_code_field_rule_and_message(series, particle):
    """BIL-2: an empty series, one of nine characters, or one with a sign or space is refused, naming
    the field and the rule; no counter is created."""
    with pytest.raises(DomainError) as refused:
        next_number(series, 2026)
    error = refused.value
    assert (error.code, error.field, error.rule) == ("invalid_series", "series", "BIL-2")
    # the particle agrees with the series as read ("아이", "브이", "이"); an empty one keeps both forms
    assert error.message_ko == f"BIL-2: 문서 번호 구분 '{series}'{particle} 올바르지 않습니다."
    assert not DocumentCounter.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("year", "number"), [(2000, "INV-2000-000001"), (9999, "INV-9999-000001")])
def test_years_2000_to_9999_are_accepted(year, number):
    """BIL-2: the first and the last four-digit year allowed."""
    assert next_number("INV", year) == number


@pytest.mark.django_db
@pytest.mark.parametrize(("year", "particle"), [(1999, "가"), (10000, "이")])
def test_year_outside_2000_to_9999_refused_with_its_code_field_rule_and_message(year, particle):
    """BIL-2: the years just outside the range are refused, naming the field and the rule."""
    with pytest.raises(DomainError) as refused:
        next_number("INV", year)
    error = refused.value
    assert (error.code, error.field, error.rule) == ("invalid_year", "year", "BIL-2")
    assert error.message_ko == f"BIL-2: 연도 {year}{particle} 올바르지 않습니다."  # 구가, 만이
    assert not DocumentCounter.objects.exists()


@pytest.mark.django_db
def test_an_existing_counter_is_read_under_lock_without_an_insert():
    """BIL-2: once the year's counter exists, the next number locks and updates that row; no insert is
    tried (a failing insert per document would be caught, but is not the design)."""
    DocumentCounter.objects.create(series="INV", year=2026, last_number=41)
    DocumentCounter.objects.create(series="CN", year=2026, last_number=7)
    DocumentCounter.objects.create(series="INV", year=2025, last_number=900)
    with CaptureQueriesContext(connection) as queries:
        assert next_number("INV", 2026) == "INV-2026-000042"
    statements = [q["sql"].upper() for q in queries.captured_queries]
    assert not [s for s in statements if s.startswith("INSERT")]
    assert sum("FOR UPDATE" in s for s in statements) == 1
    assert DocumentCounter.objects.get(series="CN", year=2026).last_number == 7
    assert DocumentCounter.objects.get(series="INV", year=2025).last_number == 900
