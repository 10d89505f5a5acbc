"""Admin lists over huge tables without an exact ``COUNT(*)`` (issue 16).

Django's change list counts its rows twice per page: ``paginator.count`` (the filtered rows) and, unless
``show_full_result_count`` is off, the whole table. Over a million invoices each count reads the table.

:class:`EstimatedCountPaginator` asks PostgreSQL's planner first (``EXPLAIN`` of the list's query, no
rows read): when the planner expects more than ``ADMIN_EXACT_COUNT_LIMIT`` rows (10,000 by default) the
estimate is the count, marked :class:`ApproximateCount` so the page says "약"; below that it counts
exactly, as before. :class:`LargeListMixin` puts it on an admin and switches the whole-table count off.
On another database (SQLite for the demo) it always counts exactly.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

#: Above this many rows (the planner's guess) a list shows the estimate instead of counting.
DEFAULT_EXACT_COUNT_LIMIT = 10_000


def exact_count_limit() -> int:
    return int(getattr(settings, "ADMIN_EXACT_COUNT_LIMIT", DEFAULT_EXACT_COUNT_LIMIT))


class ApproximateCount(int):
    """A row count that is the planner's estimate (templates test ``.approximate``)."""

    approximate = True


def planner_rows(queryset: QuerySet[Any]) -> int | None:
    """The number of rows PostgreSQL's planner expects ``queryset`` to return, or None elsewhere."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    query = queryset.order_by().values("pk").query
    sql, params = query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        (plan,) = cursor.fetchone()
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatedCountPaginator(Paginator):
    """Counts exactly up to ``ADMIN_EXACT_COUNT_LIMIT`` rows; above, the planner's estimate."""

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if isinstance(rows, QuerySet):
            estimate = planner_rows(rows)
            if estimate is not None and estimate > exact_count_limit():
                return ApproximateCount(estimate)
        return int(super().count)


class LargeListMixin:
    """For the admins of tables that grow without bound (invoices, contracts, payments, dunning cases,
    messages, ledger, job runs): estimated counts, no second count of the whole table, and date
    drill-down links from the table's first and last date instead of a scan of the list
    (``core.admin_dates.span_date_hierarchy``)."""

    paginator: ClassVar[type] = EstimatedCountPaginator
    show_full_result_count: ClassVar[bool] = False
    date_hierarchy_drilldown: ClassVar[bool] = False
