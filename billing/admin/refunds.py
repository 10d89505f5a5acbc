"""Back office: refunds (BIL-11, BIL-12..15) and the final settlements of ended contracts (BIL-12..16).

A refund is requested through the portal, the API, the settlement job or here (``refunds.refund_request``);
"지급 완료" calls ``refunds.refund_pay`` (which posts the ledger movement), "카드로 환불"
``refunds.refund_pay_card`` (the money goes back to the card payments through the PG, then the same
ledger movement), "취소" ``refunds.refund_cancel``.
Settlements are read-only, with their lines.
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

from accounts.models import Customer
from core import clock, formatting
from core.adminkit import ReadOnlyAdminMixin, StatusTransitionInline, form_page, run_action_form, won_column
from core.audit import acting_as
from core.errors import DomainError
from core.fields import WonFormField
from core.forms import add_domain_error

from ..models import CardRefund, Refund, Settlement
from ..services import refunds


def _won(value: Any) -> str:
    return formatting.won(int(value or 0))


class RefundCancelForm(forms.Form):
    reason = forms.CharField(label=_("취소 사유"), widget=forms.Textarea(attrs={"rows": 3}))


class RefundRequestAdminForm(forms.Form):
    customer = forms.ModelChoiceField(label=_("고객"), queryset=Customer.objects.none())
    amount_won = WonFormField(label=_("환불 요청액 (원)"), min_value=1)
    reason = forms.CharField(label=_("사유"), max_length=300)
    operator_caused = forms.BooleanField(label=_("회사 귀책 (법정이자 가산, 000 art.18①)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.order_by("legal_name")  # type: ignore[attr-defined]


class CardRefundInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The parts of a refund sent back to card payments through the PG ("카드로 환불", issue 18)."""

    model = CardRefund
    fields = readonly_fields = ("payment", "amount", "status", "reference", "created_at")
    amount = won_column("amount_won", _("카드 환불액"))
    extra = 0
    max_num = 0
    can_delete = False


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Refunds (BIL-11, BIL-12..15): requested through the portal/API/settlement or here
    (``refunds.refund_request``); "지급 완료" → ``refunds.refund_pay`` posts the ledger movement."""

    inlines = (CardRefundInline, StatusTransitionInline)

    list_display = (
        "id",
        "customer",
        "amount",
        "interest",
        "arrears_deducted",
        "operator_caused",
        "status",
        "requested_on",
        "pay_by",
        "paid_on",
        "contract",
        "reason",
    )
    amount = won_column("amount_won", _("환불액"))
    interest = won_column("interest_won", _("법정 이자"))
    arrears_deducted = won_column("arrears_deducted_won", _("미납액 공제"))
    list_filter = ("status", "operator_caused", "requested_on", "pay_by")
    search_fields = ("customer__legal_name", "customer__business_number", "reason")
    list_select_related = ("customer", "contract")
    date_hierarchy = "requested_on"
    actions = ("mark_paid", "pay_to_card", "cancel_refunds")

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
                    gettext("환불 #{id} {amount}(이자 {interest})을 지급 완료로 기록했습니다.").format(
                        id=paid.pk, amount=_won(paid.amount_won), interest=_won(paid.interest_won)
                    ),
                )

    @admin.action(description=_("카드로 환불 (결제대행사 부분 취소, 원장 반영)"), permissions=["pay"])
    def pay_to_card(self, request: HttpRequest, queryset: QuerySet[Refund]) -> None:
        today = clock.today()
        for refund in queryset.select_related("customer"):
            try:
                paid = refunds.refund_pay_card(refund=refund, today=today, actor=request.user)
            except DomainError as error:
                messages.error(request, f"#{refund.pk}: {error.message}")
            else:
                messages.success(
                    request,
                    gettext("환불 #{id} {amount}(이자 {interest})을 카드로 환불했습니다.").format(
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
                add_domain_error(form, error)
            else:
                messages.success(
                    request,
                    gettext("환불 #{id} {amount}을 요청했습니다 (미납액 공제 {deducted}).").format(
                        id=refund.pk,
                        amount=_won(refund.amount_won),
                        deducted=_won(refund.arrears_deducted_won),
                    ),
                )
                return HttpResponseRedirect(changelist)
        return form_page(self, request, title=gettext("과납 환불 요청 (BIL-11)"), form=form)


# --------------------------------------------------------------------------- settlements (BIL-12..16)


@admin.register(Settlement)
class SettlementAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Final settlements of ended contracts, with their lines (read-only; issued by the settlement job)."""

    list_display = ("contract", "customer", "effective_on", "total", "invoice", "refund", "issued_on")
    total = won_column("total_won", _("정산 합계"))
    list_filter = ("effective_on", "issued_on")
    search_fields = (
        "contract__customer__legal_name",
        "contract__customer__business_number",
        "invoice__number",
    )
    list_select_related = ("contract", "contract__customer", "invoice", "refund")
    date_hierarchy = "issued_on"
    fields = ("contract", "effective_on", "issued_on", "total", "invoice", "refund", "lines_table")
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
