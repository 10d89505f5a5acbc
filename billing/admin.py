"""Back office for billing (SPEC §11): thin lists, filters and actions that call ``billing.services``.

Issued invoices are read-only (BIL-2): no change or delete permission; corrections are credit notes
(a form that calls ``notes.credit_note_issue``), a mistaken credit note is reversed by a debit note.
Payments are recorded through ``payments.payment_record``, bank statements through
``bank.bank_statement_import`` and the unmatched-deposit queue through ``bank.bank_transaction_*``.
Every service call runs under ``acting_as(request.user)``; a ``DomainError`` becomes an admin message.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import Customer
from core import clock
from core.adminkit import ACTION_FORM_TEMPLATE, ReadOnlyAdminMixin, csv_response, run_action_form, show_error
from core.audit import acting_as
from core.errors import DomainError

from .models import (
    BankStatementImport,
    BankTransaction,
    CreditNote,
    Invoice,
    InvoiceLine,
    LedgerEntry,
    PayerAlias,
    Payment,
    PaymentMethod,
    Promotion,
    SeatSnapshot,
    TaxInvoice,
    UsageRecord,
)
from .portal.selectors import late_charges_subquery, open_amount_subquery
from .services import bank, notes, payments, promotions, tax
from .services.late_charges import invoice_amount_due_won

_error = show_error
_csv_response = csv_response


# --------------------------------------------------------------------------- invoices


class CreditNoteForm(forms.Form):
    amount_won = forms.IntegerField(
        label=_("금액 (원)"),
        min_value=1,
        help_text=_("부가세 별도 청구서는 공급가액, 부가세 포함 청구서는 합계 기준 (BIL-2)"),
    )
    reason = forms.ChoiceField(
        label=_("사유"),
        choices=[(v, label) for v, label in CreditNote.Reason.choices if v != CreditNote.Reason.REVERSAL],
    )
    description = forms.CharField(label=_("설명"), widget=forms.Textarea(attrs={"rows": 3}))


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    can_delete = False
    fields = (
        "position",
        "kind",
        "description",
        "quantity",
        "unit_price_won",
        "amount_won",
        "service_start",
        "service_end",
        "contract",
        "policy_basis",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Read-only once issued (BIL-2): invoices come from the invoice run; corrections are credit notes."""

    list_display = (
        "number",
        "customer",
        "kind",
        "schedule",
        "period_start",
        "issue_date",
        "due_date",
        "total_won",
        "amount_due",
        "open_amount",
        "status",
    )
    list_filter = ("status", "issue_date", "kind", "policy__code", "schedule")
    search_fields = ("number", "customer__legal_name", "customer__business_number")
    date_hierarchy = "issue_date"
    list_select_related = ("customer", "policy")
    ordering = ("-issue_date", "-number")
    inlines = (InvoiceLineInline,)
    actions = ("export_csv", "credit_note_action")
    change_form_template = "admin/billing/invoice/change_form.html"
    fieldsets = (
        (None, {"fields": ("number", "customer", "kind", "status", "policy", "schedule")}),
        (_("기간과 날짜"), {"fields": ("period_start", "period_end", "issue_date", "due_date", "paid_on")}),
        (
            _("금액"),
            {
                "fields": (
                    "vat_inclusive",
                    "vat_rate_percent",
                    "supply_won",
                    "vat_won",
                    "total_won",
                    "late_charges",
                    "amount_due",
                    "open_amount",
                )
            },
        ),
        (_("비고"), {"fields": ("note",)}),
    )
    readonly_fields = (
        "number",
        "customer",
        "kind",
        "status",
        "policy",
        "schedule",
        "period_start",
        "period_end",
        "issue_date",
        "due_date",
        "paid_on",
        "vat_inclusive",
        "vat_rate_percent",
        "supply_won",
        "vat_won",
        "total_won",
        "late_charges",
        "amount_due",
        "open_amount",
        "note",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Invoice]:
        return (
            super()
            .get_queryset(request)
            .annotate(_open_won=open_amount_subquery(), _late_won=late_charges_subquery())
            .annotate(_due_won=F("total_won") + F("_late_won"))
        )

    @admin.display(description=_("연체료·가산금 (부가세 대상 아님)"))
    def late_charges(self, obj: Invoice) -> int:
        late = getattr(obj, "_late_won", None)
        return invoice_amount_due_won(obj) - obj.total_won if late is None else int(late)

    @admin.display(description=_("청구 금액 (합계 + 연체료·가산금)"), ordering="_due_won")
    def amount_due(self, obj: Invoice) -> int:
        due = getattr(obj, "_due_won", None)
        return invoice_amount_due_won(obj) if due is None else int(due)

    @admin.display(description=_("미납액"), ordering="_open_won")
    def open_amount(self, obj: Invoice) -> int:
        return int(getattr(obj, "_open_won", 0) or 0)

    def has_credit_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("billing.add_creditnote")

    def get_urls(self) -> list[Any]:
        extra = [
            path(
                "<int:pk>/credit-note/",
                self.admin_site.admin_view(self.credit_note_view),
                name="billing_invoice_credit_note",
            ),
            path("<int:pk>/pdf/", self.admin_site.admin_view(self.pdf_view), name="billing_invoice_pdf"),
        ]
        return extra + super().get_urls()

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra_context = {**(extra_context or {}), "can_credit": self.has_credit_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def pdf_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        from .services.documents import invoice_pdf, invoice_pdf_filename

        invoice = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, invoice):
            return HttpResponseRedirect(reverse("admin:index"))
        response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{invoice_pdf_filename(invoice)}"'
        return response

    def credit_note_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The "크레딧 노트 발행" button: amount, reason, description → ``notes.credit_note_issue``."""
        invoice = get_object_or_404(self.get_queryset(request), pk=pk)
        here = reverse("admin:billing_invoice_change", args=[invoice.pk])
        if not self.has_credit_permission(request):
            messages.error(request, gettext("크레딧 노트를 발행할 권한이 없습니다."))
            return HttpResponseRedirect(here)
        form = CreditNoteForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                with acting_as(request.user):
                    note = notes.credit_note_issue(
                        invoice=invoice,
                        amount_won=form.cleaned_data["amount_won"],
                        reason=form.cleaned_data["reason"],
                        description=form.cleaned_data["description"],
                        today=clock.today(),
                    )
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(
                    request,
                    gettext("크레딧 노트 {number}를 발행했습니다 ({total}원).").format(
                        number=note.number, total=f"{note.total_won:,}"
                    ),
                )
                return HttpResponseRedirect(here)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("크레딧 노트 발행: {number}").format(number=invoice.number),
            "form": form,
            "objects": [invoice],
            "opts": self.model._meta,
            "original": invoice,
            "creditable": notes.creditable_amount(invoice),
        }
        return TemplateResponse(request, ACTION_FORM_TEMPLATE, context)

    @admin.action(description=_("CSV로 내보내기"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Invoice]) -> HttpResponse:
        header = [
            "번호",
            "고객",
            "사업자등록번호",
            "구분",
            "청구 기간 시작",
            "청구 기간 종료",
            "발행일",
            "납기일",
            "공급가액",
            "부가세",
            "합계",
            "연체료·가산금",
            "청구 금액",
            "미납액",
            "상태",
        ]
        rows = [
            [
                i.number,
                i.customer.legal_name,
                i.customer.business_number,
                i.get_kind_display(),
                i.period_start,
                i.period_end,
                i.issue_date,
                i.due_date,
                i.supply_won,
                i.vat_won,
                i.total_won,
                self.late_charges(i),
                self.amount_due(i),
                self.open_amount(i),
                i.get_status_display(),
            ]
            for i in queryset.select_related("customer")
        ]
        return _csv_response("invoices.csv", header, rows)

    @admin.action(description=_("크레딧 노트 발행 (한 건 선택)"), permissions=["credit"])
    def credit_note_action(self, request: HttpRequest, queryset: QuerySet[Invoice]) -> HttpResponse | None:
        if queryset.count() != 1:
            messages.warning(request, gettext("크레딧 노트는 청구서 한 건씩 발행합니다. 한 건만 선택하세요."))
            return None
        invoice = queryset.get()
        return HttpResponseRedirect(reverse("admin:billing_invoice_credit_note", args=[invoice.pk]))


class DebitNoteForm(forms.Form):
    reason = forms.CharField(label=_("취소 사유"), widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(CreditNote)
class CreditNoteAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = (
        "number",
        "kind",
        "customer",
        "invoice",
        "reason",
        "issued_on",
        "supply_won",
        "vat_won",
        "total_won",
        "reverses",
    )
    list_filter = ("kind", "reason", "issued_on")
    search_fields = (
        "number",
        "invoice__number",
        "customer__legal_name",
        "customer__business_number",
        "description",
    )
    date_hierarchy = "issued_on"
    list_select_related = ("customer", "invoice", "reverses")
    actions = ("reverse_with_debit_note",)

    def has_reverse_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("billing.add_creditnote")

    @admin.action(description=_("데빗 노트로 취소"), permissions=["reverse"])
    def reverse_with_debit_note(self, request: HttpRequest, queryset: QuerySet[CreditNote]) -> Any:
        today = clock.today()

        def handle(note: CreditNote, data: dict[str, Any]) -> str:
            debit = notes.debit_note_reverse(credit_note=note, reason=data["reason"], today=today)
            return gettext("{note}을(를) 데빗 노트 {debit}로 취소했습니다.").format(
                note=note.number, debit=debit.number
            )

        return run_action_form(
            self,
            request,
            queryset,
            form_class=DebitNoteForm,
            title=gettext("크레딧 노트 취소 (데빗 노트 발행)"),
            handle=handle,
        )


# --------------------------------------------------------------------------- payments


class PaymentRecordForm(forms.ModelForm):
    """Staff record money received (BIL-7); saved through ``payments.payment_record``."""

    class Meta:
        model = Payment
        fields = ("customer", "invoice", "method", "amount_won", "received_on", "payer_name", "reference")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        invoice, customer = data.get("invoice"), data.get("customer")
        if invoice is not None and customer is not None and invoice.customer_id != customer.pk:
            self.add_error("invoice", gettext("다른 고객의 청구서입니다."))
        return data

    def validate_unique(self) -> None:  # the service owns the rules and the constraints
        pass

    def _post_clean(self) -> None:  # do not build/validate the instance: the service creates it
        pass


@admin.register(Payment)
class PaymentAdmin(SimpleHistoryAdmin):
    list_display = (
        "received_on",
        "customer",
        "method",
        "amount_won",
        "status",
        "invoice",
        "payer_name",
        "attempt",
        "reference",
    )
    list_filter = ("status", "method", "received_on")
    search_fields = (
        "customer__legal_name",
        "customer__business_number",
        "payer_name",
        "reference",
        "invoice__number",
    )
    date_hierarchy = "received_on"
    list_select_related = ("customer", "invoice")
    autocomplete_fields = ("customer", "invoice")
    actions = ("export_csv",)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = PaymentRecordForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return PaymentRecordForm.Meta.fields
        return super().get_fields(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().add_view(request, form_url, extra_context)
        except DomainError as error:
            _error(request, error)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request: HttpRequest, obj: Payment, form: Any, change: bool) -> None:
        data = form.cleaned_data
        with acting_as(request.user):
            payment = payments.payment_record(
                customer=data["customer"],
                amount_won=data["amount_won"],
                method=data["method"],
                received_on=data["received_on"],
                payer_name=data.get("payer_name") or "",
                reference=data.get("reference") or "",
                invoice=data.get("invoice"),
                today=clock.today(),
            )
        obj.pk = payment.pk
        obj.__dict__.update({f.attname: getattr(payment, f.attname) for f in Payment._meta.concrete_fields})
        obj._state.adding = False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass

    @admin.action(description=_("CSV로 내보내기"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Payment]) -> HttpResponse:
        header = ["입금일", "고객", "결제 방법", "금액", "상태", "청구서", "입금자명", "거래 참조"]
        rows = [
            [
                p.received_on,
                p.customer.legal_name,
                p.get_method_display(),
                p.amount_won,
                p.get_status_display(),
                p.invoice.number if p.invoice else "",
                p.payer_name,
                p.reference,
            ]
            for p in queryset.select_related("customer", "invoice")
        ]
        return _csv_response("payments.csv", header, rows)


@admin.register(PaymentMethod)
class PaymentMethodAdmin(SimpleHistoryAdmin):
    list_display = ("customer", "kind", "label", "is_default", "active", "created_at")
    list_filter = ("kind", "is_default", "active")
    search_fields = ("customer__legal_name", "customer__business_number", "label")
    list_select_related = ("customer",)
    autocomplete_fields = ("customer",)
    readonly_fields = ("gateway_token",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # payments refer to it: deactivate instead


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("occurred_on", "customer", "kind", "amount_won", "invoice", "description", "actor")
    list_filter = ("kind", "occurred_on")
    search_fields = (
        "customer__legal_name",
        "customer__business_number",
        "invoice__number",
        "description",
        "key",
    )
    date_hierarchy = "occurred_on"
    list_select_related = ("customer", "invoice")


# --------------------------------------------------------------------------- bank statements


class BankStatementUploadForm(forms.Form):
    file = forms.FileField(label=_("은행 거래내역 파일 (CSV)"))


@admin.register(BankStatementImport)
class BankStatementImportAdmin(admin.ModelAdmin):
    list_display = ("file_name", "created_at", "row_count", "matched_count", "imported_by", "unmatched_link")
    search_fields = ("file_name", "sha256")
    date_hierarchy = "created_at"
    list_select_related = ("imported_by",)
    readonly_fields = ("file_name", "sha256", "row_count", "matched_count", "imported_by", "created_at")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("미확인 입금"))
    def unmatched_link(self, obj: BankStatementImport) -> str:
        url = reverse("admin:billing_banktransaction_changelist")
        return format_html(
            '<a href="{}?statement__id__exact={}&status__exact=unmatched">{}</a>',
            url,
            obj.pk,
            gettext("보기"),
        )

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Upload a statement: ``bank.bank_statement_import``; on failure every line's problem is listed."""
        if not self.has_add_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        form = BankStatementUploadForm(request.POST or None, request.FILES or None)
        problems: list[str] = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                with acting_as(request.user):
                    report = bank.bank_statement_import(
                        file_name=upload.name, content=upload.read(), actor=request.user
                    )
            except DomainError as error:
                _error(request, error)
                problems = [str(p) for p in getattr(error, "problems", [])]
            else:
                messages.success(
                    request,
                    gettext("{file}: {rows}건 반영, 자동 매칭 {matched}건, 미확인 {unmatched}건").format(
                        file=report.statement.file_name,
                        rows=report.row_count,
                        matched=len(report.matched),
                        unmatched=len(report.unmatched),
                    ),
                )
                return HttpResponseRedirect(
                    reverse("admin:billing_banktransaction_changelist")
                    + f"?statement__id__exact={report.statement.pk}"
                )
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("은행 거래내역 업로드"),
            "form": form,
            "problems": problems,
            "opts": self.model._meta,
            "upload": True,
        }
        return TemplateResponse(request, ACTION_FORM_TEMPLATE, context)


class AssignForm(forms.Form):
    customer = forms.ModelChoiceField(label=_("고객"), queryset=Customer.objects.all())
    remember_alias = forms.BooleanField(
        label=_("입금자명을 이 고객의 별칭으로 기억"),
        required=False,
        initial=True,
        help_text=_("다음 거래내역부터 자동 매칭 (002 art.31③)"),
    )


class IgnoreForm(forms.Form):
    reason = forms.CharField(label=_("제외 사유"), max_length=200)


class UnmatchedFirstFilter(admin.SimpleListFilter):
    """The queue view: unmatched deposits unless another status is chosen."""

    title = _("상태")
    parameter_name = "status__exact"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return [*BankTransaction.Status.choices, ("all", _("전체"))]

    def choices(self, changelist: Any) -> Any:
        current = self.value() or BankTransaction.Status.UNMATCHED
        for value, label in self.lookup_choices:
            yield {
                "selected": current == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value() or BankTransaction.Status.UNMATCHED
        if value == "all":
            return queryset
        return queryset.filter(status=value)


@admin.register(BankTransaction)
class BankTransactionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The unmatched-payments queue (BIL-7): assign a deposit to a customer or take it out."""

    list_display = (
        "transacted_on",
        "payer_name",
        "amount_won",
        "status",
        "customer",
        "statement",
        "line_no",
        "memo",
        "note",
    )
    list_filter = (UnmatchedFirstFilter, "transacted_on", "statement")
    search_fields = ("payer_name", "memo", "bank_reference", "customer__legal_name")
    date_hierarchy = "transacted_on"
    list_select_related = ("customer", "statement")
    actions = ("assign_to_customer", "ignore_transactions")

    def has_resolve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("billing.add_payment")

    @admin.action(description=_("고객에게 배정 (입금자명 기억)"), permissions=["resolve"])
    def assign_to_customer(self, request: HttpRequest, queryset: QuerySet[BankTransaction]) -> Any:
        def handle(tx: BankTransaction, data: dict[str, Any]) -> str:
            payment = bank.bank_transaction_assign(
                transaction=tx,
                customer=data["customer"],
                remember_alias=data["remember_alias"],
                actor=request.user,
            )
            return gettext("{tx} → {customer} 입금 {amount}원").format(
                tx=tx.payer_name, customer=data["customer"], amount=f"{payment.amount_won:,}"
            )

        return run_action_form(
            self,
            request,
            queryset,
            form_class=AssignForm,
            title=gettext("미확인 입금을 고객에게 배정"),
            handle=handle,
        )

    @admin.action(description=_("처리 제외"), permissions=["resolve"])
    def ignore_transactions(self, request: HttpRequest, queryset: QuerySet[BankTransaction]) -> Any:
        def handle(tx: BankTransaction, data: dict[str, Any]) -> str:
            bank.bank_transaction_ignore(transaction=tx, reason=data["reason"], actor=request.user)
            return gettext("{tx}: 처리 제외").format(tx=tx)

        return run_action_form(
            self,
            request,
            queryset,
            form_class=IgnoreForm,
            title=gettext("입금 내역 처리 제외"),
            handle=handle,
        )


@admin.register(PayerAlias)
class PayerAliasAdmin(admin.ModelAdmin):
    list_display = ("name", "customer", "created_by", "created_at")
    search_fields = ("name", "customer__legal_name", "customer__business_number")
    list_select_related = ("customer", "created_by")
    autocomplete_fields = ("customer",)
    readonly_fields = ("created_by",)

    def save_model(self, request: HttpRequest, obj: PayerAlias, form: Any, change: bool) -> None:
        obj.name = bank.normalise_payer(obj.name)
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        with acting_as(request.user):
            super().save_model(request, obj, form, change)


# --------------------------------------------------------------------------- seats, usage, promotions


@admin.register(SeatSnapshot)
class SeatSnapshotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("day", "contract", "registered", "contracted")
    list_filter = ("day",)
    search_fields = ("contract__plan__code", "contract__customer__legal_name")
    date_hierarchy = "day"
    list_select_related = ("contract",)


@admin.register(UsageRecord)
class UsageRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("day", "contract", "unit", "quantity", "source_ref")
    list_filter = ("unit", "day")
    search_fields = ("contract__plan__code", "contract__customer__legal_name", "source_ref")
    date_hierarchy = "day"
    list_select_related = ("contract",)


class PromotionForm(forms.ModelForm):
    class Meta:
        model = Promotion
        fields = (
            "contract",
            "kind",
            "amount_won",
            "percent",
            "starts_on",
            "periods",
            "is_long_term_discount",
            "description",
        )

    def _post_clean(self) -> None:  # the service validates and creates
        pass


@admin.register(Promotion)
class PromotionAdmin(SimpleHistoryAdmin):
    """BIL-19: added through ``promotions.promotion_add``; not edited afterwards (refunds subtract it)."""

    form = PromotionForm
    list_display = (
        "contract",
        "kind",
        "amount_won",
        "percent",
        "starts_on",
        "periods",
        "is_long_term_discount",
        "description",
    )
    list_filter = ("kind", "is_long_term_discount", "starts_on")
    search_fields = ("contract__plan__code", "contract__customer__legal_name", "description")
    list_select_related = ("contract",)
    autocomplete_fields = ("contract",)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().add_view(request, form_url, extra_context)
        except DomainError as error:
            _error(request, error)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request: HttpRequest, obj: Promotion, form: Any, change: bool) -> None:
        data = form.cleaned_data
        with acting_as(request.user):
            created = promotions.promotion_add(
                contract=data["contract"],
                kind=data["kind"],
                starts_on=data["starts_on"],
                periods=data["periods"],
                amount_won=data.get("amount_won") or 0,
                percent=data.get("percent") or 0,
                description=data.get("description") or "",
                is_long_term_discount=bool(data.get("is_long_term_discount")),
            )
        obj.__dict__.update({f.attname: getattr(created, f.attname) for f in Promotion._meta.concrete_fields})
        obj._state.adding = False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass


# --------------------------------------------------------------------------- tax invoices


@admin.register(TaxInvoice)
class TaxInvoiceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """BIL-18: the tax invoice data, exported to the operator's e-tax invoice provider as CSV or XML."""

    list_display = (
        "written_on",
        "source",
        "buyer_name",
        "buyer_business_number",
        "supply_won",
        "vat_won",
        "total_won",
        "issue_by",
        "status",
        "exported_at",
    )
    list_filter = ("status", "written_on", "issue_by")
    search_fields = (
        "buyer_name",
        "buyer_business_number",
        "invoice__number",
        "credit_note__number",
        "item_name",
    )
    date_hierarchy = "written_on"
    list_select_related = ("invoice", "credit_note")
    actions = ("export_csv", "export_xml")

    @admin.display(description=_("원본"))
    def source(self, obj: TaxInvoice) -> str:
        if obj.invoice is not None:
            return obj.invoice.number
        return obj.credit_note.number if obj.credit_note is not None else ""

    def has_export_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("billing.view_taxinvoice")

    @admin.action(description=_("CSV로 내보내기 (내보냄 표시)"), permissions=["export"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[TaxInvoice]) -> HttpResponse:
        with acting_as(request.user):
            data = tax.tax_invoices_export_csv(queryset)
        response = HttpResponse(data, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="tax-invoices-{clock.today():%Y%m%d}.csv"'
        return response

    @admin.action(description=_("XML로 내보내기 (내보냄 표시)"), permissions=["export"])
    def export_xml(self, request: HttpRequest, queryset: QuerySet[TaxInvoice]) -> HttpResponse:
        with acting_as(request.user):
            data = tax.tax_invoices_export_xml(queryset)
        response = HttpResponse(data, content_type="application/xml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="tax-invoices-{clock.today():%Y%m%d}.xml"'
        return response


from . import admin_after_due  # noqa: E402,F401  (issue 5: dunning, disputes, refunds, settlements, evasion)
