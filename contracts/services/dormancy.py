"""ACC-10: inactive accounts (001 art.15-1,2, art.16-3; PIPA art.21(3)).

A member with no login for the dormancy period gets an email ``dormancy_notice_days`` before, then
becomes dormant: ``accounts.services.member_make_dormant`` moves the personal data to a separate table
and disables the login; ``member_reactivate`` brings it back when the member logs in again.

The period comes from the customer's live contracts (their effective policies, special terms included):
the shortest ``dormancy_days`` among them, with that policy's notice days (the longest notice when two
policies tie); without live contracts the policy defaults (365 and 30). A policy with
``dormancy_days = 0`` has no dormancy rule; a customer whose live contracts all say 0 is skipped.
Inactivity counts from ``Member.last_seen_on`` (set by ``accounts.services.member_record_login`` at
every portal or API login), or from the day the member was created if they never logged in.

The member always gets the full notice period: dormancy comes on the later of the end of the
inactivity period and ``notice day + notice days``.

The job is idempotent and safe on several workers: each member is handled in its own transaction under
a ``SELECT … FOR UPDATE SKIP LOCKED`` row lock, the notice is sent once (``Member.dormant_notice_sent_on``
plus a dedupe key per inactivity spell), and dormancy happens once (only active members qualify).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import DateField, F, Q
from django.db.models.functions import Coalesce, TruncDate

from accounts import services as account_services
from accounts.models import Customer, Member
from core import clock
from core.audit import acting_as
from messaging.models import Channel
from messaging.services import notify

from ..effective import effective_policy
from ..models import Contract, Policy
from ..models.contract import LIVE

__all__ = ["JOB", "Threshold", "dormancy_thresholds", "dormant_accounts"]

JOB = "dormant_accounts"
EVENT = "member.dormancy_notice"


@dataclass(frozen=True)
class Threshold:
    days: int
    notice_days: int


def _default() -> Threshold:
    return Threshold(
        days=int(Policy._meta.get_field("dormancy_days").get_default()),
        notice_days=int(Policy._meta.get_field("dormancy_notice_days").get_default()),
    )


def _threshold(policy: Any) -> Threshold:
    return Threshold(int(policy.dormancy_days or 0), int(policy.dormancy_notice_days or 0))


def dormancy_thresholds(customer_ids: list[int] | None = None) -> dict[int, Threshold | None]:
    """customer id → its dormancy threshold, for customers with live contracts (``None``: no dormancy);
    ``customer_ids``: only those customers' (issue 16: the job asks only for its candidates')."""
    found: dict[int, list[Threshold]] = {}
    contracts = (
        Contract.objects.filter(status__in=LIVE).select_related("policy").prefetch_related("special_terms")
    )
    if customer_ids is not None:
        contracts = contracts.filter(customer_id__in=customer_ids)
    for contract in contracts.iterator(chunk_size=500):
        found.setdefault(contract.customer_id, []).append(_threshold(effective_policy(contract)))
    result: dict[int, Threshold | None] = {}
    for customer_id, items in found.items():
        active = [t for t in items if t.days > 0]
        # shortest period; on a tie the longest notice
        result[customer_id] = min(active, key=lambda t: (t.days, -t.notice_days)) if active else None
    return result


def _shortest_lead(default: Threshold) -> int:
    """The fewest days between a member's last login and its notice any live contract allows: over the
    policy versions live contracts use and the live contracts with a dormancy special term (each read
    once, not every live contract: issue 16), and the defaults."""
    live = Contract.objects.filter(status__in=LIVE)
    thresholds = [default]
    thresholds += [_threshold(p) for p in Policy.objects.filter(pk__in=live.values("policy_id"))]
    special = live.filter(
        special_terms__active=True, special_terms__parameter__in=["dormancy_days", "dormancy_notice_days"]
    ).distinct()
    for contract in special.select_related("policy").prefetch_related("special_terms"):
        thresholds.append(_threshold(effective_policy(contract)))
    leads = [t.days - t.notice_days for t in thresholds if t.days > 0]  # 0 days: no dormancy at all
    return min(leads) if leads else 0


def dormant_accounts(*, today: dt.date) -> dict[str, int]:
    """The daily job (SPEC §10, 06:00): notices, then dormancy. Returns counts.

    The members whose inactivity reaches the shortest notice lead any live contract allows are read in
    SQL; only their customers' thresholds are computed (issue 16: every live contract's policy was read
    every day)."""
    with acting_as(job=JOB, reason="ACC-10"):
        default = _default()
        cutoff = today - dt.timedelta(days=max(0, _shortest_lead(default)))
        baseline = Coalesce(
            F("last_seen_on"), TruncDate("created_at", tzinfo=clock.SEOUL), output_field=DateField()
        )
        rows = list(
            Member.objects.filter(
                status=Member.Status.ACTIVE,
                customer__status__in=[Customer.Status.ACTIVE, Customer.Status.DORMANT],
            )
            .annotate(baseline=baseline)
            .filter(Q(baseline__lte=cutoff))
            .order_by("pk")
            .values_list("pk", "customer_id")
        )
        thresholds = dormancy_thresholds(sorted({customer_id for _pk, customer_id in rows})) if rows else {}
        counts = {"candidates": len(rows), "noticed": 0, "dormant": 0, "skipped_locked": 0}
        for member_id, _customer_id in rows:
            outcome = _process(member_id, thresholds, default, today)
            if outcome in counts:
                counts[outcome] += 1
    return counts


def _process(
    member_id: int, thresholds: dict[int, Threshold | None], default: Threshold, today: dt.date
) -> str:
    with transaction.atomic():
        member = (
            Member.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("customer")
            .filter(pk=member_id, status=Member.Status.ACTIVE)
            .first()
        )
        if member is None:
            exists = Member.objects.filter(pk=member_id, status=Member.Status.ACTIVE).exists()
            return "skipped_locked" if exists else "none"
        threshold = thresholds.get(member.customer_id, default)
        if threshold is None:
            return "none"
        baseline = member.last_seen_on or clock.to_seoul_date(member.created_at)
        dormant_on = baseline + dt.timedelta(days=threshold.days)
        notice = dt.timedelta(days=threshold.notice_days)
        if member.dormant_notice_sent_on is not None:
            if today >= max(dormant_on, member.dormant_notice_sent_on + notice):
                account_services.member_make_dormant(member=member, today=today, job=JOB)
                return "dormant"
            return "none"
        if today < dormant_on - notice:
            return "none"
        planned = max(dormant_on, today + notice)
        notify(
            customer=member.customer,
            event=EVENT,
            members=[member],
            channels=(Channel.EMAIL,),
            context={
                "member_name": member.name,
                "login_id": member.login_id,
                "last_seen_on": member.last_seen_on.isoformat() if member.last_seen_on else "",
                "dormant_on": planned.isoformat(),
                "inactive_days": (today - baseline).days,
            },
            dedupe_key=f"member:{member.pk}:dormancy_notice:{baseline.isoformat()}",
            actor=JOB,
        )
        member.dormant_notice_sent_on = today
        member.save(update_fields=["dormant_notice_sent_on", "updated_at"])
        return "noticed"
