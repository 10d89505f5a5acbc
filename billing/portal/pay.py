"""Customer portal: pay an open invoice from its page (BIL-7), as the dunning notice promises.

Two ways, both for customer admins (ACC-4, like the API's ``POST /payments/``), both confirmed first:

* **pay now** with the customer's default card or CMS method: a confirmation page names the amount and
  the method, its POST calls ``collection.invoice_charge_now`` (the job's claim → gateway → outcome
  discipline) with the idempotency key the confirmation page carried, so a double click charges once;
* **bank-transfer notice** (입금 통보): the customer says it sent a transfer;
  ``payments.transfer_notice_record`` keeps it as a pending payment until the bank statement shows
  the deposit.

Refusals are shown in plain words (no rule ids on customer pages).
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Member
from accounts.portal.auth import admin_member_required, request_member
from contracts.portal import display
from core import clock, formatting
from core.errors import DomainError
from core.fields import BusinessDateFormField, WonFormField

from .. import selectors
from ..models import Invoice, Payment, PaymentMethod
from ..services import collection, payments

SECTION = "invoices"


def customer_text(error: DomainError) -> str:
    """A service's refusal as a customer reads it: without the rule id (``display.error_text``)."""
    return display.error_text(error)


def charge_method(member: Member) -> PaymentMethod | None:
    """The method "pay now" charges: the customer's default method when it is a card or CMS already
    authorised at the payment gateway (it has the gateway's token; BIL-7)."""
    return (
        selectors.customer_payment_methods(member.customer)
        .filter(is_default=True, kind__in=collection.AUTO_METHODS)
        .exclude(gateway_token="")
        .first()
    )


def payable(invoice: Invoice) -> bool:
    """An issued invoice with something still open can be paid from its page."""
    return invoice.status == Invoice.Status.ISSUED and int(getattr(invoice, "open_won", 0) or 0) > 0


def _invoice(request: HttpRequest, pk: int) -> Invoice:
    customer = request_member(request).customer
    return get_object_or_404(selectors.customer_invoices(customer), pk=pk)


class PayConfirmForm(forms.Form):
    idempotency_key = forms.CharField(max_length=100, widget=forms.HiddenInput)


class TransferNoticeForm(forms.Form):
    amount_won = WonFormField(label=gettext_lazy("입금액 (원)"), min_value=1)
    transferred_on = BusinessDateFormField(
        label=gettext_lazy("입금일"), widget=forms.DateInput(attrs={"type": "date"})
    )
    payer_name = forms.CharField(
        label=gettext_lazy("입금자명"),
        max_length=100,
        help_text=gettext_lazy("통장에 찍힌 이름을 적어 주세요. 입금 확인이 빨라집니다."),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("위 금액을 입금했음을 확인합니다."),
        error_messages={"required": gettext_lazy("입금했음을 확인해 주세요.")},
    )
    idempotency_key = forms.CharField(max_length=100, widget=forms.HiddenInput)

    def clean_transferred_on(self) -> Any:
        day = self.cleaned_data["transferred_on"]
        if day > clock.today():
            raise forms.ValidationError(_("입금일은 오늘 이후일 수 없습니다."))
        return day


def _not_payable(request: HttpRequest, invoice: Invoice) -> HttpResponse:
    messages.info(request, _("이 청구서에는 낼 금액이 없습니다."))
    return redirect("portal:invoice_detail", pk=invoice.pk)


@admin_member_required
def invoice_pay(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the confirmation (amount, method); POST: charge the default card/CMS now (BIL-7)."""
    member = request_member(request)
    invoice = _invoice(request, pk)
    method = charge_method(member)
    if not payable(invoice):
        return _not_payable(request, invoice)
    if method is None:
        messages.error(
            request,
            _(
                "즉시 결제에 쓸 카드나 CMS(결제대행사 인증 완료)가 기본 결제 수단으로 등록되어 있지 "
                "않습니다. 결제 수단을 먼저 등록해 주세요."
            ),
        )
        return redirect("portal:invoice_detail", pk=invoice.pk)
    if request.method == "POST":
        form = PayConfirmForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("결제 확인 정보가 없습니다. 다시 시도해 주세요."))
            return redirect("portal:invoice_pay", pk=invoice.pk)
        try:
            payment = collection.invoice_charge_now(
                invoice=invoice,
                kind=method.kind,
                idempotency_key=f"portal-pay:{invoice.pk}:{form.cleaned_data['idempotency_key']}",
                today=clock.today(),
            )
        except DomainError as error:
            messages.error(request, customer_text(error))
            return redirect("portal:invoice_detail", pk=invoice.pk)
        if payment.status == Payment.Status.SUCCEEDED:
            messages.success(
                request,
                _("{amount}을(를) {method}(으)로 결제했습니다.").format(
                    amount=formatting.won(payment.amount_won), method=method.get_kind_display()
                ),
            )
        elif payment.status == Payment.Status.FAILED:
            messages.error(
                request,
                _("결제가 거절되었습니다: {reason}. 다른 결제 수단을 쓰거나 카드사에 문의해 주세요.").format(
                    reason=payment.failure_reason or _("사유 미상")
                ),
            )
        else:
            messages.warning(
                request,
                _(
                    "결제 결과를 아직 받지 못했습니다. 잠시 후 이 청구서에서 결과를 확인해 주세요. "
                    "다시 결제하지 않아도 됩니다."
                ),
            )
        return redirect("portal:invoice_detail", pk=invoice.pk)
    return render(
        request,
        "billing/portal/invoice_pay.html",
        {
            "section": SECTION,
            "invoice": invoice,
            "method": method,
            "form": PayConfirmForm(initial={"idempotency_key": uuid.uuid4().hex}),
        },
    )


@admin_member_required
def invoice_transfer_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the notice form (the open amount filled in); POST: record the notice (BIL-7)."""
    member = request_member(request)
    invoice = _invoice(request, pk)
    if not payable(invoice):
        return _not_payable(request, invoice)
    if request.method == "POST":
        form = TransferNoticeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                payments.transfer_notice_record(
                    customer=member.customer,
                    invoice=invoice,
                    amount_won=data["amount_won"],
                    transferred_on=data["transferred_on"],
                    payer_name=data["payer_name"],
                    member=member,
                    idempotency_key=f"portal-notice:{invoice.pk}:{data['idempotency_key']}",
                )
            except DomainError as error:
                field = {"amount_won": "amount_won", "payer_name": "payer_name"}.get(error.field or "")
                form.add_error(field, customer_text(error))
            else:
                messages.success(
                    request,
                    _(
                        "입금 통보를 접수했습니다: {amount}, {day}. "
                        "은행 입금이 확인되면 청구서에 반영됩니다."
                    ).format(
                        amount=formatting.won(data["amount_won"]), day=formatting.day(data["transferred_on"])
                    ),
                )
                return redirect("portal:invoice_detail", pk=invoice.pk)
        status = 400
    else:
        form = TransferNoticeForm(
            initial={
                "amount_won": int(invoice.open_won),  # type: ignore[attr-defined]
                "transferred_on": clock.today(),
                "payer_name": member.customer.legal_name,
                "idempotency_key": uuid.uuid4().hex,
            }
        )
        status = 200
    return render(
        request,
        "billing/portal/transfer_notice.html",
        {"section": SECTION, "invoice": invoice, "form": form},
        status=status,
    )
