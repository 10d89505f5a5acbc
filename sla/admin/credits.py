"""Monthly availability per contract with its breakdown, and the claims queue (SLA-3..5)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contracts.admin.filters import policy_filter
from contracts.models.policy_choices import SlaMeasurement
from core import clock, formatting
from core.adminkit import (
    NoRevertHistoryAdmin,
    ReadOnlyAdminMixin,
    csv_response,
    qty_column,
    run_action_form,
    won_column,
)

from ..models import SlaClaim, SlaCreditDocument, SlaMonth
from ..services import claims


class SlaCreditDocumentInline(admin.TabularInline):
    model = SlaCreditDocument
    extra = 0
    fields = ("credit_note", "kind", "amount", "revision", "issued_on")
    amount = won_column("amount_won", _("금액"))
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SlaMonth)
class SlaMonthAdmin(ReadOnlyAdminMixin, NoRevertHistoryAdmin):
    list_display = (
        "contract",
        "month",
        "availability_shown",
        "counted_minutes_shown",
        "fee",
        "credit",
        "status",
        "claim_due_on",
        "revision",
    )
    counted_minutes_shown = qty_column("counted_minutes", _("장애 인정 시간(분)"))
    fee = won_column("fee_won", _("월 요금"))
    availability_shown = qty_column("availability", _("가용률(%)"))
    credit = won_column("credit_won", _("보상액"))
    list_filter = ("status", "month", policy_filter("contract__policy__code"))
    search_fields = ("contract__customer__legal_name", "contract__customer__business_number")
    date_hierarchy = "month"
    list_select_related = ("contract", "contract__customer", "contract__plan")
    readonly_fields = ("breakdown_table",)
    exclude = ("breakdown",)  # shown as tables by breakdown_table, never as stored JSON
    inlines = (SlaCreditDocumentInline,)
    actions = ("export_csv",)

    @admin.display(description=_("산정 내역"))
    def breakdown_table(self, obj: SlaMonth) -> str:
        return breakdown_html(obj)

    @admin.action(description=_("CSV로 내보내기"), permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[SlaMonth]) -> HttpResponse:
        header = ["계약", "고객", "월", "가용률", "장애 인정(분)", "월 요금", "보상액", "상태", "근거"]
        rows = [
            [
                r.contract.number,
                r.contract.customer.legal_name,
                f"{r.month:%Y-%m}",
                r.availability,
                r.counted_minutes,
                r.fee_won,
                r.credit_won,
                r.get_status_display(),
                r.credit_basis,
            ]
            for r in queryset.select_related("contract", "contract__customer")
        ]
        return csv_response("sla-months.csv", header, rows)


class DecisionForm(forms.Form):
    reason = forms.CharField(label=_("사유"), widget=forms.Textarea, required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("반려 사유"), widget=forms.Textarea)


@admin.register(SlaClaim)
class SlaClaimAdmin(ReadOnlyAdminMixin, NoRevertHistoryAdmin):
    list_display = ("contract", "month", "amount", "status", "submitted_on", "decided_on")
    amount = won_column("amount_won", _("청구액"))
    list_filter = ("status",)
    search_fields = ("contract__customer__legal_name", "basis", "details")
    date_hierarchy = "submitted_on"
    list_select_related = ("contract", "contract__customer", "contract__plan", "sla_month")
    actions = ("approve", "reject")

    @admin.display(description=_("월"))
    def month(self, obj: SlaClaim) -> str:
        return f"{obj.sla_month.month:%Y-%m}"

    def has_decide_permission(self, request: HttpRequest) -> bool:
        """Deciding a claim issues (or refuses) a credit: a change, not a view (issue #14)."""
        return request.user.has_perm("sla.change_slaclaim") and request.user.is_staff

    @admin.action(description=_("승인 (보상 발행)"), permissions=["decide"])
    def approve(self, request: HttpRequest, queryset: QuerySet[SlaClaim]) -> Any:
        def handle(claim: SlaClaim, data: dict[str, Any]) -> str:
            claims.claim_approve(claim=claim, reason=data.get("reason") or "", today=clock.today())
            return gettext("{claim} 청구를 승인했습니다.").format(claim=claim)

        return run_action_form(
            self, request, queryset, form_class=DecisionForm, title=gettext("보상 청구 승인"), handle=handle
        )

    @admin.action(description=_("반려"), permissions=["decide"])
    def reject(self, request: HttpRequest, queryset: QuerySet[SlaClaim]) -> Any:
        def handle(claim: SlaClaim, data: dict[str, Any]) -> str:
            claims.claim_reject(claim=claim, reason=data["reason"], today=clock.today())
            return gettext("{claim} 청구를 반려했습니다.").format(claim=claim)

        return run_action_form(
            self, request, queryset, form_class=RejectForm, title=gettext("보상 청구 반려"), handle=handle
        )


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except (InvalidOperation, ValueError):
        return None


def _moment(value: Any) -> str:
    """A stored ISO moment (Seoul time) as the admin shows moments: ``2026-10-03 14:20``."""
    try:
        return formatting.day(dt.datetime.fromisoformat(str(value)))
    except (TypeError, ValueError):
        return str(value or "")


def breakdown_html(obj: SlaMonth) -> str:
    """SLA-3: how the month's availability was reached, as tables (not the stored JSON)."""
    b = obj.breakdown or {}
    rules = dict(SlaMeasurement.choices)
    def timed(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**r, "start": _moment(r.get("start")), "end": _moment(r.get("end"))} for r in rows]

    outages, maintenance = timed(b.get("outages", [])), timed(b.get("maintenance", []))
    revision = b.get("revision_note")
    return render_to_string(
        "admin/sla/breakdown.html",
        {
            "b": b,
            "rule": rules.get(b.get("rule", ""), b.get("rule", "-")),
            "service_from": _moment(b.get("service_from")) if b.get("service_from") else "",
            "service_to": _moment(b.get("service_to")) if b.get("service_to") else "",
            "availability": _decimal(b.get("availability")),
            "outages": outages,
            "excluded": b.get("excluded_incidents", []),
            "maintenance": maintenance,
            "revision": revision,
            "previous_availability": _decimal(((revision or {}).get("previous") or {}).get("availability")),
        },
    )
