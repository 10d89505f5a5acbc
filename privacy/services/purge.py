"""The ``purge_data`` job (DAT-2, DAT-3, DAT-5, ACC-10, MSG-9): destroy what is due, record each destruction.

For a customer whose data period has ended, each app's own erasure service is called explicitly, top
down (sla, billing, contracts, messaging with its retention services, accounts):

* the records the law keeps (DAT-3: contracts and payments 5 years, disputes and claims 3 years) stay
  in place in their own tables, anonymised by their app (``records_scrub``) and listed by a
  :class:`~privacy.models.RetainedRecord` per kind (table → ids) with its own destruction date, on
  which exactly those rows are deleted; the minimum identity and damoa's login IDs are kept in a
  record's payload; everything else is deleted for real and the customer row becomes a tombstone
  (``accounts.services.customer_anonymise``);
* while the customer still owes money or has something open with billing (``retention.money_hold``:
  billing's ``money_open`` and open SLA claims), its contract, billing and SLA money rows stay live and
  unchanged and so does the customer row (what collection needs); its members, their logins and the
  content billing does not need still go on the policy's day. The rest follows on the first run after
  it is settled.

The purge refuses (rolling back) if any table still holds the customer's rows it should have
destroyed. Each destruction writes one :class:`~privacy.models.DestructionRecord` holding table names
and counts only. Safe to run twice and on two workers at once: a customer is locked
(``select_for_update``) and re-checked before anything is written; all of one customer's destruction
is one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts import services as accounts_services
from accounts.models import Customer, Member
from billing.services import erasure as billing_erasure
from contracts.effective import policy_values
from contracts.models import Contract, ContractStatus, ContractTransition
from contracts.models.contract import LIVE
from contracts.services import erasure as contracts_erasure
from contracts.services.lifecycle import portal_export_url
from core.audit import acting_as
from core.calendar import add_months
from core.clock import start_of_day
from core.erasure import SCRUBBED_ACTOR, customers_with_rows, erase_customer_rows, erase_rows
from core.errors import DomainError
from core.jobs import run_batches
from core.models import StatusTransition
from messaging.models import Notice, Recipient
from messaging.services import NoticeRequest, notify_many
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
    #: rows that stay in place, anonymised (DAT-3), by table
    kept: dict[str, int] = field(default_factory=dict)
    #: why the contract and billing records wait (money owed), if they do
    hold: retention.Hold | None = None

    @property
    def held(self) -> list[str]:
        return self.hold.staff_reasons() if self.hold else []


# --------------------------------------------------------------------------- the plan (dry run)


def _live_counts(customer_id: int, keep: dict[str, list[int]] | None = None) -> dict[str, int]:
    """Rows of the customer in every table holding customer data, bar the ``keep`` ids and KEPT_TABLES."""
    keep = keep or {}
    counts = {}
    for model, _paths in retention.customer_tables():
        label = model._meta.label
        if label in retention.KEPT_TABLES:
            continue
        qs = retention.customer_rows(model, customer_id)
        if keep.get(label):
            qs = qs.exclude(pk__in=keep[label])
        n = qs.count()
        if n:
            counts[label] = n
    return counts


def _held_labels() -> set[str]:
    """What stays live while money is owed: every billing, contracts and SLA table except the members'
    rows (seat assignments) and the customer's content (incidents); the customer row and its history."""
    models_ = [*billing_erasure.TABLES, *contracts_erasure.TABLES, *sla_erasure.TABLES]
    gone = {m._meta.label for m in (*contracts_erasure.MEMBER_TABLES, *sla_erasure.CONTENT_TABLES)}
    return {m._meta.label for m in models_} - gone


def _held_with_nothing_to_erase(customer_ids: list[int]) -> set[int]:
    """The customers of a batch that money still holds and that have nothing left of what goes while it
    does (members, content): :func:`customer_purge` would do nothing for them. A few queries for the whole
    batch instead of about seventy per customer each day until they pay (issue 16); the purge itself
    re-checks under the customer's lock."""
    held = retention.money_held(customer_ids)
    if not held:
        return set()
    labels = _held_labels() | set(retention.KEPT_TABLES)
    tables = [model for model, _paths in retention.customer_tables() if model._meta.label not in labels]
    return held - customers_with_rows(tables, customer_model=Customer, customer_ids=held)


def _counts(ids: dict[str, list[int]]) -> dict[str, int]:
    return {label: len(pks) for label, pks in ids.items() if pks}


def customer_plan(schedule: Schedule, today: dt.date) -> Planned:
    """What the purge of one due customer would do today: rows destroyed, rows kept in place, or the
    money that holds the contract and billing records."""
    customer_id = schedule.customer_id
    hold = retention.money_hold(customer_id)
    if hold is not None:
        held = _held_labels()
        rows = {label: n for label, n in _live_counts(customer_id).items() if label not in held}
        return Planned(Kind.CUSTOMER_DATA, customer_id, schedule.data_on, rows, hold=hold)
    keep = retention.merged_ids(retention.record_ids(schedule, today))
    return Planned(
        Kind.CUSTOMER_DATA, customer_id, schedule.data_on, _live_counts(customer_id, keep), _counts(keep)
    )


def purge_plan(*, today: dt.date) -> list[Planned]:
    """What :func:`purge_data` would destroy on ``today``, with row counts; writes nothing (dry run)."""
    plan = [customer_plan(s, today) for s in retention.customers_due(today)]
    members = retention.dormant_data_due(today)
    if members:
        plan.append(Planned(Kind.DORMANT_DATA, None, today, {"accounts.DormantMemberData": len(members)}))
    for record in _retained_due(today):
        plan.append(Planned(record.kind, record.customer_ref, record.destroy_on, dict(record.rows)))
    return plan


def _retained_due(today: dt.date) -> list[RetainedRecord]:
    """Kept records due on ``today``, disputes before contracts of the same day (a dispute points at
    its invoice)."""
    order: dict[str, int] = {Kind.DISPUTE_RECORDS: 0, Kind.CONTRACT_RECORDS: 1}
    rows = list(RetainedRecord.objects.filter(destroy_on__lte=today))
    return sorted(rows, key=lambda r: (r.destroy_on, order.get(r.kind, 2), r.pk))


# --------------------------------------------------------------------------- the job


#: Rows per batch of the purge job: customers whose messages are checked, contracts reminded, kept records.
BATCH_SIZE = 500
#: Due customers per batch (each customer's destruction is its own transaction).
CUSTOMER_BATCH = 50
#: The counts every run reports, even when nothing was due (the rest appear when they happen).
ZERO = {"messages_purged": 0, "export_reminders": 0}


def _chunks(kind: str, ids: list[int], size: int) -> list[dict[str, Any]]:
    return [{"kind": kind, "ids": ids[i : i + size]} for i in range(0, len(ids), size)]


def purge_data_plan(*, today: dt.date) -> list[dict[str, Any]]:
    """The purge job's batches for ``today`` (issue 19), in the order they run: the customers due (DAT-2),
    the dormant members' separated data (ACC-10), the message records of live customers (MSG-9), the
    export reminders (DAT-1) and the kept records due (DAT-3). Cheap: a few reads, no locks."""
    plan = _chunks("customers", [s.customer_id for s in retention.customers_due(today)], CUSTOMER_BATCH)
    plan.append({"kind": "dormant"})
    plan += _chunks("messages", _live_customer_ids(), BATCH_SIZE)
    plan += _chunks("reminders", _ending_contract_ids(today), BATCH_SIZE)
    plan += _chunks("retained", [r.pk for r in _retained_due(today)], BATCH_SIZE)
    return plan


def purge_data_batch(
    *, today: dt.date, payload: dict[str, Any], user: Any = None, job: str = JOB
) -> dict[str, int]:
    """One batch of :func:`purge_data_plan`; idempotent (a second run, or a second worker, finds the work
    done: a purged customer, a destroyed record or a reminder already sent is skipped). ``user`` names the
    staff member (else the job)."""
    counts: dict[str, int] = defaultdict(int)
    actor = {"user": user, "job": "" if user is not None else job}
    kind, ids = payload.get("kind"), [int(pk) for pk in payload.get("ids", [])]
    if kind == "customers":
        schedules = retention.schedules_for(ids)
        due = {cid: s for cid, s in schedules.items() if s is not None and s.data_on <= today}
        idle = _held_with_nothing_to_erase(list(due))
        for customer_id in ids:
            schedule = due.get(customer_id)
            if schedule is None or customer_id in idle:
                continue
            outcome = customer_purge(schedule=schedule, today=today, **actor)
            if outcome == PURGED:
                counts["customers_purged"] += 1
            elif outcome == HELD:
                counts["customers_held"] += 1
    elif kind == "dormant":
        members = retention.dormant_data_due(today)
        if members:
            rows = accounts_services.dormant_data_destroy(member_ids=members)
            if rows["accounts.DormantMemberData"]:
                _record(Kind.DORMANT_DATA, "ACC-10", None, rows, today, method="delete", **actor)
                counts["dormant_members_purged"] += rows["accounts.DormantMemberData"]
    elif kind == "messages":
        counts["messages_purged"] += _message_records(today, ids)
    elif kind == "reminders":
        counts["export_reminders"] += export_reminders(today=today, contract_ids=ids)
    elif kind == "retained":
        for record_id in ids:
            if _retained_destroy(record_id=record_id, today=today, **actor):
                counts["retained_records_destroyed"] += 1
    return dict(counts)


def purge_data(*, today: dt.date, user: Any = None, job: str = JOB) -> dict[str, int]:
    """Destroy everything due on ``today``; return counts. ``user`` names the staff member (else the job).
    Batched (:func:`purge_data_plan`, :func:`purge_data_batch`)."""
    return run_batches(
        purge_data_plan, partial(purge_data_batch, user=user, job=job), today=today, zero=ZERO
    )


def _ending_contract_ids(today: dt.date) -> list[int]:
    ending = Contract.objects.filter(status=ContractStatus.TERMINATING, termination_effective_on__gte=today)
    return list(ending.order_by("pk").values_list("pk", flat=True))


def export_reminders(*, today: dt.date, contract_ids: list[int] | None = None) -> int:
    """DAT-1: remind the customer to download its data once a contract's end is scheduled (once each).
    Set-based (issue 16): the keys already used read at once, the new reminders sent with ``notify_many``."""
    ending = Contract.objects.filter(status=ContractStatus.TERMINATING, termination_effective_on__gte=today)
    if contract_ids is not None:
        ending = ending.filter(pk__in=contract_ids)
    contracts = list(ending.select_related("customer").order_by("pk"))
    keys = {c.pk: f"privacy.export_reminder:{c.pk}" for c in contracts}
    sent = set(Notice.objects.filter(dedupe_key__in=keys.values()).values_list("dedupe_key", flat=True))
    requests = [
        NoticeRequest(
            customer=contract.customer,
            event=EXPORT_REMINDER,
            dedupe_key=keys[contract.pk],
            context={
                "contract_number": contract.number,
                "ends_on": str(contract.termination_effective_on),
                "export_url": portal_export_url(),
            },
        )
        for contract in contracts
        if keys[contract.pk] not in sent
    ]
    if not requests:
        return 0
    with acting_as(job=JOB):
        return len(notify_many(requests))  # the reminders sent now (another worker's are not counted)


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


def _live_customer_ids() -> list[int]:
    return list(
        Contract.objects.filter(status__in=LIVE).order_by("customer_id").distinct().values_list(
            "customer_id", flat=True
        )
    )


def _message_records(today: dt.date, customer_ids: list[int] | None = None) -> int:
    """MSG-9: message records of live customers past ``message_records_retention_months`` (003 art.5-6).
    A customer with several live contracts keeps its messages for the shortest of their periods (each
    contract's cut-off applies); customers with the same cut-off are purged together (issue 16)."""
    contracts = Contract.objects.filter(status__in=LIVE)
    if customer_ids is not None:
        contracts = contracts.filter(customer_id__in=customer_ids)
    cutoffs: dict[int, dt.datetime] = {}
    for _pk, customer_id, months in policy_values(contracts, "message_records_retention_months"):
        before = start_of_day(add_months(today, -int(months)))
        cutoffs[customer_id] = max(before, cutoffs.get(customer_id, before))
    by_cutoff: dict[dt.datetime, list[int]] = defaultdict(list)
    for customer_id, before in cutoffs.items():
        by_cutoff[before].append(customer_id)
    return sum(
        messaging_retention.messages_purge_many(customer_ids=ids, before=before)
        for before, ids in sorted(by_cutoff.items())
    )


#: What :func:`customer_purge` did.
PURGED = "purged"
HELD = "held"


def customer_purge(
    *,
    schedule: Schedule,
    today: dt.date,
    user: Any = None,
    job: str = JOB,
    rule: str = "DAT-2",
    refuse_while_owed: bool = False,
) -> str | None:
    """Purge one customer whose data period has ended (or who asked, DAT-4).

    Returns ``PURGED``, ``HELD`` (money is owed: the members and content went, the contract and
    billing records wait) or None (nothing left to do today). With ``refuse_while_owed`` (DAT-4) money
    owed refuses the whole purge instead, changing nothing.
    """
    customer_id = schedule.customer_id
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer_id)
        if customer.status == Customer.Status.PURGED:
            return None
        hold = retention.money_hold(customer_id)
        if hold is not None:
            if refuse_while_owed:
                raise DomainError(
                    "money_owed",
                    _(
                        "미납 요금이나 처리 중인 이의신청·환불·보상 청구가 있어 지금은 삭제할 수 없습니다. "
                        "정산을 마친 뒤 다시 요청해 주세요."
                    ),
                    rule="DAT-4",
                )
            rows = _erase_held(customer_id)
            if not rows:
                return None
            _record(Kind.CUSTOMER_DATA, rule, customer_id, rows, today, user=user, job=job, method="delete")
            return HELD
        ids = retention.record_ids(schedule, today)
        keep = retention.merged_ids(ids)
        _detach_members(customer_id)
        scrubbed: dict[str, int] = {}
        for app_erasure in (sla_erasure, billing_erasure, contracts_erasure):
            _add(scrubbed, app_erasure.records_scrub(ids=keep))
        for kind, tables in ids.items():
            RetainedRecord.objects.create(
                kind=kind,
                customer_ref=customer_id,
                tables=tables,
                rows=_counts(tables),
                kept_from=today,
                destroy_on=retention.record_destroy_on(schedule, kind),
                rule="DAT-3",
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
        rows = _erase_everywhere(customer_id, keep)
        _add(rows, {f"{label}(anonymised)": n for label, n in scrubbed.items()})
        method = "delete_anonymise" if scrubbed else "delete"
        _record(Kind.CUSTOMER_DATA, rule, customer_id, rows, today, user=user, job=job, method=method)
    return PURGED


def _add(total: dict[str, int], part: dict[str, int]) -> None:
    for label, n in part.items():
        total[label] = total.get(label, 0) + n


def _detach_members(customer_id: int) -> None:
    """Rows that stay lose their reference to the customer's members and their logins before those go:
    every nullable foreign key to a member is cleared and every ``actor`` label naming one of their
    logins becomes ``member:purged`` (the status logs included)."""
    member_ids = list(Member.objects.filter(customer_id=customer_id).values_list("pk", flat=True))
    if not member_ids:
        return
    labels = [
        f"user:{name}"
        for name in get_user_model()
        .objects.filter(member__customer_id=customer_id)
        .values_list("username", flat=True)
    ]
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if f.is_relation and f.related_model is Member and f.null:
                model._base_manager.filter(**{f"{f.name}__in": member_ids}).update(**{f.name: None})
    if not labels:
        return
    for model, _paths in retention.customer_tables():
        if any(f.name == "actor" for f in model._meta.concrete_fields):
            retention.customer_rows(model, customer_id).filter(actor__in=labels).update(actor=SCRUBBED_ACTOR)
    for model in (StatusTransition, ContractTransition):
        model.objects.filter(actor__in=labels).update(actor=SCRUBBED_ACTOR)


def _erase_members_and_content(customer_id: int) -> dict[str, int]:
    """What goes on the policy's day in any case: the privacy app's own requests, the customer's
    incidents, messaging (its retention rules first: MSG-9; recipients at contract end, 003 art.10-2),
    seat assignments, then the members and their logins."""
    rows: dict[str, int] = {}
    own = (ExportRequest, DeletionRequest)
    _add(rows, erase_customer_rows(own, customer_model=Customer, customer_id=customer_id))
    _add(rows, sla_erasure.content_erase(customer_id=customer_id))
    _add(rows, contracts_erasure.member_data_erase(customer_id=customer_id))
    recipients = Recipient.objects.filter(customer_id=customer_id).count()
    messaging_retention.recipients_erase(customer_id=customer_id)
    _add(rows, {"messaging.Recipient": recipients})
    _add(rows, messaging_retention.customer_data_erase(customer_id=customer_id))
    _detach_members(customer_id)
    _add(rows, accounts_services.customer_data_erase(customer_id=customer_id))
    return {label: n for label, n in rows.items() if n}


def _erase_held(customer_id: int) -> dict[str, int]:
    """Money is owed: members and content go, every contract, billing and SLA money row stays live."""
    return _erase_members_and_content(customer_id)


def _erase_everywhere(customer_id: int, keep: dict[str, list[int]]) -> dict[str, int]:
    """Each app's own erasure, explicitly and from the top down (a higher app's rows point at a lower
    app's, whose paths must still resolve), bar the rows kept in place (``keep``); then the customer row
    becomes a tombstone. Refuses (and so rolls the purge back) if any table still holds the customer's
    rows: a table nobody erases."""
    rows: dict[str, int] = {}
    _add(rows, sla_erasure.customer_data_erase(customer_id=customer_id, keep=keep))
    _add(rows, billing_erasure.customer_data_erase(customer_id=customer_id, keep=keep))
    _add(rows, contracts_erasure.customer_data_erase(customer_id=customer_id, keep=keep))
    _add(rows, _erase_members_and_content(customer_id))
    _add(rows, {"accounts.HistoricalCustomer": Customer.history.model.objects.filter(id=customer_id).count()})
    accounts_services.customer_anonymise(customer_id=customer_id)
    left = {label: n for label, n in _live_counts(customer_id, keep).items() if n}
    if left:
        raise DomainError(
            "purge_incomplete",
            _("파기 규칙이 없는 테이블에 고객 데이터가 남아 있어 파기를 취소했습니다: {tables}"),
            rule="DAT-2",
            tables=", ".join(sorted(left)),
        )
    return {label: n for label, n in rows.items() if n}


def _retained_destroy(*, record_id: int, today: dt.date, user: Any, job: str) -> bool:
    """Delete a kept record on its own date: the rows it lists (DAT-3), or its payload; one record."""
    with transaction.atomic():
        record = RetainedRecord.objects.select_for_update(skip_locked=True).filter(pk=record_id).first()
        if record is None or record.destroy_on > today:
            return False
        if record.tables:
            rows = {
                label: erase_rows(apps.get_model(label), pks) for label, pks in dict(record.tables).items()
            }
        else:
            rows = dict(record.rows)
        _record(
            record.kind, record.rule, record.customer_ref, rows, today, user=user, job=job, method="delete"
        )
        record.delete()
    return True
