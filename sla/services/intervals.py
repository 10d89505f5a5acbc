"""Time intervals [start, end) as pairs of aware datetimes: union, subtraction, clipping, joining."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from fractions import Fraction

Span = tuple[dt.datetime, dt.datetime]


def union(spans: Iterable[Span]) -> list[Span]:
    """Merge overlapping or touching spans; overlapping incidents are counted once (SLA-3)."""
    out: list[Span] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def subtract(spans: Iterable[Span], holes: Iterable[Span]) -> list[Span]:
    """``spans`` minus every ``hole``."""
    result = union(spans)
    for h_start, h_end in union(holes):
        nxt: list[Span] = []
        for start, end in result:
            if h_end <= start or h_start >= end:
                nxt.append((start, end))
                continue
            if start < h_start:
                nxt.append((start, h_start))
            if h_end < end:
                nxt.append((h_end, end))
        result = nxt
    return result


def clip(spans: Iterable[Span], window: Span) -> list[Span]:
    lo, hi = window
    return [(max(s, lo), min(e, hi)) for s, e in spans if e > lo and s < hi]


def join_within(spans: Iterable[Span], gap: dt.timedelta) -> list[Span]:
    """Join a span that starts within ``gap`` of the previous one's end, the gap included."""
    out: list[Span] = []
    for start, end in union(spans):
        if out and start - out[-1][1] <= gap:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def minutes(span: Span) -> Fraction:
    return Fraction(int((span[1] - span[0]).total_seconds()), 60)


def total_minutes(spans: Iterable[Span]) -> Fraction:
    return sum((minutes(s) for s in spans), Fraction(0))
