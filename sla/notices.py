"""SLA notices (SLA-1, SLA-2, SLA-4, SLA-5): the built-in Korean/English templates and the senders.

The templates are registered in ``messaging.defaults.DEFAULT_TEMPLATES`` (the registry every app
extends) by :func:`register_templates`, called from ``SlaConfig.ready``; migration
``0002_sla_notice_templates`` creates them in the database with ``ensure_default_templates``.
"""

# The templates are prose; ruff counts Hangul as double width, so long lines are allowed here.
# ruff: noqa: E501

from __future__ import annotations

import datetime as dt
from typing import Any

from accounts.models import Customer
from core.clock import SEOUL
from messaging.defaults import DEFAULT_TEMPLATES, DefaultTemplate
from messaging.services import NoticeRequest, notify

_FOOTER = {
    "ko": "\n\n본 메일은 발신 전용입니다. 문의는 고객 포털을 이용해 주세요.",
    "en": "\n\nThis is an automated message. Please use the customer portal for questions.",
}


def _both(
    event: str, *, ko: tuple[str, str], en: tuple[str, str], description: str, sample: dict[str, Any]
) -> list[DefaultTemplate]:
    out = []
    for channel in ("email", "portal"):
        for language, (subject, body) in (("ko", ko), ("en", en)):
            footer = _FOOTER[language] if channel == "email" else ""
            out.append(DefaultTemplate(event, channel, language, subject, body + footer, description, sample))
    return out


_INCIDENT_SAMPLE = {
    "incident_id": 12,
    "title": "로그인 지연",
    "service": "officecore",
    "started_at": "2026-11-10 09:00",
    "ended_at": "2026-11-10 11:00",
    "scope": "서비스 전체",
    "update": "원인을 확인하고 있습니다.",
}
_MONTH_SAMPLE = {
    "contract_number": "CT-000001",
    "month": "2026-11",
    "availability": "99.1435",
    "credit_won": 50000,
    "basis": "가용률 99.1435% → 월 요금 500,000원 × 10%",
    "claim_due_on": "2026-12-31",
    "credit_note_number": "CN-2026-000001",
}
_MAINTENANCE_SAMPLE = {
    "title": "정기 점검",
    "service": "dcloud",
    "starts_at": "2026-11-20 00:00",
    "ends_at": "2026-11-20 07:00",
    "revision": 1,
    "description": "",
}

SLA_TEMPLATES: list[DefaultTemplate] = [
    *_both(
        "sla.incident.opened",
        ko=(
            "[텀즈옵스] 서비스 장애 안내: {{ title }}",
            "{{ customer.legal_name }} 고객님,\n\n{{ service }} 서비스에 장애가 발생했습니다.\n\n- 장애: {{ title }}\n"
            "- 범위: {{ scope }}\n- 발생 시각: {{ started_at }}\n\n복구되는 대로 다시 안내해 드리겠습니다.",
        ),
        en=(
            "[TermsOps] Service incident: {{ title }}",
            "Dear {{ customer.legal_name }},\n\nAn incident affects the {{ service }} service.\n\n- Incident: {{ title }}\n"
            "- Scope: {{ scope }}\n- Started: {{ started_at }}\n\nWe will let you know when service is restored.",
        ),
        description="장애 발생 안내 (SLA-1). 변수: incident_id, title, service, started_at, scope",
        sample=_INCIDENT_SAMPLE,
    ),
    *_both(
        "sla.incident.updated",
        ko=(
            "[텀즈옵스] 장애 경과 안내: {{ title }}",
            "{{ customer.legal_name }} 고객님,\n\n{{ service }} 서비스 장애({{ title }})의 경과를 알려 드립니다.\n\n{{ update }}",
        ),
        en=(
            "[TermsOps] Incident update: {{ title }}",
            "Dear {{ customer.legal_name }},\n\nAn update on the {{ service }} incident ({{ title }}):\n\n{{ update }}",
        ),
        description="장애 경과 안내 (SLA-1). 변수: incident_id, title, service, update",
        sample=_INCIDENT_SAMPLE,
    ),
    *_both(
        "sla.incident.resolved",
        ko=(
            "[텀즈옵스] 장애 복구 안내: {{ title }}",
            "{{ customer.legal_name }} 고객님,\n\n{{ service }} 서비스 장애({{ title }})가 복구되었습니다.\n\n"
            "- 발생: {{ started_at }}\n- 복구: {{ ended_at }}\n\n이용에 불편을 드려 죄송합니다. 약관에 따른 보상은 월 마감 후 안내해 드립니다.",
        ),
        en=(
            "[TermsOps] Incident resolved: {{ title }}",
            "Dear {{ customer.legal_name }},\n\nThe {{ service }} incident ({{ title }}) is resolved.\n\n"
            "- Started: {{ started_at }}\n- Restored: {{ ended_at }}\n\nWe apologise for the inconvenience. Any credit under the terms follows the month close.",
        ),
        description="장애 복구 안내 (SLA-1). 변수: incident_id, title, service, started_at, ended_at",
        sample=_INCIDENT_SAMPLE,
    ),
    *_both(
        "sla.maintenance.announced",
        ko=(
            "[텀즈옵스] 서비스 점검 안내{% if revision > 1 %}(변경){% endif %}: {{ title }}",
            "{{ customer.legal_name }} 고객님,\n\n{{ service }} 서비스 점검을 안내해 드립니다.\n\n- 점검: {{ title }}\n"
            "- 일시: {{ starts_at }} ~ {{ ends_at }}\n{% if revision > 1 %}- 앞서 안내한 일정이 변경되었습니다.\n{% endif %}"
            "{{ description }}\n\n점검 시간에는 서비스 이용이 중단될 수 있습니다.",
        ),
        en=(
            "[TermsOps] Planned maintenance{% if revision > 1 %} (changed){% endif %}: {{ title }}",
            "Dear {{ customer.legal_name }},\n\nPlanned maintenance of the {{ service }} service.\n\n- Maintenance: {{ title }}\n"
            "- When: {{ starts_at }} to {{ ends_at }}\n{% if revision > 1 %}- The schedule announced earlier has changed.\n{% endif %}"
            "{{ description }}\n\nThe service may be unavailable during the maintenance.",
        ),
        description="점검 사전 공지와 변경 공지 (SLA-2). 변수: title, service, starts_at, ends_at, revision, description",
        sample=_MAINTENANCE_SAMPLE,
    ),
    *_both(
        "sla.maintenance.cancelled",
        ko=(
            "[텀즈옵스] 서비스 점검 취소: {{ title }}",
            "{{ customer.legal_name }} 고객님,\n\n{{ starts_at }} ~ {{ ends_at }}로 안내한 {{ service }} 서비스 점검({{ title }})이 취소되었습니다.",
        ),
        en=(
            "[TermsOps] Maintenance cancelled: {{ title }}",
            "Dear {{ customer.legal_name }},\n\nThe {{ service }} maintenance ({{ title }}) announced for {{ starts_at }} to {{ ends_at }} is cancelled.",
        ),
        description="점검 취소 안내 (SLA-2). 변수: title, service, starts_at, ends_at",
        sample=_MAINTENANCE_SAMPLE,
    ),
    *_both(
        "sla.credit.issued",
        ko=(
            "[텀즈옵스] 서비스 장애 보상 {{ credit_won|won }}",
            "{{ customer.legal_name }} 고객님,\n\n{{ month|month }} 계약 {{ contract_number }}의 가용률은 {{ availability }}%였습니다. "
            "약관에 따라 {{ credit_won|won }}을 보상해 드립니다 (크레딧 노트 {{ credit_note_number }}).\n\n산정 근거: {{ basis }}",
        ),
        en=(
            "[TermsOps] Service credit: {{ credit_won|won }}",
            "Dear {{ customer.legal_name }},\n\nAvailability of contract {{ contract_number }} in {{ month|month }} was {{ availability }}%. "
            "Under the terms we credit {{ credit_won|won }} (credit note {{ credit_note_number }}).\n\nBasis: {{ basis }}",
        ),
        description="SLA 보상 크레딧 발행 (SLA-4). 변수: contract_number, month, availability, credit_won, basis, credit_note_number",
        sample=_MONTH_SAMPLE,
    ),
    *_both(
        "sla.credit.claimable",
        ko=(
            "[텀즈옵스] {{ month|month }} 서비스 장애 보상 청구 안내",
            "{{ customer.legal_name }} 고객님,\n\n{{ month|month }} 계약 {{ contract_number }}의 가용률은 {{ availability }}%였습니다. "
            "약관에 따라 {{ claim_due_on }}까지 고객 포털에서 보상을 청구하실 수 있습니다 (예상 보상액 {{ credit_won|won }}).\n\n산정 근거: {{ basis }}",
        ),
        en=(
            "[TermsOps] Service credit for {{ month|month }}: claim by {{ claim_due_on }}",
            "Dear {{ customer.legal_name }},\n\nAvailability of contract {{ contract_number }} in {{ month|month }} was {{ availability }}%. "
            "Under the terms you can claim a credit in the customer portal by {{ claim_due_on }} (expected credit {{ credit_won|won }}).\n\nBasis: {{ basis }}",
        ),
        description="청구가 필요한 SLA 보상 안내 (SLA-5). 변수: contract_number, month, availability, credit_won, basis, claim_due_on",
        sample=_MONTH_SAMPLE,
    ),
    *_both(
        "sla.claim.rejected",
        ko=(
            "[텀즈옵스] {{ month|month }} 장애 보상 청구 결과",
            "{{ customer.legal_name }} 고객님,\n\n계약 {{ contract_number }}의 {{ month|month }} 장애 보상 청구를 받아들이지 못했습니다.\n\n사유: {{ reason }}",
        ),
        en=(
            "[TermsOps] Your service credit claim for {{ month|month }}",
            "Dear {{ customer.legal_name }},\n\nWe could not accept your service credit claim for contract {{ contract_number }} in {{ month|month }}.\n\nReason: {{ reason }}",
        ),
        description="SLA 보상 청구 반려 (SLA-5). 변수: contract_number, month, reason",
        sample={**_MONTH_SAMPLE, "reason": "장애가 고객 장비에서 발생"},
    ),
]


def register_templates() -> None:
    """Add the SLA templates to the messaging registry once (``SlaConfig.ready``)."""
    have = {(t.event, t.channel, t.language) for t in DEFAULT_TEMPLATES}
    DEFAULT_TEMPLATES.extend(t for t in SLA_TEMPLATES if (t.event, t.channel, t.language) not in have)


def _safe(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(SEOUL).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def notify_customer(
    customer: Customer, event: str, *, today: dt.date, dedupe_key: str, context: dict[str, Any]
) -> None:
    notify(
        customer=customer,
        event=event,
        context={k: _safe(v) for k, v in {**context, "today": today}.items()},
        dedupe_key=dedupe_key,
    )


def notice_request(
    customer: Customer, event: str, *, today: dt.date, dedupe_key: str, context: dict[str, Any]
) -> NoticeRequest:
    """:func:`notify_customer`'s notice as a request for ``notify_many`` (a batch's notices at once)."""
    return NoticeRequest(
        customer=customer,
        event=event,
        context={k: _safe(v) for k, v in {**context, "today": today}.items()},
        dedupe_key=dedupe_key,
    )


def notify_customers(
    customers: list[Customer], event: str, *, today: dt.date, dedupe_key: str, context: dict[str, Any]
) -> int:
    """One notice per affected customer, each once per ``dedupe_key``."""
    for customer in customers:
        notify_customer(
            customer, event, today=today, dedupe_key=f"{dedupe_key}:{customer.pk}", context=context
        )
    return len(customers)

