"""Seats of a contract assigned to members (ACC-5, 000 art.12②③).

A contract grants N seats; an admin assigns them to members of the contract's
customer and reassigns a seat when a member leaves. Assigning beyond N is refused
unless the plan bills by usage (``flow`` monthly bills the month's peak users,
BIL-5). Every write locks the contract row first, so two concurrent assignments
cannot both take the last seat.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Member
from core.audit import current_actor
from core.errors import DomainError

from ..effective import effective_policy
from ..models import BillingCycle, Contract, ContractStatus, SeatBasis
from ..models.contract import SeatAssignment
from .lifecycle import ensure_status, lock

__all__ = [
    "bills_by_usage",
    "open_assignments",
    "quota_applies",
    "seat_assign",
    "seat_reassign",
    "seat_release",
    "seats_in_use",
]

# States in which seats may be managed (before activation they may be prepared).
SEAT_STATES = (ContractStatus.APPROVED, ContractStatus.ACTIVE, ContractStatus.SUSPENDED)


def bills_by_usage(contract: Contract) -> bool:
    """BIL-5: a monthly contract whose policy bills the month's peak users has no seat ceiling."""
    return (
        contract.billing_cycle == BillingCycle.MONTHLY
        and effective_policy(contract).monthly_seat_basis == SeatBasis.PEAK_USERS
    )


def quota_applies(contract: Contract) -> bool:
    """ACC-5: assignments stay within the contracted seats unless the plan bills by usage."""
    return not bills_by_usage(contract)


def open_assignments(contract: Contract):  # type: ignore[no-untyped-def]
    return SeatAssignment.objects.filter(contract=contract, released_on__isnull=True)


def seats_in_use(contract: Contract) -> int:
    return open_assignments(contract).count()


def _check_member(contract: Contract, member: Member) -> None:
    if member.customer_id != contract.customer_id:
        raise DomainError(
            "wrong_customer",
            _("다른 고객의 구성원에게는 좌석을 배정할 수 없습니다."),
            rule="ACC-5",
            field="member",
        )
    if member.status != Member.Status.ACTIVE:
        raise DomainError(
            "member_inactive",
            _("활성 상태가 아닌 구성원({member})에게는 좌석을 배정할 수 없습니다."),
            rule="ACC-5",
            field="member",
            member=member.login_id,
        )


def _assign(contract: Contract, member: Member, today: dt.date) -> SeatAssignment:
    if open_assignments(contract).filter(member=member).exists():
        raise DomainError(
            "seat_already_assigned",
            _("{member}에게는 이미 좌석이 배정되어 있습니다."),
            rule="ACC-5",
            field="member",
            member=member.login_id,
        )
    used = seats_in_use(contract)
    if quota_applies(contract) and used >= contract.seats:
        raise DomainError(
            "seats_exhausted",
            _(
                "계약 {number}의 좌석 {seats}개가 모두 배정되었습니다. 인원을 추가하거나 "
                "다른 구성원의 좌석을 회수해 주세요."
            ),
            rule="ACC-5",
            field="member",
            number=contract.number,
            seats=contract.seats,
        )
    try:
        with transaction.atomic():
            return SeatAssignment.objects.create(
                contract=contract, member=member, assigned_on=today, actor=current_actor().label
            )
    except IntegrityError as exc:  # the partial unique index is the backstop
        raise DomainError(
            "seat_already_assigned",
            _("{member}에게는 이미 좌석이 배정되어 있습니다."),
            rule="ACC-5",
            field="member",
            member=member.login_id,
        ) from exc


def seat_assign(*, contract: Contract, member: Member, today: dt.date) -> SeatAssignment:
    """Give ``member`` a seat of ``contract`` (ACC-5). Refused beyond the contracted seats (unless
    usage-billed), for another customer's member, or twice for the same member."""
    _check_member(contract, member)
    with transaction.atomic():
        contract = lock(contract)
        ensure_status(contract, *SEAT_STATES, action=_("좌석 배정"))
        return _assign(contract, member, today)


def _release(contract: Contract, member: Member, today: dt.date) -> SeatAssignment:
    assignment = open_assignments(contract).select_for_update().filter(member=member).first()
    if assignment is None:
        raise DomainError(
            "seat_not_assigned",
            _("{member}에게 배정된 좌석이 없습니다."),
            rule="ACC-5",
            field="member",
            member=member.login_id,
        )
    assignment.released_on = max(today, assignment.assigned_on)
    assignment.save(update_fields=["released_on"])
    return assignment


def seat_release(*, contract: Contract, member: Member, today: dt.date) -> SeatAssignment:
    """Take a seat back from a member (for instance one who left, 000 art.12③)."""
    with transaction.atomic():
        contract = lock(contract)
        return _release(contract, member, today)


def seat_reassign(
    *, contract: Contract, from_member: Member, to_member: Member, today: dt.date
) -> SeatAssignment:
    """Move a seat from one member to another in one step; the seat count does not change (000 art.12②③)."""
    _check_member(contract, to_member)
    with transaction.atomic():
        contract = lock(contract)
        ensure_status(contract, *SEAT_STATES, action=_("좌석 재배정"))
        _release(contract, from_member, today)
        return _assign(contract, to_member, today)
