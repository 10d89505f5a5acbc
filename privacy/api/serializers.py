"""Output serializers of the privacy API (DAT-1)."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from ..models import ExportRequest


class ExportOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    progress = serializers.IntegerField()
    requested_on = serializers.DateField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, obj: ExportRequest) -> str | None:
        if obj.status != ExportRequest.Status.READY:
            return None
        return reverse("api-privacy-export-download", args=[obj.pk])


class ExportPageOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ExportOutputSerializer(many=True)
