"""Back office: payments (BIL-7) and payment methods.

Staff record money received through ``payments.payment_record``; a payment is never edited or deleted
afterwards. Every payment shows where it went: the invoices its ledger rows were posted to and what
became credit (``payment_allocations``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import clock, formatting
from core.admin_counts import LargeListMixin
from core.adminkit import NoRevertHistoryAdmin, PersonalDataAdminMixin, csv_response, show_error, won_column
from core.audit import acting_as
from core.errors import DomainError
from core.fields import BusinessDateFormField, WonFormField

from ..models import Payment, PaymentMethod
from ..selectors import PaymentAllocation, payment_allocations, with_allocations
from ..services import payments


class PaymentRecordForm(forms.ModelForm):
    """Staff record money received (BIL-7); saved through ``payments.payment_record``."""

    amount_won = WonFormField(label=_("금액"), min_won=1)
    received_on = BusinessDateFormField(label=_("입금일"), not_after_today=True)

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


def _allocation_text(row: PaymentAllocation) -> str:
    if row.invoice is None:
        return gettext("크레딧 잔액 {amount}").format(amount=formatting.won(row.amount_won))
    return f"{row.invoice.number} {formatting.won(row.amount_won)}"


@admin.register(Payment)
class PaymentAdmin(LargeListMixin, PersonalDataAdminMixin, NoRevertHistoryAdmin):
    # The key columns first, the list within 1,366 px (issue 15); the rest is on the payment's page.
    list_display = (
        "received_on",
        "customer",
        "amount",
        "status",
        "method",
        "invoice",
        "allocated_to",
        "payer_name",
    )
    amount = won_column("amount_won", _("금액"))
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
    readonly_fields = ("allocations",)
    actions = ("export_csv",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Payment]:
        return with_allocations(super().get_queryset(request))

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = PaymentRecordForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return PaymentRecordForm.Meta.fields
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if obj is None else self.readonly_fields

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("배분된 청구서"))
    def allocated_to(self, obj: Payment) -> str:
        """The list's short form: the invoices (and credit) the payment went to."""
        return ", ".join(_allocation_text(row) for row in payment_allocations(obj).rows) or "—"

    @admin.display(description=_("배분 내역 (원장)"))
    def allocations(self, obj: Payment) -> str:
        """Where the payment went (BIL-7): each invoice with the amount posted to it, then credit."""
        rows = payment_allocations(obj).rows
        if not rows:
            return gettext("원장에 반영되지 않았습니다.")
        return format_html(
            '<ul class="payment-allocations">{}</ul>',
            format_html_join(
                "",
                "<li>{}</li>",
                (
                    (
                        format_html(
                            '<a href="{}">{}</a> {}',
                            reverse("admin:billing_invoice_change", args=[row.invoice.pk]),
                            row.invoice.number,
                            formatting.won(row.amount_won),
                        )
                        if row.invoice is not None
                        else _allocation_text(row),
                    )
                    for row in rows
                ),
            ),
        )

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().add_view(request, form_url, extra_context)
        except DomainError as error:
            show_error(request, error)
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

    @admin.action(description=_("CSV로 내보내기"), permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Payment]) -> HttpResponse:
        header = [
            "입금일",
            "고객",
            "결제 방법",
            "금액",
            "상태",
            "청구서",
            "배분된 청구서",
            "입금자명",
            "거래 참조",
        ]
        rows = [
            [
                p.received_on,
                p.customer.legal_name,
                p.get_method_display(),
                p.amount_won,
                p.get_status_display(),
                p.invoice.number if p.invoice else "",
                self.allocated_to(p),
                p.payer_name,
                p.reference,
            ]
            for p in queryset.select_related("customer", "invoice")
        ]
        return csv_response("payments.csv", header, rows)


@admin.register(PaymentMethod)
class PaymentMethodAdmin(PersonalDataAdminMixin, NoRevertHistoryAdmin):
    list_display = ("customer", "kind", "label", "is_default", "active", "created_at")
    list_filter = ("kind", "is_default", "active")
    search_fields = ("customer__legal_name", "customer__business_number", "label")
    list_select_related = ("customer",)
    autocomplete_fields = ("customer",)
    readonly_fields = ("gateway_token",)
    actions = ("remove_methods",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # payments refer to it: deactivate instead

    @admin.action(description=_("결제 수단 삭제 (카드는 결제대행사 빌링키도 삭제)"), permissions=["change"])
    def remove_methods(self, request: HttpRequest, queryset: QuerySet[PaymentMethod]) -> None:
        for method in queryset.select_related("customer"):
            try:
                with acting_as(request.user):
                    payments.payment_method_remove(method=method, reason="removed by staff")
            except DomainError as error:
                messages.error(request, f"{method}: {error.message}")
            else:
                messages.success(request, gettext("결제 수단을 삭제했습니다: {method}").format(method=method))
