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


@register.filter
def won(value: Any) -> str:
    amount = _number(value)
    return str(value or "") if amount is None else formatting.won(int(amount))


@register.filter
def num(value: Any) -> str:
    amount = _number(value)
    return str(value or "") if amount is None else formatting.number(amount)


@register.filter
def qty(value: Any) -> str:
    amount = _number(value)
    return str(value or "") if amount is None else formatting.quantity(amount)


@register.filter
def month(value: Any) -> str:
    when = _date(value)
    return str(value or "") if when is None else formatting.month(when)


@register.filter
def day(value: Any) -> str:
    when = _date(value)
    return str(value or "") if when is None else formatting.day(when)
