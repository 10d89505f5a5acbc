"""Billing API: the customer's overdue invoices on their dunning ladder, with the next step and its
date (DUN-2) and any pause (DUN-3)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.permissions import IsCustomerMember
from core import clock
from core.api import AuditedAPIView

from ..models import DunningCase
from ..selectors import dunning_rows
from .common import TAGS, request_customer


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
        rows = dunning_rows(request_customer(request), clock.today())
        return Response(DunningOutputSerializer(rows, many=True).data)
