"""Paid messaging API (MSG-2..7): sending (single and bulk, with ``Idempotency-Key``), history and
results, bulk progress, sender numbers, AlimTalk templates and the opt-out list.

One view per operation, explicit serializers, every row scoped to the requesting member's customer
(another customer's object is a 404). Writes need a live kgmsg contract: its limits come from
``contracts.services.messaging_limits`` and are handed to the messaging services.
"""

from __future__ import annotations

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.permissions import IsCustomerMember, MembersReadAdminsWrite, api_member
from accounts.models import Customer
from contracts.services.messaging_limits import messaging_limits_for
from core import clock
from core.api import (
    IDEMPOTENCY_PARAMETER,
    PAGE_PARAMETERS,
    AuditedAPIView,
    idempotency_key,
    idempotent,
    paginate,
)
from core.errors import Conflict

from .. import selectors
from ..limits import MessagingLimits
from ..models import Message, MessageBatch
from ..requests import send_fields
from ..services import senders, spam, templates_kakao
from ..services.phones import normalize_phone
from ..services.sending import BulkRecipient, bulk_send, message_send
from .paid_serializers import (
    BatchProgressOutputSerializer,
    BulkSendInputSerializer,
    KakaoTemplateEditInputSerializer,
    KakaoTemplateInputSerializer,
    KakaoTemplateOutputSerializer,
    KakaoTemplatePageOutputSerializer,
    MessageDetailOutputSerializer,
    MessageFilterInputSerializer,
    MessageOutputSerializer,
    MessagePageOutputSerializer,
    MessageSendInputSerializer,
    OptOutInputSerializer,
    OptOutOutputSerializer,
    OptOutPageOutputSerializer,
    SenderNumberInputSerializer,
    SenderNumberOutputSerializer,
    SenderNumberPageOutputSerializer,
)

TAGS = ["messages"]
REFUSED = {
    400: OpenApiResponse(description="규칙 위반으로 거부 (error.rule)"),
    403: OpenApiResponse(description="문자 서비스 계약 없음 (CON-13)"),
}


def _customer(request: Request) -> Customer:
    return api_member(request).customer


def _limits(customer: Customer) -> MessagingLimits:
    return messaging_limits_for(customer, today=clock.today())


def _key_reused() -> Conflict:
    return Conflict(
        "idempotency_key_reused",
        _("이 Idempotency-Key는 다른 내용의 요청에 이미 쓰였습니다."),
        field="Idempotency-Key",
    )


def _replayed(response: Response) -> Response:
    response["Idempotent-Replayed"] = "true"
    return response


# --------------------------------------------------------------------------- messages


class MessageListSendApi(AuditedAPIView):
    permission_classes = [IsCustomerMember]

    @extend_schema(
        tags=TAGS,
        operation_id="messages_list",
        summary="보낸 메시지와 결과 (MSG-6)",
        parameters=[MessageFilterInputSerializer, *PAGE_PARAMETERS],
        responses={200: MessagePageOutputSerializer},
    )
    def get(self, request: Request) -> Response:
        filters = MessageFilterInputSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = selectors.messages_for(_customer(request).pk)
        for name in ("status", "kind"):
            if filters.validated_data.get(name):
                rows = rows.filter(**{name: filters.validated_data[name]})
        if filters.validated_data.get("batch"):
            rows = rows.filter(batch_id=filters.validated_data["batch"])
        return paginate(self, request, rows, MessageOutputSerializer)

    @extend_schema(
        tags=TAGS,
        operation_id="messages_send",
        summary="메시지 한 건 보내기 (MSG-2, 3, 4, 7)",
        description=(
            "`Idempotency-Key` 헤더 필수. 같은 키로 다시 보내면 처음 메시지를 돌려주고 더 보내지 않습니다."
        ),
        parameters=[IDEMPOTENCY_PARAMETER],
        request=MessageSendInputSerializer,
        responses={
            201: MessageDetailOutputSerializer,
            409: OpenApiResponse(description="Idempotency-Key 재사용"),
            **REFUSED,
        },
    )
    @idempotent(_customer)
    def post(self, request: Request) -> Response:
        customer = _customer(request)
        key = idempotency_key(request, customer.pk)
        data_in = MessageSendInputSerializer(data=request.data)
        data_in.is_valid(raise_exception=True)
        data = data_in.validated_data
        existing = Message.objects.filter(customer=customer, idempotency_key=key).first()
        if existing is not None:
            if existing.recipient != normalize_phone(data["recipient"], field="recipient"):
                raise _key_reused()
            return _replayed(
                Response(MessageDetailOutputSerializer(existing).data, status=status.HTTP_201_CREATED)
            )
        message = message_send(
            customer=customer,
            limits=_limits(customer),
            recipient=data["recipient"],
            now=clock.now(),
            idempotency_key=key,
            actor=request.user,
            **send_fields(customer, data),
        )
        return Response(MessageDetailOutputSerializer(message).data, status=status.HTTP_201_CREATED)


class MessageDetailApi(AuditedAPIView):
    permission_classes = [IsCustomerMember]

    @extend_schema(
        tags=TAGS,
        operation_id="messages_retrieve",
        summary="메시지 상세와 결과, 대체발송 (MSG-3, 6)",
        responses={200: MessageDetailOutputSerializer},
    )
    def get(self, request: Request, pk: int) -> Response:
        message = get_object_or_404(selectors.messages_for(_customer(request).pk), pk=pk)
        return Response(MessageDetailOutputSerializer(message).data)


class BulkSendApi(AuditedAPIView):
    permission_classes = [IsCustomerMember]

    @extend_schema(
        tags=TAGS,
        operation_id="messages_bulk_send",
        summary="대량 발송 (MSG-2, 7)",
        description=(
            "수신자마다 접수 또는 거부(사유)로 기록합니다. `Idempotency-Key` 헤더 필수: 같은 키로 다시 "
            "보내면 처음 발송을 돌려주고 더 보내지 않습니다. 진행은 `GET /messages/bulk/{id}/`."
        ),
        parameters=[IDEMPOTENCY_PARAMETER],
        request=BulkSendInputSerializer,
        responses={
            202: BatchProgressOutputSerializer,
            409: OpenApiResponse(description="Idempotency-Key 재사용"),
            **REFUSED,
        },
    )
    @idempotent(_customer)
    def post(self, request: Request) -> Response:
        customer = _customer(request)
        key = idempotency_key(request, customer.pk)
        data_in = BulkSendInputSerializer(data=request.data)
        data_in.is_valid(raise_exception=True)
        data = data_in.validated_data
        existing = MessageBatch.objects.filter(customer=customer, idempotency_key=key).first()
        if existing is not None:
            if existing.total != len(data["recipients"]):
                raise _key_reused()
            return _replayed(
                Response(
                    BatchProgressOutputSerializer(selectors.batch_progress(existing)).data,
                    status=status.HTTP_202_ACCEPTED,
                )
            )
        fields = send_fields(customer, data)
        variables = fields.pop("variables")
        recipients = [BulkRecipient(r["number"], r.get("variables")) for r in data["recipients"]]
        batch = bulk_send(
            customer=customer,
            limits=_limits(customer),
            recipients=recipients,
            now=clock.now(),
            idempotency_key=key,
            actor=request.user,
            variables=variables,
            **fields,
        )
        return Response(
            BatchProgressOutputSerializer(selectors.batch_progress(batch)).data,
            status=status.HTTP_202_ACCEPTED,
        )


class BulkProgressApi(AuditedAPIView):
    permission_classes = [IsCustomerMember]

    @extend_schema(
        tags=TAGS,
        operation_id="messages_bulk_progress",
        summary="대량 발송 진행 상황",
        responses={200: BatchProgressOutputSerializer},
    )
    def get(self, request: Request, pk: int) -> Response:
        batch = get_object_or_404(selectors.batches_for(_customer(request).pk), pk=pk)
        return Response(BatchProgressOutputSerializer(selectors.batch_progress(batch)).data)


# --------------------------------------------------------------------------- sender numbers


class SenderNumberListCreateApi(MembersReadAdminsWrite, AuditedAPIView):
    permission_classes = [IsCustomerMember]
    parser_classes = [MultiPartParser, FormParser]


    @extend_schema(
        tags=TAGS,
        operation_id="sender_numbers_list",
        summary="발신번호 목록 (MSG-4)",
        parameters=PAGE_PARAMETERS,
        responses={200: SenderNumberPageOutputSerializer},
    )
    def get(self, request: Request) -> Response:
        return paginate(
            self, request, selectors.sender_numbers_for(_customer(request).pk), SenderNumberOutputSerializer
        )

    @extend_schema(
        tags=TAGS,
        operation_id="sender_numbers_register",
        summary="발신번호 등록 요청 (통신서비스 이용증명원 첨부, MSG-4)",
        request={"multipart/form-data": SenderNumberInputSerializer},
        responses={201: SenderNumberOutputSerializer, **REFUSED},
    )
    def post(self, request: Request) -> Response:
        customer = _customer(request)
        data_in = SenderNumberInputSerializer(data=request.data)
        data_in.is_valid(raise_exception=True)
        data = data_in.validated_data
        sender = senders.sender_number_request(
            customer=customer,
            number=data["number"],
            proof_document=data["proof_document"],
            limits=_limits(customer),
            purpose=data["purpose"],
            actor=request.user,
        )
        return Response(SenderNumberOutputSerializer(sender).data, status=status.HTTP_201_CREATED)


# --------------------------------------------------------------------------- AlimTalk templates


class KakaoTemplateListCreateApi(AuditedAPIView):
    permission_classes = [IsCustomerMember]

    @extend_schema(
        tags=TAGS,
        operation_id="kakao_templates_list",
        summary="알림톡 템플릿과 검수 상태 (MSG-2a)",
        parameters=PAGE_PARAMETERS,
        responses={200: KakaoTemplatePageOutputSerializer},
    )
    def get(self, request: Request) -> Response:
        return paginate(
            self, request, selectors.kakao_templates_for(_customer(request).pk), KakaoTemplateOutputSerializer
        )

    @extend_schema(
        tags=TAGS,
        operation_id="kakao_templates_register",
        summary="알림톡 템플릿 등록 (MSG-2a)",
        request=KakaoTemplateInputSerializer,
        responses={201: KakaoTemplateOutputSerializer, **REFUSED},
    )
    def post(self, request: Request) -> Response:
        customer = _customer(request)
        data_in = KakaoTemplateInputSerializer(data=request.data)
        data_in.is_valid(raise_exception=True)
        data = data_in.validated_data
        template = templates_kakao.template_register(
            customer=customer,
            sender_profile=data["sender_profile"],
            code=data["code"],
            name=data["name"],
            body=data["body"],
            buttons=[dict(b) for b in data.get("buttons") or []],
            limits=_limits(customer),
            actor=request.user,
        )
        return Response(KakaoTemplateOutputSerializer(template).data, status=status.HTTP_201_CREATED)


class KakaoTemplateDetailApi(AuditedAPIView):
    permission_classes = [IsCustomerMember]

    @extend_schema(
        tags=TAGS,
        operation_id="kakao_templates_retrieve",
        summary="알림톡 템플릿",
        responses={200: KakaoTemplateOutputSerializer},
    )
    def get(self, request: Request, pk: int) -> Response:
        template = get_object_or_404(selectors.kakao_templates_for(_customer(request).pk), pk=pk)
        return Response(KakaoTemplateOutputSerializer(template).data)

    @extend_schema(
        tags=TAGS,
        operation_id="kakao_templates_edit",
        summary="알림톡 템플릿 수정 (승인·반려된 템플릿은 다시 검수, MSG-2a)",
        request=KakaoTemplateEditInputSerializer,
        responses={200: KakaoTemplateOutputSerializer, **REFUSED},
    )
    def patch(self, request: Request, pk: int) -> Response:
        customer = _customer(request)
        template = get_object_or_404(selectors.kakao_templates_for(customer.pk), pk=pk)
        data_in = KakaoTemplateEditInputSerializer(data=request.data)
        data_in.is_valid(raise_exception=True)
        data = data_in.validated_data
        buttons = data.get("buttons")
        template = templates_kakao.template_edit(
            template=template,
            body=data["body"],
            limits=_limits(customer),
            now=clock.now(),
            buttons=[dict(b) for b in buttons] if buttons is not None else None,
            actor=request.user,
        )
        return Response(KakaoTemplateOutputSerializer(template).data)


# --------------------------------------------------------------------------- opt-outs


class OptOutListCreateApi(AuditedAPIView):
    permission_classes = [IsCustomerMember]

    @extend_schema(
        tags=TAGS,
        operation_id="opt_outs_list",
        summary="수신거부 목록 (MSG-7)",
        parameters=PAGE_PARAMETERS,
        responses={200: OptOutPageOutputSerializer},
    )
    def get(self, request: Request) -> Response:
        return paginate(self, request, selectors.opt_outs_for(_customer(request).pk), OptOutOutputSerializer)

    @extend_schema(
        tags=TAGS,
        operation_id="opt_outs_add",
        summary="수신거부 추가 (MSG-7)",
        request=OptOutInputSerializer,
        responses={201: OptOutOutputSerializer, **REFUSED},
    )
    def post(self, request: Request) -> Response:
        customer = _customer(request)
        _limits(customer)  # only customers with a live kgmsg contract manage the list
        data_in = OptOutInputSerializer(data=request.data)
        data_in.is_valid(raise_exception=True)
        row = spam.opt_out(customer=customer, number=data_in.validated_data["number"], now=clock.now())
        return Response(OptOutOutputSerializer(row).data, status=status.HTTP_201_CREATED)


class OptOutDeleteApi(AuditedAPIView):
    permission_classes = [IsCustomerMember]

    @extend_schema(
        tags=TAGS,
        operation_id="opt_outs_remove",
        summary="수신거부 해제 (MSG-7)",
        request=None,
        responses={204: None},
    )
    def delete(self, request: Request, number: str) -> Response:
        customer = _customer(request)
        _limits(customer)
        row = get_object_or_404(
            selectors.opt_outs_for(customer.pk), number=normalize_phone(number, field="number", rule="MSG-7")
        )
        with transaction.atomic():
            spam.recipient_update(customer=customer, number=row.number, now=clock.now(), opted_out=False)
        return Response(status=status.HTTP_204_NO_CONTENT)
