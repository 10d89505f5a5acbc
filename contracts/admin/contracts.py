"""The contract page of the back office (CON-1..12): the record with its read-only logs, the effective
policy values with their sources (CON-12), the buttons of the operations offered now
(``contracts.services.actions``, run by ``contracts.admin.actions``) and document downloads.

Staff edit only the review memo here; every other field changes through an operation (CON-1).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from core import clock, formatting
from core.admin_counts import LargeListMixin
from core.adminkit import AdminPage, ReadOnlyAdminMixin, actor_column
from core.audit import acting_as

from ..effective import effective_policy
from ..models import (
    ApplicationCheck,
    Contract,
    ContractChange,
    ContractDocument,
    ContractPeriod,
    ContractTransition,
    RejectionReason,
    ScheduleChange,
    SpecialTerm,
    Suspension,
    TerminationReason,
)
from ..models.contract import SeatAssignment  # not re-exported by contracts.models (yet)
from ..selectors import review_queue_count
from ..services import renewal, termination
from .actions import ContractActionsMixin, action_buttons
from .applications import ContractListAdmin, ContractQueueAdmin, labels
from .filters import policy_filter
from .forms import parameter_label


def _won(amount: Any) -> str:
    return formatting.won(amount) if isinstance(amount, int) and not isinstance(amount, bool) else "-"


def _shown(value: Any) -> Any:
    """A policy value for the panel: 예/아니오 for flags, "-" for none."""
    if isinstance(value, bool):
        return _("예") if value else _("아니오")
    return "-" if value is None else value


# --------------------------------------------------------------------------- inlines (read-only logs)


class _LogInline(ReadOnlyAdminMixin, admin.TabularInline):
    """A read-only list on the contract page: the services write these rows, staff only read them."""

    extra = 0
    can_delete = False
    actor_shown = actor_column()


class PeriodInline(_LogInline):
    model = ContractPeriod
    fields = readonly_fields = (
        "number",
        "kind",
        "starts_on",
        "ends_on",
        "extension_days",
        "effective_end",
        "policy",
        "reminder_sent_on",
    )
    verbose_name_plural = _("계약 기간 (CON-6)")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ContractPeriod]:
        return super().get_queryset(request).select_related("policy")

    @admin.display(description=_("실제 종료일"))
    def effective_end(self, obj: ContractPeriod) -> dt.date:
        return obj.effective_end


class DocumentInline(_LogInline):
    model = ContractDocument
    fields = readonly_fields = ("kind", "download", "short_hash", "uploaded_by", "uploaded_at")
    verbose_name_plural = _("제출 서류 (CON-3)")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ContractDocument]:
        return super().get_queryset(request).select_related("uploaded_by")

    @admin.display(description=_("파일"))
    def download(self, obj: ContractDocument) -> str:
        url = reverse("admin:contracts_contract_document", args=[obj.contract_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_name)

    @admin.display(description=_("SHA-256"))
    def short_hash(self, obj: ContractDocument) -> str:
        return format_html('<code title="{}">{}…</code>', obj.sha256, obj.sha256[:12])


class CheckInline(_LogInline):
    model = ApplicationCheck
    fields = readonly_fields = ("code", "passed", "detail", "checked_on")
    verbose_name_plural = _("자동 점검 결과 (CON-2)")


class TransitionInline(_LogInline):
    model = ContractTransition
    fields = readonly_fields = ("at", "on_date", "from_status", "to_status", "actor_shown", "reason")
    verbose_name_plural = _("상태 변경 기록 (CON-1)")


class ScheduleChangeInline(_LogInline):
    model = ScheduleChange
    fields = readonly_fields = ("on_date", "old_date", "new_date", "by_customer", "reason", "actor_shown")
    verbose_name_plural = _("개통일 변경 (CON-4)")


class SuspensionInline(_LogInline):
    model = Suspension
    fields = readonly_fields = (
        "kind",
        "reason",
        "noticed_on",
        "starts_on",
        "planned_end_on",
        "started",
        "lifted_on",
        "lift_reason",
        "appeal",
        "appeal_text",
        "appeal_decided_on",
    )
    verbose_name_plural = _("이용 정지 (CON-10)")


class SpecialTermInline(_LogInline):
    model = SpecialTerm
    fields = readonly_fields = ("parameter_name", "policy_value", "value", "note", "signed_on", "active")
    verbose_name_plural = _("특약 (CON-12)")

    def get_queryset(self, request: HttpRequest) -> QuerySet[SpecialTerm]:
        return super().get_queryset(request).select_related("contract__policy")

    @admin.display(description=_("약관 항목"))
    def parameter_name(self, obj: SpecialTerm) -> str:
        return parameter_label(obj.parameter)

    @admin.display(description=_("약관 값 (특약 전)"))
    def policy_value(self, obj: SpecialTerm) -> str:
        policy = obj.contract.policy
        return f"{getattr(policy, obj.parameter, '-')!r} ({policy.code} v{policy.version})"


class SeatAssignmentInline(_LogInline):
    model = SeatAssignment
    fields = readonly_fields = ("member", "assigned_on", "released_on", "actor_shown")
    verbose_name_plural = _("좌석 배정 (ACC-5)")

    def get_queryset(self, request: HttpRequest) -> QuerySet[SeatAssignment]:
        return super().get_queryset(request).select_related("member")


class ContractChangeInline(_LogInline):
    model = ContractChange
    fields = readonly_fields = (
        "effective_on",
        "kind",
        "old_value",
        "new_value",
        "quantity",
        "actor_shown",
        "billed",
    )
    verbose_name_plural = _("계약 변경 (CON-11)")



# --------------------------------------------------------------------------- the contract admin

# Policy values shown on the contract page with their source (CON-12); overridden ones are added.
PANEL_PARAMETERS = [
    "customer_termination_notice_days",
    "operator_termination_explanation_days",
    "auto_renew",
    "renewal_months",
    "renewal_notice_days",
    "renewal_reminder_days",
    "violation_suspension_max_days",
    "violation_suspension_notice_days",
    "withdrawal_days",
]



@admin.register(Contract)
class ContractAdmin(LargeListMixin, ContractActionsMixin, ContractListAdmin):
    list_filter: tuple[Any, ...] = (
        "status",
        policy_filter("plan__policy__code"),
        "billing_cycle",
        "termination_kind",
    )
    date_hierarchy: str | None = "applied_on"
    admin_pages = (
        AdminPage("contracts_contract_queue", _("신청 심사 대기"), "has_view_or_change_permission"),
    )
    inlines = [
        PeriodInline,
        DocumentInline,
        CheckInline,
        TransitionInline,
        ScheduleChangeInline,
        SuspensionInline,
        SpecialTermInline,
        ContractChangeInline,
        SeatAssignmentInline,
    ]
    fieldsets = (
        (
            _("계약"),
            {
                "fields": (
                    "number_display",
                    "customer",
                    "plan",
                    "policy",
                    "status",
                    "billing_cycle",
                    "seats",
                    "term_months",
                )
            },
        ),
        (
            _("신청과 심사 (CON-1~4)"),
            {
                "fields": (
                    "applied_by",
                    "applied_on",
                    "requested_start",
                    "activation_date",
                    "activated_on",
                    "trial_started_on",
                    "hold_reasons_display",
                    "rejection_reasons_display",
                    "decided_by",
                    "decided_on",
                    "decision_note",
                )
            },
        ),
        (_("적용 약관 값 (CON-12)"), {"fields": ("effective_policy_panel",)}),
        (
            _("갱신과 이용 제한 (CON-6, CON-13)"),
            {"fields": ("renewal_stopped", "renewal_stop_reason", "restrictions")},
        ),
        (
            _("해지 (CON-7~9)"),
            {
                "fields": (
                    "termination_kind",
                    "termination_reasons_display",
                    "termination_note",
                    "termination_requested_on",
                    "termination_effective_on",
                    "penalty_exempt",
                    "settlement_display",
                    "terminated_on",
                    "withdrawn_on",
                    "purged_on",
                )
            },
        ),
    )
    # Staff edit only the review memo here; every other field changes through an operation (CON-1).
    editable_fields = ("decision_note",)

    # ----- change page

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        queryset = self.get_queryset(request).select_related(
            "customer", "plan", "policy", "applied_by", "decided_by"
        )
        model = queryset.model
        field = model._meta.pk if from_field is None else model._meta.get_field(from_field)
        try:
            key = field.to_python(object_id)
            return queryset.get(**{field.name: key})
        except (model.DoesNotExist, ValidationError, ValueError):
            return None

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        names = [name for _title, opts in self.fieldsets for name in opts["fields"]]
        return [name for name in names if name not in self.editable_fields]

    @admin.display(description=_("거절 사유"))
    def rejection_reasons_display(self, obj: Contract) -> str:
        return labels(RejectionReason, obj.rejection_reasons)

    @admin.display(description=_("해지 사유"))
    def termination_reasons_display(self, obj: Contract) -> str:
        return labels(TerminationReason, obj.termination_reasons)

    @admin.display(description=_("해지 정산 미리보기 (CON-7)"))
    def settlement_display(self, obj: Contract) -> str:
        """The settlement shown when termination was requested, as stored by the service."""
        settlement = obj.termination_settlement or {}
        if not settlement:
            return "-"
        rows = format_html_join(
            "",
            '<tr><td>{}</td><td style="text-align:right">{}</td></tr>',
            (
                (line.get("description", ""), _won(line.get("amount_won")))
                for line in settlement.get("lines", [])
            ),
        )
        return format_html(
            '<table><tbody>{}</tbody><tfoot><tr><th>{}</th><th style="text-align:right">{}</th></tr></tfoot>'
            "</table>",
            rows,
            _("합계 (효력일 {date})").format(date=settlement.get("effective_on", "-")),
            _won(settlement.get("total_won")),
        )

    @admin.display(description=_("적용 값과 출처"))
    def effective_policy_panel(self, obj: Contract) -> str:
        """The values that matter for this contract and where each comes from (CON-12)."""
        if obj.pk is None:
            return "-"
        policy = effective_policy(obj)
        names = list(dict.fromkeys([*PANEL_PARAMETERS, *policy.overridden()]))
        rows: list[tuple[Any, ...]] = []
        for name in names:
            source = policy.source(name)
            rows.append(
                (
                    "font-weight:bold" if source.special_term is not None else "",
                    parameter_label(name),
                    _shown(source.value),
                    source.label,
                )
            )
        withdrawal_source = policy.source("withdrawal_days").label
        deadline = termination.withdrawal_deadline(obj)
        rows.append(("", _("청약 철회 기한 (CON-8)"), deadline or _("없음"), withdrawal_source))
        period = renewal.last_period(obj)
        if period is not None:
            rows.append(
                (
                    "",
                    _("갱신 거절 통지 기한 (CON-6)"),
                    renewal.renewal_notice_deadline(obj, period),
                    policy.source("renewal_notice_days").label,
                )
            )
        body = format_html_join("", '<tr style="{}"><td>{}</td><td>{}</td><td>{}</td></tr>', rows)
        return format_html(
            '<table class="effective-policy"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>'
            "<tbody>{}</tbody></table>",
            _("항목"),
            _("값"),
            _("출처"),
            body,
        )

    def save_model(self, request: HttpRequest, obj: Contract, form: Any, change: bool) -> None:
        """Only the review memo is saved, by name, so a save never writes a stale status (CON-1)."""
        fields = [name for name in form.changed_data if name in self.editable_fields]
        if fields:
            with acting_as(request.user, reason="admin: memo"):
                obj.save(update_fields=[*fields, "updated_at"])

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra = dict(extra_context or {})
        contract = self.get_object(request, unquote(object_id))
        if contract is not None and self.has_change_permission(request, contract):
            buttons = action_buttons(contract, clock.today())
            extra["contract_actions"] = buttons["enabled"]
            extra["disabled_actions"] = buttons["disabled"]
        return super().change_view(request, object_id, form_url, extra)

    # ----- extra pages: operations, document download, queue

    def get_urls(self) -> list[Any]:
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view
        return [
            path("queue/", view(self.queue_view), name="{}_{}_queue".format(*info)),
            path(
                "<path:object_id>/action/<str:action>/",
                view(self.action_view),
                name="{}_{}_action".format(*info),
            ),
            path(
                "<path:object_id>/document/<int:document_id>/",
                view(self.document_view),
                name="{}_{}_document".format(*info),
            ),
            *super().get_urls(),
        ]

    def document_view(self, request: HttpRequest, object_id: str, document_id: int) -> FileResponse:
        contract = self.get_object(request, unquote(object_id))
        if contract is None:
            raise Http404(object_id)
        if not self.has_view_permission(request, contract):
            raise PermissionDenied  # a refusal, as on every admin page (issue #14)
        document = get_object_or_404(ContractDocument, pk=document_id, contract=contract)
        return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.original_name)

    def queue_view(self, request: HttpRequest) -> HttpResponse:
        queue = ContractQueueAdmin(self.model, self.admin_site)
        return queue.changelist_view(request, extra_context={"title": _("신청 심사 대기"), "is_queue": True})

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra = {"queue_count": review_queue_count(), **(extra_context or {})}
        return super().changelist_view(request, extra)
