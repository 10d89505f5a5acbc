"""A chart with its numbers as a table (issue 17): one object gives the page its table, its Chart.js data and
its CSV download, so the three never disagree.

A :class:`ChartTable` holds raw rows (ints, integer won, ``Decimal`` percentages, dates) and its
:class:`Column` list; the template ``charts/_chart_table.html`` shows the table (each cell through
``core.formatting``), a ``<canvas>`` drawn by ``static/dashboards/charts.js`` from
:meth:`ChartTable.chart_data` (Chart.js, served from our static files) and a CSV link;
:func:`csv_download` answers that link through ``core.adminkit.csv_response`` (``core.csvkit``).
Labels are translated by the caller; amounts read as ``won`` in the table, the axis and the tooltips.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext

from . import formatting
from .adminkit import csv_response

#: How a column's values read: ``text`` (as is), ``num`` (a count), ``won``, ``pct`` (a percentage),
#: ``day`` (a date), ``month`` (the first day of a month).
KINDS = ("text", "num", "won", "pct", "day", "month")
CSV_PARAMETER = "csv"


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    kind: str = "text"

    def show(self, value: Any) -> str:
        if value is None or value == "":
            return "—"
        if self.kind == "num":
            return formatting.number(int(value))
        if self.kind == "won":
            return formatting.won(int(value))
        if self.kind == "pct":
            return f"{formatting.quantity(Decimal(value))}%"
        if self.kind == "day":
            return formatting.day(value)
        if self.kind == "month":
            return formatting.month(value)
        return str(value)

    def csv(self, value: Any) -> Any:
        if value is None:
            return ""
        if isinstance(value, dt.date):
            return value.strftime("%Y-%m") if self.kind == "month" else value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        return value if isinstance(value, int) else str(value)


@dataclass(frozen=True)
class Cell:
    text: str
    url: str = ""
    numeric: bool = False


@dataclass
class ChartTable:
    """One chart and its table.

    ``label`` names the column along the chart's axis, ``series`` the columns drawn (one dataset each);
    ``links`` maps a column key to one URL per row (the filtered admin list behind a bar or a cell).
    ``chart`` is a Chart.js type (``bar``, ``line``) or ``""`` for a table without a chart.
    """

    id: str
    title: Any
    columns: list[Column]
    rows: list[dict[str, Any]]
    label: str = ""
    series: Sequence[str] = ()
    chart: str = "bar"
    stacked: bool = False
    links: dict[str, list[str]] = field(default_factory=dict)
    note: Any = ""
    empty: Any = ""

    @property
    def canvas_id(self) -> str:
        return f"{self.id}-chart"

    @property
    def data_id(self) -> str:
        return f"{self.id}-data"

    @property
    def has_chart(self) -> bool:
        return bool(self.chart and self.series and self.rows)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def body(self) -> list[list[Cell]]:
        """The table's rows as shown: every value through ``core.formatting``, linked where ``links`` says."""
        out = []
        for index, row in enumerate(self.rows):
            cells = []
            for column in self.columns:
                urls = self.links.get(column.key)
                cells.append(
                    Cell(
                        text=column.show(row.get(column.key)),
                        url=urls[index] if urls else "",
                        numeric=column.kind in ("num", "won", "pct"),
                    )
                )
            out.append(cells)
        return out

    def chart_data(self) -> dict[str, Any]:
        """What ``charts.js`` draws: labels, one dataset per series (plain numbers), the links of each bar
        or point, and how values read (``prefix``/``suffix`` of ``core.formatting``: 원, KRW, %)."""
        label = self.column(self.label)
        kinds = {self.column(key).kind for key in self.series}
        kind = kinds.pop() if len(kinds) == 1 else "num"
        sample = formatting.won(1) if kind == "won" else ("1%" if kind == "pct" else "1")
        prefix, _one, suffix = sample.partition("1")
        return {
            "type": self.chart,
            "title": str(self.title),
            "labels": [label.show(row.get(self.label)) for row in self.rows],
            "datasets": [
                {
                    "label": str(self.column(key).label),
                    "data": [_number(row.get(key)) for row in self.rows],
                    "links": self.links.get(key, []),
                }
                for key in self.series
            ],
            "stacked": self.stacked,
            "prefix": prefix,
            "suffix": suffix,
            "percent": kind == "pct",
        }

    def csv_header(self) -> list[str]:
        return [str(column.label) for column in self.columns]

    def csv_rows(self) -> list[list[Any]]:
        return [[column.csv(row.get(column.key)) for column in self.columns] for row in self.rows]


def _number(value: Any) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    return int(value)


def csv_url(request: HttpRequest, table: ChartTable) -> str:
    return f"{request.path}?{CSV_PARAMETER}={table.id}"


def csv_download(request: HttpRequest, tables: Sequence[ChartTable], *, filename: str) -> HttpResponse | None:
    """The CSV of the table the request names (``?csv=<id>``: ``core.adminkit.csv_response``, every cell
    through ``core.csvkit``); None when it names none (the page itself). An unknown table is a 404."""
    wanted = request.GET.get(CSV_PARAMETER)
    if not wanted:
        return None
    for table in tables:
        if table.id == wanted:
            return csv_response(f"{filename}-{table.id}.csv", table.csv_header(), table.csv_rows())
    raise Http404(gettext("그런 표가 없습니다."))
