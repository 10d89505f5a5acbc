"""Back office: invoices with their lines, credit and debit notes (BIL-2), the evasion charge (BIL-20).

Issued invoices are read-only (BIL-2): no change or delete permission; corrections are credit notes
(a form that calls ``notes.credit_note_issue``), a mistaken credit note is reversed by a debit note
(``notes.debit_note_reverse``). The evasion charge (BIL-20) is a button and an action on the invoice
that call ``evasion.evasion_charge``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contracts.admin.filters import policy_filter
from contracts.models import Contract
from core import clock, formatting
from core.admin_counts import LargeListMixin
from core.admin_dates import BoundedChangeList
from core.adminkit import (
    NoRevertHistoryAdmin,
    ReadOnlyAdminMixin,
    StatusTransitionInline,
    csv_response,
    form_page,
    qty_column,
    run_action_form,
    won_column,
)
from core.audit import acting_as
from core.errors import DomainError
from core.fields import WonFormField
from core.forms import add_domain_error

from ..models import CreditNote, Invoice, InvoiceLine
from ..selectors import (
    OverdueState,
    invoice_overdue_state,
    late_charges_subquery,
    open_amount_subquery,
    overdue_states,
)
from ..services import documents, evasion, notes
from ..services.late_charges import invoice_amount_due_won


class CreditNoteForm(forms.Form):
    amount_won = WonFormField(
        label=_("금액 (원)"),
        min_value=1,
        help_text=_("부가세 별도 청구서는 공급가액, 부가세 포함 청구서는 합계 기준 (BIL-2)"),
    )
    reason = forms.ChoiceField(
        label=_("사유"),
        choices=[(v, label) for v, label in CreditNote.Reason.choices if v != CreditNote.Reason.REVERSAL],
    )
    description = forms.CharField(label=_("설명"), widget=forms.Textarea(attrs={"rows": 3}))


class EvasionForm(forms.Form):
    contract = forms.ModelChoiceField(label=_("계약"), queryset=Contract.objects.none())
    evaded_amount_won = WonFormField(
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


class InvoiceLineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = InvoiceLine
    extra = 0
    can_delete = False
    fields = (
        "position",
        "kind",
        "description",
        "quantity_shown",
        "unit_price",
        "amount",
        "service_start",
        "service_end",
        "contract",
        "policy_basis",
    )
    readonly_fields = fields
    quantity_shown = qty_column("quantity", _("수량"))
    unit_price = won_column("unit_price_won", _("단가"))
    amount = won_column("amount_won", _("금액"))


class InvoiceChangeList(BoundedChangeList):  # date drill-down bounded (issue #14)
    """Reads the overdue state of every invoice on the page at once (no query per row)."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        invoices = list(self.result_list)
        states = overdue_states(invoices, clock.today())
        for invoice in invoices:
            invoice.overdue_state = states.get(invoice.pk)  # type: ignore[attr-defined]


def overdue_text(invoice: Invoice) -> str:
    """"연체 6일 · 다음: 이용 정지 (2026-12-01)" for an overdue invoice (DUN-2), "—" otherwise."""
    if not hasattr(invoice, "overdue_state"):  # the change page: one invoice
        invoice.overdue_state = invoice_overdue_state(invoice, clock.today())  # type: ignore[attr-defined]
    state: OverdueState | None = invoice.overdue_state  # type: ignore[attr-defined]
    if state is None:
        return "—"
    text = gettext("연체 {days}일").format(days=formatting.number(state.days_overdue))
    if state.next_step is not None:
        text += " · " + gettext("다음: {step} ({date})").format(
            step=state.next_label, date=formatting.day(state.next_on)
        )
    return text


@admin.register(Invoice)
class InvoiceAdmin(LargeListMixin, ReadOnlyAdminMixin, NoRevertHistoryAdmin):
    """Read-only once issued (BIL-2): invoices come from the invoice run; corrections are credit notes;
    a charge for evaded fees (BIL-20) is issued from here as a new invoice."""

    # The key columns first (issue 15: due date, open amount and status within 1,366 px).
    list_display = (
        "number",
        "customer",
        "status",
        "overdue",
        "due_date",
        "open_amount",
        "amount_due",
        "total",
        "issue_date",
        "kind",
    )
    list_filter = (
        "status",
        "issue_date",
        "kind",
        policy_filter("policy__code"),
        policy_filter("schedule", _("청구 일정")),
    )
    search_fields = ("number", "customer__legal_name", "customer__business_number")
    date_hierarchy = "issue_date"
    list_select_related = ("customer", "policy")
    ordering = ("-issue_date", "-number")
    inlines = (InvoiceLineInline, StatusTransitionInline)
    actions = ("export_csv", "credit_note_action", "evasion_charge_action")
    fieldsets = (
        (None, {"fields": ("number", "customer", "kind", "status", "policy", "schedule")}),
        (_("기간과 날짜"), {"fields": ("period_start", "period_end", "issue_date", "due_date", "paid_on")}),
        (
            _("금액"),
            {
                "fields": (
                    "vat_inclusive",
                    "vat_rate",
                    "supply",
                    "vat",
                    "total",
                    "late_charges",
                    "amount_due",
                    "open_amount",
                    "overdue",
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
        "vat_rate",
        "supply",
        "vat",
        "total",
        "late_charges",
        "amount_due",
        "open_amount",
        "overdue",
        "note",
    )
    vat_rate = qty_column("vat_rate_percent", _("부가세율(%)"))
    supply = won_column("supply_won", _("공급가액"))
    vat = won_column("vat_won", _("부가세"))
    total = won_column("total_won", _("합계"))

    def get_queryset(self, request: HttpRequest) -> QuerySet[Invoice]:
        return (
            super()
            .get_queryset(request)
            .annotate(_open_won=open_amount_subquery(), _late_won=late_charges_subquery())
            .annotate(_due_won=F("total_won") + F("_late_won"))
        )

    @admin.display(description=_("연체료·가산금 (부가세 대상 아님)"))
    def late_charges(self, obj: Invoice) -> str:
        return formatting.won(self._late_won(obj))

    @admin.display(description=_("청구 금액 (합계 + 연체료·가산금)"), ordering="_due_won")
    def amount_due(self, obj: Invoice) -> str:
        return formatting.won(self._due_won(obj))

    @admin.display(description=_("미납액"), ordering="_open_won")
    def open_amount(self, obj: Invoice) -> str:
        return formatting.won(self._open_won(obj))

    # the numbers behind those columns (the CSV export keeps plain numbers)
    @staticmethod
    def _late_won(obj: Invoice) -> int:
        late = getattr(obj, "_late_won", None)
        return invoice_amount_due_won(obj) - obj.total_won if late is None else int(late)

    @staticmethod
    def _due_won(obj: Invoice) -> int:
        due = getattr(obj, "_due_won", None)
        return invoice_amount_due_won(obj) if due is None else int(due)

    @staticmethod
    def _open_won(obj: Invoice) -> int:
        return int(getattr(obj, "_open_won", 0) or 0)

    @admin.display(description=_("연체"))
    def overdue(self, obj: Invoice) -> str:
        return overdue_text(obj)

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return InvoiceChangeList

    # ----------------------------------------------------------------- permissions of the buttons

    def has_credit_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("billing.add_creditnote")

    def has_evasion_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("billing.add_invoice") or bool(request.user.is_superuser)

    def get_urls(self) -> list[Any]:
        extra = [
            path(
                "<int:pk>/credit-note/",
                self.admin_site.admin_view(self.credit_note_view),
                name="billing_invoice_credit_note",
            ),
            path("<int:pk>/pdf/", self.admin_site.admin_view(self.pdf_view), name="billing_invoice_pdf"),
            path(
                "<int:pk>/evasion/",
                self.admin_site.admin_view(self.evasion_view),
                name="billing_invoice_evasion",
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
        extra_context = {
            **(extra_context or {}),
            "can_credit": self.has_credit_permission(request),
            "can_evasion": self.has_evasion_permission(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    # ----------------------------------------------------------------- PDF (BIL-18)

    def pdf_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        invoice = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, invoice):
            return HttpResponseRedirect(reverse("admin:index"))
        response = HttpResponse(documents.invoice_pdf(invoice), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{documents.invoice_pdf_filename(invoice)}"'
        return response

    # ----------------------------------------------------------------- credit notes (BIL-2)

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
                add_domain_error(form, error)
            else:
                messages.success(
                    request,
                    gettext("크레딧 노트 {number}를 발행했습니다 ({total}).").format(
                        number=note.number, total=formatting.won(note.total_won)
                    ),
                )
                return HttpResponseRedirect(here)
        return form_page(
            self,
            request,
            title=gettext("크레딧 노트 발행: {number}").format(number=invoice.number),
            form=form,
            obj=invoice,
            creditable=notes.creditable_amount(invoice),
        )

    @admin.action(description=_("크레딧 노트 발행 (한 건 선택)"), permissions=["credit"])
    def credit_note_action(self, request: HttpRequest, queryset: QuerySet[Invoice]) -> HttpResponse | None:
        if queryset.count() != 1:
            messages.warning(request, gettext("크레딧 노트는 청구서 한 건씩 발행합니다. 한 건만 선택하세요."))
            return None
        invoice = queryset.get()
        return HttpResponseRedirect(reverse("admin:billing_invoice_credit_note", args=[invoice.pk]))

    # ----------------------------------------------------------------- evasion charge (BIL-20)

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
                add_domain_error(form, error)
            else:
                messages.success(
                    request,
                    gettext("요금 면탈 청구서 {number} ({total})를 발행했습니다.").format(
                        number=charged.number, total=formatting.won(charged.total_won)
                    ),
                )
                return HttpResponseRedirect(reverse("admin:billing_invoice_change", args=[charged.pk]))
        return form_page(self, request, title=gettext("요금 면탈 청구 (BIL-20)"), form=form, obj=invoice)

    # ----------------------------------------------------------------- export

    @admin.action(description=_("CSV로 내보내기"), permissions=["view"])
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
                self._late_won(i),
                self._due_won(i),
                self._open_won(i),
                i.get_status_display(),
            ]
            for i in queryset.select_related("customer")
        ]
        return csv_response("invoices.csv", header, rows)


class DebitNoteForm(forms.Form):
    reason = forms.CharField(label=_("취소 사유"), widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(CreditNote)
class CreditNoteAdmin(ReadOnlyAdminMixin, NoRevertHistoryAdmin):
    list_display = (
        "number",
        "kind",
        "customer",
        "invoice",
        "reason",
        "issued_on",
        "supply",
        "vat",
        "total",
        "reverses",
    )
    supply = won_column("supply_won", _("공급가액"))
    vat = won_column("vat_won", _("부가세"))
    total = won_column("total_won", _("합계"))
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
