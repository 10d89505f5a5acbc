"""The old/new comparison table (신구조문 대비표) of two terms versions, article by article, with the changes
marked inside a changed article's text (TRM-3). Pure Python: difflib over articles matched by their key
(제N조, 제N조의M, 별표N), then over words inside each changed article."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

__all__ = ["ArticleChange", "ArticleText", "Segment", "compare_articles"]

CHANGED, ADDED, REMOVED = "changed", "added", "removed"


@dataclass(frozen=True)
class ArticleText:
    key: str
    heading: str  # "제32조 (이용요금의 정산)"
    text: str


@dataclass(frozen=True)
class Segment:
    """A run of text: ``equal``, ``delete`` (only in the old text) or ``insert`` (only in the new one)."""

    op: str
    text: str


@dataclass(frozen=True)
class ArticleChange:
    key: str
    status: str  # changed | added | removed
    old_heading: str
    new_heading: str
    old: tuple[Segment, ...]  # equal + delete segments
    new: tuple[Segment, ...]  # equal + insert segments

    @property
    def heading(self) -> str:
        return self.new_heading or self.old_heading

    @property
    def old_text(self) -> str:
        return "".join(s.text for s in self.old)

    @property
    def new_text(self) -> str:
        return "".join(s.text for s in self.new)

    @property
    def old_html(self) -> str:
        return _html(self.old, "del")

    @property
    def new_html(self) -> str:
        return _html(self.new, "ins")


_TOKEN = re.compile(r"\s+|[0-9]+(?:[.,][0-9]+)*|[^\s0-9]")


def _tokens(text: str) -> list[str]:
    """Whitespace runs, whole numbers and single characters: Korean words change by a syllable
    (하여야 → 할 수), numbers change whole (18 → 15)."""
    return _TOKEN.findall(text)


def _html(segments: Sequence[Segment], tag: str) -> str:
    out = []
    for s in segments:
        text = escape(s.text).replace("\n", "<br>")
        out.append(text if s.op == "equal" else f"<{tag}>{text}</{tag}>")
    return "".join(out)


def _merge(segments: list[Segment]) -> tuple[Segment, ...]:
    merged: list[Segment] = []
    for s in segments:
        if merged and merged[-1].op == s.op:
            merged[-1] = Segment(s.op, merged[-1].text + s.text)
        else:
            merged.append(s)
    return tuple(merged)


def diff_text(old: str, new: str) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    a, b = _tokens(old), _tokens(new)
    left: list[Segment] = []
    right: list[Segment] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            left.append(Segment("equal", "".join(a[i1:i2])))
            right.append(Segment("equal", "".join(b[j1:j2])))
            continue
        if i2 > i1:
            left.append(Segment("delete", "".join(a[i1:i2])))
        if j2 > j1:
            right.append(Segment("insert", "".join(b[j1:j2])))
    return _merge(left), _merge(right)


def _normalised(text: str) -> str:
    return " ".join(text.split())


def compare_articles(old: Sequence[ArticleText], new: Sequence[ArticleText]) -> list[ArticleChange]:
    """Changed, added and removed articles in the new version's order (a removed article where it stood).
    Whitespace-only differences (a line broken elsewhere) are not changes."""
    old_by_key = {a.key: a for a in old}
    new_keys = {a.key for a in new}
    changes: list[ArticleChange] = []
    i = 0

    def flush_removed(*, all_left: bool = False) -> None:
        nonlocal i
        while i < len(old) and (all_left or old[i].key not in new_keys):
            a = old[i]
            i += 1
            if a.key not in new_keys:
                changes.append(ArticleChange(a.key, REMOVED, a.heading, "", (Segment("delete", a.text),), ()))

    for article in new:
        flush_removed()
        before = old_by_key.get(article.key)
        if before is None:
            changes.append(
                ArticleChange(article.key, ADDED, "", article.heading, (), (Segment("insert", article.text),))
            )
            continue
        if i < len(old) and old[i].key == article.key:
            i += 1
        if _normalised(before.text) == _normalised(article.text):
            continue
        left, right = diff_text(before.text, article.text)
        changes.append(ArticleChange(article.key, CHANGED, before.heading, article.heading, left, right))
    flush_removed(all_left=True)
    return changes
