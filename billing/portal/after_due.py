"""Customer portal after the due date (SPEC §11): disputes (BIL-10), overpayment refunds (BIL-11) and the
dunning status of overdue invoices (DUN-2). Included by ``billing/portal/urls.py`` under "portal".

Reads start from the member's customer (another customer's row is a 404); writes are for customer admins
(ACC-4) and call the services (``disputes.dispute_file``, ``refunds.refund_request``). A refusal is shown
next to the field it names, with the rule and its numbers (the dispute window's closing date).

The selectors at the top (:func:`dunning_rows`) are shared with the API.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import BigIntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Customer, Member
from accounts.portal.auth import admin_member_required, member_required, request_member
from core import clock
from core.errors import DomainError

from ..models import Dispute, DunningCase, DunningStep, Invoice, InvoiceLine, LedgerEntry, Refund
from ..services import disputes, ledger, refunds

SECTION = "invoices"
PAGE_SIZE = 50
OPEN_CASE_STATUSES = (DunningCase.Status.OPEN, DunningCase.Status.PAUSED)


# --------------------------------------------------------------------------- selectors (portal and API)


@dataclass(frozen=True)
class NextStep:
    action: str
    on: dt.date | None


@dataclass(frozen=True)
class DunningRow:
    case: DunningCase
    invoice: Invoice
    open_won: int
    overdue_won: int  # the open amount minus what open disputes hold (BIL-10)
    last_step: DunningStep | None
    next: NextStep | None
    paused_until: dt.date | None


def ladder(case: DunningCase, today: dt.date) -> Any:
    """``dunning.ladder_position`` for a case (the ladder's owner decides the next step and its date)."""
    from ..services import dunning

    return dunning.ladder_position(case=case, today=today)


def next_step(case: DunningCase, today: dt.date) -> NextStep | None:
    """The case's next ladder step and the date it will run (DUN-2); None at the end of the ladder."""
    position = ladder(case, today)
    if position is None or not position.next_action:
        return None
    return NextStep(position.next_action, position.next_on)


def customer_dunning_cases(customer: Customer) -> QuerySet[DunningCase]:
    return (
        DunningCase.objects.filter(customer=customer, status__in=OPEN_CASE_STATUSES)
        .select_related("invoice", "invoice__policy", "customer")
        .prefetch_related("steps")
        .annotate(open_won=open_amount_subquery_for_case())
        .order_by("invoice__due_date", "pk")
    )


def open_amount_subquery_for_case() -> Coalesce:
    """Each case's invoice's open amount as one correlated subquery (no N+1)."""
    per_invoice = (
        LedgerEntry.objects.filter(invoice=OuterRef("invoice_id"))
        .order_by()
        .values("invoice")
        .annotate(total=Sum("amount_won"))
        .values("total")
    )
    return Coalesce(Subquery(per_invoice, output_field=BigIntegerField()), Value(0))


def dunning_rows(customer: Customer, today: dt.date) -> list[DunningRow]:
    """The customer's open dunning cases: invoice, amount still owed, the last step and the next (DUN-2)."""
    rows = []
    for case in customer_dunning_cases(customer):
        steps = sorted(case.steps.all(), key=lambda s: s.index)
        position = ladder(case, today)
        upcoming = None
        if position is not None and position.next_action:
            upcoming = NextStep(position.next_action, position.next_on)
        open_won = int(getattr(case, "open_won", 0) or 0)
        rows.append(
            DunningRow(
                case=case,
                invoice=case.invoice,
                open_won=open_won,
                overdue_won=int(position.overdue_won) if position is not None else open_won,
                last_step=steps[-1] if steps else None,
                next=upcoming,
                paused_until=position.paused_until if position is not None else None,
            )
        )
    return rows


def customer_disputes(customer: Customer) -> QuerySet[Dispute]:
    return (
        Dispute.objects.filter(customer=customer)
        .select_related("invoice", "line", "credit_note")
        .order_by("-filed_on", "-pk")
    )


def customer_refunds(customer: Customer) -> QuerySet[Refund]:
    return (
        Refund.objects.filter(customer=customer).select_related("contract").order_by("-requested_on", "-pk")
    )


# --------------------------------------------------------------------------- disputes (BIL-10)


class DisputeForm(forms.Form):
    invoice = forms.ModelChoiceField(label=gettext_lazy("청구서"), queryset=Invoice.objects.none())
    line = forms.ModelChoiceField(
        label=gettext_lazy("청구 항목"),
        queryset=InvoiceLine.objects.none(),
        required=False,
        help_text=gettext_lazy("비워 두면 청구서 전체에 대한 이의신청입니다."),
    )
    amount_won = forms.IntegerField(
        label=gettext_lazy("이의 금액 (원)"),
        min_value=1,
        help_text=gettext_lazy("부가세 별도 청구서는 공급가액 기준"),
    )
    reason = forms.CharField(label=gettext_lazy("이의 사유"), widget=forms.Textarea(attrs={"rows": 4}))
    operator_erred = forms.BooleanField(label=gettext_lazy("회사의 과실로 인한 청구"), required=False)
    known_on = forms.DateField(
        label=gettext_lazy("사유를 안 날"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    cause_on = forms.DateField(
        label=gettext_lazy("사유가 발생한 날"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    # service field → form field, so a refusal lands next to what the customer typed
    FIELD_MAP = {"filed_on": "invoice", "line": "line", "invoice": "invoice", "amount_won": "amount_won"}

    def __init__(self, *args: Any, customer: Customer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["invoice"].queryset = Invoice.objects.filter(  # type: ignore[attr-defined]
            customer=customer
        ).order_by("-issue_date", "-number")
        self.fields["line"].queryset = InvoiceLine.objects.filter(  # type: ignore[attr-defined]
            invoice__customer=customer
        ).select_related("invoice")
        self.fields["line"].label_from_instance = (  # type: ignore[attr-defined]
            lambda line: f"{line.invoice.number} · {line.description} · {line.amount_won:,}원"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        line, invoice = data.get("line"), data.get("invoice")
        if line is not None and invoice is not None and line.invoice_id != invoice.pk:
            self.add_error("line", _("선택한 청구서의 항목이 아닙니다."))
        return data

    def add_domain_error(self, error: DomainError) -> None:
        name = self.FIELD_MAP.get(error.field or "", error.field)
        self.add_error(name if name in self.fields else None, error.message)


def _disputes_page(
    request: HttpRequest, member: Member, form: DisputeForm, status: int = 200
) -> HttpResponse:
    today = clock.today()
    rows = list(customer_disputes(member.customer)[:PAGE_SIZE])
    return render(
        request,
        "billing/after_due/disputes.html",
        {
            "section": SECTION,
            "disputes": rows,
            "form": form,
            "is_admin": member.is_admin,
            "today": today,
        },
        status=status,
    )


@member_required
def dispute_list(request: HttpRequest) -> HttpResponse:
    member = request_member(request)
    initial = {}
    if request.GET.get("invoice", "").isdigit():
        initial["invoice"] = int(request.GET["invoice"])
    if request.GET.get("line", "").isdigit():
        initial["line"] = int(request.GET["line"])
    return _disputes_page(request, member, DisputeForm(customer=member.customer, initial=initial))


@admin_member_required
def dispute_file_view(request: HttpRequest) -> HttpResponse:
    member = request_member(request)
    if request.method != "POST":
        return redirect("portal:disputes")
    form = DisputeForm(request.POST, customer=member.customer)
    if form.is_valid():
        data = form.cleaned_data
        try:
            dispute = disputes.dispute_file(
                invoice=data["invoice"],
                line=data.get("line"),
                amount_won=data["amount_won"],
                reason=data["reason"],
                today=clock.today(),
                member=member,
                operator_erred=bool(data.get("operator_erred")),
                known_on=data.get("known_on"),
                cause_on=data.get("cause_on"),
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(
                request,
                _("이의신청을 접수했습니다. 답변 기한은 {date}입니다.").format(
                    date=dispute.answer_due_on.isoformat()
                ),
            )
            return redirect("portal:disputes")
    return _disputes_page(request, member, form, status=400)


# --------------------------------------------------------------------------- refunds (BIL-11)


class RefundForm(forms.Form):
    amount_won = forms.IntegerField(label=gettext_lazy("환불 요청액 (원)"), min_value=1)
    reason = forms.CharField(label=gettext_lazy("사유"), max_length=300)


def _refunds_page(request: HttpRequest, member: Member, form: RefundForm, status: int = 200) -> HttpResponse:
    customer = member.customer
    today = clock.today()
    return render(
        request,
        "billing/after_due/refunds.html",
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
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                _("환불을 요청했습니다: {amount}원 (미납액 공제 {deducted}원).").format(
                    amount=f"{refund.amount_won:,}", deducted=f"{refund.arrears_deducted_won:,}"
                ),
            )
            return redirect("portal:refunds")
    return _refunds_page(request, member, form, status=400)


# --------------------------------------------------------------------------- dunning status (DUN-2)


@member_required
def dunning_status(request: HttpRequest) -> HttpResponse:
    member = request_member(request)
    return render(
        request,
        "billing/after_due/dunning.html",
        {"section": SECTION, "rows": dunning_rows(member.customer, clock.today())},
    )


urlpatterns = [
    path("disputes/", dispute_list, name="disputes"),
    path("disputes/file/", dispute_file_view, name="dispute_file"),
    path("refunds/", refund_list, name="refunds"),
    path("refunds/request/", refund_request_view, name="refund_request"),
    path("overdue/", dunning_status, name="dunning_status"),
]
