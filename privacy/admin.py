"""Privacy back office (thin): retention calendar with the dry-run preview, destruction records, records
kept apart, export and deletion requests, all read-only; every change goes through the services."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from core import clock
from core.adminkit import AdminPage, PersonalDataAdminMixin, ReadOnlyAdminMixin, job_label

from .models import DeletionRequest, DestructionRecord, ExportRequest, RetainedRecord
from .selectors import retained_record_for
from .services.purge import purge_plan
from .services.retention import CONTRACT_RECORD_TABLES, DISPUTE_RECORD_TABLES, money_hold, retention_calendar


@admin.register(DestructionRecord)
class DestructionRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """DAT-5: destruction records, read-only; the retention calendar and the dry run hang off this list."""

    list_display = ("at", "kind", "rule", "customer_ref", "total_rows", "job_name", "user", "method")
    list_filter = ("kind", "rule", "job")
    search_fields = ("=customer_ref", "job", "user__username")
    list_select_related = ("user",)
    date_hierarchy = "at"
    change_list_template = "admin/privacy/destructionrecord/change_list.html"
    admin_pages = (AdminPage("privacy_retention_calendar", _("보관 기간 달력·파기 미리 보기")),)

    @admin.display(description=_("작업"), ordering="job")
    def job_name(self, obj: DestructionRecord) -> str:
        return job_label(obj.job) if obj.job else "-"

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
        """Who is purged when (DAT-2, DAT-3), and what today's run would destroy (dry run, writes nothing).
        Customers' names and dates: only for who may view destruction records (issue #14)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = clock.today()
        context = {
            **self.admin_site.each_context(request),
            "title": _("보관 기간 달력과 파기 미리 보기"),
            "opts": self.model._meta,
            "today": today,
            "calendar": [(s, money_hold(s.customer_id)) for s in retention_calendar()],
            "retained": RetainedRecord.objects.order_by("destroy_on", "id")[:500],
            "plan": purge_plan(today=today),
        }
        return TemplateResponse(request, "admin/privacy/retention_calendar.html", context)


@admin.register(RetainedRecord)
class RetainedRecordAdmin(PersonalDataAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """DAT-3: what is kept after a purge, listed by destruction date: the rows kept in place (table → ids,
    each read-only and marked in its own admin) and their counts; the identity and login-ID payload is
    not shown."""

    personal_data_customer = "customer_ref"

    list_display = ("customer_ref", "kind", "rule", "kept_from", "destroy_on", "rows")
    list_filter = ("kind",)
    search_fields = ("=customer_ref",)
    fields = ("customer_ref", "kind", "rule", "kept_from", "destroy_on", "rows", "tables")


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


class RetainedRowAdminMixin:
    """DAT-3: a row kept in place after its customer's purge is read-only in its own admin (even for a
    superuser) and marked "보존 기록 (파기 예정일 …)"; live rows are untouched."""

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if obj is not None and retained_record_for(obj) is not None:
            return False
        return super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if obj is not None and retained_record_for(obj) is not None:
            return False
        return super().has_delete_permission(request, obj)  # type: ignore[misc]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        obj = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
        record = retained_record_for(obj) if obj is not None else None
        if record is not None and request.method == "GET":
            messages.warning(request, _("보존 기록 (파기 예정일 {date})").format(date=record.destroy_on))
        return super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]


def mark_retained_rows(site: admin.AdminSite = admin.site) -> None:
    """Give the admin of every table kept in place the read-only marking (privacy's admin loads last)."""
    for label in (*CONTRACT_RECORD_TABLES, *DISPUTE_RECORD_TABLES):
        model = apps.get_model(label)
        current = site._registry.get(model)
        if current is None or isinstance(current, RetainedRowAdminMixin):
            continue
        marked = type(f"Retained{type(current).__name__}", (RetainedRowAdminMixin, type(current)), {})
        site.unregister(model)
        site.register(model, marked)


mark_retained_rows()
