"""Reads shared by the privacy admin, portal and API (DAT-1, DAT-4), tenant-scoped."""

from __future__ import annotations

from django.db.models import Model, QuerySet

from accounts.models import Customer, Member
from billing.models import Invoice, Payment
from contracts.models import Contract, Policy, TermsConsent
from core.erasure import customer_paths
from messaging.models import Message
from sla.models import Incident

from .models import DeletionRequest, DestructionRecord, ExportRequest, RetainedRecord

#: Columns never exported (secrets and internal keys, not the customer's data).
HIDDEN_COLUMNS = {"password", "gateway_token", "key", "schedule"}


def export_sections(customer_id: int) -> dict[str, QuerySet]:
    """DAT-1: what the export holds, by file name: members, contracts, invoices, payments, messages,
    incidents, consent records."""
    return {
        "members": Member.objects.filter(customer_id=customer_id),
        "contracts": Contract.objects.filter(customer_id=customer_id),
        "invoices": Invoice.objects.filter(customer_id=customer_id),
        "payments": Payment.objects.filter(customer_id=customer_id),
        "messages": Message.objects.filter(customer_id=customer_id),
        "incidents": Incident.objects.filter(contract__customer_id=customer_id),
        "consents": TermsConsent.objects.filter(customer_id=customer_id),
    }


def export_requests_for(customer_id: int) -> QuerySet[ExportRequest]:
    return ExportRequest.objects.filter(customer_id=customer_id).order_by("-created_at", "-id")


def open_deletion_request(customer_id: int) -> DeletionRequest | None:
    return DeletionRequest.objects.filter(
        customer_id=customer_id, status=DeletionRequest.Status.REQUESTED
    ).first()


def destruction_records() -> QuerySet[DestructionRecord]:
    return DestructionRecord.objects.select_related("user").order_by("-at", "-id")


def retained_record_for(obj: Model) -> RetainedRecord | None:
    """DAT-3: the kept record listing this row (a contract, invoice, payment, dispute ... of a purged
    customer kept in place until its own date), or None for a live row."""
    model = type(obj)
    label = model._meta.label
    for path in customer_paths(model, Customer):
        customer_id = model._base_manager.filter(pk=obj.pk).values_list(path, flat=True).first()
        if customer_id is None:
            continue
        for record in RetainedRecord.objects.filter(customer_ref=customer_id).exclude(tables={}):
            if obj.pk in record.tables.get(label, []):
                return record
    return None


def published_retention() -> list[Policy]:
    """The privacy policy's table (DAT-2, DAT-3): each service's current published terms version, whose
    retention periods apply to customers signing up now."""
    latest: dict[str, Policy] = {}
    for policy in Policy.objects.filter(status=Policy.Status.PUBLISHED).order_by("code", "version"):
        latest[policy.code] = policy
    return list(latest.values())
