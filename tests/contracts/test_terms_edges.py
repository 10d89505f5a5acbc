"""TRM-1..TRM-7 at their edges (mutation testing of contracts/services/terms.py, docs/testing.md): each
refusal's field, rule and Korean message, the notices' channels and contents, the transition job's moves.
Dates are worked out by hand."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest

from contracts.models import (
    ConsentDecision,
    Contract,
    ContractStatus,
    Plan,
    Policy,
    TerminationKind,
    TermsConsent,
)
from contracts.services import terms
from core import clock
from core.errors import DomainError
from messaging.models import Notice
from tests.contracts.conftest import D, active, apply, approved
from tests.contracts.test_rules_terms import _draft, _publish
from tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db


def _refusal(err: pytest.ExceptionInfo[DomainError]) -> tuple[str, str | None, str | None, str]:
    return (err.value.code, err.value.field, err.value.rule, err.value.message_ko)


def _decide(contract: Contract, release: Any, decision: str) -> TermsConsent:
    """The contract's customer answers the release on 2026-02-03 (before its 2026-03-01 effective date)."""
    return terms.consent_record(
        customer=contract.customer, policy=release.policy, decision=decision, today=D(2026, 2, 3)
    )


def _termination_refused(contract: Contract) -> str:
    """The code of the refusal of a penalty-free termination asked for on 2026-02-10."""
    with pytest.raises(DomainError) as err:
        terms.refusal_termination(contract=contract, today=D(2026, 2, 10))
    return err.value.code


# --------------------------------------------------------------------------- publish


def test_publish_refusals_name_the_version_rule(presets):
    """TRM-1/TRM-2/TRM-3: the same row, another policy's version, a blank reason and a second publication
    are refused with the rule and field; nothing is published."""
    v1 = Policy.objects.get(code="officecore", version=1)
    draft = _draft("officecore")
    flow_v1 = Policy.objects.get(code="flow", version=1)
    args = {"effective_on": D(2026, 3, 5), "reasons": "정비", "today": D(2026, 2, 1)}
    for policy, previous in ((v1, v1), (draft, flow_v1)):
        with pytest.raises(DomainError) as err:
            terms.terms_publish(policy=policy, previous=previous, **args)
        assert _refusal(err) == (
            "invalid_version",
            "policy",
            "TRM-1",
            f"TRM-1: 새 버전은 같은 약관({previous.code})의 다른 버전이어야 합니다.",
        )
    with pytest.raises(DomainError) as err:
        terms.terms_publish(policy=draft, previous=v1, **{**args, "reasons": "  "})
    assert _refusal(err) == ("reason_required", "reasons", "TRM-3", "TRM-3: 개정 사유를 입력해야 합니다.")
    draft.refresh_from_db()
    assert draft.status == Policy.Status.DRAFT
    terms.terms_publish(policy=draft, previous=v1, **args)
    draft.refresh_from_db()
    assert draft.change_reason == "정비"
    with pytest.raises(DomainError) as err:
        terms.terms_publish(policy=draft, previous=v1, **{**args, "today": D(2026, 2, 2)})
    assert _refusal(err) == (
        "already_published",
        "policy",
        "TRM-2",
        "TRM-2: 이 버전은 이미 2026-02-01에 공지되었습니다.",
    )


def test_the_published_notice_names_the_version_and_its_terms(presets):
    """TRM-3: the notice names the policy, the version, the date, the reasons and whether it is
    unfavourable; a favourable change goes to the portal only and silence counts as consent."""
    contract = active("officecore")
    release = _publish("officecore", effective_on=D(2026, 2, 8), reasons="조항 정비")
    assert (release.unfavourable, release.price_increase, release.reasons) == (False, False, "조항 정비")
    assert (release.published_on, release.effective_on, release.previous.version) == (
        D(2026, 2, 1),
        D(2026, 2, 8),
        1,
    )
    sent = Notice.objects.filter(customer=contract.customer, event="terms.published")
    assert set(sent.values_list("channel", flat=True)) == {"portal"}
    assert set(sent.values_list("dedupe_key", flat=True)) == {
        f"terms:{release.pk}:customer:{contract.customer.pk}"
    }
    context = sent.first().context
    assert {k: context[k] for k in ("policy_name", "version", "unfavourable", "price_increase")} == {
        "policy_name": release.policy.name,
        "version": 2,
        "unfavourable": False,
        "price_increase": False,
    }
    assert context["silence_is_consent"] is True


def test_an_unfavourable_change_by_portal_only_when_the_terms_say_so(presets):
    """TRM-3: the e-mail for an unfavourable change comes from the old version's
    ``unfavourable_change_by_email``; without it the portal only."""
    contract = active("dcloud")
    Policy.objects.filter(code="dcloud", version=1).update(unfavourable_change_by_email=False)
    _publish("dcloud", effective_on=D(2026, 3, 3), unfavourable=True)
    sent = Notice.objects.filter(customer=contract.customer, event="terms.published")
    assert set(sent.values_list("channel", flat=True)) == {"portal"}


def test_silence_is_not_consent_where_the_old_terms_say_so(presets):
    """TRM-4: the notice tells silence counts as consent only if the old version says so."""
    contract = active("officecore")
    Policy.objects.filter(code="officecore", version=1).update(silence_is_consent=False)
    _publish("officecore", effective_on=D(2026, 2, 8))
    context = Notice.objects.filter(customer=contract.customer, event="terms.published").first().context
    assert context["silence_is_consent"] is False


def test_only_customers_with_live_contracts_under_the_old_version_are_told(presets):
    """TRM-3: live contracts (approved, active, suspended, terminating) count; an ended one does not."""
    live = active("officecore")
    ended = active("officecore")
    Contract.objects.filter(pk=ended.pk).update(status=ContractStatus.TERMINATED)
    assert terms.affected_customers(live.policy) == [live.customer]


# --------------------------------------------------------------------------- consent


def test_consent_refusals_name_the_rule(presets):
    """TRM-4: an unknown decision, a customer without a contract under the old version, and a decision on
    or after the effective date are refused with the field and message."""
    contract = active("officecore")
    outsider = active("flow")
    release = _publish("officecore")  # effective 2026-03-01
    with pytest.raises(DomainError) as err:
        terms.consent_record(
            customer=contract.customer, policy=release.policy, decision="deemed", today=D(2026, 2, 5)
        )
    assert _refusal(err) == (
        "invalid_decision",
        "decision",
        "TRM-4",
        "TRM-4: 결정은 동의 또는 거부여야 합니다.",
    )
    with pytest.raises(DomainError) as err:
        terms.consent_record(
            customer=outsider.customer, policy=release.policy, decision="accepted", today=D(2026, 2, 5)
        )
    assert _refusal(err) == ("not_affected", "policy", "TRM-4", "TRM-4: 이 약관 개정의 대상 계약이 없습니다.")
    with pytest.raises(DomainError) as err:
        terms.consent_record(
            customer=contract.customer, policy=release.policy, decision="accepted", today=D(2026, 3, 1)
        )
    assert _refusal(err) == ("too_late", "policy", "TRM-4", "TRM-4: 약관이 2026-03-01에 이미 시행되었습니다.")
    draft = _draft("flow")
    with pytest.raises(DomainError) as err:
        terms.consent_record(
            customer=outsider.customer, policy=draft, decision="accepted", today=D(2026, 2, 5)
        )
    assert _refusal(err) == (
        "not_published",
        "policy",
        "TRM-4",
        "TRM-4: 아직 공지되지 않은 약관 버전에는 동의하거나 거부할 수 없습니다.",
    )
    assert not TermsConsent.objects.exists()


def test_consent_on_the_day_before_the_effective_date_and_once(presets):
    """TRM-4: the last day to decide is the day before the effective date (2026-02-28); a second decision
    is refused naming the first."""
    contract = active("officecore")
    release = _publish("officecore")
    consent = terms.consent_record(
        customer=contract.customer, policy=release.policy, decision="refused", today=D(2026, 2, 28)
    )
    assert (consent.decision, consent.channel, consent.member, consent.ip_address) == (
        ConsentDecision.REFUSED,
        TermsConsent.Channel.PORTAL,
        None,
        None,
    )
    with pytest.raises(DomainError) as err:
        terms.consent_record(
            customer=contract.customer, policy=release.policy, decision="accepted", today=D(2026, 2, 28)
        )
    assert err.value.field == "decision" and err.value.rule == "TRM-4"
    assert (
        err.value.message_ko
        == f"TRM-4: 이미 {clock.to_seoul_date(consent.decided_at).isoformat()}에 '거부'로 응답했습니다."
    )


def test_no_consent_after_the_transition_has_run(presets):
    """TRM-4: once the job moved the contracts, the version can no longer be decided on."""
    contract = active("officecore")
    release = _publish("officecore")
    release.transitioned_on = D(2026, 2, 20)
    release.save(update_fields=["transitioned_on"])
    with pytest.raises(DomainError) as err:
        terms.consent_record(
            customer=contract.customer, policy=release.policy, decision="accepted", today=D(2026, 2, 21)
        )
    assert err.value.code == "too_late"


# --------------------------------------------------------------------------- refusal termination


def test_refusal_termination_messages(presets):
    """TRM-5: without a recorded refusal, or where the refusal keeps the old version (dcloud, term ending
    2027-01-04), the refusal names the rule and, for dcloud, the term's end."""
    contract = active("officecore")
    _publish("officecore")
    with pytest.raises(DomainError) as err:
        terms.refusal_termination(contract=contract, today=D(2026, 2, 10))
    assert _refusal(err) == (
        "no_refusal",
        "policy",
        "TRM-5",
        "TRM-5: 거부한 약관 개정이 없어 위약금 없는 해지를 할 수 없습니다.",
    )
    dcloud = active("dcloud")
    release = _publish("dcloud")
    _decide(dcloud, release, "refused")
    with pytest.raises(DomainError) as err:
        terms.refusal_termination(contract=dcloud, today=D(2026, 2, 10))
    assert _refusal(err) == (
        "refusal_keeps_old_version",
        "policy",
        "TRM-5",
        "TRM-5: 이 약관은 개정을 거부하면 계약 기간 종료(2027-01-04)까지 종전 약관이 적용되고 갱신되지 "
        "않습니다. 위약금 없는 중도 해지 대상이 아닙니다.",
    )


def test_an_accepted_version_is_no_ground_for_a_penalty_free_termination(presets):
    """TRM-5: only a refusal counts; an acceptance of the version is not one."""
    contract = active("officecore")
    release = _publish("officecore")
    _decide(contract, release, "accepted")
    assert _termination_refused(contract) == "no_refusal"


def test_refusal_termination_on_the_day_before_the_effective_date(presets):
    """TRM-5: a refusal termination requested on 2026-02-28 (the day before 2026-03-01) takes effect that
    day; the reason is "약관 개정 거부"."""
    contract = active("officecore")
    release = _publish("officecore")
    _decide(contract, release, "refused")
    terms.refusal_termination(contract=contract, today=D(2026, 2, 28))
    contract.refresh_from_db()
    assert (contract.termination_requested_on, contract.termination_effective_on) == (
        D(2026, 2, 28),
        D(2026, 2, 28),
    )
    assert (contract.termination_kind, contract.penalty_exempt) == (TerminationKind.TERMS_REFUSED, True)


# --------------------------------------------------------------------------- service changes (TRM-7)


def test_service_change_notice_boundaries_and_posting(presets):
    """TRM-7 / MSG-1: notice on 2026-02-01 for 2026-02-08 (exactly 7 days) is accepted and stays posted
    until 2026-02-08 (the minimum 7 days reach the same day); 2026-02-07 is refused with the days and the
    earliest date."""
    policy = Policy.objects.get(code="flow", version=1)
    with pytest.raises(DomainError) as err:
        terms.service_change_announce(
            policy=policy, subject="점검", body="본문", effective_on=D(2026, 2, 7), today=D(2026, 2, 1)
        )
    assert _refusal(err) == (
        "notice_too_short",
        "effective_on",
        "TRM-7",
        "TRM-7: 서비스 변경은 7일 전에 공지해야 합니다. 가장 빠른 적용일: 2026-02-08",
    )
    staff = StaffUserFactory()
    broadcast = terms.service_change_announce(
        policy=policy,
        subject="점검",
        body="본문",
        effective_on=D(2026, 2, 8),
        today=D(2026, 2, 1),
        subject_en="Maintenance",
        body_en="Body",
        actor=staff,
    )
    assert broadcast.created_by == staff  # the staff member who announced it
    assert (broadcast.subject, broadcast.body, broadcast.subject_en, broadcast.body_en) == (
        "점검",
        "본문",
        "Maintenance",
        "Body",
    )
    assert (broadcast.posted_from.date(), broadcast.posted_until.date()) == (D(2026, 2, 1), D(2026, 2, 8))


def test_a_longer_minimum_posting_keeps_the_notice_up_after_the_change(presets):
    """MSG-1: with a 30-day minimum posting, a change applying after 7 days stays posted 30 days: from
    2026-02-01 until 2026-03-03."""
    Policy.objects.filter(code="flow", version=1).update(portal_notice_min_days=30)
    policy = Policy.objects.get(code="flow", version=1)
    broadcast = terms.service_change_announce(
        policy=policy, subject="점검", body="본문", effective_on=D(2026, 2, 8), today=D(2026, 2, 1)
    )
    assert broadcast.posted_until.date() == D(2026, 3, 3)
    assert (broadcast.subject_en, broadcast.body_en) == ("", "")  # no English text given


# --------------------------------------------------------------------------- the transition job


def test_transition_retires_the_old_version_and_moves_plans_and_applications(presets):
    """TRM-1/TRM-4: on the effective date every live contract moves (deemed consent), so the old version
    is retired; its plans and undecided applications move to the new version."""
    contract = active("officecore")
    held = apply("officecore", today=D(2026, 2, 20), start=D(2026, 3, 10))
    Contract.objects.filter(pk=held.pk).update(status=ContractStatus.HELD)
    release = _publish("officecore")
    old = release.previous
    assert terms.terms_transition(today=D(2026, 3, 1)) == {"deemed": 1, "moved": 1, "refused": 0}
    old.refresh_from_db()
    assert old.status == Policy.Status.RETIRED
    for c in (contract, held):
        c.refresh_from_db()
        assert c.policy_id == release.policy_id
    assert not Plan.objects.filter(policy=old).exists()
    assert Plan.objects.filter(policy=release.policy).exists()
    deemed = TermsConsent.objects.get(customer=contract.customer)
    assert deemed.text_hash == terms.text_hash(release.policy)


def test_transition_keeps_the_old_version_while_a_refuser_stays_on_it(presets):
    """TRM-5: a dcloud refuser stays on version 1 until the term ends, so version 1 is not retired; the
    refuser is told the outcome once."""
    contract = active("dcloud")
    release = _publish("dcloud")
    _decide(contract, release, "refused")
    assert terms.terms_transition(today=D(2026, 3, 1)) == {"deemed": 0, "moved": 0, "refused": 1}
    old = Policy.objects.get(pk=release.previous_id)
    assert old.status == Policy.Status.PUBLISHED
    contract.refresh_from_db()
    assert contract.renewal_stop_reason == "약관 개정 거부: 계약 기간 종료 후 갱신 불가"
    told = Notice.objects.filter(customer=contract.customer, event="terms.refusal_outcome")
    assert set(told.values_list("dedupe_key", flat=True)) == {f"terms:{release.pk}:refusal:{contract.pk}"}
    assert told.first().context["outcome"] == "계약기간 종료까지 종전 약관 적용 후 종료"


def test_transition_terminates_a_silent_refuser_where_silence_is_not_consent(presets):
    """TRM-4/TRM-5: where silence is not consent (set so here), an officecore customer who said nothing is
    treated as refusing: terminated without penalty on the effective date."""
    Policy.objects.filter(code="officecore", version=1).update(silence_is_consent=False)
    contract = active("officecore")
    _publish("officecore")
    assert terms.terms_transition(today=D(2026, 3, 1)) == {"deemed": 0, "moved": 0, "refused": 1}
    contract.refresh_from_db()
    assert (
        contract.status,
        contract.termination_kind,
        contract.penalty_exempt,
        contract.renewal_stopped,
    ) == (
        ContractStatus.TERMINATING,
        TerminationKind.TERMS_REFUSED,
        True,
        True,
    )
    assert (contract.termination_requested_on, contract.termination_effective_on) == (
        D(2026, 3, 1),
        D(2026, 3, 1),
    )
    assert not TermsConsent.objects.exists()


def test_transition_waits_for_the_effective_date(presets):
    """TRM-4: the day before the effective date nothing moves."""
    active("officecore")
    release = _publish("officecore")
    assert terms.terms_transition(today=D(2026, 2, 28)) == {"deemed": 0, "moved": 0, "refused": 0}
    release.refresh_from_db()
    assert release.transitioned_on is None
    assert terms.terms_transition(today=D(2026, 3, 1) + dt.timedelta(days=2))["deemed"] == 1


# --------------------------------------------------------------------------- whose refusal counts


def test_another_customers_refusal_is_no_ground_for_a_penalty_free_termination(presets):
    """TRM-5: the refusal must be the contract's own customer's; a neighbour on the same officecore
    version who refused gives this customer no penalty-free termination."""
    mine = active("officecore")
    neighbour = active("officecore")
    release = _publish("officecore")
    _decide(neighbour, release, "refused")
    assert _termination_refused(mine) == "no_refusal"
    mine.refresh_from_db()
    assert mine.status == ContractStatus.ACTIVE


def test_a_refusal_of_another_services_terms_is_no_ground_either(presets):
    """TRM-5: the refusal must be of a new version of this contract's terms. A customer with an officecore
    and a flow contract who refused officecore's new version may leave officecore without penalty, not
    flow."""
    office = active("officecore")
    flow = active("flow", customer=office.customer)
    release = _publish("officecore")
    _decide(office, release, "refused")
    assert _termination_refused(flow) == "no_refusal"
    terms.refusal_termination(contract=office, today=D(2026, 2, 10))
    office.refresh_from_db()
    assert (office.status, office.termination_kind) == (
        ContractStatus.TERMINATING,
        TerminationKind.TERMS_REFUSED,
    )


def test_a_refusal_termination_records_its_reason(presets):
    """TRM-5: the customer's penalty-free termination is recorded with the reason "약관 개정 거부" (the
    contract's termination note and its status history)."""
    contract = active("officecore")
    release = _publish("officecore")
    _decide(contract, release, "refused")
    terms.refusal_termination(contract=contract, today=D(2026, 2, 10))
    contract.refresh_from_db()
    assert contract.termination_note == "약관 개정 거부"
    last = contract.transitions.order_by("-pk").first()
    assert (last.to_status, last.reason) == (ContractStatus.TERMINATING, "약관 개정 거부")


def test_the_transition_records_why_it_ended_a_silent_refuser(presets):
    """TRM-5: the job's termination of a refuser is recorded with the reason "약관 개정 거부"."""
    Policy.objects.filter(code="officecore", version=1).update(silence_is_consent=False)
    contract = active("officecore")
    _publish("officecore")
    terms.terms_transition(today=D(2026, 3, 1))
    last = contract.transitions.order_by("-pk").first()
    assert (last.from_status, last.to_status, last.reason) == (
        ContractStatus.ACTIVE,
        ContractStatus.TERMINATING,
        "약관 개정 거부",
    )


def test_a_refusal_before_the_contract_starts_names_no_term_end(presets):
    """TRM-5: a dcloud contract approved but not yet started has no contract period, so the refusal that
    keeps the old version says "계약 기간 종료(-)" instead of a date."""
    contract = approved("dcloud")
    assert not contract.periods.exists()
    release = _publish("dcloud")
    _decide(contract, release, "refused")
    with pytest.raises(DomainError) as err:
        terms.refusal_termination(contract=contract, today=D(2026, 2, 10))
    assert err.value.code == "refusal_keeps_old_version"
    assert "계약 기간 종료(-)까지" in err.value.message_ko


def test_transition_counts_every_contract_and_touches_only_its_own_version(presets):
    """TRM-1/TRM-4: officecore's new version moves the two silent officecore customers (deemed 2, moved 2)
    and retires version 1, which a terminated contract does not hold back; the policy's history says
    "TRM-1 → officecore v2". A dcloud contract and a held dcloud application stay on dcloud version 1,
    and their customer is not deemed to consent to anything."""
    from django.contrib.contenttypes.models import ContentType

    from core.models import StatusTransition

    first, second = active("officecore"), active("officecore")
    ended = active("officecore")
    Contract.objects.filter(pk=ended.pk).update(status=ContractStatus.TERMINATED)
    other = active("dcloud")
    other_held = apply("dcloud", today=D(2026, 2, 20), start=D(2026, 3, 10))
    Contract.objects.filter(pk=other_held.pk).update(status=ContractStatus.HELD)
    dcloud_v1 = other.policy_id
    release = _publish("officecore")
    assert terms.terms_transition(today=D(2026, 3, 1)) == {"deemed": 2, "moved": 2, "refused": 0}
    for c in (first, second):
        c.refresh_from_db()
        assert c.policy_id == release.policy_id
    for c in (other, other_held):
        c.refresh_from_db()
        assert c.policy_id == dcloud_v1
    assert not TermsConsent.objects.filter(customer=other.customer).exists()
    old = Policy.objects.get(pk=release.previous_id)
    assert old.status == Policy.Status.RETIRED
    retired = StatusTransition.objects.get(
        content_type=ContentType.objects.get_for_model(Policy), object_id=old.pk, to_status="retired"
    )
    assert retired.reason == "TRM-1 → officecore v2"


def test_transition_goes_on_past_a_contract_already_leaving(presets):
    """TRM-5: where silence is not consent, a customer already leaving (it refused and terminated without
    penalty before the date) is passed over and both silent customers after it are terminated: refused 2."""
    Policy.objects.filter(code="officecore", version=1).update(silence_is_consent=False)
    leaving = active("officecore")
    silent = [active("officecore"), active("officecore")]
    release = _publish("officecore")
    _decide(leaving, release, "refused")
    terms.refusal_termination(contract=leaving, today=D(2026, 2, 10))
    assert terms.terms_transition(today=D(2026, 3, 1)) == {"deemed": 0, "moved": 0, "refused": 2}
    for c in silent:
        c.refresh_from_db()
        assert (c.status, c.termination_effective_on) == (ContractStatus.TERMINATING, D(2026, 3, 1))
    leaving.refresh_from_db()
    assert leaving.termination_effective_on == D(2026, 2, 28)  # its own: the day before the new version


@pytest.mark.django_db(transaction=True)
def test_a_release_another_worker_holds_is_left_to_it():
    """TRM-4: two releases take effect on 2026-03-01. While another worker holds officecore's (the first),
    the job passes it over and still moves dcloud's silent customer (deemed 1, moved 1); once that worker
    lets go, the next run does officecore's."""
    import threading

    from django.db import connection, transaction

    from contracts.models import TermsRelease
    from contracts.presets import load_presets
    from messaging.defaults import ensure_default_templates

    load_presets()
    ensure_default_templates()
    office, cloud = active("officecore"), active("dcloud")
    first, second = _publish("officecore"), _publish("dcloud")
    held, done = threading.Event(), threading.Event()

    def other_worker() -> None:
        try:
            with transaction.atomic():
                TermsRelease.objects.select_for_update().get(pk=first.pk)
                held.set()
                done.wait(30)
        finally:
            connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    assert held.wait(30)
    try:
        counts = terms.terms_transition(today=D(2026, 3, 1))
    finally:
        done.set()
        thread.join(30)
    assert counts == {"deemed": 1, "moved": 1, "refused": 0}
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.transitioned_on, second.transitioned_on) == (None, D(2026, 3, 1))
    cloud.refresh_from_db()
    assert cloud.policy_id == second.policy_id
    assert terms.terms_transition(today=D(2026, 3, 1)) == {"deemed": 1, "moved": 1, "refused": 0}
    office.refresh_from_db()
    assert office.policy_id == first.policy_id


# --------------------------------------------------------------------------- consent: who and what


def test_the_consent_keeps_the_fingerprint_of_the_text_agreed_to(presets):
    """TRM-4: a consent records the SHA-256 of the version's Korean text as it was decided on (here
    "개정 약관 본문", UTF-8); a version with no text at all has the fingerprint of the empty text."""
    contract = active("officecore")
    release = _publish("officecore")
    consent = terms.consent_record(
        customer=contract.customer, policy=release.policy, decision="accepted", today=D(2026, 2, 3)
    )
    assert consent.text_hash == hashlib.sha256("개정 약관 본문".encode()).hexdigest()
    release.policy.terms_text_ko = ""
    assert terms.text_hash(release.policy) == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )


def test_the_customers_told_are_the_customers_not_their_contracts(presets):
    """TRM-2: the customers affected by a new version are the owners of its live contracts, by customer:
    with customers created before them (so no customer has its contract's id), exactly those two."""
    from tests.contracts.conftest import new_customer

    for _ in range(3):
        new_customer()
    first, second = active("officecore"), active("officecore")
    active("officecore", customer=first.customer)  # a second contract: the customer once
    assert first.customer_id != first.pk
    release = _publish("officecore")
    assert terms.affected_customers(release.previous) == [first.customer, second.customer]


def test_a_version_published_without_a_release_cannot_be_decided_on(presets):
    """TRM-4: version 1 of officecore is in force (published) but was never announced as a change, so
    there is nothing to accept or refuse."""
    contract = active("officecore")
    with pytest.raises(DomainError) as err:
        terms.consent_record(
            customer=contract.customer, policy=contract.policy, decision="accepted", today=D(2026, 2, 3)
        )
    assert err.value.code == "not_published"


def test_consent_refusals_for_another_customers_member_and_an_ended_contract(presets):
    """TRM-4: a member of another customer cannot decide for this one; a customer whose only contract under
    the old version has ended is not affected by the new one."""
    from tests.factories import AdminMemberFactory

    contract = active("officecore")
    ended = active("officecore")
    Contract.objects.filter(pk=ended.pk).update(status=ContractStatus.TERMINATED)
    release = _publish("officecore")
    stranger = AdminMemberFactory(customer=ended.customer)
    with pytest.raises(DomainError) as err:
        terms.consent_record(
            customer=contract.customer,
            policy=release.policy,
            decision="accepted",
            today=D(2026, 2, 3),
            member=stranger,
        )
    assert _refusal(err) == ("wrong_customer", "member", "TRM-4", "TRM-4: 다른 고객의 구성원입니다.")
    with pytest.raises(DomainError) as err:
        terms.consent_record(
            customer=ended.customer, policy=release.policy, decision="accepted", today=D(2026, 2, 3)
        )
    assert err.value.code == "not_affected"
    assert not TermsConsent.objects.exists()


def test_a_second_decision_names_this_customers_answer_to_this_version(presets):
    """TRM-4: with two customers who answered officecore's new version and one of them also flow's, a
    repeated answer names that customer's own answer to that version: "거부" for flow, though it accepted
    officecore's."""
    mine = active("officecore")
    my_flow = active("flow", customer=mine.customer)
    theirs = active("officecore")
    office, flow = _publish("officecore"), _publish("flow")
    _decide(mine, office, "accepted")
    _decide(theirs, office, "refused")
    _decide(my_flow, flow, "refused")
    with pytest.raises(DomainError) as err:
        terms.consent_record(
            customer=mine.customer, policy=flow.policy, decision="accepted", today=D(2026, 2, 4)
        )
    assert err.value.code == "already_decided"
    assert "'거부'로 응답했습니다" in err.value.message_ko
    with pytest.raises(DomainError) as err:
        terms.consent_record(
            customer=mine.customer, policy=office.policy, decision="refused", today=D(2026, 2, 4)
        )
    assert "'동의'로 응답했습니다" in err.value.message_ko
