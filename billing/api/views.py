"""Billing API: one view per operation, explicit input/output serializers, scoped to the requesting
member's customer (another customer's invoice is a 404). Members read; customer admins pay and
preview (ACC-4). ``POST /payments/`` requires an ``Idempotency-Key`` header (SPEC §11)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.permissions import IsCustomerAdmin, IsCustomerMember, api_member
from accounts.models import Customer
from core import clock
from core.api import AuditedAPIView, idempotency_key
from core.errors import Conflict, DomainError

from ..models import Invoice, Payment
from ..portal import selectors
from ..services import collection, documents, invoicing, ledger, payments, tax
from .serializers import (
    CreditBalanceOutputSerializer,
    CreditNoteOutputSerializer,
    CreditNotePageSerializer,
    InvoiceDetailOutputSerializer,
    InvoiceFilterInputSerializer,
    InvoiceOutputSerializer,
    InvoicePageSerializer,
    PaymentCreateInputSerializer,
    PaymentFilterInputSerializer,
    PaymentOutputSerializer,
    PaymentPageSerializer,
    PreviewInputSerializer,
    PreviewOutputSerializer,
    TaxInvoiceOutputSerializer,
)

TAGS = ["billing"]
IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 80
PAGE_PARAMS = [
    OpenApiParameter("page", int, description="페이지 번호"),
    OpenApiParameter("page_size", int, description="페이지 크기 (최대 200)"),
]


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def _customer(request: Request) -> Customer:
    return api_member(request).customer


def _page(view: AuditedAPIView, request: Request, rows: Any, serializer: Any) -> Response:
    paginator = Pagination()
    page = paginator.paginate_queryset(rows, request, view=view)
    return paginator.get_paginated_response(serializer(page, many=True).data)


# --------------------------------------------------------------------------- invoices


class InvoiceListApi(AuditedAPIView):
    permission_classes = [IsCustomerMember]

    @extend_schema(
        tags=TAGS,
        operation_id="invoices_list",
        summary="청구서 목록 (BIL-2)",
        parameters=[InvoiceFilterInputSerializer, *PAGE_PARAMS],
        responses={200: InvoicePageSerializer},
    )
    def get(self, request: Request) -> Response:
        filters = InvoiceFilterInputSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = selectors.customer_invoices(_customer(request))
        data = filters.validated_data
        if data.get("status"):
            rows = rows.filter(status=data["status"])
        if data.get("kind"):
            rows = rows.filter(kind=data["kind"])
        if data.get("period"):
            year, month = (int(part) for part in data["period"].split("-"))
            rows = rows.filter(period_start__year=year, period_start__month=month)
        return _page(self, request, rows, InvoiceOutputSerializer)


class InvoiceDetailApi(AuditedAPIView):
    permission_classes = [IsCustomerMember]

    @extend_schema(
        tags=TAGS,
        operation_id="invoices_retrieve",
        summary="청구서 상세 (항목, 미납액)",
        responses={200: InvoiceDetailOutputSerializer},
    )
    def get(self, request: Request, pk: int) -> Response:
        invoice = get_object_or_404(selectors.customer_invoice_detail(_customer(request)), pk=pk)
        return Response(InvoiceDetailOutputSerializer(invoice).data)


class InvoicePdfApi(AuditedAPIView):
    permission_classes = [IsCustomerMember]

    @extend_schema(
        tags=TAGS,
        operation_id="invoices_pdf",
        summary="청구서 PDF (BIL-18)",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        invoice = get_object_or_404(selectors.customer_invoice_detail(_customer(request)), pk=pk)
        response = HttpResponse(documents.invoice_pdf(invoice), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{documents.invoice_pdf_filename(invoice)}"'
        return response


class InvoicePreviewApi(AuditedAPIView):
    """BIL-2: exactly what the invoice run would issue to the customer on a date (customer admins)."""

    permission_classes = [IsCustomerAdmin]

    @extend_schema(
        tags=TAGS,
        operation_id="invoices_preview",
        summary="다음 청구서 미리보기 (BIL-2)",
        parameters=[PreviewInputSerializer],
        responses={200: PreviewOutputSerializer},
    )
    def get(self, request: Request) -> Response:
        params = PreviewInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        day = params.validated_data.get("date") or clock.today()
        drafts = invoicing.invoice_preview(customer=_customer(request), today=day)
        return Response(PreviewOutputSerializer({"date": day, "invoices": drafts}).data)


# --------------------------------------------------------------------------- payments


def _idempotency_key(request: Request, customer: Customer) -> str:
    return idempotency_key(request, customer.pk)


def _same_request(payment: Payment, data: dict[str, Any]) -> bool:
    if payment.method != data["method"] or payment.invoice_id != data.get("invoice_id"):
        return False
    if data["method"] == Payment.Method.BANK_TRANSFER:
        return (
            payment.amount_won == data.get("amount_won")
            and payment.payer_name == (data.get("payer_name") or "").strip()
        )
    return True


def _replay(payment: Payment, data: dict[str, Any]) -> Response:
    if not _same_request(payment, data):
        raise Conflict(
            "idempotency_key_reused",
            _("이 Idempotency-Key는 다른 내용의 요청에 이미 쓰였습니다."),
            field="Idempotency-Key",
        )
    if payment.method != Payment.Method.BANK_TRANSFER:
        _charge_outcome(payment)  # a declined charge is declined again, not a 201
    response = Response(PaymentOutputSerializer(payment).data, status=status.HTTP_201_CREATED)
    response["Idempotent-Replayed"] = "true"
    return response


def _charge_outcome(payment: Payment) -> Payment:
    """A card/CMS attempt as the API answers it: succeeded → the payment; declined → 402; the gateway
    did not answer → 503 (send again with the same key: the attempt is resumed, never doubled)."""
    if payment.status == Payment.Status.FAILED:
        error = DomainError(
            "charge_declined",
            _("결제가 거절되었습니다: {reason}"),
            rule="BIL-7",
            field="method",
            reason=payment.failure_reason or "-",
        )
        error.status_code = 402
        raise error
    if payment.status == Payment.Status.PENDING:
        error = DomainError(
            "gateway_unavailable",
            _("결제대행사 응답이 없습니다. 같은 Idempotency-Key로 다시 시도해 주세요."),
            rule="BIL-7",
        )
        error.status_code = 503
        raise error
    return payment


class PaymentListCreateApi(AuditedAPIView):
    """Payments of the customer (GET, members); record a transfer notice or pay an invoice (POST, admins)."""

    permission_classes = [IsCustomerMember]

    def get_permissions(self) -> list[Any]:
        if self.request.method == "POST":
            return [IsCustomerAdmin()]
        return list(super().get_permissions())

    @extend_schema(
        tags=TAGS,
        operation_id="payments_list",
        summary="결제 내역 (BIL-7)",
        parameters=[PaymentFilterInputSerializer, *PAGE_PARAMS],
        responses={200: PaymentPageSerializer},
    )
    def get(self, request: Request) -> Response:
        filters = PaymentFilterInputSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = selectors.customer_payments(_customer(request))
        if filters.validated_data.get("status"):
            rows = rows.filter(status=filters.validated_data["status"])
        if filters.validated_data.get("invoice"):
            rows = rows.filter(invoice_id=filters.validated_data["invoice"])
        return _page(self, request, rows, PaymentOutputSerializer)

    @extend_schema(
        tags=TAGS,
        operation_id="payments_create",
        summary="무통장 입금 통지 또는 기본 카드·CMS로 결제 (BIL-7)",
        description=(
            "`Idempotency-Key` 헤더 필수. 같은 키로 같은 요청을 다시 보내면 처음 응답을 그대로 "
            "돌려주고 새로 결제하지 않습니다. 같은 키로 다른 내용을 보내면 409."
        ),
        parameters=[OpenApiParameter(IDEMPOTENCY_HEADER, str, OpenApiParameter.HEADER, required=True)],
        request=PaymentCreateInputSerializer,
        responses={
            201: PaymentOutputSerializer,
            402: OpenApiResponse(description="결제 거절"),
            409: OpenApiResponse(description="Idempotency-Key 재사용"),
        },
    )
    def post(self, request: Request) -> Response:
        customer = _customer(request)
        key = _idempotency_key(request, customer)
        data_in = PaymentCreateInputSerializer(data=request.data)
        data_in.is_valid(raise_exception=True)
        data = data_in.validated_data
        existing = Payment.objects.filter(idempotency_key=key, customer=customer).first()
        if existing is not None and not (
            existing.status == Payment.Status.PENDING and existing.method != Payment.Method.BANK_TRANSFER
        ):
            return _replay(existing, data)
        invoice = None
        if data.get("invoice_id"):
            invoice = get_object_or_404(Invoice.objects.filter(customer=customer), pk=data["invoice_id"])
        try:
            if data["method"] == Payment.Method.BANK_TRANSFER:
                payment = payments.transfer_notice_record(
                    customer=customer,
                    amount_won=data["amount_won"],
                    payer_name=data.get("payer_name") or "",
                    transferred_on=data.get("transferred_on") or clock.today(),
                    member=api_member(request),
                    invoice=invoice,
                    idempotency_key=key,
                )
            else:
                assert invoice is not None  # the serializer requires it
                payment = _charge_outcome(
                    collection.invoice_charge_now(
                        invoice=invoice, kind=data["method"], idempotency_key=key, today=clock.today()
                    )
                )
        except Conflict:  # the same key raced us, or was used for another request: answer as a replay
            existing = Payment.objects.filter(idempotency_key=key, customer=customer).first()
            if existing is None:
                raise
            return _replay(existing, data)
        return Response(PaymentOutputSerializer(payment).data, status=status.HTTP_201_CREATED)


# --------------------------------------------------------------------------- credit


class CreditNoteListApi(AuditedAPIView):
    permission_classes = [IsCustomerMember]

    @extend_schema(
        tags=TAGS,
        operation_id="credit_notes_list",
        summary="크레딧/데빗 노트 (BIL-2)",
        parameters=PAGE_PARAMS,
        responses={200: CreditNotePageSerializer},
    )
    def get(self, request: Request) -> Response:
        return _page(
            self, request, selectors.customer_credit_notes(_customer(request)), CreditNoteOutputSerializer
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
        customer = _customer(request)
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


class TaxInvoiceApi(AuditedAPIView):
    permission_classes = [IsCustomerMember]

    @extend_schema(
        tags=TAGS,
        operation_id="tax_invoices_retrieve",
        summary="전자세금계산서 정보 (BIL-18)",
        responses={200: TaxInvoiceOutputSerializer},
    )
    def get(self, request: Request, invoice_id: int) -> Response:
        invoice = get_object_or_404(
            Invoice.objects.filter(customer=_customer(request)).select_related("customer", "policy"),
            pk=invoice_id,
        )
        row = tax.tax_invoice_for(invoice=invoice)
        return Response(TaxInvoiceOutputSerializer(row).data)
