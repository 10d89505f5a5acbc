"""List filters whose choices come from a small source, not from the listed table (issue 16).

Django's filter for a plain field or a path (``AllValuesFieldListFilter``: ``"provider"``,
``"policy__code"``) offers the values the listed table holds, asking it ``SELECT DISTINCT …`` on every
page: over 860,000 invoices, a read of the whole table to draw five links. :func:`choices_filter` takes
the choices from a callable instead (the policy table, a registry of jobs or providers: a handful of rows
or none) and filters the same way. Its query string is ``<path>=<value>``: the admin allows a lookup
through relations only when a filter's parameter is the path itself, and with it Django's own links
(``<path>__exact=<value>``) still filter, as a plain lookup on an allowed path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import Promise

Choices = Callable[[], Iterable[tuple[str, Any]]]


def choices_filter(path: str, title: str | Promise, choices: Choices) -> type[admin.SimpleListFilter]:
    """A list filter on ``path`` (a field or ``a__b__field``) offering ``choices()``: (value, label)
    pairs."""

    class ChoicesFilter(admin.SimpleListFilter):
        parameter_name = path

        def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
            return [(str(value), label) for value, label in choices()]

        def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
            value = self.value()
            return queryset.filter(**{path: value}) if value else queryset

    ChoicesFilter.title = title  # type: ignore[assignment]
    ChoicesFilter.__name__ = ChoicesFilter.__qualname__ = f"ChoicesFilter_{path}"
    return ChoicesFilter
