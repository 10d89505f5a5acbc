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


# --------------------------------------------------------------------------- the date drill-down (issue 16)

DATE_SCAN = re.compile(r"DATE_TRUNC", re.I)


def _links(page: str, pattern: str) -> list[str]:
    return re.findall(pattern, page)


def test_the_date_drilldown_of_a_big_list_never_scans_the_list(admin_client):
    """Issue 16: Django's drill-down asks ``SELECT DISTINCT DATE_TRUNC(…)`` of every listed row (over
    860,000 invoices, the whole page's time); a big list's links come from the table's first and last date
    instead, every year between them."""
    _runs(10, every_days=200)  # 2020-01-01 … 2024-12-05
    response, sqls = _get(admin_client)
    assert not [sql for sql in sqls if "core_jobrun" in sql and DATE_SCAN.search(sql)], "a scan of the list"
    years = _links(response.content.decode(), r'href="\?as_of__year=(\d{4})"')
    assert years == ["2020", "2021", "2022", "2023", "2024"]


def test_the_drilldown_offers_only_months_and_days_within_the_table(admin_client):
    """A year's months and a month's days, clipped to the table's first and last date."""
    _runs(10, every_days=200)  # the last run is on 2024-12-05
    response, sqls = _get(admin_client, URL + "?as_of__year=2024")
    assert not [sql for sql in sqls if DATE_SCAN.search(sql) and "core_jobrun" in sql]
    months = _links(response.content.decode(), r'as_of__month=(\d+)')
    assert sorted({int(m) for m in months}) == list(range(1, 13))
    response, _sqls = _get(admin_client, URL + "?as_of__month=12&as_of__year=2024")
    days = {int(d) for d in _links(response.content.decode(), r'as_of__day=(\d+)')}
    assert days == set(range(1, 6)), "only the days up to the last run (2024-12-05)"
    response, _sqls = _get(admin_client, URL + "?as_of__month=1&as_of__year=2020")
    assert len({int(d) for d in _links(response.content.decode(), r'as_of__day=(\d+)')}) == 31


def test_a_table_within_one_month_starts_at_its_days(admin_client):
    """Django's start level is kept: rows all in one month open on that month's days."""
    _runs(3)  # 2020-01-01 … 2020-01-03
    response, _sqls = _get(admin_client)
    page = response.content.decode()
    assert {int(d) for d in _links(page, r'as_of__day=(\d+)')} == {1, 2, 3}


def test_an_empty_big_list_offers_this_year(admin_client):
    from core import clock

    response, _sqls = _get(admin_client)
    page = response.content.decode()
    today = clock.today()
    assert {int(m) for m in _links(page, r'as_of__month=(\d+)')} == {today.month}
    assert {int(d) for d in _links(page, r'as_of__day=(\d+)')} == {today.day}


def test_a_small_list_keeps_djangos_drilldown(admin_client):
    """Admins of small tables (holidays) keep Django's drill-down: years that hold rows only."""
    from core.models import Holiday

    Holiday.objects.create(date=dt.date(2011, 3, 1), name="옛 휴일")
    Holiday.objects.create(date=dt.date(2013, 5, 5), name="옛 휴일 2")
    response, sqls = _get(admin_client, "/admin/core/holiday/")
    assert [sql for sql in sqls if "core_holiday" in sql and DATE_SCAN.search(sql)]
    years = _links(response.content.decode(), r'href="\?date__year=(\d{4})"')
    assert "2011" in years and "2013" in years and "2012" not in years


def test_every_big_list_skips_the_drilldown_scan():
    """Each big list with a date drill-down draws it from the table's span."""
    for model, model_admin in admin.site._registry.items():
        if isinstance(model_admin, LargeListMixin) and model_admin.date_hierarchy:
            assert model_admin.date_hierarchy_drilldown is False, model.__name__


def test_no_big_list_reads_its_table_to_offer_filter_choices(admin_client):
    """Issue 16: Django's filter on a plain field or path offers the values the table holds
    (``SELECT DISTINCT`` of the whole table, on every page). No big list does: their choices come from
    the policy table or a registry (``core.admin_filters.choices_filter``). A ``DISTINCT`` over the page's
    own rows (``WHERE id IN …``) is not a scan."""
    from django.urls import reverse

    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, LargeListMixin):
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        _response, sqls = _get(admin_client, url)
        table = model._meta.db_table
        scans = [
            sql
            for sql in sqls
            if sql.startswith("SELECT DISTINCT") and f'FROM "{table}"' in sql and '"id" IN (' not in sql
        ]
        assert not scans, f"{model.__name__}: {scans}"


def test_the_policy_filter_offers_each_policy_once_and_filters(admin_client):
    """Issue 16: the invoice list's policy filter lists every policy code once, by its newest version's
    name, without reading the invoices, and filters by it (``?policy__code=`` and Django's ``__exact``)."""
    from billing.models import Invoice
    from contracts.presets import load_presets
    from contracts.selectors import policy_choices
    from tests.billing.payment_factories import CustomerFactory, make_invoice

    presets = {policy.code: policy for policy in load_presets()}
    choices = dict(policy_choices())
    assert set(choices) == {"officecore", "flow", "dcloud", "kgmsg", "damoa"}
    assert all(label.endswith(f"({code})") for code, label in choices.items())
    flow = make_invoice(CustomerFactory(), 330_000, policy=presets["flow"])
    make_invoice(CustomerFactory(), 110_000, policy=presets["dcloud"])
    url = "/admin/billing/invoice/"
    for params in ("?policy__code=flow", "?policy__code__exact=flow"):
        response, _sqls = _get(admin_client, url + params)
        assert [invoice.pk for invoice in response.context["cl"].result_list] == [flow.pk]
    page = _get(admin_client, url)[0].content.decode()
    assert choices["flow"] in page
    assert Invoice.objects.count() == 2
