"""Contracts and terms API under /api/v1/ (CON-1..13, TRM-3..6). One view per operation, explicit
input and output serializers, every write through ``contracts.services``.

Every query is scoped to the requesting member's customer: another customer's contract is a 404.
Writes (apply, upload, postpone, withdraw, terminate, stop renewal, consent) are for customer
admins (ACC-4); a plain member gets 403. A service's ``DomainError`` becomes the JSON error body
(code, rule, field, message) through ``core.api.exception_handler``.
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.permissions import IsCustomerAdmin, IsCustomerMember, MembersReadAdminsWrite, api_member
from core import clock
from core.api import PAGE_PARAMETERS, AuditedAPIView, paginate
from core.client_ip import client_ip
from core.errors import DomainError

from .. import selectors
from ..entitlement import entitlement
from ..models import Contract, ContractStatus, Plan, Policy, TermsConsent
from ..services import applications, renewal, termination, terms
from ..services.actions import Audience, offered_actions
from .serializers import (
    ConsentInputSerializer,
    ConsentOutputSerializer,
    ContractApplyInputSerializer,
    ContractDetailOutputSerializer,
    ContractOutputSerializer,
    ContractPageOutputSerializer,
    DocumentOutputSerializer,
    DocumentUploadInputSerializer,
    EntitlementInputSerializer,
    EntitlementOutputSerializer,
    PendingTermsOutputSerializer,
    PendingTermsPageOutputSerializer,
    PlanOutputSerializer,
    PlanPageOutputSerializer,
    PostponeInputSerializer,
    ReasonInputSerializer,
    RenewalStopInputSerializer,
    SettlementOutputSerializer,
    TerminateInputSerializer,
    TerminationPreviewInputSerializer,
    contract_detail_data,
)

CONTRACTS = ["contracts"]
TERMS = ["terms"]

ERROR_RESPONSES: dict[int, Any] = {
    400: {"description": "DomainError / validation error: {error: {code, rule, field, message}}"},
    401: {"description": "not authenticated"},
    403: {"description": "not a member, or not a customer admin (ACC-4)"},
    404: {"description": "not found (or another customer's)"},
}
# The endpoint a customer posts each offered action to (``contracts.services.actions.CUSTOMER_ACTIONS``);
# an appeal is filed in the portal (no API endpoint yet).
ACTION_ROUTES: dict[str, str | None] = {
    "upload_document": "api-contract-documents",
    "postpone": "api-contract-postpone",
    "withdraw": "api-contract-withdraw",
    "terminate": "api-contract-terminate",
    "stop_renewal": "api-contract-stop-renewal",
    "file_appeal": None,
}


def _responses(ok: Any, *codes: int, ok_status: int = 200) -> dict[int, Any]:
    return {ok_status: ok, **{c: ERROR_RESPONSES[c] for c in codes}}


def _contract(request: Request, contract_id: int, *, detail: bool = False) -> Contract:
    customer = api_member(request).customer
    qs = selectors.customer_contract_detail(customer) if detail else selectors.customer_contracts(customer)
    return get_object_or_404(qs, pk=contract_id)


def _detail(request: Request, contract_id: int) -> dict[str, Any]:
    contract = _contract(request, contract_id, detail=True)
    today = clock.today()
    audience = Audience.member(api_member(request))
    contract_detail_data(
        contract,
        required_documents=selectors.required_documents(contract),
        effective_policy=selectors.policy_values(contract),
        deadlines=selectors.contract_deadlines(contract, today),
        actions=[
            {
                "code": action.code,
                "label": action.label,
                "allowed": action.allowed,
                "reason": action.reason,
                "url": _action_url(action.code, contract.pk),
            }
            for action in offered_actions(contract, audience=audience, today=today)
        ],
    )
    return dict(ContractDetailOutputSerializer(contract).data)


def _action_url(code: str, contract_id: int) -> str | None:
    name = ACTION_ROUTES.get(code)
    return reverse(name, kwargs={"contract_id": contract_id}) if name else None


# --------------------------------------------------------------------------- plans


class PlanListApi(AuditedAPIView):
    """Active plans with their prices and the contract terms of their policy (CON-5)."""

    permission_classes = [IsCustomerMember]

    @extend_schema(
        tags=CONTRACTS,
        operation_id="plans_list",
        summary="판매 중인 요금제",
        parameters=PAGE_PARAMETERS,
        responses=_responses(PlanPageOutputSerializer, 401, 403),
    )
    def get(self, request: Request) -> Response:
        return paginate(self, request, selectors.active_plans(), PlanOutputSerializer)


# --------------------------------------------------------------------------- contracts


class ContractListCreateApi(MembersReadAdminsWrite, AuditedAPIView):
    """The customer's contracts (any member); apply for a plan (admins, ACC-4, CON-1)."""

    permission_classes = [IsCustomerMember]


    @extend_schema(
        tags=CONTRACTS,
        operation_id="contracts_list",
        summary="계약 목록",
        parameters=[
            OpenApiParameter(
                "status",
                str,
                enum=ContractStatus.values,
                many=True,
                explode=True,
                description="상태로 거르기 (여러 번 지정 가능)",
            ),
            OpenApiParameter("plan", str, description="요금제 코드"),
            *PAGE_PARAMETERS,
        ],
        responses=_responses(ContractPageOutputSerializer, 400, 401, 403),
    )
    def get(self, request: Request) -> Response:
        member = api_member(request)
        filters = selectors.ContractFilter(
            request.query_params, queryset=selectors.customer_contracts(member.customer)
        )
        if not filters.is_valid():
            raise serializers.ValidationError(filters.errors)
        return paginate(self, request, filters.qs, ContractOutputSerializer)

    @extend_schema(
        tags=CONTRACTS,
        operation_id="contracts_apply",
        summary="이용 신청 (CON-1, ACC-4)",
        request=ContractApplyInputSerializer,
        responses=_responses(ContractDetailOutputSerializer, 400, 401, 403, ok_status=201),
    )
    def post(self, request: Request) -> Response:
        member = api_member(request)
        data = ContractApplyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        plan = Plan.objects.filter(code=values["plan"]).select_related("policy").first()
        if plan is None:
            raise DomainError(
                "unknown_plan",
                _("요금제 '{plan}'을(를) 찾을 수 없습니다."),
                rule="CON-1",
                field="plan",
                plan=values["plan"],
            )
        contract = applications.contract_apply(
            customer=member.customer,
            plan=plan,
            requested_start=values["requested_start"],
            today=clock.today(),
            member=member,
            seats=values.get("seats"),
            billing_cycle=values.get("billing_cycle") or None,
            term_months=values.get("term_months"),
        )
        return Response(_detail(request, contract.pk), status=status.HTTP_201_CREATED)


class ContractDetailApi(AuditedAPIView):
    """One contract: status, plan, periods, documents, transitions, effective policy values with their
    source (CON-12) and the deadlines that apply (CON-4, CON-6, CON-7, CON-8)."""

    permission_classes = [IsCustomerMember]

    @extend_schema(
        tags=CONTRACTS,
        operation_id="contracts_retrieve",
        summary="계약 상세",
        responses=_responses(ContractDetailOutputSerializer, 401, 403, 404),
    )
    def get(self, request: Request, contract_id: int) -> Response:
        return Response(_detail(request, contract_id))


class ContractDocumentUploadApi(AuditedAPIView):
    """Upload a required document for an application (CON-3), multipart."""

    permission_classes = [IsCustomerAdmin]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=CONTRACTS,
        operation_id="contracts_documents_upload",
        summary="필수 서류 제출 (CON-3)",
        request={"multipart/form-data": DocumentUploadInputSerializer},
        responses=_responses(DocumentOutputSerializer, 400, 401, 403, 404, ok_status=201),
    )
    def post(self, request: Request, contract_id: int) -> Response:
        contract = _contract(request, contract_id)
        data = DocumentUploadInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = applications.document_upload(
            contract=contract,
            kind=data.validated_data["kind"],
            upload=data.validated_data["file"],
            today=clock.today(),
        )
        return Response(DocumentOutputSerializer(document).data, status=status.HTTP_201_CREATED)


class _ContractActionApi(AuditedAPIView):
    """A customer admin's operation on one contract: validate the input, call one service, return the
    contract as it now is. Subclasses name the input serializer and the service call."""

    permission_classes = [IsCustomerAdmin]
    input_serializer: type[serializers.Serializer]

    def perform(self, contract: Contract, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def post(self, request: Request, contract_id: int) -> Response:
        contract = _contract(request, contract_id)
        data = self.input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        self.perform(contract, data.validated_data)
        return Response(_detail(request, contract_id))


def _action_schema(operation_id: str, summary: str, request: type[serializers.Serializer]) -> Any:
    return extend_schema_view(
        post=extend_schema(
            tags=CONTRACTS,
            operation_id=operation_id,
            summary=summary,
            request=request,
            responses=_responses(ContractDetailOutputSerializer, 400, 401, 403, 404),
        )
    )


@_action_schema("contracts_postpone", "개통 연기 (CON-4)", PostponeInputSerializer)
class ContractPostponeApi(_ContractActionApi):
    """Postpone activation, no later than the policy's notice before the scheduled date (CON-4)."""

    input_serializer = PostponeInputSerializer

    def perform(self, contract: Contract, data: dict[str, Any]) -> None:
        applications.activation_postpone(
            contract=contract, new_date=data["new_date"], today=clock.today(), reason=data["reason"]
        )


@_action_schema("contracts_withdraw", "청약 철회 (CON-8)", ReasonInputSerializer)
class ContractWithdrawApi(_ContractActionApi):
    """Withdraw (청약철회): before activation, or inside the cooling-off window after it (CON-8)."""

    input_serializer = ReasonInputSerializer

    def perform(self, contract: Contract, data: dict[str, Any]) -> None:
        termination.contract_withdraw(contract=contract, today=clock.today(), reason=data["reason"])


class ContractTerminationPreviewApi(AuditedAPIView):
    """The final settlement a termination on ``effective_on`` would produce, before confirming (CON-7).
    Read-only, so any member may look; confirming is for admins."""

    permission_classes = [IsCustomerMember]

    @extend_schema(
        tags=CONTRACTS,
        operation_id="contracts_termination_preview",
        summary="해지 정산 미리보기 (CON-7)",
        parameters=[TerminationPreviewInputSerializer],
        responses=_responses(SettlementOutputSerializer, 400, 401, 403, 404),
    )
    def get(self, request: Request, contract_id: int) -> Response:
        contract = _contract(request, contract_id)
        data = TerminationPreviewInputSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        settlement = termination.termination_preview(
            contract=contract, effective_on=data.validated_data["effective_on"], today=clock.today()
        )
        return Response(SettlementOutputSerializer(settlement).data)


@_action_schema("contracts_terminate", "해지 신청 (CON-7)", TerminateInputSerializer)
class ContractTerminateApi(_ContractActionApi):
    """Give notice: the contract is ``terminating`` until the effective date (CON-7)."""

    input_serializer = TerminateInputSerializer

    def perform(self, contract: Contract, data: dict[str, Any]) -> None:
        termination.termination_request(
            contract=contract, effective_on=data["effective_on"], today=clock.today(), reason=data["reason"]
        )


@_action_schema("contracts_stop_renewal", "자동 갱신 중단 (CON-6)", RenewalStopInputSerializer)
class ContractStopRenewalApi(_ContractActionApi):
    """Notice not to renew, before the policy's deadline (CON-6)."""

    input_serializer = RenewalStopInputSerializer

    def perform(self, contract: Contract, data: dict[str, Any]) -> None:
        renewal.renewal_stop(contract=contract, today=clock.today(), reason=data["reason"])


class PendingTermsApi(AuditedAPIView):
    """Published terms versions affecting the customer's live contracts and not yet effective (TRM-3),
    with the customer's answer so far (TRM-4)."""

    permission_classes = [IsCustomerMember]

    @extend_schema(
        tags=TERMS,
        operation_id="terms_pending",
        summary="응답 대상 약관 개정 (TRM-3)",
        parameters=PAGE_PARAMETERS,
        responses=_responses(PendingTermsPageOutputSerializer, 401, 403),
    )
    def get(self, request: Request) -> Response:
        member = api_member(request)
        rows = selectors.pending_terms(member.customer, clock.today())
        return paginate(self, request, rows, PendingTermsOutputSerializer)


class TermsConsentApi(AuditedAPIView):
    """Accept or refuse a published version before it takes effect (TRM-4); recorded with the member,
    time, IP and channel ``api``."""

    permission_classes = [IsCustomerAdmin]

    @extend_schema(
        tags=TERMS,
        operation_id="terms_consent",
        summary="약관 개정 동의/거부 (TRM-4)",
        request=ConsentInputSerializer,
        responses=_responses(ConsentOutputSerializer, 400, 401, 403, 404, ok_status=201),
    )
    def post(self, request: Request, policy_id: int) -> Response:
        member = api_member(request)
        policy = get_object_or_404(Policy, pk=policy_id)
        data = ConsentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consent = terms.consent_record(
            customer=member.customer,
            policy=policy,
            decision=data.validated_data["decision"],
            today=clock.today(),
            member=member,
            ip_address=client_ip(request),
            channel=TermsConsent.Channel.API,
        )
        return Response(ConsentOutputSerializer(consent).data, status=status.HTTP_201_CREATED)


# --------------------------------------------------------------------------- entitlement


class EntitlementApi(AuditedAPIView):
    """May the customer use ``feature`` right now: an active contract, not suspended, not restricted
    for that feature (CON-13)."""

    permission_classes = [IsCustomerMember]

    @extend_schema(
        tags=CONTRACTS,
        operation_id="entitlement_retrieve",
        summary="이용 가능 여부 (CON-13)",
        parameters=[EntitlementInputSerializer],
        responses=_responses(EntitlementOutputSerializer, 400, 401, 403),
    )
    def get(self, request: Request) -> Response:
        member = api_member(request)
        data = EntitlementInputSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        today = clock.today()
        feature = data.validated_data["feature"]
        result = entitlement(member.customer, feature, today=today)
        return Response(
            EntitlementOutputSerializer(
                {
                    "feature": feature,
                    "allowed": result.allowed,
                    "reason": str(result.reason),
                    "contract_id": result.contract.pk if result.contract else None,
                    "on_date": today,
                }
            ).data
        )
