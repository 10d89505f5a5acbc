"""Built-in notice templates (MSG-1), Korean first with English.

``DEFAULT_TEMPLATES`` is the list to extend when a capability adds an event:
one entry per event and channel, each with ``ko`` and ``en`` texts.
``ensure_default_templates()`` creates whatever is missing and never touches a
template staff have edited, so it is safe to run from every migration that
adds entries and from ``manage.py`` at any time.

``FALLBACK`` is the in-code generic template used when an event has no
template at all, so a caller never crashes on a missing template.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_FOOTER_KO = "\n\n본 메일은 발신 전용입니다. 문의는 고객 포털을 이용해 주세요."
_FOOTER_EN = "\n\nThis is an automated message. Please use the customer portal for questions."


@dataclass(frozen=True)
class DefaultTemplate:
    event: str
    channel: str
    language: str
    subject: str
    body: str
    description: str = ""
    sample_context: dict[str, Any] | None = None


def _both(event: str, *, ko: tuple[str, str], en: tuple[str, str],
          channels: tuple[str, ...] = ("email", "portal"), description: str = "",
          sample: dict[str, Any] | None = None) -> list[DefaultTemplate]:
    out = []
    for channel in channels:
        for language, (subject, body) in (("ko", ko), ("en", en)):
            footer = (_FOOTER_KO if language == "ko" else _FOOTER_EN) if channel == "email" else ""
            out.append(DefaultTemplate(event, channel, language, subject, body + footer, description, sample))
    return out


DEFAULT_TEMPLATES: list[DefaultTemplate] = [
    *_both(
        "generic",
        ko=("[텀즈옵스] {{ title }}", "{{ customer.legal_name }} 고객님,\n\n{{ message }}"),
        en=("[TermsOps] {{ title }}", "Dear {{ customer.legal_name }},\n\n{{ message }}"),
        description="제목(title)과 본문(message)을 그대로 전하는 일반 안내. 변수: title, message",
        sample={"title": "서비스 안내", "message": "안내 드립니다."},
    ),
    *_both(
        "customer.welcome",
        ko=(
            "[텀즈옵스] {{ customer.legal_name }} 고객님, 가입을 환영합니다",
            "{{ customer.legal_name }} 고객님,\n\n텀즈옵스 이용 신청이 접수되었습니다."
            "{% if portal_url %}\n고객 포털: {{ portal_url }}{% endif %}\n\n"
            "이용 약관과 요금 안내는 고객 포털에서 언제든 확인하실 수 있습니다.",
        ),
        en=(
            "[TermsOps] Welcome, {{ customer.legal_name }}",
            "Dear {{ customer.legal_name }},\n\nWe have received your application for TermsOps."
            "{% if portal_url %}\nCustomer portal: {{ portal_url }}{% endif %}\n\n"
            "You can read the terms and fees in the customer portal at any time.",
        ),
        description="고객 가입(이용 신청) 접수 안내. 변수: portal_url(선택)",
        sample={"portal_url": "https://portal.example.com/"},
    ),
    *_both(
        "member.added",
        ko=(
            "[텀즈옵스] 구성원 {{ member_name }}님이 추가되었습니다",
            "{{ customer.legal_name }} 고객님,\n\n구성원 {{ member_name }}"
            "{% if member_login_id %}({{ member_login_id }}){% endif %}님이 "
            "{{ role|default:'구성원' }} 역할로 추가되었습니다.",
        ),
        en=(
            "[TermsOps] Member {{ member_name }} added",
            "Dear {{ customer.legal_name }},\n\n{{ member_name }}"
            "{% if member_login_id %} ({{ member_login_id }}){% endif %} has been added "
            "as {{ role|default:'member' }}.",
        ),
        description="구성원 추가 안내. 변수: member_name, member_login_id, role",
        sample={"member_name": "홍길동", "member_login_id": "hong", "role": "관리자"},
    ),
]

# Used when an event has no template in the database (a warning is logged).
FALLBACK: dict[str, tuple[str, str]] = {
    "ko": ("[텀즈옵스] {{ title|default:'안내' }}",
           "{{ customer.legal_name }} 고객님,\n\n{{ message|default:'' }}"),
    "en": ("[TermsOps] {{ title|default:'Notice' }}",
           "Dear {{ customer.legal_name }},\n\n{{ message|default:'' }}"),
}


def ensure_default_templates(model: Any = None) -> int:
    """Create the missing built-in templates; returns how many were created.

    ``model`` is the ``NoticeTemplate`` class; a data migration passes its
    historical model (``apps.get_model("messaging", "NoticeTemplate")``).
    """
    if model is None:
        from .models import NoticeTemplate

        model = NoticeTemplate
    created = 0
    for item in DEFAULT_TEMPLATES:
        _, was_created = model.objects.get_or_create(
            event=item.event, channel=item.channel, language=item.language,
            defaults={
                "subject": item.subject, "body": item.body, "description": item.description,
                "sample_context": item.sample_context or {}, "is_active": True,
            },
        )
        created += int(was_created)
    return created
