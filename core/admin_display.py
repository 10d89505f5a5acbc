"""How the admin shows stored values it has no column function for (issue 15).

Django renders a read-only field or a plain ``list_display`` field with ``display_for_field``: an integer
amount as ``1386``, a ``Decimal(5, 4)`` as ``100.0000`` and an audit actor as ``job:dunning``. Staff read
amounts in won with separators, quantities without trailing zeros and actors in words, on every page, so
this wraps that one function for the whole admin (installed once by ``core.apps.CoreConfig.ready``, like
``core.admin_dates``) instead of asking each of ~80 admins to remember a column helper:

- an integer field whose name says it is money (``*_won``, the house convention) → :func:`formatting.won`;
- any other integer field without choices → :func:`formatting.number` (``12,000``), except keys and ids;
- a decimal field → :func:`formatting.quantity` (``100``, ``99.5``);
- a text value that is an audit actor label (``job:…``, ``user:…``) → :func:`adminkit.actor_label`;
- a text value that is one of our Korean msgids, placeholders filled or not (a reason, note or label a
  job stored, such as "미납 안내 (3일 경과)") → in the reader's language (``core.stored_text``).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.contrib.admin import helpers
from django.contrib.admin.templatetags import admin_list
from django.db import models

from . import formatting
from .stored_text import in_reader_language

_MONEY_NAME = re.compile(r"_won(?:_|$)|^won_")
#: Integers that name or order something rather than count it: shown as stored (no ``1,234`` grouping).
_IDENTIFIERS = frozenset(
    {
        "id",
        "year",
        "revision",
        "version",
        "number",
        "last_number",
        "chapter_number",
        "line",
        "line_no",
        "index",
        "position",
        "customer_ref",
        "status_code",
        "http_status",
        "branch",
    }
)
_ACTOR = re.compile(r"(?:job|user|member):[\w.@+-]+|system")
_original = helpers.display_for_field  # type: ignore[attr-defined]


def _is_id(field: models.Field) -> bool:  # type: ignore[type-arg]
    return bool(field.primary_key or field.name.endswith("_id") or field.name in _IDENTIFIERS)


def display_for_field(value: Any, field: Any, empty_value_display: str, *args: Any, **kw: Any) -> Any:
    if value is not None and not getattr(field, "flatchoices", None):
        if isinstance(field, models.IntegerField) and isinstance(value, int) and not _is_id(field):
            return formatting.won(value) if _MONEY_NAME.search(field.name) else formatting.number(value)
        if isinstance(field, models.DecimalField) and isinstance(value, Decimal):
            return formatting.quantity(value)
        if isinstance(field, models.CharField) and isinstance(value, str) and _ACTOR.fullmatch(value):
            from .adminkit import actor_label

            return actor_label(value)
        if isinstance(field, (models.CharField, models.TextField)) and isinstance(value, str) and value:
            # A note a job stored in Korean from one of our msgids reads in the staff member's language.
            translated = in_reader_language(value)
            if translated != value:
                return translated
    return _original(value, field, empty_value_display, *args, **kw)


def install() -> None:
    """Both places Django calls it from: read-only fields on change pages and changelist cells."""
    helpers.display_for_field = display_for_field  # type: ignore[attr-defined]
    admin_list.display_for_field = display_for_field  # type: ignore[attr-defined]
