"""Filters every notice template has without ``{% load %}`` (issue 15): ``|won``, ``|month``, ``|day``,
``|qty``, ``|num``, in the notice's language (``330,000원`` / ``KRW 330,000``; ``2026년 11월`` /
``November 2026``). The formatting is ``core.formatting``'s; these only accept the values a stored notice
context holds (JSON: numbers, ISO date strings such as ``2026-11-20`` or a month ``2026-11``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

from core import formatting

register = template.Library()


def _date(value: Any) -> dt.date | dt.datetime | None:
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    if not text:
        return None
    try:
        if len(text) == 7:  # a month, YYYY-MM
            return dt.date.fromisoformat(f"{text}-01")
        if len(text) == 10:
            return dt.date.fromisoformat(text)
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def _number(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        return None


def _filter(name: str, read: Any, show: Any) -> None:
    """``|name``: the stored value read by ``read`` (``_number`` or ``_date``), shown by ``core.formatting``;
    a value it cannot read is shown as it is."""

    def apply(value: Any) -> str:
        parsed = read(value)
        return str(value or "") if parsed is None else show(parsed)

    register.filter(name, apply)


_filter("won", _number, lambda amount: formatting.won(int(amount)))
_filter("num", _number, formatting.number)
_filter("qty", _number, formatting.quantity)
_filter("month", _date, formatting.month)
_filter("day", _date, formatting.day)
