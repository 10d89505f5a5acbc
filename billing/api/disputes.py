"""Billing API: disputes of an invoice or a line (BIL-10). Members read; customer admins file (ACC-4).
Filing moves no money and takes no ``Idempotency-Key``; after the terms' window it is a 400
``dispute_window_closed`` naming the closing date."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.permissions import IsCustomerMember, api_member
from core import clock
from core.api import AuditedAPIView
from core.fields import BusinessDateField, StrictInputSerializer, WonField

from ..models import Dispute, Invoice, InvoiceLine
from ..selectors import customer_disputes
from ..services import disputes
from .common import PAGE_PARAMETERS, TAGS, AdminWrites, page, request_customer
from .serializers import paginated


class DisputeOutputSerializer(serializers.ModelSerializer):
    invoice_number = serializers.CharField(source="invoice.number")
    line_description = serializers.CharField(source="line.description", allow_null=True, default=None)
    credit_note_number = serializers.CharField(source="credit_note.number", allow_null=True, default=None)

    class Meta:
        model = Dispute
        fields = (
            "id",
            "invoice",
            "invoice_number",
            "line",
            "line_description",
            "amount_won",
            "reason",
            "operator_erred",
            "known_on",
            "cause_on",
            "filed_on",
            "status",
            "answer_due_on",
            "due_extension_reason",
            "answered_on",
            "answer",
            "upheld_amount_won",
            "credit_note_number",
        )
        read_only_fields = fields


DisputePageSerializer = paginated("DisputePage", DisputeOutputSerializer)


class DisputeCreateInputSerializer(StrictInputSerializer):
    invoice_id = serializers.IntegerField()
    line_id = serializers.IntegerField(required=False, allow_null=True)
    amount_won = WonField(
        min_won=1, help_text=_("청구서의 가격 기준 (부가세 별도면 공급가액)")
    )
    reason = serializers.CharField(max_length=2000)
    operator_erred = serializers.BooleanField(required=False, default=False)
    known_on = BusinessDateField(required=False, allow_null=True)
    cause_on = BusinessDateField(required=False, allow_null=True)


class DisputeFilterInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Dispute.Status.choices, required=False)
    invoice = serializers.IntegerField(required=False)


class DisputeListCreateApi(AdminWrites, AuditedAPIView):
    permission_classes = [IsCustomerMember]

    @extend_schema(
        tags=TAGS,
        operation_id="disputes_list",
        summary="이의신청 목록 (BIL-10)",
        parameters=[DisputeFilterInputSerializer, *PAGE_PARAMETERS],
        responses={200: DisputePageSerializer},
    )
    def get(self, request: Request) -> Response:
        filters = DisputeFilterInputSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = customer_disputes(request_customer(request))
        if filters.validated_data.get("status"):
            rows = rows.filter(status=filters.validated_data["status"])
        if filters.validated_data.get("invoice"):
            rows = rows.filter(invoice_id=filters.validated_data["invoice"])
        return page(self, request, rows, DisputeOutputSerializer)

    @extend_schema(
        tags=TAGS,
        operation_id="disputes_create",
        summary="이의신청 (BIL-10)",
        description="약관의 이의신청 기간이 지나면 400 `dispute_window_closed` (종료일 표시).",
        request=DisputeCreateInputSerializer,
        responses={201: DisputeOutputSerializer, 400: OpenApiResponse(description="규칙 위반")},
    )
    def post(self, request: Request) -> Response:
        member = api_member(request)
        data_in = DisputeCreateInputSerializer(data=request.data)
        data_in.is_valid(raise_exception=True)
        data = data_in.validated_data
        invoice = get_object_or_404(Invoice.objects.filter(customer=member.customer), pk=data["invoice_id"])
        line = None
        if data.get("line_id"):
            line = get_object_or_404(InvoiceLine.objects.filter(invoice=invoice), pk=data["line_id"])
        dispute = disputes.dispute_file(
            invoice=invoice,
            line=line,
            amount_won=data["amount_won"],
            reason=data["reason"],
            today=clock.today(),
            member=member,
            operator_erred=data.get("operator_erred", False),
            known_on=data.get("known_on"),
            cause_on=data.get("cause_on"),
        )
        dispute = customer_disputes(member.customer).get(pk=dispute.pk)
        return Response(DisputeOutputSerializer(dispute).data, status=status.HTTP_201_CREATED)


class DisputeDetailApi(AuditedAPIView):
    permission_classes = [IsCustomerMember]

    @extend_schema(
        tags=TAGS,
        operation_id="disputes_retrieve",
        summary="이의신청 상세",
        responses={200: DisputeOutputSerializer},
    )
    def get(self, request: Request, pk: int) -> Response:
        dispute = get_object_or_404(customer_disputes(request_customer(request)), pk=pk)
        return Response(DisputeOutputSerializer(dispute).data)
