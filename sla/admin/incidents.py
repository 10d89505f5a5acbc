"""Incidents (with the timeline inline), maintenance windows and the feed (SLA-1, SLA-2, SLA-3)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import clock
from core.adminkit import PersonalDataAdminMixin, qty_column, run_action_form, show_error
from core.audit import acting_as
from core.errors import DomainError

from ..models import ErrorRateSample, Incident, IncidentUpdate, MaintenanceWindow
from ..services import availability, incidents, maintenance
from .common import ServiceAddAdmin


class IncidentUpdateInline(admin.TabularInline):
    model = IncidentUpdate
    extra = 0
    fields = ("at", "status", "body", "author")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ConfirmForm(forms.Form):
    detected_at = forms.DateTimeField(label=_("회사 인지 시각"), required=False)
    whole_service = forms.BooleanField(label=_("서비스 전체 장애로 확인"), required=False)
    note = forms.CharField(label=_("메모"), required=False, widget=forms.Textarea)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("사유"), widget=forms.Textarea)


class UpdateForm(forms.Form):
    body = forms.CharField(label=_("경과 내용"), widget=forms.Textarea)


class ResolveForm(forms.Form):
    ended_at = forms.DateTimeField(label=_("복구 시각"))
    note = forms.CharField(label=_("메모"), required=False)


class CorrectForm(forms.Form):
    detected_at = forms.DateTimeField(label=_("회사 인지 시각"), required=False)
    ended_at = forms.DateTimeField(label=_("복구 시각"), required=False)
    excl_customer_equipment = forms.BooleanField(label=_("제외: 고객 장비"), required=False)
    excl_force_majeure = forms.BooleanField(label=_("제외: 불가항력"), required=False)
    excl_third_party = forms.BooleanField(label=_("제외: 타 사업자"), required=False)
    excl_announced_maintenance = forms.BooleanField(label=_("제외: 공지된 점검"), required=False)
    excl_customer_caused = forms.BooleanField(label=_("제외: 고객 귀책"), required=False)
    reason = forms.CharField(label=_("정정 사유"), widget=forms.Textarea)


@admin.register(Incident)
class IncidentAdmin(PersonalDataAdminMixin, ServiceAddAdmin):  # type: ignore[misc]  # get_inlines: ServiceAddAdmin's wins
    personal_data_customer = ("reported_by__customer", "contract__customer")

    list_display = (
        "id",
        "title",
        "service",
        "plan",
        "contract",
        "status",
        "started_at",
        "ended_at",
        "scope",
        "cause",
    )
    list_filter = ("status", "service", "scope", "cause")
    search_fields = ("title", "description", "feature")
    date_hierarchy = "started_at"
    list_select_related = ("plan", "contract", "contract__customer", "contract__plan")
    inlines = (IncidentUpdateInline,)
    add_fields = (
        "service",
        "plan",
        "title",
        "description",
        "detected_at",
        "reported_at",
        "ended_at",
        "scope",
        "feature",
        "cause",
        "excl_customer_equipment",
        "excl_force_majeure",
        "excl_third_party",
        "excl_announced_maintenance",
        "excl_customer_caused",
    )
    actions = ("confirm", "reject", "post_update", "resolve", "correct")

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Incident:
        flags = {name: bool(data.get(name)) for name in data if name.startswith("excl_")}
        return incidents.incident_open(
            service=data["service"],
            title=data["title"],
            description=data.get("description") or "",
            detected_at=data.get("detected_at"),
            reported_at=data.get("reported_at"),
            ended_at=data.get("ended_at"),
            plan=data.get("plan"),
            scope=data["scope"],
            feature=data.get("feature") or "",
            cause=data["cause"],
            exclusions=flags,
            today=clock.today(),
            now=clock.now(),
        )

    @admin.action(description=_("고객 신고 확인 (장애 등록)"), permissions=["change"])
    def confirm(self, request: HttpRequest, queryset: QuerySet[Incident]) -> Any:
        def handle(incident: Incident, data: dict[str, Any]) -> str:
            incidents.incident_confirm(
                incident=incident,
                detected_at=data.get("detected_at"),
                whole_service=data["whole_service"],
                note=data.get("note") or "",
                today=clock.today(),
                now=clock.now(),
            )
            return gettext("{incident}을(를) 장애로 확인했습니다.").format(incident=incident)

        return run_action_form(
            self, request, queryset, form_class=ConfirmForm, title=gettext("고객 신고 확인"), handle=handle
        )

    @admin.action(description=_("고객 신고 반려"), permissions=["change"])
    def reject(self, request: HttpRequest, queryset: QuerySet[Incident]) -> Any:
        def handle(incident: Incident, data: dict[str, Any]) -> str:
            incidents.incident_reject(
                incident=incident, reason=data["reason"], today=clock.today(), now=clock.now()
            )
            return gettext("{incident}을(를) 반려했습니다.").format(incident=incident)

        return run_action_form(
            self, request, queryset, form_class=ReasonForm, title=gettext("고객 신고 반려"), handle=handle
        )

    @admin.action(description=_("경과 안내"), permissions=["change"])
    def post_update(self, request: HttpRequest, queryset: QuerySet[Incident]) -> Any:
        def handle(incident: Incident, data: dict[str, Any]) -> str:
            incidents.incident_post_update(
                incident=incident, body=data["body"], today=clock.today(), now=clock.now()
            )
            return gettext("{incident}의 경과를 안내했습니다.").format(incident=incident)

        return run_action_form(
            self, request, queryset, form_class=UpdateForm, title=gettext("경과 안내"), handle=handle
        )

    @admin.action(description=_("복구 처리"), permissions=["change"])
    def resolve(self, request: HttpRequest, queryset: QuerySet[Incident]) -> Any:
        def handle(incident: Incident, data: dict[str, Any]) -> str:
            incidents.incident_resolve(
                incident=incident,
                ended_at=data["ended_at"],
                note=data.get("note") or "",
                today=clock.today(),
                now=clock.now(),
            )
            return gettext("{incident}을(를) 복구 처리했습니다.").format(incident=incident)

        return run_action_form(
            self, request, queryset, form_class=ResolveForm, title=gettext("복구 처리"), handle=handle
        )

    @admin.action(description=_("정정 (마감된 달은 재산정)"), permissions=["change"])
    def correct(self, request: HttpRequest, queryset: QuerySet[Incident]) -> Any:
        def handle(incident: Incident, data: dict[str, Any]) -> str:
            changes = {k: v for k, v in data.items() if k != "reason" and (v is not None and v != "")}
            changes.update({k: bool(data.get(k)) for k in data if k.startswith("excl_")})
            incidents.incident_correct(
                incident=incident,
                changes=changes,
                reason=data["reason"],
                today=clock.today(),
                now=clock.now(),
            )
            return gettext("{incident}을(를) 정정했습니다.").format(incident=incident)

        return run_action_form(
            self, request, queryset, form_class=CorrectForm, title=gettext("장애 정정"), handle=handle
        )


class ChangeWindowForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("시작"))
    ends_at = forms.DateTimeField(label=_("종료"))
    reason = forms.CharField(label=_("변경 사유"), required=False)


@admin.register(MaintenanceWindow)
class MaintenanceWindowAdmin(ServiceAddAdmin):
    list_display = ("title", "service", "plan", "starts_at", "ends_at", "status", "announced_at", "revision")
    list_filter = ("status", "service")
    search_fields = ("title", "description")
    date_hierarchy = "starts_at"
    list_select_related = ("plan",)
    add_fields = ("service", "plan", "title", "description", "starts_at", "ends_at")
    actions = ("announce", "change_window", "cancel")

    def create(self, request: HttpRequest, data: dict[str, Any]) -> MaintenanceWindow:
        return maintenance.maintenance_plan(
            service=data["service"],
            plan=data.get("plan"),
            title=data["title"],
            description=data.get("description") or "",
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            today=clock.today(),
            now=clock.now(),
        )

    @admin.action(description=_("공지"), permissions=["change"])
    def announce(self, request: HttpRequest, queryset: QuerySet[MaintenanceWindow]) -> None:
        for window in queryset:
            try:
                with acting_as(request.user):
                    maintenance.maintenance_announce(window=window, today=clock.today(), now=clock.now())
            except DomainError as error:
                show_error(request, error)
            else:
                messages.success(request, gettext("{window}을(를) 공지했습니다.").format(window=window))

    @admin.action(description=_("일정 변경 (다시 공지)"), permissions=["change"])
    def change_window(self, request: HttpRequest, queryset: QuerySet[MaintenanceWindow]) -> Any:
        def handle(window: MaintenanceWindow, data: dict[str, Any]) -> str:
            maintenance.maintenance_change(
                window=window,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                reason=data.get("reason") or "",
                today=clock.today(),
                now=clock.now(),
            )
            return gettext("{window}의 일정을 바꿨습니다.").format(window=window)

        return run_action_form(
            self,
            request,
            queryset,
            form_class=ChangeWindowForm,
            title=gettext("점검 일정 변경"),
            handle=handle,
        )

    @admin.action(description=_("취소"), permissions=["change"])
    def cancel(self, request: HttpRequest, queryset: QuerySet[MaintenanceWindow]) -> Any:
        def handle(window: MaintenanceWindow, data: dict[str, Any]) -> str:
            maintenance.maintenance_cancel(window=window, reason=data["reason"], today=clock.today())
            return gettext("{window}을(를) 취소했습니다.").format(window=window)

        return run_action_form(
            self, request, queryset, form_class=ReasonForm, title=gettext("점검 취소"), handle=handle
        )


@admin.register(ErrorRateSample)
class ErrorRateSampleAdmin(ServiceAddAdmin):
    list_display = (
        "service", "at", "window_minutes", "failure_ratio_shown", "attempts", "source", "recorded_by"
    )
    failure_ratio_shown = qty_column("failure_ratio", _("실패 비율"))
    list_filter = ("service", "source")
    date_hierarchy = "at"
    add_fields = ("service", "at", "window_minutes", "failure_ratio", "attempts")

    def create(self, request: HttpRequest, data: dict[str, Any]) -> ErrorRateSample:
        return availability.error_rate_record(
            service=data["service"],
            at=data["at"],
            failure_ratio=data["failure_ratio"],
            window_minutes=data.get("window_minutes"),
            attempts=data.get("attempts"),
            source=ErrorRateSample.Source.STAFF,
            now=clock.now(),
        )
