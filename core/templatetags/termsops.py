"""Template filters for what people read (issue 15): ``{% load termsops %}`` then ``{{ x|won }}``,
``{{ q|qty }}``, ``{{ m|month }}``, ``{{ d|day }}``. The formatting itself lives in core.formatting."""

from __future__ import annotations

from django import template

from core import formatting

register = template.Library()

register.filter("won", formatting.won)
register.filter("qty", formatting.quantity)
register.filter("month", formatting.month)
register.filter("day", formatting.day)
register.filter("num", formatting.number)
