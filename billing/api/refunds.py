"""Billing API: overpayment refunds (BIL-11). Members read; customer admins request (ACC-4).

``POST /refunds/`` moves money: it requires an ``Idempotency-Key`` header; the same key and content
answers the first refund again (``Idempotent-Replayed: true``), the same key with other content is a 409.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.permissions import IsCustomerMember, api_member
from core import clock
from core.api import IDEMPOTENCY_PARAMETER, AuditedAPIView, idempotent
from core.errors import Conflict
from core.fields import StrictInputSerializer, WonField

from ..models import Refund
from ..selectors import customer_refunds
from ..services import refunds
from .common import (
    PAGE_PARAMETERS,
    TAGS,
    AdminWrites,
    idempotency_key,
    page,
    request_customer,
)
from .serializers import paginated


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


class RefundCreateInputSerializer(StrictInputSerializer):
    amount_won = WonField(
        min_won=1, help_text=_("요청액; 미납액 공제 후 남은 크레딧까지만 환불됩니다 (BIL-11)")
    )
    reason = serializers.CharField(max_length=300)


class RefundListCreateApi(AdminWrites, AuditedAPIView):
    permission_classes = [IsCustomerMember]

    @extend_schema(
        tags=TAGS,
        operation_id="refunds_list",
        summary="환불 내역 (BIL-11)",
        parameters=PAGE_PARAMETERS,
        responses={200: RefundPageSerializer},
    )
    def get(self, request: Request) -> Response:
        return page(self, request, customer_refunds(request_customer(request)), RefundOutputSerializer)

    @extend_schema(
        tags=TAGS,
        operation_id="refunds_create",
        summary="과납금 환불 요청 (BIL-11)",
        description=(
            "`Idempotency-Key` 헤더 필수. 미납액을 먼저 공제하고(`arrears_deducted_won`) 남은 크레딧까지만 "
            "요청됩니다. 같은 키로 같은 요청을 다시 보내면 처음 응답을, 다른 내용이면 409."
        ),
        parameters=[IDEMPOTENCY_PARAMETER],
        request=RefundCreateInputSerializer,
        responses={
            201: RefundOutputSerializer,
            400: OpenApiResponse(description="환불할 크레딧 없음 등"),
            409: OpenApiResponse(description="Idempotency-Key 재사용"),
        },
    )
    @idempotent(request_customer)
    def post(self, request: Request) -> Response:
        member = api_member(request)
        key = idempotency_key(request, member.customer)
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
