"""SLA API under /api/v1/sla/: incidents (SLA-1), monthly availability with its working (SLA-3), claims
(SLA-5) and the access-failure feed (SLA-3). One view per operation with explicit serializers; every
read through ``sla.selectors``/``sla.readouts``, every write through ``sla.services``.

Customer endpoints are scoped to the requesting member's customer: another customer's incident, claim,
contract or month is a 404. The feed takes points from staff or a monitor account holding the
``sla.add_errorratesample`` permission. A ``DomainError`` becomes the JSON error body (code, rule,
field, message) through ``core.api.exception_handler``.
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.permissions import IsCustomerMember, MembersReadAdminsWrite, api_member
from contracts.models import Contract
from core import clock
from core.api import PAGE_PARAMETERS, AuditedAPIView, paginate

from .. import selectors
from ..models import ErrorRateSample
from ..readouts import month_report
from ..services.availability import error_rate_record
from ..services.claims import claim_prefill, claim_submit
from ..services.incidents import incident_report
from .serializers import (
    AvailabilityOutputSerializer,
    ClaimDraftOutputSerializer,
    ClaimOutputSerializer,
    ClaimPageOutputSerializer,
    ClaimSubmitInputSerializer,
    FeedPointInputSerializer,
    FeedPointOutputSerializer,
    IncidentDetailOutputSerializer,
    IncidentOutputSerializer,
    IncidentPageOutputSerializer,
    IncidentReportInputSerializer,
    MonthInputSerializer,
)

TAGS = ["sla"]
ERROR_RESPONSES: dict[int, Any] = {
    400: {"description": "DomainError / validation error: {error: {code, rule, field, message}}"},
    401: {"description": "not authenticated"},
    403: {"description": "not a member / not a customer admin (ACC-4) / no feed permission"},
    404: {"description": "not found (or another customer's)"},
    409: {"description": "already claimed (SLA-5)"},
}
FEED_PERMISSION = "sla.add_errorratesample"


def _responses(ok: Any, *codes: int, ok_status: int = 200) -> dict[int, Any]:
    return {ok_status: ok, **{c: ERROR_RESPONSES[c] for c in codes}}


def _contract(request: Request, contract_id: int) -> Contract:
    return get_object_or_404(selectors.customer_sla_contracts(api_member(request).customer), pk=contract_id)


def _month(request: Request) -> Any:
    data = MonthInputSerializer(data=request.query_params)
    data.is_valid(raise_exception=True)
    return data.validated_data["month"]


# --------------------------------------------------------------------------- incidents (SLA-1)


class IncidentListReportApi(AuditedAPIView):
    """The incidents the customer follows; a member reports one on a contract (SLA-1)."""

    permission_classes = [IsCustomerMember]

    @extend_schema(
        tags=TAGS,
        operation_id="sla_incidents_list",
        summary="장애 목록 (SLA-1)",
        parameters=PAGE_PARAMETERS,
        responses=_responses(IncidentPageOutputSerializer, 401, 403),
    )
    def get(self, request: Request) -> Response:
        rows = selectors.customer_incidents(api_member(request).customer)
        return paginate(self, request, rows, IncidentOutputSerializer)

    @extend_schema(
        tags=TAGS,
        operation_id="sla_incidents_report",
        summary="장애 신고 (SLA-1)",
        request=IncidentReportInputSerializer,
        responses=_responses(IncidentDetailOutputSerializer, 400, 401, 403, 404, ok_status=201),
    )
    def post(self, request: Request) -> Response:
        member = api_member(request)
        data = IncidentReportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        contract = _contract(request, values["contract"])
        incident = incident_report(
            contract=contract,
            title=values["title"],
            description=values["description"],
            scope=values["scope"],
            feature=values["feature"],
            reported_at=values["reported_at"],
            member=member,
            today=clock.today(),
            now=clock.now(),
        )
        incident = selectors.customer_incidents(member.customer).get(pk=incident.pk)
        return Response(IncidentDetailOutputSerializer(incident).data, status=status.HTTP_201_CREATED)


class IncidentDetailApi(AuditedAPIView):
    """One incident with its timeline (SLA-1)."""

    permission_classes = [IsCustomerMember]

    @extend_schema(
        tags=TAGS,
        operation_id="sla_incidents_detail",
        summary="장애 상세와 경과 (SLA-1)",
        responses=_responses(IncidentDetailOutputSerializer, 401, 403, 404),
    )
    def get(self, request: Request, incident_id: int) -> Response:
        rows = selectors.customer_incidents(api_member(request).customer).prefetch_related("updates")
        incident = get_object_or_404(rows, pk=incident_id)
        return Response(IncidentDetailOutputSerializer(incident).data)


# --------------------------------------------------------------------------- availability (SLA-3)


class AvailabilityApi(AuditedAPIView):
    """A contract's availability for a month with its working: counted outages, excluded incidents and
    why, announced maintenance (SLA-3); the credit and claim terms once the month is closed (SLA-4/5)."""

    permission_classes = [IsCustomerMember]

    @extend_schema(
        tags=TAGS,
        operation_id="sla_availability",
        summary="월 가용률과 산정 내역 (SLA-3)",
        parameters=[MonthInputSerializer],
        responses=_responses(AvailabilityOutputSerializer, 400, 401, 403, 404),
    )
    def get(self, request: Request, contract_id: int) -> Response:
        contract = _contract(request, contract_id)
        report = month_report(contract=contract, month=_month(request), now=clock.now())
        return Response(AvailabilityOutputSerializer(report).data)


# --------------------------------------------------------------------------- claims (SLA-5)


class ClaimListSubmitApi(MembersReadAdminsWrite, AuditedAPIView):
    """The customer's claims (any member); a customer admin submits one (SLA-5, ACC-4)."""

    permission_classes = [IsCustomerMember]


    @extend_schema(
        tags=TAGS,
        operation_id="sla_claims_list",
        summary="SLA 보상 청구 목록 (SLA-5)",
        parameters=PAGE_PARAMETERS,
        responses=_responses(ClaimPageOutputSerializer, 401, 403),
    )
    def get(self, request: Request) -> Response:
        rows = selectors.customer_claims(api_member(request).customer)
        return paginate(self, request, rows, ClaimOutputSerializer)

    @extend_schema(
        tags=TAGS,
        operation_id="sla_claims_submit",
        summary="SLA 보상 청구 (SLA-5)",
        request=ClaimSubmitInputSerializer,
        responses=_responses(ClaimOutputSerializer, 400, 401, 403, 404, 409, ok_status=201),
    )
    def post(self, request: Request) -> Response:
        member = api_member(request)
        data = ClaimSubmitInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        claim = claim_submit(
            contract=_contract(request, values["contract"]),
            month=values["month"],
            today=clock.today(),
            member=member,
            amount_won=values["amount_won"],
            basis=values["basis"],
            details=values["details"],
        )
        claim = selectors.customer_claims(member.customer).get(pk=claim.pk)
        return Response(ClaimOutputSerializer(claim).data, status=status.HTTP_201_CREATED)


class ClaimPrefillApi(AuditedAPIView):
    """The claim form's amount, basis and due date as the month close computed them (SLA-5)."""

    permission_classes = [IsCustomerMember]

    @extend_schema(
        tags=TAGS,
        operation_id="sla_claims_prefill",
        summary="청구서 미리 채우기 (SLA-5)",
        parameters=[MonthInputSerializer],
        responses=_responses(ClaimDraftOutputSerializer, 400, 401, 403, 404),
    )
    def get(self, request: Request, contract_id: int) -> Response:
        contract = _contract(request, contract_id)
        draft = claim_prefill(contract=contract, month=_month(request))
        return Response(ClaimDraftOutputSerializer(draft).data)


# --------------------------------------------------------------------------- access-failure feed (SLA-3)


class CanFeedErrorRates(BasePermission):
    """Staff, or a monitor account, holding ``sla.add_errorratesample``."""

    message = _("접속 실패율 기록 권한이 없습니다.")

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm(FEED_PERMISSION))


class FeedPointApi(AuditedAPIView):
    """Record one point of the access-failure feed (SLA-3, ``flow`` 001 art.25-1). A ratio outside 0–1,
    a timestamp already recorded or in the future is refused with the field and rule."""

    permission_classes = [CanFeedErrorRates]

    @extend_schema(
        tags=TAGS,
        operation_id="sla_feed_record",
        summary="접속 실패율 기록 (SLA-3)",
        request=FeedPointInputSerializer,
        responses=_responses(FeedPointOutputSerializer, 400, 401, 403, ok_status=201),
    )
    def post(self, request: Request) -> Response:
        data = FeedPointInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        source = ErrorRateSample.Source.STAFF if request.user.is_staff else ErrorRateSample.Source.MONITOR
        point = error_rate_record(
            service=values["service"],
            at=values["at"],
            failure_ratio=values["failure_ratio"],
            window_minutes=values["window_minutes"],
            attempts=values["attempts"],
            source=source,
            now=clock.now(),
        )
        return Response(FeedPointOutputSerializer(point).data, status=status.HTTP_201_CREATED)
