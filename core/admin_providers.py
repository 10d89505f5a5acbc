"""The admin's provider page (issue 18): per port, the vendor chosen and what is configured (never a secret
value), above the log of recent vendor calls with their outcome."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from . import providers
from .adminkit import ReadOnlyAdminMixin
from .models import ProviderCall


@admin.register(ProviderCall)
class ProviderCallAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "at",
        "kind",
        "provider",
        "operation",
        "outcome",
        "http_status",
        "duration_ms",
        "reference",
    )
    list_filter = ("kind", "provider", "outcome")
    search_fields = ("reference", "operation", "detail")
    date_hierarchy = "at"
    fields = readonly_fields = (*list_display, "detail")
    change_list_template = "admin/core/providercall/change_list.html"

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = {**(extra_context or {}), "provider_status": providers.status()}
        return super().changelist_view(request, extra_context=context)
