"""TRM-1..TRM-7: terms versions, notice, consent, deemed consent, refusals, price increases and
service changes."""

from __future__ import annotations

import pytest

from contracts.models import ConsentDecision, ContractStatus, Policy, TerminationKind, TermsConsent
from contracts.policy import policy_clone
from contracts.services import renewal, termination, terms
from core.errors import DomainError
from messaging.models import Broadcast, Notice
from tests.contracts.conftest import D, active, apply

pytestmark = pytest.mark.django_db


def _draft(code: str, text: str = "개정 약관 본문") -> Policy:
    v1 = Policy.objects.get(code=code, version=1)
    draft = policy_clone(policy=v1)
    draft.terms_text_ko = text
    draft.save(update_fields=["terms_text_ko"])
    return draft


MARCH_1, FEB_1 = D(2026, 3, 1), D(2026, 2, 1)


def _publish(code: str, *, effective_on=MARCH_1, today=FEB_1, **kw):  # type: ignore[no-untyped-def]
    return terms.terms_publish(
        policy=_draft(code),
        previous=Policy.objects.get(code=code, version=1),
        effective_on=effective_on,
        reasons=kw.pop("reasons", "요금 체계 정비"),
        today=today,
        **kw,
    )


def test_versions_keep_text_and_rules(presets):
    """TRM-1: a new version is a separate Policy row with its own text and every rule value copied."""
    v1 = Policy.objects.get(code="dcloud", version=1)
    draft = _draft("dcloud", "새 본문")
    assert (draft.version, draft.status, draft.terms_text_ko) == (2, Policy.Status.DRAFT, "새 본문")
    assert draft.customer_termination_notice_days == v1.customer_termination_notice_days == 7


@pytest.mark.parametrize(
    ("unfavourable", "ok", "short"),
    [(False, D(2026, 2, 8), D(2026, 2, 7)), (True, D(2026, 3, 3), D(2026, 3, 2))],
)
def test_publish_needs_notice(presets, unfavourable, ok, short):
    """TRM-2: 7 days' notice, 30 when unfavourable; shorter is refused naming the earliest date."""
    active("officecore")
    with pytest.raises(DomainError) as err:
        _publish("officecore", effective_on=short, unfavourable=unfavourable)
    assert err.value.code == "notice_too_short" and err.value.rule == "TRM-2"
    assert ok.isoformat() in err.value.message_ko
    assert Policy.objects.get(code="officecore", version=2).status == Policy.Status.DRAFT
    release = terms.terms_publish(
        policy=Policy.objects.get(code="officecore", version=2),
        previous=Policy.objects.get(code="officecore", version=1),
        effective_on=ok,
        reasons="개정",
        today=D(2026, 2, 1),
        unfavourable=unfavourable,
    )
    assert release.effective_on == ok and release.policy.status == Policy.Status.PUBLISHED


def test_affected_customers_notified(presets):
    """TRM-3: every affected customer is notified on the portal (and by email when unfavourable) with the
    effective date, the reasons and that silence means consent; unaffected customers are not."""
    a = active("officecore")
    b = active("officecore")
    other = active("flow")
    release = _publish(
        "officecore", effective_on=D(2026, 3, 3), unfavourable=True, reasons="요금 인상 없음, 조항 정비"
    )
    for contract in (a, b):
        sent = Notice.objects.filter(customer=contract.customer, event="terms.published")
        assert set(sent.values_list("channel", flat=True)) == {"portal", "email"}
        ctx = sent.first().context
        assert ctx["effective_on"] == "2026-03-03" and ctx["reasons"] == "요금 인상 없음, 조항 정비"
        assert ctx["silence_is_consent"] is True
    assert not Notice.objects.filter(customer=other.customer, event="terms.published").exists()
    favourable = _publish("flow", effective_on=D(2026, 2, 10))
    assert set(
        Notice.objects.filter(customer=other.customer, event="terms.published").values_list(
            "channel", flat=True
        )
    ) == {"portal"}
    assert release.unfavourable and not favourable.unfavourable


def test_consent_recorded_with_who_what_when_where(presets):
    """TRM-4: accept/refuse records customer, member, version, text hash, time, IP and channel; once only;
    not after the effective date; not by another customer's member."""
    contract = active("officecore")
    member = contract.customer.members.first()
    release = _publish("officecore")
    consent = terms.consent_record(
        customer=contract.customer,
        policy=release.policy,
        decision="accepted",
        today=D(2026, 2, 5),
        member=member,
        ip_address="203.0.113.7",
        channel="api",
    )
    assert (consent.member, consent.policy, consent.decision) == (
        member,
        release.policy,
        ConsentDecision.ACCEPTED,
    )
    assert consent.text_hash == terms.text_hash(release.policy) and len(consent.text_hash) == 64
    assert (consent.ip_address, consent.channel) == ("203.0.113.7", "api") and consent.decided_at
    with pytest.raises(DomainError) as err:
        terms.consent_record(
            customer=contract.customer, policy=release.policy, decision="refused", today=D(2026, 2, 6)
        )
    assert err.value.code == "already_decided"
    late = active("officecore")
    with pytest.raises(DomainError) as err:
        terms.consent_record(
            customer=late.customer, policy=release.policy, decision="accepted", today=D(2026, 3, 1)
        )
    assert err.value.code == "too_late"
    with pytest.raises(DomainError) as err:
        terms.consent_record(
            customer=late.customer,
            policy=release.policy,
            decision="accepted",
            today=D(2026, 2, 6),
            member=member,
        )
    assert err.value.code == "wrong_customer"


def test_consent_for_unpublished_version_refused(presets):
    """TRM-4: a draft (unpublished) version cannot be accepted or refused."""
    contract = active("officecore")
    draft = _draft("officecore")
    with pytest.raises(DomainError) as err:
        terms.consent_record(
            customer=contract.customer, policy=draft, decision="accepted", today=D(2026, 2, 5)
        )
    assert err.value.code == "not_published" and err.value.rule == "TRM-4"
    assert not TermsConsent.objects.exists()


def test_silence_is_deemed_consent_on_the_effective_date(presets):
    """TRM-4: silence until the effective date → deemed consent recorded by terms_transition; contracts
    (accepted and deemed) move to the new version; undecided applications too; once only."""
    silent = active("officecore")
    accepted = active("officecore")
    pending = apply("officecore", today=D(2026, 2, 20), start=D(2026, 3, 10))
    release = _publish("officecore")
    terms.consent_record(
        customer=accepted.customer, policy=release.policy, decision="accepted", today=D(2026, 2, 2)
    )
    assert terms.terms_transition(today=D(2026, 2, 28)) == {"deemed": 0, "moved": 0, "refused": 0}
    assert terms.terms_transition(today=D(2026, 3, 1)) == {"deemed": 1, "moved": 2, "refused": 0}
    assert terms.terms_transition(today=D(2026, 3, 1)) == {"deemed": 0, "moved": 0, "refused": 0}
    deemed = TermsConsent.objects.get(customer=silent.customer, policy=release.policy)
    assert deemed.decision == ConsentDecision.DEEMED and deemed.channel == "job"
    for contract in (silent, accepted, pending):
        contract.refresh_from_db()
        assert contract.policy == release.policy
    release.refresh_from_db()
    assert release.transitioned_on == D(2026, 3, 1)


@pytest.mark.parametrize("code", ["officecore", "flow"])
def test_refusal_lets_officecore_and_flow_terminate_without_penalty(presets, code):
    """TRM-5 (000 art.2⑤, 001 art.3-6): after refusing, the customer terminates without penalty before the
    effective date; a refuser who does nothing is terminated, penalty-free, on the effective date."""
    leaving = active(code)
    staying = active(code)
    release = _publish(code)
    for c in (leaving, staying):
        terms.consent_record(
            customer=c.customer, policy=release.policy, decision="refused", today=D(2026, 2, 3)
        )
    terms.refusal_termination(contract=leaving, today=D(2026, 2, 10))
    leaving.refresh_from_db()
    assert leaving.status == ContractStatus.TERMINATING and leaving.penalty_exempt
    assert leaving.termination_kind == TerminationKind.TERMS_REFUSED
    assert leaving.termination_effective_on == D(2026, 2, 28)
    assert terms.terms_transition(today=D(2026, 3, 1))["refused"] == 1
    staying.refresh_from_db()
    assert staying.status == ContractStatus.TERMINATING and staying.penalty_exempt
    assert staying.termination_effective_on == D(2026, 3, 1) and staying.policy.version == 1


def test_refusal_without_a_refusal_record_refused(presets):
    """TRM-5: a penalty-free termination needs a recorded refusal."""
    contract = active("officecore")
    _publish("officecore")
    with pytest.raises(DomainError) as err:
        terms.refusal_termination(contract=contract, today=D(2026, 2, 10))
    assert err.value.code == "no_refusal"


def test_dcloud_refusal_keeps_old_version_until_term_end(presets):
    """TRM-5 (002 art.3④): dcloud keeps the old version until the term ends; then the contract ends and does
    not renew."""
    contract = active("dcloud")
    release = _publish("dcloud")
    terms.consent_record(
        customer=contract.customer, policy=release.policy, decision="refused", today=D(2026, 2, 3)
    )
    with pytest.raises(DomainError) as err:
        terms.refusal_termination(contract=contract, today=D(2026, 2, 10))
    assert err.value.code == "refusal_keeps_old_version"
    assert terms.terms_transition(today=D(2026, 3, 1))["refused"] == 1
    contract.refresh_from_db()
    assert (
        contract.status == ContractStatus.ACTIVE and contract.policy.version == 1 and contract.renewal_stopped
    )
    renewal.renew_due(today=D(2027, 1, 5))
    termination.complete_due(today=D(2027, 1, 5))
    contract.refresh_from_db()
    assert contract.status == ContractStatus.TERMINATED and contract.terminated_on == D(2027, 1, 4)
    assert contract.periods.count() == 1


def test_price_increase_needs_consent(presets):
    """TRM-6 (002 art.17②③): a price increase is never deemed accepted; refusing lets the customer terminate
    mid-term without penalty; a silent customer keeps the old price until the term ends, without renewal."""
    refuser = active("dcloud")
    silent = active("dcloud")
    accepter = active("dcloud")
    release = _publish("dcloud", effective_on=D(2026, 3, 3), price_increase=True)
    assert release.unfavourable
    ctx = Notice.objects.filter(customer=silent.customer, event="terms.published").first().context
    assert ctx["price_increase"] is True and ctx["silence_is_consent"] is False
    terms.consent_record(
        customer=refuser.customer, policy=release.policy, decision="refused", today=D(2026, 2, 3)
    )
    terms.consent_record(
        customer=accepter.customer, policy=release.policy, decision="accepted", today=D(2026, 2, 3)
    )
    terms.refusal_termination(contract=refuser, today=D(2026, 2, 10))
    refuser.refresh_from_db()
    assert refuser.termination_kind == TerminationKind.PRICE_REFUSED and refuser.penalty_exempt
    assert terms.terms_transition(today=D(2026, 3, 3)) == {"deemed": 0, "moved": 1, "refused": 1}
    silent.refresh_from_db()
    accepter.refresh_from_db()
    assert not TermsConsent.objects.filter(customer=silent.customer).exists()
    assert silent.status == ContractStatus.ACTIVE and silent.policy.version == 1 and silent.renewal_stopped
    assert accepter.policy == release.policy and not accepter.renewal_stopped


def test_service_change_announced_seven_days_ahead(presets):
    """TRM-7 (001 art.17-3): a service change is posted on the portal at least 7 days ahead; shorter notice is
    refused naming the earliest date."""
    policy = Policy.objects.get(code="flow", version=1)
    with pytest.raises(DomainError) as err:
        terms.service_change_announce(
            policy=policy,
            subject="점검 시간 변경",
            body="본문",
            effective_on=D(2026, 2, 7),
            today=D(2026, 2, 1),
        )
    assert (
        err.value.code == "notice_too_short"
        and err.value.rule == "TRM-7"
        and "2026-02-08" in err.value.message_ko
    )
    assert not Broadcast.objects.exists()
    broadcast = terms.service_change_announce(
        policy=policy, subject="점검 시간 변경", body="본문", effective_on=D(2026, 2, 20), today=D(2026, 2, 1)
    )
    assert broadcast.posted_from.date() == D(2026, 2, 1)
    assert broadcast.posted_until.date() == D(2026, 2, 20)
