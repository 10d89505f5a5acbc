"""How contract facts read on customer pages (issue 15): labels instead of codes, and service texts
without rule ids or internal article codes.

* :func:`settlement_kind_label` — ``penalty`` → "위약금" (English in English mode);
* :func:`customer_wording` — "… (BIL-14 · 002 제32조③)" → "… (약관 제32조)"; "(BIL-4)" goes;
* :func:`actor_label` — "job:seed_demo" → "자동 처리", "user:ops-billing" → "운영 담당자", a member of
  the customer → the member's name.

Rule ids stay on staff pages and staff documents; customers read plain Korean with the article of the
terms where it helps.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

#: ``contracts.settlement.SettlementLine.kind`` → what the customer reads.
SETTLEMENT_KIND_LABELS = {
    "usage": _("이용료"),
    "refund": _("환불"),
    "penalty": _("위약금"),
    "unpaid": _("미납 요금"),
    "vat": _("부가세"),
    "credit": _("크레딧 잔액"),
    "suspension": _("이용 정지 기간 환급"),
    "charge": _("추가 청구"),
}

_RULE_ID = re.compile(r"\b(?:ACC|BIL|CON|DAT|DUN|MSG|SLA|TRM)-\d+\b")
# "002 제32조③", "001 제20조의2④" → the article only; the policy's code number means nothing to customers.
_ARTICLE = re.compile(r"\b\d{3}\s*(제\d+조(?:의\d+)?)[①-⑳]*(?:\s*제\d+항)?")
_PARENS = re.compile(r"\s*\(([^()]*)\)")


def settlement_kind_label(kind: str) -> str:
    label = SETTLEMENT_KIND_LABELS.get(kind)
    return str(label) if label is not None else kind


def _clean_group(match: re.Match[str]) -> str:
    inner = match.group(1)
    if not (_RULE_ID.search(inner) or _ARTICLE.search(inner)):
        return match.group(0)
    articles = [gettext("약관 {article}").format(article=a.group(1)) for a in _ARTICLE.finditer(inner)]
    rest = _ARTICLE.sub("", _RULE_ID.sub("", inner))
    parts = [p.strip() for p in re.split(r"[·,]", rest) if p.strip() and p.strip() not in {"·", ","}]
    kept = list(dict.fromkeys(articles)) + parts
    return f" ({', '.join(kept)})" if kept else ""


def customer_wording(text: str) -> str:
    """A service's text for a customer page: rule ids dropped, "002 제32조③" → "약관 제32조"."""
    text = _PARENS.sub(_clean_group, str(text))
    text = _ARTICLE.sub(lambda m: gettext("약관 {article}").format(article=m.group(1)), text)
    return _RULE_ID.sub("", text).replace("  ", " ").strip()


@dataclass(frozen=True)
class DisplayLine:
    kind: str
    label: str
    description: str
    amount_won: int


def settlement_lines(lines: Iterable[Any]) -> list[DisplayLine]:
    """A settlement's lines as the preview shows them: a label for the kind, the text without codes."""
    return [
        DisplayLine(
            line.kind, settlement_kind_label(line.kind), customer_wording(line.description), line.amount_won
        )
        for line in lines
    ]


def actor_label(actor: str, members: dict[str, str]) -> str:
    """Who made a change, in words: a member of the customer by name, the operator's staff or a job as
    such (``members``: the customer's members' usernames → names)."""
    kind, _sep, name = (actor or "").partition(":")
    if kind == "user":
        return members.get(name) or gettext("운영 담당자")
    if kind == "job":
        return gettext("자동 처리")
    return gettext("운영 담당자") if actor else "—"


def error_text(error: Any) -> str:
    """A service's refusal (``core.errors.DomainError``) as a customer reads it: no rule id in front,
    none inside."""
    text = str(error.message)
    prefix = f"{error.rule}: " if getattr(error, "rule", None) else ""
    if prefix and text.startswith(prefix):
        text = text[len(prefix) :]
    return customer_wording(text)


def add_customer_error(form: Any, error: Any, field_map: dict[str, str] | None = None) -> None:
    """``core.forms.add_domain_error`` for customer pages: next to the field it names, without codes."""
    name = error.field or ""
    name = (field_map or {}).get(name, name)
    form.add_error(name if name in form.fields else None, error_text(error))
