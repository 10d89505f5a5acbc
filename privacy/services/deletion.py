"""DAT-4: deletion on the customer's request (000 art.21③): asked, offered a last export, confirmed, done.

The admin asks (:func:`deletion_request`); the portal then offers one more export and asks for the
customer's registered name as confirmation; :func:`deletion_confirm` runs the same purge as the job
at once (records kept in place keep their own periods, DAT-3; refused, changing nothing, while money is
owed or open) and leaves a destruction record naming
the request (the admin's own login is among what is destroyed, so the record names the request, not
the person).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Member
from core import clock
from core.errors import DomainError
from core.transitions import transition

from ..lifecycles import DELETION
from ..models import DeletionRequest
from . import retention
from .export import check_customer_admin
from .purge import PURGED, customer_purge

JOB = "deletion_request"


def deletion_request(*, member: Member, today: dt.date) -> DeletionRequest:
    """DAT-4: open a deletion request (one open at a time); refused while a contract is open or live or
    money is owed (the customer pays first)."""
    check_customer_admin(member, rule="DAT-4")
    if retention.has_live_contract(member.customer_id):
        raise DomainError(
            "contract_still_live",
            _("이용 중이거나 처리 중인 계약을 먼저 해지해야 삭제할 수 있습니다."),
            rule="DAT-4",
        )
    check_nothing_owed(member.customer_id)
    try:
        with transaction.atomic():
            return DeletionRequest.objects.create(
                customer_id=member.customer_id, requested_by=member, requested_on=today, export_offered=True
            )
    except IntegrityError:
        return DeletionRequest.objects.get(
            customer_id=member.customer_id, status=DeletionRequest.Status.REQUESTED
        )


def deletion_cancel(*, request: DeletionRequest, member: Member) -> DeletionRequest:
    check_customer_admin(member, rule="DAT-4")
    with transaction.atomic():
        locked = DeletionRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status == DeletionRequest.Status.REQUESTED:
            transition(locked, DELETION, DeletionRequest.Status.CANCELLED, today=clock.today())
    request.refresh_from_db()
    return request


def deletion_confirm(*, request: DeletionRequest, member: Member, confirmation: str, today: dt.date) -> bool:
    """DAT-4: after the confirmation (the customer's registered name typed again), delete now."""
    check_customer_admin(member, rule="DAT-4")
    if member.customer_id != request.customer_id or request.status != DeletionRequest.Status.REQUESTED:
        raise DomainError("deletion_not_open", _("확인할 삭제 요청이 없습니다."), rule="DAT-4")
    if confirmation.strip() != request.customer.legal_name.strip():
        raise DomainError(
            "deletion_confirmation",
            _("확인을 위해 고객사 이름을 정확히 입력해 주세요."),
            field="confirmation",
            rule="DAT-4",
        )
    if retention.has_live_contract(request.customer_id):
        raise DomainError(
            "contract_still_live",
            _("이용 중이거나 처리 중인 계약을 먼저 해지해야 삭제할 수 있습니다."),
            rule="DAT-4",
        )
    check_nothing_owed(request.customer_id)
    schedule = retention.immediate_schedule(request.customer_id, today)
    outcome = customer_purge(schedule=schedule, today=today, job=JOB, rule="DAT-4", refuse_while_owed=True)
    return outcome == PURGED


def check_nothing_owed(customer_id: int) -> None:
    """DAT-4, DAT-3: no deletion while money is owed or open (the purge re-checks under the lock)."""
    if retention.money_hold(customer_id) is not None:
        raise DomainError(
            "money_owed",
            _(
                "미납 요금이나 처리 중인 이의신청·환불·보상 청구가 있어 지금은 삭제할 수 없습니다. "
                "정산을 마친 뒤 다시 요청해 주세요."
            ),
            rule="DAT-4",
        )
