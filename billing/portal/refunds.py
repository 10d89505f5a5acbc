"""Customer portal: overpayment refunds (BIL-11). Members see the credit, what is refundable and the
refunds; customer admins (ACC-4) request one through ``refunds.refund_request``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Member
from accounts.portal.auth import admin_member_required, member_required, request_member
from contracts.portal import display
from core import clock, formatting
from core.errors import DomainError
from core.fields import WonFormField

from ..selectors import customer_refunds
from ..services import ledger, refunds

SECTION = "invoices"
PAGE_SIZE = 50


class RefundForm(forms.Form):
    amount_won = WonFormField(label=gettext_lazy("환불 요청액 (원)"), min_value=1)
    reason = forms.CharField(label=gettext_lazy("사유"), max_length=300)


def _refunds_page(request: HttpRequest, member: Member, form: RefundForm, status: int = 200) -> HttpResponse:
    customer = member.customer
    today = clock.today()
    return render(
        request,
        "billing/portal/refunds.html",
        {
            "section": SECTION,
            "refunds": list(customer_refunds(customer)[:PAGE_SIZE]),
            "form": form,
            "is_admin": member.is_admin,
            "credit_won": ledger.credit_available(customer),
            "refundable_won": refunds.refundable_amount(customer, today=today),
        },
        status=status,
    )


@member_required
def refund_list(request: HttpRequest) -> HttpResponse:
    member = request_member(request)
    return _refunds_page(request, member, RefundForm())


@admin_member_required
def refund_request_view(request: HttpRequest) -> HttpResponse:
    member = request_member(request)
    if request.method != "POST":
        return redirect("portal:refunds")
    form = RefundForm(request.POST)
    if form.is_valid():
        try:
            refund = refunds.refund_request(
                customer=member.customer,
                amount_won=form.cleaned_data["amount_won"],
                reason=form.cleaned_data["reason"],
                today=clock.today(),
                member=member,
            )
        except DomainError as error:
            display.add_customer_error(form, error)
        else:
            messages.success(
                request,
                _("환불을 요청했습니다: {amount} (미납액 공제 {deducted}).").format(
                    amount=formatting.won(refund.amount_won),
                    deducted=formatting.won(refund.arrears_deducted_won),
                ),
            )
            return redirect("portal:refunds")
    return _refunds_page(request, member, form, status=400)
