"""Bounded input fields shared by every API, admin and portal form and every import (issue #14).

Every money and date a person or a client types is checked here, once, before any rule runs:

- money (``*_won``): a whole number of won between a field's minimum (0 or 1) and the
  ``INPUT_MAX_WON`` setting (default 10,000,000,000 won): ``10**20`` or ``2**63`` is refused as input,
  not discovered as a database overflow;
- counts (seats, months): between 1 and ``INPUT_MAX_COUNT``;
- business dates: within ``INPUT_DATE_YEARS_BACK`` years before and ``INPUT_DATE_YEARS_AHEAD`` years
  after the clock's today (``core.clock``), so 0001-01-01 and 9999-12-31 never reach date arithmetic;
- periods (``YYYY-MM``): a real month inside the same window (``0000-00`` is refused);
- text: NUL characters are refused (PostgreSQL cannot store them).

The checks are plain functions (:func:`won_problem`, :func:`date_problem`, :func:`text_problem`) that
return the problem as a sentence or ``None``, so an importer (bank statements) reports them per line;
the DRF fields (:class:`WonField`, :class:`CountField`, :class:`BusinessDateField`, :class:`PeriodField`,
:class:`MonthField`)
and Django form fields (:class:`WonFormField`, :class:`CountFormField`, :class:`BusinessDateFormField`)
raise them as validation errors with a stable code (``won_out_of_range``, ``count_out_of_range``,
``date_out_of_range``, ``period_invalid``, ``null_characters``). :class:`StrictInputSerializer` refuses
keys it does not declare (``unknown_field``), so a misspelt field is a 400, not silently ignored.
The API's error body names the field and its code (``core.api.exception_handler``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import serializers

from . import clock
from .calendar import add_months

# --------------------------------------------------------------------------- the bounds


def max_won() -> int:
    return int(settings.INPUT_MAX_WON)


def max_count() -> int:
    return int(settings.INPUT_MAX_COUNT)


def date_window(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The first and last business date an input may name, relative to the clock's today."""
    today = today or clock.today()
    return (
        add_months(today, -12 * int(settings.INPUT_DATE_YEARS_BACK)),
        add_months(today, 12 * int(settings.INPUT_DATE_YEARS_AHEAD)),
    )


def won_problem(value: int, *, min_won: int = 0) -> str | None:
    """Why ``value`` is not an acceptable amount of won, or ``None``."""
    if value < min_won:
        return _("{min:,}원 이상이어야 합니다.").format(min=min_won)
    if value > max_won():
        return _("{max:,}원 이하여야 합니다.").format(max=max_won())
    return None


def count_problem(value: int, *, min_count: int = 1) -> str | None:
    if value < min_count or value > max_count():
        return _("{min:,}에서 {max:,} 사이여야 합니다.").format(min=min_count, max=max_count())
    return None


def date_problem(
    value: dt.date, *, today: dt.date | None = None, not_after_today: bool = False
) -> str | None:
    """Why ``value`` is not a plausible business date (outside the window around today), or ``None``."""
    first, last = date_window(today)
    if not_after_today:
        last = today or clock.today()
    if value < first or value > last:
        return _("{first}부터 {last} 사이의 날짜여야 합니다.").format(first=first, last=last)
    return None


def text_problem(value: str) -> str | None:
    if "\x00" in value:
        return _("NUL 문자는 쓸 수 없습니다.")
    return None


_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


def parse_period(value: str) -> dt.date | None:
    """``"2026-11"`` → 2026-11-01; ``None`` when it is not a month inside the date window."""
    match = _PERIOD.match(value)
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or year < 1:
        return None
    first = dt.date(year, month, 1)
    low, high = date_window()
    return first if low.replace(day=1) <= first <= high else None


# --------------------------------------------------------------------------- DRF fields


class _BoundedIntegerField(serializers.IntegerField):
    """An integer checked by one of the bound functions above; the bound is also put in the schema."""

    range_code = "out_of_range"  # the error code API clients see, one per kind of bound

    def __init__(self, *, lowest: int, highest: int, **kwargs: Any) -> None:
        self.lowest = lowest
        kwargs.setdefault("min_value", lowest)  # for the schema; the bounds are checked below
        kwargs.setdefault("max_value", highest)
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if not hasattr(v, "limit_value")]

    def problem(self, value: int) -> str | None:
        raise NotImplementedError

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool):
            self.fail("invalid")
        value = super().to_internal_value(data)
        problem = self.problem(value)
        if problem:
            self.fail(self.range_code, problem=problem)
        return value


class WonField(_BoundedIntegerField):
    """An amount of won in an API input: ``min_won`` (default 0) to ``INPUT_MAX_WON``."""

    range_code = "won_out_of_range"
    default_error_messages = {range_code: "{problem}"}

    def __init__(self, *, min_won: int = 0, **kwargs: Any) -> None:
        super().__init__(lowest=min_won, highest=max_won(), **kwargs)

    def problem(self, value: int) -> str | None:
        return won_problem(value, min_won=self.lowest)


class CountField(_BoundedIntegerField):
    """A count (seats, months) in an API input: ``min_count`` (default 1) to ``INPUT_MAX_COUNT``."""

    range_code = "count_out_of_range"
    default_error_messages = {range_code: "{problem}"}

    def __init__(self, *, min_count: int = 1, **kwargs: Any) -> None:
        super().__init__(lowest=min_count, highest=max_count(), **kwargs)

    def problem(self, value: int) -> str | None:
        return count_problem(value, min_count=self.lowest)


class BusinessDateField(serializers.DateField):
    """A business date in an API input, inside :func:`date_window` (``not_after_today``: up to today)."""

    default_error_messages = {"date_out_of_range": "{problem}"}

    def __init__(self, *, not_after_today: bool = False, **kwargs: Any) -> None:
        self.not_after_today = not_after_today
        super().__init__(**kwargs)

    def to_internal_value(self, value: Any) -> dt.date:
        day = super().to_internal_value(value)
        problem = date_problem(day, not_after_today=self.not_after_today)
        if problem:
            self.fail("date_out_of_range", problem=problem)
        return day


def period_problem() -> str:
    first, last = date_window()
    return _("{first:%Y-%m}부터 {last:%Y-%m} 사이의 YYYY-MM 월이어야 합니다.").format(first=first, last=last)


class PeriodField(serializers.CharField):
    """A month ``YYYY-MM`` inside :func:`date_window`; the value stays the string."""

    default_error_messages = {"period_invalid": "{problem}"}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 7)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        text = super().to_internal_value(data)
        if parse_period(text) is None:
            self.fail("period_invalid", problem=period_problem())
        return text


class MonthField(serializers.DateField):
    """A month ``YYYY-MM`` inside :func:`date_window`, as the date of its first day."""

    default_error_messages = {"period_invalid": "{problem}"}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("format", "%Y-%m")
        super().__init__(**kwargs)

    def to_internal_value(self, value: Any) -> dt.date:
        first = parse_period(value) if isinstance(value, str) else None
        if first is None:
            self.fail("period_invalid", problem=period_problem())
        return first


class StrictInputSerializer(serializers.Serializer):
    """An API input that refuses keys it does not declare (``unknown_field``, named per key)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(str(key) for key in data if key not in self.fields)
            if unknown:
                raise serializers.ValidationError(
                    {
                        key: [serializers.ErrorDetail(_("알 수 없는 필드입니다."), code="unknown_field")]
                        for key in unknown
                    }
                )
        return super().to_internal_value(data)


# --------------------------------------------------------------------------- Django form fields


class WonFormField(forms.IntegerField):
    """An amount of won in an admin or portal form: ``min_won`` (default 0) to ``INPUT_MAX_WON``."""

    def __init__(self, *, min_won: int = 0, **kwargs: Any) -> None:
        self.min_won = kwargs.pop("min_value", min_won)  # ``min_value`` as forms.IntegerField spells it
        kwargs.pop("max_value", None)  # the maximum is the setting's
        super().__init__(**kwargs)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None:
            problem = won_problem(value, min_won=self.min_won)
            if problem:
                raise DjangoValidationError(problem, code="won_out_of_range")


class CountFormField(forms.IntegerField):
    def __init__(self, *, min_count: int = 1, **kwargs: Any) -> None:
        self.min_count = kwargs.pop("min_value", min_count)
        self.max_count = kwargs.pop("max_value", None)  # a field may bound itself tighter
        super().__init__(**kwargs)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None:
            problem = count_problem(value, min_count=self.min_count)
            if problem is None and self.max_count is not None and value > self.max_count:
                problem = _("{min:,}에서 {max:,} 사이여야 합니다.").format(
                    min=self.min_count, max=self.max_count
                )
            if problem:
                raise DjangoValidationError(problem, code="count_out_of_range")


class BusinessDateFormField(forms.DateField):
    def __init__(self, *, not_after_today: bool = False, **kwargs: Any) -> None:
        self.not_after_today = not_after_today
        super().__init__(**kwargs)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None:
            problem = date_problem(value, not_after_today=self.not_after_today)
            if problem:
                raise DjangoValidationError(problem, code="date_out_of_range")


__all__ = [
    "BusinessDateField",
    "BusinessDateFormField",
    "CountField",
    "CountFormField",
    "PeriodField",
    "StrictInputSerializer",
    "WonField",
    "WonFormField",
    "count_problem",
    "date_problem",
    "date_window",
    "max_count",
    "max_won",
    "parse_period",
    "text_problem",
    "won_problem",
]
