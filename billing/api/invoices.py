"""Billing API: invoices, their PDFs (BIL-18), the next invoice's preview (BIL-2) and tax invoice data.

One view per operation with explicit serializers, scoped to the requesting member's customer (another
customer's invoice is a 404). Members read; customer admins preview (ACC-4)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.permissions import IsCustomerAdmin, IsCustomerMember
from core import clock
from core.api import AuditedAPIView

from .. import selectors
from ..models import Invoice
from ..services import documents, invoicing, tax
from .common import PAGE_PARAMETERS, TAGS, page, request_customer
from .serializers import (
    InvoiceDetailOutputSerializer,
    InvoiceFilterInputSerializer,
    InvoiceOutputSerializer,
    InvoicePageSerializer,
    PreviewInputSerializer,
    PreviewOutputSerializer,
    TaxInvoiceOutputSerializer,
)


class InvoiceListApi(AuditedAPIView):
    permission_classes = [IsCustomerMember]

    @extend_schema(
        tags=TAGS,
        operation_id="invoices_list",
        summary="청구서 목록 (BIL-2)",
        parameters=[InvoiceFilterInputSerializer, *PAGE_PARAMETERS],
        responses={200: InvoicePageSerializer},
    )
    def get(self, request: Request) -> Response:
        filters = InvoiceFilterInputSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = selectors.customer_invoices(request_customer(request))
        data = filters.validated_data
        if data.get("status"):
            rows = rows.filter(status=data["status"])
        if data.get("kind"):
            rows = rows.filter(kind=data["kind"])
        if data.get("period"):
            year, month = (int(part) for part in data["period"].split("-"))
            rows = rows.filter(period_start__year=year, period_start__month=month)
        return page(self, request, rows, InvoiceOutputSerializer)


class InvoiceDetailApi(AuditedAPIView):
    permission_classes = [IsCustomerMember]

    @extend_schema(
        tags=TAGS,
        operation_id="invoices_retrieve",
        summary="청구서 상세 (항목, 미납액)",
        responses={200: InvoiceDetailOutputSerializer},
    )
    def get(self, request: Request, pk: int) -> Response:
        invoice = get_object_or_404(selectors.customer_invoice_detail(request_customer(request)), pk=pk)
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
        invoice = get_object_or_404(selectors.customer_invoice_detail(request_customer(request)), pk=pk)
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
        drafts = invoicing.invoice_preview(customer=request_customer(request), today=day)
        return Response(PreviewOutputSerializer({"date": day, "invoices": drafts}).data)


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
            Invoice.objects.filter(customer=request_customer(request)).select_related("customer", "policy"),
            pk=invoice_id,
        )
        row = tax.tax_invoice_for(invoice=invoice)
        return Response(TaxInvoiceOutputSerializer(row).data)
