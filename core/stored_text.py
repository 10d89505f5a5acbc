"""Stored Korean text read in the reader's language (issue 15).

Jobs write some sentences once, in Korean, from our own msgids: an invoice line ("기본료 2026년 10월"), a
dunning step's label ("미납 안내 (3일 경과)"), a bank match note. An English reader should read them in
English, and they can be: each stored sentence is one of our msgids with its placeholders filled in.
:func:`in_reader_language` finds that msgid (exact, or as a pattern whose placeholders capture the
values), translates it, and puts the same values back. Values that are themselves msgids are translated
too, and amounts in won and months are re-written the reader's way (``300,000원`` → ``KRW 300,000``,
``2026년 10월`` → ``October 2026``). Text that
matches no msgid (a customer's name, a note typed by staff) is returned as stored.

The catalogue is read once per process from the compiled English catalogue (``locale/en``).
"""

from __future__ import annotations

import datetime as dt
import gettext as gettext_module
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils import translation

from . import formatting

_HANGUL = re.compile(r"[가-힣]")
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]|\{(\w*)\}")
_WON = re.compile(r"^(-?)([\d,]+)원$")
_MONTH = re.compile(r"^(\d{4})년 (\d{1,2})월$")


@dataclass(frozen=True)
class _Pattern:
    piece: str  # the longest literal piece: a cheap test before the regex
    regex: re.Pattern[str]
    msgid: str
    msgstr: str
    names: tuple[str, ...]  # the placeholders in order ("" for positional)


@dataclass(frozen=True)
class _Catalogue:
    exact: dict[str, str]
    patterns: tuple[_Pattern, ...]


@lru_cache(maxsize=4)
def _catalogue(language: str) -> _Catalogue:
    exact: dict[str, str] = {}
    patterns: list[_Pattern] = []
    for base in settings.LOCALE_PATHS:
        mo = Path(base) / language / "LC_MESSAGES" / "django.mo"
        if not mo.exists():
            continue
        with mo.open("rb") as handle:
            catalog = gettext_module.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
        for key, translated in catalog.items():
            if isinstance(key, tuple) or "\x04" in key or not _HANGUL.search(key) or not translated:
                continue  # plural forms and contexts are not stored sentences
            pieces = _PLACEHOLDER.split(key)
            literals = pieces[::3]
            if len(literals) == 1:
                exact[key] = str(translated)
                continue
            names = tuple((a or b or "") for a, b in zip(pieces[1::3], pieces[2::3], strict=True))
            longest = max(literals, key=len)
            if len(longest.strip()) < 3 or not _HANGUL.search(longest):
                continue
            regex = "(.+?)".join(re.escape(p) for p in literals)
            patterns.append(_Pattern(longest, re.compile(regex, re.S), key, str(translated), names))
    # the most specific first: a longer literal part wins over a shorter one that also matches
    patterns.sort(key=lambda p: -sum(len(x) for x in _PLACEHOLDER.split(p.msgid)[::3] if x))
    return _Catalogue(exact, tuple(patterns))


def _value(text: str, language: str) -> str:
    won = _WON.match(text)
    if won:
        return formatting.won(int(won.group(1) + won.group(2).replace(",", "")))
    month = _MONTH.match(text)
    if month and 1 <= int(month.group(2)) <= 12:
        return formatting.month(dt.date(int(month.group(1)), int(month.group(2)), 1))
    return in_reader_language(text, language=language, _depth=1) if _HANGUL.search(text) else text


def _fill(template: str, names: tuple[str, ...], values: list[str]) -> str:
    by_name = {n: v for n, v in zip(names, values, strict=True) if n}
    positional = iter(v for n, v in zip(names, values, strict=True) if not n)

    def put(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2) or ""
        if name:
            return by_name.get(name, match.group(0))
        return next(positional, match.group(0))

    return _PLACEHOLDER.sub(put, template)


def in_reader_language(text: str, *, language: str | None = None, _depth: int = 0) -> str:
    """``text`` as the active language's reader reads it (see the module doc); Korean returns it as is."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    if not text or language.startswith("ko") or not _HANGUL.search(text) or _depth > 1:
        return text
    catalogue = _catalogue(language.split("-")[0])
    found = catalogue.exact.get(text)
    if found is not None:
        return found
    for pattern in catalogue.patterns:
        if pattern.piece not in text:
            continue
        match = pattern.regex.fullmatch(text)
        if match is None:
            continue
        values = [_value(v, language) for v in match.groups()]
        return _fill(pattern.msgstr, pattern.names, values)
    return text
