"""The admin's date drill-down (``date_hierarchy``) bounded to the input window (issue #14).

Django's changelist turns ``?received_on__year=9999`` into the range [9999-01-01, 10000-01-01) and
fails with ``ValueError: year 10000 is out of range`` — a 500 from a query string. :class:`BoundedChangeList`
refuses a year outside ``core.fields.date_window`` (and a month or day that is not a number) as an invalid
lookup, which the admin answers as it does any bad filter: a redirect to the list with ``?e=1``.

It is installed for every ``ModelAdmin`` once, by ``core.apps.CoreConfig.ready`` (:func:`install`), so no
admin can forget it; ``tests/core/test_input_bounds.py`` checks every registered admin uses it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin import ModelAdmin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.http import HttpRequest

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


def _get_changelist(self: ModelAdmin, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
    return BoundedChangeList


def install() -> None:
    """Every ``ModelAdmin`` (that does not choose its own) lists with :class:`BoundedChangeList`."""
    ModelAdmin.get_changelist = _get_changelist  # type: ignore[method-assign]
