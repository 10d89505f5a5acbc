"""Privacy back office (thin): retention calendar with the dry-run preview, destruction records, records
kept apart, export and deletion requests, all read-only; every change goes through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from core import clock
from core.adminkit import PersonalDataAdminMixin, ReadOnlyAdminMixin

from .models import DeletionRequest, DestructionRecord, ExportRequest, RetainedRecord
from .services.purge import purge_plan
from .services.retention import retention_calendar


@admin.register(DestructionRecord)
class DestructionRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """DAT-5: destruction records, read-only; the retention calendar and the dry run hang off this list."""

    list_display = ("at", "kind", "rule", "customer_ref", "total_rows", "job", "user", "method")
    list_filter = ("kind", "rule", "job")
    search_fields = ("=customer_ref", "job", "user__username")
    list_select_related = ("user",)
    date_hierarchy = "at"
    change_list_template = "admin/privacy/destructionrecord/change_list.html"

    def get_urls(self) -> list[Any]:
        extra = [
            path(
                "retention-calendar/",
                self.admin_site.admin_view(self.calendar_view),
                name="privacy_retention_calendar",
            ),
        ]
        return extra + super().get_urls()

    def calendar_view(self, request: HttpRequest) -> HttpResponse:
        """Who is purged when (DAT-2, DAT-3), and what today's run would destroy (dry run, writes nothing)."""
        today = clock.today()
        context = {
            **self.admin_site.each_context(request),
            "title": _("보관 기간 달력과 파기 미리 보기"),
            "opts": self.model._meta,
            "today": today,
            "calendar": retention_calendar(),
            "retained": RetainedRecord.objects.order_by("destroy_on", "id")[:500],
            "plan": purge_plan(today=today),
        }
        return TemplateResponse(request, "admin/privacy/retention_calendar.html", context)


@admin.register(RetainedRecord)
class RetainedRecordAdmin(PersonalDataAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """DAT-3: the records kept apart, listed by destruction date (contents not shown)."""

    personal_data_customer = "customer_ref"

    list_display = ("customer_ref", "kind", "rule", "kept_from", "destroy_on", "rows")
    list_filter = ("kind",)
    search_fields = ("=customer_ref",)
    fields = ("customer_ref", "kind", "rule", "kept_from", "destroy_on", "rows")


@admin.register(ExportRequest)
class ExportRequestAdmin(PersonalDataAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """DAT-1: export requests and their progress."""

    list_display = ("created_at", "customer", "requested_by", "status", "progress", "finished_at")
    list_filter = ("status",)
    search_fields = ("customer__legal_name", "=customer__id")
    list_select_related = ("customer", "requested_by")
    exclude = ("file",)


@admin.register(DeletionRequest)
class DeletionRequestAdmin(PersonalDataAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """DAT-4: deletion requests."""

    list_display = ("requested_on", "customer", "requested_by", "status", "export_offered", "confirmed_on")
    list_filter = ("status",)
    search_fields = ("customer__legal_name", "=customer__id")
    list_select_related = ("customer", "requested_by")
