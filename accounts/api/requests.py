"""Accounts API: change requests (ACC-9), succession filings (ACC-8) and dormant-account reactivation
(ACC-10). Scoped to the requesting member's customer: another customer's request is 404; filing needs
a customer admin (403)."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib.auth import authenticate
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from core import clock
from core.api import PAGE_PARAMETERS, AuditedAPIView, page_serializer, paginate
from core.errors import DomainError
from core.fields import BusinessDateField, StrictInputSerializer
from core.throttling import ScopedThrottle, WriteRateThrottle

from .. import lockout, selectors, services, services_changes
from ..models import CustomerChangeRequest, SuccessionRequest
from .authentication import token_for
from .permissions import IsCustomerMember, MembersReadAdminsWrite, api_member
from .views import MemberOutputSerializer

TAGS = ["accounts"]


# Plain strings (values listed in help texts) rather than enums: "status" and "kind" already name other
# enums in the schema, and the schema must generate without naming collisions.
_CR_STATUS_HELP = "requested | approved | rejected"


@extend_schema_field({"type": "object", "minProperties": 1, "additionalProperties": {"type": "string"}})
class ChangesField(serializers.JSONField):
    """The changed customer fields as a JSON object (in a multipart form: its JSON text)."""


class ChangeRequestOutputSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True, help_text=_CR_STATUS_HELP)

    class Meta:
        model = CustomerChangeRequest
        fields = ("id", "number", "changes", "previous", "note", "document_name", "status", "requested_on",
                  "decided_on", "decision_reason", "created_at")
        read_only_fields = fields


class SuccessionOutputSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True, help_text=_CR_STATUS_HELP)
    kind = serializers.ChoiceField(choices=SuccessionRequest.Kind.choices, read_only=True)
    predecessor_name = serializers.SerializerMethodField()
    successor_name = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()

    class Meta:
        model = SuccessionRequest
        fields = ("id", "number", "kind", "predecessor", "predecessor_name", "successor", "successor_name",
                  "event_date", "filed_on", "deadline", "status", "decided_on", "decision_reason",
                  "documents", "created_at")
        read_only_fields = fields

    def get_documents(self, obj: SuccessionRequest) -> list[str]:
        return [d.original_name for d in obj.documents.all()]

    # ACC-8: a counterparty's registered name only once the viewer may see it (``viewer_id`` in context).
    def get_predecessor_name(self, obj: SuccessionRequest) -> str:
        return obj.party_names_for(self.context.get("viewer_id"))["predecessor_name"]

    def get_successor_name(self, obj: SuccessionRequest) -> str:
        return obj.party_names_for(self.context.get("viewer_id"))["successor_name"]


def _succession_out(request: Request) -> Any:
    return partial(SuccessionOutputSerializer, context={"viewer_id": api_member(request).customer_id})


def _change_requests(request: Request) -> QuerySet[CustomerChangeRequest]:
    return CustomerChangeRequest.objects.filter(customer=api_member(request).customer).order_by("-id")


def _successions(request: Request) -> QuerySet[SuccessionRequest]:
    customer = api_member(request).customer
    return (SuccessionRequest.objects.filter(Q(predecessor=customer) | Q(successor=customer))
            .select_related("predecessor", "successor", "filed_by").prefetch_related("documents")
            .order_by("-id"))


class ChangeRequestListCreateApi(MembersReadAdminsWrite, AuditedAPIView):
    """The customer's change requests (GET, any member); file one (POST multipart, admins; ACC-9)."""

    permission_classes = [IsCustomerMember]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    class InputSerializer(StrictInputSerializer):
        changes = ChangesField(help_text="field → new value, e.g. {\"legal_name\": \"…\"}")
        document = serializers.FileField(required=False, help_text="Required (ACC-9).")
        note = serializers.CharField(required=False, allow_blank=True)


    @extend_schema(responses={200: page_serializer("ChangeRequestPage", ChangeRequestOutputSerializer)},
                   tags=TAGS, operation_id="change_requests_list", parameters=PAGE_PARAMETERS[:1])
    def get(self, request: Request) -> Response:
        return paginate(self, request, _change_requests(request), ChangeRequestOutputSerializer,
                        pagination=PageNumberPagination)

    @extend_schema(request={"multipart/form-data": InputSerializer},
                   responses={201: ChangeRequestOutputSerializer}, tags=TAGS,
                   operation_id="change_requests_create")
    def post(self, request: Request) -> Response:
        member = api_member(request)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = data.validated_data["changes"]
        if not isinstance(changes, dict):
            raise DomainError("invalid", _("changes는 항목 → 새 값 객체여야 합니다."), rule="ACC-9",
                              field="changes")
        filed = services_changes.change_request_file(
            customer=member.customer, member=member, changes=changes,
            document=data.validated_data.get("document"), note=data.validated_data.get("note", ""),
            today=clock.today(), actor=request.user,
        )
        return Response(ChangeRequestOutputSerializer(filed).data, status=status.HTTP_201_CREATED)


class ChangeRequestDetailApi(AuditedAPIView):
    permission_classes = [IsCustomerMember]

    @extend_schema(responses={200: ChangeRequestOutputSerializer}, tags=TAGS,
                   operation_id="change_requests_retrieve")
    def get(self, request: Request, request_id: int) -> Response:
        item = get_object_or_404(_change_requests(request), pk=request_id)
        return Response(ChangeRequestOutputSerializer(item).data)


class SuccessionListCreateApi(MembersReadAdminsWrite, AuditedAPIView):
    """Succession filings where the customer is a party (GET); file one (POST multipart, admins; ACC-8).

    ``side`` says whether the requesting customer is the predecessor or the successor;
    ``counterparty_business_number`` names the other party when it is a customer; a successor that is
    not a customer yet is described by ``successor_legal_name`` etc."""

    permission_classes = [IsCustomerMember]
    parser_classes = [MultiPartParser, FormParser]
    # A filing looks up the counterparty by business number: limited per member (scope "succession").
    throttle_classes = [WriteRateThrottle, ScopedThrottle]
    throttle_scope = "succession"
    throttle_methods = frozenset({"POST"})

    class InputSerializer(StrictInputSerializer):
        side = serializers.ChoiceField(choices=("predecessor", "successor"),
                                       help_text="the requesting customer's role")
        kind = serializers.ChoiceField(choices=SuccessionRequest.Kind.choices)
        event_date = BusinessDateField()
        counterparty_business_number = serializers.CharField(required=False, allow_blank=True)
        successor_legal_name = serializers.CharField(required=False, allow_blank=True)
        successor_representative_name = serializers.CharField(required=False, allow_blank=True)
        successor_billing_email = serializers.EmailField(required=False, allow_blank=True)
        note = serializers.CharField(required=False, allow_blank=True)
        documents = serializers.ListField(child=serializers.FileField(), required=False, allow_empty=True)


    @extend_schema(responses={200: page_serializer("SuccessionPage", SuccessionOutputSerializer)},
                   tags=TAGS, operation_id="successions_list", parameters=PAGE_PARAMETERS[:1])
    def get(self, request: Request) -> Response:
        return paginate(self, request, _successions(request), _succession_out(request),
                        pagination=PageNumberPagination)

    @extend_schema(request={"multipart/form-data": InputSerializer},
                   responses={201: SuccessionOutputSerializer}, tags=TAGS, operation_id="successions_create")
    def post(self, request: Request) -> Response:
        from contracts.services import succession

        member = api_member(request)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        documents = request.FILES.getlist("documents")
        number = (values.get("counterparty_business_number") or "").strip()
        other = selectors.customer_by_business_number(number) if number else None
        common = {"kind": values["kind"], "event_date": values["event_date"], "documents": documents,
                  "today": clock.today(), "filer": member, "note": values.get("note", ""),
                  "actor": request.user}
        if values["side"] == "successor":
            if other is None:
                raise DomainError(
                    "predecessor_not_found",
                    _("사업자등록번호 {number}인 이용 중인 고객(원 계약자)을 찾을 수 없습니다."),
                    rule="ACC-8", field="counterparty_business_number", number=number or "-",
                )
            filed = succession.succession_file(predecessor=other, successor=member.customer, **common)
        else:
            successor_data = None if other is not None else {
                "legal_name": values.get("successor_legal_name", ""),
                "representative_name": values.get("successor_representative_name", ""),
                "billing_email": values.get("successor_billing_email", ""),
                "business_number": number,
            }
            filed = succession.succession_file(predecessor=member.customer, successor=other,
                                               successor_data=successor_data, **common)
        return Response(_succession_out(request)(filed).data, status=status.HTTP_201_CREATED)


class SuccessionDetailApi(AuditedAPIView):
    permission_classes = [IsCustomerMember]

    @extend_schema(responses={200: SuccessionOutputSerializer}, tags=TAGS,
                   operation_id="successions_retrieve")
    def get(self, request: Request, succession_id: int) -> Response:
        item = get_object_or_404(_successions(request), pk=succession_id)
        return Response(_succession_out(request)(item).data)


class ReactivateApi(AuditedAPIView):
    """A dormant member reactivates with login ID and password and gets a token (ACC-10)."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedThrottle]
    throttle_scope = "auth"  # it checks a password: the same limit as the token endpoint

    class InputSerializer(StrictInputSerializer):
        login_id = serializers.CharField(max_length=150)
        password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()
        member = MemberOutputSerializer()

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer}, tags=TAGS,
                   operation_id="auth_reactivate", auth=[])
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lockout.check_allowed(request._request, data.validated_data["login_id"])
        member = services.dormant_member_for_credentials(login_id=data.validated_data["login_id"],
                                                         password=data.validated_data["password"])
        if member is None:
            lockout.record_failure(request._request, data.validated_data["login_id"])
            raise DomainError("invalid_credentials",
                              _("휴면 상태인 계정의 로그인 ID와 비밀번호가 아닙니다."), rule="ACC-10")
        today = clock.today()
        member = services.member_reactivate(member=member, today=today, actor=member.user)
        user = authenticate(request._request, username=member.login_id,
                            password=data.validated_data["password"])
        assert user is not None
        token = token_for(user)
        services.member_record_login(member=member, today=today)
        return Response(self.OutputSerializer({"token": token.key, "member": member}).data)
