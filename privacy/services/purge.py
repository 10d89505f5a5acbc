"""The ``purge_data`` job (DAT-2, DAT-3, DAT-5, ACC-10, MSG-9): destroy what is due, record each destruction.

For a customer whose data period has ended: the records that must outlive the purge (contracts and
payments, disputes and claims, the minimum identity, damoa's login IDs) are copied into
:class:`~privacy.models.RetainedRecord`, kept apart, each with its own destruction date; then each app's
own erasure service is called explicitly, top down (sla, billing, contracts, messaging with its retention
services, accounts), the customer row becomes a tombstone (``accounts.services.customer_anonymise``), and
the purge refuses (rolling back) if any table still holds the customer's rows. Kept-apart records are
deleted on their own date. Each destruction writes one :class:`~privacy.models.DestructionRecord`
holding table names and counts only.

Safe to run twice and on two workers at once: a customer is locked (``select_for_update``) and
re-checked before anything is written; all of one customer's destruction is one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts import services as accounts_services
from accounts.models import Customer, Member
from billing.services import erasure as billing_erasure
from contracts.effective import effective_policy
from contracts.models import Contract, ContractStatus
from contracts.models.contract import LIVE
from contracts.services import erasure as contracts_erasure
from core.calendar import add_months
from core.clock import start_of_day
from core.erasure import erase_customer_rows
from core.errors import DomainError
from messaging.models import Notice, Recipient
from messaging.services import notify
from messaging.services import retention as messaging_retention
from sla.services import erasure as sla_erasure

from ..models import DeletionRequest, DestructionRecord, ExportRequest, RetainedRecord
from ..notices import EXPORT_REMINDER
from . import retention
from .retention import Schedule

Kind = DestructionRecord.Kind
JOB = "purge_data"


@dataclass
class Planned:
    """One destruction the job would do today (the dry run lists these)."""

    kind: str
    customer_ref: int | None
    due_on: dt.date
    rows: dict[str, int] = field(default_factory=dict)


# --------------------------------------------------------------------------- the plan (dry run)


def _live_counts(customer_id: int) -> dict[str, int]:
    counts = {}
    for model, _paths in retention.customer_tables():
        if model._meta.label in retention.KEPT_TABLES:
            continue
        n = retention.customer_rows(model, customer_id).count()
        if n:
            counts[model._meta.label] = n
    return counts


def purge_plan(*, today: dt.date) -> list[Planned]:
    """What :func:`purge_data` would destroy on ``today``, with row counts; writes nothing (dry run)."""
    plan = [
        Planned(Kind.CUSTOMER_DATA, s.customer_id, s.data_on, _live_counts(s.customer_id))
        for s in retention.customers_due(today)
    ]
    members = retention.dormant_data_due(today)
    if members:
        plan.append(Planned(Kind.DORMANT_DATA, None, today, {"accounts.DormantMemberData": len(members)}))
    for record in RetainedRecord.objects.filter(destroy_on__lte=today):
        plan.append(Planned(record.kind, record.customer_ref, record.destroy_on, dict(record.rows)))
    return plan


# --------------------------------------------------------------------------- the job


def purge_data(*, today: dt.date, user: Any = None, job: str = JOB) -> dict[str, int]:
    """Destroy everything due on ``today``; return counts. ``user`` names the staff member (else the job)."""
    counts: dict[str, int] = defaultdict(int)
    actor = {"user": user, "job": "" if user is not None else job}
    for schedule in retention.customers_due(today):
        if customer_purge(schedule=schedule, today=today, **actor):
            counts["customers_purged"] += 1
    members = retention.dormant_data_due(today)
    if members:
        rows = accounts_services.dormant_data_destroy(member_ids=members)
        if rows["accounts.DormantMemberData"]:
            _record(Kind.DORMANT_DATA, "ACC-10", None, rows, today, method="delete", **actor)
            counts["dormant_members_purged"] += rows["accounts.DormantMemberData"]
    counts["messages_purged"] += _message_records(today)
    counts["export_reminders"] += export_reminders(today=today)
    for record_id in RetainedRecord.objects.filter(destroy_on__lte=today).values_list("pk", flat=True):
        if _retained_destroy(record_id=record_id, today=today, **actor):
            counts["retained_records_destroyed"] += 1
    return dict(counts)


def export_reminders(*, today: dt.date) -> int:
    """DAT-1: remind the customer to download its data once a contract's end is scheduled (once each)."""
    sent = 0
    ending = Contract.objects.filter(status=ContractStatus.TERMINATING, termination_effective_on__gte=today)
    for contract in ending.select_related("customer").order_by("pk"):
        key = f"privacy.export_reminder:{contract.pk}"
        if Notice.objects.filter(dedupe_key=key).exists():
            continue
        notify(
            customer=contract.customer,
            event=EXPORT_REMINDER,
            dedupe_key=key,
            actor=JOB,
            context={
                "contract_number": contract.number,
                "ends_on": str(contract.termination_effective_on),
            },
        )
        sent += 1
    return sent


def _record(
    kind: str,
    rule: str,
    customer_ref: int | None,
    rows: dict[str, int],
    today: dt.date,
    *,
    user: Any,
    job: str,
    method: str,
) -> DestructionRecord:
    rows = {table: n for table, n in rows.items() if n}
    return DestructionRecord.objects.create(
        kind=kind,
        rule=rule,
        customer_ref=customer_ref,
        rows=rows,
        total_rows=sum(rows.values()),
        on_date=today,
        job=job,
        user=user,
        method=method,
    )


def _message_records(today: dt.date) -> int:
    """MSG-9: message records of live customers past ``message_records_retention_months`` (003 art.5-6)."""
    purged = 0
    contracts = Contract.objects.filter(status__in=LIVE).select_related("policy")
    for contract in contracts.prefetch_related("special_terms").order_by("customer_id", "pk"):
        months = effective_policy(contract).message_records_retention_months
        before = start_of_day(add_months(today, -int(months)))
        purged += messaging_retention.messages_purge(customer_id=contract.customer_id, before=before)
    return purged


def _snapshot(labels: tuple[str, ...], customer_id: int) -> tuple[dict[str, Any], dict[str, int]]:
    payload: dict[str, Any] = {}
    rows: dict[str, int] = {}
    for label in labels:
        model = apps.get_model(label)
        qs = retention.customer_rows(model, customer_id).order_by("pk")
        data = json.loads(serializers.serialize("json", qs, cls=DjangoJSONEncoder))
        if data:
            payload[label] = data
            rows[label] = len(data)
    return payload, rows


def customer_purge(
    *, schedule: Schedule, today: dt.date, user: Any = None, job: str = JOB, rule: str = "DAT-2"
) -> bool:
    """Purge one customer whose data period has ended (or who asked, DAT-4); False if already done."""
    customer_id = schedule.customer_id
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer_id)
        if customer.status == Customer.Status.PURGED:
            return False
        kept = [
            (Kind.CONTRACT_RECORDS, "DAT-3", retention.CONTRACT_RECORD_TABLES, schedule.contract_records_on),
            (Kind.DISPUTE_RECORDS, "DAT-3", retention.DISPUTE_RECORD_TABLES, schedule.dispute_records_on),
        ]
        for kind, kind_rule, labels, destroy_on in kept:
            payload, rows = _snapshot(labels, customer_id)
            if payload and destroy_on > today:
                RetainedRecord.objects.create(
                    kind=kind,
                    customer_ref=customer_id,
                    payload=payload,
                    rows=rows,
                    kept_from=today,
                    destroy_on=destroy_on,
                    rule=kind_rule,
                )
        if schedule.identity_on > today:
            identity = {
                "legal_name": customer.legal_name,
                "business_number": customer.business_number,
                "representative_name": customer.representative_name,
                "kind": customer.kind,
            }
            RetainedRecord.objects.create(
                kind=Kind.IDENTITY,
                customer_ref=customer_id,
                payload=identity,
                rows={"accounts.Customer": 1},
                kept_from=today,
                destroy_on=schedule.identity_on,
                rule="DAT-3",
            )
        if schedule.login_ids_on and schedule.login_ids_on > today:
            login_ids = sorted(
                Member.objects.filter(customer_id=customer_id).values_list("login_id", flat=True)
            )
            RetainedRecord.objects.create(
                kind=Kind.LOGIN_IDS,
                customer_ref=customer_id,
                payload={"login_ids": login_ids},
                rows={"accounts.Member": len(login_ids)},
                kept_from=today,
                destroy_on=schedule.login_ids_on,
                rule="DAT-2",
            )
        rows = _erase_everywhere(customer_id)
        _record(Kind.CUSTOMER_DATA, rule, customer_id, rows, today, user=user, job=job, method="delete")
    return True


def _add(total: dict[str, int], part: dict[str, int]) -> None:
    for label, n in part.items():
        total[label] = total.get(label, 0) + n


def _erase_everywhere(customer_id: int) -> dict[str, int]:
    """Each app's own erasure, explicitly and from the top down (a higher app's rows point at a lower
    app's, whose paths must still resolve), then the customer row becomes a tombstone. Refuses (and so
    rolls the purge back) if any table still holds the customer's rows: a table nobody erases."""
    rows: dict[str, int] = {}
    own = (ExportRequest, DeletionRequest)
    _add(rows, erase_customer_rows(own, customer_model=Customer, customer_id=customer_id))
    _add(rows, sla_erasure.customer_data_erase(customer_id=customer_id))
    _add(rows, billing_erasure.customer_data_erase(customer_id=customer_id))
    _add(rows, contracts_erasure.customer_data_erase(customer_id=customer_id))
    # messaging's retention rules first (MSG-9; recipients at contract end, 003 art.10-2), then the rest
    recipients = Recipient.objects.filter(customer_id=customer_id).count()
    messaging_retention.recipients_erase(customer_id=customer_id)
    _add(rows, {"messaging.Recipient": recipients})
    _add(rows, messaging_retention.customer_data_erase(customer_id=customer_id))
    _add(rows, accounts_services.customer_data_erase(customer_id=customer_id))
    _add(rows, {"accounts.HistoricalCustomer": Customer.history.model.objects.filter(id=customer_id).count()})
    accounts_services.customer_anonymise(customer_id=customer_id)
    left = {label: n for label, n in _live_counts(customer_id).items() if n}
    if left:
        raise DomainError(
            "purge_incomplete",
            _("파기 규칙이 없는 테이블에 고객 데이터가 남아 있어 파기를 취소했습니다: {tables}"),
            rule="DAT-2",
            tables=", ".join(sorted(left)),
        )
    return rows


def _retained_destroy(*, record_id: int, today: dt.date, user: Any, job: str) -> bool:
    with transaction.atomic():
        record = RetainedRecord.objects.select_for_update(skip_locked=True).filter(pk=record_id).first()
        if record is None or record.destroy_on > today:
            return False
        rows = dict(record.rows)
        _record(
            record.kind, record.rule, record.customer_ref, rows, today, user=user, job=job, method="delete"
        )
        record.delete()
    return True
