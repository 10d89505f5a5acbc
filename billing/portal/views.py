"""Customer portal: invoices and their PDFs (BIL-18), payment status and history with where each
payment went (BIL-7), credit balance (BIL-17) and payment methods.

Reads go through :mod:`billing.selectors`, scoped to the member's customer (another
customer's invoice is a 404). Writes are for customer admins (ACC-4).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Member
from accounts.portal.auth import admin_member_required, member_required, request_member
from accounts.portal.cards import Card, register_card
from contracts.portal import display
from core import clock, formatting
from core.errors import DomainError

from .. import selectors
from ..models import Invoice, InvoiceLine, Payment, PaymentMethod
from ..selectors import payment_allocations
from ..services import documents, ledger, payments
from . import card_registration, pay

SECTION = "invoices"
PAGE_SIZE = 50


# --------------------------------------------------------------------------- home card


@register_card
def _billing_card(request: HttpRequest, member: Member) -> Card | None:
    """The home page's billing status: what is still owed, and when anything is overdue, an overdue badge
    with the days and the next dunning step and its date (DUN-2); otherwise the next due date still
    ahead (never a past one).

    Nothing when the billing pages are not routed (the card is registered process-wide on import)."""
    try:
        url = reverse("portal:invoices")
    except NoReverseMatch:
        return None
    today = clock.today()
    amounts = selectors.open_amounts(member.customer, today)
    total = amounts.open_won
    overdue = selectors.customer_overdue(member.customer, today)
    body: Any
    due_text = _due_text(amounts.total_won, amounts.late_won, amounts.due_won)
    if overdue is not None:
        # The title is the badge the home page also shows next to the customer's status (issue 15).
        body = overdue_text(overdue.worst, with_days=False) + " · " + due_text
        return Card(
            title=_("연체 {days}일").format(days=formatting.number(overdue.worst.days_overdue)),
            value=formatting.won(total),
            body=body,
            url=reverse("portal:dunning_status"),
            link_text=gettext_lazy("연체 현황과 결제"),
            order=5,
            tone="danger",
        )
    if total <= 0:
        body = gettext_lazy("미납 청구서가 없습니다.")
        tone = ""
    else:
        due = amounts.upcoming_due
        body = _("다음 납기일 {date}").format(date=formatting.day(due)) if due else ""
        body = (body + " · " if body else "") + due_text
        tone = "warning"
    return Card(
        title=gettext_lazy("미납 금액"),
        value=formatting.won(total),
        body=body,
        url=url,
        link_text=gettext_lazy("청구서 보기"),
        order=20,
        tone=tone,
    )


def overdue_text(state: selectors.OverdueState, *, with_days: bool = True) -> str:
    """ "연체 6일 (납기일 2026-11-14) · 다음 조치: 이용 정지 (2026-12-01)" — the card's words (DUN-2)."""
    if with_days:
        text = _("연체 {days}일 (납기일 {due})").format(
            days=formatting.number(state.days_overdue), due=formatting.day(state.due_date)
        )
    else:
        text = _("납기일 {due}").format(due=formatting.day(state.due_date))
    if state.next_step is not None:
        text += " · " + _("다음 조치: {step} ({date})").format(
            step=state.next_label, date=formatting.day(state.next_on)
        )
    return text


def _due_text(total_won: int, late_won: int, due_won: int) -> str:
    """The amount due as "청구 금액 X원", plus "(합계 Y원 + 연체료·가산금 Z원)" with late charges."""
    text = _("청구 금액 {due}").format(due=formatting.won(due_won))
    if late_won:
        text += " " + _("(합계 {total} + 연체료·가산금 {late})").format(
            total=formatting.won(total_won), late=formatting.won(late_won)
        )
    return text


# --------------------------------------------------------------------------- invoices


class InvoiceFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("상태"),
        required=False,
        choices=[("", gettext_lazy("전체")), *Invoice.Status.choices],
    )
    year = forms.IntegerField(label=gettext_lazy("연도"), required=False, min_value=2000, max_value=2100)


@member_required
def invoice_list(request: HttpRequest) -> HttpResponse:
    member = request_member(request)
    customer = member.customer
    today = clock.today()
    rows = selectors.customer_invoices(customer)
    filters = InvoiceFilterForm(request.GET or None)
    if filters.is_valid():
        if filters.cleaned_data.get("status"):
            rows = rows.filter(status=filters.cleaned_data["status"])
        if filters.cleaned_data.get("year"):
            rows = rows.filter(period_start__year=filters.cleaned_data["year"])
    amounts = selectors.open_amounts(customer, today)
    invoices = list(rows[:PAGE_SIZE])
    states = selectors.overdue_states(invoices, today)
    for invoice in invoices:
        invoice.overdue = states.get(invoice.pk)  # type: ignore[attr-defined]
    return render(
        request,
        "billing/portal/invoices.html",
        {
            "section": SECTION,
            "invoices": invoices,
            "filters": filters,
            "open_total": amounts.open_won,
            "open_due_total": amounts.due_won,
            "open_late_total": amounts.late_won,
            "next_due": amounts.upcoming_due,
            "overdue": selectors.customer_overdue(customer, today),
            "credit_won": ledger.credit_available(customer),
            "is_admin": member.is_admin,
        },
    )


@member_required
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = request_member(request)
    customer = member.customer
    invoice = get_object_or_404(selectors.customer_invoice_detail(customer), pk=pk)
    lines = list(invoice.lines.all())
    late = InvoiceLine.Kind.LATE_CHARGE
    invoice_payments = list(selectors.customer_payments(customer).filter(invoice=invoice))
    return render(
        request,
        "billing/portal/invoice_detail.html",
        {
            "section": SECTION,
            "invoice": invoice,
            # Late charges are not part of supply/VAT/total (BIL-9): listed under the total.
            "lines": [line for line in lines if line.kind != late],
            "late_lines": [line for line in lines if line.kind == late],
            "payments": invoice_payments,
            "pending_notices": [
                p
                for p in invoice_payments
                if p.status == Payment.Status.PENDING and p.method == Payment.Method.BANK_TRANSFER
            ],
            "credit_notes": list(selectors.customer_credit_notes(customer).filter(invoice=invoice)),
            "settled_won": invoice.due_won - invoice.open_won,  # type: ignore[attr-defined]
            "overdue": selectors.invoice_overdue_state(invoice, clock.today()),
            "payable": pay.payable(invoice),
            "charge_method": pay.charge_method(member),
            "is_admin": member.is_admin,
        },
    )


@member_required
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """BIL-18: the invoice PDF, only for the member's own customer (others: 404)."""
    customer = request_member(request).customer
    invoice = get_object_or_404(selectors.customer_invoice_detail(customer), pk=pk)
    response = HttpResponse(documents.invoice_pdf(invoice), content_type="application/pdf")
    disposition = "inline" if request.GET.get("inline") else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{documents.invoice_pdf_filename(invoice)}"'
    return response


# --------------------------------------------------------------------------- payments and credit


@member_required
def payment_list(request: HttpRequest) -> HttpResponse:
    member = request_member(request)
    customer = member.customer
    amounts = selectors.open_amounts(customer, clock.today())
    total = amounts.open_won
    return render(
        request,
        "billing/portal/payments.html",
        {
            "section": SECTION,
            # Where each payment went (BIL-7): the invoices it was posted to, then what became credit.
            "payments": [
                (payment, payment_allocations(payment).rows)
                for payment in selectors.customer_payments(customer)[:PAGE_SIZE]
            ],
            "credit_notes": list(selectors.customer_credit_notes(customer)[:PAGE_SIZE]),
            "open_invoices": list(
                selectors.customer_invoices(customer).filter(status=Invoice.Status.ISSUED, open_won__gt=0)  # type: ignore[misc]
            ),
            "open_total": total,
            "open_due_total": amounts.due_won,
            "next_due": amounts.upcoming_due,
            "overdue": selectors.customer_overdue(customer, clock.today()),
            "credit_won": ledger.credit_available(customer),
        },
    )


# --------------------------------------------------------------------------- payment methods


class MethodAddForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("결제 수단"), choices=PaymentMethod.Kind.choices)
    label = forms.CharField(
        label=gettext_lazy("표시 이름"),
        max_length=100,
        help_text=gettext_lazy(
            "예: 국민은행 ****1234, 카드 ****5678. 카드·CMS 인증은 결제대행사 연동 후 진행됩니다."
        ),
    )
    make_default = forms.BooleanField(label=gettext_lazy("기본 결제 수단으로"), required=False)


def _method_form(data: Any = None) -> MethodAddForm:
    """The add form; with PortOne a card is registered through PortOne's window, not typed in here."""
    form = MethodAddForm(data)
    if card_registration.portone_browser_config() is not None:
        field = form.fields["kind"]
        field.choices = [c for c in PaymentMethod.Kind.choices if c[0] != PaymentMethod.Kind.CARD]  # type: ignore[attr-defined]
    return form


def _methods_page(
    request: HttpRequest, member: Member, form: MethodAddForm, *, status: int = 200
) -> HttpResponse:
    context = {
        "section": SECTION,
        "methods": list(selectors.customer_payment_methods(member.customer)),
        "is_admin": member.is_admin,
        "form": form,
        **card_registration.page_context(member),
    }
    response = render(request, "billing/portal/methods.html", context, status=status)
    if context["portone"] is not None and member.is_admin:
        card_registration.csp_for_portone(response)
    return response


@member_required
def payment_methods(request: HttpRequest) -> HttpResponse:
    member = request_member(request)
    return _methods_page(request, member, _method_form())


@require_POST
@admin_member_required
def payment_method_add_view(request: HttpRequest) -> HttpResponse:
    member = request_member(request)
    form = _method_form(request.POST)
    if not form.is_valid():
        return _methods_page(request, member, form, status=400)
    try:
        method = payments.payment_method_add(
            customer=member.customer,
            kind=form.cleaned_data["kind"],
            label=form.cleaned_data["label"],
            make_default=form.cleaned_data["make_default"],
        )
    except DomainError as exc:
        display.add_customer_error(form, exc)
        return _methods_page(request, member, form, status=400)
    messages.success(request, _("결제 수단을 등록했습니다: {method}").format(method=method))
    return redirect("portal:payment_methods")


@require_POST
@admin_member_required
def payment_method_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    """ "삭제": the method is retired; a card's billing key is deleted at the PG first (BIL-7)."""
    member = request_member(request)
    method = get_object_or_404(selectors.customer_payment_methods(member.customer), pk=pk)
    try:
        payments.payment_method_remove(method=method, reason="removed by the customer")
    except DomainError as exc:
        messages.error(request, display.error_text(exc))
    else:
        messages.success(request, _("결제 수단을 삭제했습니다: {method}").format(method=method))
    return redirect("portal:payment_methods")


@require_POST
@admin_member_required
def payment_method_default(request: HttpRequest, pk: int) -> HttpResponse:
    member = request_member(request)
    method = get_object_or_404(selectors.customer_payment_methods(member.customer), pk=pk)
    try:
        payments.payment_method_set_default(method=method)
    except DomainError as exc:
        messages.error(request, display.error_text(exc))
    else:
        messages.success(request, _("기본 결제 수단을 바꿨습니다: {method}").format(method=method))
    return redirect("portal:payment_methods")
