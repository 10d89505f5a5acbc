"""Built-in notice templates (MSG-1), Korean first with English.

``DEFAULT_TEMPLATES`` is the list to extend when a capability adds an event:
one entry per event and channel, each with ``ko`` and ``en`` texts.
``ensure_default_templates()`` creates whatever is missing and never touches a
template staff have edited, so it is safe to run from every migration that
adds entries and from ``manage.py`` at any time.

``FALLBACK`` is the in-code generic template used when an event has no
template at all, so a caller never crashes on a missing template.
"""

# The templates are prose; ruff counts Hangul as double width, so long lines are allowed here.
# ruff: noqa: E501

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


# --- contracts and terms (CON-1..10, TRM-3, TRM-5) --------------------------------
# Variables every contract notice has (contracts.services.lifecycle.notify_contract):
# contract_number, plan_name, status, customer_name, today, activation_date,
# termination_effective_on; a state change adds reason and from_status. Dates are
# ISO strings (YYYY-MM-DD). The event-specific ones are listed in each description.

_GREETING_KO = "{{ customer.legal_name }} 고객님, 안녕하세요. 텀즈옵스입니다.\n\n"
_GREETING_EN = "Dear {{ customer.legal_name }},\n\n"
_CONTRACT_KO = "■ 계약번호: {{ contract_number }}\n■ 요금제: {{ plan_name }}\n"
_CONTRACT_EN = "- Contract: {{ contract_number }}\n- Plan: {{ plan_name }}\n"
_REASON_KO = "{% if reason %}■ 사유: {{ reason }}\n{% endif %}"
_REASON_EN = "{% if reason %}- Reason: {{ reason }}\n{% endif %}"
_EXPORT_KO = ("필요한 자료는 해지 전에 고객 포털의 데이터 내보내기에서 내려받아 두시기 바랍니다"
              "{% if export_url %}({{ export_url }}){% endif %}. "
              "해지 후 데이터는 약관에서 정한 보관 기간이 지나면 파기됩니다.")
_EXPORT_EN = ("Please download the data you need from the customer portal (data export"
              "{% if export_url %}: {{ export_url }}{% endif %}) before the "
              "contract ends; after termination it is destroyed when the retention period set by the "
              "terms ends.")
_CONTRACT_VARS = ("공통 변수: contract_number, plan_name, status, customer_name, today, activation_date, "
                  "termination_effective_on, reason, from_status")
_CONTRACT_SAMPLE: dict[str, Any] = {
    "contract_number": "C-2026-000001", "plan_name": "다모아CRM 스탠다드", "status": "이용 중",
    "customer_name": "주식회사 한빛", "today": "2026-03-02", "activation_date": "2026-03-05",
    "termination_effective_on": "", "reason": "", "from_status": "",
}


def _sample(**extra: Any) -> dict[str, Any]:
    return {**_CONTRACT_SAMPLE, **extra}


CONTRACT_TEMPLATES: list[DefaultTemplate] = [
    *_both(
        "contract.applied",
        ko=(
            "[텀즈옵스] 이용 신청이 접수되었습니다 ({{ contract_number }})",
            _GREETING_KO + "{{ today }}에 아래 서비스의 이용 신청이 접수되었습니다.\n\n" + _CONTRACT_KO
            + "■ 희망 개통일: {{ activation_date }}\n\n"
            "담당자가 신청 내용과 제출 서류를 확인한 뒤 승낙 여부를 알려 드리겠습니다. "
            "필수 서류를 아직 제출하지 않으셨다면 고객 포털의 계약 화면에서 올려 주십시오. "
            "개통 전에는 고객 포털에서 신청을 철회하실 수 있습니다.",
        ),
        en=(
            "[TermsOps] Application received ({{ contract_number }})",
            _GREETING_EN + "We received your application on {{ today }}.\n\n" + _CONTRACT_EN
            + "- Requested activation date: {{ activation_date }}\n\n"
            "We will review the application and the documents and let you know our decision. "
            "If a required document is still missing, please upload it on the contract page of the "
            "customer portal. You may withdraw the application in the portal until activation.",
        ),
        description="이용 신청 접수 (CON-1). " + _CONTRACT_VARS,
        sample=_sample(status="신청"),
    ),
    *_both(
        "contract.approved",
        ko=(
            "[텀즈옵스] 이용 신청이 승낙되었습니다 ({{ contract_number }})",
            _GREETING_KO + "신청하신 서비스의 이용 신청이 {{ today }}에 승낙되었습니다.\n\n" + _CONTRACT_KO
            + "■ 개통 예정일: {{ activation_date }}\n"
            "{% if reason %}■ 참고 사항: {{ reason }}\n{% endif %}\n"
            "개통 예정일에 서비스가 개통되며, 요금은 개통일부터 부과됩니다. "
            "개통일을 늦추셔야 한다면 약관에서 정한 기한까지 고객 포털에서 개통 연기를 신청하실 수 있습니다.",
        ),
        en=(
            "[TermsOps] Application approved ({{ contract_number }})",
            _GREETING_EN + "Your application was approved on {{ today }}.\n\n" + _CONTRACT_EN
            + "- Activation date: {{ activation_date }}\n"
            "{% if reason %}- Note: {{ reason }}\n{% endif %}\n"
            "The service will be activated on that date, and fees are charged from the activation date. "
            "If you need a later date, you can postpone the activation in the customer portal up to the "
            "deadline set by the terms.",
        ),
        description="신청 승낙 (CON-1, CON-4). " + _CONTRACT_VARS,
        sample=_sample(status="승낙"),
    ),
    *_both(
        "contract.held",
        ko=(
            "[텀즈옵스] 이용 신청 승낙이 보류되었습니다 ({{ contract_number }})",
            _GREETING_KO + "신청하신 서비스의 승낙을 {{ today }}에 아래 사유로 보류하게 되어 알려 드립니다.\n\n"
            + _CONTRACT_KO + "■ 보류 사유: {{ reasons|join:', '|default:'-' }}\n"
            "{% if reason %}■ 상세 내용: {{ reason }}\n{% endif %}\n"
            "보류 사유가 해소되면 신청을 다시 검토하여 승낙 여부를 알려 드리겠습니다. "
            "보완하실 서류나 문의하실 내용이 있으면 고객 포털을 통해 알려 주십시오. "
            "원하시면 그동안 신청을 철회하실 수도 있습니다.",
        ),
        en=(
            "[TermsOps] Application on hold ({{ contract_number }})",
            _GREETING_EN + "On {{ today }} we put your application on hold for the reasons below.\n\n"
            + _CONTRACT_EN + "- Reasons: {{ reasons|join:', '|default:'-' }}\n"
            "{% if reason %}- Details: {{ reason }}\n{% endif %}\n"
            "Once the reasons are resolved we will review the application again and tell you our decision. "
            "If you have documents to add or questions, please contact us through the customer portal.",
        ),
        description="신청 보류 (CON-2). 변수: reasons(보류 사유 목록). " + _CONTRACT_VARS,
        sample=_sample(status="보류", reasons=["설비 여유 없음"]),
    ),
    *_both(
        "contract.rejected",
        ko=(
            "[텀즈옵스] 이용 신청 결과 안내 ({{ contract_number }})",
            _GREETING_KO + "검토 결과, 신청하신 서비스의 이용 신청을 아래 사유로 승낙하지 못하게 되었음을 "
            "알려 드립니다 ({{ today }}).\n\n" + _CONTRACT_KO
            + "■ 거절 사유: {{ reasons|join:', '|default:'-' }}\n"
            "{% if reason %}■ 상세 내용: {{ reason }}\n{% endif %}\n"
            "사유가 해소되면 언제든 다시 신청하실 수 있습니다. "
            "이 결정에 이의가 있으시면 고객 포털을 통해 문의해 주십시오.",
        ),
        en=(
            "[TermsOps] Your application ({{ contract_number }})",
            _GREETING_EN + "After review, we are unable to accept your application, for the reasons below "
            "({{ today }}).\n\n" + _CONTRACT_EN + "- Reasons: {{ reasons|join:', '|default:'-' }}\n"
            "{% if reason %}- Details: {{ reason }}\n{% endif %}\n"
            "You are welcome to apply again once the reasons no longer apply. "
            "If you disagree with this decision, please contact us through the customer portal.",
        ),
        description="신청 거절 (CON-2). 변수: reasons(거절 사유 목록). " + _CONTRACT_VARS,
        sample=_sample(status="거절", reasons=["허위 서류"]),
    ),
    *_both(
        "contract.activated",
        ko=(
            "[텀즈옵스] 서비스가 개통되었습니다 ({{ contract_number }})",
            _GREETING_KO + "신청하신 서비스가 개통되어 {{ activation_date|default:today }}부터 이용하실 수 "
            "있습니다.\n\n" + _CONTRACT_KO + "■ 개통일: {{ activation_date|default:today }}\n\n"
            "요금은 개통일부터 부과됩니다. 관리자 계정으로 고객 포털에 로그인하여 구성원을 추가하고 "
            "좌석을 배정하실 수 있습니다. 약관에서 정한 기간 안에는 청약을 철회하실 수 있습니다.",
        ),
        en=(
            "[TermsOps] Your service is active ({{ contract_number }})",
            _GREETING_EN + "Your service is active from {{ activation_date|default:today }}.\n\n"
            + _CONTRACT_EN + "- Activation date: {{ activation_date|default:today }}\n\n"
            "Fees are charged from the activation date. Sign in to the customer portal with your admin "
            "account to add members and assign seats. Within the period set by the terms you may still "
            "withdraw from the contract.",
        ),
        description="개통 (CON-4). " + _CONTRACT_VARS,
        sample=_sample(),
    ),
    *_both(
        "contract.suspended",
        ko=(
            "[텀즈옵스] 서비스 이용이 정지되었습니다 ({{ contract_number }})",
            _GREETING_KO + "{{ today }}부터 아래 계약의 서비스 이용이 정지되었음을 알려 드립니다.\n\n"
            + _CONTRACT_KO + _REASON_KO
            + "{% if planned_end_on %}■ 정지 종료 예정일: {{ planned_end_on }}\n{% endif %}\n"
            "정지 사유가 해소되면 즉시 정지를 해제해 드립니다. 이 조치에 이의가 있으시면 고객 포털에서 "
            "이의를 신청하실 수 있으며, 이의가 받아들여지면 정지된 기간만큼 계약 기간이 연장됩니다.",
        ),
        en=(
            "[TermsOps] Service suspended ({{ contract_number }})",
            _GREETING_EN + "The service under the contract below is suspended from {{ today }}.\n\n"
            + _CONTRACT_EN + _REASON_EN
            + "{% if planned_end_on %}- Planned end of the suspension: {{ planned_end_on }}\n{% endif %}\n"
            "We lift the suspension as soon as its cause is resolved. If you disagree, you can file an "
            "appeal in the customer portal; if it is upheld, the contract is extended by the days suspended.",
        ),
        description="이용 정지 개시 (CON-10, DUN). 변수: planned_end_on(선택). " + _CONTRACT_VARS,
        sample=_sample(status="이용 정지", reason="약관 위반", planned_end_on="2026-04-01"),
    ),
    *_both(
        "contract.reinstated",
        ko=(
            "[텀즈옵스] 서비스 이용 정지가 해제되었습니다 ({{ contract_number }})",
            _GREETING_KO + "{{ today }}자로 이용 정지가 해제되어 서비스를 다시 이용하실 수 있습니다.\n\n"
            + _CONTRACT_KO + "{% if reason %}■ 해제 사유: {{ reason }}\n{% endif %}\n"
            "이용에 불편을 드려 죄송합니다. 궁금하신 점은 고객 포털로 문의해 주십시오.",
        ),
        en=(
            "[TermsOps] Suspension lifted ({{ contract_number }})",
            _GREETING_EN + "The suspension was lifted on {{ today }}; you can use the service again.\n\n"
            + _CONTRACT_EN + "{% if reason %}- Reason: {{ reason }}\n{% endif %}\n"
            "If you have questions, please contact us through the customer portal.",
        ),
        description="이용 정지 해제 (CON-10, DUN-1). " + _CONTRACT_VARS,
        sample=_sample(reason="미납 요금 완납"),
    ),
    *_both(
        "contract.terminating",
        ko=(
            "[텀즈옵스] 계약 해지 예정 안내 ({{ contract_number }})",
            _GREETING_KO + "아래 계약이 해지 예정 상태가 되었음을 알려 드립니다 ({{ today }}).\n\n"
            + _CONTRACT_KO + "■ 해지 효력일: {{ effective_on|default:termination_effective_on }}\n" + _REASON_KO
            + "{% if settlement_total_won is not None %}■ 예상 정산 금액: "
            "{{ settlement_total_won|won }}\n{% endif %}\n"
            "해지 효력일까지는 서비스를 계속 이용하실 수 있습니다. 미납 요금이 있으면 해지가 완료되기 전에 "
            "정산해 주십시오. 최종 청구·환불·위약금 내역은 고객 포털의 계약 화면에서 확인하실 수 있습니다. "
            + _EXPORT_KO,
        ),
        en=(
            "[TermsOps] Contract ending ({{ contract_number }})",
            _GREETING_EN + "The contract below is now set to end ({{ today }}).\n\n"
            + _CONTRACT_EN + "- Termination effective on: {{ effective_on|default:termination_effective_on }}\n"
            + _REASON_EN + "{% if settlement_total_won is not None %}- Estimated settlement: "
            "{{ settlement_total_won|won }}\n{% endif %}\n"
            "You can keep using the service until the effective date. Please settle any unpaid fees before "
            "the termination completes. The final invoice, refund and penalty are shown on the contract page "
            "of the customer portal. " + _EXPORT_EN,
        ),
        description="해지 예정 (CON-6, CON-7, TRM-5). 변수: effective_on, settlement_total_won(선택). "
        + _CONTRACT_VARS,
        sample=_sample(status="해지 예정", termination_effective_on="2026-03-31", effective_on="2026-03-31",
                       settlement_total_won=90000),
    ),
    *_both(
        "contract.operator_termination",
        ko=(
            "[텀즈옵스] 계약 직권 해지 예정 안내 ({{ contract_number }})",
            _GREETING_KO + "약관에 따라 회사가 아래 계약을 해지할 예정임을 알려 드립니다 ({{ today }}).\n\n"
            + _CONTRACT_KO + "■ 해지 사유: {{ reasons|join:', '|default:'-' }}\n"
            "{% if reason %}■ 상세 내용: {{ reason }}\n{% endif %}"
            "■ 해지 효력일: {{ effective_on|default:termination_effective_on }}\n\n"
            "{% if explanation_days %}해지 효력일 전까지 {{ explanation_days }}일 동안 소명하실 기회를 드립니다. "
            "해지 사유에 대해 의견이 있으시면 고객 포털을 통해 소명 자료를 제출해 주십시오. "
            "{% else %}이 조치에 이의가 있으시면 해지 효력일 전까지 고객 포털을 통해 알려 주십시오. {% endif %}"
            "사유가 해소되면 해지가 철회될 수 있습니다. " + _EXPORT_KO,
        ),
        en=(
            "[TermsOps] Notice of termination by the operator ({{ contract_number }})",
            _GREETING_EN + "Under the terms of service, we will terminate the contract below "
            "({{ today }}).\n\n" + _CONTRACT_EN + "- Reasons: {{ reasons|join:', '|default:'-' }}\n"
            "{% if reason %}- Details: {{ reason }}\n{% endif %}"
            "- Termination effective on: {{ effective_on|default:termination_effective_on }}\n\n"
            "{% if explanation_days %}You have {{ explanation_days }} days before the effective date to "
            "explain; please send your explanation and any documents through the customer portal. "
            "{% else %}If you disagree, please tell us through the customer portal before the effective "
            "date. {% endif %}If the reasons are resolved, the termination may be withdrawn. " + _EXPORT_EN,
        ),
        description="직권 해지 예고 (CON-9). 변수: reasons(해지 사유 목록), effective_on, explanation_days. "
        + _CONTRACT_VARS,
        sample=_sample(status="해지 예정", reasons=["요금 미납"], effective_on="2026-04-01",
                       explanation_days=30),
    ),
    *_both(
        "contract.terminated",
        ko=(
            "[텀즈옵스] 계약 해지가 완료되었습니다 ({{ contract_number }})",
            _GREETING_KO + "{{ termination_effective_on|default:today }}자로 아래 계약의 해지가 완료되었음을 "
            "알려 드립니다.\n\n" + _CONTRACT_KO + "■ 해지일: {{ termination_effective_on|default:today }}\n\n"
            "남은 요금과 환불 정산 내역은 청구서로 안내해 드립니다. 고객 데이터는 약관에서 정한 보관 기간 "
            "동안 보관한 뒤 파기하며, 보관 기간 안에는 고객 포털에서 데이터를 내려받으실 수 있습니다. "
            "그동안 이용해 주셔서 감사합니다. 다시 이용하시려면 언제든 새로 신청해 주십시오.",
        ),
        en=(
            "[TermsOps] Contract terminated ({{ contract_number }})",
            _GREETING_EN + "The contract below ended on {{ termination_effective_on|default:today }}.\n\n"
            + _CONTRACT_EN + "- Terminated on: {{ termination_effective_on|default:today }}\n\n"
            "Any remaining fees and refunds will follow on an invoice. Your data is kept for the retention "
            "period set by the terms and then destroyed; until then you can download it from the customer "
            "portal. Thank you for using the service; you are welcome to apply again at any time.",
        ),
        description="해지 완료 (CON-7). " + _CONTRACT_VARS,
        sample=_sample(status="해지", termination_effective_on="2026-03-31"),
    ),
    *_both(
        "contract.termination_awaiting_settlement",
        ko=(
            "[텀즈옵스] 미납 요금 정산 후 해지가 완료됩니다 ({{ contract_number }})",
            _GREETING_KO + "아래 계약의 해지 효력일이 되었으나 미납 요금이 남아 있어 해지를 아직 완료하지 "
            "못했음을 알려 드립니다 ({{ today }}).\n\n" + _CONTRACT_KO
            + "■ 해지 효력일: {{ termination_effective_on }}\n"
            "{% if unpaid_won %}■ 미납 금액: {{ unpaid_won|won }}\n{% endif %}\n"
            "약관에 따라 미납 요금을 정산하셔야 해지가 완료됩니다. 고객 포털의 청구서 화면에서 미납 내역을 "
            "확인하시고 납부해 주십시오. 납부가 확인되면 해지를 바로 완료하고 안내해 드리겠습니다. "
            "청구 내역에 이의가 있으시면 고객 포털에서 이의를 신청하실 수 있습니다.",
        ),
        en=(
            "[TermsOps] Termination completes once unpaid fees are settled ({{ contract_number }})",
            _GREETING_EN + "The termination date of the contract below has come, but unpaid fees remain, so "
            "the termination is not complete yet ({{ today }}).\n\n" + _CONTRACT_EN
            + "- Termination effective on: {{ termination_effective_on }}\n"
            "{% if unpaid_won %}- Unpaid: {{ unpaid_won|won }}\n{% endif %}\n"
            "Under the terms, the termination completes once the unpaid fees are settled. Please check the "
            "invoices page of the customer portal and pay them; we complete the termination and let you know "
            "as soon as the payment arrives. If you disagree with a charge, you can dispute it in the portal.",
        ),
        description="해지 효력일에 미납 요금이 있어 해지 완료 대기 (CON-7, 002 art.20②). 변수: unpaid_won. "
        + _CONTRACT_VARS,
        sample=_sample(status="해지 예정", termination_effective_on="2026-03-31", unpaid_won=330000),
    ),
    *_both(
        "contract.withdrawn",
        ko=(
            "[텀즈옵스] 청약 철회가 처리되었습니다 ({{ contract_number }})",
            _GREETING_KO + "{{ today }}자로 아래 계약의 청약 철회가 처리되었음을 알려 드립니다.\n\n"
            + _CONTRACT_KO + _REASON_KO + "\n"
            "이미 납부하신 요금이 있으면 약관에 따라 환불해 드리며, 환불 내역은 별도로 안내해 드립니다. "
            "다시 이용하시려면 언제든 새로 신청해 주십시오.",
        ),
        en=(
            "[TermsOps] Withdrawal processed ({{ contract_number }})",
            _GREETING_EN + "Your withdrawal from the contract below was processed on {{ today }}.\n\n"
            + _CONTRACT_EN + _REASON_EN + "\n"
            "Any fees already paid are refunded as the terms provide; we will send you the details. "
            "You are welcome to apply again at any time.",
        ),
        description="청약 철회 (CON-8). " + _CONTRACT_VARS,
        sample=_sample(status="청약 철회"),
    ),
    *_both(
        "contract.purged",
        ko=(
            "[텀즈옵스] 해지 계약의 데이터 파기 안내 ({{ contract_number }})",
            _GREETING_KO + "해지된 계약 {{ contract_number }}({{ plan_name }})의 데이터 보관 기간이 끝나 "
            "{{ today }}자로 고객 데이터를 파기하였음을 알려 드립니다.\n\n"
            "관련 법령에 따라 보존해야 하는 계약·결제 기록과 분쟁 처리 기록은 분리하여 보관하며, "
            "각 보존 기간이 끝나면 파기합니다. 파기된 데이터는 복구할 수 없습니다. "
            "궁금하신 점은 고객센터로 문의해 주십시오.",
        ),
        en=(
            "[TermsOps] Data of your ended contract destroyed ({{ contract_number }})",
            _GREETING_EN + "The retention period of terminated contract {{ contract_number }} "
            "({{ plan_name }}) has ended, and its customer data was destroyed on {{ today }}.\n\n"
            "Contract, payment and dispute records that the law requires us to keep are stored separately "
            "and destroyed when their own periods end. Destroyed data cannot be recovered. "
            "Please contact our support team with any questions.",
        ),
        description="보관 기간 경과 후 데이터 파기 (DAT-2, DAT-5). " + _CONTRACT_VARS,
        sample=_sample(status="파기"),
    ),
    *_both(
        "contract.activation_rescheduled",
        ko=(
            "[텀즈옵스] 개통일 변경 안내 ({{ contract_number }})",
            _GREETING_KO + "아래 계약의 개통 예정일이 변경되었음을 알려 드립니다 ({{ today }}).\n\n"
            + _CONTRACT_KO + "■ 기존 개통 예정일: {{ old_date|default:'-' }}\n"
            "■ 변경된 개통 예정일: {{ new_date }}\n" + _REASON_KO + "\n"
            "서비스는 변경된 개통 예정일에 개통되며, 요금도 그날부터 부과됩니다. "
            "변경된 일정에 문의가 있으시면 고객 포털로 연락해 주십시오.",
        ),
        en=(
            "[TermsOps] Activation date changed ({{ contract_number }})",
            _GREETING_EN + "The activation date of the contract below has changed ({{ today }}).\n\n"
            + _CONTRACT_EN + "- Previous date: {{ old_date|default:'-' }}\n- New date: {{ new_date }}\n"
            + _REASON_EN + "\n"
            "The service will be activated, and fees charged, from the new date. If you have questions "
            "about the new schedule, please contact us through the customer portal.",
        ),
        description="개통일 변경 (CON-4, 002 art.9). 변수: old_date, new_date, reason. " + _CONTRACT_VARS,
        sample=_sample(old_date="2026-03-05", new_date="2026-03-12", reason="설비 준비"),
    ),
    *_both(
        "contract.renewal_reminder",
        ko=(
            "[텀즈옵스] 계약 자동 갱신 예정 안내 ({{ contract_number }})",
            _GREETING_KO + "이용 중이신 계약의 현재 기간이 {{ ends_on }}에 끝남을 알려 드립니다.\n\n"
            + _CONTRACT_KO + "■ 현재 계약 기간 종료일: {{ ends_on }}\n"
            "{% if renewal_months %}■ 갱신 기간: {{ renewal_months }}개월\n{% endif %}\n"
            "별도의 의사 표시가 없으시면 계약은 같은 조건으로 자동 갱신됩니다. "
            "갱신을 원하지 않으시면 {{ notice_deadline|default:ends_on }}까지 고객 포털에서 갱신 거절 또는 "
            "해지를 신청해 주십시오.",
        ),
        en=(
            "[TermsOps] Your contract renews soon ({{ contract_number }})",
            _GREETING_EN + "The current period of your contract ends on {{ ends_on }}.\n\n" + _CONTRACT_EN
            + "- Current period ends: {{ ends_on }}\n"
            "{% if renewal_months %}- Renewal length: {{ renewal_months }} month(s)\n{% endif %}\n"
            "Unless you tell us otherwise, the contract renews automatically on the same conditions. "
            "If you do not want it to renew, please stop the renewal or give notice of termination in the "
            "customer portal by {{ notice_deadline|default:ends_on }}.",
        ),
        description="갱신 예정 안내 (CON-6). 변수: ends_on, renewal_months, notice_deadline. " + _CONTRACT_VARS,
        sample=_sample(ends_on="2026-12-31", renewal_months=12, notice_deadline="2026-12-01"),
    ),
    *_both(
        "contract.renewed",
        ko=(
            "[텀즈옵스] 계약이 갱신되었습니다 ({{ contract_number }})",
            _GREETING_KO + "아래 계약이 같은 조건으로 갱신되었음을 알려 드립니다.\n\n" + _CONTRACT_KO
            + "■ 새 계약 기간: {{ starts_on }} ~ {{ ends_on }}\n\n"
            "서비스는 중단 없이 계속 이용하실 수 있습니다. 계약 내용과 청구 내역은 고객 포털에서 "
            "확인하실 수 있습니다.",
        ),
        en=(
            "[TermsOps] Contract renewed ({{ contract_number }})",
            _GREETING_EN + "The contract below has renewed on the same conditions.\n\n" + _CONTRACT_EN
            + "- New period: {{ starts_on }} to {{ ends_on }}\n\n"
            "The service continues without interruption. You can see the contract and its invoices in the "
            "customer portal.",
        ),
        description="자동 갱신 (CON-6). 변수: starts_on, ends_on. " + _CONTRACT_VARS,
        sample=_sample(starts_on="2027-01-01", ends_on="2027-12-31"),
    ),
    *_both(
        "contract.renewal_stopped",
        ko=(
            "[텀즈옵스] 계약 갱신 중단 안내 ({{ contract_number }})",
            _GREETING_KO + "아래 계약은 현재 계약 기간이 끝나면 갱신되지 않고 종료됩니다 "
            "({{ today }}).\n\n" + _CONTRACT_KO + "■ 계약 종료일: {{ ends_on }}\n" + _REASON_KO + "\n"
            "계약 종료일까지는 서비스를 계속 이용하실 수 있습니다. 계속 이용을 원하시면 계약 종료일 전에 "
            "고객 포털로 문의해 주십시오. " + _EXPORT_KO,
        ),
        en=(
            "[TermsOps] Renewal stopped ({{ contract_number }})",
            _GREETING_EN + "The contract below will not renew; it ends when its current period ends "
            "({{ today }}).\n\n" + _CONTRACT_EN + "- Contract ends on: {{ ends_on }}\n" + _REASON_EN + "\n"
            "You can use the service until that date. If you want to continue, please contact us through the "
            "customer portal before then. " + _EXPORT_EN,
        ),
        description="갱신 거절 (CON-6). 변수: ends_on. " + _CONTRACT_VARS,
        sample=_sample(ends_on="2026-12-31"),
    ),
    *_both(
        "contract.suspension_notice",
        ko=(
            "[텀즈옵스] 서비스 이용 정지 예정 안내 ({{ contract_number }})",
            _GREETING_KO + "약관에 따라 아래 계약의 서비스 이용을 정지할 예정임을 알려 드립니다 "
            "({{ today }}).\n\n" + _CONTRACT_KO + _REASON_KO + "■ 정지 시작일: {{ starts_on }}\n"
            "{% if planned_end_on %}■ 정지 종료 예정일: {{ planned_end_on }}\n{% endif %}\n"
            "정지 시작일 전에 사유를 해소하시면 정지되지 않으며, 정지 후에도 사유가 해소되면 즉시 해제해 "
            "드립니다. 이 조치에 이의가 있으시면 고객 포털에서 이의를 신청하실 수 있습니다.",
        ),
        en=(
            "[TermsOps] Notice of suspension ({{ contract_number }})",
            _GREETING_EN + "Under the terms of service, the service under the contract below will be "
            "suspended ({{ today }}).\n\n" + _CONTRACT_EN + _REASON_EN
            + "- Suspension starts: {{ starts_on }}\n"
            "{% if planned_end_on %}- Planned end: {{ planned_end_on }}\n{% endif %}\n"
            "If the cause is resolved before the start date, the service is not suspended; after it starts, "
            "the suspension is lifted as soon as the cause is resolved. If you disagree, you can file an "
            "appeal in the customer portal.",
        ),
        description="이용 정지 예고 (CON-10, 004 art.11-3). 변수: reason, starts_on, planned_end_on. "
        + _CONTRACT_VARS,
        sample=_sample(reason="약관 위반", starts_on="2026-03-09", planned_end_on="2026-04-08"),
    ),
    *_both(
        "contract.appeal_decided",
        ko=(
            "[텀즈옵스] 이용 정지 이의신청 결과 안내 ({{ contract_number }})",
            _GREETING_KO + "제출하신 이용 정지 이의신청에 대한 검토 결과를 알려 드립니다 ({{ today }}).\n\n"
            + _CONTRACT_KO + "■ 결과: {% if upheld %}인용{% else %}기각{% endif %}\n"
            "{% if note %}■ 검토 의견: {{ note }}\n{% endif %}\n"
            "{% if upheld %}이의신청이 받아들여져 이용 정지를 해제하였으며, 약관에 따라 정지된 기간만큼 계약 "
            "기간을 연장해 드립니다. 이용에 불편을 드려 죄송합니다."
            "{% else %}검토 결과 이의신청을 받아들이지 않기로 하였으며, 이용 정지는 예정대로 유지됩니다. "
            "정지 사유를 해소하시면 즉시 정지를 해제해 드립니다.{% endif %}",
        ),
        en=(
            "[TermsOps] Decision on your appeal ({{ contract_number }})",
            _GREETING_EN + "We have decided on your appeal against the suspension ({{ today }}).\n\n"
            + _CONTRACT_EN + "- Decision: {% if upheld %}upheld{% else %}dismissed{% endif %}\n"
            "{% if note %}- Notes: {{ note }}\n{% endif %}\n"
            "{% if upheld %}Your appeal was upheld: the suspension is lifted and, as the terms provide, the "
            "contract is extended by the days suspended. We apologise for the inconvenience."
            "{% else %}Your appeal was dismissed and the suspension stays in place. It is lifted as soon as "
            "its cause is resolved.{% endif %}",
        ),
        description="이의신청 결정 (CON-10). 변수: upheld(참/거짓), note. " + _CONTRACT_VARS,
        sample=_sample(upheld=True, note="소명 자료 확인"),
    ),
    *_both(
        "contract.changed",
        ko=(
            "[텀즈옵스] 계약 내용 변경 안내 ({{ contract_number }})",
            _GREETING_KO + "아래 계약의 요금제 또는 결제 주기가 {{ today }}에 변경되었음을 알려 드립니다.\n\n"
            + _CONTRACT_KO + "■ 변경일: {{ today }}\n\n"
            "변경에 따른 요금은 약관에 따라 일할 계산되어 청구서에 반영됩니다. 변경된 계약 내용은 고객 "
            "포털에서 확인하실 수 있으며, 요청하지 않은 변경이라면 고객 포털로 바로 알려 주십시오.",
        ),
        en=(
            "[TermsOps] Contract changed ({{ contract_number }})",
            _GREETING_EN + "The plan or billing cycle of the contract below changed on {{ today }}.\n\n"
            + _CONTRACT_EN + "- Changed on: {{ today }}\n\n"
            "Fees affected by the change are prorated by day as the terms provide and appear on your invoice. "
            "You can review the contract in the customer portal; if you did not ask for this change, please "
            "tell us there right away.",
        ),
        description="요금제·결제 주기 변경 (CON-11). " + _CONTRACT_VARS,
        sample=_sample(),
    ),
    *_both(
        "terms.published",
        ko=(
            "[텀즈옵스] {{ policy_name }} 약관 개정 안내 (시행일 {{ effective_on }})",
            "{{ customer.legal_name }} 고객님, 안녕하세요. 텀즈옵스입니다.\n\n"
            "이용 중이신 서비스의 약관이 아래와 같이 개정되어 알려 드립니다.\n\n"
            "■ 약관: {{ policy_name }}{% if version %} (버전 {{ version }}){% endif %}\n"
            "■ 시행일: {{ effective_on }}\n"
            "■ 개정 사유: {{ reasons }}\n"
            "{% if price_increase %}■ 이번 개정에는 요금 인상이 포함되어 있습니다.\n"
            "{% elif unfavourable %}■ 이번 개정에는 고객님께 불리한 내용이 포함되어 있습니다.\n{% endif %}\n"
            "개정 약관 전문은 고객 포털의 약관 화면에서 확인하실 수 있으며, 같은 화면에서 동의 또는 거부를 "
            "선택하실 수 있습니다.\n\n"
            "{% if price_increase %}요금 인상은 고객님의 동의가 있어야 적용됩니다. 시행일 전까지 고객 포털에서 "
            "동의 여부를 알려 주십시오. 동의하지 않으시면 위약금 없이 계약을 해지하실 수 있습니다."
            "{% elif silence_is_consent %}시행일({{ effective_on }})까지 거부 의사를 표시하지 않으시면 개정 약관에 "
            "동의하신 것으로 봅니다. 개정 약관에 동의하지 않으시면 시행일 전까지 고객 포털에서 거부 의사를 "
            "표시해 주십시오. 거부하시는 경우의 처리(위약금 없는 해지 또는 계약 기간 종료 시까지 종전 약관 "
            "적용)는 이용 중인 약관에서 정한 바에 따릅니다."
            "{% else %}시행일 전까지 고객 포털에서 동의 여부를 알려 주십시오. 거부하시는 경우의 처리는 이용 "
            "중인 약관에서 정한 바에 따릅니다.{% endif %}",
        ),
        en=(
            "[TermsOps] Changes to the {{ policy_name }} terms (effective {{ effective_on }})",
            "Dear {{ customer.legal_name }},\n\n"
            "The terms of service you use have been revised as follows.\n\n"
            "- Terms: {{ policy_name }}{% if version %} (version {{ version }}){% endif %}\n"
            "- Effective date: {{ effective_on }}\n"
            "- Reasons for the change: {{ reasons }}\n"
            "{% if price_increase %}- This revision includes a price increase.\n"
            "{% elif unfavourable %}- This revision includes changes unfavourable to you.\n{% endif %}\n"
            "The full revised terms are on the terms page of the customer portal, where you can accept or "
            "refuse them. The Korean text prevails.\n\n"
            "{% if price_increase %}A price increase applies only with your consent. Please tell us in the "
            "portal whether you accept before the effective date; if you do not, you may terminate the "
            "contract without penalty."
            "{% elif silence_is_consent %}If you do not refuse by the effective date ({{ effective_on }}), "
            "you are deemed to have accepted the revised terms. If you do not agree, please refuse in the "
            "customer portal before that date; what follows a refusal (termination without penalty, or the "
            "old terms until the end of your contract term) is set by your current terms."
            "{% else %}Please tell us in the portal whether you accept before the effective date; what follows "
            "a refusal is set by your current terms.{% endif %}",
        ),
        description="약관 개정 공지 (TRM-2, TRM-3, TRM-6; 000 art.2⑤). 변수: policy_name, version, "
        "effective_on, reasons, unfavourable, price_increase, silence_is_consent",
        sample={"policy_name": "다모아CRM 이용약관", "version": 2, "effective_on": "2026-04-01",
                "reasons": "요금 체계 정비", "unfavourable": False, "price_increase": False,
                "silence_is_consent": True},
    ),
    *_both(
        "terms.refusal_outcome",
        ko=(
            "[텀즈옵스] 약관 개정 거부에 따른 처리 안내 ({{ contract_number }})",
            _GREETING_KO + "개정 약관에 동의하지 않으신 데 따라 아래 계약은 다음과 같이 처리됩니다 "
            "({{ today }}).\n\n" + _CONTRACT_KO + "{% if outcome %}■ 처리 내용: {{ outcome }}\n{% endif %}\n"
            "현재 계약 기간이 끝날 때까지는 종전 약관이 적용되며, 계약 기간이 끝나면 계약은 갱신되지 않고 "
            "종료됩니다. 계속 이용을 원하시면 계약 기간이 끝나기 전에 고객 포털에서 개정 약관에 동의해 "
            "주십시오. " + _EXPORT_KO,
        ),
        en=(
            "[TermsOps] After your refusal of the revised terms ({{ contract_number }})",
            _GREETING_EN + "As you did not accept the revised terms, the contract below is handled as follows "
            "({{ today }}).\n\n" + _CONTRACT_EN + "\n"
            "The previous terms keep applying until the current contract term ends; the contract then ends "
            "and does not renew. If you want to continue, please accept the revised terms in the customer "
            "portal before the term ends. " + _EXPORT_EN,
        ),
        description="약관 거부 결과 (TRM-5, 002 art.3④). 변수: outcome. " + _CONTRACT_VARS,
        sample=_sample(outcome="계약기간 종료까지 종전 약관 적용 후 종료"),
    ),
]

# Restriction is a list of blocked features, not a state (contracts.services.restriction, CON-13):
# contract.restricted / contract.unrestricted add features (the codes changed now, e.g. "service",
# "*" for every feature), restrictions (what stays blocked afterwards) and reason.
_FEATURES_KO = ("{% for f in features %}{% if f == '*' %}모든 기능{% elif f == 'service' %}서비스 이용"
                "{% else %}{{ f }}{% endif %}{% if not forloop.last %}, {% endif %}{% endfor %}")
_FEATURES_EN = ("{% for f in features %}{% if f == '*' %}all features{% elif f == 'service' %}use of the "
                "service{% else %}{{ f }}{% endif %}{% if not forloop.last %}, {% endif %}{% endfor %}")
_STILL_KO = ("{% if restrictions %}■ 계속 제한되는 기능: {% for f in restrictions %}{% if f == '*' %}모든 기능"
             "{% elif f == 'service' %}서비스 이용{% else %}{{ f }}{% endif %}{% if not forloop.last %}, "
             "{% endif %}{% endfor %}\n{% endif %}")
_STILL_EN = ("{% if restrictions %}- Still restricted: {% for f in restrictions %}{% if f == '*' %}all "
             "features{% elif f == 'service' %}use of the service{% else %}{{ f }}{% endif %}"
             "{% if not forloop.last %}, {% endif %}{% endfor %}\n{% endif %}")

CONTRACT_TEMPLATES += [
    *_both(
        "contract.restricted",
        ko=(
            "[텀즈옵스] 서비스 이용 제한 안내 ({{ contract_number }})",
            _GREETING_KO + "약관에 따라 {{ today }}부터 아래 계약의 일부 기능 이용을 제한하였음을 알려 "
            "드립니다.\n\n" + _CONTRACT_KO + "■ 제한된 기능: " + _FEATURES_KO + "\n" + _REASON_KO + "\n"
            "이용 제한 중에도 요금 납부, 결제 수단 변경, 고객 포털과 데이터 내보내기는 계속 이용하실 수 "
            "있습니다. 제한 사유가 해소되면(미납 요금의 경우 완납이 확인되면) 즉시 제한을 해제하고 알려 "
            "드립니다. 이 조치에 이의가 있으시면 고객 포털을 통해 알려 주십시오.",
        ),
        en=(
            "[TermsOps] Service restricted ({{ contract_number }})",
            _GREETING_EN + "Under the terms of service, some features of the contract below are restricted "
            "from {{ today }}.\n\n" + _CONTRACT_EN + "- Restricted: " + _FEATURES_EN + "\n" + _REASON_EN + "\n"
            "While restricted, you can still pay, change your payment method, and use the customer portal "
            "and data export. We lift the restriction as soon as its cause is resolved (for unpaid fees, as "
            "soon as full payment arrives) and let you know. If you disagree, please tell us through the "
            "customer portal.",
        ),
        description="이용 제한 (CON-13, DUN-4; 002 art.16). 변수: features(이번에 제한한 기능 코드), "
        "restrictions(제한 중인 전체 기능), reason. " + _CONTRACT_VARS,
        sample=_sample(features=["service"], restrictions=["service"],
                       reason="요금 미납: 청구서 INV-2026-000123, 미납액 330,000원 (납기일 2026-03-10)"),
    ),
    *_both(
        "contract.unrestricted",
        ko=(
            "[텀즈옵스] 서비스 이용 제한이 해제되었습니다 ({{ contract_number }})",
            _GREETING_KO + "{{ today }}자로 아래 계약의 이용 제한이 해제되었음을 알려 드립니다.\n\n"
            + _CONTRACT_KO + "■ 해제된 기능: " + _FEATURES_KO + "\n" + _STILL_KO
            + "{% if reason %}■ 해제 사유: {{ reason }}\n{% endif %}\n"
            "해제된 기능은 지금 바로 다시 이용하실 수 있습니다. 이용에 불편을 드려 죄송합니다. "
            "궁금하신 점은 고객 포털로 문의해 주십시오.",
        ),
        en=(
            "[TermsOps] Restriction lifted ({{ contract_number }})",
            _GREETING_EN + "The restriction on the contract below was lifted on {{ today }}.\n\n"
            + _CONTRACT_EN + "- Lifted: " + _FEATURES_EN + "\n" + _STILL_EN
            + "{% if reason %}- Reason: {{ reason }}\n{% endif %}\n"
            "You can use the lifted features again right away. We apologise for the inconvenience; if you "
            "have questions, please contact us through the customer portal.",
        ),
        description="이용 제한 해제 (CON-13, DUN-1; 002 art.16⑤). 변수: features(해제한 기능 코드), "
        "restrictions(남은 제한), reason. " + _CONTRACT_VARS,
        sample=_sample(features=["service"], restrictions=[], reason="완납"),
    ),
]

DEFAULT_TEMPLATES += CONTRACT_TEMPLATES


# --- customer information, succession, dormancy (ACC-8, ACC-9, ACC-10) -------------
# Change requests (accounts.services_changes): request_number, fields (labels of the requested
# items), today, reason. Successions (contracts.services.succession): request_number, kind,
# predecessor_name, successor_name, event_date, deadline, contracts (numbers), today, reason.
# Dormancy notice (contracts.services.dormancy): member_name, login_id, last_seen_on, dormant_on,
# inactive_days.

_CHANGE_VARS = "변수: request_number, fields, today, reason"
_CHANGE_SAMPLE: dict[str, Any] = {"request_number": "CR-000001", "fields": "상호(법인명), 대표자명",
                                  "today": "2026-11-20", "reason": ""}
_SUCCESSION_VARS = ("변수: request_number, kind, predecessor_name, successor_name, event_date, deadline, "
                    "contracts, today, reason")
_SUCCESSION_SAMPLE: dict[str, Any] = {
    "request_number": "SR-000001", "kind": "합병", "predecessor_name": "주식회사 한빛",
    "successor_name": "주식회사 새빛", "event_date": "2026-11-02", "deadline": "2026-12-02",
    "contracts": "CT-000001, CT-000002", "today": "2026-11-20", "reason": "",
}

ACCOUNT_TEMPLATES: list[DefaultTemplate] = [
    *_both(
        "customer.change_requested",
        ko=(
            "[텀즈옵스] 고객 정보 변경 신청이 접수되었습니다 ({{ request_number }})",
            _GREETING_KO + "{{ today }}에 아래 고객 정보의 변경 신청이 접수되었습니다.\n\n"
            "■ 신청번호: {{ request_number }}\n■ 변경 항목: {{ fields }}\n\n"
            "담당자가 첨부하신 증빙 서류를 확인한 뒤 처리 결과를 알려 드리겠습니다. 승인 전까지는 "
            "기존 정보로 청구됩니다.",
        ),
        en=(
            "[TermsOps] Change request received ({{ request_number }})",
            _GREETING_EN + "We received your request to change the following customer information on "
            "{{ today }}.\n\n- Request: {{ request_number }}\n- Items: {{ fields }}\n\n"
            "We will check the attached document and let you know the result. Until approval, invoices "
            "use the current information.",
        ),
        description="고객 정보 변경 신청 접수 (ACC-9; 004 art.8). " + _CHANGE_VARS,
        sample=_CHANGE_SAMPLE,
    ),
    *_both(
        "customer.change_approved",
        ko=(
            "[텀즈옵스] 고객 정보 변경이 완료되었습니다 ({{ request_number }})",
            _GREETING_KO + "신청하신 고객 정보 변경이 {{ today }}에 승인되어 반영되었습니다.\n\n"
            "■ 신청번호: {{ request_number }}\n■ 변경 항목: {{ fields }}\n" + _REASON_KO + "\n"
            "이후 발행되는 청구서와 세금계산서에는 변경된 정보가 적용됩니다.",
        ),
        en=(
            "[TermsOps] Customer information updated ({{ request_number }})",
            _GREETING_EN + "Your change request was approved and applied on {{ today }}.\n\n"
            "- Request: {{ request_number }}\n- Items: {{ fields }}\n" + _REASON_EN + "\n"
            "Invoices and tax invoices issued from now on use the new information.",
        ),
        description="고객 정보 변경 승인 (ACC-9). " + _CHANGE_VARS,
        sample=_CHANGE_SAMPLE,
    ),
    *_both(
        "customer.change_rejected",
        ko=(
            "[텀즈옵스] 고객 정보 변경 신청이 반려되었습니다 ({{ request_number }})",
            _GREETING_KO + "{{ today }}에 아래 고객 정보 변경 신청이 반려되었습니다.\n\n"
            "■ 신청번호: {{ request_number }}\n■ 변경 항목: {{ fields }}\n" + _REASON_KO + "\n"
            "사유를 확인하신 뒤 올바른 증빙 서류를 첨부하여 고객 포털에서 다시 신청해 주십시오.",
        ),
        en=(
            "[TermsOps] Change request rejected ({{ request_number }})",
            _GREETING_EN + "Your change request below was rejected on {{ today }}.\n\n"
            "- Request: {{ request_number }}\n- Items: {{ fields }}\n" + _REASON_EN + "\n"
            "Please check the reason and file the request again in the customer portal with the right "
            "document.",
        ),
        description="고객 정보 변경 반려 (ACC-9). " + _CHANGE_VARS,
        sample={**_CHANGE_SAMPLE, "reason": "사업자등록증 사본의 상호가 신청 내용과 다릅니다"},
    ),
    *_both(
        "customer.succession_requested",
        ko=(
            "[텀즈옵스] 지위 승계 신고가 접수되었습니다 ({{ request_number }})",
            _GREETING_KO + "{{ today }}에 아래 지위 승계 신고가 접수되었습니다.\n\n"
            "■ 신고번호: {{ request_number }}\n■ 사유: {{ kind }} ({{ event_date }})\n"
            "■ 원 계약자: {{ predecessor_name }}\n■ 승계인: {{ successor_name }}\n\n"
            "담당자가 증빙 서류를 확인한 뒤 처리 결과를 알려 드리겠습니다. 승계 사유 발생일까지의 "
            "이용요금이 모두 납부되어야 승계가 완료됩니다.",
        ),
        en=(
            "[TermsOps] Succession filing received ({{ request_number }})",
            _GREETING_EN + "We received the succession filing below on {{ today }}.\n\n"
            "- Filing: {{ request_number }}\n- Event: {{ kind }} ({{ event_date }})\n"
            "- Predecessor: {{ predecessor_name }}\n- Successor: {{ successor_name }}\n\n"
            "We will check the documents and let you know the result. The succession completes only "
            "when the fees up to the event are fully paid.",
        ),
        description="지위 승계 신고 접수 (ACC-8; 002 art.19②). " + _SUCCESSION_VARS,
        sample=_SUCCESSION_SAMPLE,
    ),
    *_both(
        "customer.succession_approved",
        ko=(
            "[텀즈옵스] 지위 승계가 완료되었습니다 ({{ request_number }})",
            _GREETING_KO + "아래 지위 승계가 {{ today }}에 승인되었습니다.\n\n"
            "■ 신고번호: {{ request_number }}\n■ 사유: {{ kind }} ({{ event_date }})\n"
            "■ 원 계약자: {{ predecessor_name }}\n■ 승계인: {{ successor_name }}\n"
            "{% if contracts %}■ 이전된 계약: {{ contracts }}\n{% endif %}" + _REASON_KO + "\n"
            "승계인은 남은 계약 기간의 권리와 의무를 그대로 이어받습니다(약관 제19조 ④). "
            "이전 청구와 납부 기록은 원 계약자 명의로 보관됩니다.",
        ),
        en=(
            "[TermsOps] Succession completed ({{ request_number }})",
            _GREETING_EN + "The succession below was approved on {{ today }}.\n\n"
            "- Filing: {{ request_number }}\n- Event: {{ kind }} ({{ event_date }})\n"
            "- Predecessor: {{ predecessor_name }}\n- Successor: {{ successor_name }}\n"
            "{% if contracts %}- Contracts transferred: {{ contracts }}\n{% endif %}" + _REASON_EN + "\n"
            "The successor takes over the rights and obligations for the rest of the contract term. "
            "Past invoices and payments stay on record under the predecessor.",
        ),
        description="지위 승계 승인과 계약 이전 (ACC-8; 002 art.19, 004 art.22). " + _SUCCESSION_VARS,
        sample=_SUCCESSION_SAMPLE,
    ),
    *_both(
        "customer.succession_rejected",
        ko=(
            "[텀즈옵스] 지위 승계 신고가 반려되었습니다 ({{ request_number }})",
            _GREETING_KO + "{{ today }}에 아래 지위 승계 신고가 반려되었습니다.\n\n"
            "■ 신고번호: {{ request_number }}\n■ 사유: {{ kind }} ({{ event_date }})\n"
            "■ 원 계약자: {{ predecessor_name }}\n■ 승계인: {{ successor_name }}\n" + _REASON_KO + "\n"
            "궁금하신 점은 고객 포털로 문의해 주십시오.",
        ),
        en=(
            "[TermsOps] Succession filing rejected ({{ request_number }})",
            _GREETING_EN + "The succession filing below was rejected on {{ today }}.\n\n"
            "- Filing: {{ request_number }}\n- Event: {{ kind }} ({{ event_date }})\n"
            "- Predecessor: {{ predecessor_name }}\n- Successor: {{ successor_name }}\n" + _REASON_EN
            + "\nPlease contact us through the customer portal with any questions.",
        ),
        description="지위 승계 반려 (ACC-8). " + _SUCCESSION_VARS,
        sample={**_SUCCESSION_SAMPLE, "reason": "승계를 입증하는 서류가 없습니다"},
    ),
    *_both(
        "member.dormancy_notice",
        ko=(
            "[텀즈옵스] {{ dormant_on }}에 휴면 계정으로 전환될 예정입니다",
            "{{ member_name }}님, 안녕하세요. 텀즈옵스입니다.\n\n"
            "{{ customer.legal_name }}의 계정({{ login_id }})으로 {{ inactive_days }}일 동안 로그인 기록이 "
            "없어, 관련 법령과 이용약관 제15조에 따라 {{ dormant_on }}에 휴면 계정으로 전환될 "
            "예정입니다.\n\n■ 최근 접속일: {{ last_seen_on|default:'없음' }}\n■ 휴면 전환 예정일: "
            "{{ dormant_on }}\n\n휴면 계정이 되면 이름, 이메일, 휴대전화, 부서 정보는 다른 정보와 분리하여 "
            "보관되고 로그인이 제한됩니다. 전환 예정일 전에 한 번 로그인하시면 계속 이용하실 수 있으며, "
            "휴면 전환 후에도 로그인 화면에서 본인 확인 후 다시 이용하실 수 있습니다.",
        ),
        en=(
            "[TermsOps] Your account becomes dormant on {{ dormant_on }}",
            "Dear {{ member_name }},\n\n"
            "There has been no login to your {{ customer.legal_name }} account ({{ login_id }}) for "
            "{{ inactive_days }} days. Under the applicable law and Article 15 of the terms, the account "
            "becomes dormant on {{ dormant_on }}.\n\n- Last login: {{ last_seen_on|default:'none' }}\n"
            "- Dormant from: {{ dormant_on }}\n\n"
            "A dormant account's name, email, mobile and department are stored separately and login is "
            "disabled. Log in once before that date to keep using the account; after it you can still "
            "reactivate the account from the login screen.",
        ),
        description="휴면 전환 사전 안내, 구성원 본인에게 이메일 (ACC-10; 001 art.15-2). "
        "변수: member_name, login_id, last_seen_on, dormant_on, inactive_days",
        sample={"member_name": "홍길동", "login_id": "hong", "last_seen_on": "2025-12-01",
                "dormant_on": "2026-12-01", "inactive_days": 335},
    ),
]

DEFAULT_TEMPLATES += ACCOUNT_TEMPLATES


# --- billing: dunning, disputes, refunds, evasion (SPEC §5-6: BIL-10, BIL-11, BIL-20, DUN-1..4) ---
# Amounts are integers in won, dates ISO strings (YYYY-MM-DD). Variables per sender:
# dunning.step (billing.services.dunning, ``_Run._execute``): invoice_number, due_date, amount_won, action,
# action_label, step_index, scheduled_on, executed_on, days_overdue, detail, next_action,
# next_action_label, next_on. Actions are the ladder codes (contracts.models.DunningAction); the
# templates name them in the notice's own language and fall back to the label for a new code.
# Disputes (billing.services.disputes._notify): dispute_id, invoice_number, amount_won, reason,
# filed_on, answer_due_on, status, today (+ event-specific, see each description).
# Refunds (billing.services.refunds._notify): refund_id, amount_won, interest_won,
# arrears_deducted_won, reason, requested_on, pay_by, paid_on.


def _dunning_action(var: str, *, ko: bool) -> str:
    """Template text naming the ladder action held in ``var`` (a DunningAction code)."""
    names = (
        ("notify", "미납 안내", "a payment reminder"),
        ("retry_payment", "자동 결제 재시도", "another automatic payment attempt"),
        ("restrict", "서비스 이용 제한", "restriction of the service"),
        ("suspend", "서비스 이용 정지", "suspension of the service"),
        ("terminate", "계약 직권 해지", "termination of the contract by us"),
        ("refer_to_collections", "채권 추심 의뢰", "referral to a debt collection agency"),
        ("purge_data", "데이터 파기", "deletion of your data"),
    )
    out = ""
    for i, (code, name_ko, name_en) in enumerate(names):
        out += f"{{% {'if' if i == 0 else 'elif'} {var} == '{code}' %}}{name_ko if ko else name_en}"
    return out + f"{{% else %}}{{{{ {var}_label }}}}{{% endif %}}"


_PAY_KO = ("고객 포털의 청구서 화면에서 바로 납부하실 수 있으며, 이미 납부하셨다면 이 안내와 엇갈린 것이니 "
           "양해해 주십시오. 청구 내용에 이의가 있으시면 고객 포털에서 이의를 신청하실 수 있으며, 이의가 "
           "접수된 금액에는 결정이 날 때까지 미납 절차가 진행되지 않습니다.")
_PAY_EN = ("You can pay right away on the invoices page of the customer portal; if you have already paid, "
           "please disregard this notice. If you disagree with the charge, you can dispute it in the portal; "
           "no further steps are taken on a disputed amount until it is decided.")
_DUNNING_VARS = ("변수: invoice_number, due_date, amount_won, action, action_label, step_index, scheduled_on, "
                 "executed_on, days_overdue, detail, next_action, next_action_label, next_on")
_DISPUTE_VARS = "공통 변수: dispute_id, invoice_number, amount_won, reason, filed_on, answer_due_on, status, today"
_DISPUTE_SAMPLE: dict[str, Any] = {
    "dispute_id": 17, "invoice_number": "INV-2026-000123", "amount_won": 110000,
    "reason": "해지한 좌석 2개가 청구되었습니다", "filed_on": "2026-03-12", "answer_due_on": "2026-03-26",
    "status": "접수", "today": "2026-03-12",
}
_REFUND_VARS = ("변수: refund_id, amount_won, interest_won, arrears_deducted_won, reason, requested_on, pay_by, "
                "paid_on")
_REFUND_SAMPLE: dict[str, Any] = {
    "refund_id": 5, "amount_won": 220000, "interest_won": 0, "arrears_deducted_won": 55000,
    "reason": "이중 납부", "requested_on": "2026-03-12", "pay_by": "2026-04-30", "paid_on": "",
}
_REFUND_KO = ("■ 환불 번호: {{ refund_id }}\n■ 환불 금액: {{ amount_won|won }}\n"
              "{% if interest_won %}■ 법정 이자: {{ interest_won|won }}\n{% endif %}"
              "{% if arrears_deducted_won %}■ 미납 요금 공제: {{ arrears_deducted_won|won }}\n{% endif %}"
              "{% if reason %}■ 사유: {{ reason }}\n{% endif %}■ 요청일: {{ requested_on }}\n")
_REFUND_EN = ("- Refund: {{ refund_id }}\n- Amount: {{ amount_won|won }}\n"
              "{% if interest_won %}- Statutory interest: {{ interest_won|won }}\n{% endif %}"
              "{% if arrears_deducted_won %}- Unpaid fees deducted: {{ arrears_deducted_won|won }}\n"
              "{% endif %}{% if reason %}- Reason: {{ reason }}\n{% endif %}- Requested on: {{ requested_on }}\n")

BILLING_TEMPLATES: list[DefaultTemplate] = [
    *_both(
        "dunning.step",
        ko=(
            "[텀즈옵스] 미납 요금 안내: 청구서 {{ invoice_number }} ({{ amount_won|won }})",
            _GREETING_KO
            + "{% if action == 'notify' %}납기일({{ due_date }})이 {{ days_overdue }}일 지났으나 아래 청구서의 "
            "요금이 아직 납부되지 않았음을 알려 드립니다."
            "{% elif action == 'retry_payment' %}납기일이 지난 아래 청구서의 요금을 {{ executed_on }}에 등록하신 "
            "자동 결제 수단으로 다시 청구하였습니다. 결제가 되지 않았다면 결제 수단의 잔액이나 한도를 확인해 "
            "주십시오."
            "{% elif action == 'restrict' %}아래 청구서의 요금이 납기일로부터 {{ days_overdue }}일이 지나도록 "
            "납부되지 않아, 약관에 따라 {{ executed_on }}부터 서비스 이용을 제한하였습니다. 요금 납부와 고객 "
            "포털, 데이터 내보내기는 계속 이용하실 수 있습니다."
            "{% elif action == 'suspend' %}아래 청구서의 요금이 납기일로부터 {{ days_overdue }}일이 지나도록 "
            "납부되지 않아, 약관에 따라 {{ executed_on }}에 서비스 이용 정지를 시작하였습니다."
            "{% elif action == 'terminate' %}아래 청구서의 요금이 납기일로부터 {{ days_overdue }}일이 지나도록 "
            "납부되지 않아, 약관에 따라 {{ executed_on }}에 계약 직권 해지 절차를 시작하였습니다. 해지 효력일과 "
            "소명 방법은 별도로 보내 드린 해지 예고 안내를 확인해 주십시오."
            "{% elif action == 'refer_to_collections' %}아래 청구서의 요금이 납기일로부터 {{ days_overdue }}일이 "
            "지나도록 납부되지 않아, 약관에 따라 미납 요금의 회수를 채권 추심 기관에 의뢰하게 되었습니다."
            "{% elif action == 'purge_data' %}아래 청구서의 요금이 납기일로부터 {{ days_overdue }}일이 지나도록 "
            "납부되지 않아, 약관에 따라 해지된 계약의 데이터를 파기하는 절차를 시작하였습니다."
            "{% else %}아래 청구서의 요금이 납부되지 않아 {{ executed_on }}에 {{ action_label }} 조치를 "
            "하였습니다.{% endif %}\n\n"
            "■ 청구서 번호: {{ invoice_number }}\n■ 미납 금액: {{ amount_won|won }}\n"
            "■ 납기일: {{ due_date }} ({{ days_overdue }}일 경과)\n"
            "■ 이번 조치: " + _dunning_action("action", ko=True) + " ({{ executed_on }})\n"
            "■ 다음 단계: {% if next_action %}" + _dunning_action("next_action", ko=True)
            + " ({{ next_on }} 예정){% else %}없음{% endif %}\n\n"
            "{% if next_action %}{{ next_on }} 전까지 미납 금액 {{ amount_won|won }}을 납부하시면 다음 "
            "단계는 진행되지 않습니다. {% endif %}완납이 확인되면 미납 절차는 바로 멈추고, 이용 제한이나 정지는 "
            "즉시 해제됩니다. " + _PAY_KO,
        ),
        en=(
            "[TermsOps] Payment overdue: invoice {{ invoice_number }} ({{ amount_won|won }})",
            _GREETING_EN
            + "{% if action == 'notify' %}The invoice below was due on {{ due_date }}, {{ days_overdue }} day(s) "
            "ago, and is still unpaid."
            "{% elif action == 'retry_payment' %}On {{ executed_on }} we charged the overdue invoice below to "
            "your automatic payment method again. If the payment did not go through, please check the balance "
            "or limit of the payment method."
            "{% elif action == 'restrict' %}As the invoice below is still unpaid {{ days_overdue }} day(s) after "
            "its due date, the service is restricted from {{ executed_on }} under the terms. You can still pay, "
            "and use the customer portal and data export."
            "{% elif action == 'suspend' %}As the invoice below is still unpaid {{ days_overdue }} day(s) after "
            "its due date, we started suspending the service on {{ executed_on }} under the terms."
            "{% elif action == 'terminate' %}As the invoice below is still unpaid {{ days_overdue }} day(s) "
            "after its due date, on {{ executed_on }} we started terminating the contract under the terms. "
            "The effective date and how to explain are in the separate notice of termination."
            "{% elif action == 'refer_to_collections' %}As the invoice below is still unpaid {{ days_overdue }} "
            "day(s) after its due date, we are referring the unpaid amount to a debt collection agency under "
            "the terms."
            "{% elif action == 'purge_data' %}As the invoice below is still unpaid {{ days_overdue }} day(s) "
            "after its due date, we started deleting the data of the terminated contract under the terms."
            "{% else %}As the invoice below is unpaid, on {{ executed_on }} we took the next step of the "
            "overdue process.{% endif %}\n\n"
            "- Invoice: {{ invoice_number }}\n- Amount unpaid: {{ amount_won|won }}\n"
            "- Due date: {{ due_date }} ({{ days_overdue }} day(s) overdue)\n"
            "- This step: " + _dunning_action("action", ko=False) + " ({{ executed_on }})\n"
            "- Next step: {% if next_action %}" + _dunning_action("next_action", ko=False)
            + " on {{ next_on }}{% else %}none{% endif %}\n\n"
            "{% if next_action %}If you pay the {{ amount_won|won }} before {{ next_on }}, the next "
            "step does not happen. {% endif %}Once full payment arrives, the process stops and any "
            "restriction or suspension is lifted at once. " + _PAY_EN,
        ),
        description="미납 단계별 안내 (DUN-2: 금액, 다음 단계와 그 날짜). " + _DUNNING_VARS,
        sample={"invoice_number": "INV-2026-000123", "due_date": "2026-03-10", "amount_won": 330000,
                "action": "notify", "action_label": "안내", "step_index": 2, "scheduled_on": "2026-03-25",
                "executed_on": "2026-03-25", "days_overdue": 15, "detail": "미납 안내 (15일 경과)",
                "next_action": "restrict", "next_action_label": "이용 제한", "next_on": "2026-04-09"},
    ),
    *_both(
        "dunning.suspension_notice",
        ko=(
            "[텀즈옵스] 미납에 따른 서비스 이용 정지 예고 ({{ suspends_on }})",
            _GREETING_KO + "아래 청구서의 요금이 아직 납부되지 않아, 약관에 따라 {{ suspends_on }}부터 서비스 "
            "이용이 정지될 예정임을 {{ notice_days }}일 전에 미리 알려 드립니다 ({{ noticed_on }}).\n\n"
            "■ 청구서 번호: {{ invoice_number }}\n■ 미납 금액: {{ amount_won|won }}\n"
            "■ 이용 정지 예정일: {{ suspends_on }}\n\n"
            "{{ suspends_on }} 전까지 미납 금액을 납부하시면 이용 정지는 진행되지 않습니다. 정지된 뒤에도 완납이 "
            "확인되면 즉시 정지를 해제해 드립니다. " + _PAY_KO,
        ),
        en=(
            "[TermsOps] Notice of suspension for non-payment ({{ suspends_on }})",
            _GREETING_EN + "As the invoice below is still unpaid, the service will be suspended from "
            "{{ suspends_on }} under the terms. We are giving you {{ notice_days }} days' notice "
            "({{ noticed_on }}).\n\n"
            "- Invoice: {{ invoice_number }}\n- Amount unpaid: {{ amount_won|won }}\n"
            "- Suspension from: {{ suspends_on }}\n\n"
            "If you pay the unpaid amount before {{ suspends_on }}, the service is not suspended; after a "
            "suspension starts, it is lifted as soon as full payment arrives. " + _PAY_EN,
        ),
        description="미납 이용 정지 사전 통지 (DUN, 004 art.11-3). 변수: invoice_number, amount_won, noticed_on, "
        "suspends_on, notice_days",
        sample={"invoice_number": "INV-2026-000123", "amount_won": 330000, "noticed_on": "2026-01-15",
                "suspends_on": "2026-01-22", "notice_days": 7},
    ),
    *_both(
        "dunning.resolved",
        ko=(
            "[텀즈옵스] 미납 요금이 정리되었습니다 (청구서 {{ invoice_number }})",
            _GREETING_KO + "청구서 {{ invoice_number }}의 미납 요금이 {{ resolved_on }}에 정리되어, 이 청구서에 "
            "대한 미납 절차를 종료하였음을 알려 드립니다.\n\n"
            "■ 청구서 번호: {{ invoice_number }}\n{% if resolution %}■ 처리 내용: {{ resolution }}\n{% endif %}"
            "■ 처리일: {{ resolved_on }}\n\n"
            "이 청구서로 인한 이후의 미납 단계는 진행되지 않습니다. "
            "{% if lifted %}이 청구서 때문에 적용된 이용 제한 또는 정지는 해제되었으며, 계약별 해제 내용은 별도로 "
            "안내해 드립니다. {% endif %}납부해 주셔서 감사합니다.",
        ),
        en=(
            "[TermsOps] Overdue invoice {{ invoice_number }} settled",
            _GREETING_EN + "The overdue amount of invoice {{ invoice_number }} was settled (paid in full or "
            "cancelled) on {{ resolved_on }}, and its overdue process has ended.\n\n"
            "- Invoice: {{ invoice_number }}\n- Settled on: {{ resolved_on }}\n\n"
            "No further overdue steps are taken for this invoice. "
            "{% if lifted %}The restriction or suspension applied because of it has been lifted; a separate "
            "notice gives the details for each contract. {% endif %}Thank you for your payment.",
        ),
        description="미납 해소 (DUN-1: 완납 또는 전액 취소로 절차 종료, 제한·정지 해제). 변수: invoice_number, "
        "resolution, resolved_on, lifted(해제된 계약:조치 목록)",
        sample={"invoice_number": "INV-2026-000123", "resolution": "완납", "resolved_on": "2026-03-28",
                "lifted": ["C-2026-000001:restrict"]},
    ),
    *_both(
        "dunning.paused",
        ko=(
            "[텀즈옵스] 미납 절차 유예 안내 ({{ ends_on }}까지)",
            _GREETING_KO + "고객님의 요청 등에 따라 미납 요금에 대한 이후 절차(이용 제한, 정지, 해지 등)를 "
            "아래 기간 동안 유예하였음을 알려 드립니다.\n\n"
            "■ 유예 기간: {{ starts_on }} ~ {{ ends_on }}\n■ 절차 재개일: {{ resumes_on }}\n"
            + _REASON_KO + "\n"
            "유예 기간에도 미납 요금은 그대로 남아 있으며, {{ ends_on }}까지 납부하시지 않으면 {{ resumes_on }}부터 "
            "미납 절차가 다시 진행됩니다. 유예 기간 중 완납하시면 절차는 바로 종료됩니다. 납부는 고객 포털의 "
            "청구서 화면에서 하실 수 있습니다.",
        ),
        en=(
            "[TermsOps] Overdue process paused until {{ ends_on }}",
            _GREETING_EN + "We have paused the further steps for your unpaid fees (restriction, suspension, "
            "termination and so on) for the period below.\n\n"
            "- Paused: {{ starts_on }} to {{ ends_on }}\n- Resumes on: {{ resumes_on }}\n" + _REASON_EN + "\n"
            "The unpaid fees remain due during the pause. If they are not paid by {{ ends_on }}, the process "
            "resumes on {{ resumes_on }}; if you pay in full during the pause, it ends at once. You can pay on "
            "the invoices page of the customer portal.",
        ),
        description="미납 절차 유예 (DUN-3; 002 art.33①). 변수: reason, starts_on, ends_on, resumes_on",
        sample={"reason": "분할 납부 약정", "starts_on": "2026-03-20", "ends_on": "2026-04-10",
                "resumes_on": "2026-04-11"},
    ),
    *_both(
        "dunning.pause_cancelled",
        ko=(
            "[텀즈옵스] 미납 절차 유예가 철회되었습니다",
            _GREETING_KO + "{{ ends_on }}까지로 안내해 드린 미납 절차 유예가 {{ cancelled_on }}에 철회되었음을 "
            "알려 드립니다.\n\n■ 철회일: {{ cancelled_on }}\n■ 당초 유예 종료일: {{ ends_on }}\n" + _REASON_KO + "\n"
            "유예가 철회되어 미납 요금에 대한 절차(이용 제한, 정지, 해지 등)가 곧 다시 진행됩니다. 고객 포털의 "
            "청구서 화면에서 미납 내역을 확인하시고 납부해 주십시오. 완납이 확인되면 절차는 바로 종료됩니다.",
        ),
        en=(
            "[TermsOps] Pause of the overdue process cancelled",
            _GREETING_EN + "The pause of the overdue process, announced until {{ ends_on }}, was cancelled on "
            "{{ cancelled_on }}.\n\n- Cancelled on: {{ cancelled_on }}\n- Pause was to end on: {{ ends_on }}\n"
            + _REASON_EN + "\n"
            "The steps for your unpaid fees (restriction, suspension, termination and so on) will resume "
            "shortly. Please check the unpaid invoices on the invoices page of the customer portal and pay "
            "them; the process ends as soon as full payment arrives.",
        ),
        description="미납 절차 유예 철회 (DUN-3). 변수: reason, cancelled_on, ends_on",
        sample={"reason": "약정 불이행", "cancelled_on": "2026-03-30", "ends_on": "2026-04-10"},
    ),
    *_both(
        "dispute.filed",
        ko=(
            "[텀즈옵스] 요금 이의신청이 접수되었습니다 (청구서 {{ invoice_number }})",
            _GREETING_KO + "{{ filed_on }}에 아래 요금 이의신청이 접수되었습니다.\n\n"
            "■ 이의신청 번호: {{ dispute_id }}\n■ 청구서 번호: {{ invoice_number }}\n"
            "■ 이의 금액: {{ amount_won|won }}\n■ 사유: {{ reason }}\n"
            "{% if answer_due_on and answer_due_on != filed_on %}■ 답변 기한: {{ answer_due_on }}\n{% endif %}\n"
            "담당자가 내용을 검토하여 {% if answer_due_on and answer_due_on != filed_on %}{{ answer_due_on }}까지"
            "{% else %}신속히{% endif %} 결과를 알려 드리겠습니다. 검토하는 동안 이의 금액에 대해서는 미납 절차가 "
            "진행되지 않습니다. 청구서의 나머지 금액은 납기일까지 납부해 주십시오. 결정 전에는 고객 포털에서 "
            "이의신청을 취하하실 수 있습니다.",
        ),
        en=(
            "[TermsOps] Dispute received (invoice {{ invoice_number }})",
            _GREETING_EN + "We received the dispute below on {{ filed_on }}.\n\n"
            "- Dispute: {{ dispute_id }}\n- Invoice: {{ invoice_number }}\n"
            "- Amount disputed: {{ amount_won|won }}\n- Reason: {{ reason }}\n"
            "{% if answer_due_on and answer_due_on != filed_on %}- Answer due by: {{ answer_due_on }}\n{% endif %}\n"
            "We will review it and tell you the result {% if answer_due_on and answer_due_on != filed_on %}by "
            "{{ answer_due_on }}{% else %}as soon as possible{% endif %}. While we review it, no overdue steps "
            "are taken on the disputed amount. Please pay the rest of the invoice by its due date. Until we "
            "decide, you can withdraw the dispute in the customer portal.",
        ),
        description="요금 이의신청 접수 (BIL-10). 변수: window_closes_on(신청 기한, 없을 수 있음). " + _DISPUTE_VARS,
        sample={**_DISPUTE_SAMPLE, "window_closes_on": "2026-03-25"},
    ),
    *_both(
        "dispute.extended",
        ko=(
            "[텀즈옵스] 요금 이의신청 답변 기한 연장 안내 (청구서 {{ invoice_number }})",
            _GREETING_KO + "{{ filed_on }}에 접수하신 요금 이의신청의 답변 기한을 아래와 같이 연장하게 되어 "
            "알려 드립니다.\n\n"
            "■ 이의신청 번호: {{ dispute_id }}\n■ 청구서 번호: {{ invoice_number }}\n"
            "■ 이의 금액: {{ amount_won|won }}\n■ 기존 답변 기한: {{ previous_due_on }}\n"
            "■ 연장된 답변 기한: {{ answer_due_on }}\n■ 연장 사유: {{ extension_reason }}\n\n"
            "늦어져 죄송합니다. {{ answer_due_on }}까지 검토 결과를 알려 드리겠습니다. 그동안 이의 금액에 대해서는 "
            "미납 절차가 진행되지 않습니다. 추가로 제출하실 자료가 있으면 고객 포털을 통해 보내 주십시오.",
        ),
        en=(
            "[TermsOps] More time needed for your dispute (invoice {{ invoice_number }})",
            _GREETING_EN + "We need more time to answer the dispute you filed on {{ filed_on }}.\n\n"
            "- Dispute: {{ dispute_id }}\n- Invoice: {{ invoice_number }}\n"
            "- Amount disputed: {{ amount_won|won }}\n- Previous deadline: {{ previous_due_on }}\n"
            "- New deadline: {{ answer_due_on }}\n- Reason for the extension: {{ extension_reason }}\n\n"
            "We apologise for the delay and will tell you the result by {{ answer_due_on }}. Meanwhile no "
            "overdue steps are taken on the disputed amount. If you have more documents, please send them "
            "through the customer portal.",
        ),
        description="이의신청 답변 기한 연장 (BIL-10; 000 art.17③, 002 art.35②). 변수: previous_due_on, "
        "extension_reason. " + _DISPUTE_VARS,
        sample={**_DISPUTE_SAMPLE, "answer_due_on": "2026-04-09", "previous_due_on": "2026-03-26",
                "extension_reason": "통신사 사용 기록 확인 필요", "today": "2026-03-25"},
    ),
    *_both(
        "dispute.decided",
        ko=(
            "[텀즈옵스] 요금 이의신청 결과 안내 (청구서 {{ invoice_number }})",
            _GREETING_KO + "{{ filed_on }}에 접수하신 요금 이의신청의 검토 결과를 알려 드립니다 ({{ today }}).\n\n"
            "■ 이의신청 번호: {{ dispute_id }}\n■ 청구서 번호: {{ invoice_number }}\n"
            "■ 이의 금액: {{ amount_won|won }}\n"
            "■ 결과: {% if not upheld_amount_won %}기각{% elif upheld_amount_won == amount_won %}인용"
            "{% else %}일부 인용{% endif %}\n"
            "■ 인용 금액: {{ upheld_amount_won|default:0|won }}\n"
            "{% if credit_note_number %}■ 크레딧 노트: {{ credit_note_number }}\n{% endif %}"
            "■ 답변 내용: {{ answer }}\n\n"
            "{% if upheld_amount_won %}인용된 {{ upheld_amount_won|won }}은 크레딧 노트로 청구 금액에서 "
            "차감되며, 이 금액 때문에 적용된 이용 제한이나 정지는 해제됩니다. {% endif %}"
            "{% if upheld_amount_won != amount_won %}인용되지 않은 금액은 다시 납부하셔야 할 요금이 되어, 납부되지 "
            "않으면 미납 절차가 다시 진행됩니다. 고객 포털의 청구서 화면에서 남은 금액을 확인하고 납부해 주십시오. "
            "{% endif %}결과에 이의가 있으시면 고객 포털로 문의해 주십시오.",
        ),
        en=(
            "[TermsOps] Decision on your dispute (invoice {{ invoice_number }})",
            _GREETING_EN + "Here is our decision on the dispute you filed on {{ filed_on }} ({{ today }}).\n\n"
            "- Dispute: {{ dispute_id }}\n- Invoice: {{ invoice_number }}\n"
            "- Amount disputed: {{ amount_won|won }}\n"
            "- Decision: {% if not upheld_amount_won %}rejected{% elif upheld_amount_won == amount_won %}upheld"
            "{% else %}partly upheld{% endif %}\n"
            "- Amount upheld: {{ upheld_amount_won|default:0|won }}\n"
            "{% if credit_note_number %}- Credit note: {{ credit_note_number }}\n{% endif %}"
            "- Our answer: {{ answer }}\n\n"
            "{% if upheld_amount_won %}The {{ upheld_amount_won|won }} upheld is credited against the "
            "invoice with a credit note, and any restriction or suspension it caused is lifted. {% endif %}"
            "{% if upheld_amount_won != amount_won %}The amount not upheld is due again; if it stays unpaid, "
            "the overdue process resumes. Please check the remaining amount on the invoices page of the "
            "customer portal and pay it. {% endif %}If you disagree with the decision, please contact us "
            "through the customer portal.",
        ),
        description="이의신청 결정 (BIL-10, DUN-1). 변수: upheld_amount_won(인용 금액, 0이면 기각), answer, "
        "credit_note_number. " + _DISPUTE_VARS,
        sample={**_DISPUTE_SAMPLE, "upheld_amount_won": 55000, "answer": "해지 좌석 1개분만 확인되었습니다",
                "credit_note_number": "CN-2026-000004", "status": "일부 인용", "today": "2026-03-20"},
    ),
    *_both(
        "dispute.withdrawn",
        ko=(
            "[텀즈옵스] 요금 이의신청이 취하되었습니다 (청구서 {{ invoice_number }})",
            _GREETING_KO + "{{ filed_on }}에 접수하신 아래 요금 이의신청이 {{ today }}에 취하되었습니다.\n\n"
            "■ 이의신청 번호: {{ dispute_id }}\n■ 청구서 번호: {{ invoice_number }}\n"
            "■ 이의 금액: {{ amount_won|won }}\n■ 사유: {{ reason }}\n\n"
            "취하된 이의 금액 {{ amount_won|won }}은 다시 납부하셔야 할 요금이 되며, 납기일이 지났다면 미납 "
            "절차가 다시 진행됩니다. 고객 포털의 청구서 화면에서 확인하고 납부해 주십시오. 본인이 취하하지 "
            "않으셨다면 고객 포털로 바로 알려 주십시오.",
        ),
        en=(
            "[TermsOps] Dispute withdrawn (invoice {{ invoice_number }})",
            _GREETING_EN + "The dispute below, filed on {{ filed_on }}, was withdrawn on {{ today }}.\n\n"
            "- Dispute: {{ dispute_id }}\n- Invoice: {{ invoice_number }}\n"
            "- Amount disputed: {{ amount_won|won }}\n- Reason: {{ reason }}\n\n"
            "The {{ amount_won|won }} is due again; if the due date has passed, the overdue process "
            "resumes. Please check it on the invoices page of the customer portal and pay it. If you did not "
            "withdraw the dispute, please tell us through the portal right away.",
        ),
        description="이의신청 취하 (BIL-10). " + _DISPUTE_VARS,
        sample={**_DISPUTE_SAMPLE, "status": "취하", "today": "2026-03-15"},
    ),
    *_both(
        "refund.requested",
        ko=(
            "[텀즈옵스] 환불 요청이 접수되었습니다 ({{ amount_won|won }})",
            _GREETING_KO + "{{ requested_on }}에 아래 환불 요청이 접수되었습니다.\n\n" + _REFUND_KO
            + "{% if pay_by %}■ 지급 기한: {{ pay_by }}\n{% endif %}\n"
            "{% if arrears_deducted_won %}약관에 따라 미납 요금 {{ arrears_deducted_won|won }}을 먼저 공제하고 "
            "남은 금액을 환불해 드립니다. {% endif %}"
            "환불금은 {% if pay_by %}{{ pay_by }}까지 {% endif %}고객님 계좌로 지급하고, 지급되면 다시 알려 "
            "드리겠습니다. 지급 전에는 환불 요청을 취소하실 수 있으며, 취소하시면 해당 금액은 다음 청구서에서 "
            "차감됩니다. 환불 계좌 정보가 바뀌었다면 고객 포털에서 알려 주십시오.",
        ),
        en=(
            "[TermsOps] Refund request received ({{ amount_won|won }})",
            _GREETING_EN + "We received the refund request below on {{ requested_on }}.\n\n" + _REFUND_EN
            + "{% if pay_by %}- To be paid by: {{ pay_by }}\n{% endif %}\n"
            "{% if arrears_deducted_won %}As the terms provide, {{ arrears_deducted_won|won }} of "
            "unpaid fees was deducted first and the rest is refunded. {% endif %}"
            "We will pay the refund to your bank account{% if pay_by %} by {{ pay_by }}{% endif %} and let you "
            "know when it is paid. Until then you can cancel the request; the amount is then deducted from "
            "your next invoice. If your bank account details have changed, please tell us in the customer "
            "portal.",
        ),
        description="과납액 환불 요청 접수 (BIL-11; 000 art.18, 002 art.35③④). " + _REFUND_VARS,
        sample=_REFUND_SAMPLE,
    ),
    *_both(
        "refund.paid",
        ko=(
            "[텀즈옵스] 환불금이 지급되었습니다 ({{ amount_won|add:interest_won|won }})",
            _GREETING_KO + "요청하신 환불금을 {{ paid_on }}에 지급하였음을 알려 드립니다.\n\n" + _REFUND_KO
            + "■ 지급일: {{ paid_on }}\n■ 지급 금액 합계: {{ amount_won|add:interest_won|won }}\n\n"
            "입금 내역은 거래 은행에서 확인하실 수 있으며, 환불 내역은 고객 포털의 결제 화면에서도 보실 수 "
            "있습니다. 며칠이 지나도 입금되지 않았거나 금액이 다르면 고객 포털로 문의해 주십시오.",
        ),
        en=(
            "[TermsOps] Refund paid ({{ amount_won|add:interest_won|won }})",
            _GREETING_EN + "We paid your refund on {{ paid_on }}.\n\n" + _REFUND_EN
            + "- Paid on: {{ paid_on }}\n- Total paid: {{ amount_won|add:interest_won|won }}\n\n"
            "You can see the transfer at your bank, and the refund on the payments page of the customer portal. "
            "If it has not arrived within a few days, or the amount differs, please contact us through the "
            "customer portal.",
        ),
        description="환불 지급 (BIL-11, BIL-12). 지급 금액 = amount_won + interest_won. " + _REFUND_VARS,
        sample={**_REFUND_SAMPLE, "paid_on": "2026-03-20"},
    ),
    *_both(
        "refund.cancelled",
        ko=(
            "[텀즈옵스] 환불 요청이 취소되었습니다 ({{ amount_won|won }})",
            _GREETING_KO + "{{ requested_on }}에 접수된 아래 환불 요청이 취소되었음을 알려 드립니다.\n\n"
            + _REFUND_KO + "\n"
            "환불하지 않은 {{ amount_won|won }}은 고객님의 선수금(크레딧)으로 남아 다음 청구서에서 자동으로 "
            "차감됩니다. {% if arrears_deducted_won %}이미 공제된 미납 요금 {{ arrears_deducted_won|won }}은 "
            "납부된 것으로 처리됩니다. {% endif %}환불을 다시 원하시면 고객 포털에서 새로 요청해 주십시오. "
            "직접 취소하지 않으셨다면 고객 포털로 문의해 주십시오.",
        ),
        en=(
            "[TermsOps] Refund request cancelled ({{ amount_won|won }})",
            _GREETING_EN + "The refund request below, made on {{ requested_on }}, has been cancelled.\n\n"
            + _REFUND_EN + "\n"
            "The {{ amount_won|won }} not refunded stays on your account as credit and is deducted "
            "from your next invoice automatically. {% if arrears_deducted_won %}The "
            "{{ arrears_deducted_won|won }} of unpaid fees already deducted stays paid. {% endif %}"
            "If you still want a refund, please make a new request in the customer portal. If you did not "
            "cancel it yourself, please contact us there.",
        ),
        description="환불 요청 취소 (BIL-11: 크레딧으로 남아 다음 청구서에서 상계). " + _REFUND_VARS,
        sample=_REFUND_SAMPLE,
    ),
    *_both(
        "invoice.evasion_charged",
        ko=(
            "[텀즈옵스] 요금 면탈에 따른 추가 요금 청구 ({{ invoice_number }}, {{ total_won|won }})",
            _GREETING_KO + "약관에 따라 부당하게 면탈된 요금에 대해 면탈 금액의 {{ multiplier }}배를 아래와 같이 "
            "청구하게 되었음을 알려 드립니다.\n\n"
            "■ 계약번호: {{ contract_number }}\n■ 청구서 번호: {{ invoice_number }}\n"
            "■ 면탈 금액: {{ evaded_won|won }}\n■ 청구 금액: {{ total_won|won }} (면탈 금액의 "
            "{{ multiplier }}배, 부가가치세 포함)\n"
            "■ 납기일: {{ due_date }}\n" + _REASON_KO + "\n"
            "청구서는 고객 포털의 청구서 화면에서 확인하고 납부하실 수 있습니다. 납기일까지 납부되지 않으면 약관에 "
            "따른 미납 절차가 진행됩니다. 청구 내용에 이의가 있으시면 고객 포털에서 이의를 신청하실 수 있습니다.",
        ),
        en=(
            "[TermsOps] Charge for evaded fees ({{ invoice_number }}, {{ total_won|won }})",
            _GREETING_EN + "Under the terms, fees evaded unlawfully are charged at {{ multiplier }} times the "
            "amount evaded. We have issued the invoice below.\n\n"
            "- Contract: {{ contract_number }}\n- Invoice: {{ invoice_number }}\n"
            "- Amount evaded: {{ evaded_won|won }}\n- Amount charged: {{ total_won|won }} "
            "({{ multiplier }} times the amount evaded, VAT included)\n- Due date: {{ due_date }}\n" + _REASON_EN + "\n"
            "You can see and pay the invoice on the invoices page of the customer portal. If it is not paid by "
            "the due date, the overdue process under the terms follows. If you disagree with the charge, you "
            "can dispute it in the portal.",
        ),
        description="요금 면탈 2배 청구 (BIL-20; 001 art.19-8). 변수: invoice_number, contract_number, evaded_won, "
        "multiplier, total_won, due_date, reason",
        sample={"invoice_number": "INV-2026-000210", "contract_number": "C-2026-000001", "evaded_won": 150000,
                "multiplier": 2, "total_won": 330000, "due_date": "2026-04-10",
                "reason": "계약 외 회선 무단 사용"},
    ),
]

DEFAULT_TEMPLATES += BILLING_TEMPLATES

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
