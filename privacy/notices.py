"""The privacy notice templates (DAT-1 export reminder), added to ``messaging.defaults.DEFAULT_TEMPLATES`` by
:func:`register_templates` (``PrivacyConfig.ready``); migration ``0002_export_reminder_template`` creates them."""

# ruff: noqa: E501

from __future__ import annotations

from messaging.defaults import DEFAULT_TEMPLATES, DefaultTemplate

EXPORT_REMINDER = "privacy.export_reminder"

_FOOTER = {
    "ko": "\n\n본 메일은 발신 전용입니다. 문의는 고객 포털을 이용해 주세요.",
    "en": "\n\nThis is an automated message. Please use the customer portal for questions.",
}
_TEXT = {
    "ko": (
        "[텀즈옵스] 계약 종료 전에 데이터를 내려받아 주세요",
        "{{ customer.legal_name }} 고객님,\n\n계약 {{ contract_number }}이(가) {{ ends_on }}에 끝납니다. 계약이 끝나면 보관 기간이 지난 뒤 "
        "구성원 정보와 자료가 삭제됩니다.\n\n고객 포털의 '내 데이터' 화면에서 구성원, 계약, 청구서, 결제, 메시지, 장애 기록을 "
        "ZIP 파일로 내려받을 수 있습니다.{% if export_url %}\n내 데이터: {{ export_url }}{% endif %}",
    ),
    "en": (
        "[TermsOps] Please download your data before the contract ends",
        "Dear {{ customer.legal_name }},\n\nContract {{ contract_number }} ends on {{ ends_on }}. After the contract ends and "
        "the retention period passes, your members' data and content are deleted.\n\nYou can download members, contracts, "
        "invoices, payments, messages and incidents as a ZIP file from 'My data' in the customer portal."
        "{% if export_url %}\nMy data: {{ export_url }}{% endif %}",
    ),
}
SAMPLE = {"contract_number": "CT-000001", "ends_on": "2026-12-31", "export_url": "https://portal.example.com/privacy/"}

PRIVACY_TEMPLATES: list[DefaultTemplate] = [
    DefaultTemplate(
        EXPORT_REMINDER,
        channel,
        language,
        subject,
        body + (_FOOTER[language] if channel == "email" else ""),
        "계약 종료 전 데이터 내보내기 안내 (DAT-1). 변수: contract_number, ends_on, export_url",
        SAMPLE,
    )
    for channel in ("email", "portal")
    for language, (subject, body) in _TEXT.items()
]


def register_templates() -> None:
    have = {(t.event, t.channel, t.language) for t in DEFAULT_TEMPLATES}
    DEFAULT_TEMPLATES.extend(t for t in PRIVACY_TEMPLATES if (t.event, t.channel, t.language) not in have)
