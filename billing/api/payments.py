"""Billing API: payments (BIL-7). Members list them; customer admins record a bank-transfer notice or
pay an invoice with the default card/CMS method. ``POST /payments/`` requires an ``Idempotency-Key``
header: the same key and content answers the first payment again (``Idempotent-Replayed: true``), the
same key with other content is a 409."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.permissions import IsCustomerMember, api_member
from core import clock
from core.api import IDEMPOTENCY_PARAMETER, AuditedAPIView, idempotent
from core.errors import Conflict, DomainError

from .. import selectors
from ..models import Invoice, Payment
from ..services import collection, payments
from .common import (
    PAGE_PARAMETERS,
    TAGS,
    AdminWrites,
    idempotency_key,
    page,
    request_customer,
)
from .serializers import (
    PAYMENT_CREATE_SCHEMA,
    PaymentCreateInputSerializer,
    PaymentFilterInputSerializer,
    PaymentOutputSerializer,
    PaymentPageSerializer,
)


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


class PaymentListCreateApi(AdminWrites, AuditedAPIView):
    """Payments of the customer (GET, members); record a transfer notice or pay an invoice (POST, admins)."""

    permission_classes = [IsCustomerMember]

    @extend_schema(
        tags=TAGS,
        operation_id="payments_list",
        summary="결제 내역 (BIL-7)",
        parameters=[PaymentFilterInputSerializer, *PAGE_PARAMETERS],
        responses={200: PaymentPageSerializer},
    )
    def get(self, request: Request) -> Response:
        filters = PaymentFilterInputSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = selectors.customer_payments(request_customer(request))
        if filters.validated_data.get("status"):
            rows = rows.filter(status=filters.validated_data["status"])
        if filters.validated_data.get("invoice"):
            rows = rows.filter(invoice_id=filters.validated_data["invoice"])
        return page(self, request, rows, PaymentOutputSerializer)

    @extend_schema(
        tags=TAGS,
        operation_id="payments_create",
        summary="무통장 입금 통지 또는 기본 카드·CMS로 결제 (BIL-7)",
        description=(
            "`Idempotency-Key` 헤더 필수. 같은 키로 같은 요청을 다시 보내면 처음 응답을 그대로 "
            "돌려주고 새로 결제하지 않습니다. 같은 키로 다른 내용을 보내면 409."
        ),
        parameters=[IDEMPOTENCY_PARAMETER],
        request=PAYMENT_CREATE_SCHEMA,
        responses={
            201: PaymentOutputSerializer,
            402: OpenApiResponse(description="결제 거절"),
            409: OpenApiResponse(description="Idempotency-Key 재사용"),
        },
    )
    @idempotent(request_customer)
    def post(self, request: Request) -> Response:
        customer = request_customer(request)
        key = idempotency_key(request, customer)
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
