"""Notices API (MSG-1): the member's inbox and marking notices read. One view per operation."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Member
from core.api import PAGE_PARAMETERS, AuditedAPIView, paginate
from core.errors import PermissionDenied

from .. import selectors, services
from ..models import Broadcast
from .serializers import (
    BroadcastReadOutputSerializer,
    InboxFilterInputSerializer,
    InboxItemOutputSerializer,
    InboxPageOutputSerializer,
    NoticeOutputSerializer,
    UnreadCountOutputSerializer,
)

TAG = "notices"


def request_member(request: Request) -> Member:
    """The API user's active Member; staff and service accounts without one are refused."""
    member = getattr(request.user, "member", None)
    if member is None or member.status not in (Member.Status.ACTIVE, Member.Status.DORMANT):
        raise PermissionDenied("member_required", _("고객 구성원 계정으로만 이용할 수 있습니다."),
                               rule="MSG-1")
    return member


class NoticeInboxApi(AuditedAPIView):
    @extend_schema(
        tags=[TAG], operation_id="notices_inbox",
        summary="알림함 (MSG-1)",
        description="로그인한 구성원의 포털 알림과 현재 게시 중인 전체 공지, 최신순.",
        parameters=[
            InboxFilterInputSerializer,
            *PAGE_PARAMETERS,
        ],
        responses={200: InboxPageOutputSerializer},
    )
    def get(self, request: Request) -> Response:
        member = request_member(request)
        filters = InboxFilterInputSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = selectors.inbox_for(member, unread_only=filters.validated_data["unread"])
        response = paginate(self, request, rows, InboxItemOutputSerializer)
        response.data["unread_count"] = selectors.unread_count(member)
        return response


class NoticeUnreadCountApi(AuditedAPIView):
    @extend_schema(tags=[TAG], operation_id="notices_unread_count", summary="읽지 않은 알림 수",
                   responses={200: UnreadCountOutputSerializer})
    def get(self, request: Request) -> Response:
        member = request_member(request)
        return Response(UnreadCountOutputSerializer({"unread_count": selectors.unread_count(member)}).data)


class NoticeReadApi(AuditedAPIView):
    @extend_schema(tags=[TAG], operation_id="notices_read", summary="알림 읽음 처리 (MSG-1)",
                   request=None, responses={200: NoticeOutputSerializer})
    def post(self, request: Request, pk: int) -> Response:
        member = request_member(request)
        notice = get_object_or_404(selectors.portal_notices_for(member), pk=pk)
        notice = services.notice_mark_read(notice=notice, member=member)
        return Response(NoticeOutputSerializer(notice).data)


class BroadcastReadApi(AuditedAPIView):
    @extend_schema(tags=[TAG], operation_id="broadcasts_read", summary="전체 공지 읽음 처리 (MSG-1)",
                   request=None, responses={200: BroadcastReadOutputSerializer})
    def post(self, request: Request, pk: int) -> Response:
        member = request_member(request)
        broadcast: Broadcast = get_object_or_404(selectors.posted_broadcasts(), pk=pk)
        read = services.broadcast_mark_read(broadcast=broadcast, member=member)
        return Response(BroadcastReadOutputSerializer(
            {"broadcast_id": broadcast.pk, "read_at": read.read_at},
        ).data)
