"""Privacy API (DAT-1): a customer admin queues an export of the customer's data, follows its progress and
downloads the ZIP when ready. Scoped to the requesting member's customer (another's is a 404); writes
only through ``privacy.services``; a ``DomainError`` becomes the JSON error body (``core.api``)."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.permissions import IsCustomerAdmin, api_member
from core import clock
from core.api import PAGE_PARAMETERS, AuditedAPIView, paginate

from .. import selectors
from ..models import ExportRequest
from ..services.export import export_request
from .serializers import ExportOutputSerializer, ExportPageOutputSerializer

TAGS = ["privacy"]
ERRORS: dict[int, Any] = {
    400: {"description": "DomainError: {error: {code, rule, field, message}}"},
    401: {"description": "not authenticated"},
    403: {"description": "not a customer admin (DAT-1)"},
    404: {"description": "not found (or another customer's)"},
}


class ExportListCreateApi(AuditedAPIView):
    """The customer's export requests; POST queues a new one (built in the background, DAT-1)."""

    permission_classes = [IsCustomerAdmin]

    @extend_schema(
        tags=TAGS,
        operation_id="privacy_exports_list",
        summary="데이터 내보내기 목록 (DAT-1)",
        parameters=PAGE_PARAMETERS,
        responses={200: ExportPageOutputSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        rows = selectors.export_requests_for(api_member(request).customer_id)
        return paginate(self, request, rows, ExportOutputSerializer)

    @extend_schema(
        tags=TAGS,
        operation_id="privacy_exports_create",
        summary="데이터 내보내기 요청 (DAT-1)",
        request=None,
        responses={201: ExportOutputSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        export = export_request(member=api_member(request), today=clock.today())
        export.refresh_from_db()
        return Response(ExportOutputSerializer(export).data, status=status.HTTP_201_CREATED)


class ExportDetailApi(AuditedAPIView):
    """One export request: status and progress, and the download link once ready (DAT-1)."""

    permission_classes = [IsCustomerAdmin]

    @extend_schema(
        tags=TAGS,
        operation_id="privacy_exports_detail",
        summary="데이터 내보내기 상태 (DAT-1)",
        responses={200: ExportOutputSerializer, **ERRORS},
    )
    def get(self, request: Request, export_id: int) -> Response:
        rows = selectors.export_requests_for(api_member(request).customer_id)
        return Response(ExportOutputSerializer(get_object_or_404(rows, pk=export_id)).data)


class ExportDownloadApi(AuditedAPIView):
    """The ZIP of a ready export (DAT-1)."""

    permission_classes = [IsCustomerAdmin]

    @extend_schema(
        tags=TAGS,
        operation_id="privacy_exports_download",
        summary="내보내기 파일 (DAT-1)",
        responses={(200, "application/zip"): bytes, **ERRORS},
    )
    def get(self, request: Request, export_id: int) -> FileResponse:
        rows = selectors.export_requests_for(api_member(request).customer_id)
        export = get_object_or_404(rows, pk=export_id)
        if export.status != ExportRequest.Status.READY or not export.file:
            raise Http404
        return FileResponse(
            export.file.open("rb"), as_attachment=True, filename=f"termsops-data-{export.pk}.zip"
        )
