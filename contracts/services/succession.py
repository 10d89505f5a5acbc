"""ACC-8: legal succession (merger, split, business transfer, inheritance; 002 art.19, 004 art.22,
003 art.14).

The successor (or the predecessor on its behalf) files within the policy's ``succession_filing_days``
of the event, with documents; staff approve. Approval is refused while the predecessor has unpaid fees
(002 art.19③), naming the amount. On approval the predecessor's live contracts move to the successor
(created from the filing's data when it is not a customer yet); each move is a
:class:`~contracts.models.SuccessionTransfer` row and a contract history row, so both parties stay on
the record; past invoices stay with the predecessor.

The request model lives in ``accounts`` (below contracts); the filing deadline, the unpaid check and
the contract transfer need contracts, so the services are here.

[reading] A customer with live contracts under several policies gets the longest filing period among
them (the reading that favours the customer, SPEC §0); without live contracts the policy default (30).
[reading] "Unpaid fees up to the event" is checked with the unpaid-fees hook as of the decision day
(``applications.unpaid_won(predecessor, today)``): the hook cannot separate fees incurred after the
event, so everything the predecessor owes at approval must be settled.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts import services as account_services
from accounts.models import Customer, Member, SuccessionDocument, SuccessionRequest
from core.audit import acting_as, current_actor
from core.errors import DomainError, PermissionDenied
from core.transitions import transition
from messaging.services import notify

from ..effective import effective_policy
from ..lifecycle import SUCCESSION
from ..models import Contract, Policy, SeatAssignment, SuccessionTransfer
from ..models.contract import LIVE
from .applications import unpaid_won

__all__ = [
    "SUCCESSOR_FIELDS",
    "filing_days",
    "succession_approve",
    "succession_file",
    "succession_reject",
]

RULE = "ACC-8"
#: What a filing may say about a successor that is not a customer yet (becomes the new Customer).
SUCCESSOR_FIELDS = (
    "legal_name",
    "kind",
    "business_number",
    "representative_name",
    "address",
    "billing_email",
    "billing_mobile",
)
_SUCCESSOR_REQUIRED = ("legal_name", "representative_name", "billing_email")


def _default_filing_days() -> int:
    return int(Policy._meta.get_field("succession_filing_days").get_default())


def filing_days(customer: Customer) -> int:
    """Days after the event within which a succession must be filed for ``customer`` (ACC-8)."""
    contracts = (
        Contract.objects.filter(customer=customer, status__in=LIVE)
        .select_related("policy")
        .prefetch_related("special_terms")
    )
    values = [int(effective_policy(c).succession_filing_days) for c in contracts]
    return max(values) if values else _default_filing_days()


def _check_filer(filer: Member | None, *customers: Customer | None) -> None:
    if filer is None:
        return
    ids = {c.pk for c in customers if c is not None}
    if filer.customer_id not in ids or not filer.is_admin:
        raise PermissionDenied(
            "admin_required",
            _("원 계약자 또는 승계 고객의 관리자만 지위 승계를 신고할 수 있습니다."),
            rule=RULE,
        )


def _clean_successor_data(data: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    unknown = set(data) - set(SUCCESSOR_FIELDS)
    if unknown:
        field = sorted(unknown)[0]
        raise DomainError("unknown_field", _("알 수 없는 항목입니다: {field}"), rule=RULE, field=field)
    clean = {k: ("" if v is None else str(v).strip()) for k, v in data.items()}
    for field in _SUCCESSOR_REQUIRED:
        if not clean.get(field):
            raise DomainError(
                "successor_field_required",
                _("승계인의 {label}을(를) 입력하세요."),
                rule=RULE,
                field=field,
                label=str(getattr(Customer._meta.get_field(field), "verbose_name", field)),
            )
    # ACC-1/ACC-2: the same checks as a new customer; an open customer with the number must be named
    # as the successor instead.
    checked = account_services.validate_customer_application(data=clean, today=today)
    return {k: v for k, v in checked.items() if k in SUCCESSOR_FIELDS and v not in ("", None)}


def _context(request: SuccessionRequest, today: dt.date, **extra: Any) -> dict[str, Any]:
    return {
        "request_number": request.number,
        "kind": str(request.get_kind_display()),
        "predecessor_name": request.predecessor.legal_name,
        "successor_name": request.successor_name,
        "event_date": request.event_date.isoformat(),
        "deadline": request.deadline.isoformat(),
        "today": today.isoformat(),
        "reason": request.decision_reason,
        **extra,
    }


def _notify_parties(request: SuccessionRequest, event: str, today: dt.date, **extra: Any) -> None:
    """Both parties hear about it: the predecessor, and the successor once it is a customer."""
    context = _context(request, today, **extra)
    parties = [request.predecessor] + ([request.successor] if request.successor is not None else [])
    for customer in parties:
        notify(
            customer=customer,
            event=event,
            # Each party reads the other's name only when it may (a filer does not learn it by filing).
            context={**context, **request.party_names_for(customer.pk)},
            dedupe_key=f"succession:{request.pk}:{event}:{customer.pk}",
        )


def succession_file(
    *,
    predecessor: Customer,
    kind: str,
    event_date: dt.date,
    documents: Sequence[UploadedFile],
    today: dt.date,
    filer: Member | None,
    successor: Customer | None = None,
    successor_data: Mapping[str, Any] | None = None,
    note: str = "",
    actor: Any = None,
) -> SuccessionRequest:
    """File a succession (ACC-8; 002 art.19②). ``filer`` is the filing customer admin (of the
    predecessor or of an existing successor); ``None`` when staff file a paper filing (``actor``).

    Refused: a filer who is not an active admin of a party (403); an unknown kind; an event in the
    future; a filing after the deadline (naming it); no document; no successor or an invalid one;
    another filing for the predecessor still open.
    """
    if actor is None and filer is not None:
        actor = filer.user
    _check_filer(filer, predecessor, successor)
    if kind not in SuccessionRequest.Kind.values:
        raise DomainError(
            "invalid_kind", _("승계 사유가 올바르지 않습니다: {kind}"), rule=RULE, field="kind", kind=kind
        )
    if event_date > today:
        raise DomainError(
            "event_in_future",
            _("승계 사유 발생일({date})이 오늘({today}) 이후입니다. 사유가 발생한 뒤 신고하세요."),
            rule=RULE,
            field="event_date",
            date=event_date,
            today=today,
        )
    days = filing_days(predecessor)
    deadline = event_date + dt.timedelta(days=days)
    if today > deadline:
        raise DomainError(
            "filing_deadline_passed",
            _(
                "지위 승계는 사유 발생일({event_date})로부터 {days}일 이내인 {deadline}까지 신고해야 합니다. "
                "신고 기한이 지났습니다."
            ),
            rule=RULE,
            field="event_date",
            event_date=event_date,
            days=days,
            deadline=deadline,
        )
    uploads = [d for d in documents if d is not None and d.size]
    if not uploads:
        raise DomainError(
            "documents_required",
            _("사업자등록증 사본 등 지위 승계를 입증하는 서류를 첨부해야 합니다."),
            rule=RULE,
            field="documents",
        )
    if (successor is None) == (not successor_data):
        raise DomainError(
            "successor_required",
            _("승계 고객을 기존 고객으로 지정하거나 새 승계인 정보를 입력하세요(둘 중 하나)."),
            rule=RULE,
            field="successor",
        )
    if successor is not None:
        if successor.pk == predecessor.pk:
            raise DomainError(
                "same_party", _("원 계약자와 승계 고객이 같습니다."), rule=RULE, field="successor"
            )
        if not successor.is_open:
            raise DomainError(
                "successor_not_open",
                _("승계 고객이 이용 중인 고객이 아닙니다."),
                rule=RULE,
                field="successor",
            )
    clean_data = _clean_successor_data(successor_data or {}, today) if successor is None else {}
    if not predecessor.is_open:
        raise DomainError(
            "predecessor_not_open",
            _("원 계약자가 이용 중인 고객이 아닙니다."),
            rule=RULE,
            field="predecessor",
        )

    with transaction.atomic(), acting_as(actor, reason=RULE):
        Customer.objects.select_for_update().filter(pk=predecessor.pk).values_list("pk", flat=True).first()
        if SuccessionRequest.objects.filter(
            predecessor=predecessor, status=SuccessionRequest.Status.REQUESTED
        ).exists():
            raise _open_exists()
        request = SuccessionRequest(
            predecessor=predecessor,
            successor=successor,
            successor_data=clean_data,
            kind=kind,
            event_date=event_date,
            filed_on=today,
            deadline=deadline,
            note=note,
            filed_by=filer,
        )
        try:
            with transaction.atomic():
                request.save()
        except IntegrityError as exc:
            raise _open_exists() from exc
        for upload in uploads:
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            SuccessionDocument.objects.create(
                request=request,
                file=upload,
                original_name=(upload.name or "document")[:255],
                sha256=digest.hexdigest(),
            )
        _notify_parties(request, "customer.succession_requested", today)
    return request


def _open_exists() -> DomainError:
    return DomainError(
        "succession_open", _("처리 중인 지위 승계 신고가 이미 있습니다."), rule=RULE, field="predecessor"
    )


def _lock(request: SuccessionRequest) -> SuccessionRequest:
    """Lock order: the parties' customer rows by pk, then the request."""
    ids = sorted(i for i in (request.predecessor_id, request.successor_id) if i)
    list(Customer.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
    locked = (
        SuccessionRequest.objects.select_for_update(of=("self",))
        .select_related("predecessor", "successor")
        .get(pk=request.pk)
    )
    if locked.status != SuccessionRequest.Status.REQUESTED:
        raise DomainError(
            "succession_decided",
            _("이미 처리된 지위 승계 신고입니다 ({status})."),
            rule=RULE,
            field="status",
            status=locked.get_status_display(),
        )
    return locked


def succession_approve(
    *,
    request: SuccessionRequest,
    actor: Any,
    today: dt.date,
    reason: str = "",
    contracts: Iterable[Contract] | None = None,
) -> SuccessionRequest:
    """Staff approve a succession (ACC-8). Refused while the predecessor owes fees (002 art.19③).

    ``contracts`` limits the transfer to some of the predecessor's live contracts (a split); by default
    all of them move. Open seat assignments of the moved contracts are released (the seats belonged to
    the predecessor's members); the successor's admins assign them again (ACC-5).
    """
    with transaction.atomic(), acting_as(actor, reason=f"{RULE} {request.number}"):
        locked = _lock(request)
        predecessor = locked.predecessor
        unpaid = unpaid_won(predecessor, today)
        if unpaid > 0:
            raise DomainError(
                "unpaid_fees",
                _(
                    "승계 사유 발생일({event_date})까지의 이용요금이 완납되지 않았습니다. "
                    "미납액 {amount}원을 "
                    "먼저 납부해야 승계를 승인할 수 있습니다."
                ),
                rule=RULE,
                field="predecessor",
                event_date=locked.event_date,
                amount=f"{unpaid:,}",
            )
        successor = locked.successor
        if successor is None:
            successor = account_services.customer_create(**locked.successor_data, today=today, actor=actor)
        elif not successor.is_open:
            raise DomainError(
                "successor_not_open",
                _("승계 고객이 이용 중인 고객이 아닙니다."),
                rule=RULE,
                field="successor",
            )
        live = (
            Contract.objects.select_for_update().filter(customer=predecessor, status__in=LIVE).order_by("pk")
        )
        moving = list(live)
        if contracts is not None:
            wanted = {c.pk for c in contracts}
            strangers = wanted - {c.pk for c in moving}
            if strangers:
                raise DomainError(
                    "contract_not_transferable",
                    _("원 계약자의 이용 중인 계약만 이전할 수 있습니다: {ids}"),
                    rule=RULE,
                    field="contracts",
                    ids=", ".join(str(i) for i in sorted(strangers)),
                )
            moving = [c for c in moving if c.pk in wanted]
        label = current_actor().label
        user = current_actor().user
        for contract in moving:
            released = 0
            for seat in SeatAssignment.objects.select_for_update().filter(
                contract=contract, released_on__isnull=True
            ):
                seat.released_on = max(today, seat.assigned_on)
                seat.actor = label
                seat.save(update_fields=["released_on", "actor"])
                released += 1
            status = contract.status
            contract.customer = successor
            contract.save(update_fields=["customer", "updated_at"])
            SuccessionTransfer.objects.create(
                request=locked,
                contract=contract,
                from_customer=predecessor,
                to_customer=successor,
                contract_status=status,
                transferred_on=today,
                released_seats=released,
                actor=label,
                user=user,
            )
        locked.successor = successor
        locked.decided_by = user
        locked.decided_on = today
        locked.decision_reason = reason
        locked.unpaid_won_at_decision = unpaid
        transition(
            locked,
            SUCCESSION,
            SuccessionRequest.Status.APPROVED,
            today=today,
            reason=reason,
            save_fields=[
                "successor", "decided_by", "decided_on", "decision_reason", "unpaid_won_at_decision"
            ],
        )
        _notify_parties(
            locked, "customer.succession_approved", today, contracts=", ".join(c.number for c in moving)
        )
    request.refresh_from_db()
    return request


def succession_reject(
    *, request: SuccessionRequest, actor: Any, today: dt.date, reason: str
) -> SuccessionRequest:
    """Staff reject a filing with a reason; nothing moves and both parties are told (ACC-8)."""
    if not (reason or "").strip():
        raise DomainError("reason_required", _("반려 사유를 입력해야 합니다."), rule=RULE, field="reason")
    with transaction.atomic(), acting_as(actor, reason=f"{RULE} {request.number}"):
        locked = _lock(request)
        locked.decided_by = current_actor().user
        locked.decided_on = today
        locked.decision_reason = reason.strip()
        locked.unpaid_won_at_decision = unpaid_won(locked.predecessor, today)
        transition(
            locked,
            SUCCESSION,
            SuccessionRequest.Status.REJECTED,
            today=today,
            reason=locked.decision_reason,
            save_fields=["decided_by", "decided_on", "decision_reason", "unpaid_won_at_decision"],
        )
        _notify_parties(locked, "customer.succession_rejected", today)
    request.refresh_from_db()
    return request
