"""Template filters for what people read (issue 15): ``{% load termsops %}`` then ``{{ x|won }}``,
``{{ q|qty }}``, ``{{ m|month }}``, ``{{ d|day }}``, ``{% filter particles %}``.
The formatting itself lives in core.formatting, the particles in core.korean."""

from __future__ import annotations

from django import template

from core import formatting, korean, stored_text

register = template.Library()

register.filter("won", formatting.won)
register.filter("qty", formatting.quantity)
register.filter("month", formatting.month)
register.filter("day", formatting.day)
register.filter("num", formatting.number)


@register.filter(is_safe=True)
def particles(text: str) -> str:
    """``{% filter particles %}…{% endfilter %}``: Korean particles after a value agree with it
    (``{{ name }}은(는)`` → "홍길동은"); see core.korean."""
    return korean.particles(str(text))


@register.filter
def reader(text: str) -> str:
    """``{{ line.description|reader }}``: a sentence a job stored in Korean from one of our msgids, in the
    reader's language (core.stored_text); other text as stored."""
    return stored_text.in_reader_language(str(text or ""))
