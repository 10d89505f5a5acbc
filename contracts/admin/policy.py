"""Back office for policies (terms versions) and plans. Thin: every change goes through
``contracts.policy`` (create, update, clone, publish); a refusal is shown as an error message."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core import clock
from core.adminkit import HistoryAdmin, StatusTransitionInline, show_error, won_column
from core.errors import DomainError

from ..models import Plan, Policy
from ..policy import editable_field_names, policy_clone, policy_create, policy_publish, policy_update
from . import terms_documents, whatif

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
    (_("약관 본문 (TRM-1)"), ["terms_document_box", "terms_text_ko", "terms_text_en"]),
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
_BOXES = ("actions_box", "terms_document_box")
UNSECTIONED_FIELDS = [name for name in _ALL_POLICY_FIELDS if name not in _LISTED]


@admin.register(Policy)
class PolicyAdmin(HistoryAdmin):
    inlines = (StatusTransitionInline,)
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

    @admin.display(description=_("조항과 인용"))
    def terms_document_box(self, obj: Policy | None) -> str:
        return "-" if obj is None else terms_documents.document_box(obj)

    def get_urls(self) -> list[Any]:
        def view(func: Any, **kw: Any) -> Any:
            return self.admin_site.admin_view(lambda request, **a: func(self, request, **a, **kw))

        return [
            path(
                "<int:policy_id>/terms/",
                view(terms_documents.terms_document_view),
                name="contracts_policy_terms",
            ),
            path(
                "<int:policy_id>/terms/import/",
                view(terms_documents.terms_import_view),
                name="contracts_policy_terms_import",
            ),
            path(
                "<int:policy_id>/whatif/",
                view(whatif.whatif_view),
                name="contracts_policy_whatif",
            ),
            path(
                "compare/<int:old_id>/<int:new_id>/",
                view(terms_documents.terms_compare_view),
                name="contracts_policy_terms_compare",
            ),
            path(
                "compare/<int:old_id>/<int:new_id>/pdf/",
                view(terms_documents.terms_compare_view, pdf=True),
                name="contracts_policy_terms_compare_pdf",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("버전 관리"))
    def actions_box(self, obj: Policy | None) -> str:
        if obj is None or obj.pk is None:
            return "-"
        parts = ['<input type="submit" name="_clone" value="{}">']
        args: list[Any] = [_("새 버전으로 복제")]
        if obj.status == Policy.Status.DRAFT:
            parts.append(' <input type="submit" name="_publish" value="{}">')
            args.append(_("시행일로 게시"))
            parts.append(' <a class="button" href="{}">{}</a>')
            args += [reverse("admin:contracts_policy_whatif", args=[obj.pk]), _("변경 효과 미리보기")]
        if obj.is_in_use():
            parts.append(' <span class="help">{}</span>')
            args.append(_("사용 중인 버전은 수정할 수 없습니다 (TRM-1). 복제해 새 버전을 만드세요."))
        return format_html("".join(parts), *args)

    def get_fieldsets(self, request: HttpRequest, obj: Policy | None = None) -> Any:
        cited = terms_documents.citations_by_field(obj) if obj is not None and obj.pk else {}

        def described(names: list[str]) -> str:
            return terms_documents.section_citations(obj, names, cited) if obj is not None and cited else ""

        sections = [
            (
                title,
                {
                    "fields": [n for n in names if obj is not None or n not in _BOXES],
                    "description": described(names),
                },
            )
            for title, names in POLICY_SECTIONS
        ]
        if UNSECTIONED_FIELDS:
            sections.append((_("기타"), {"fields": UNSECTIONED_FIELDS}))
        return sections

    def get_readonly_fields(self, request: HttpRequest, obj: Policy | None = None) -> Any:
        if obj is None:
            return ("status", "version", "published_at")
        if obj.is_in_use():
            return (*_BOXES, *_ALL_POLICY_FIELDS)
        if obj.status != Policy.Status.DRAFT:
            return (*_BOXES, "code", "version", "status", "published_at", "effective_from")
        return (*_BOXES, "code", "version", "status", "published_at")

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
            show_error(request, error)
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
            show_error(request, error)
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
                show_error(request, error)
            else:
                messages.success(request, _("게시했습니다: %(policy)s") % {"policy": published})


@admin.register(Plan)
class PlanAdmin(HistoryAdmin):
    list_display = (
        "code",
        "name",
        "policy",
        "billing_cycle",
        "monthly_fee",
        "monthly_price_per_seat",
        "annual_monthly_price_per_seat",
        "is_free",
        "active",
    )
    monthly_fee = won_column("monthly_fee_won", _("월 기본료"))
    monthly_price_per_seat = won_column("monthly_price_per_seat_won", _("월간 요금제 인당 월 요금"))
    annual_monthly_price_per_seat = won_column(
        "annual_monthly_price_per_seat_won", _("연간 요금제 인당 월 요금")
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


