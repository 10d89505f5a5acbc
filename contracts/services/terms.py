"""Terms versions, publication notice and consent (TRM-1..7)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer, Member
from core import clock
from core.errors import DomainError
from core.transitions import transition as core_transition
from messaging.models import Broadcast
from messaging.services import broadcast_portal_notice, notify

from ..lifecycle import POLICY
from ..models import (
    ConsentDecision,
    Contract,
    ContractStatus,
    Plan,
    Policy,
    TerminationKind,
    TermsConsent,
    TermsRefusalOutcome,
    TermsRelease,
)
from ..policy import policy_publish
from .lifecycle import lock, notify_contract, transition
from .terms_documents import terms_compare

LIVE = [ContractStatus.APPROVED, ContractStatus.ACTIVE, ContractStatus.SUSPENDED, ContractStatus.TERMINATING]


def text_hash(policy: Policy) -> str:
    return hashlib.sha256((policy.terms_text_ko or "").encode("utf-8")).hexdigest()


def affected_customers(previous: Policy) -> list[Customer]:
    ids = Contract.objects.filter(policy=previous, status__in=LIVE).values_list("customer_id", flat=True)
    return list(Customer.objects.filter(pk__in=set(ids)).order_by("pk"))


def terms_publish(
    *,
    policy: Policy,
    previous: Policy,
    effective_on: dt.date,
    reasons: str,
    today: dt.date,
    unfavourable: bool = False,
    price_increase: bool = False,
) -> TermsRelease:
    """Publish a new version with the notice the policy requires and notify every affected customer
    (TRM-2, TRM-3). A price increase during a term is unfavourable and needs consent (TRM-6)."""
    if policy.pk == previous.pk or policy.code != previous.code:
        raise DomainError(
            "invalid_version",
            _("새 버전은 같은 약관({policy_code})의 다른 버전이어야 합니다."),
            rule="TRM-1",
            field="policy",
            policy_code=previous.code,
        )
    if not reasons.strip():
        raise DomainError("reason_required", _("개정 사유를 입력해야 합니다."), rule="TRM-3", field="reasons")
    unfavourable = unfavourable or price_increase
    if hasattr(policy, "release"):
        raise DomainError(
            "already_published",
            _("이 버전은 이미 {date}에 공지되었습니다."),
            rule="TRM-2",
            field="policy",
            date=policy.release.published_on,
        )
    with transaction.atomic():
        # The notice rule (7 days, 30 when unfavourable) lives in policy_publish (TRM-2).
        policy = policy_publish(
            policy=policy, effective_from=effective_on, today=today, unfavourable=unfavourable
        )
        Policy.objects.filter(pk=policy.pk).update(change_reason=reasons)
        release = TermsRelease.objects.create(
            policy=policy,
            previous=previous,
            published_on=today,
            effective_on=effective_on,
            unfavourable=unfavourable,
            price_increase=price_increase,
            reasons=reasons,
        )
        # The 신구조문 대비표 in short goes with the notice; the full table is on the consent page (TRM-3).
        changes = terms_compare(old=previous, new=policy).summary_lines()
        notice_reasons = reasons
        if changes:
            heading = gettext("[주요 변경 내용 — 신구조문 대비표는 고객 포털 약관 화면에서]")
            notice_reasons += f"\n\n{heading}\n"
            notice_reasons += "\n".join(f"- {line}" for line in changes)
        channels = (
            ["portal", "email"] if unfavourable and previous.unfavourable_change_by_email else ["portal"]
        )
        for customer in affected_customers(previous):
            notify(
                customer=customer,
                event="terms.published",
                channels=channels,
                dedupe_key=f"terms:{release.pk}:customer:{customer.pk}",
                context={
                    "policy_name": policy.name,
                    "release_id": release.pk,  # the portal links the changed articles (TRM-1)
                    "version": policy.version,
                    "effective_on": effective_on.isoformat(),
                    "reasons": notice_reasons,
                    "unfavourable": unfavourable,
                    "price_increase": price_increase,
                    "silence_is_consent": previous.silence_is_consent and not price_increase,
                },
            )
    return release


def consent_record(
    *,
    customer: Customer,
    policy: Policy,
    decision: str,
    today: dt.date,
    member: Member | None = None,
    ip_address: str | None = None,
    channel: str = TermsConsent.Channel.PORTAL,
) -> TermsConsent:
    """Accept or refuse a published version before it takes effect (TRM-4)."""
    release = getattr(policy, "release", None)
    if release is None or policy.status != Policy.Status.PUBLISHED:
        raise DomainError(
            "not_published",
            _("아직 공지되지 않은 약관 버전에는 동의하거나 거부할 수 없습니다."),
            rule="TRM-4",
            field="policy",
        )
    if decision not in (ConsentDecision.ACCEPTED, ConsentDecision.REFUSED):
        raise DomainError(
            "invalid_decision", _("결정은 동의 또는 거부여야 합니다."), rule="TRM-4", field="decision"
        )
    if release.transitioned_on is not None or today >= release.effective_on:
        raise DomainError(
            "too_late",
            _("약관이 {date}에 이미 시행되었습니다."),
            rule="TRM-4",
            field="policy",
            date=release.effective_on,
        )
    if member is not None and member.customer_id != customer.pk:
        raise DomainError("wrong_customer", _("다른 고객의 구성원입니다."), rule="TRM-4", field="member")
    if not Contract.objects.filter(customer=customer, policy=release.previous, status__in=LIVE).exists():
        raise DomainError(
            "not_affected", _("이 약관 개정의 대상 계약이 없습니다."), rule="TRM-4", field="policy"
        )
    try:
        with transaction.atomic():
            consent = TermsConsent.objects.create(
                customer=customer,
                policy=policy,
                member=member,
                decision=decision,
                text_hash=text_hash(policy),
                decided_at=clock.now(),
                ip_address=ip_address,
                channel=channel,
            )
    except IntegrityError as exc:
        existing = TermsConsent.objects.get(customer=customer, policy=policy)
        raise DomainError(
            "already_decided",
            _("이미 {date}에 '{decision}'(으)로 응답했습니다."),
            rule="TRM-4",
            field="decision",
            date=clock.to_seoul_date(existing.decided_at),
            decision=existing.get_decision_display(),
        ) from exc
    return consent


def refusal_termination(*, contract: Contract, today: dt.date) -> Contract:
    """After refusing a version (or a price increase), terminate without penalty before it takes effect
    (TRM-5: officecore/flow; TRM-6)."""
    from .termination import termination_request

    consent = (
        TermsConsent.objects.filter(
            customer=contract.customer,
            decision=ConsentDecision.REFUSED,
            policy__release__previous=contract.policy,
        )
        .select_related("policy__release")
        .first()
    )
    if consent is None:
        raise DomainError(
            "no_refusal",
            _("거부한 약관 개정이 없어 위약금 없는 해지를 할 수 없습니다."),
            rule="TRM-5",
            field="policy",
        )
    release: TermsRelease = consent.policy.release  # type: ignore[attr-defined]
    if (
        release.previous.terms_refusal_outcome != TermsRefusalOutcome.TERMINATE_WITHOUT_PENALTY
        and not release.price_increase
    ):
        raise DomainError(
            "refusal_keeps_old_version",
            _(
                "이 약관은 개정을 거부하면 계약 기간 종료({end})까지 종전 약관이 적용되고 갱신되지 "
                "않습니다. 위약금 없는 중도 해지 대상이 아닙니다."
            ),
            rule="TRM-5",
            field="policy",
            end=_term_end(contract),
        )
    kind = TerminationKind.PRICE_REFUSED if release.price_increase else TerminationKind.TERMS_REFUSED
    effective = max(today, min(release.effective_on - dt.timedelta(days=1), release.effective_on))
    return termination_request(
        contract=contract, effective_on=effective, today=today, kind=kind, reason=str(_("약관 개정 거부"))
    )


def _term_end(contract: Contract) -> str:
    period = contract.periods.order_by("-number").first()
    return period.effective_end.isoformat() if period else "-"


def service_change_announce(
    *,
    policy: Policy,
    subject: str,
    body: str,
    effective_on: dt.date,
    today: dt.date,
    subject_en: str = "",
    body_en: str = "",
    actor: Any = None,
) -> Broadcast:
    """TRM-7 (001 art.17-3): a change of the service's content or hours is posted on the portal at least
    the policy's ``service_change_notice_days`` (7) before it applies; shorter notice is refused. The notice
    stays posted until the change applies, and at least the policy's minimum posting period (MSG-1)."""
    notice_days = policy.service_change_notice_days
    earliest = today + dt.timedelta(days=notice_days)
    if effective_on < earliest:
        raise DomainError(
            "notice_too_short",
            _("서비스 변경은 {days}일 전에 공지해야 합니다. 가장 빠른 적용일: {earliest}"),
            rule="TRM-7",
            field="effective_on",
            days=notice_days,
            earliest=earliest,
        )
    posted_until = max(effective_on, today + dt.timedelta(days=policy.portal_notice_min_days))
    return broadcast_portal_notice(
        subject=subject,
        body=body,
        posted_from=clock.start_of_day(today),
        posted_until=posted_until,
        subject_en=subject_en,
        body_en=body_en,
        actor=actor,
    )


def terms_transition(*, today: dt.date) -> dict[str, int]:
    """Job ``terms_transition``: on a release's effective date, silent customers are deemed to consent
    (TRM-4); accepted/deemed contracts move to the new version; refusals take the policy's outcome (TRM-5):
    penalty-free termination on the effective date, or the old version until the term ends, then no renewal.
    A price increase is never deemed accepted (TRM-6): silence there is treated as a refusal."""
    deemed = moved = refused = 0
    due = TermsRelease.objects.filter(effective_on__lte=today, transitioned_on__isnull=True).order_by(
        "effective_on", "pk"
    )
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            release = (
                TermsRelease.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, transitioned_on__isnull=True)
                .select_related("policy", "previous")
                .first()
            )
            if release is None:
                continue
            new, old = release.policy, release.previous
            decisions = dict(TermsConsent.objects.filter(policy=new).values_list("customer_id", "decision"))
            live = Contract.objects.filter(policy=old, status__in=LIVE).order_by("pk")
            for contract in live.select_related("customer"):
                decision = decisions.get(contract.customer_id)
                if decision is None and old.silence_is_consent and not release.price_increase:
                    TermsConsent.objects.create(
                        customer=contract.customer,
                        policy=new,
                        decision=ConsentDecision.DEEMED,
                        text_hash=text_hash(new),
                        decided_at=clock.now(),
                        channel=TermsConsent.Channel.JOB,
                    )
                    decisions[contract.customer_id] = decision = ConsentDecision.DEEMED
                    deemed += 1
                if decision in (ConsentDecision.ACCEPTED, ConsentDecision.DEEMED):
                    Contract.objects.filter(pk=contract.pk).update(policy=new)
                    moved += 1
                    continue
                if contract.status == ContractStatus.TERMINATING:
                    continue  # already leaving (a penalty-free termination after the refusal, or another)
                refused += 1
                _apply_refusal(contract, release, today)
            # Applications not yet decided bind nobody yet: they continue under the new version.
            Contract.objects.filter(
                policy=old, status__in=[ContractStatus.APPLIED, ContractStatus.HELD]
            ).update(policy=new)
            # New applications are made under the new version from now on.
            Plan.objects.filter(policy=old).update(policy=new)
            release.transitioned_on = today
            release.save(update_fields=["transitioned_on", "updated_at"])
            if not Contract.objects.filter(policy=old, status__in=LIVE).exists():
                retiring = Policy.objects.select_for_update().get(pk=old.pk)
                if retiring.status == Policy.Status.PUBLISHED:
                    core_transition(
                        retiring,
                        POLICY,
                        Policy.Status.RETIRED,
                        today=today,
                        reason=f"TRM-1 → {new.code} v{new.version}",
                    )
    return {"deemed": deemed, "moved": moved, "refused": refused}


def _apply_refusal(contract: Contract, release: TermsRelease, today: dt.date) -> None:
    """TRM-5/TRM-6. A price increase is never forced on a customer mid-term and never ends a contract the
    customer did not end: without consent the old version keeps applying until the term ends and the
    contract does not renew (the customer may terminate without penalty meanwhile, 002 art.17③)."""
    contract = lock(contract)
    outcome = release.previous.terms_refusal_outcome
    if release.price_increase:
        outcome = TermsRefusalOutcome.OLD_VERSION_UNTIL_TERM_END
    if outcome == TermsRefusalOutcome.OLD_VERSION_UNTIL_TERM_END:
        contract.renewal_stopped = True
        contract.renewal_stop_reason = str(_("약관 개정 거부: 계약 기간 종료 후 갱신 불가"))
        contract.save(update_fields=["renewal_stopped", "renewal_stop_reason", "updated_at"])
        notify_contract(
            contract,
            "terms.refusal_outcome",
            today=today,
            dedupe_key=f"terms:{release.pk}:refusal:{contract.pk}",
            context={"outcome": str(TermsRefusalOutcome(outcome).label)},
        )
        return
    if contract.status in (ContractStatus.ACTIVE, ContractStatus.SUSPENDED):
        # a refused price increase returned above (it keeps the old version), so this is a terms refusal
        contract.termination_kind = TerminationKind.TERMS_REFUSED
        contract.termination_requested_on = today
        contract.termination_effective_on = today
        contract.penalty_exempt = True
        contract.renewal_stopped = True
        transition(
            contract,
            ContractStatus.TERMINATING,
            today=today,
            reason=str(_("약관 개정 거부")),
            save_fields=[
                "termination_kind",
                "termination_requested_on",
                "termination_effective_on",
                "penalty_exempt",
                "renewal_stopped",
            ],
        )
