"""What may be done to a contract now, for whom, and if not, why (CON-1..12, ACC-4).

One answer for every interface: the admin's buttons, the portal's forms and the API's ``actions`` list
all render :func:`offered_actions`. Nothing here restates a rule: each action is decided by the
precondition check its service calls itself (``applications.approve_check``,
``termination.withdraw_check``, ``renewal.renewal_stop_check``, ...; the state table of
``contracts.lifecycle`` through ``lifecycle.ensure_transition``). A refused check becomes the
action's ``reason``: for staff the service's message with its rule id, for customers the same
sentence without it.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from accounts.models import Member
from core.errors import DomainError

from ..models import Contract, ContractStatus, Suspension
from . import applications, changes, renewal, suspension, termination
from .lifecycle import ensure_transition

STAFF = "staff"
CUSTOMER = "customer"


@dataclass(frozen=True)
class Audience:
    """Who is asking: staff (back office), or a customer member (``admin`` when a customer admin)."""

    kind: str
    admin: bool = True

    @classmethod
    def member(cls, member: Member) -> Audience:
        return cls(CUSTOMER, admin=bool(member.is_admin))

    @property
    def is_staff(self) -> bool:
        return self.kind == STAFF


STAFF_AUDIENCE = Audience(STAFF)
CUSTOMER_ADMIN = Audience(CUSTOMER, admin=True)


@dataclass(frozen=True)
class OfferedAction:
    """One operation on one contract: whether it may be done now and, when not, why."""

    code: str
    label: str
    allowed: bool
    reason: str = ""
    rule: str | None = None
    refusal: str | None = None  # the refusing check's error code ("invalid_state", "postpone_too_late"...)

    @property
    def explained(self) -> bool:
        """Refused for a reason worth telling (a deadline, a missing document...), not merely because of
        the contract's state or the member's role."""
        return not self.allowed and not self.blocked_by_state and self.refusal != ADMIN_ONLY

    @property
    def blocked_by_state(self) -> bool:
        """Refused only because of the contract's state: not worth showing as a disabled button."""
        return self.refusal in STATE_REFUSALS


STATE_REFUSALS = frozenset({"invalid_state", "illegal_transition", "not_applicable"})
ADMIN_ONLY = "admin_only"


# ------------------------------------------------------------------ which suspension an action is about


def _suspensions(contract: Contract) -> list[Suspension]:
    return list(contract.suspensions.all())  # newest first (model ordering); prefetched on detail pages


def open_suspension(contract: Contract) -> Suspension | None:
    """The suspension running or announced (not lifted), if any."""
    return next((s for s in _suspensions(contract) if s.lifted_on is None), None)


def suspension_appealable(target: Suspension) -> bool:
    """May an appeal be filed against ``target`` (``suspension.appeal_file_check``)."""
    try:
        suspension.appeal_file_check(target)
    except DomainError:
        return False
    return True


def appealable_suspension(contract: Contract) -> Suspension | None:
    """The latest suspension an appeal may still be filed against."""
    return next((s for s in _suspensions(contract) if suspension_appealable(s)), None)


def filed_appeal(contract: Contract) -> Suspension | None:
    """The suspension whose appeal waits for a decision."""
    return next((s for s in _suspensions(contract) if s.appeal == Suspension.Appeal.FILED), None)


def _require(target: Suspension | None, code: str, message: object) -> Suspension:
    if target is None:
        raise DomainError(code, message, rule="CON-10", field="suspensions")  # type: ignore[arg-type]
    return target


# --------------------------------------------------------------------------- the checks, one per action

Check = Callable[[Contract, dt.date], object]


def _lift(contract: Contract, today: dt.date) -> None:
    target = _require(open_suspension(contract), "not_applicable", _("진행 중인 이용 정지가 없습니다."))
    suspension.lift_check(target)


def _file_appeal(contract: Contract, today: dt.date) -> None:
    target = _require(
        appealable_suspension(contract), "not_applicable", _("이의신청할 수 있는 이용 정지가 없습니다.")
    )
    suspension.appeal_file_check(target)


def _decide_appeal(contract: Contract, today: dt.date) -> None:
    target = _require(filed_appeal(contract), "not_applicable", _("결정할 이의신청이 없습니다."))
    suspension.appeal_decide_check(target)


@dataclass(frozen=True)
class _Spec:
    code: str
    label: object
    check: Check


STAFF_ACTIONS: tuple[_Spec, ...] = (
    _Spec("approve", _("승낙"), lambda c, t: applications.approve_check(c)),
    _Spec("hold", _("보류"), lambda c, t: ensure_transition(c, ContractStatus.HELD)),
    _Spec("reject", _("거절"), lambda c, t: ensure_transition(c, ContractStatus.REJECTED)),
    _Spec("upload_document", _("서류 등록"), lambda c, t: applications.document_upload_check(c)),
    _Spec("reschedule", _("개통일 변경"), lambda c, t: applications.reschedule_check(c)),
    _Spec("activate", _("지금 개통"), applications.activate_check),
    _Spec("withdraw", _("청약 철회"), termination.withdraw_check),
    _Spec("terminate_customer", _("고객 해지 신청 (대리)"), lambda c, t: termination.termination_check(c)),
    _Spec(
        "terminate_operator",
        _("직권 해지"),
        lambda c, t: termination.termination_check(c, action=_("직권 해지")),
    ),
    _Spec("complete_termination", _("해지 완료"), termination.complete_check),
    _Spec("suspend", _("위반 이용 정지"), lambda c, t: suspension.suspend_check(c)),
    _Spec("lift_suspension", _("정지 해제"), _lift),
    _Spec("file_appeal", _("이의신청 접수 (대리)"), _file_appeal),
    _Spec("decide_appeal", _("이의신청 결정"), _decide_appeal),
    _Spec("stop_renewal", _("갱신 중단"), renewal.renewal_stop_check),
    _Spec("change_seats", _("인원 변경"), lambda c, t: changes.seats_change_check(c)),
    _Spec("change_plan", _("요금제/주기 변경"), changes.plan_change_check),
    _Spec("add_special_term", _("특약 등록"), lambda c, t: changes.special_term_check(c)),
)

CUSTOMER_ACTIONS: tuple[_Spec, ...] = (
    _Spec("upload_document", _("서류 제출"), lambda c, t: applications.document_upload_check(c)),
    _Spec("postpone", _("개통 연기"), applications.postpone_check),
    _Spec("withdraw", _("청약 철회"), termination.withdraw_check),
    _Spec("terminate", _("해지 신청"), lambda c, t: termination.termination_check(c)),
    _Spec("stop_renewal", _("자동 갱신 중단"), renewal.renewal_stop_check),
    _Spec("file_appeal", _("이의신청"), _file_appeal),
)

STAFF_CODES = tuple(spec.code for spec in STAFF_ACTIONS)
CUSTOMER_CODES = tuple(spec.code for spec in CUSTOMER_ACTIONS)


def _plain(error: DomainError) -> str:
    """The refusal's sentence without its rule id (customers never see rule ids)."""
    plain = copy.copy(error)
    plain.rule = None
    return plain.message


def _decide(spec: _Spec, contract: Contract, today: dt.date, audience: Audience) -> OfferedAction:
    label = str(spec.label)
    try:
        spec.check(contract, today)
    except DomainError as error:
        if audience.is_staff:
            return OfferedAction(spec.code, label, False, error.message, error.rule, error.code)
        return OfferedAction(spec.code, label, False, _plain(error), None, error.code)
    if not audience.admin:  # ACC-4: customer members read; customer admins act
        return OfferedAction(
            spec.code, label, False, str(_("고객사 관리자만 할 수 있습니다.")), None, ADMIN_ONLY
        )
    return OfferedAction(spec.code, label, True)


def offered_actions(contract: Contract, *, audience: Audience, today: dt.date) -> list[OfferedAction]:
    """Every operation ``audience`` has on ``contract``, in display order, each allowed or not with why."""
    specs = STAFF_ACTIONS if audience.is_staff else CUSTOMER_ACTIONS
    return [_decide(spec, contract, today, audience) for spec in specs]


def offered_action(
    contract: Contract, code: str, *, audience: Audience, today: dt.date
) -> OfferedAction | None:
    """One operation by code (``None`` when the audience has no such operation)."""
    specs = STAFF_ACTIONS if audience.is_staff else CUSTOMER_ACTIONS
    spec = next((s for s in specs if s.code == code), None)
    return _decide(spec, contract, today, audience) if spec is not None else None


def allowed_codes(actions: list[OfferedAction]) -> set[str]:
    return {a.code for a in actions if a.allowed}
