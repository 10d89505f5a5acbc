"""MSG-1: every notice the services send has its own Korean and English template.

Contracts and terms (CON-1..13, TRM-3, TRM-5), customer information (ACC-8..10) and billing: dunning
(DUN-1..4), disputes (BIL-10), refunds (BIL-11) and evasion charges (BIL-20).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from contracts.lifecycle import EVENTS
from messaging.defaults import DEFAULT_TEMPLATES, ensure_default_templates
from messaging.models import NoticeTemplate
from messaging.services import notify

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

#: The events the briefs list; the scan below adds any the services send later.
LISTED = {
    "contract.applied", "contract.approved", "contract.held", "contract.rejected", "contract.activated",
    "contract.suspended", "contract.reinstated", "contract.terminating", "contract.operator_termination",
    "contract.terminated", "contract.withdrawn", "contract.purged", "contract.activation_rescheduled",
    "contract.renewal_reminder", "contract.renewed", "contract.renewal_stopped",
    "contract.suspension_notice", "contract.appeal_decided", "contract.changed", "terms.published",
    "terms.refusal_outcome", "contract.restricted", "contract.unrestricted",
    "customer.change_requested", "customer.change_approved", "customer.change_rejected",
    "customer.succession_requested", "customer.succession_approved", "customer.succession_rejected",
    "member.dormancy_notice",
    "dunning.step", "dunning.suspension_notice", "dunning.resolved", "dunning.paused",
    "dunning.pause_cancelled", "dispute.filed", "dispute.extended", "dispute.decided", "dispute.withdrawn",
    "refund.requested", "refund.paid", "refund.cancelled", "invoice.evasion_charged",
}

#: The apps whose code sends notices (``notify``, ``notify_contract`` and the apps' ``_notify`` helpers).
SCANNED_APPS = ("accounts", "billing", "contracts", "messaging")
#: Prefixes only events use: any quoted ``"prefix.name"`` in the code is an event.
_EVENT_LITERAL = re.compile(
    r"[\"']((?:contract|terms|dunning|dispute|refund|customer|member|succession|dormancy)\.[a-z_]+)[\"']"
)
#: Any prefix (``invoice.number`` is also an ORM path, so ``invoice.*``, ``payment.*``, ``settlement.*``
#: count only here): the literal handed to a notify call as ``event=``, as the second positional
#: argument of ``notify_contract``/``_notify``/``_notify_parties``, or bound to a module ``EVENT``.
_EVENT_ARGUMENT = re.compile(
    r"(?:\bevent\s*=\s*|\b_?notify\w*\(\s*[\w.]+\s*,\s*|^EVENT\s*=\s*)[\"']([a-z_]+\.[a-z_]+)[\"']",
    re.MULTILINE,
)


def _sent_events() -> set[str]:
    """Every event literal the sending apps' code holds, plus the contract state events."""
    found: set[str] = set(EVENTS.values())
    for app in SCANNED_APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or path == ROOT / "messaging" / "defaults.py":
                continue
            text = path.read_text()
            found |= set(_EVENT_LITERAL.findall(text)) | set(_EVENT_ARGUMENT.findall(text))
    return found


ALL_EVENTS = sorted(LISTED | _sent_events())
SAMPLES = {t.event: t.sample_context or {} for t in DEFAULT_TEMPLATES}


def test_the_scan_finds_the_events_of_every_sending_app():
    """The scan is not vacuous: it sees events sent by keyword, by helper and by module constant."""
    assert {
        "contract.restricted",  # notify_contract(contract, "...")
        "customer.change_requested",  # accounts' _notify(customer, "...")
        "member.dormancy_notice",  # EVENT = "..."
        "dunning.step",  # notify(event="...")
        "refund.paid",  # billing's _notify(refund, "...")
        "invoice.evasion_charged",  # an invoice.* event, found only as a notify argument
    } <= _sent_events()
    assert "invoice.number" not in _sent_events()


def test_every_sent_event_has_a_built_in_template():
    """MSG-1: no event the services send lacks a built-in template (ko and en, email and portal)."""
    have = {(t.event, t.channel, t.language) for t in DEFAULT_TEMPLATES}
    missing = [
        f"{e}/{c}/{lang}" for e in ALL_EVENTS for c in ("email", "portal") for lang in ("ko", "en")
        if (e, c, lang) not in have
    ]
    assert not missing, f"events without a built-in template: {missing}"


@pytest.mark.parametrize("language", ["ko", "en"])
@pytest.mark.parametrize("event", ALL_EVENTS)
def test_event_renders_without_the_generic_fallback(event, language, customer, admin_member, caplog):
    """MSG-1: each event renders from its own template in the language asked for, variables filled."""
    context = {**SAMPLES.get(event, {}), "contract_number": "C-2026-000042"}
    notices = notify(customer=customer, event=event, context=context, channels=["email", "portal"],
                     language=language)
    assert {n.channel for n in notices} == {"email", "portal"}
    assert "template missing" not in caplog.text
    for notice in notices:
        assert notice.template is not None and notice.template.event == event
        assert notice.language == language
        assert "{{" not in notice.body and "{%" not in notice.body
        assert notice.subject and len(notice.body) > 80
        hangul = bool(re.search(r"[가-힣]", notice.subject))
        assert hangul == (language == "ko") or event == "terms.published"
        if event.startswith("contract."):
            assert "C-2026-000042" in notice.body
        for key, value in context.items():  # every amount of the sample is shown, formatted
            if key.endswith("_won") and isinstance(value, int) and value:
                assert f"{value:,}" in notice.body, (key, notice.body)
                assert ("원" if language == "ko" else "KRW") in notice.body


def test_terms_published_states_deemed_consent_unless_price_increase(customer, admin_member):
    """TRM-3 (000 art.2⑤): the notice names the effective date and reasons, and that silence is consent;
    a price increase (TRM-6) instead asks for consent and offers termination without penalty."""
    base = {"policy_name": "다모아CRM 이용약관", "version": 2, "effective_on": "2026-04-01",
            "reasons": "요금 체계 정비", "unfavourable": False, "price_increase": False,
            "silence_is_consent": True}
    ko = notify(customer=customer, event="terms.published", context=base, channels=["portal"])[0]
    assert "2026-04-01" in ko.subject and "시행일: 2026-04-01" in ko.body
    assert "개정 사유: 요금 체계 정비" in ko.body
    assert "동의하신 것으로 봅니다" in ko.body
    en = notify(customer=customer, event="terms.published", context=base, channels=["portal"],
                language="en")[0]
    assert "deemed to have accepted" in en.body

    raised = {**base, "unfavourable": True, "price_increase": True, "silence_is_consent": False}
    ko = notify(customer=customer, event="terms.published", context=raised, channels=["portal"])[0]
    assert "동의하신 것으로 봅니다" not in ko.body
    assert "요금 인상" in ko.body and "위약금 없이" in ko.body


def test_terminating_shows_settlement_and_dates(customer, admin_member):
    """CON-7: the termination notice gives the effective date and the settlement amount."""
    context = {"contract_number": "C-1", "plan_name": "클라우드 서버 스탠다드", "effective_on": "2026-03-31",
               "termination_effective_on": "2026-03-31", "settlement_total_won": 693000,
               "today": "2026-03-01"}
    notice = notify(customer=customer, event="contract.terminating", context=context, channels=["portal"])[0]
    assert "해지 효력일: 2026-03-31" in notice.body
    assert "693,000원" in notice.body


def test_staff_edits_survive_reinstalling(customer):
    """MSG-1: installing the built-ins again (migration 0003) never overwrites an edited template."""
    edited = NoticeTemplate.objects.get(event="contract.approved", channel="email", language="ko")
    edited.body = "직접 고친 본문 {{ contract_number }}"
    edited.save()
    NoticeTemplate.objects.filter(event="contract.renewed").delete()
    assert ensure_default_templates() == 4
    edited.refresh_from_db()
    assert edited.body == "직접 고친 본문 {{ contract_number }}"


_STEP = {"invoice_number": "INV-2026-000123", "due_date": "2026-03-10", "amount_won": 330000,
         "action": "notify", "action_label": "안내", "step_index": 2, "scheduled_on": "2026-03-25",
         "executed_on": "2026-03-25", "days_overdue": 15, "detail": "",
         "next_action": "restrict", "next_action_label": "이용 제한", "next_on": "2026-04-09"}


def test_dunning_step_names_the_amount_the_next_step_and_its_date(customer, admin_member):
    """DUN-2: every step's notice gives the amount, the next step and its date, in the notice's language
    (the action is named from its code, not from the Korean label in the context)."""
    ko = notify(customer=customer, event="dunning.step", context=_STEP, channels=["portal"])[0]
    assert "미납 금액: 330,000원" in ko.body
    assert "다음 단계: 서비스 이용 제한 (2026-04-09 예정)" in ko.body
    en = notify(customer=customer, event="dunning.step", context=_STEP, channels=["portal"], language="en")[0]
    assert "Amount unpaid: KRW 330,000" in en.body
    assert "Next step: restriction of the service on 2026-04-09" in en.body
    assert "이용 제한" not in en.body and "안내" not in en.body

    last = {**_STEP, "action": "terminate", "action_label": "직권 해지", "next_action": "",
            "next_action_label": "", "next_on": ""}
    ko = notify(customer=customer, event="dunning.step", context=last, channels=["portal"])[0]
    assert "이번 조치: 계약 직권 해지" in ko.body and "다음 단계: 없음" in ko.body
    en = notify(customer=customer, event="dunning.step", context=last, channels=["portal"], language="en")[0]
    assert "This step: termination of the contract by us" in en.body and "Next step: none" in en.body


def test_dispute_decision_says_rejected_partly_or_fully_upheld(customer, admin_member):
    """BIL-10: the decision notice states the outcome from the amounts, with the credit note if any."""
    base = {"dispute_id": 1, "invoice_number": "INV-1", "amount_won": 110000, "reason": "중복 청구",
            "filed_on": "2026-03-12", "answer_due_on": "2026-03-26", "today": "2026-03-20", "answer": "확인"}
    outcomes = [(0, "기각", "rejected"), (55000, "일부 인용", "partly upheld"), (110000, "인용", "upheld")]
    for upheld, ko_word, en_word in outcomes:
        context = {**base, "upheld_amount_won": upheld, "credit_note_number": "CN-9" if upheld else ""}
        ko = notify(customer=customer, event="dispute.decided", context=context, channels=["portal"])[0]
        assert f"결과: {ko_word}\n" in ko.body
        assert ("크레딧 노트: CN-9" in ko.body) == bool(upheld)
        en = notify(customer=customer, event="dispute.decided", context=context, channels=["portal"],
                    language="en")[0]
        assert f"Decision: {en_word}\n" in en.body
