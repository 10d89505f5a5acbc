"""Explicit input and output shapes of the paid messaging API (MSG-2..7)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.fields import StrictInputSerializer

from ..models import KakaoTemplate, Message, MessageKind, MessagePurpose, SenderNumber

SEND_KINDS = [("text", _("문자(길이에 따라 SMS/LMS)")), *MessageKind.choices]


class ButtonSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=100)
    type = serializers.CharField(max_length=20, required=False, default="WL")
    url = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class AdvertSerializer(StrictInputSerializer):
    sender_name = serializers.CharField(max_length=100, help_text=_("전송자 명칭"))
    opt_out_number = serializers.CharField(max_length=20, help_text=_("무료 수신거부 080 번호"))


class SendFieldsSerializer(StrictInputSerializer):
    """The fields a single and a bulk send share (see ``messaging.services.sending.prepare``)."""

    kind = serializers.ChoiceField(choices=SEND_KINDS, default="text")
    text = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    sender = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    subject = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    template_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    variables = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)
    image_url = serializers.URLField(required=False, allow_blank=True, default="")
    buttons = ButtonSerializer(many=True, required=False)
    advert = AdvertSerializer(required=False, allow_null=True, default=None)
    fallback_sender = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


class MessageSendInputSerializer(SendFieldsSerializer):
    recipient = serializers.CharField(max_length=30)


class BulkRecipientInputSerializer(StrictInputSerializer):
    number = serializers.CharField(max_length=30)
    variables = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)


class BulkSendInputSerializer(SendFieldsSerializer):
    recipients = BulkRecipientInputSerializer(many=True, allow_empty=False)


class MessageFilterInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Message.Status.choices, required=False)
    kind = serializers.ChoiceField(choices=MessageKind.choices, required=False)
    batch = serializers.IntegerField(required=False)


class FallbackOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=MessageKind.choices)
    status = serializers.ChoiceField(choices=Message.Status.choices)
    failure_reason = serializers.CharField()


class MessageOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    batch_id = serializers.IntegerField(allow_null=True)
    kind = serializers.ChoiceField(choices=MessageKind.choices)
    purpose = serializers.ChoiceField(choices=MessagePurpose.choices)
    sender = serializers.CharField()
    recipient = serializers.CharField()
    subject = serializers.CharField()
    text = serializers.CharField()
    template_id = serializers.IntegerField(allow_null=True)
    size = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Message.Status.choices)
    status_display = serializers.CharField(source="get_status_display")
    failure_reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    result_at = serializers.DateTimeField(allow_null=True)


class MessageDetailOutputSerializer(MessageOutputSerializer):
    fallback_kind = serializers.CharField()
    fallback_of_id = serializers.IntegerField(allow_null=True)
    fallback = serializers.SerializerMethodField()

    def get_fallback(self, message: Message) -> dict[str, Any] | None:
        fallback = getattr(message, "fallback", None)
        return FallbackOutputSerializer(fallback).data if fallback is not None else None


class MessagePageOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = MessageOutputSerializer(many=True)


class RefusalOutputSerializer(serializers.Serializer):
    recipient = serializers.CharField()
    code = serializers.CharField()
    field = serializers.CharField(allow_null=True)
    rule = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class BatchProgressOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=MessageKind.choices)
    total = serializers.IntegerField()
    accepted = serializers.IntegerField()
    refused = serializers.IntegerField()
    counts = serializers.DictField(child=serializers.IntegerField())
    done = serializers.IntegerField(help_text=_("결과가 나온 메시지 수 (성공+실패)"))
    percent = serializers.IntegerField(help_text=_("접수된 메시지 중 결과가 나온 비율"))
    finished = serializers.BooleanField()
    refusals = RefusalOutputSerializer(many=True)
    created_at = serializers.DateTimeField()


class SenderNumberInputSerializer(StrictInputSerializer):
    number = serializers.CharField(max_length=30)
    purpose = serializers.ChoiceField(choices=SenderNumber.Purpose.choices, default=SenderNumber.Purpose.SMS)
    proof_document = serializers.FileField(help_text=_("통신서비스 이용증명원"))


class SenderNumberOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    purpose = serializers.ChoiceField(choices=SenderNumber.Purpose.choices)
    status = serializers.ChoiceField(choices=SenderNumber.Status.choices)
    status_display = serializers.CharField(source="get_status_display")
    decision_reason = serializers.CharField()
    reviewed_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class SenderNumberPageOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = SenderNumberOutputSerializer(many=True)


class KakaoTemplateInputSerializer(StrictInputSerializer):
    sender_profile = serializers.CharField(max_length=64)
    code = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=120)
    body = serializers.CharField(trim_whitespace=False)
    buttons = ButtonSerializer(many=True, required=False)


class KakaoTemplateEditInputSerializer(StrictInputSerializer):
    body = serializers.CharField(trim_whitespace=False)
    buttons = ButtonSerializer(many=True, required=False, allow_null=True, default=None)


class KakaoTemplateOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sender_profile = serializers.CharField()
    code = serializers.CharField()
    name = serializers.CharField()
    body = serializers.CharField()
    buttons = ButtonSerializer(many=True)
    status = serializers.ChoiceField(choices=KakaoTemplate.Status.choices)
    status_display = serializers.CharField(source="get_status_display")
    rejection_reason = serializers.CharField()
    revision = serializers.IntegerField()
    reviewed_at = serializers.DateTimeField(allow_null=True)


class KakaoTemplatePageOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = KakaoTemplateOutputSerializer(many=True)


class OptOutInputSerializer(StrictInputSerializer):
    number = serializers.CharField(max_length=30)


class OptOutOutputSerializer(serializers.Serializer):
    number = serializers.CharField()
    opted_out_at = serializers.DateTimeField()


class OptOutPageOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = OptOutOutputSerializer(many=True)
