"""Reads a Korean terms text (약관) into its structure (TRM-1): chapters (제N장), articles (제N조, 제N조의M,
title in brackets or after the number), paragraphs (①②… or ``1 `` as some documents write them), items
(``1.``, ``1)``, ``(1)``) and sub-items (가. 나. …), appendices (별표N) and the addenda (부칙) with their
effective dates. Pure Python: no database, no Django models.

Real documents are untidy, so the reader is lenient where a reading is unambiguous and strict where it is
not:

- headings may be written ``제 1 조 (목 적)``, ``1. 제 1조 (목적)``, ``제 1 조 목적``, ``제1조 (목적)``
  and even
  ``13 조 제목`` (the 제 lost) when the number is the next one;
- a line that does not start a heading or a numbered part continues the previous one (lines broken in
  the middle of a sentence), and a number that does not fit any open list (``30 일 이상``) too, except
  for the unambiguous markers (circled paragraphs, ``1.`` items, ``가.`` sub-items);
- lines before the first article are the document's front matter up to its title (the last line naming
  the 약관/특약); after the title only short lines (issuer, version) may come.

Errors name the line: a skipped or repeated article, chapter, paragraph or item number, an unclosed
bracket in a heading, text before the first article, no article at all. A caller saves nothing from a
text with errors.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

__all__ = [
    "Addendum",
    "Article",
    "Clause",
    "ParseError",
    "ParsedTerms",
    "decode_terms",
    "parse_terms",
]

CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
HANGUL_ORDER = "가나다라마바사아자차카타파하"
KIND_PARAGRAPH, KIND_ITEM, KIND_SUBITEM = "paragraph", "item", "subitem"

_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
_BULLET = re.compile(r"^(?:[•·▪◦\-\*]\s+)+")
_ARTICLE = re.compile(
    r"^(?:\d{1,3}\.\s*)?(?P<je>제\s*)?(?P<num>\d{1,3})\s*조(?:\s*의\s*(?P<branch>\d{1,2}))?(?P<rest>(?=[\s(（]|$).*)$"
)
_CHAPTER = re.compile(r"^제\s*(?P<num>\d{1,2})\s*장\.?(?P<rest>(?=\s|$).*)$")
_APPENDIX = re.compile(r"^[\[<]?\s*별\s*표\s*(?P<num>\d{1,2})\s*[\]>]?(?P<rest>.*)$")
_ADDENDA = re.compile(r"^(?:<\s*)?(?:부\s*칙|약관\s*(?:제정|개정).*이력)")
_ADDENDA_DATE_LINE = re.compile(r"^(?:\d{1,3}\.\s*)?(?:-\s*)?(?:공고\s*일자|시행\s*일자|\(\s*시행일\s*\))")
_DATE = re.compile(r"(\d{4})\s*[년.\-/]\s*(\d{1,2})\s*[월.\-/]\s*(\d{1,2})\s*일?")
_CIRCLED_RE = re.compile(rf"^(?P<mark>[{CIRCLED}])\s*(?P<rest>.*)$")
_NUM_RE = re.compile(r"^(?P<num>\d{1,2})(?P<punct>[.)])(?!\d)\s*(?P<rest>.*)$")
_PAREN_RE = re.compile(r"^\((?P<num>\d{1,2})\)\s*(?P<rest>.*)$")
_BARE_RE = re.compile(
    r"^(?P<num>\d{1,2})\s+(?!(?:일|개월|년|시간|분|초|원|%|회|건|영업일|월|주|명|개|byte|GB|MB|KB)(?:\s|$|[^가-힣]))"
    r"(?P<rest>\S.*)$"
)
_KOREAN_RE = re.compile(rf"^(?P<mark>[{HANGUL_ORDER}])[.)]\s*(?P<rest>.*)$")
_TITLE_WORDS = ("약관", "특약")
_SHORT = 40


@dataclass(frozen=True)
class ParseError:
    line: int
    code: str
    message: str

    def __str__(self) -> str:
        return _("{line}행: {message}").format(line=self.line, message=self.message)


@dataclass
class Clause:
    """A numbered part of an article: a paragraph (항), an item (호) or a sub-item (목)."""

    kind: str
    number: int
    label: str
    line: int
    lines: list[str] = field(default_factory=list)
    children: list[Clause] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "number": self.number,
            "label": self.label,
            "line": self.line,
            "text": self.text,
            "children": [c.as_dict() for c in self.children],
        }


@dataclass
class Article:
    """제N조 (or 제N조의M; an appendix 별표N when ``appendix``), with its exact text."""

    number: int
    branch: int
    title: str
    line: int
    chapter_number: int | None = None
    chapter_title: str = ""
    appendix: bool = False
    raw: list[str] = field(default_factory=list)
    lead: list[str] = field(default_factory=list)
    clauses: list[Clause] = field(default_factory=list)

    @property
    def label(self) -> str:
        if self.appendix:
            return f"별표{self.number}"
        return f"제{self.number}조의{self.branch}" if self.branch else f"제{self.number}조"

    @property
    def key(self) -> str:
        """A stable key to match the same article across versions: ``12``, ``12-2``, ``A3`` (별표3)."""
        if self.appendix:
            return f"A{self.number}"
        return f"{self.number}-{self.branch}" if self.branch else str(self.number)

    @property
    def text(self) -> str:
        lines = list(self.raw)
        while lines and not lines[-1].strip():
            lines.pop()
        return "\n".join(lines)


@dataclass
class Addendum:
    title: str
    line: int
    lines: list[str] = field(default_factory=list)
    effective_date: dt.date | None = None

    @property
    def text(self) -> str:
        return "\n".join(x for x in self.lines if x.strip())


@dataclass
class ParsedTerms:
    title: str = ""
    preamble: list[str] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)
    addenda: list[Addendum] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)
    warnings: list[ParseError] = field(default_factory=list)
    encoding: str = "utf-8"

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def effective_date(self) -> dt.date | None:
        dates = [a.effective_date for a in self.addenda if a.effective_date]
        return max(dates) if dates else None

    def article(self, number: int, branch: int = 0, *, appendix: bool = False) -> Article | None:
        for a in self.articles:
            if (a.number, a.branch, a.appendix) == (number, branch, appendix):
                return a
        return None


# --------------------------------------------------------------------------- decoding


def decode_terms(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was read with: UTF-8 (with or without BOM), else CP949 (EUC-KR's
    superset, what Korean Windows saves). Raises ``UnicodeDecodeError`` when it is neither."""
    try:
        text, encoding = data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = data.decode("cp949"), "cp949"
    return text.replace("\r\n", "\n").replace("\r", "\n"), encoding


# --------------------------------------------------------------------------- helpers


def _indent(raw: str) -> int:
    width = 0
    for ch in raw:
        if ch == "\t":
            width += 4
        elif ch in " \u3000\xa0":
            width += 1
        else:
            break
    return width


def _clean(raw: str) -> str:
    text = _BOOKMARK.sub("", raw).strip().strip("\u3000\xa0").strip()
    return _BULLET.sub("", text).strip()


def _date_in(text: str) -> dt.date | None:
    m = _DATE.search(text)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _is_title_line(text: str) -> bool:
    return len(text) <= 60 and any(w in text for w in _TITLE_WORDS) and not text.endswith(("다.", "다"))


@dataclass
class _List:
    """An open numbered list inside an article: its marker style, indent and last number."""

    style: str
    indent: int
    last: int
    items: list[Clause]


class _Reader:
    def __init__(self) -> None:
        self.doc = ParsedTerms()
        self.article: Article | None = None
        self.addendum: Addendum | None = None
        self.lists: list[_List] = []
        self.current: Clause | None = None
        self.chapter: tuple[int | None, str] = (None, "")
        self.last_chapter = 0
        self.preamble_lines: list[tuple[int, str]] = []

    # ------------------------------------------------------------------ errors

    def error(self, line: int, code: str, message: str) -> None:
        self.doc.errors.append(ParseError(line, code, message))

    # ------------------------------------------------------------------ headings

    def _expected_article(self) -> tuple[int, int]:
        last = [a for a in self.doc.articles if not a.appendix]
        return (last[-1].number, last[-1].branch) if last else (0, 0)

    def _fits(self, num: int, branch: int) -> bool:
        last_num, last_branch = self._expected_article()
        if branch:
            return num == last_num and branch == max(last_branch, 1) + 1
        return num == last_num + 1

    def try_article(self, lineno: int, text: str) -> bool:
        m = _ARTICLE.match(text)
        if not m:
            return False
        num, branch = int(m["num"]), int(m["branch"] or 0)
        rest = m["rest"].strip()
        fits = self._fits(num, branch)
        if not m["je"] and not (fits and rest):
            return False
        title = rest
        if rest[:1] in "(（":
            close = max(rest.rfind(")"), rest.rfind("）"))
            if close < 0:
                if not fits and self.doc.articles:
                    return False
                self.error(
                    lineno,
                    "unclosed_bracket",
                    _("제{num}조의 제목 괄호가 닫히지 않았습니다: {text}").format(num=num, text=text),
                )
                title = rest[1:].strip()
            elif close != len(rest) - 1:
                return False  # "제14조(…) 규정에 의하여": a reference inside a sentence
            else:
                title = rest[1:close].strip()
        elif (rest and (len(rest) > _SHORT or rest.endswith((".", "다")))) or (rest and not fits):
            return False  # a sentence that starts with a reference to an article
        if not fits:
            last_num, last_branch = self._expected_article()
            label = f"제{num}조의{branch}" if branch else f"제{num}조"
            if (num, branch) <= (last_num, last_branch):
                self.error(
                    lineno,
                    "article_repeated",
                    _("{label}가 반복되거나 순서가 어긋났습니다.").format(label=label),
                )
            else:
                want = last_num + 1
                self.error(
                    lineno,
                    "article_skipped",
                    _("{label} 앞에 제{want}조가 없습니다 (번호를 건너뜀).").format(label=label, want=want),
                )
        self.start_article(
            Article(
                number=num,
                branch=branch,
                title=title,
                line=lineno,
                chapter_number=self.chapter[0],
                chapter_title=self.chapter[1],
            )
        )
        return True

    def start_article(self, article: Article) -> None:
        if not self.doc.articles:
            self.check_preamble()
        self.doc.articles.append(article)
        self.article = article
        self.lists = []
        self.current = None

    def try_chapter(self, lineno: int, text: str) -> bool:
        m = _CHAPTER.match(text)
        if not m:
            return False
        num = int(m["num"])
        if num != self.last_chapter + 1:
            self.error(
                lineno,
                "chapter_sequence",
                _("제{num}장의 번호가 이어지지 않습니다 (앞 장: 제{last}장).").format(
                    num=num, last=self.last_chapter
                ),
            )
        self.last_chapter = num
        self.chapter = (num, m["rest"].strip())
        if not self.doc.articles:
            self.check_preamble()
        self.article = None
        return True

    def try_appendix(self, lineno: int, text: str) -> bool:
        m = _APPENDIX.match(text)
        if not m or not self.doc.articles:
            return False
        rest = m["rest"].strip()
        if rest.startswith(("에", "의", "”", '"', "와", "과")):
            return False
        article = Article(number=int(m["num"]), branch=0, title=rest, line=lineno, appendix=True)
        if any(a.appendix and a.number == article.number for a in self.doc.articles):
            self.error(
                lineno, "appendix_repeated", _("{label}가 반복되었습니다.").format(label=article.label)
            )
        self.doc.articles.append(article)
        self.article = article
        self.lists = []
        self.current = None
        return True

    def try_addenda(self, lineno: int, text: str) -> bool:
        if not self.doc.articles:
            return False
        if _ADDENDA.match(text) or _ADDENDA_DATE_LINE.match(text):
            self.addendum = Addendum(title=text, line=lineno, lines=[text], effective_date=None)
            self.doc.addenda.append(self.addendum)
            self.article = None
            return True
        return False

    # ------------------------------------------------------------------ preamble

    def check_preamble(self) -> None:
        lines = [(n, t) for n, t in self.preamble_lines if t]
        title_at = max((i for i, (_n, t) in enumerate(lines) if _is_title_line(t)), default=-1)
        if title_at >= 0:
            self.doc.title = lines[title_at][1]
        for n, t in lines[title_at + 1 :]:
            if len(t) > _SHORT or title_at < 0:
                self.error(
                    n,
                    "text_before_first_article",
                    _("첫 조항 앞에 본문이 있습니다: {text}").format(text=t[:40]),
                )
                break

    # ------------------------------------------------------------------ clauses

    def marker(self, text: str) -> tuple[str, int, str, str] | None:
        """(style, number, label, rest) of a numbered line, or None."""
        if m := _CIRCLED_RE.match(text):
            return "circled", CIRCLED.index(m["mark"]) + 1, m["mark"], m["rest"]
        if m := _NUM_RE.match(text):
            return "num", int(m["num"]), f"{m['num']}{m['punct']}", m["rest"]
        if m := _PAREN_RE.match(text):
            return "paren", int(m["num"]), f"({m['num']})", m["rest"]
        if m := _KOREAN_RE.match(text):
            return "korean", HANGUL_ORDER.index(m["mark"]) + 1, f"{m['mark']}.", m["rest"]
        if m := _BARE_RE.match(text):
            return "bare", int(m["num"]), m["num"], m["rest"]
        return None

    def clause_line(self, lineno: int, raw: str, text: str) -> None:
        assert self.article is not None
        found = self.marker(text)
        if found is None:
            self.continuation(text)
            return
        style, number, label, _rest = found
        indent = _indent(raw)
        picked: int | None = None
        for exact in (True, False):
            for i in range(len(self.lists) - 1, -1, -1):
                lst = self.lists[i]
                if lst.style == style and lst.last == number - 1 and (lst.indent == indent or not exact):
                    picked = i
                    break
            if picked is not None:
                break
        kind = {"circled": KIND_PARAGRAPH, "bare": KIND_PARAGRAPH, "korean": KIND_SUBITEM}.get(
            style, KIND_ITEM
        )
        clause = Clause(kind=kind, number=number, label=label, line=lineno, lines=[text])
        if picked is not None:
            del self.lists[picked + 1 :]
            lst = self.lists[picked]
        elif number == 1:
            parent = self.current.children if self.current is not None else self.article.clauses
            lst = _List(style=style, indent=indent, last=0, items=parent)
            self.lists.append(lst)
        else:
            if style == "bare":
                self.continuation(text)
                return
            open_same = [x for x in self.lists if x.style == style]
            last = open_same[-1].last if open_same else 0
            code = "number_repeated" if number <= last else "number_skipped"
            message = (
                _("{label}의 번호가 반복되었습니다 (앞 번호: {last}).")
                if number <= last
                else _("{label} 앞 번호가 없습니다 (앞 번호: {last}, 번호를 건너뜀).")
            )
            # Paragraph numbers (①②…) of an article are strict; numbers inside a paragraph or item
            # (lists, formulas, annexes pasted after the last article) are only reported.
            strict = style == "circled" and (not self.lists or self.lists[0].style == "circled")
            problem = ParseError(
                lineno, code, f"{self.article.label} " + message.format(label=label, last=last)
            )
            (self.doc.errors if strict else self.doc.warnings).append(problem)
            self.continuation(text)
            return
        lst.last = number
        lst.items.append(clause)
        self.current = clause

    def continuation(self, text: str) -> None:
        assert self.article is not None
        if self.current is not None:
            self.current.lines.append(text)
        else:
            self.article.lead.append(text)

    # ------------------------------------------------------------------ main loop

    def feed(self, lineno: int, raw: str) -> None:
        text = _clean(raw)
        if self.addendum is not None:
            if text and _ADDENDA.match(text):
                self.addendum = Addendum(title=text, line=lineno, lines=[text])
                self.doc.addenda.append(self.addendum)
            else:
                self.addendum.lines.append(text)
            return
        if not text:
            if self.article is not None:
                self.article.raw.append("")
            elif not self.doc.articles:
                self.preamble_lines.append((lineno, ""))
            return
        if (
            self.try_chapter(lineno, text)
            or self.try_article(lineno, text)
            or self.try_addenda(lineno, text)
            or self.try_appendix(lineno, text)
        ):
            if self.article is not None and self.article.line == lineno:
                self.article.raw.append(raw.strip())
            return
        if self.article is None:
            if self.doc.articles:  # between a chapter heading and its first article
                self.error(
                    lineno,
                    "text_outside_article",
                    _("조항 밖에 본문이 있습니다: {text}").format(text=text[:40]),
                )
            else:
                self.preamble_lines.append((lineno, text))
            return
        self.article.raw.append(_BOOKMARK.sub("", raw).rstrip())
        self.clause_line(lineno, raw, text)

    def finish(self) -> ParsedTerms:
        if not self.doc.articles:
            self.check_preamble()
            self.error(1, "no_articles", _("조항(제1조 …)을 찾을 수 없습니다."))
        self.doc.preamble = [t for _n, t in self.preamble_lines if t]
        for addendum in self.doc.addenda:
            dated = [ln for ln in addendum.lines if "시행" in ln and _date_in(ln)]
            addendum.effective_date = _date_in(dated[0]) if dated else _date_in(addendum.title)
        return self.doc


def parse_terms(text: str, *, encoding: str = "utf-8") -> ParsedTerms:
    """The structure of a terms text; ``errors`` lists every problem by line (1-based)."""
    reader = _Reader()
    reader.doc.encoding = encoding
    for lineno, raw in enumerate(text.split("\n"), start=1):
        reader.feed(lineno, raw)
    return reader.finish()
