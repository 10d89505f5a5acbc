"""The admin's date drill-down (``date_hierarchy``): bounded to the input window (issue #14), and
without a scan of the list over huge tables (issue #16).

Django's changelist turns ``?received_on__year=9999`` into the range [9999-01-01, 10000-01-01) and
fails with ``ValueError: year 10000 is out of range`` — a 500 from a query string. :class:`BoundedChangeList`
refuses a year outside ``core.fields.date_window`` (and a month or day that is not a number) as an invalid
lookup, which the admin answers as it does any bad filter: a redirect to the list with ``?e=1``.

It is installed for every ``ModelAdmin`` once, by ``core.apps.CoreConfig.ready`` (:func:`install`), so no
admin can forget it; ``tests/core/test_input_bounds.py`` checks every registered admin uses it.

Django's drill-down links ask the filtered list which years, months or days hold rows
(``SELECT DISTINCT DATE_TRUNC(…)`` over every matching row): over 860,000 invoices that one query read the
whole table on every page (4 s of a 4.0 s page, issue #16). An admin that sets
``date_hierarchy_drilldown = False`` (every :class:`core.admin_counts.LargeListMixin` does) gets
:func:`span_date_hierarchy` instead: the links cover the dates between the table's first and last row
(``MIN``/``MAX`` of the unfiltered column, two index look-ups), so a link may lead to an empty page but
no page reads the table. The attribute's name is the one django-admin-lightweight-date-hierarchy uses;
that package was not taken because it replaces the tag for every admin with an older copy of Django's
(without Django 5's local-time handling of datetime columns).
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.contrib.admin import ModelAdmin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.contrib.admin.views.main import ChangeList
from django.db.models import Max, Min
from django.http import HttpRequest
from django.template.base import Parser, Token
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from . import clock
from .fields import date_window


class BoundedChangeList(ChangeList):
    def get_filters(self, request: HttpRequest) -> Any:
        if self.date_hierarchy:
            low, high = date_window()
            parts = {
                part: request.GET.get(f"{self.date_hierarchy}__{part}") for part in ("year", "month", "day")
            }
            for part, raw in parts.items():
                if raw is not None and not (raw.isascii() and raw.isdigit() and len(raw) <= 4):
                    raise IncorrectLookupParameters(f"{part}: {raw[:20]!r}")
            year = parts["year"]
            if year is not None and not low.year <= int(year) <= high.year:
                raise IncorrectLookupParameters(f"year {year} outside {low.year}..{high.year}")
        return super().get_filters(request)


def _as_date(value: dt.date | dt.datetime | None) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return clock.to_seoul_date(value) if timezone.is_aware(value) else value.date()
    return value


def table_span(cl: ChangeList) -> tuple[dt.date, dt.date]:
    """The first and last date of the drill-down's column over the whole table (not the filtered list:
    ``MIN`` and ``MAX`` of an indexed column are two index look-ups); today's date for an empty table."""
    field = cl.date_hierarchy
    span = cl.model._default_manager.order_by().aggregate(first=Min(field), last=Max(field))
    first, last = _as_date(span["first"]), _as_date(span["last"])
    today = clock.today()
    return (first or today, last or today)


def _months(year: int, first: dt.date, last: dt.date) -> list[dt.date]:
    return [
        dt.date(year, month, 1)
        for month in range(1, 13)
        if (first.year, first.month) <= (year, month) <= (last.year, last.month)
    ]


def _days(year: int, month: int, first: dt.date, last: dt.date) -> list[dt.date]:
    days = (dt.date(year, month, day) for day in range(1, calendar.monthrange(year, month)[1] + 1))
    return [day for day in days if first <= day <= last]


def span_date_hierarchy(cl: ChangeList) -> dict[str, Any] | None:
    """Django's ``date_hierarchy`` tag with links drawn from :func:`table_span` instead of a query of the
    list; the same levels, start level, links and titles."""
    if not cl.date_hierarchy:
        return None
    if getattr(cl.model_admin, "date_hierarchy_drilldown", True):
        return admin_list.date_hierarchy(cl)  # type: ignore[no-any-return]
    name = cl.date_hierarchy
    year_field, month_field, day_field = f"{name}__year", f"{name}__month", f"{name}__day"
    year, month, day = (cl.params.get(key) for key in (year_field, month_field, day_field))
    first, last = table_span(cl)

    def link(filters: dict[str, Any]) -> str:
        return cl.get_query_string(filters, [f"{name}__"])  # type: ignore[no-any-return]

    if not (year or month or day) and first.year == last.year:  # Django's start level
        year = str(first.year)
        if first.month == last.month:
            month = str(first.month)
    if year and month and day:
        chosen = dt.date(int(year), int(month), int(day))
        return {
            "show": True,
            "back": {
                "link": link({year_field: year, month_field: month}),
                "title": capfirst(formats.date_format(chosen, "YEAR_MONTH_FORMAT")),
            },
            "choices": [{"title": capfirst(formats.date_format(chosen, "MONTH_DAY_FORMAT"))}],
        }
    if year and month:
        return {
            "show": True,
            "back": {"link": link({year_field: year}), "title": str(year)},
            "choices": [
                {
                    "link": link({year_field: year, month_field: month, day_field: each.day}),
                    "title": capfirst(formats.date_format(each, "MONTH_DAY_FORMAT")),
                }
                for each in _days(int(year), int(month), first, last)
            ],
        }
    if year:
        return {
            "show": True,
            "back": {"link": link({}), "title": _("All dates")},
            "choices": [
                {
                    "link": link({year_field: year, month_field: each.month}),
                    "title": capfirst(formats.date_format(each, "YEAR_MONTH_FORMAT")),
                }
                for each in _months(int(year), first, last)
            ],
        }
    return {
        "show": True,
        "back": None,
        "choices": [
            {"link": link({year_field: str(each)}), "title": str(each)}
            for each in range(first.year, last.year + 1)
        ],
    }


def _date_hierarchy_tag(parser: Parser, token: Token) -> InclusionAdminNode:
    return InclusionAdminNode(
        parser, token, func=span_date_hierarchy, template_name="date_hierarchy.html", takes_context=False
    )


def _get_changelist(self: ModelAdmin, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
    return BoundedChangeList


def install() -> None:
    """Every ``ModelAdmin`` (that does not choose its own) lists with :class:`BoundedChangeList`, and the
    admin's ``{% date_hierarchy %}`` tag is :func:`span_date_hierarchy` (before any template is parsed)."""
    ModelAdmin.get_changelist = _get_changelist  # type: ignore[method-assign]
    admin_list.register.tag("date_hierarchy", _date_hierarchy_tag)
