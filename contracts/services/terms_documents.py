"""Terms as documents (TRM-1, TRM-3): import a Korean terms text into a draft policy version, and compare two
versions (the 신구조문 대비표: changed, added and removed articles, and the rule numbers that changed, in
plain Korean)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

from ..models import Policy, TermsArticle, TermsDocument
from ..policy import NON_EDITABLE_FIELDS, policy_update
from ..terms_text.citations import Citation, parse_citations
from ..terms_text.compare import ArticleChange, ArticleText, compare_articles
from ..terms_text.parser import ParseError, decode_terms, parse_terms
from ..terms_text.store import store_document

__all__ = [
    "ParameterChange",
    "TermsComparison",
    "TermsTextInvalid",
    "format_value",
    "parameter_changes",
    "terms_compare",
    "terms_import",
]


class TermsTextInvalid(DomainError):
    """A terms text with structural errors; ``problems`` lists each with its line. Nothing is saved."""

    def __init__(self, problems: list[ParseError]) -> None:
        self.problems = problems
        super().__init__(
            "terms_text_invalid",
            _("약관 본문에 오류가 {count}건 있어 저장하지 않았습니다. 첫 오류: {first}"),
            rule="TRM-1",
            field="terms_file",
            count=len(problems),
            first=str(problems[0]),
        )


def terms_import(
    *,
    policy: Policy,
    data: bytes,
    source_name: str = "",
    citation_source: str | None = None,
    actor: Any = None,
) -> TermsDocument:
    """Read a terms file (UTF-8 or CP949) into ``policy``'s text and document (TRM-1). Refused, with every
    problem by line, when the structure is broken; refused for a version in use (clone it first)."""
    try:
        text, encoding = decode_terms(data)
    except UnicodeDecodeError:
        raise DomainError(
            "terms_encoding",
            _("약관 파일은 UTF-8 또는 CP949(EUC-KR) 텍스트여야 합니다."),
            rule="TRM-1",
            field="terms_file",
        ) from None
    parsed = parse_terms(text, encoding=encoding)
    if parsed.errors:
        raise TermsTextInvalid(parsed.errors)
    if citation_source not in (None, "", "000", "001", "002", "003", "004"):
        raise DomainError(
            "citation_source_unknown",
            _("인용 문서 번호는 000–004 중 하나여야 합니다: {value}"),
            rule="TRM-1",
            field="citation_source",
            value=citation_source,
        )
    with transaction.atomic():
        policy = policy_update(policy=policy, changes={"terms_text_ko": text}, actor=actor)
        return store_document(
            policy=policy, parsed=parsed, text=text, source_name=source_name, citation_source=citation_source
        )


# --------------------------------------------------------------------------- parameter changes

# Identity, lifecycle and the texts themselves: compared as articles, not listed as parameters.
_NOT_PARAMETERS = NON_EDITABLE_FIELDS | {
    "name",
    "effective_from",
    "is_unfavourable",
    "change_reason",
    "source_notes",
    "terms_text_ko",
    "terms_text_en",
}

_UNITS = [  # (name suffix, unit), most specific first
    ("_business_days", "영업일"),
    ("_days", "일"),
    ("_months", "개월"),
    ("_years", "년"),
    ("_hours", "시간"),
    ("_minutes", "분"),
    ("_bytes", "바이트"),
    ("_chars", "자"),
    ("_count", "회"),
    ("_numbers", "개"),
    ("_max", "개"),
    ("_multiplier", "배"),
    ("multiplier", "배"),
    ("_won", "원"),
    ("_percent", "%"),
]


def _label(f: models.Field) -> str:  # type: ignore[type-arg]
    text = str(f.verbose_name)
    return text.split("(")[0].strip() if text.endswith(")") else text


def _number(value: Decimal | int) -> str:
    if isinstance(value, Decimal):
        value = value.normalize()
        text = format(value, "f")
        return text
    return f"{value:,}"


def format_value(f: models.Field, value: Any) -> str:  # type: ignore[type-arg]
    """A policy value as a person reads it: 18%, 30일, 1,000원, 예/아니요, 00:00, the choice's label."""
    if value is None or value == "":
        return gettext("없음")
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return gettext("예") if value else gettext("아니요")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    unit = next((u for suffix, u in _UNITS if f.name.endswith(suffix)), "")
    if "일 전" in str(f.verbose_name) and unit == "일":
        unit = "일 전"
    if isinstance(value, list) and all(isinstance(v, int) for v in value):
        return ", ".join(_number(v) for v in value) + unit
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int | Decimal):
        prefix = "월 " if "monthly" in f.name else ""
        return f"{prefix}{_number(value)}{unit}"
    return str(value)


@dataclass(frozen=True)
class ParameterChange:
    field: str
    label: str
    old: str
    new: str
    citations: tuple[Citation, ...] = ()

    def __str__(self) -> str:
        return f"{self.label}: {self.old} → {self.new}"


def parameter_changes(old: Policy, new: Policy) -> list[ParameterChange]:
    """Every rule parameter that differs between two versions, in the model's order, in plain Korean;
    a change of the monthly late-charge rate also reads as the yearly rate (연 18% → 연 15%, BIL-9)."""
    changes: list[ParameterChange] = []
    for f in Policy._meta.concrete_fields:
        if f.name in _NOT_PARAMETERS:
            continue
        before, after = getattr(old, f.name), getattr(new, f.name)
        if before == after:
            continue
        changes.append(
            ParameterChange(
                f.name,
                _label(f),
                format_value(f, before),
                format_value(f, after),
                tuple(parse_citations(str(f.help_text))),
            )
        )
        if f.name == "late_charge_monthly_percent" or (
            f.name == "late_charge_months_per_year"
            and old.late_charge_monthly_percent == new.late_charge_monthly_percent
        ):
            changes.append(
                ParameterChange(
                    "late_charge_annual_percent",
                    gettext("연체 이자율"),
                    f"연 {_number(old.late_charge_annual_percent)}%",
                    f"연 {_number(new.late_charge_annual_percent)}%",
                )
            )
    return changes


# --------------------------------------------------------------------------- comparison


@dataclass(frozen=True)
class TermsComparison:
    old: Policy
    new: Policy
    articles: list[ArticleChange] = field(default_factory=list)
    parameters: list[ParameterChange] = field(default_factory=list)
    has_documents: bool = True

    @property
    def counts(self) -> dict[str, int]:
        out = {"changed": 0, "added": 0, "removed": 0}
        for a in self.articles:
            out[a.status] += 1
        return out

    @property
    def is_empty(self) -> bool:
        return not self.articles and not self.parameters

    def summary_lines(self) -> list[str]:
        """The comparison in a few plain Korean lines for the notice (TRM-3): each changed rule number,
        then each changed, added or removed article by its heading."""
        status = {"changed": gettext("변경"), "added": gettext("신설"), "removed": gettext("삭제")}
        lines = [str(p) for p in self.parameters]
        lines += [f"{a.heading} {status[a.status]}" for a in self.articles if a.key != "text"]
        return lines


def _article_texts(policy: Policy) -> list[ArticleText] | None:
    document = TermsDocument.objects.filter(policy=policy).first()
    if document is None:
        return None
    rows = (
        TermsArticle.objects.filter(document=document)
        .order_by("position")
        .only("key", "label", "title", "text")
    )
    return [ArticleText(r.key, r.heading, r.text) for r in rows]


def terms_compare(*, old: Policy, new: Policy) -> TermsComparison:
    """The 신구조문 대비표 of two versions of one terms document (TRM-3). A version without an imported
    document compares as one article holding its whole text."""
    if old.code != new.code:
        raise DomainError(
            "compare_other_code",
            _("같은 약관의 두 버전만 비교할 수 있습니다 ({old} / {new})."),
            rule="TRM-1",
            field="policy",
            old=old.code,
            new=new.code,
        )
    before, after = _article_texts(old), _article_texts(new)
    has_documents = before is not None and after is not None
    if before is None:
        before = [ArticleText("text", gettext("약관 본문"), old.terms_text_ko)]
    if after is None:
        after = [ArticleText("text", gettext("약관 본문"), new.terms_text_ko)]
    return TermsComparison(
        old=old,
        new=new,
        articles=compare_articles(before, after),
        parameters=parameter_changes(old, new),
        has_documents=has_documents,
    )
