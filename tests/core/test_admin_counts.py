"""Issue 16: admin lists over huge tables count with the planner's estimate, never an exact ``COUNT(*)``,
and take the same number of queries for 10 rows as for many (``core.admin_counts``).

The job-run list stands in for the big lists (invoices, contracts, payments, dunning cases, messages,
ledger, notices): the same mixin is on each, checked below. The exact-count limit is lowered so a few
hundred rows, analysed, count as "huge"."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.admin_counts import ApproximateCount, EstimatedCountPaginator, LargeListMixin, planner_rows
from core.models import JobRun

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/admin/core/jobrun/"
COUNT_OF_RUNS = re.compile(r'SELECT COUNT\(\*\).*FROM "core_jobrun"', re.S)


def _runs(n: int, *, status: str = JobRun.Status.SUCCEEDED, every_days: int = 1) -> None:
    start = dt.date(2020, 1, 1)
    JobRun.objects.bulk_create(
        JobRun(job=f"job-{status}", as_of=start + dt.timedelta(days=i * every_days), status=status,
               started_at=timezone.now())
        for i in range(n)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE core_jobrun")


def _get(client, url: str = URL):  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, [q["sql"] for q in queries.captured_queries]


def test_a_huge_list_shows_the_estimate_and_never_counts_its_rows(admin_client, settings):
    """Above the exact-count limit the list says "약 N" from the planner, with no COUNT(*) of the table."""
    settings.ADMIN_EXACT_COUNT_LIMIT = 100
    _runs(300)
    response, sqls = _get(admin_client)
    assert not [sql for sql in sqls if COUNT_OF_RUNS.search(sql)], "an exact count of the big table"
    assert any(sql.startswith("EXPLAIN") for sql in sqls)
    page = response.content.decode()
    assert re.search(r'<span class="result-count">약 3\d\d</span>', page), "the estimate, marked 약"


def test_a_filtered_list_below_the_limit_counts_exactly(admin_client, settings):
    """A filter that leaves few rows: the planner expects few, the list counts them exactly (no 약)."""
    settings.ADMIN_EXACT_COUNT_LIMIT = 100
    _runs(300)
    _runs(3, status=JobRun.Status.FAILED)
    response, sqls = _get(admin_client, URL + "?status__exact=failed")
    assert [sql for sql in sqls if COUNT_OF_RUNS.search(sql)], "counted exactly"
    page = response.content.decode()
    assert '<span class="result-count">3</span>' in page


def test_small_tables_count_exactly_as_before(admin_client):
    """With the default limit (10,000) an ordinary list's count is exact and shown grouped."""
    _runs(12)
    response, _sqls = _get(admin_client)
    assert '<span class="result-count">12</span>' in response.content.decode()


def test_the_list_takes_as_many_queries_for_many_rows_as_for_ten(admin_client, settings):
    """Issue 16: no more queries for 400 rows than for 10 (the estimate replaces the exact count). Both
    span years, so the date hierarchy asks the same questions."""
    settings.ADMIN_EXACT_COUNT_LIMIT = 100
    _runs(10, every_days=200)
    _response, few = _get(admin_client)
    _runs(400, status=JobRun.Status.FAILED)
    _response, many = _get(admin_client)
    assert len(many) <= len(few)  # one fewer: the estimate replaces the count


def test_the_planner_estimate_follows_the_filter():
    """The estimate is of the filtered query, not the table."""
    _runs(200)
    _runs(5, status=JobRun.Status.FAILED)
    everything = planner_rows(JobRun.objects.all())
    failed = planner_rows(JobRun.objects.filter(status=JobRun.Status.FAILED))
    assert everything is not None and failed is not None
    assert everything >= 150 and failed < 50
    assert isinstance(EstimatedCountPaginator(JobRun.objects.all(), 10).count, int)


def test_every_big_list_uses_the_estimated_count():
    """The admins of the tables that grow without bound carry the mixin (and no whole-table count)."""
    from billing.models import DunningCase, Invoice, LedgerEntry, Payment
    from contracts.models import Contract
    from messaging.models import Message, Notice

    for model in (Invoice, Contract, Payment, DunningCase, LedgerEntry, Message, Notice, JobRun):
        model_admin = admin.site._registry[model]
        assert isinstance(model_admin, LargeListMixin), model.__name__
        assert model_admin.paginator is EstimatedCountPaginator and not model_admin.show_full_result_count
    assert ApproximateCount(5).approximate
