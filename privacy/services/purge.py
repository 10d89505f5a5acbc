"""The ``purge_data`` job (DAT-2, DAT-3, DAT-5, ACC-10, MSG-9): destroy what is due, record each destruction.

For a customer whose data period has ended: the records that must outlive the purge (contracts and
payments, disputes and claims, the minimum identity, damoa's login IDs) are copied into
:class:`~privacy.models.RetainedRecord`, kept apart, each with its own destruction date; then every
row of every table with a foreign-key path to the customer is deleted for real (messaging's own
retention services first), the members' logins are deleted, and the customer row becomes a tombstone
(``accounts.services.customer_anonymise``). Kept-apart records are deleted on their own date. Each
destruction writes one :class:`~privacy.models.DestructionRecord` holding table names and counts only.

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
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from accounts import services as accounts_services
from accounts.models import Customer, Member, PersonalDataAccess
from contracts.effective import effective_policy
from contracts.models import Contract, ContractStatus
from contracts.models.contract import LIVE
from core.calendar import add_months
from core.clock import start_of_day
from core.models import StatusTransition
from messaging.models import Notice, Recipient
from messaging.services import notify
from messaging.services import retention as messaging_retention

from ..models import DestructionRecord, RetainedRecord
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
    for model, paths in retention.customer_tables():
        if model._meta.label in retention.KEPT_TABLES:
            continue
        n = retention.customer_rows(model, paths, customer_id).count()
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
    tables = dict(retention.customer_tables())
    for label in labels:
        model = apps.get_model(label)
        qs = retention.customer_rows(model, tables[model], customer_id).order_by("pk")
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
    files: list[tuple[Any, str]] = []
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
        # messaging's own retention services first (MSG-9, 003 art.10-2), then every table
        messages = messaging_retention.messages_purge(
            customer_id=customer_id, before=start_of_day(add_months(today, 1200))
        )
        recipients = Recipient.objects.filter(customer_id=customer_id).count()
        messaging_retention.recipients_erase(customer_id=customer_id)
        rows = _delete_customer_rows(customer_id, files)
        for label, n in (
            ("messaging.Message", messages),
            ("messaging.Recipient", recipients),
            ("accounts.HistoricalCustomer", Customer.history.model.objects.filter(id=customer_id).count()),
        ):
            rows[label] = rows.get(label, 0) + n
        accounts_services.customer_anonymise(customer_id=customer_id)
        _record(Kind.CUSTOMER_DATA, rule, customer_id, rows, today, user=user, job=job, method="delete")
        transaction.on_commit(lambda: _delete_files(files))
    return True


def _delete_customer_rows(customer_id: int, files: list[tuple[Any, str]]) -> dict[str, int]:
    """Delete the customer's rows in every table but the kept ones; return rows per table.

    The ids are collected first (paths run through rows that are deleted), then each table is
    deleted directly; PostgreSQL checks the (deferred) foreign keys at commit, when all are gone.
    """
    targets: list[tuple[type[models.Model], list[Any]]] = []
    for model, paths in retention.customer_tables():
        if model._meta.label in retention.KEPT_TABLES:
            continue
        pks = list(retention.customer_rows(model, paths, customer_id).values_list("pk", flat=True))
        if pks:
            targets.append((model, pks))
    member_ids = [pk for model, pks in targets if model is Member for pk in pks]
    user_ids = list(Member.objects.filter(pk__in=member_ids).values_list("user_id", flat=True))
    PersonalDataAccess.objects.filter(member_id__in=member_ids).update(member=None)
    rows: dict[str, int] = {}
    for model, pks in targets:
        file_fields = [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
        if file_fields:
            for obj in model._base_manager.filter(pk__in=pks):
                files.extend(
                    (getattr(obj, f.name).storage, getattr(obj, f.name).name)
                    for f in file_fields
                    if getattr(obj, f.name)
                )
        ct = ContentType.objects.get_for_model(model, for_concrete_model=False)
        StatusTransition.objects.filter(content_type=ct, object_id__in=pks).delete()
        LogEntry.objects.filter(content_type=ct, object_id__in=[str(pk) for pk in pks]).delete()
        qs = model._base_manager.filter(pk__in=pks)
        rows[model._meta.label] = qs._raw_delete(qs.db)
    rows["auth.User"] = _delete_users(user_ids)
    return rows


def _delete_users(user_ids: list[int]) -> int:
    """Delete the members' logins; references from rows that stay (audit columns) are cleared first."""
    if not user_ids:
        return 0
    user_model = get_user_model()
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if f.is_relation and f.related_model is user_model and f.null and model is not Member:
                model._base_manager.filter(**{f"{f.name}__in": user_ids}).update(**{f.name: None})
    deleted = user_model.objects.filter(pk__in=user_ids).delete()[1]
    return int(deleted.get(user_model._meta.label, 0))


def _delete_files(files: list[tuple[Any, str]]) -> None:
    for storage, name in files:
        storage.delete(name)


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
