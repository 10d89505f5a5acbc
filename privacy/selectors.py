"""Reads shared by the privacy admin, portal and API (DAT-1, DAT-4), tenant-scoped."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Member
from billing.models import Invoice, Payment
from contracts.models import Contract, TermsConsent
from messaging.models import Message
from sla.models import Incident

from .models import DeletionRequest, DestructionRecord, ExportRequest

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
