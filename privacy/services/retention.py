"""Who is purged when (DAT-2, DAT-3, ACC-10), every period read from the contract's effective policy.

A customer is due once none of its contracts is open or live any more: its data goes
``data_retention_months`` after the last contract ended (officecore 6, damoa 1, dcloud/flow/kgmsg 0);
damoa's login IDs ``login_id_retention_months`` after it; the records kept in place (DAT-3) go after
their own periods, counted from the same end date, and wait while money is owed (:func:`money_hold`).
Where a customer's contracts were under different policies, the longest period wins (the customer is
never purged earlier than one of its terms allows).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer, DormantMemberData
from billing.services import erasure as billing_erasure
from billing.services.erasure import MoneyOpen
from contracts.effective import effective_policy
from contracts.models import Contract, ContractStatus, Policy
from core import erasure
from core.calendar import add_months
from core.erasure import customer_paths
from sla.services import erasure as sla_erasure

from ..models import DestructionRecord

#: Contract states after which nothing more happens to the contract.
ENDED = (ContractStatus.TERMINATED, ContractStatus.WITHDRAWN)
FINISHED = (*ENDED, ContractStatus.REJECTED, ContractStatus.PURGED)

#: Tables with a path to a customer whose rows stay after the purge, and why. Every other such table is
#: emptied for the customer (tests check it through the app registry), bar the records kept in place
#: until their own date (``RECORD_KINDS``, listed by a ``RetainedRecord``).
KEPT_TABLES = {
    "accounts.PersonalDataAccess": "DAT-6: the staff access log is the operator's record; it points at the "
    "customer's tombstone and holds no member reference after the purge",
}

#: Tables whose rows are kept in place, anonymised, after the purge (DAT-3), by kind.
CONTRACT_RECORD_TABLES = (
    "contracts.Contract",
    "contracts.ContractPeriod",
    "contracts.TermsConsent",
    "contracts.SpecialTerm",
    "billing.Invoice",
    "billing.InvoiceLine",
    "billing.CreditNote",
    "billing.Payment",
    "billing.Refund",
    "billing.CardRefund",  # the card cancellation of a refund goes with it (its key protects the refund)
    "billing.LedgerEntry",
    "billing.TaxInvoice",
    "billing.Settlement",
    "billing.LateCharge",
)
#: The SLA months a kept claim is about stay with it (a claim cannot outlive its month); other months go.
DISPUTE_RECORD_TABLES = ("billing.Dispute", "sla.SlaClaim", "sla.SlaMonth")


@dataclass(frozen=True)
class Schedule:
    """The retention calendar of one ended customer (all dates inclusive: destroyed on that day)."""

    customer_id: int
    preset: str
    ended_on: dt.date
    data_on: dt.date
    login_ids_on: dt.date | None
    contract_records_on: dt.date
    dispute_records_on: dt.date
    identity_on: dt.date


def _ended_on(contract: Contract) -> dt.date | None:
    return contract.terminated_on or contract.withdrawn_on or contract.termination_effective_on


def customer_schedule(customer_id: int) -> Schedule | None:
    """The customer's retention dates, or None while a contract is open or live (or none ever ended)."""
    return schedules_for([customer_id])[customer_id]


def schedules_for(customer_ids: list[int]) -> dict[int, Schedule | None]:
    """:func:`customer_schedule` of many customers, their contracts read at once (issue 16)."""
    by_customer: dict[int, list[Contract]] = {cid: [] for cid in customer_ids}
    for contract in (
        Contract.objects.filter(customer_id__in=customer_ids)
        .select_related("policy")
        .prefetch_related("special_terms")
        .order_by("pk")
    ):
        by_customer[contract.customer_id].append(contract)
    return {cid: _schedule(cid, contracts) for cid, contracts in by_customer.items()}


def _schedule(customer_id: int, contracts: list[Contract]) -> Schedule | None:
    if not contracts or any(c.status not in FINISHED for c in contracts):
        return None
    ended: list[tuple[Contract, dt.date]] = []
    for contract in contracts:
        day = _ended_on(contract) if contract.status in ENDED else None
        if day is not None:
            ended.append((contract, day))
    if not ended:
        return None
    last_contract, ended_on = max(ended, key=lambda pair: pair[1])
    policies = [effective_policy(c) for c, _ in ended]

    def longest(field: str) -> int:
        return max(int(getattr(p, field) or 0) for p in policies)

    data_on = add_months(ended_on, longest("data_retention_months"))
    login_months = [p.login_id_retention_months for p in policies if p.login_id_retention_months is not None]
    login_ids_on = add_months(ended_on, max(login_months)) if login_months else None
    if login_ids_on is not None and login_ids_on <= data_on:
        login_ids_on = None
    return Schedule(
        customer_id=customer_id,
        preset=last_contract.policy.code,
        ended_on=ended_on,
        data_on=data_on,
        login_ids_on=login_ids_on,
        contract_records_on=_records_on(ended_on, longest),
        dispute_records_on=add_months(ended_on, 12 * longest("dispute_records_retention_years")),
        identity_on=add_months(ended_on, longest("abuse_identity_retention_months")),
    )


def _records_on(ended_on: dt.date, period: Callable[[str], int]) -> dt.date:
    """The contract and payment records' date, never before the disputes' (a dispute points at its
    invoice, so the invoice cannot go first)."""
    contract = add_months(ended_on, 12 * period("contract_records_retention_years"))
    return max(contract, add_months(ended_on, 12 * period("dispute_records_retention_years")))


def ended_customer_ids() -> list[int]:
    """Customers not yet purged with at least one ended contract (candidates for the calendar)."""
    return list(
        Customer.objects.exclude(status=Customer.Status.PURGED)
        .filter(contracts__status__in=ENDED)
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def retention_calendar() -> list[Schedule]:
    """The admin's retention calendar: every ended customer not yet purged, soonest first."""
    schedules = [s for s in schedules_for(ended_customer_ids()).values() if s is not None]
    return sorted(schedules, key=lambda s: (s.data_on, s.customer_id))


def customers_due(today: dt.date) -> list[Schedule]:
    return [s for s in retention_calendar() if s.data_on <= today]


def _policy_default(name: str) -> int:
    """A Policy field's default (used only for a customer that never had a contract)."""
    field = Policy._meta.get_field(name)
    assert isinstance(field, models.Field)
    return int(field.default)


def _customer_policy(customer_id: int) -> Policy | None:
    """The policy of the customer's most recent contract (for rules not tied to one contract)."""
    contract = (
        Contract.objects.filter(customer_id=customer_id).select_related("policy").order_by("-pk").first()
    )
    return contract.policy if contract else None


def _customer_policies(customer_ids: set[int]) -> dict[int, Policy]:
    """:func:`_customer_policy` of many customers in one query."""
    if not customer_ids:
        return {}
    latest = (
        Contract.objects.filter(customer_id__in=customer_ids)
        .select_related("policy")
        .order_by("customer_id", "-pk")
        .distinct("customer_id")
    )
    return {contract.customer_id: contract.policy for contract in latest}


def dormant_data_due(today: dt.date) -> list[int]:
    """Members whose separated data (ACC-10) is due: ``dormancy_days`` after they became dormant.

    The policy has no period of its own for the separated data; the dormancy period is the closest.
    """
    due = []
    default_days = _policy_default("dormancy_days")
    rows = list(DormantMemberData.objects.select_related("member").order_by("pk"))
    policies = _customer_policies({row.member.customer_id for row in rows})
    for row in rows:
        policy = policies.get(row.member.customer_id)
        days = policy.dormancy_days if policy else default_days
        if row.dormant_on + dt.timedelta(days=days) <= today:
            due.append(row.member_id)
    return due


# --------------------------------------------------------------------------- tables holding customer data


def customer_tables() -> Iterator[tuple[type[models.Model], list[str]]]:
    """Every installed model with a foreign-key path to Customer, with its paths."""
    for model in apps.get_models():
        if model is Customer or model._meta.proxy:
            continue
        paths = customer_paths(model, Customer)
        if paths:
            yield model, paths


def customer_rows(model: type[models.Model], customer_id: int) -> models.QuerySet:
    return erasure.customer_rows(model, Customer, customer_id)


def immediate_schedule(customer_id: int, today: dt.date) -> Schedule:
    """DAT-4: the calendar of a customer who asked for deletion: live data (and login IDs) go today; the
    records kept apart keep their own periods, counted from the end of the last contract (or today)."""
    base = customer_schedule(customer_id)
    if base is not None:
        return dataclasses.replace(base, data_on=today, login_ids_on=None)
    policy = _customer_policy(customer_id)

    def period(field: str) -> int:
        return int(getattr(policy, field) if policy else _policy_default(field))

    return Schedule(
        customer_id=customer_id,
        preset=policy.code if policy else "",
        ended_on=today,
        data_on=today,
        login_ids_on=None,
        contract_records_on=_records_on(today, period),
        dispute_records_on=add_months(today, 12 * period("dispute_records_retention_years")),
        identity_on=add_months(today, period("abuse_identity_retention_months")),
    )


def has_live_contract(customer_id: int) -> bool:
    return Contract.objects.filter(customer_id=customer_id).exclude(status__in=FINISHED).exists()


@dataclass(frozen=True)
class RetentionTerms:
    """What the customer's terms keep after the contract ends, for the portal's plain-language page."""

    data_months: int
    login_id_months: int | None
    contract_records_years: int
    dispute_records_years: int
    identity_months: int
    schedule: Schedule | None
    #: money owed or open once every contract ended: the contract and billing records wait for it
    hold: Hold | None = None


def retention_terms(customer_id: int) -> RetentionTerms | None:
    """The periods of the customer's most recent contract (and its dates once every contract ended)."""
    contract = (
        Contract.objects.filter(customer_id=customer_id)
        .select_related("policy")
        .prefetch_related("special_terms")
        .order_by("-pk")
        .first()
    )
    if contract is None:
        return None
    policy = effective_policy(contract)
    schedule = customer_schedule(customer_id)
    return RetentionTerms(
        data_months=int(policy.data_retention_months or 0),
        login_id_months=policy.login_id_retention_months,
        contract_records_years=int(policy.contract_records_retention_years),
        dispute_records_years=int(policy.dispute_records_retention_years),
        identity_months=int(policy.abuse_identity_retention_months),
        schedule=schedule,
        hold=money_hold(customer_id) if schedule is not None else None,
    )


# --------------------------------------------------------------------------- records kept in place (DAT-3)

#: The kinds of record kept in place after the purge, with their tables.
RECORD_KINDS = (
    (DestructionRecord.Kind.CONTRACT_RECORDS, CONTRACT_RECORD_TABLES),
    (DestructionRecord.Kind.DISPUTE_RECORDS, DISPUTE_RECORD_TABLES),
)


def record_destroy_on(schedule: Schedule, kind: str) -> dt.date:
    if kind == DestructionRecord.Kind.CONTRACT_RECORDS:
        return schedule.contract_records_on
    return schedule.dispute_records_on


def record_ids(schedule: Schedule, today: dt.date) -> dict[str, dict[str, list[int]]]:
    """The customer's rows kept in place by kind (table label → ids), for the kinds whose own date is
    after ``today`` (a kind already due is destroyed with the rest)."""
    out: dict[str, dict[str, list[int]]] = {}
    for kind, labels in RECORD_KINDS:
        if record_destroy_on(schedule, kind) <= today:
            continue
        tables: dict[str, list[int]] = {}
        for label in labels:
            model = apps.get_model(label)
            qs = customer_rows(model, schedule.customer_id)
            if label == "sla.SlaMonth":
                qs = qs.filter(pk__in=sla_erasure.claim_month_ids(tables.get("sla.SlaClaim", [])))
            pks = sorted(qs.values_list("pk", flat=True))
            if pks:
                tables[label] = pks
        if tables:
            out[kind] = tables
    return out


def merged_ids(ids: dict[str, dict[str, list[int]]]) -> dict[str, list[int]]:
    merged: dict[str, list[int]] = {}
    for tables in ids.values():
        for label, pks in tables.items():
            merged.setdefault(label, []).extend(pks)
    return merged


# --------------------------------------------------------------------------- money owed holds the records


@dataclass(frozen=True)
class Hold:
    """Why a due customer's contract and billing records wait (money owed or open, DAT-3): billing's
    facts (``billing.services.erasure.money_open``) and the SLA claims still being decided."""

    money: MoneyOpen
    sla_claims: int

    def staff_reasons(self) -> list[str]:
        """For the admin's calendar and the dry run: each reason with its amount."""
        m = self.money
        out = []
        if m.open_won:
            text = _("미수금 {won}원 (청구서 {n}건)")
            out.append(str(text).format(won=f"{m.open_won:,}", n=m.open_invoices))
        if m.disputes:
            text = _("처리 중인 이의신청 {n}건 ({won}원)")
            out.append(str(text).format(n=m.disputes, won=f"{m.disputed_won:,}"))
        if m.refunds:
            out.append(str(_("지급 전 환불 {n}건 ({won}원)").format(n=m.refunds, won=f"{m.refund_won:,}")))
        if m.pending_payments:
            out.append(str(_("처리 중인 결제 {n}건").format(n=m.pending_payments)))
        if m.unissued_settlements:
            out.append(str(_("청구·환불 전 해지 정산 {n}건").format(n=m.unissued_settlements)))
        if self.sla_claims:
            out.append(str(_("심사 중인 SLA 보상 청구 {n}건").format(n=self.sla_claims)))
        return out


def money_held(customer_ids: Collection[int]) -> set[int]:
    """Which of ``customer_ids`` :func:`money_hold` would hold, in two queries for any number of them (the
    purge's daily prefilter, issue 16)."""
    return billing_erasure.money_blocking(customer_ids=customer_ids) | sla_erasure.customers_with_open_claims(
        customer_ids=customer_ids
    )


def money_hold(customer_id: int) -> Hold | None:
    """What keeps the customer's contract and billing records live, or None when nothing is open."""
    money = billing_erasure.money_open(customer_id=customer_id)
    claims = sla_erasure.open_claims(customer_id=customer_id)
    if not money.blocking and not claims:
        return None
    return Hold(money=money, sla_claims=claims)
