"""Back office after the due date (SPEC §6, §11; BIL-9..11, BIL-20, DUN-1..3): dunning cases and their
step log, ladder pauses, the dispute queue, late charges, refunds, settlements, the evasion charge and a
small dashboard. Imported at the bottom of ``billing/admin.py``.

Thin, like the rest of the billing admin: every write calls a service (``dunning.dunning_pause``,
``disputes.dispute_decide``/``dispute_extend``, ``refunds.refund_pay``/``refund_cancel``,
``evasion.evasion_charge``) under ``acting_as(request.user)``; a ``DomainError`` is shown next to the
field it names (forms) or as a message (actions). Lists annotate what they show (no N+1).

The evasion form is reachable from the invoice admin: the invoice admin registered in ``billing/admin.py``
is re-registered here as a subclass that adds one action and one URL (nothing else of it changes).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer
from contracts.models import Contract
from core import clock
from core.audit import acting_as
from core.calendar import add_months, month_start
from core.errors import DomainError

from .admin import ACTION_FORM_TEMPLATE, ReadOnlyAdminMixin, run_action_form
from .models import (
    Dispute,
    DunningCase,
    DunningPause,
    DunningStep,
    Invoice,
    LateCharge,
    LedgerEntry,
    Refund,
    Settlement,
)
from .portal.after_due import next_step
from .services import disputes, evasion, refunds

DASHBOARD_TEMPLATE = "billing/after_due/admin_dashboard.html"
DISPUTE_CHANGE_FORM = "billing/after_due/admin_dispute_change_form.html"
INVOICE_CHANGE_FORM = "billing/after_due/admin_invoice_change_form.html"
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("1–30", 1, 30),
    ("31–60", 31, 60),
    ("61–90", 61, 90),
    ("90+", 91, None),
)
REVENUE_MONTHS = 12


def _form_error(form: forms.Form, error: DomainError) -> None:
    """A refusal next to the field it names (the form's own field name), else above the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def _won(value: Any) -> str:
    return f"{int(value or 0):,}"


def _invoice_open_subquery(ref: str = "invoice_id") -> Coalesce:
    per_invoice = (
        LedgerEntry.objects.filter(invoice=OuterRef(ref))
        .order_by()
        .values("invoice")
        .annotate(total=Sum("amount_won"))
        .values("total")
    )
    return Coalesce(Subquery(per_invoice, output_field=BigIntegerField()), Value(0))


def _action_page(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    *,
    title: str,
    form: forms.Form,
    obj: Any,
    **extra: Any,
) -> TemplateResponse:
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "objects": [obj],
        "opts": modeladmin.model._meta,
        "original": obj,
        **extra,
    }
    return TemplateResponse(request, ACTION_FORM_TEMPLATE, context)


# --------------------------------------------------------------------------- dunning (SPEC §6, DUN-2, DUN-3)


class PauseForm(forms.Form):
    """DUN-3 (002 art.33① 특별 승인): a reason and an end date."""

    reason = forms.CharField(label=_("사유"), widget=forms.Textarea(attrs={"rows": 3}))
    ends_on = forms.DateField(label=_("종료일"), help_text=_("YYYY-MM-DD; 이 날까지 연체 단계를 멈춥니다."))


def _pause(customer: Any, data: dict[str, Any], request: HttpRequest) -> DunningPause:
    from .services import dunning

    return dunning.dunning_pause(
        customer=customer,
        reason=data["reason"],
        ends_on=data["ends_on"],
        today=clock.today(),
        actor=request.user,
    )


class DunningStepInline(admin.TabularInline):
    """The case's step log: each ladder step once, with its date (SPEC §6). Read-only."""

    model = DunningStep
    extra = 0
    can_delete = False
    fields = ("index", "action", "scheduled_on", "executed_on", "amount_won", "detail", "cancelled_on")
    readonly_fields = fields
    ordering = ("index",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PresetFilter(admin.SimpleListFilter):
    title = _("약관 (프리셋)")
    parameter_name = "preset"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        codes = DunningCase.objects.order_by().values_list("invoice__policy__code", flat=True).distinct()
        return [(code, code) for code in sorted(set(codes))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value():
            return queryset.filter(invoice__policy__code=self.value())
        return queryset


@admin.register(DunningCase)
class DunningCaseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Overdue invoices on their ladder: amount, the step reached, the next step and its date (DUN-2)."""

    list_display = (
        "invoice",
        "customer",
        "status",
        "due_date",
        "overdue_amount",
        "current_step",
        "next_step",
        "opened_on",
    )
    list_filter = ("status", PresetFilter, "opened_on")
    search_fields = ("customer__legal_name", "customer__business_number", "invoice__number")
    list_select_related = ("invoice", "invoice__policy", "customer")
    date_hierarchy = "opened_on"
    inlines = (DunningStepInline,)
    actions = ("pause_ladder",)
    fields = (
        "invoice",
        "customer",
        "status",
        "opened_on",
        "resolved_on",
        "resolution",
        "overdue_amount",
        "next_step",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[DunningCase]:
        last = DunningStep.objects.filter(case=OuterRef("pk")).order_by("-index")
        return (
            super()
            .get_queryset(request)
            .annotate(
                _open_won=_invoice_open_subquery(),
                _step_action=Subquery(last.values("action")[:1]),
                _step_on=Subquery(last.values("executed_on")[:1]),
            )
        )

    def get_urls(self) -> list[Any]:
        extra = [
            path(
                "dashboard/",
                self.admin_site.admin_view(self.dashboard_view),
                name="billing_after_due_dashboard",
            )
        ]
        return extra + super().get_urls()

    @admin.display(description=_("납기일"), ordering="invoice__due_date")
    def due_date(self, obj: DunningCase) -> dt.date:
        return obj.invoice.due_date

    @admin.display(description=_("미납액"), ordering="_open_won")
    def overdue_amount(self, obj: DunningCase) -> str:
        return _won(getattr(obj, "_open_won", None))

    @admin.display(description=_("현재 단계"))
    def current_step(self, obj: DunningCase) -> str:
        action = getattr(obj, "_step_action", None)
        if not action:
            return "—"
        return f"{action} ({getattr(obj, '_step_on', '')})"

    @admin.display(description=_("다음 단계 (예정일)"))
    def next_step(self, obj: DunningCase) -> str:
        return next_step_text(obj, clock.today())

    def has_pause_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("billing.add_dunningpause")

    @admin.action(description=_("고객의 연체 단계 일시 중지 (DUN-3)"), permissions=["pause"])
    def pause_ladder(self, request: HttpRequest, queryset: QuerySet[DunningCase]) -> Any:
        done: set[int] = set()

        def handle(case: DunningCase, data: dict[str, Any]) -> str:
            if case.customer_id in done:
                return gettext("{customer}: 이미 중지했습니다.").format(customer=case.customer)
            pause = _pause(case.customer, data, request)
            done.add(case.customer_id)
            return gettext("{customer}의 연체 단계를 {ends_on}까지 중지했습니다.").format(
                customer=case.customer, ends_on=pause.ends_on
            )

        return run_action_form(
            self,
            request,
            queryset.select_related("customer"),
            form_class=PauseForm,
            title=gettext("연체 단계 일시 중지 (DUN-3)"),
            handle=handle,
        )

    def dashboard_view(self, request: HttpRequest) -> HttpResponse:
        today = clock.today()
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("미납·매출·이의신청 현황"),
            "today": today,
            **dashboard_numbers(today),
        }
        return TemplateResponse(request, DASHBOARD_TEMPLATE, context)


def next_step_text(case: DunningCase, today: dt.date) -> str:
    """"notify (2026-12-01)" from ``dunning.ladder_position``; "—" at the end of the ladder."""
    upcoming = next_step(case, today)
    if upcoming is None:
        return "—"
    return f"{upcoming.action} ({upcoming.on})" if upcoming.on else upcoming.action


class PauseAddForm(PauseForm):
    customer = forms.ModelChoiceField(label=_("고객"), queryset=Customer.objects.none())
    field_order = ("customer", "reason", "ends_on")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.order_by("legal_name")  # type: ignore[attr-defined]


@admin.register(DunningPause)
class DunningPauseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """DUN-3: a customer's ladder paused with a reason until an end date; added through
    ``dunning.dunning_pause`` (not edited afterwards: the history shows who approved what)."""

    list_display = (
        "customer",
        "starts_on",
        "ends_on",
        "short_reason",
        "created_by",
        "cancelled_on",
        "active",
    )
    list_filter = ("starts_on", "ends_on", "cancelled_on")
    search_fields = ("customer__legal_name", "customer__business_number", "reason")
    list_select_related = ("customer", "created_by")
    date_hierarchy = "starts_on"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("billing.add_dunningpause")

    @admin.display(description=_("사유"))
    def short_reason(self, obj: DunningPause) -> str:
        return obj.reason if len(obj.reason) <= 60 else obj.reason[:59] + "…"

    @admin.display(description=_("유효"), boolean=True)
    def active(self, obj: DunningPause) -> bool:
        today = clock.today()
        return obj.cancelled_on is None and obj.starts_on <= today <= obj.ends_on

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_add_permission(request):
            messages.error(request, gettext("권한이 없습니다."))
            return HttpResponseRedirect(reverse("admin:billing_dunningpause_changelist"))
        form = PauseAddForm(request.POST or None, initial={"customer": request.GET.get("customer")})
        if request.method == "POST" and form.is_valid():
            try:
                with acting_as(request.user):
                    pause = _pause(form.cleaned_data["customer"], form.cleaned_data, request)
            except DomainError as error:
                _form_error(form, error)
            else:
                messages.success(
                    request,
                    gettext("{customer}의 연체 단계를 {ends_on}까지 중지했습니다.").format(
                        customer=pause.customer, ends_on=pause.ends_on
                    ),
                )
                return HttpResponseRedirect(reverse("admin:billing_dunningpause_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("연체 단계 일시 중지 (DUN-3)"),
            "form": form,
            "objects": [],
            "opts": self.model._meta,
        }
        return TemplateResponse(request, ACTION_FORM_TEMPLATE, context)


# --------------------------------------------------------------------------- disputes (BIL-10)


class DisputeAnswerForm(forms.Form):
    upheld_amount_won = forms.IntegerField(
        label=_("인용 금액 (원)"),
        min_value=0,
        help_text=_("0이면 기각, 이의 금액 전부면 인용, 그 사이면 일부 인용"),
    )
    answer = forms.CharField(label=_("답변"), widget=forms.Textarea(attrs={"rows": 4}))


class DisputeExtendForm(forms.Form):
    new_due_on = forms.DateField(
        label=_("새 답변 기한"), help_text=_("YYYY-MM-DD (000 art.17③, 002 art.35②)")
    )
    reason = forms.CharField(label=_("지연 사유"), widget=forms.Textarea(attrs={"rows": 3}))


class OverdueAnswerFilter(admin.SimpleListFilter):
    title = _("답변 기한")
    parameter_name = "answer"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return [("overdue", _("기한 지남")), ("due_soon", _("3일 이내"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        today = clock.today()
        if self.value() == "overdue":
            return queryset.filter(status=Dispute.Status.OPEN, answer_due_on__lt=today)
        if self.value() == "due_soon":
            return queryset.filter(
                status=Dispute.Status.OPEN,
                answer_due_on__gte=today,
                answer_due_on__lte=today + dt.timedelta(days=3),
            )
        return queryset


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The dispute queue (BIL-10): open ones first, by answer deadline, overdue deadlines in red;
    "답변" → ``disputes.dispute_decide``, "기한 연장" → ``disputes.dispute_extend``."""

    list_display = (
        "id",
        "customer",
        "invoice",
        "line",
        "amount_won",
        "status",
        "filed_on",
        "answer_due",
        "answered_on",
        "upheld_amount_won",
    )
    list_display_links = ("id", "invoice")
    list_filter = ("status", OverdueAnswerFilter, "operator_erred", "filed_on")
    search_fields = ("customer__legal_name", "customer__business_number", "invoice__number", "reason")
    list_select_related = ("customer", "invoice", "line")
    date_hierarchy = "filed_on"
    actions = ("answer_action", "extend_action")
    change_form_template = DISPUTE_CHANGE_FORM
    readonly_fields = (
        "invoice",
        "line",
        "customer",
        "amount_won",
        "reason",
        "operator_erred",
        "known_on",
        "cause_on",
        "filed_on",
        "filed_by",
        "status",
        "answer_due",
        "due_extension_reason",
        "answered_on",
        "answer",
        "upheld_amount_won",
        "credit_note",
    )
    fields = readonly_fields

    def get_ordering(self, request: HttpRequest) -> list[Any]:
        open_first = Case(
            When(status=Dispute.Status.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        return [open_first.asc(), "answer_due_on", "-filed_on"]

    @admin.display(description=_("답변 기한"), ordering="answer_due_on")
    def answer_due(self, obj: Dispute) -> str:
        if obj.status == Dispute.Status.OPEN and obj.answer_due_on < clock.today():
            return format_html(
                '<strong class="overdue" style="color:#ba2121">{} ({})</strong>',
                obj.answer_due_on,
                _("기한 지남"),
            )
        return str(obj.answer_due_on)

    def has_answer_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("billing.change_dispute")

    has_extend_permission = has_answer_permission

    def get_urls(self) -> list[Any]:
        extra = [
            path(
                "<int:pk>/answer/",
                self.admin_site.admin_view(self.answer_view),
                name="billing_dispute_answer",
            ),
            path(
                "<int:pk>/extend/",
                self.admin_site.admin_view(self.extend_view),
                name="billing_dispute_extend",
            ),
        ]
        return extra + super().get_urls()

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra_context = {**(extra_context or {}), "can_answer": self.has_answer_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _one(self, request: HttpRequest, queryset: QuerySet[Dispute], name: str) -> HttpResponse | None:
        if queryset.count() != 1:
            messages.warning(request, gettext("이의신청을 한 건만 선택하세요."))
            return None
        return HttpResponseRedirect(reverse(f"admin:billing_dispute_{name}", args=[queryset.get().pk]))

    @admin.action(description=_("답변 (한 건 선택)"), permissions=["answer"])
    def answer_action(self, request: HttpRequest, queryset: QuerySet[Dispute]) -> HttpResponse | None:
        return self._one(request, queryset, "answer")

    @admin.action(description=_("답변 기한 연장 (한 건 선택)"), permissions=["extend"])
    def extend_action(self, request: HttpRequest, queryset: QuerySet[Dispute]) -> HttpResponse | None:
        return self._one(request, queryset, "extend")

    def _dispute_form(
        self, request: HttpRequest, pk: int, form_class: type[forms.Form], title: str, call: Any
    ) -> HttpResponse:
        dispute = get_object_or_404(Dispute.objects.select_related("invoice", "customer"), pk=pk)
        here = reverse("admin:billing_dispute_change", args=[dispute.pk])
        if not self.has_answer_permission(request):
            messages.error(request, gettext("권한이 없습니다."))
            return HttpResponseRedirect(here)
        form = form_class(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                with acting_as(request.user):
                    done = call(dispute, form.cleaned_data)
            except DomainError as error:
                _form_error(form, error)
            else:
                messages.success(request, done)
                return HttpResponseRedirect(here)
        return _action_page(self, request, title=title, form=form, obj=dispute)

    def answer_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        def call(dispute: Dispute, data: dict[str, Any]) -> str:
            decided = disputes.dispute_decide(
                dispute=dispute,
                upheld_amount_won=data["upheld_amount_won"],
                answer=data["answer"],
                today=clock.today(),
            )
            return gettext("이의신청 #{id}: {status}").format(
                id=decided.pk, status=decided.get_status_display()
            )

        return self._dispute_form(request, pk, DisputeAnswerForm, gettext("이의신청 답변 (BIL-10)"), call)

    def extend_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        def call(dispute: Dispute, data: dict[str, Any]) -> str:
            extended = disputes.dispute_extend(
                dispute=dispute, new_due_on=data["new_due_on"], reason=data["reason"], today=clock.today()
            )
            return gettext("이의신청 #{id}의 답변 기한을 {due}로 연장했습니다.").format(
                id=extended.pk, due=extended.answer_due_on
            )

        return self._dispute_form(request, pk, DisputeExtendForm, gettext("답변 기한 연장 (BIL-10)"), call)


# --------------------------------------------------------------------------- late charges (BIL-9)


@admin.register(LateCharge)
class LateChargeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Late fees and surcharges as the daily job posted them (BIL-9). Read-only."""

    list_display = (
        "invoice",
        "customer",
        "kind",
        "period_start",
        "period_end",
        "days",
        "base_won",
        "amount_won",
        "billed_on_invoice",
        "formula",
    )
    list_filter = ("kind", "period_start", "invoice__policy__code")
    search_fields = ("invoice__number", "invoice__customer__legal_name", "invoice__customer__business_number")
    list_select_related = ("invoice", "invoice__customer", "billed_on_invoice")
    date_hierarchy = "period_start"

    @admin.display(description=_("고객"), ordering="invoice__customer__legal_name")
    def customer(self, obj: LateCharge) -> Any:
        return obj.invoice.customer


# --------------------------------------------------------------------------- refunds (BIL-11)


class RefundCancelForm(forms.Form):
    reason = forms.CharField(label=_("취소 사유"), widget=forms.Textarea(attrs={"rows": 3}))


class RefundRequestAdminForm(forms.Form):
    customer = forms.ModelChoiceField(label=_("고객"), queryset=Customer.objects.none())
    amount_won = forms.IntegerField(label=_("환불 요청액 (원)"), min_value=1)
    reason = forms.CharField(label=_("사유"), max_length=300)
    operator_caused = forms.BooleanField(label=_("회사 귀책 (법정이자 가산, 000 art.18①)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.order_by("legal_name")  # type: ignore[attr-defined]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Refunds (BIL-11, BIL-12..15): requested through the portal/API/settlement or here
    (``refunds.refund_request``); "지급 완료" → ``refunds.refund_pay`` posts the ledger movement."""

    list_display = (
        "id",
        "customer",
        "amount_won",
        "interest_won",
        "arrears_deducted_won",
        "operator_caused",
        "status",
        "requested_on",
        "pay_by",
        "paid_on",
        "contract",
        "reason",
    )
    list_filter = ("status", "operator_caused", "requested_on", "pay_by")
    search_fields = ("customer__legal_name", "customer__business_number", "reason")
    list_select_related = ("customer", "contract")
    date_hierarchy = "requested_on"
    actions = ("mark_paid", "cancel_refunds")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("billing.add_refund")

    def has_pay_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("billing.change_refund")

    @admin.action(description=_("지급 완료 처리 (원장 반영)"), permissions=["pay"])
    def mark_paid(self, request: HttpRequest, queryset: QuerySet[Refund]) -> None:
        today = clock.today()
        for refund in queryset.select_related("customer"):
            try:
                with acting_as(request.user):
                    paid = refunds.refund_pay(refund=refund, today=today, actor=request.user)
            except DomainError as error:
                messages.error(request, f"#{refund.pk}: {error.message}")
            else:
                messages.success(
                    request,
                    gettext("환불 #{id} {amount}원(이자 {interest}원)을 지급 완료로 기록했습니다.").format(
                        id=paid.pk, amount=_won(paid.amount_won), interest=_won(paid.interest_won)
                    ),
                )

    @admin.action(description=_("환불 요청 취소"), permissions=["pay"])
    def cancel_refunds(self, request: HttpRequest, queryset: QuerySet[Refund]) -> Any:
        today = clock.today()

        def handle(refund: Refund, data: dict[str, Any]) -> str:
            refunds.refund_cancel(refund=refund, today=today, actor=request.user, reason=data["reason"])
            return gettext("환불 #{id}을(를) 취소했습니다.").format(id=refund.pk)

        return run_action_form(
            self,
            request,
            queryset,
            form_class=RefundCancelForm,
            title=gettext("환불 요청 취소"),
            handle=handle,
        )

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        changelist = reverse("admin:billing_refund_changelist")
        if not self.has_add_permission(request):
            messages.error(request, gettext("권한이 없습니다."))
            return HttpResponseRedirect(changelist)
        form = RefundRequestAdminForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                with acting_as(request.user):
                    refund = refunds.refund_request(
                        customer=data["customer"],
                        amount_won=data["amount_won"],
                        reason=data["reason"],
                        operator_caused=bool(data.get("operator_caused")),
                        today=clock.today(),
                    )
            except DomainError as error:
                _form_error(form, error)
            else:
                messages.success(
                    request,
                    gettext("환불 #{id} {amount}원을 요청했습니다 (미납액 공제 {deducted}원).").format(
                        id=refund.pk,
                        amount=_won(refund.amount_won),
                        deducted=_won(refund.arrears_deducted_won),
                    ),
                )
                return HttpResponseRedirect(changelist)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("과납 환불 요청 (BIL-11)"),
            "form": form,
            "objects": [],
            "opts": self.model._meta,
        }
        return TemplateResponse(request, ACTION_FORM_TEMPLATE, context)


# --------------------------------------------------------------------------- settlements (BIL-12..16)


@admin.register(Settlement)
class SettlementAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Final settlements of ended contracts, with their lines (read-only; issued by the settlement job)."""

    list_display = ("contract", "customer", "effective_on", "total_won", "invoice", "refund", "issued_on")
    list_filter = ("effective_on", "issued_on")
    search_fields = (
        "contract__customer__legal_name",
        "contract__customer__business_number",
        "invoice__number",
    )
    list_select_related = ("contract", "contract__customer", "invoice", "refund")
    date_hierarchy = "issued_on"
    fields = ("contract", "effective_on", "issued_on", "total_won", "invoice", "refund", "lines_table")
    readonly_fields = fields

    @admin.display(description=_("고객"), ordering="contract__customer__legal_name")
    def customer(self, obj: Settlement) -> Any:
        return obj.contract.customer

    @admin.display(description=_("정산 내역"))
    def lines_table(self, obj: Settlement) -> str:
        rows = format_html_join(
            "",
            '<tr><td>{}</td><td>{}</td><td style="text-align:right">{}</td></tr>',
            (
                (line.get("kind", ""), line.get("description", ""), _won(line.get("amount_won")))
                for line in (obj.lines or [])
                if isinstance(line, dict)
            ),
        )
        return format_html(
            '<table class="settlement-lines"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>'
            "<tbody>{}</tbody></table>",
            _("구분"),
            _("내역"),
            _("금액"),
            rows,
        )


# --------------------------------------------------------------------------- evasion (BIL-20)


class EvasionForm(forms.Form):
    contract = forms.ModelChoiceField(label=_("계약"), queryset=Contract.objects.none())
    evaded_amount_won = forms.IntegerField(
        label=_("면탈 금액 (원)"),
        help_text=_("요금제 가격 기준; 약관의 배수(flow 2배)를 곱해 청구합니다 (001 art.19-8)"),
    )
    reason = forms.CharField(label=_("사유"), widget=forms.Textarea(attrs={"rows": 3}))
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, contracts: QuerySet[Contract], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["contract"]
        field.queryset = contracts  # type: ignore[attr-defined]
        if contracts.count() == 1:
            field.initial = contracts.get().pk


_BaseInvoiceAdmin: Any = type(admin.site._registry[Invoice])  # the invoice admin of billing/admin.py


class InvoiceAdmin(_BaseInvoiceAdmin):  # type: ignore[misc,valid-type]
    """The billing invoice admin plus the BIL-20 evasion charge (an action, a URL and a button)."""

    change_form_template = INVOICE_CHANGE_FORM

    actions = (*_BaseInvoiceAdmin.actions, "evasion_charge_action")

    def has_evasion_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("billing.add_invoice") or bool(request.user.is_superuser)

    def get_urls(self) -> list[Any]:
        extra = [
            path(
                "<int:pk>/evasion/",
                self.admin_site.admin_view(self.evasion_view),
                name="billing_invoice_evasion",
            )
        ]
        return extra + super().get_urls()

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra_context = {**(extra_context or {}), "can_evasion": self.has_evasion_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description=_("요금 면탈 청구 (한 건 선택, BIL-20)"), permissions=["evasion"])
    def evasion_charge_action(self, request: HttpRequest, queryset: QuerySet[Invoice]) -> HttpResponse | None:
        if queryset.count() != 1:
            messages.warning(request, gettext("요금 면탈 청구는 청구서 한 건을 골라 계약을 정합니다."))
            return None
        return HttpResponseRedirect(reverse("admin:billing_invoice_evasion", args=[queryset.get().pk]))

    def evasion_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """BIL-20: contract (of this invoice's lines), evaded amount, reason → ``evasion.evasion_charge``."""
        invoice = get_object_or_404(Invoice.objects.select_related("customer"), pk=pk)
        here = reverse("admin:billing_invoice_change", args=[invoice.pk])
        if not self.has_evasion_permission(request):
            messages.error(request, gettext("권한이 없습니다."))
            return HttpResponseRedirect(here)
        contracts = Contract.objects.filter(invoice_lines__invoice=invoice).distinct().order_by("pk")
        if not contracts.exists():
            contracts = Contract.objects.filter(customer=invoice.customer).order_by("pk")
        token = f"{invoice.pk}:{request.user.pk}:{clock.now().timestamp()}"
        form = EvasionForm(request.POST or None, contracts=contracts, initial={"token": token})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                with acting_as(request.user):
                    charged = evasion.evasion_charge(
                        contract=data["contract"],
                        evaded_amount_won=data["evaded_amount_won"],
                        reason=data["reason"],
                        today=clock.today(),
                        actor=request.user,
                        idempotency_key=data.get("token") or None,
                    )
            except DomainError as error:
                _form_error(form, error)
            else:
                messages.success(
                    request,
                    gettext("요금 면탈 청구서 {number} ({total}원)를 발행했습니다.").format(
                        number=charged.number, total=_won(charged.total_won)
                    ),
                )
                return HttpResponseRedirect(reverse("admin:billing_invoice_change", args=[charged.pk]))
        return _action_page(self, request, title=gettext("요금 면탈 청구 (BIL-20)"), form=form, obj=invoice)


admin.site.unregister(Invoice)
admin.site.register(Invoice, InvoiceAdmin)


# --------------------------------------------------------------------------- dashboard (SPEC §11)


def dashboard_numbers(today: dt.date) -> dict[str, Any]:
    """Aggregates for the staff dashboard, a fixed handful of queries whatever the data size."""
    overdue = LedgerEntry.objects.filter(invoice__status=Invoice.Status.ISSUED, invoice__due_date__lt=today)
    sums: dict[str, Any] = {}
    for label, low, high in AGE_BUCKETS:
        condition = Q(invoice__due_date__lte=today - dt.timedelta(days=low))
        if high is not None:
            condition &= Q(invoice__due_date__gte=today - dt.timedelta(days=high))
        sums[label] = Sum("amount_won", filter=condition)
    totals = overdue.aggregate(**sums)
    counts = Invoice.objects.filter(status=Invoice.Status.ISSUED, due_date__lt=today).aggregate(
        **{
            label: Count(
                "pk",
                filter=Q(due_date__lte=today - dt.timedelta(days=low))
                & (Q(due_date__gte=today - dt.timedelta(days=high)) if high is not None else Q()),
            )
            for label, low, high in AGE_BUCKETS
        }
    )
    buckets = [
        {"label": label, "amount_won": int(totals[label] or 0), "invoices": counts[label]}
        for label, _low, _high in AGE_BUCKETS
    ]
    since = add_months(month_start(today), -(REVENUE_MONTHS - 1))
    revenue = list(
        Invoice.objects.filter(issue_date__gte=since, issue_date__lte=today)
        .exclude(status=Invoice.Status.VOID)
        .annotate(month=TruncMonth("issue_date"))
        .values("month")
        .annotate(total_won=Sum("total_won"), supply_won=Sum("supply_won"), invoices=Count("pk"))
        .order_by("month")
    )
    open_disputes = Dispute.objects.filter(status=Dispute.Status.OPEN)
    dispute_totals = open_disputes.aggregate(
        count=Count("pk"),
        amount_won=Sum("amount_won"),
        overdue=Count("pk", filter=Q(answer_due_on__lt=today)),
    )
    return {
        "buckets": buckets,
        "overdue_total_won": sum(b["amount_won"] for b in buckets),
        "revenue": revenue,
        "open_disputes": {
            "count": dispute_totals["count"],
            "amount_won": int(dispute_totals["amount_won"] or 0),
            "overdue": dispute_totals["overdue"],
        },
        "oldest_disputes": list(
            open_disputes.select_related("customer", "invoice").order_by("answer_due_on", "pk")[:10]
        ),
    }
