"""Back office for policies, plans, contracts and terms releases.

Thin: every change goes through a service (``contracts.policy``, ``contracts.services.*``). Contract
operations are buttons on the contract page, offered only when the state table
(``contracts.lifecycle``) and the operation's own precondition allow them; each leads to a small form
and then calls the service as the staff user (``core.audit.acting_as``). A refusal (``DomainError``)
is shown as an error message naming its rule, and nothing changes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core import clock
from core.audit import acting_as
from core.errors import DomainError

from . import lifecycle
from .admin_forms import (
    AppealDecisionForm,
    AppealFileForm,
    ApproveForm,
    BulkHoldForm,
    ConfirmForm,
    ContractApplyForm,
    CustomerTerminationForm,
    DocumentUploadForm,
    HoldForm,
    LiftSuspensionForm,
    OperatorTerminationForm,
    PlanChangeForm,
    RejectForm,
    RescheduleForm,
    SeatsForm,
    SpecialTermForm,
    StopRenewalForm,
    SuspendForm,
    TermsPublishForm,
    WithdrawForm,
    parameter_label,
)
from .effective import effective_policy
from .models import (
    ApplicationCheck,
    ConsentDecision,
    Contract,
    ContractChange,
    ContractDocument,
    ContractPeriod,
    ContractStatus,
    ContractTransition,
    HoldReason,
    Plan,
    Policy,
    RejectionReason,
    ScheduleChange,
    SpecialTerm,
    Suspension,
    TerminationKind,
    TerminationReason,
    TermsConsent,
    TermsRelease,
)
from .models.contract import SeatAssignment  # not re-exported by contracts.models (yet)
from .policy import editable_field_names, policy_clone, policy_create, policy_publish, policy_update
from .services import applications, changes, renewal, suspension, termination, terms

# Sections of the policy form, in the order of the spec. Any field not listed lands in "기타"
# (a test keeps that section empty).
POLICY_SECTIONS: list[tuple[Any, list[str]]] = [
    (
        _("버전"),
        [
            "actions_box",
            "code",
            "version",
            "name",
            "status",
            "effective_from",
            "published_at",
            "is_unfavourable",
            "change_reason",
            "source_notes",
        ],
    ),
    (_("약관 본문 (TRM-1)"), ["terms_text_ko", "terms_text_en"]),
    (
        _("약관 변경 (TRM-2~7)"),
        [
            "terms_change_notice_days",
            "terms_change_unfavourable_notice_days",
            "unfavourable_change_by_email",
            "silence_is_consent",
            "terms_refusal_outcome",
            "price_increase_needs_consent",
            "service_change_notice_days",
            "portal_notice_min_days",
        ],
    ),
    (
        _("가입 (ACC)"),
        [
            "businesses_only",
            "min_applicant_age",
            "minors_need_representative",
            "guest_accounts_allowed",
            "succession_filing_days",
            "activation_postpone_notice_days",
        ],
    ),
    (
        _("청구 (BIL-1~4, BIL-18)"),
        [
            "allows_monthly_cycle",
            "allows_annual_cycle",
            "billing_period",
            "billing_timing",
            "issue_rule",
            "issue_day",
            "issue_days_before_due",
            "due_rule",
            "due_days",
            "due_day_of_month",
            "vat_rate_percent",
            "vat_included",
            "rounding",
            "prorate_by_day",
            "tax_invoice_issue_day",
        ],
    ),
    (
        _("인원 과금 (BIL-5, CON-11)"),
        [
            "seat_quota_enforced",
            "monthly_seat_basis",
            "annual_added_seats_prorated",
            "refund_on_seat_reduction",
            "plan_change_during_annual_term",
            "paid_to_guest_allowed",
            "midterm_additions_prorated",
        ],
    ),
    (
        _("결제와 연체 요금 (BIL-8, BIL-9, BIL-20)"),
        [
            "payment_retry_count",
            "payment_retry_window_business_days",
            "late_charge_model",
            "late_charge_monthly_percent",
            "late_charge_months_per_year",
            "late_charge_day_basis",
            "late_charge_grace_days",
            "late_charge_waivable",
            "evasion_multiplier",
        ],
    ),
    (
        _("연체 단계 (DUN)"),
        [
            "dunning_ladder",
            "suspension_notice_days",
            "max_suspension_extension_days",
            "nonpayment_data_keep_days",
            "dunning_whole_customer",
        ],
    ),
    (
        _("이의신청과 과납 (BIL-10, BIL-11)"),
        [
            "dispute_window_days",
            "dispute_window_months",
            "dispute_no_limit_if_operator_erred",
            "dispute_months_from_knowing",
            "dispute_months_from_cause",
            "dispute_answer_days",
            "overpayment_default",
            "overpayment_statutory_interest",
            "arrears_deducted_first",
        ],
    ),
    (
        _("해지 정산 (BIL-12~16)"),
        [
            "termination_model_monthly",
            "termination_model_annual",
            "termination_refund_percent",
            "termination_used_month_threshold_days",
            "termination_seat_lookback_days",
            "termination_penalty_percent",
            "termination_penalty_average_months",
            "penalty_excludes_agreed_discounts",
            "refund_excludes_one_time_fees",
            "refund_subtracts_promotions",
            "refund_by_end_of_next_month",
            "annual_prepay_refund_converts",
            "suspension_fee_model",
            "suspension_fee_max_days",
        ],
    ),
    (
        _("계약 기간과 해지 (CON-5~10)"),
        [
            "min_term_months",
            "default_term_months",
            "term_options_months",
            "auto_renew",
            "renewal_months",
            "renewal_notice_days",
            "renewal_notice_written",
            "renewal_reminder_days",
            "customer_termination_notice_days",
            "termination_requires_settlement",
            "operator_termination_explanation_days",
            "violation_suspension_max_days",
            "violation_suspension_notice_days",
            "repeated_violation_window_days",
            "upheld_appeal_extends_term",
            "withdrawal_days",
            "withdrawal_business_days",
            "withdrawal_from",
            "withdrawal_trial_starts_clock",
            "withdrawal_requires_unused",
            "withdrawal_charges_used_days",
        ],
    ),
    (
        _("SLA (SLA-1~8)"),
        [
            "sla_measurement",
            "sla_target_percent",
            "sla_min_outage_minutes",
            "sla_join_gap_minutes",
            "sla_counting_offset_minutes",
            "sla_error_rate_percent",
            "sla_error_window_minutes",
            "sla_credit_model",
            "sla_credit_tiers",
            "sla_average_months",
            "sla_multiplier",
            "sla_credit_cap",
            "sla_claim_required",
            "sla_claim_window_days",
            "sla_claim_window_months",
            "sla_termination_outage_hours",
            "sla_termination_outage_count",
            "sla_termination_outage_min_minutes",
            "maintenance_window_start",
            "maintenance_window_end",
            "status_page_days",
        ],
    ),
    (
        _("데이터 보관 (DAT, ACC-10, MSG-9)"),
        [
            "data_retention_months",
            "login_id_retention_months",
            "contract_records_retention_years",
            "dispute_records_retention_years",
            "abuse_identity_retention_months",
            "message_records_retention_months",
            "dormancy_days",
            "dormancy_notice_days",
        ],
    ),
    (
        _("메시지 (MSG-2~7)"),
        [
            "sms_max_bytes",
            "lms_max_bytes",
            "lms_subject_max_bytes",
            "alimtalk_max_chars",
            "friendtalk_text_max_chars",
            "friendtalk_image_max_chars",
            "kakao_buttons_max",
            "kakao_button_name_max_chars",
            "ad_night_start",
            "ad_night_end",
            "friendtalk_block_start",
            "friendtalk_block_end",
            "max_sms_sender_numbers",
            "max_buyer_alimtalk_sender_numbers",
            "max_merchant_receiver_numbers",
            "message_result_timeout_hours",
        ],
    ),
]

_ALL_POLICY_FIELDS = [
    f.name for f in Policy._meta.concrete_fields if f.name not in {"id", "created_at", "updated_at"}
]
_LISTED = {name for _title, names in POLICY_SECTIONS for name in names}
UNSECTIONED_FIELDS = [name for name in _ALL_POLICY_FIELDS if name not in _LISTED]


def _show_error(request: HttpRequest, error: DomainError) -> None:
    messages.error(request, error.message)


@admin.register(Policy)
class PolicyAdmin(SimpleHistoryAdmin):
    list_display = (
        "code",
        "version",
        "name",
        "status",
        "effective_from",
        "is_unfavourable",
        "plan_count",
        "updated_at",
    )
    list_display_links = ("code", "version", "name")
    list_filter = ("code", "status", "is_unfavourable")
    search_fields = ("code", "name", "source_notes")
    date_hierarchy = "effective_from"
    ordering = ("code", "-version")
    actions = ("clone_selected", "publish_selected")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Policy]:
        return super().get_queryset(request).annotate(_plan_count=Count("plans"))

    @admin.display(description=_("요금제 수"), ordering="_plan_count")
    def plan_count(self, obj: Policy) -> int:
        return getattr(obj, "_plan_count", 0)

    @admin.display(description=_("버전 관리"))
    def actions_box(self, obj: Policy | None) -> str:
        if obj is None or obj.pk is None:
            return "-"
        parts = ['<input type="submit" name="_clone" value="{}">']
        args: list[Any] = [_("새 버전으로 복제")]
        if obj.status == Policy.Status.DRAFT:
            parts.append(' <input type="submit" name="_publish" value="{}">')
            args.append(_("시행일로 게시"))
        if obj.is_in_use():
            parts.append(' <span class="help">{}</span>')
            args.append(_("사용 중인 버전은 수정할 수 없습니다 (TRM-1). 복제해 새 버전을 만드세요."))
        return format_html("".join(parts), *args)

    def get_fieldsets(self, request: HttpRequest, obj: Policy | None = None) -> Any:
        sections = [
            (title, {"fields": [n for n in names if obj is not None or n != "actions_box"]})
            for title, names in POLICY_SECTIONS
        ]
        if UNSECTIONED_FIELDS:
            sections.append((_("기타"), {"fields": UNSECTIONED_FIELDS}))
        return sections

    def get_readonly_fields(self, request: HttpRequest, obj: Policy | None = None) -> Any:
        if obj is None:
            return ("status", "version", "published_at")
        if obj.is_in_use():
            return ("actions_box", *_ALL_POLICY_FIELDS)
        if obj.status != Policy.Status.DRAFT:
            return ("actions_box", "code", "version", "status", "published_at", "effective_from")
        return ("actions_box", "code", "version", "status", "published_at")

    def has_delete_permission(self, request: HttpRequest, obj: Policy | None = None) -> bool:
        if obj is not None and obj.status != Policy.Status.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Policy, form: Any, change: bool) -> None:
        if not change:
            values = {name: getattr(obj, name) for name in ["code", *editable_field_names()]}
            created = policy_create(values=values, actor=request.user)
            obj.pk, obj.version, obj.status = created.pk, created.version, created.status
            obj._state.adding = False
            return
        editable = set(editable_field_names())
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in editable}
        if changes:
            policy_update(policy=obj, changes=changes, actor=request.user)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if (
            request.method == "POST"
            and object_id
            and ("_clone" in request.POST or "_publish" in request.POST)
        ):
            obj = self.get_object(request, object_id)
            if obj is None or not self.has_change_permission(request, obj):
                return super().changeform_view(request, object_id, form_url, extra_context)
            return self._object_action(request, obj)
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as error:
            _show_error(request, error)
            return HttpResponseRedirect(request.get_full_path())

    def _object_action(self, request: HttpRequest, obj: Policy) -> HttpResponse:
        here = reverse("admin:contracts_policy_change", args=[obj.pk])
        try:
            if "_clone" in request.POST:
                clone = policy_clone(policy=obj, actor=request.user)
                messages.success(request, _("새 초안 버전을 만들었습니다: %(policy)s") % {"policy": clone})
                return HttpResponseRedirect(reverse("admin:contracts_policy_change", args=[clone.pk]))
            published = policy_publish(policy=obj, actor=request.user, today=clock.today())
            messages.success(request, _("게시했습니다: %(policy)s") % {"policy": published})
        except DomainError as error:
            _show_error(request, error)
        return HttpResponseRedirect(here)

    @admin.action(description=_("새 버전으로 복제"), permissions=["change"])
    def clone_selected(self, request: HttpRequest, queryset: QuerySet[Policy]) -> None:
        for policy in queryset:
            clone = policy_clone(policy=policy, actor=request.user)
            messages.success(request, _("새 초안 버전을 만들었습니다: %(policy)s") % {"policy": clone})

    @admin.action(description=_("시행일로 게시"), permissions=["change"])
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[Policy]) -> None:
        for policy in queryset:
            try:
                published = policy_publish(policy=policy, actor=request.user, today=clock.today())
            except DomainError as error:
                _show_error(request, error)
            else:
                messages.success(request, _("게시했습니다: %(policy)s") % {"policy": published})


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    list_display = (
        "code",
        "name",
        "policy",
        "billing_cycle",
        "monthly_fee_won",
        "monthly_price_per_seat_won",
        "annual_monthly_price_per_seat_won",
        "is_free",
        "active",
    )
    list_filter = ("active", "billing_cycle", "is_free", "policy__code")
    search_fields = ("code", "name", "policy__code", "policy__name")
    list_select_related = ("policy",)
    autocomplete_fields = ("policy",)
    fieldsets = (
        (None, {"fields": ("code", "name", "description", "policy", "billing_cycle", "active")}),
        (
            _("가격 (원)"),
            {
                "fields": (
                    "monthly_fee_won",
                    "monthly_price_per_seat_won",
                    "annual_monthly_price_per_seat_won",
                    "setup_fee_won",
                    "usage_unit_prices",
                )
            },
        ),
        (_("조건"), {"fields": ("default_seats", "allows_guest", "is_free", "required_documents")}),
    )


# =========================================================================== contracts (CON-1..12)

S = ContractStatus
QUEUE_STATUSES = (S.APPLIED, S.HELD)
FINAL_STATUSES = (S.REJECTED, S.WITHDRAWN, S.TERMINATED, S.PURGED)
ACTION_FORM_TEMPLATE = "admin/contracts/action_form.html"
BULK_FORM_TEMPLATE = "admin/contracts/contract/bulk_action.html"


def _labels(choices: Any, codes: Any) -> str:
    """Stored reason codes as their Korean labels: "설비 여유 없음, 기술상 장애"."""
    names = dict(choices.choices)
    return ", ".join(str(names.get(code, code)) for code in (codes or [])) or "-"


def _won(amount: Any) -> str:
    return f"{amount:,}" if isinstance(amount, int) and not isinstance(amount, bool) else "-"


def _shown(value: Any) -> Any:
    """A policy value for the panel: 예/아니오 for flags, "-" for none."""
    if isinstance(value, bool):
        return _("예") if value else _("아니오")
    return "-" if value is None else value


def _render_admin_form(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    *,
    form: forms.Form,
    title: Any,
    submit_label: Any,
    cancel_url: str,
    original: Any = None,
    description: Any = "",
    extra: dict[str, Any] | None = None,
) -> TemplateResponse:
    """An intermediate admin page holding one form (an application, a contract operation, a publication)."""
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": title,
        "form": form,
        "original": original,
        "media": model_admin.media + form.media,
        "submit_label": submit_label,
        "cancel_url": cancel_url,
        "description": description,
        **(extra or {}),
    }
    return TemplateResponse(request, ACTION_FORM_TEMPLATE, context)


# --------------------------------------------------------------------------- operations offered on a contract


@dataclass
class Facts:
    """What the operations' preconditions need to know about one contract, read once per page."""

    contract: Contract
    today: dt.date
    suspensions: list[Suspension] = field(default_factory=list)

    @classmethod
    def of(cls, contract: Contract, today: dt.date) -> Facts:
        return cls(contract, today, list(contract.suspensions.all()))

    @cached_property
    def open_suspension(self) -> Suspension | None:
        return next((s for s in self.suspensions if s.lifted_on is None), None)

    @cached_property
    def filed_appeal(self) -> Suspension | None:
        return next((s for s in self.suspensions if s.appeal == Suspension.Appeal.FILED), None)

    @cached_property
    def appealable(self) -> Suspension | None:
        """The latest suspension without an appeal (suspensions are ordered newest first)."""
        return next((s for s in self.suspensions if s.appeal == Suspension.Appeal.NONE), None)

    @cached_property
    def withdrawal_deadline(self) -> dt.date | None:
        return termination.withdrawal_deadline(self.contract)

    @cached_property
    def has_period(self) -> bool:
        return self.contract.periods.exists()


Runner = Callable[[Contract, dict[str, Any], Facts], Any]


@dataclass(frozen=True)
class ContractAction:
    """One button on the contract page: the state it leads to (checked against ``lifecycle.allowed``),
    the states it applies to when it is not a transition, its own precondition, its form and the
    service call."""

    name: str
    label: Any
    form: type[forms.Form]
    run: Runner
    target: str | None = None
    statuses: tuple[str, ...] = ()
    when: Callable[[Facts], bool] = lambda facts: True
    initial: Callable[[Facts], dict[str, Any]] = lambda facts: {}
    description: Any = ""
    danger: bool = False
    preview: bool = False

    def offered(self, facts: Facts) -> bool:
        status = facts.contract.status
        if self.target is not None and self.target not in lifecycle.allowed(status):
            return False
        if self.statuses and status not in self.statuses:
            return False
        return bool(self.when(facts))


def _approve(contract: Contract, data: dict[str, Any], facts: Facts) -> Any:
    applications.contract_approve(
        contract=contract, today=facts.today, note=data["note"], activation_date=data["activation_date"]
    )
    return _("승낙했습니다.")


def _hold(contract: Contract, data: dict[str, Any], facts: Facts) -> Any:
    applications.contract_hold(
        contract=contract, reasons=data["reasons"], today=facts.today, note=data["note"]
    )
    return _("보류했습니다.")


def _reject(contract: Contract, data: dict[str, Any], facts: Facts) -> Any:
    applications.contract_reject(
        contract=contract, reasons=data["reasons"], today=facts.today, note=data["note"]
    )
    return _("거절했습니다.")


def _reschedule(contract: Contract, data: dict[str, Any], facts: Facts) -> Any:
    applications.activation_reschedule(
        contract=contract, new_date=data["new_date"], reason=data["reason"], today=facts.today
    )
    return _("개통일을 {date}(으)로 변경하고 고객에게 통지했습니다.").format(date=data["new_date"])


def _upload(contract: Contract, data: dict[str, Any], facts: Facts) -> Any:
    document = applications.document_upload(
        contract=contract, kind=data["kind"], upload=data["file"], today=facts.today
    )
    return _("서류를 등록했습니다: {document}").format(document=document)


def _activate(contract: Contract, data: dict[str, Any], facts: Facts) -> Any:
    applications.contract_activate(contract=contract, today=facts.today)
    return _("개통했습니다.")


def _withdraw(contract: Contract, data: dict[str, Any], facts: Facts) -> Any:
    termination.contract_withdraw(contract=contract, today=facts.today, reason=data["reason"])
    return _("청약 철회를 처리했습니다.")


def _terminate_customer(contract: Contract, data: dict[str, Any], facts: Facts) -> Any:
    termination.termination_request(
        contract=contract,
        effective_on=data["effective_on"],
        today=facts.today,
        kind=TerminationKind.CUSTOMER,
        reason=data["reason"],
    )
    return _("해지 신청을 접수했습니다. 해지 효력일: {date}").format(date=data["effective_on"])


def _terminate_operator(contract: Contract, data: dict[str, Any], facts: Facts) -> Any:
    ended = termination.operator_termination(
        contract=contract,
        reasons=data["reasons"],
        today=facts.today,
        note=data["note"],
        effective_on=data["effective_on"],
    )
    return _("직권 해지를 통지했습니다. 해지 효력일: {date}").format(date=ended.termination_effective_on)


def _complete_termination(contract: Contract, data: dict[str, Any], facts: Facts) -> Any:
    termination.termination_complete(contract=contract, today=facts.today)
    return _("해지를 완료했습니다.")


def _suspend(contract: Contract, data: dict[str, Any], facts: Facts) -> Any:
    record = suspension.suspension_schedule(
        contract=contract, reason=data["reason"], today=facts.today, days=data["days"]
    )
    if record.started:
        return _("이용을 정지했습니다 ({start}~{end}).").format(
            start=record.starts_on, end=record.planned_end_on
        )
    return _("이용 정지를 예고했습니다. 정지 시작일: {start}").format(start=record.starts_on)


def _lift(contract: Contract, data: dict[str, Any], facts: Facts) -> Any:
    assert facts.open_suspension is not None  # the precondition
    suspension.suspension_lift(suspension=facts.open_suspension, today=facts.today, reason=data["reason"])
    return _("이용 정지를 해제했습니다.")


def _file_appeal(contract: Contract, data: dict[str, Any], facts: Facts) -> Any:
    assert facts.appealable is not None
    suspension.appeal_file(suspension=facts.appealable, text=data["text"], today=facts.today)
    return _("이의신청을 접수했습니다.")


def _decide_appeal(contract: Contract, data: dict[str, Any], facts: Facts) -> Any:
    assert facts.filed_appeal is not None
    upheld = data["decision"] == AppealDecisionForm.UPHELD
    suspension.appeal_decide(
        suspension=facts.filed_appeal, upheld=upheld, today=facts.today, note=data["note"]
    )
    return _("이의신청을 인용했습니다.") if upheld else _("이의신청을 기각했습니다.")


def _stop_renewal(contract: Contract, data: dict[str, Any], facts: Facts) -> Any:
    renewal.renewal_stop(contract=contract, today=facts.today, reason=data["reason"])
    return _("자동 갱신을 중단했습니다.")


def _change_seats(contract: Contract, data: dict[str, Any], facts: Facts) -> Any:
    change = changes.seats_change(contract=contract, seats=data["seats"], today=facts.today)
    return _("계약 인원을 {old}명에서 {new}명으로 변경했습니다.").format(
        old=change.old_value, new=change.new_value
    )


def _change_plan(contract: Contract, data: dict[str, Any], facts: Facts) -> Any:
    changed = changes.plan_change(
        contract=contract, today=facts.today, plan=data["plan"], billing_cycle=data["billing_cycle"] or None
    )
    return _("요금제/결제 주기를 변경했습니다: {plan}, {cycle}").format(
        plan=changed.plan.name, cycle=changed.get_billing_cycle_display()
    )


def _special_term(contract: Contract, data: dict[str, Any], facts: Facts) -> Any:
    term = changes.special_term_set(
        contract=contract,
        parameter=data["parameter"],
        value=data["value"],
        note=data["note"],
        signed_on=data["signed_on"],
    )
    return _("특약을 등록했습니다: {term}").format(term=term)


def _suspension_days(facts: Facts) -> dict[str, Any]:
    return {"days": effective_policy(facts.contract).violation_suspension_max_days}


def _operator_effective(facts: Facts) -> dict[str, Any]:
    days = effective_policy(facts.contract).operator_termination_explanation_days
    return {"effective_on": facts.today + dt.timedelta(days=days)}


CONTRACT_ACTIONS: dict[str, ContractAction] = {
    a.name: a
    for a in [
        ContractAction(
            "approve",
            _("승낙"),
            ApproveForm,
            _approve,
            target=S.APPROVED,
            initial=lambda f: {"activation_date": f.contract.activation_date},
            description=_("필수 서류가 모두 제출되어야 승낙할 수 있습니다 (CON-3)."),
        ),
        ContractAction("hold", _("보류"), HoldForm, _hold, target=S.HELD),
        ContractAction("reject", _("거절"), RejectForm, _reject, target=S.REJECTED, danger=True),
        ContractAction(
            "upload_document",
            _("서류 등록"),
            DocumentUploadForm,
            _upload,
            statuses=(S.APPLIED, S.HELD),
            description=_("고객이 제출한 필수 서류 파일을 등록합니다 (CON-3)."),
        ),
        ContractAction(
            "reschedule",
            _("개통일 변경"),
            RescheduleForm,
            _reschedule,
            statuses=(S.APPLIED, S.HELD, S.APPROVED),
            initial=lambda f: {"new_date": f.contract.activation_date},
            description=_("사유와 새 개통일이 기록되고 고객에게 통지됩니다 (CON-4; 002 art.9①)."),
        ),
        ContractAction(
            "activate",
            _("지금 개통"),
            ConfirmForm,
            _activate,
            target=S.ACTIVE,
            statuses=(S.APPROVED,),
            when=lambda f: (f.contract.activation_date or f.today) <= f.today,
            description=_("개통 예정일이 되었습니다. 개통하면 계약 기간과 과금이 시작됩니다 (CON-4)."),
        ),
        ContractAction(
            "withdraw",
            _("청약 철회"),
            WithdrawForm,
            _withdraw,
            target=S.WITHDRAWN,
            when=lambda f: (
                f.contract.status != S.ACTIVE
                or (f.withdrawal_deadline is not None and f.today <= f.withdrawal_deadline)
            ),
            description=_("개통 후에는 청약 철회 기간 안에서만 가능합니다 (CON-8)."),
            danger=True,
        ),
        ContractAction(
            "terminate_customer",
            _("고객 해지 신청 (대리)"),
            CustomerTerminationForm,
            _terminate_customer,
            target=S.TERMINATING,
            initial=lambda f: {"effective_on": termination.earliest_termination_date(f.contract, f.today)},
            description=_("고객을 대신해 해지를 신청합니다. 확정 전에 정산 미리보기를 보여 줍니다 (CON-7)."),
            preview=True,
            danger=True,
        ),
        ContractAction(
            "terminate_operator",
            _("직권 해지"),
            OperatorTerminationForm,
            _terminate_operator,
            target=S.TERMINATING,
            initial=_operator_effective,
            description=_("고객에게 사유와 효력일을 통지합니다 (CON-9)."),
            danger=True,
        ),
        ContractAction(
            "complete_termination",
            _("해지 완료"),
            ConfirmForm,
            _complete_termination,
            target=S.TERMINATED,
            when=lambda f: (
                f.contract.termination_effective_on is not None
                and f.contract.termination_effective_on <= f.today
            ),
            description=_("해지 효력일이 지났습니다. 일일 작업 전에 해지를 완료합니다 (CON-7)."),
        ),
        ContractAction(
            "suspend",
            _("위반 이용 정지"),
            SuspendForm,
            _suspend,
            target=S.SUSPENDED,
            when=lambda f: f.open_suspension is None,
            initial=_suspension_days,
            description=_("약관에 따라 사전 통지 후 정지됩니다 (CON-10; 004 art.11-3)."),
            danger=True,
        ),
        ContractAction(
            "lift_suspension",
            _("정지 해제"),
            LiftSuspensionForm,
            _lift,
            statuses=(S.ACTIVE, S.SUSPENDED),
            when=lambda f: f.open_suspension is not None,
        ),
        ContractAction(
            "file_appeal",
            _("이의신청 접수 (대리)"),
            AppealFileForm,
            _file_appeal,
            statuses=(S.ACTIVE, S.SUSPENDED, S.TERMINATING),
            when=lambda f: f.appealable is not None and f.filed_appeal is None,
        ),
        ContractAction(
            "decide_appeal",
            _("이의신청 결정"),
            AppealDecisionForm,
            _decide_appeal,
            when=lambda f: f.filed_appeal is not None,
        ),
        ContractAction(
            "stop_renewal",
            _("갱신 중단"),
            StopRenewalForm,
            _stop_renewal,
            statuses=(S.ACTIVE, S.SUSPENDED),
            when=lambda f: not f.contract.renewal_stopped and f.has_period,
            description=_("만료일 전 통지 기한까지만 가능합니다 (CON-6)."),
        ),
        ContractAction(
            "change_seats",
            _("인원 변경"),
            SeatsForm,
            _change_seats,
            statuses=(S.APPROVED, S.ACTIVE),
            initial=lambda f: {"seats": f.contract.seats},
        ),
        ContractAction(
            "change_plan",
            _("요금제/주기 변경"),
            PlanChangeForm,
            _change_plan,
            statuses=(S.ACTIVE,),
            initial=lambda f: {"plan": f.contract.plan_id},
        ),
        ContractAction(
            "add_special_term",
            _("특약 등록"),
            SpecialTermForm,
            _special_term,
            when=lambda f: f.contract.status not in FINAL_STATUSES,
            initial=lambda f: {"signed_on": f.today},
            description=_(
                "특약은 약관 항목 하나를 이 계약에 한해 바꿉니다. 같은 항목의 이전 특약은 무효가 됩니다 "
                "(CON-12)."
            ),
        ),
    ]
}


def offered_actions(contract: Contract, today: dt.date) -> list[ContractAction]:
    facts = Facts.of(contract, today)
    return [action for action in CONTRACT_ACTIONS.values() if action.offered(facts)]


def _not_offered(contract: Contract, action: ContractAction, facts: Facts) -> DomainError:
    offered = [str(a.label) for a in CONTRACT_ACTIONS.values() if a.offered(facts)]
    return DomainError(
        "action_not_offered",
        _(
            "계약 {number}은(는) 현재 '{status}' 상태라 '{action}'을(를) 할 수 없습니다. "
            "지금 가능한 작업: {offered}"
        ),
        rule="CON-1",
        field="status",
        number=contract.number,
        status=contract.get_status_display(),
        action=action.label,
        offered=", ".join(offered) or "-",
    )


_missing_documents = applications.missing_documents  # reads prefetched documents on list pages


# --------------------------------------------------------------------------- inlines (read-only logs)


class _LogInline(admin.TabularInline):
    """A read-only list on the contract page: the services write these rows, staff only read them."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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
    fields = readonly_fields = ("at", "on_date", "from_status", "to_status", "actor", "reason")
    verbose_name_plural = _("상태 변경 기록 (CON-1)")


class ScheduleChangeInline(_LogInline):
    model = ScheduleChange
    fields = readonly_fields = ("on_date", "old_date", "new_date", "by_customer", "reason", "actor")
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
    fields = readonly_fields = ("member", "assigned_on", "released_on", "actor")
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
        "actor",
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


class QueueStatusFilter(admin.SimpleListFilter):
    title = _("상태")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return [(s.value, s.label) for s in QUEUE_STATUSES]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Contract]) -> QuerySet[Contract]:
        if self.value():
            return queryset.filter(status=self.value())
        return queryset


@admin.register(Contract)
class ContractAdmin(SimpleHistoryAdmin):
    list_display: tuple[Any, ...] = (
        "number_display",
        "customer",
        "plan",
        "status",
        "billing_cycle",
        "seats",
        "activation_display",
        "termination_effective_on",
    )
    list_display_links = ("number_display", "customer")
    list_filter: tuple[Any, ...] = ("status", "plan__policy__code", "billing_cycle", "termination_kind")
    search_fields = ("customer__legal_name", "customer__business_number", "plan__code", "plan__name")
    search_help_text = _("고객명, 사업자등록번호, 요금제 코드/이름 또는 계약번호(CT-000001)")
    date_hierarchy: str | None = "applied_on"
    list_select_related = ("customer", "plan")
    list_per_page = 50
    actions = ("approve_selected", "hold_selected")
    change_list_template = "admin/contracts/contract/change_list.html"
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

    # ----- list

    @admin.display(description=_("계약번호"), ordering="pk")
    def number_display(self, obj: Contract) -> str:
        return obj.number

    @admin.display(description=_("개통일"), ordering="activation_date")
    def activation_display(self, obj: Contract) -> str:
        if obj.activated_on:
            return str(obj.activated_on)
        if obj.activation_date:
            return str(_("{date} (예정)").format(date=obj.activation_date))
        return "-"

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Contract], search_term: str) -> Any:
        match = re.fullmatch(r"\s*CT-?0*(\d+)\s*", search_term, flags=re.IGNORECASE)
        if match:
            return queryset.filter(pk=int(match.group(1))), False
        return super().get_search_results(request, queryset, search_term)

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

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # contracts end through their lifecycle and are kept (DAT-3)

    @admin.display(description=_("보류 사유"))
    def hold_reasons_display(self, obj: Contract) -> str:
        return _labels(HoldReason, obj.hold_reasons)

    @admin.display(description=_("거절 사유"))
    def rejection_reasons_display(self, obj: Contract) -> str:
        return _labels(RejectionReason, obj.rejection_reasons)

    @admin.display(description=_("해지 사유"))
    def termination_reasons_display(self, obj: Contract) -> str:
        return _labels(TerminationReason, obj.termination_reasons)

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
            extra["contract_actions"] = [
                {
                    "name": action.name,
                    "label": action.label,
                    "danger": action.danger,
                    "url": reverse("admin:contracts_contract_action", args=[contract.pk, action.name]),
                }
                for action in offered_actions(contract, clock.today())
            ]
        return super().change_view(request, object_id, form_url, extra)

    # ----- extra pages: application form, operations, document download, queue

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

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """A new contract is an application (CON-1): the form calls ``applications.contract_apply``."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        today = clock.today()
        if request.method == "POST":
            form = ContractApplyForm(request.POST, admin_site=self.admin_site)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    with acting_as(request.user):
                        contract = applications.contract_apply(
                            customer=data["customer"],
                            plan=data["plan"],
                            requested_start=data["requested_start"],
                            today=today,
                            member=data["member"],
                            seats=data["seats"],
                            billing_cycle=data["billing_cycle"] or None,
                            term_months=data["term_months"],
                        )
                except DomainError as error:
                    _show_error(request, error)
                else:
                    messages.success(
                        request, _("이용 신청을 접수했습니다: {number}").format(number=contract.number)
                    )
                    return HttpResponseRedirect(
                        reverse("admin:contracts_contract_change", args=[contract.pk])
                    )
        else:
            form = ContractApplyForm(admin_site=self.admin_site, initial={"requested_start": today})
        return _render_admin_form(
            self,
            request,
            form=form,
            title=_("이용 신청 접수"),
            submit_label=_("신청 접수"),
            cancel_url=reverse("admin:contracts_contract_changelist"),
            description=_(
                "신청은 자동 점검(CON-2)을 거쳐 심사 대기 목록에 올라갑니다. 서류는 접수 후 "
                "계약 화면에서 등록합니다 (CON-3)."
            ),
        )

    def action_view(self, request: HttpRequest, object_id: str, action: str) -> HttpResponse:
        """One operation on one contract: a small form, then the service (CON-1..12)."""
        spec = CONTRACT_ACTIONS.get(action)
        if spec is None:
            raise Http404(action)
        contract = self.get_object(request, unquote(object_id))
        if contract is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, contract):
            raise PermissionDenied
        today = clock.today()
        facts = Facts.of(contract, today)
        change_url = reverse("admin:contracts_contract_change", args=[contract.pk])
        if not spec.offered(facts):
            _show_error(request, _not_offered(contract, spec, facts))
            return HttpResponseRedirect(change_url)
        preview = None
        if request.method == "POST":
            form = spec.form(request.POST, request.FILES)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    with acting_as(request.user):
                        if spec.preview and not self._preview_confirmed(request, data):
                            preview = termination.termination_preview(
                                contract=contract, effective_on=data["effective_on"], today=today
                            )
                        else:
                            done = spec.run(contract, data, facts)
                except DomainError as error:
                    _show_error(request, error)
                else:
                    if preview is None:
                        messages.success(request, f"{contract.number}: {done}")
                        return HttpResponseRedirect(change_url)
        else:
            form = spec.form(initial=spec.initial(facts))
        return _render_admin_form(
            self,
            request,
            form=form,
            title=f"{spec.label}: {contract.number}",
            submit_label=_("미리보기") if spec.preview else spec.label,
            cancel_url=change_url,
            original=contract,
            description=spec.description,
            extra={
                "contract": contract,
                "action": spec,
                "preview": preview,
                "preview_for": preview.effective_on.isoformat() if preview else "",
                "confirm_label": spec.label,
            },
        )

    @staticmethod
    def _preview_confirmed(request: HttpRequest, data: dict[str, Any]) -> bool:
        """Confirmed only for the date whose preview the staff member saw (CON-7)."""
        return (
            "_confirm" in request.POST and request.POST.get("preview_for") == data["effective_on"].isoformat()
        )

    def document_view(self, request: HttpRequest, object_id: str, document_id: int) -> FileResponse:
        contract = self.get_object(request, unquote(object_id))
        if contract is None or not self.has_view_permission(request, contract):
            raise Http404(object_id)
        document = get_object_or_404(ContractDocument, pk=document_id, contract=contract)
        return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.original_name)

    def queue_view(self, request: HttpRequest) -> HttpResponse:
        queue = ContractQueueAdmin(self.model, self.admin_site)
        return queue.changelist_view(request, extra_context={"title": _("신청 심사 대기"), "is_queue": True})

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra = {
            "queue_count": Contract.objects.filter(status__in=QUEUE_STATUSES).count(),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra)

    # ----- bulk actions

    def _bulk(
        self,
        request: HttpRequest,
        queryset: QuerySet[Contract],
        run: Callable[[Contract, dt.date], Any],
        label: Any,
    ) -> None:
        today = clock.today()
        done = 0
        for contract in queryset.select_related("customer", "plan", "policy").order_by("pk"):
            try:
                with acting_as(request.user):
                    run(contract, today)
            except DomainError as error:
                self.message_user(request, f"{contract.number}: {error.message}", level=messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                _("{action}: {count}건을 처리했습니다.").format(action=label, count=done),
                messages.SUCCESS,
            )

    @admin.action(description=_("선택한 신청 승낙"), permissions=["change"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[Contract]) -> None:
        self._bulk(
            request,
            queryset,
            lambda c, today: applications.contract_approve(contract=c, today=today),
            _("승낙"),
        )

    @admin.action(description=_("선택한 신청 보류 (사유 선택)"), permissions=["change"])
    def hold_selected(self, request: HttpRequest, queryset: QuerySet[Contract]) -> TemplateResponse | None:
        form = BulkHoldForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            self._bulk(
                request,
                queryset,
                lambda c, today: applications.contract_hold(
                    contract=c, reasons=data["reasons"], today=today, note=data["note"]
                ),
                _("보류"),
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("선택한 신청 보류"),
            "form": form,
            "queryset": queryset.select_related("customer", "plan"),
            "action_name": "hold_selected",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, BULK_FORM_TEMPLATE, context)

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True  # reverting history would bypass the services


class ContractQueueAdmin(ContractAdmin):
    """신청 심사 대기: applied and held contracts, oldest first, with their automatic checks (CON-2)
    and missing documents (CON-3). Served by ``ContractAdmin`` at ``contract/queue/``."""

    list_display = (
        "number_display",
        "customer",
        "plan",
        "status",
        "applied_on",
        "requested_start",
        "check_badges",
        "missing_document_badges",
        "hold_reasons_display",
    )
    list_filter = (QueueStatusFilter, "plan__policy__code")
    date_hierarchy = None
    ordering = ("applied_on", "pk")
    actions = ("approve_selected", "hold_selected")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Contract]:
        return (
            super()
            .get_queryset(request)
            .filter(status__in=QUEUE_STATUSES)
            .prefetch_related("checks", "documents")
        )

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return SimpleHistoryAdmin.changelist_view(self, request, extra_context)

    @admin.display(description=_("자동 점검 (CON-2)"))
    def check_badges(self, obj: Contract) -> str:
        checks = list(obj.checks.all())
        if not checks:
            return "-"
        return format_html_join(
            " ",
            '<span class="badge {}" title="{}">{} {}</span>',
            (
                (
                    "badge-ok" if c.passed else "badge-fail",
                    c.detail,
                    "✔" if c.passed else "✘",
                    c.get_code_display(),
                )
                for c in checks
            ),
        )

    @admin.display(description=_("미제출 서류 (CON-3)"))
    def missing_document_badges(self, obj: Contract) -> str:
        missing = _missing_documents(obj)
        if not missing:
            return format_html('<span class="badge badge-ok">{}</span>', _("모두 제출"))
        labels = dict(ContractDocument._meta.get_field("kind").choices or [])
        return format_html_join(
            " ", '<span class="badge badge-fail">{}</span>', ((labels.get(k, k),) for k in missing)
        )


# --------------------------------------------------------------------------- terms releases and consent (TRM)


class _ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by services and jobs: staff list, filter and read them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TermsRelease)
class TermsReleaseAdmin(SimpleHistoryAdmin):
    list_display = (
        "policy",
        "previous",
        "published_on",
        "effective_on",
        "unfavourable",
        "price_increase",
        "transitioned_on",
        "consents",
    )
    list_filter = ("unfavourable", "price_increase", "policy__code")
    search_fields = ("policy__code", "policy__name", "reasons")
    date_hierarchy = "effective_on"
    list_select_related = ("policy", "previous")
    fields = readonly_fields = (
        "policy",
        "previous",
        "published_on",
        "effective_on",
        "unfavourable",
        "price_increase",
        "reasons",
        "transitioned_on",
        "consents",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[TermsRelease]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                _accepted=Count(
                    "policy__consents", filter=Q(policy__consents__decision=ConsentDecision.ACCEPTED)
                ),
                _refused=Count(
                    "policy__consents", filter=Q(policy__consents__decision=ConsentDecision.REFUSED)
                ),
                _deemed=Count(
                    "policy__consents", filter=Q(policy__consents__decision=ConsentDecision.DEEMED)
                ),
            )
        )

    @admin.display(description=_("동의 / 거부 / 간주 (TRM-4)"))
    def consents(self, obj: TermsRelease) -> str:
        return "{} / {} / {}".format(
            getattr(obj, "_accepted", 0), getattr(obj, "_refused", 0), getattr(obj, "_deemed", 0)
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a published notice is never edited (TRM-3)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Publish a new version: ``terms.terms_publish`` checks the notice and notifies (TRM-2, TRM-3)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        today = clock.today()
        if request.method == "POST":
            form = TermsPublishForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    with acting_as(request.user):
                        release = terms.terms_publish(
                            policy=data["policy"],
                            previous=data["previous"],
                            effective_on=data["effective_on"],
                            reasons=data["reasons"],
                            today=today,
                            unfavourable=data["unfavourable"],
                            price_increase=data["price_increase"],
                        )
                except DomainError as error:
                    _show_error(request, error)
                else:
                    messages.success(
                        request,
                        _("약관 개정을 공지했습니다: {policy}, 시행일 {date}").format(
                            policy=release.policy, date=release.effective_on
                        ),
                    )
                    return HttpResponseRedirect(reverse("admin:contracts_termsrelease_changelist"))
        else:
            form = TermsPublishForm(initial={"effective_on": today + dt.timedelta(days=30)})
        return _render_admin_form(
            self,
            request,
            form=form,
            title=_("새 약관 버전 공지"),
            submit_label=_("공지"),
            cancel_url=reverse("admin:contracts_termsrelease_changelist"),
            description=_(
                "대상 고객 모두에게 시행일, 개정 사유, 시행일까지 거부하지 않으면 동의로 본다는 안내가 "
                "발송됩니다 (TRM-3)."
            ),
        )


@admin.register(TermsConsent)
class TermsConsentAdmin(_ReadOnlyAdmin):
    list_display = ("customer", "policy", "decision", "channel", "decided_at", "member", "ip_address")
    list_filter = ("decision", "channel", "policy__code")
    search_fields = ("customer__legal_name", "customer__business_number")
    date_hierarchy = "decided_at"
    list_select_related = ("customer", "policy", "member")


@admin.register(ContractTransition)
class ContractTransitionAdmin(_ReadOnlyAdmin):
    list_display = ("at", "contract", "from_status", "to_status", "on_date", "actor", "reason")
    list_filter = ("to_status", "from_status")
    search_fields = (
        "contract__customer__legal_name",
        "contract__customer__business_number",
        "actor",
        "reason",
    )
    date_hierarchy = "on_date"
    list_select_related = ("contract__customer", "contract__plan")


class SuspensionOpenFilter(admin.SimpleListFilter):
    title = _("진행 여부")
    parameter_name = "open"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return [("yes", _("진행 중")), ("no", _("해제됨"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Suspension]) -> QuerySet[Suspension]:
        if self.value() == "yes":
            return queryset.filter(lifted_on__isnull=True)
        if self.value() == "no":
            return queryset.filter(lifted_on__isnull=False)
        return queryset


@admin.register(Suspension)
class SuspensionAdmin(_ReadOnlyAdmin):
    """Suspensions are started, lifted and appealed from the contract page (CON-10)."""

    list_display = (
        "contract",
        "kind",
        "reason",
        "noticed_on",
        "starts_on",
        "planned_end_on",
        "started",
        "lifted_on",
        "appeal",
    )
    list_filter = ("kind", SuspensionOpenFilter, "started", "appeal")
    search_fields = ("contract__customer__legal_name", "contract__customer__business_number", "reason")
    date_hierarchy = "starts_on"
    list_select_related = ("contract__customer", "contract__plan")
