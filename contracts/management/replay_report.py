"""The HTML report of ``manage.py replay``: per preset, each contract's timeline, every invoice, dunning
step, late charge, credit, refund and penalty, each with the rule that produced it (rule id and the seed
article, from ``docs/rules.md`` through ``core.rules_doc``).

Read-only: it reads what the replay left in the database. A staff document: rule ids and seed articles
are shown (customers never see this report). Rendered by ``contracts/replay_report.html``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import Promise

from billing.models import CreditNote, DunningStep, Invoice, InvoiceLine, LateCharge, Refund, Settlement
from contracts.models import Contract, ContractTransition, DunningAction
from core import rules_doc
from messaging.models import Message
from sla.models import SlaMonth

from .replay_book import Script, contracts_of, incidents_of

#: The rule behind an invoice line of each kind, when its ``policy_basis`` names none.
LINE_RULES: dict[str, str] = {
    InvoiceLine.Kind.BASE_FEE: "BIL-2",
    InvoiceLine.Kind.SEATS: "BIL-5",
    InvoiceLine.Kind.ADDED_SEATS: "BIL-5",
    InvoiceLine.Kind.USAGE: "BIL-6",
    InvoiceLine.Kind.SETUP_FEE: "BIL-12",
    InvoiceLine.Kind.PROMOTION: "BIL-19",
    InvoiceLine.Kind.LATE_CHARGE: "BIL-9",
    InvoiceLine.Kind.ADJUSTMENT: "BIL-2",
    InvoiceLine.Kind.SETTLEMENT: "BIL-12..16",
    InvoiceLine.Kind.PENALTY: "BIL-14",
    InvoiceLine.Kind.EVASION: "BIL-20",
}
#: The rule of each dunning action (SPEC §6): notices DUN-2, what the ladder acts on DUN-4, retries BIL-8.
STEP_RULES: dict[str, str] = {
    DunningAction.NOTIFY: "DUN-2",
    DunningAction.RETRY_PAYMENT: "BIL-8",
    DunningAction.RESTRICT: "DUN-4",
    DunningAction.SUSPEND: "DUN-4",
    DunningAction.TERMINATE: "DUN-4, CON-9",
    DunningAction.REFER_TO_COLLECTIONS: "DUN-4",
    DunningAction.PURGE_DATA: "DUN-4, DAT-2",
}
CREDIT_RULES: dict[str, str] = {
    CreditNote.Reason.DISPUTE_UPHELD: "BIL-10, BIL-17",
    CreditNote.Reason.SLA_CREDIT: "SLA-4, BIL-17",
}
#: Termination settlements by preset (BIL-12 officecore refund, BIL-13 flow, BIL-14/15 dcloud and damoa).
SETTLEMENT_RULES: dict[str, str] = {
    "officecore": "BIL-12",
    "flow": "BIL-13",
    "dcloud": "BIL-14, BIL-15",
    "damoa": "BIL-14",
    "kgmsg": "BIL-16",
}


@dataclass(frozen=True)
class Citation:
    ids: list[str]
    article: str  # the seed article(s) of the preset, from docs/rules.md
    basis: str = ""  # what the record itself says (an invoice line's policy basis, a formula)

    @property
    def label(self) -> str:
        return ", ".join(self.ids)


def cite(rules: str, preset: str, basis: str = "") -> Citation:
    """The ids cited by ``basis`` (an invoice line's policy basis) or else ``rules``, with the preset's
    seed articles for them."""
    ids = rules_doc.cited_ids(basis) or rules_doc.cited_ids(rules)
    articles: list[str] = []
    for rule_id in ids:
        article = rules_doc.rule(rule_id).seed_article(preset)
        if article and article not in articles:
            articles.append(article)
    return Citation(ids, "; ".join(articles), basis)


@dataclass
class Row:
    """One line of a report table: the cells (already formatted by the template) and the rule."""

    cells: dict[str, Any]
    rule: Citation


@dataclass
class ContractSection:
    contract: Contract
    timeline: list[ContractTransition]


@dataclass
class PresetSection:
    preset: str
    contracts: list[ContractSection] = field(default_factory=list)
    events: list[tuple[dt.date, str | Promise, Citation]] = field(default_factory=list)
    invoices: list[Row] = field(default_factory=list)
    lines: list[Row] = field(default_factory=list)
    late_charges: list[Row] = field(default_factory=list)
    dunning: list[Row] = field(default_factory=list)
    credits: list[Row] = field(default_factory=list)
    sla_months: list[Row] = field(default_factory=list)
    refunds: list[Row] = field(default_factory=list)
    penalties: list[Row] = field(default_factory=list)
    settlements: list[Row] = field(default_factory=list)
    incidents: list[Row] = field(default_factory=list)
    messages: int = 0

    @property
    def totals(self) -> dict[str, int]:
        return {
            "invoiced": sum(r.cells["total"] for r in self.invoices),
            "late": sum(r.cells["amount"] for r in self.late_charges),
            "credits": sum(r.cells["total"] for r in self.credits),
            "refunds": sum(r.cells["amount"] for r in self.refunds),
            "penalties": sum(r.cells["amount"] for r in self.penalties),
        }


def _section(preset: str, start: dt.date, end: dt.date, script: Script) -> PresetSection:
    section = PresetSection(preset)
    contracts = [c for c in contracts_of([preset])]
    customer_ids = sorted({c.customer_id for c in contracts})
    for contract in contracts:
        section.contracts.append(
            ContractSection(contract, list(contract.transitions.order_by("on_date", "at", "pk")))
        )
    section.events = [
        (on, e.title, cite(e.rules, preset)) for on, e in script.schedule(end) if e.preset == preset
    ]
    invoices = (
        Invoice.objects.filter(customer_id__in=customer_ids, issue_date__gte=start, issue_date__lte=end)
        .select_related("customer")
        .order_by("issue_date", "number")
    )
    for invoice in invoices:
        section.invoices.append(
            Row(
                {
                    "number": invoice.number,
                    "customer": invoice.customer.legal_name,
                    "kind": invoice.get_kind_display(),
                    "period": (invoice.period_start, invoice.period_end),
                    "issue": invoice.issue_date,
                    "due": invoice.due_date,
                    "total": invoice.total_won,
                    "status": invoice.get_status_display(),
                    "paid_on": invoice.paid_on,
                },
                cite(
                    "BIL-2, BIL-3" if invoice.kind != Invoice.Kind.FINAL else SETTLEMENT_RULES[preset], preset
                ),
            )
        )
    for line in (
        InvoiceLine.objects.filter(invoice__in=invoices)
        .select_related("invoice")
        .order_by("invoice__issue_date", "invoice__number", "position", "pk")
    ):
        row = Row(
            {
                "invoice": line.invoice.number,
                "kind": line.get_kind_display(),
                "description": line.description,
                "quantity": line.quantity,
                "amount": line.amount_won,
            },
            cite(LINE_RULES.get(line.kind, "BIL-2"), preset, line.policy_basis),
        )
        section.lines.append(row)
    for charge in (
        LateCharge.objects.filter(invoice__customer_id__in=customer_ids)
        .select_related("invoice", "billed_on_invoice")
        .order_by("period_start", "pk")
    ):
        section.late_charges.append(
            Row(
                {
                    "invoice": charge.invoice.number,
                    "kind": charge.get_kind_display(),
                    "period": (charge.period_start, charge.period_end),
                    "days": charge.days,
                    "base": charge.base_won,
                    "amount": charge.amount_won,
                    "formula": charge.formula,
                    "billed_on": charge.billed_on_invoice.number if charge.billed_on_invoice else "",
                },
                cite("BIL-9", preset, charge.formula),
            )
        )
    for step in (
        DunningStep.objects.filter(case__customer_id__in=customer_ids)
        .select_related("case__invoice")
        .order_by("executed_on", "case_id", "index")
    ):
        section.dunning.append(
            Row(
                {
                    "invoice": step.case.invoice.number,
                    "index": step.index,
                    "action": str(dict(DunningAction.choices).get(step.action, step.action)),
                    "scheduled": step.scheduled_on,
                    "executed": step.executed_on,
                    "amount": step.amount_won,
                    "detail": step.detail,
                    "cancelled": step.cancelled_on,
                },
                cite(STEP_RULES.get(step.action, "DUN-4"), preset),
            )
        )
    for note in (
        CreditNote.objects.filter(customer_id__in=customer_ids)
        .select_related("invoice")
        .order_by("issued_on", "number")
    ):
        section.credits.append(
            Row(
                {
                    "number": note.number,
                    "kind": note.get_kind_display(),
                    "reason": note.get_reason_display(),
                    "invoice": note.invoice.number if note.invoice else "",
                    "issued": note.issued_on,
                    "total": note.total_won if note.kind == CreditNote.Kind.CREDIT else -note.total_won,
                    "description": note.description,
                },
                cite(CREDIT_RULES.get(note.reason, "BIL-17"), preset),
            )
        )
    for record in (
        SlaMonth.objects.filter(contract__customer_id__in=customer_ids)
        .select_related("contract")
        .order_by("month", "contract_id")
    ):
        section.sla_months.append(
            Row(
                {
                    "contract": record.contract.number,
                    "month": record.month,
                    "availability": record.availability,
                    "counted": record.counted_minutes,
                    "service": record.service_minutes,
                    "fee": record.fee_won,
                    "credit": record.credit_won,
                    "status": record.get_status_display(),
                    "basis": record.credit_basis,
                },
                cite("SLA-3, SLA-4", preset),
            )
        )
    for refund in Refund.objects.filter(customer_id__in=customer_ids).order_by("requested_on", "pk"):
        rules = SETTLEMENT_RULES[preset] if refund.contract_id else "BIL-11"
        section.refunds.append(
            Row(
                {
                    "customer": refund.customer_id,
                    "requested": refund.requested_on,
                    "amount": refund.amount_won,
                    "interest": refund.interest_won,
                    "reason": refund.reason,
                    "status": refund.get_status_display(),
                    "paid_on": refund.paid_on,
                },
                cite(rules, preset),
            )
        )
    for settlement in (
        Settlement.objects.filter(contract__customer_id__in=customer_ids)
        .select_related("contract")
        .order_by("issued_on")
    ):
        for item in settlement.lines or []:
            row = Row(
                {
                    "contract": settlement.contract.number,
                    "effective": settlement.effective_on,
                    "kind": item.get("kind", ""),
                    "description": item.get("description", ""),
                    "amount": int(item.get("amount_won", 0)),
                },
                cite(SETTLEMENT_RULES[preset], preset, str(item.get("basis", ""))),
            )
            section.settlements.append(row)
            if row.cells["kind"] == "penalty":
                section.penalties.append(row)
    for incident in incidents_of([preset], start, end):
        section.incidents.append(
            Row(
                {
                    "id": incident.pk,
                    "title": incident.title,
                    "started": incident.started_at,
                    "ended": incident.ended_at,
                    "status": incident.get_status_display(),
                },
                cite("SLA-1", preset),
            )
        )
    section.messages = Message.objects.filter(customer_id__in=customer_ids).count()
    return section


def collect(presets: Sequence[str], start: dt.date, end: dt.date) -> list[PresetSection]:
    script = Script(presets, start)
    return [_section(preset, start, end, script) for preset in presets]


def render(presets: Sequence[str], start: dt.date, end: dt.date, *, seconds: float | None = None) -> str:
    sections = collect(presets, start, end)
    return render_to_string(
        "contracts/replay_report.html",
        {
            "start": start,
            "end": end,
            "presets": presets,
            "sections": sections,
            "seconds": seconds,
            "generated": timezone.localtime(),
        },
    )
