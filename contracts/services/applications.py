"""From application to activation (CON-1..4, ACC-3, ACC-7)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer, Member
from core.audit import current_actor
from core.errors import DomainError
from core.hooks import Hook

from ..models import (
    ApplicationCheck,
    BillingCycle,
    Contract,
    ContractDocument,
    ContractPeriod,
    ContractStatus,
    HoldReason,
    Plan,
    Policy,
    RejectionReason,
    RequiredDocument,
    ScheduleChange,
)
from .lifecycle import ensure_status, lock, notify_contract, transition

# How billing tells the application checks (CON-2) and termination completion (CON-7) about unpaid fees:
# (customer, today) -> unpaid won. ``billing.apps`` installs its ledger lookup at start-up; without it
# these paths raise ``core.hooks.HookNotInstalled`` and ``manage.py check`` reports core.E001.
UnpaidLookup = Callable[[Customer, dt.date], int]
unpaid_lookup: Hook[UnpaidLookup] = Hook(
    "contracts.unpaid_lookup",
    provider="billing",
    purpose="unpaid fees for the application checks CON-2 and termination completion CON-7",
)


def set_unpaid_lookup(fn: UnpaidLookup | None) -> None:
    """Install the unpaid-fees lookup (``None`` removes it: the CON-2/CON-7 paths then raise)."""
    unpaid_lookup.install(fn)


def unpaid_won(customer: Customer, today: dt.date) -> int:
    """Unpaid fees of ``customer`` as of ``today`` through the installed lookup. Used by the application
    checks (CON-2) and before a termination completes (CON-7). Raises ``HookNotInstalled`` when billing
    has not installed its lookup (never a silent 0)."""
    return int(unpaid_lookup.get()(customer, today))


def contract_apply(
    *,
    customer: Customer,
    plan: Plan,
    requested_start: dt.date,
    today: dt.date,
    member: Member | None = None,
    seats: int | None = None,
    billing_cycle: str | None = None,
    term_months: int | None = None,
) -> Contract:
    """A customer applies for a plan (CON-1, ACC-3). Automatic checks run at once (CON-2)."""
    if not plan.active:
        raise DomainError(
            "unknown_plan",
            _("요금제 '{plan}'은(는) 신청할 수 없습니다."),
            rule="CON-1",
            field="plan",
            plan=plan.code,
        )
    policy: Policy = plan.policy
    if requested_start < today:
        raise DomainError(
            "date_in_past",
            _("희망 개통일 {date}은(는) 오늘({today}) 이전입니다."),
            rule="CON-4",
            field="requested_start",
            date=requested_start,
            today=today,
        )
    if policy.businesses_only and not customer.is_business:
        raise DomainError(
            "businesses_only", _("이 서비스는 사업자만 신청할 수 있습니다."), rule="ACC-1", field="customer"
        )
    age = customer.age_on(today)
    if age is not None and age < policy.min_applicant_age:
        raise DomainError(
            "under_age",
            _("만 {min_age}세 미만은 신청할 수 없습니다."),
            rule="ACC-7",
            field="birth_date",
            min_age=policy.min_applicant_age,
        )
    if (
        age is not None
        and age < 19
        and policy.minors_need_representative
        and not customer.legal_representative_name
    ):
        raise DomainError(
            "minor_needs_representative",
            _("미성년자는 법정대리인이 신청해야 합니다."),
            rule="ACC-7",
            field="legal_representative_name",
        )
    if member is not None and member.customer_id != customer.pk:
        raise DomainError(
            "wrong_customer", _("다른 고객의 구성원은 신청할 수 없습니다."), rule="ACC-4", field="member"
        )
    cycle = billing_cycle or plan.billing_cycle
    if cycle not in BillingCycle.values:
        raise DomainError(
            "invalid_cycle",
            _("결제 주기 '{cycle}'은(는) 올바르지 않습니다."),
            rule="CON-5",
            field="billing_cycle",
            cycle=cycle,
        )
    if (cycle == BillingCycle.ANNUAL and not policy.allows_annual_cycle) or (
        cycle == BillingCycle.MONTHLY and not policy.allows_monthly_cycle
    ):
        raise DomainError(
            "invalid_cycle",
            _("이 약관은 '{cycle}' 결제를 허용하지 않습니다."),
            rule="CON-5",
            field="billing_cycle",
            cycle=BillingCycle(cycle).label,
        )
    months = (
        term_months
        or (
            12
            if cycle == BillingCycle.ANNUAL and policy.default_term_months < 12
            else policy.default_term_months
        )
        or 1
    )
    if months < (policy.min_term_months or 1):
        raise DomainError(
            "term_too_short",
            _("계약 기간은 최소 {min}개월입니다."),
            rule="CON-5",
            field="term_months",
            min=policy.min_term_months,
        )
    options = policy.term_options_months or []
    if term_months and options and term_months not in options:
        raise DomainError(
            "term_not_offered",
            _("계약 기간 {months}개월은 선택할 수 없습니다. 가능한 기간: {options}"),
            rule="CON-5",
            field="term_months",
            months=term_months,
            options=", ".join(str(o) for o in options),
        )
    seat_count = plan.default_seats if seats is None else seats
    if seat_count < 1:
        raise DomainError("invalid_seats", _("계약 인원은 1 이상이어야 합니다."), rule="ACC-5", field="seats")
    try:
        with transaction.atomic():
            contract = Contract.objects.create(
                customer=customer,
                plan=plan,
                policy=policy,
                billing_cycle=cycle,
                seats=seat_count,
                term_months=months,
                applied_by=member,
                applied_on=today,
                requested_start=requested_start,
                activation_date=requested_start,
            )
            run_application_checks(contract=contract, today=today)
            notify_contract(
                contract, "contract.applied", today=today, dedupe_key=f"contract:{contract.pk}:applied"
            )
    except IntegrityError as exc:
        raise DomainError(
            "duplicate_application",
            _("'{plan}' 요금제에 대해 처리 중인 신청이 이미 있습니다."),
            rule="CON-1",
            field="plan",
            plan=plan.name,
        ) from exc
    return contract


def run_application_checks(*, contract: Contract, today: dt.date) -> list[ApplicationCheck]:
    """The automatic checks of CON-2, stored with their results for the staff queue."""
    customer = contract.customer
    results: list[tuple[str, bool, str]] = []
    unpaid = unpaid_won(customer, today)
    results.append(
        (RejectionReason.UNPAID_OTHER_CONTRACT, unpaid == 0, f"미납 {unpaid:,}원" if unpaid else "미납 없음")
    )
    forced = Contract.objects.filter(
        customer=customer,
        termination_kind__in=["operator", "nonpayment"],
        status__in=[ContractStatus.TERMINATED, ContractStatus.TERMINATING, ContractStatus.PURGED],
    ).exclude(pk=contract.pk)
    if customer.business_number:
        forced = forced | Contract.objects.filter(
            customer__business_number=customer.business_number,
            termination_kind__in=["operator", "nonpayment"],
        ).exclude(pk=contract.pk)
    count = forced.distinct().count()
    results.append(
        (
            RejectionReason.PREVIOUS_FORCED_TERMINATION,
            count == 0,
            f"직권 해지 이력 {count}건" if count else "이력 없음",
        )
    )
    age = customer.age_on(today)
    min_age = contract.policy.min_applicant_age
    results.append(
        (
            RejectionReason.UNDER_AGE,
            age is None or age >= min_age,
            f"만 {age}세" if age is not None else "해당 없음 (사업자)",
        )
    )
    if customer.business_number:
        dupes = (
            Customer.objects.filter(business_number=customer.business_number)
            .exclude(pk=customer.pk)
            .exclude(status=Customer.Status.PURGED)
            .count()
        )
        results.append(
            (
                RejectionReason.FALSE_NAME,
                dupes == 0,
                f"같은 사업자등록번호의 다른 고객 {dupes}건" if dupes else "중복 없음",
            )
        )
    if contract.policy.businesses_only:
        results.append(
            (RejectionReason.NOT_A_BUSINESS, customer.is_business, str(customer.get_kind_display()))
        )
    checks = []
    for code, passed, detail in results:
        check, _created = ApplicationCheck.objects.update_or_create(
            contract=contract, code=code, defaults={"passed": passed, "detail": detail, "checked_on": today}
        )
        checks.append(check)
    return checks


def missing_documents(contract: Contract) -> list[str]:
    """Required documents not yet uploaded (CON-3). Reads prefetched documents when a list prefetched them."""
    required = list(contract.plan.required_documents or [])
    have = {document.kind for document in contract.documents.all()}
    return [kind for kind in required if kind not in have]


def document_upload(
    *, contract: Contract, kind: str, upload: UploadedFile, today: dt.date
) -> ContractDocument:
    """CON-3: a required document for an application in progress."""
    if kind not in RequiredDocument.values:
        raise DomainError(
            "unknown_document",
            _("알 수 없는 서류 종류 '{kind}'입니다."),
            rule="CON-3",
            field="kind",
            kind=kind,
        )
    document_upload_check(contract)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    with transaction.atomic():
        document = ContractDocument.objects.create(
            contract=contract,
            kind=kind,
            file=upload,
            original_name=(upload.name or kind)[:255],
            sha256=digest.hexdigest(),
            uploaded_by=current_actor().user,
        )
    return document


def contract_approve(
    *, contract: Contract, today: dt.date, note: str = "", activation_date: dt.date | None = None
) -> Contract:
    """Staff approve an application (CON-1); refused while a required document is missing (CON-3)."""
    with transaction.atomic():
        contract = lock(contract)
        approve_check(contract)
        start = activation_date or contract.activation_date or contract.requested_start
        if start < today:
            start = today
        contract.activation_date = start
        contract.decided_by = _user()
        contract.decided_on = today
        contract.decision_note = note
        transition(
            contract,
            ContractStatus.APPROVED,
            today=today,
            reason=note,
            context={"activation_date": start},
            save_fields=["activation_date", "decided_by", "decided_on", "decision_note"],
        )
    return contract


def contract_hold(*, contract: Contract, reasons: Iterable[str], today: dt.date, note: str = "") -> Contract:
    """Staff hold an application with reasons from the list (CON-2)."""
    codes = _reasons(reasons, HoldReason, "hold_reasons")
    with transaction.atomic():
        contract = lock(contract)
        contract.hold_reasons = codes
        contract.decision_note = note
        contract.decided_by = _user()
        contract.decided_on = today
        transition(
            contract,
            ContractStatus.HELD,
            today=today,
            reason=note,
            context={"reasons": [str(HoldReason(c).label) for c in codes]},
            save_fields=["hold_reasons", "decision_note", "decided_by", "decided_on"],
        )
    return contract


def contract_reject(
    *, contract: Contract, reasons: Iterable[str], today: dt.date, note: str = ""
) -> Contract:
    """Staff reject an application with one or more reasons from the list; the applicant is told (CON-2)."""
    codes = _reasons(reasons, RejectionReason, "rejection_reasons")
    with transaction.atomic():
        contract = lock(contract)
        contract.rejection_reasons = codes
        contract.decision_note = note
        contract.decided_by = _user()
        contract.decided_on = today
        transition(
            contract,
            ContractStatus.REJECTED,
            today=today,
            reason=note,
            context={"reasons": [str(RejectionReason(c).label) for c in codes]},
            save_fields=["rejection_reasons", "decision_note", "decided_by", "decided_on"],
        )
    return contract


def activation_reschedule(*, contract: Contract, new_date: dt.date, reason: str, today: dt.date) -> Contract:
    """Staff move the activation date with a recorded reason; the customer is notified (CON-4, 002 art.9①)."""
    if not reason.strip():
        raise DomainError(
            "reason_required", _("개통일 변경 사유를 입력해야 합니다."), rule="CON-4", field="reason"
        )
    if new_date < today:
        raise DomainError(
            "date_in_past",
            _("새 개통일 {date}은(는) 오늘({today}) 이전입니다."),
            rule="CON-4",
            field="new_date",
            date=new_date,
            today=today,
        )
    return _move_activation(
        contract=contract, new_date=new_date, reason=reason, today=today, by_customer=False
    )


def activation_postpone(
    *, contract: Contract, new_date: dt.date, today: dt.date, reason: str = ""
) -> Contract:
    """The customer postpones activation no later than N days before the date (CON-4, 002 art.9②)."""
    with transaction.atomic():
        contract = lock(contract)
        postpone_check(contract, today)
        scheduled = contract.activation_date or contract.requested_start
        if new_date <= scheduled:
            raise DomainError(
                "not_a_postponement",
                _("새 개통일은 기존 개통 예정일({date}) 이후여야 합니다."),
                rule="CON-4",
                field="new_date",
                date=scheduled,
            )
        return _move_activation(
            contract=contract,
            new_date=new_date,
            reason=reason or str(_("고객 요청")),
            today=today,
            by_customer=True,
        )


def _move_activation(
    *, contract: Contract, new_date: dt.date, reason: str, today: dt.date, by_customer: bool
) -> Contract:
    with transaction.atomic():
        contract = lock(contract)
        reschedule_check(contract)
        old = contract.activation_date
        change = ScheduleChange.objects.create(
            contract=contract,
            old_date=old,
            new_date=new_date,
            by_customer=by_customer,
            reason=reason,
            actor=current_actor().label,
            on_date=today,
        )
        contract.activation_date = new_date
        contract.save(update_fields=["activation_date", "updated_at"])
        notify_contract(
            contract,
            "contract.activation_rescheduled",
            today=today,
            dedupe_key=f"contract:{contract.pk}:schedule:{change.pk}",
            context={"old_date": old, "new_date": new_date, "reason": reason},
        )
    return contract


def contract_activate(*, contract: Contract, today: dt.date) -> Contract:
    """approved → active on the activation date; the first period starts and billing starts (CON-4).

    The service becomes available when this runs, so a late activation (a job that missed its day, staff
    activating by hand) starts the service, the period and billing on ``today``, never earlier.
    """
    from .renewal import period_end

    with transaction.atomic():
        contract = lock(contract)
        activate_check(contract, today)
        start = today
        contract.activated_on = start
        ContractPeriod.objects.create(
            contract=contract,
            number=1,
            kind=ContractPeriod.Kind.INITIAL,
            starts_on=start,
            ends_on=period_end(start, contract.term_months),
            policy=contract.policy,
        )
        transition(contract, ContractStatus.ACTIVE, today=today, save_fields=["activated_on"])
    return contract


def activate_due(*, today: dt.date) -> dict[str, int]:
    """Job ``activate_contracts``: approved contracts whose date has come become active."""
    activated = 0
    due = Contract.objects.filter(status=ContractStatus.APPROVED, activation_date__lte=today).values_list(
        "pk", flat=True
    )
    for pk in list(due):
        with transaction.atomic():
            contract = (
                Contract.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=ContractStatus.APPROVED)
                .first()
            )
            if contract is None:
                continue
            contract_activate(contract=contract, today=today)
            activated += 1
    return {"activated": activated}


def _reasons(reasons: Iterable[str], choices: type[models.TextChoices], field: str) -> list[str]:
    codes = list(dict.fromkeys(reasons))
    if not codes:
        raise DomainError(
            "reason_required", _("사유를 하나 이상 선택해야 합니다."), rule="CON-2", field=field
        )
    unknown = [c for c in codes if c not in choices.values]
    if unknown:
        raise DomainError(
            "unknown_reason",
            _("알 수 없는 사유: {reasons}"),
            rule="CON-2",
            field=field,
            reasons=", ".join(unknown),
        )
    return codes


def _user():  # type: ignore[no-untyped-def]
    return current_actor().user


# --------------------------------------------------------------------------- preconditions
# Each check refuses (``DomainError``) what its service would refuse before any input is read; the
# service calls it under the row lock and ``contracts.services.actions`` calls it to say what is
# offered now (one place for each precondition).

OPEN_APPLICATION = (ContractStatus.APPLIED, ContractStatus.HELD)
SCHEDULABLE = (ContractStatus.APPLIED, ContractStatus.HELD, ContractStatus.APPROVED)


def document_upload_check(contract: Contract) -> None:
    """CON-3: documents are taken while the application is open."""
    ensure_status(contract, *OPEN_APPLICATION, action=_("서류 제출"))


def approve_check(contract: Contract) -> None:
    """CON-1, CON-3: an open application with every required document."""
    ensure_status(contract, *OPEN_APPLICATION, action=_("승낙"))
    missing = missing_documents(contract)
    if missing:
        raise DomainError(
            "documents_missing",
            _("필수 서류가 제출되지 않았습니다: {documents}"),
            rule="CON-3",
            field="documents",
            documents=", ".join(str(RequiredDocument(m).label) for m in missing),
        )


def reschedule_check(contract: Contract) -> None:
    """CON-4: the activation date moves only before activation."""
    ensure_status(contract, *SCHEDULABLE, action=_("개통일 변경"))


def postpone_deadline(contract: Contract) -> dt.date:
    """CON-4: the last day the customer may postpone activation (the policy's notice before the date)."""
    scheduled = contract.activation_date or contract.requested_start
    return scheduled - dt.timedelta(days=contract.policy.activation_postpone_notice_days)


def postpone_check(contract: Contract, today: dt.date) -> None:
    """CON-4 (002 art.9②): the customer postpones no later than N days before the scheduled date."""
    ensure_status(contract, *SCHEDULABLE, action=_("개통 연기"))
    deadline = postpone_deadline(contract)
    if today > deadline:
        raise DomainError(
            "postpone_too_late",
            _("개통 연기는 개통 예정일({date}) {days}일 전({deadline})까지만 가능합니다."),
            rule="CON-4",
            field="new_date",
            date=contract.activation_date or contract.requested_start,
            days=contract.policy.activation_postpone_notice_days,
            deadline=deadline,
        )


def activate_check(contract: Contract, today: dt.date) -> None:
    """CON-4: an approved contract activates on or after its activation date."""
    ensure_status(contract, ContractStatus.APPROVED, action=_("개통"))
    scheduled = contract.activation_date or today
    if scheduled > today:
        raise DomainError(
            "not_yet",
            _("개통 예정일({date})이 아직 오지 않았습니다."),
            rule="CON-4",
            field="activation_date",
            date=scheduled,
        )
