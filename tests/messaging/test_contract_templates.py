"""MSG-1: each contract and terms notice has its own Korean and English template (CON-1..10, TRM-3)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from contracts.lifecycle import EVENTS
from messaging.defaults import CONTRACT_TEMPLATES, ensure_default_templates
from messaging.models import NoticeTemplate
from messaging.services import notify

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

#: The events the brief lists; the scan below adds any the contracts services send later.
LISTED = {
    "contract.applied", "contract.approved", "contract.held", "contract.rejected", "contract.activated",
    "contract.suspended", "contract.reinstated", "contract.terminating", "contract.operator_termination",
    "contract.terminated", "contract.withdrawn", "contract.purged", "contract.activation_rescheduled",
    "contract.renewal_reminder", "contract.renewed", "contract.renewal_stopped",
    "contract.suspension_notice", "contract.appeal_decided", "contract.changed", "terms.published",
    "terms.refusal_outcome",
}


def _sent_events() -> set[str]:
    """Every ``"contract.*"`` / ``"terms.*"`` literal in the contracts app, plus the state events."""
    found: set[str] = set(EVENTS.values())
    for path in (ROOT / "contracts").rglob("*.py"):
        if "migrations" not in path.parts:
            found |= set(re.findall(r"[\"']((?:contract|terms)\.[a-z_]+)[\"']", path.read_text()))
    return found


ALL_EVENTS = sorted(LISTED | _sent_events())
SAMPLES = {t.event: t.sample_context or {} for t in CONTRACT_TEMPLATES}


def test_every_sent_event_has_a_built_in_template():
    """MSG-1: no contract or terms event the services send lacks a template (ko and en, email and portal)."""
    have = {(t.event, t.channel, t.language) for t in CONTRACT_TEMPLATES}
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
