"""AlimTalk templates (MSG-2a): registered per sender profile, reviewed by Kakao, only approved ones send.

requested → in review → approved | rejected (with reason). Editing an approved
(or rejected) template sends it back to ``requested``. A send fills the
``#{variable}`` placeholders; text supplied by the caller must match the template.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core import clock
from core.errors import DomainError
from core.transitions import transition

from ..lifecycles import KAKAO_TEMPLATE
from ..limits import MessagingLimits
from ..models import KakaoTemplate, MessageKind
from ..providers import ProviderTemplate
from .encoding import check_kakao_size
from .notices import _acting

if TYPE_CHECKING:
    from accounts.models import Customer

RULE = "MSG-2a"
PLACEHOLDER = re.compile(r"#\{([^{}\s]+)\}")


def placeholders(body: str) -> list[str]:
    """The variable names of ``body`` in order, each once."""
    return list(dict.fromkeys(PLACEHOLDER.findall(body)))


def template_register(
    *,
    customer: Customer,
    sender_profile: str,
    code: str,
    name: str,
    body: str,
    limits: MessagingLimits,
    buttons: list[dict[str, str]] | None = None,
    actor: Any = None,
) -> KakaoTemplate:
    """Register a template for Kakao's review (status ``requested``)."""
    buttons = list(buttons or [])
    _check(body, buttons, limits)
    if not sender_profile.strip() or not code.strip():
        raise DomainError(
            "template_identity_missing",
            _("발신 프로필과 템플릿 코드를 입력해 주세요."),
            field="code",
            rule=RULE,
        )
    with _acting(actor), transaction.atomic():
        if KakaoTemplate.objects.filter(customer=customer, sender_profile=sender_profile, code=code).exists():
            raise DomainError(
                "template_duplicate",
                _("같은 발신 프로필에 같은 코드의 템플릿이 있습니다: {template_code}"),
                field="code",
                rule=RULE,
                template_code=code,
            )
        return KakaoTemplate.objects.create(
            customer=customer,
            sender_profile=sender_profile.strip(),
            code=code.strip(),
            name=name.strip() or code,
            body=body,
            buttons=buttons,
        )


def template_submit(*, template: KakaoTemplate, now: dt.datetime, actor: Any = None) -> KakaoTemplate:
    """The template went to Kakao: requested → in review."""
    with _acting(actor), transaction.atomic():
        locked = KakaoTemplate.objects.select_for_update().get(pk=template.pk)
        transition(locked, KAKAO_TEMPLATE, KakaoTemplate.Status.IN_REVIEW, today=clock.to_seoul_date(now))
    return locked


def template_review(
    *,
    template: KakaoTemplate,
    approved: bool,
    now: dt.datetime,
    reason: str = "",
    actor: Any = None,
) -> KakaoTemplate:
    """Kakao's decision: in review → approved, or rejected with the reason."""
    if not approved and not reason.strip():
        raise DomainError("reason_required", _("반려 사유를 입력해 주세요."), field="reason", rule=RULE)
    target = KakaoTemplate.Status.APPROVED if approved else KakaoTemplate.Status.REJECTED
    with _acting(actor), transaction.atomic():
        locked = KakaoTemplate.objects.select_for_update().get(pk=template.pk)
        locked.rejection_reason = "" if approved else reason.strip()
        locked.reviewed_at = now
        transition(
            locked,
            KAKAO_TEMPLATE,
            target,
            today=clock.to_seoul_date(now),
            reason=reason,
            save_fields=["rejection_reason", "reviewed_at"],
        )
    return locked


def template_edit(
    *,
    template: KakaoTemplate,
    body: str,
    limits: MessagingLimits,
    now: dt.datetime,
    buttons: list[dict[str, str]] | None = None,
    actor: Any = None,
) -> KakaoTemplate:
    """Change the text or buttons: an approved or rejected template goes back to review.

    A template in review cannot change.
    """
    new_buttons = list(buttons if buttons is not None else template.buttons)
    _check(body, new_buttons, limits)
    with _acting(actor), transaction.atomic():
        locked = KakaoTemplate.objects.select_for_update().get(pk=template.pk)
        if locked.status == KakaoTemplate.Status.IN_REVIEW:
            raise DomainError(
                "template_in_review", _("검수 중인 템플릿은 수정할 수 없습니다."), field="body", rule=RULE
            )
        locked.body, locked.buttons = body, new_buttons
        locked.revision += 1
        fields = ["body", "buttons", "revision"]
        if locked.status == KakaoTemplate.Status.REQUESTED:
            locked.save(update_fields=[*fields, "updated_at"])
        else:
            transition(
                locked,
                KAKAO_TEMPLATE,
                KakaoTemplate.Status.REQUESTED,
                today=clock.to_seoul_date(now),
                reason=str(_("템플릿 수정으로 재검수")),
                save_fields=fields,
            )
    return locked


def usable_template(*, customer: Customer, template: KakaoTemplate) -> KakaoTemplate:
    """Only the customer's own approved templates send (MSG-2a)."""
    if template.customer_id != customer.pk:
        raise DomainError(
            "template_not_found", _("알림톡 템플릿을 찾을 수 없습니다."), field="template", rule=RULE
        )
    if template.status != KakaoTemplate.Status.APPROVED:
        raise DomainError(
            "template_not_approved",
            _("승인된 알림톡 템플릿만 보낼 수 있습니다 (현재: {status})."),
            field="template",
            rule=RULE,
            status=template.get_status_display(),
        )
    return template


def template_fill(body: str, variables: Mapping[str, Any]) -> str:
    """``body`` with every ``#{name}`` replaced; a missing variable is refused by name."""
    missing = [name for name in placeholders(body) if name not in variables]
    if missing:
        raise DomainError(
            "template_variable_missing",
            _("템플릿 변수 값이 없습니다: {names}"),
            field="variables",
            rule=RULE,
            names=", ".join(missing),
        )
    return PLACEHOLDER.sub(lambda m: str(variables[m.group(1)]), body)


def template_matches(body: str, text: str) -> bool:
    """Whether ``text`` is ``body`` with its placeholders filled (each by some non-empty text)."""
    pattern = "".join("(.+?)" if i % 2 else re.escape(part) for i, part in enumerate(PLACEHOLDER.split(body)))
    return re.fullmatch(pattern, text, flags=re.DOTALL) is not None


def alimtalk_text(*, template: KakaoTemplate, variables: Mapping[str, Any] | None, text: str | None) -> str:
    """The text to send: the template filled, or the caller's text if it matches the template (MSG-2a)."""
    if text is None:
        return template_fill(template.body, variables or {})
    if not template_matches(template.body, text):
        raise DomainError(
            "template_mismatch", _("보낼 내용이 승인된 템플릿과 다릅니다."), field="text", rule=RULE
        )
    return text


def _check(body: str, buttons: list[dict[str, str]], limits: MessagingLimits) -> None:
    if "#{}" in body:
        raise DomainError(
            "template_placeholder_empty", _("변수 이름이 비어 있습니다: #{}"), field="body", rule=RULE
        )
    check_kakao_size(MessageKind.ALIMTALK, body, buttons, limits)


@dataclass
class SyncCounts:
    changed: int = 0
    unchanged: int = 0
    left: int = 0  # the vendor's state is not a forward move from ours (an edit on one side): left for staff
    unknown: int = 0  # the vendor lists it, we have no template with that code


def templates_sync(*, found: Sequence[ProviderTemplate], now: dt.datetime, actor: Any = None) -> SyncCounts:
    """Bring our templates' review state up to the vendor's (MSG-2a, issue 18).

    Matched by code (with Solapi, our template code is its ``templateId``; the sender profile, when the
    vendor names one, must agree). Only forward moves are made, through the same services staff use:
    requested → in review → approved | rejected (with the vendor's comment as the reason). A template
    edited on one side (ours approved, the vendor's back in review) is left as it is and counted.
    """
    counts = SyncCounts()
    by_code = {t.code: t for t in found}
    mine = list(KakaoTemplate.objects.filter(code__in=list(by_code)).order_by("pk"))
    counts.unknown = len(set(by_code) - {t.code for t in mine})
    for template in mine:
        vendor = by_code[template.code]
        if vendor.sender_profile and vendor.sender_profile != template.sender_profile:
            counts.left += 1
            continue
        steps = _SYNC_STEPS.get((template.status, vendor.status))
        if steps is None:
            counts.left += 1
            continue
        if not steps:
            counts.unchanged += 1
            continue
        for step in steps:
            if step == KakaoTemplate.Status.IN_REVIEW:
                template = template_submit(template=template, now=now, actor=actor)
            else:
                approved = step == KakaoTemplate.Status.APPROVED
                reason = "" if approved else (vendor.reason.strip() or str(_("카카오 검수 반려")))
                template = template_review(
                    template=template, approved=approved, now=now, reason=reason, actor=actor
                )
        counts.changed += 1
    return counts


_S = KakaoTemplate.Status
#: (ours, the vendor's) → the moves to make; a pair not listed is left for staff.
_SYNC_STEPS: dict[tuple[str, str], tuple[str, ...]] = {
    (_S.REQUESTED, _S.REQUESTED): (),
    (_S.REQUESTED, _S.IN_REVIEW): (_S.IN_REVIEW,),
    (_S.REQUESTED, _S.APPROVED): (_S.IN_REVIEW, _S.APPROVED),
    (_S.REQUESTED, _S.REJECTED): (_S.IN_REVIEW, _S.REJECTED),
    (_S.IN_REVIEW, _S.IN_REVIEW): (),
    (_S.IN_REVIEW, _S.APPROVED): (_S.APPROVED,),
    (_S.IN_REVIEW, _S.REJECTED): (_S.REJECTED,),
    (_S.APPROVED, _S.APPROVED): (),
    (_S.REJECTED, _S.REJECTED): (),
}
