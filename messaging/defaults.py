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
_EXPORT_KO = ("필요한 자료는 해지 전에 고객 포털의 데이터 내보내기에서 내려받아 두시기 바랍니다. "
              "해지 후 데이터는 약관에서 정한 보관 기간이 지나면 파기됩니다.")
_EXPORT_EN = ("Please download the data you need from the customer portal (data export) before the "
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
            "{{ settlement_total_won|intcomma }}원\n{% endif %}\n"
            "해지 효력일까지는 서비스를 계속 이용하실 수 있습니다. 미납 요금이 있으면 해지가 완료되기 전에 "
            "정산해 주십시오. 최종 청구·환불·위약금 내역은 고객 포털의 계약 화면에서 확인하실 수 있습니다. "
            + _EXPORT_KO,
        ),
        en=(
            "[TermsOps] Contract ending ({{ contract_number }})",
            _GREETING_EN + "The contract below is now set to end ({{ today }}).\n\n"
            + _CONTRACT_EN + "- Termination effective on: {{ effective_on|default:termination_effective_on }}\n"
            + _REASON_EN + "{% if settlement_total_won is not None %}- Estimated settlement: "
            "KRW {{ settlement_total_won|intcomma }}\n{% endif %}\n"
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
            "{% if unpaid_won %}■ 미납 금액: {{ unpaid_won|intcomma }}원\n{% endif %}\n"
            "약관에 따라 미납 요금을 정산하셔야 해지가 완료됩니다. 고객 포털의 청구서 화면에서 미납 내역을 "
            "확인하시고 납부해 주십시오. 납부가 확인되면 해지를 바로 완료하고 안내해 드리겠습니다. "
            "청구 내역에 이의가 있으시면 고객 포털에서 이의를 신청하실 수 있습니다.",
        ),
        en=(
            "[TermsOps] Termination completes once unpaid fees are settled ({{ contract_number }})",
            _GREETING_EN + "The termination date of the contract below has come, but unpaid fees remain, so "
            "the termination is not complete yet ({{ today }}).\n\n" + _CONTRACT_EN
            + "- Termination effective on: {{ termination_effective_on }}\n"
            "{% if unpaid_won %}- Unpaid: KRW {{ unpaid_won|intcomma }}\n{% endif %}\n"
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
            "승계인은 남은 계약 기간의 권리와 의무를 그대로 이어받습니다(002 제19조 ④). "
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
            "없어, 관련 법령과 이용약관(001 제15조)에 따라 {{ dormant_on }}에 휴면 계정으로 전환될 "
            "예정입니다.\n\n■ 최근 접속일: {{ last_seen_on|default:'없음' }}\n■ 휴면 전환 예정일: "
            "{{ dormant_on }}\n\n휴면 계정이 되면 이름, 이메일, 휴대전화, 부서 정보는 다른 정보와 분리하여 "
            "보관되고 로그인이 제한됩니다. 전환 예정일 전에 한 번 로그인하시면 계속 이용하실 수 있으며, "
            "휴면 전환 후에도 로그인 화면에서 본인 확인 후 다시 이용하실 수 있습니다.",
        ),
        en=(
            "[TermsOps] Your account becomes dormant on {{ dormant_on }}",
            "Dear {{ member_name }},\n\n"
            "There has been no login to your {{ customer.legal_name }} account ({{ login_id }}) for "
            "{{ inactive_days }} days. Under the applicable law and the terms (001 art.15), the account "
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
