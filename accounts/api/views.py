"""Accounts API: token, me, members. One view per resource, explicit input and output serializers,
every write through ``accounts.services``; scoped to the requesting member's customer."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from core import clock
from core.api import ERROR_RESPONSE, AuditedAPIView, paginate
from core.errors import DomainError, PermissionDenied, Unauthorized
from core.fields import StrictInputSerializer
from core.throttling import ScopedThrottle

from .. import lockout, selectors, services
from ..models import Customer, Member
from .authentication import token_for
from .permissions import IsCustomerMember, MembersReadAdminsWrite, api_member


@extend_schema_field({"type": "string", "maxLength": 150, "pattern": services.LOGIN_ID_PATTERN})
class LoginIdField(serializers.CharField):
    """A new member's login ID; its pattern is documented, the service checks it (``login_id_invalid``)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=150, **kwargs)


@extend_schema_field({
    "type": "string", "pattern": "^(?:|[A-Za-z][^\\u0000]{7,})$",
    "description": "blank: no password yet (no login until one is set); else the password rules apply",
})
class NewPasswordField(serializers.CharField):
    """A new member's password; the documented pattern (8+ characters starting with a letter) is a shape
    the password rules always accept, the rules themselves (settings.AUTH_PASSWORD_VALIDATORS) decide."""

TAGS = ["accounts"]


# --------------------------------------------------------------------------- output serializers


class MemberOutputSerializer(serializers.ModelSerializer):
    mobile = serializers.SerializerMethodField()

    class Meta:
        model = Member
        fields = ("id", "login_id", "name", "email", "mobile", "department", "role", "status",
                  "last_seen_on", "created_at")
        read_only_fields = fields

    def get_mobile(self, obj: Member) -> str:
        return str(obj.mobile) if obj.mobile else ""


class CustomerOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ("id", "legal_name", "kind", "business_number", "representative_name", "status",
                  "preferred_language", "locked_member_fields")
        read_only_fields = fields


class MeOutputSerializer(serializers.Serializer):
    member = MemberOutputSerializer()
    customer = CustomerOutputSerializer()


class MemberPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = MemberOutputSerializer(many=True)


def _member_out(member: Member) -> dict[str, Any]:
    return dict(MemberOutputSerializer(member).data)


# --------------------------------------------------------------------------- auth


class TokenObtainApi(AuditedAPIView):
    """Exchange a member's login ID and password for an API token (valid ``API_TOKEN_MAX_AGE_DAYS``).

    Throttled per client IP (scope ``auth``); a login ID + IP that failed ``AXES_FAILURE_LIMIT`` times
    is locked out for the cool-off (429 ``login_locked``), even with the right password."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedThrottle]
    throttle_scope = "auth"

    class InputSerializer(StrictInputSerializer):
        login_id = serializers.CharField(max_length=150)
        password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()
        member = MemberOutputSerializer()

    @extend_schema(request=InputSerializer, tags=TAGS, operation_id="auth_token_obtain", auth=[],
                   responses={200: OutputSerializer, 400: ERROR_RESPONSE, 401: ERROR_RESPONSE,
                              403: ERROR_RESPONSE})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request._request, username=data.validated_data["login_id"],
                            password=data.validated_data["password"])
        if user is None:
            if lockout.is_locked_out(request._request):
                raise lockout.LoginLocked("login_locked", lockout.lockout_message(request._request))
            if services.dormant_member_for_credentials(login_id=data.validated_data["login_id"],
                                                       password=data.validated_data["password"]):
                raise DomainError(
                    "member_dormant",
                    _("장기간 로그인하지 않아 휴면 상태가 된 계정입니다. "
                      "auth/reactivate/ 또는 고객 포털 로그인으로 휴면을 해제하세요."),
                    rule="ACC-10",
                )
            raise Unauthorized("invalid_credentials", _("로그인 ID 또는 비밀번호가 올바르지 않습니다."))
        member = selectors.member_for_user(user)
        if member is None or member.status != Member.Status.ACTIVE or not member.customer.is_open:
            raise PermissionDenied("not_a_member", _("고객 구성원 계정만 사용할 수 있습니다."))
        token = token_for(user)
        # A token is a login: the usual signal (last_login; the lockout's failure count is reset).
        user_logged_in.send(sender=type(user), request=request._request, user=user)
        services.member_record_login(member=member, today=clock.today())
        return Response(self.OutputSerializer({"token": token.key, "member": member}).data)


# --------------------------------------------------------------------------- me


class MeApi(AuditedAPIView):
    """The requesting member and its customer."""

    permission_classes = [IsCustomerMember]

    @extend_schema(responses={200: MeOutputSerializer}, tags=TAGS, operation_id="me_retrieve")
    def get(self, request: Request) -> Response:
        member = api_member(request)
        return Response(MeOutputSerializer({"member": member, "customer": member.customer}).data)


# --------------------------------------------------------------------------- members


class MemberListCreateApi(MembersReadAdminsWrite, AuditedAPIView):
    """The customer's members (GET, any member); add one (POST, admins)."""

    permission_classes = [IsCustomerMember]

    class FilterSerializer(serializers.Serializer):
        role = serializers.ChoiceField(choices=Member.Role.choices, required=False)
        status = serializers.ChoiceField(choices=Member.Status.choices, required=False)

    class InputSerializer(StrictInputSerializer):
        login_id = LoginIdField()
        name = serializers.CharField(max_length=100)
        email = serializers.EmailField()
        role = serializers.ChoiceField(choices=Member.Role.choices, default=Member.Role.MEMBER)
        password = NewPasswordField(required=False, allow_blank=True, write_only=True,
                                    trim_whitespace=False, style={"input_type": "password"})
        mobile = PhoneNumberField(required=False, allow_blank=True)
        department = serializers.CharField(max_length=100, required=False, allow_blank=True)


    @extend_schema(
        parameters=[
            OpenApiParameter("role", str, enum=Member.Role.values),
            OpenApiParameter("status", str, enum=Member.Status.values),
            OpenApiParameter("page", int),
        ],
        responses={200: MemberPageSerializer}, tags=TAGS, operation_id="members_list",
    )
    def get(self, request: Request) -> Response:
        member = api_member(request)
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = selectors.customer_members(member.customer)
        if "role" in filters.validated_data:
            qs = qs.filter(role=filters.validated_data["role"])
        if "status" in filters.validated_data:
            qs = qs.filter(status=filters.validated_data["status"])
        return paginate(self, request, qs, MemberOutputSerializer, pagination=PageNumberPagination)

    @extend_schema(request=InputSerializer, tags=TAGS,
                   responses={201: MemberOutputSerializer,
                              409: OpenApiResponse(ERROR_RESPONSE.response, description="login_id_taken")},
                   operation_id="members_create")
    def post(self, request: Request) -> Response:
        member = api_member(request)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["password"] = values.get("password") or None
        values["mobile"] = str(values.get("mobile") or "")
        created = services.member_add(customer=member.customer, actor=request.user, **values)
        return Response(_member_out(created), status=status.HTTP_201_CREATED)


class MemberDetailApi(AuditedAPIView):
    """One member of the requesting member's customer. Admins change anyone (role included);
    a member may edit only their own profile; locked fields and the login ID are refused (ACC-6)."""

    permission_classes = [IsCustomerMember]

    class InputSerializer(StrictInputSerializer):
        login_id = serializers.CharField(max_length=150, required=False,
                                         help_text="Immutable (ACC-6): any change is refused.")
        name = serializers.CharField(max_length=100, required=False)
        email = serializers.EmailField(required=False)
        mobile = PhoneNumberField(required=False, allow_blank=True)
        department = serializers.CharField(max_length=100, required=False, allow_blank=True)
        role = serializers.ChoiceField(choices=Member.Role.choices, required=False)

    def _target(self, request: Request, member_id: int) -> Member:
        return get_object_or_404(selectors.customer_members(api_member(request).customer), pk=member_id)

    @extend_schema(responses={200: MemberOutputSerializer}, tags=TAGS, operation_id="members_retrieve")
    def get(self, request: Request, member_id: int) -> Response:
        return Response(_member_out(self._target(request, member_id)))

    @extend_schema(request=InputSerializer, responses={200: MemberOutputSerializer}, tags=TAGS,
                   operation_id="members_partial_update")
    def patch(self, request: Request, member_id: int) -> Response:
        me = api_member(request)
        target = self._target(request, member_id)
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        role = changes.pop("role", None)
        if "mobile" in changes:
            changes["mobile"] = str(changes["mobile"] or "")
        if not me.is_admin and (target.pk != me.pk or (role is not None and role != target.role)):
            raise PermissionDenied("admin_required", _("고객사 관리자만 할 수 있습니다."))
        with transaction.atomic():
            if changes:
                services.member_update_profile(member=target, changes=changes, by_member=me,
                                               actor=request.user)
            if role is not None:
                services.member_change_role(member=target, role=role, actor=request.user)
        target.refresh_from_db()
        return Response(_member_out(target))

    @extend_schema(responses={204: None}, tags=TAGS, operation_id="members_destroy")
    def delete(self, request: Request, member_id: int) -> Response:
        me = api_member(request)
        if not me.is_admin:
            raise PermissionDenied("admin_required", _("고객사 관리자만 할 수 있습니다."))
        services.member_remove(member=self._target(request, member_id), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
