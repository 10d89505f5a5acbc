"""API after the due date (SPEC §11): disputes (BIL-10), overpayment refunds (BIL-11), dunning status
(DUN-2). Included by ``billing/api/urls.py``.

Scoped to the requesting member's customer (another customer's dispute is a 404); members read, customer
admins POST (403 JSON otherwise). ``POST /refunds/`` moves money: it requires an ``Idempotency-Key``
header (the billing API's helper); the same key and content answers the first refund again
(``Idempotent-Replayed: true``), the same key with other content is a 409. ``POST /disputes/`` moves no
money and takes no key.
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.permissions import IsCustomerAdmin, IsCustomerMember, api_member
from core import clock
from core.api import AuditedAPIView
from core.errors import Conflict

from ..models import Dispute, DunningCase, Invoice, InvoiceLine, Refund
from ..portal.after_due import customer_disputes, customer_refunds, dunning_rows
from ..services import disputes, refunds
from .serializers import paginated
from .views import IDEMPOTENCY_HEADER, PAGE_PARAMS, _customer, _idempotency_key, _page

TAGS = ["billing"]


class _AdminWrites:
    """Members read; customer admins write (ACC-4)."""

    def get_permissions(self) -> list[Any]:
        if self.request.method == "POST":  # type: ignore[attr-defined]
            return [IsCustomerAdmin()]
        return [IsCustomerMember()]


# --------------------------------------------------------------------------- disputes (BIL-10)


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


class DisputeCreateInputSerializer(serializers.Serializer):
    invoice_id = serializers.IntegerField()
    line_id = serializers.IntegerField(required=False, allow_null=True)
    amount_won = serializers.IntegerField(
        min_value=1, help_text=_("청구서의 가격 기준 (부가세 별도면 공급가액)")
    )
    reason = serializers.CharField(max_length=2000)
    operator_erred = serializers.BooleanField(required=False, default=False)
    known_on = serializers.DateField(required=False, allow_null=True)
    cause_on = serializers.DateField(required=False, allow_null=True)


class DisputeFilterInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Dispute.Status.choices, required=False)
    invoice = serializers.IntegerField(required=False)


class DisputeListCreateApi(_AdminWrites, AuditedAPIView):
    permission_classes = [IsCustomerMember]

    @extend_schema(
        tags=TAGS,
        operation_id="disputes_list",
        summary="이의신청 목록 (BIL-10)",
        parameters=[DisputeFilterInputSerializer, *PAGE_PARAMS],
        responses={200: DisputePageSerializer},
    )
    def get(self, request: Request) -> Response:
        filters = DisputeFilterInputSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = customer_disputes(_customer(request))
        if filters.validated_data.get("status"):
            rows = rows.filter(status=filters.validated_data["status"])
        if filters.validated_data.get("invoice"):
            rows = rows.filter(invoice_id=filters.validated_data["invoice"])
        return _page(self, request, rows, DisputeOutputSerializer)

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
        dispute = get_object_or_404(customer_disputes(_customer(request)), pk=pk)
        return Response(DisputeOutputSerializer(dispute).data)


# --------------------------------------------------------------------------- refunds (BIL-11)


class RefundOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Refund
        fields = (
            "id",
            "amount_won",
            "interest_won",
            "arrears_deducted_won",
            "reason",
            "operator_caused",
            "requested_on",
            "pay_by",
            "paid_on",
            "status",
            "contract",
        )
        read_only_fields = fields


RefundPageSerializer = paginated("RefundPage", RefundOutputSerializer)


class RefundCreateInputSerializer(serializers.Serializer):
    amount_won = serializers.IntegerField(
        min_value=1, help_text=_("요청액; 미납액 공제 후 남은 크레딧까지만 환불됩니다 (BIL-11)")
    )
    reason = serializers.CharField(max_length=300)


class RefundListCreateApi(_AdminWrites, AuditedAPIView):
    permission_classes = [IsCustomerMember]

    @extend_schema(
        tags=TAGS,
        operation_id="refunds_list",
        summary="환불 내역 (BIL-11)",
        parameters=PAGE_PARAMS,
        responses={200: RefundPageSerializer},
    )
    def get(self, request: Request) -> Response:
        return _page(self, request, customer_refunds(_customer(request)), RefundOutputSerializer)

    @extend_schema(
        tags=TAGS,
        operation_id="refunds_create",
        summary="과납금 환불 요청 (BIL-11)",
        description=(
            "`Idempotency-Key` 헤더 필수. 미납액을 먼저 공제하고(`arrears_deducted_won`) 남은 크레딧까지만 "
            "요청됩니다. 같은 키로 같은 요청을 다시 보내면 처음 응답을, 다른 내용이면 409."
        ),
        parameters=[OpenApiParameter(IDEMPOTENCY_HEADER, str, OpenApiParameter.HEADER, required=True)],
        request=RefundCreateInputSerializer,
        responses={
            201: RefundOutputSerializer,
            400: OpenApiResponse(description="환불할 크레딧 없음 등"),
            409: OpenApiResponse(description="Idempotency-Key 재사용"),
        },
    )
    def post(self, request: Request) -> Response:
        member = api_member(request)
        key = _idempotency_key(request, member.customer)
        data_in = RefundCreateInputSerializer(data=request.data)
        data_in.is_valid(raise_exception=True)
        data = data_in.validated_data
        existing = refunds.refund_for_idempotency_key(member.customer, key)
        if existing is not None:
            same = existing.reason == data["reason"].strip() and existing.amount_won <= data["amount_won"]
            if not same:
                raise Conflict(
                    "idempotency_key_reused",
                    _("이 Idempotency-Key는 다른 내용의 요청에 이미 쓰였습니다."),
                    field="Idempotency-Key",
                )
            response = Response(RefundOutputSerializer(existing).data, status=status.HTTP_201_CREATED)
            response["Idempotent-Replayed"] = "true"
            return response
        refund = refunds.refund_request(
            customer=member.customer,
            amount_won=data["amount_won"],
            reason=data["reason"],
            today=clock.today(),
            member=member,
            idempotency_key=key,
        )
        return Response(RefundOutputSerializer(refund).data, status=status.HTTP_201_CREATED)


# --------------------------------------------------------------------------- dunning (DUN-2)


class DunningOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="case.pk")
    status = serializers.ChoiceField(source="case.status", choices=DunningCase.Status.choices)
    opened_on = serializers.DateField(source="case.opened_on")
    invoice = serializers.IntegerField(source="invoice.pk")
    invoice_number = serializers.CharField(source="invoice.number")
    due_date = serializers.DateField(source="invoice.due_date")
    open_won = serializers.IntegerField(help_text=_("미납액"))
    overdue_won = serializers.IntegerField(help_text=_("연체 조치 대상 금액 (이의신청 중인 금액 제외)"))
    paused_until = serializers.DateField(allow_null=True, help_text=_("연체 단계 유예 종료일 (DUN-3)"))
    last_action = serializers.CharField(source="last_step.action", allow_null=True, default=None)
    last_action_on = serializers.DateField(source="last_step.executed_on", allow_null=True, default=None)
    next_action = serializers.CharField(source="next.action", allow_null=True, default=None)
    next_action_on = serializers.DateField(source="next.on", allow_null=True, default=None)


class DunningListApi(AuditedAPIView):
    permission_classes = [IsCustomerMember]

    @extend_schema(
        tags=TAGS,
        operation_id="dunning_list",
        summary="연체 중인 청구서와 다음 조치·예정일 (DUN-2)",
        responses={200: DunningOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        rows = dunning_rows(_customer(request), clock.today())
        return Response(DunningOutputSerializer(rows, many=True).data)


urlpatterns = [
    path("disputes/", DisputeListCreateApi.as_view(), name="api-disputes"),
    path("disputes/<int:pk>/", DisputeDetailApi.as_view(), name="api-dispute-detail"),
    path("refunds/", RefundListCreateApi.as_view(), name="api-refunds"),
    path("dunning/", DunningListApi.as_view(), name="api-dunning"),
]
