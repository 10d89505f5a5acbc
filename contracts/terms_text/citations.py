"""Article citations in Policy help texts (``002 art.32③-1``, ``001 art.19-6-가``, ``003 별표2-나``) and
their resolution against a terms document's articles (TRM-1). Pure Python.

A citation names the seed document (``000`` officecore, ``001`` flow, ``002`` dcloud, ``003`` kgmsg,
``004`` damoa), the article (or appendix 별표) and a path down its numbered parts: circled numbers and
``-N`` are the next numbered level (a paragraph, or an item where the document numbers paragraphs as
``1.``), ``-가`` a sub-item. ``18③④`` cites two paragraphs of one article.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .parser import CIRCLED, HANGUL_ORDER

__all__ = ["SEED_DOCUMENTS", "Citation", "Resolution", "anchored", "parse_citations", "resolve"]

# Which seed document each built-in preset's terms come from.
SEED_DOCUMENTS = {"000": "officecore", "001": "flow", "002": "dcloud", "003": "kgmsg", "004": "damoa"}

_CITATION = re.compile(
    rf"(?P<doc>00[0-4])\s+(?:art\.(?P<art>\d+)(?:의(?P<branch>\d+))?(?P<path>(?:[{CIRCLED}]|-\d+|-[{HANGUL_ORDER}])*)"
    rf"|별표(?P<app>\d+)(?P<apath>(?:-\d+|-[{HANGUL_ORDER}])*))"
)
_STEP = re.compile(rf"[{CIRCLED}]|-\d+|-[{HANGUL_ORDER}]")


@dataclass(frozen=True)
class Citation:
    document: str  # "002"
    article: int
    branch: int = 0
    appendix: bool = False
    path: tuple[int | str, ...] = ()  # numbers for numbered levels, "가" for sub-items
    text: str = ""

    @property
    def article_key(self) -> str:
        if self.appendix:
            return f"A{self.article}"
        return f"{self.article}-{self.branch}" if self.branch else str(self.article)

    @property
    def label(self) -> str:
        """In Korean legal style: 제32조 제3항 제1호, 별표2 나목."""
        head = (
            f"별표{self.article}"
            if self.appendix
            else (f"제{self.article}조의{self.branch}" if self.branch else f"제{self.article}조")
        )
        parts = [head]
        numbered = 0
        for step in self.path:
            if isinstance(step, str):
                parts.append(f"{step}목")
            else:
                numbered += 1
                parts.append(f"제{step}{'항' if numbered == 1 and not self.appendix else '호'}")
        return " ".join(parts)

    @property
    def anchor(self) -> str:
        """The HTML id of the cited part on a rendered terms page."""
        return "art-" + "-".join([self.article_key, *(str(s) for s in self.path)])


def _steps(text: str) -> list[int | str]:
    steps: list[int | str] = []
    for s in _STEP.findall(text or ""):
        if s in CIRCLED:
            steps.append(CIRCLED.index(s) + 1)
        elif s[1:].isdigit():
            steps.append(int(s[1:]))
        else:
            steps.append(s[1:])
    return steps


def parse_citations(text: str) -> list[Citation]:
    """Every article citation in a help text; ``18③④`` gives one citation per paragraph."""
    found: list[Citation] = []
    for m in _CITATION.finditer(str(text)):
        if m["app"]:
            found.append(
                Citation(
                    m["doc"], int(m["app"]), appendix=True, path=tuple(_steps(m["apath"])), text=m.group(0)
                )
            )
            continue
        steps = _steps(m["path"])
        raw = m["path"] or ""
        lead_circles = len(raw) - len(raw.lstrip(CIRCLED))
        art, branch = int(m["art"]), int(m["branch"] or 0)
        if lead_circles > 1:  # "18③④": paragraphs ③ and ④
            for n in steps[:lead_circles]:
                found.append(
                    Citation(m["doc"], art, branch, path=(n, *steps[lead_circles:]), text=m.group(0))
                )
        else:
            found.append(Citation(m["doc"], art, branch, path=tuple(steps), text=m.group(0)))
    return found


@dataclass(frozen=True)
class Resolution:
    citation: Citation
    article: Any | None  # what the caller's index held for the article (a model row or a dict)
    clause: Mapping[str, Any] | None  # the cited part (a Clause.as_dict()), None when the article is cited
    problem: str = ""  # empty when it resolves

    @property
    def ok(self) -> bool:
        return not self.problem


def anchored(clauses: Sequence[Mapping[str, Any]], prefix: str) -> list[dict[str, Any]]:
    """The clause tree with an HTML ``anchor`` on every part, as ``Citation.anchor`` names it
    (``art-32-3-1``, ``art-19-6-가``)."""
    out = []
    for c in clauses:
        step = (
            HANGUL_ORDER[c["number"] - 1]
            if c["kind"] == "subitem" and c["number"] <= 14
            else str(c["number"])
        )
        anchor = f"{prefix}-{step}"
        out.append({**c, "anchor": anchor, "children": anchored(c["children"], anchor)})
    return out


def _find(children: Sequence[Mapping[str, Any]], step: int | str) -> Mapping[str, Any] | None:
    kinds: tuple[str, ...]
    if isinstance(step, str):
        number, kinds = HANGUL_ORDER.index(step) + 1, ("subitem",)
    else:
        number, kinds = step, ("paragraph", "item")
    for child in children:
        if child["number"] == number and child["kind"] in kinds:
            return child
    return None


def resolve(
    citation: Citation, articles: Mapping[str, Any], clauses_of: Any = lambda a: a["clauses"]
) -> Resolution:
    """Walk ``articles`` (article key → whatever the caller keeps; ``clauses_of`` gives its clause tree)
    down the citation's path."""
    article = articles.get(citation.article_key)
    if article is None:
        return Resolution(citation, None, None, "article_missing")
    children: Iterable[Mapping[str, Any]] = clauses_of(article)
    clause: Mapping[str, Any] | None = None
    for step in citation.path:
        clause = _find(list(children), step)
        if clause is None:
            return Resolution(citation, article, None, "part_missing")
        children = clause["children"]
    return Resolution(citation, article, clause)
