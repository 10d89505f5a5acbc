"""Explicit input and output shapes of the notices API (MSG-1)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..models import Channel, Notice


class InboxFilterInputSerializer(serializers.Serializer):
    unread = serializers.BooleanField(required=False, default=False, help_text=_("읽지 않은 알림만"))


class InboxItemOutputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[("notice", _("알림")), ("broadcast", _("전체 공지"))])
    id = serializers.IntegerField(source="item_id")
    event = serializers.CharField(source="item_event")
    subject = serializers.CharField(source="item_subject")
    body = serializers.CharField(source="item_body")
    created_at = serializers.DateTimeField(source="item_at")
    read_at = serializers.DateTimeField(source="item_read_at", allow_null=True)
    is_read = serializers.SerializerMethodField()

    def get_is_read(self, row: dict) -> bool:
        return row.get("item_read_at") is not None


class InboxPageOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    unread_count = serializers.IntegerField()
    results = InboxItemOutputSerializer(many=True)


class NoticeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    event = serializers.CharField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    subject = serializers.CharField()
    body = serializers.CharField()
    status = serializers.ChoiceField(choices=Notice.Status.choices)
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class BroadcastReadOutputSerializer(serializers.Serializer):
    broadcast_id = serializers.IntegerField()
    read_at = serializers.DateTimeField()


class UnreadCountOutputSerializer(serializers.Serializer):
    unread_count = serializers.IntegerField()
