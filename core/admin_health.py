"""The admin's system page (issue 19): the same report as ``/readyz``, for staff who may see job runs."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import health, jobs
from .models import Heartbeat, JobRun

#: How a check reads on the page (its name stays in /readyz's JSON).
CHECK_LABELS = {
    "database": _("데이터베이스"),
    "broker": _("작업 큐 (브로커)"),
    "migrations": _("데이터베이스 마이그레이션"),
    "beat": _("일일 작업 스케줄러 (beat)"),
    "jobs": _("일일 작업"),
}


@admin.register(Heartbeat)
class SystemStatusAdmin(admin.ModelAdmin):
    """"시스템 상태": the heartbeat list is replaced by the readiness report (read-only)."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("core.view_jobrun")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        report = health.readiness()
        descriptions = {spec.name: gettext(spec.description) for spec in jobs.registry() if spec.description}
        statuses = dict(JobRun.Status.choices)
        context = {
            **self.admin_site.each_context(request),
            "title": _("시스템 상태"),
            "opts": self.model._meta,
            "report": report,
            "checks": [(CHECK_LABELS.get(c.name, c.name), c) for c in report.checks],
            "jobs": [
                (state, descriptions.get(state.job, ""), statuses.get(state.last_status or "", ""))
                for state in report.jobs
            ],
        }
        return TemplateResponse(request, "admin/core/system_status.html", context)
