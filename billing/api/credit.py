"""Billing API: credit and debit notes (BIL-2) and the credit balance with what is still owed (BIL-17)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.permissions import IsCustomerMember
from core.api import AuditedAPIView

from .. import selectors
from ..services import ledger
from .common import PAGE_PARAMETERS, TAGS, page, request_customer
from .serializers import CreditBalanceOutputSerializer, CreditNoteOutputSerializer, CreditNotePageSerializer


class CreditNoteListApi(AuditedAPIView):
    permission_classes = [IsCustomerMember]

    @extend_schema(
        tags=TAGS,
        operation_id="credit_notes_list",
        summary="크레딧/데빗 노트 (BIL-2)",
        parameters=PAGE_PARAMETERS,
        responses={200: CreditNotePageSerializer},
    )
    def get(self, request: Request) -> Response:
        return page(
            self,
            request,
            selectors.customer_credit_notes(request_customer(request)),
            CreditNoteOutputSerializer,
        )


class CreditBalanceApi(AuditedAPIView):
    permission_classes = [IsCustomerMember]

    @extend_schema(
        tags=TAGS,
        operation_id="credit_balance",
        summary="크레딧 잔액과 미납액 (BIL-17)",
        responses={200: CreditBalanceOutputSerializer},
    )
    def get(self, request: Request) -> Response:
        customer = request_customer(request)
        amounts = selectors.open_amounts(customer)
        return Response(
            CreditBalanceOutputSerializer(
                {
                    "credit_won": ledger.credit_available(customer),
                    "open_won": amounts.open_won,
                    "open_invoices_total_won": amounts.total_won,
                    "open_invoices_late_charges_won": amounts.late_won,
                    "open_invoices_amount_due_won": amounts.due_won,
                    "balance_won": ledger.customer_balance(customer),
                    "next_due_date": amounts.next_due,
                }
            ).data
        )
