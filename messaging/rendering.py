"""Rendering notice templates with Django's template engine.

A dedicated engine: plain text (no HTML auto-escaping; the portal escapes on
display), ``humanize`` filters and ``messaging.notice_filters`` built in so
``{{ amount_won|won }}`` (``330,000원`` / ``KRW 330,000``) and ``{{ month|month }}``
work without ``{% load %}``, and unknown variables render as empty text. Rendering
happens in the notice's language so number and date formats follow it.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from decimal import Decimal
from typing import Any

from django.db import models
from django.template import Context, Engine, Template, TemplateSyntaxError
from django.utils import translation
from django.utils.functional import Promise

from core.korean import particles

_engine = Engine(
    autoescape=False,
    builtins=["django.contrib.humanize.templatetags.humanize", "messaging.notice_filters"],
    libraries={},
    string_if_invalid="",
)


def check_syntax(source: str) -> str | None:
    """The syntax error in ``source``, or ``None`` when it compiles."""
    try:
        _engine.from_string(source)
    except TemplateSyntaxError as exc:
        return str(exc)
    return None


@functools.lru_cache(maxsize=512)
def _compiled(source: str) -> Template:
    """``source`` compiled once per process (issue 16: a batch renders one template for many notices); a
    compiled template renders any context and language, as Django's cached template loader relies on."""
    return _engine.from_string(source)


def render(source: str, variables: dict[str, Any], *, language: str) -> str:
    with translation.override(language):
        text = _compiled(source).render(Context(variables, autoescape=False))
    return particles(text)  # "계약 {{ number }}이(가)" reads "계약 C-2026-0001이" (core.korean)


def render_subject(source: str, variables: dict[str, Any], *, language: str) -> str:
    """A subject is one line (mail headers refuse newlines)."""
    return " ".join(render(source, variables, language=language).split())[:300]


def json_safe(value: Any) -> Any:
    """The variables as stored on the notice: dates as ISO strings, numbers kept, the rest as text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, uuid.UUID | Promise):
        return str(value)
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_safe(v) for v in value]
    if isinstance(value, models.Model):
        return {"pk": value.pk, "str": str(value)}
    return str(value)
