"""Customer portal: disputes of an invoice or a line (BIL-10).

Members see their customer's disputes; customer admins (ACC-4) file one through
``disputes.dispute_file``. A refusal is shown next to the field it names, with the rule's numbers (the
dispute window's closing date).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Member
from accounts.portal.auth import admin_member_required, member_required, request_member
from core import clock, formatting
from core.errors import DomainError
from core.fields import BusinessDateFormField, WonFormField

from ..models import Invoice, InvoiceLine
from ..selectors import (
    Disputable,
    customer_disputes,
    disputable_invoices,
    dispute_answer_citations,
    dispute_rule_citations,
)
from ..services import disputes
from .pay import customer_text

SECTION = "invoices"
PAGE_SIZE = 50


class InvoiceChoiceForm(forms.Form):
    """Step 1: which invoice (only those whose dispute window is still open, BIL-10)."""

    invoice = forms.ModelChoiceField(
        label=gettext_lazy("청구서"),
        queryset=Invoice.objects.none(),
        empty_label=gettext_lazy("청구서를 고르세요"),
    )

    def __init__(self, *args: Any, choices: list[Disputable], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        closes = {d.invoice.pk: d.closes_on for d in choices}
        field = self.fields["invoice"]
        field.queryset = Invoice.objects.filter(pk__in=closes).order_by(  # type: ignore[attr-defined]
            "-issue_date", "-number"
        )
        field.label_from_instance = lambda invoice: _invoice_label(invoice, closes.get(invoice.pk))  # type: ignore[attr-defined]


def _invoice_label(invoice: Invoice, closes_on: Any) -> str:
    period, total = formatting.month(invoice.period_start), formatting.won(invoice.total_won)
    text = f"{invoice.number} · {period} · {total}"
    if closes_on is not None:
        text += " · " + _("{day}까지 신청 가능").format(day=formatting.day(closes_on))
    return text


class DisputeForm(InvoiceChoiceForm):
    """Step 2: the chosen invoice's lines only, the amount and the reason."""

    line = forms.ModelChoiceField(
        label=gettext_lazy("청구 항목"),
        queryset=InvoiceLine.objects.none(),
        required=False,
        empty_label=gettext_lazy("청구서 전체"),
        help_text=gettext_lazy("비워 두면 청구서 전체에 대한 이의신청입니다."),
    )
    amount_won = WonFormField(
        label=gettext_lazy("이의 금액 (원)"),
        min_value=1,
        help_text=gettext_lazy("부가세 별도 청구서는 공급가액 기준"),
    )
    reason = forms.CharField(label=gettext_lazy("이의 사유"), widget=forms.Textarea(attrs={"rows": 4}))
    operator_erred = forms.BooleanField(label=gettext_lazy("회사의 과실로 인한 청구"), required=False)
    known_on = BusinessDateFormField(
        label=gettext_lazy("사유를 안 날"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    cause_on = BusinessDateFormField(
        label=gettext_lazy("사유가 발생한 날"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    # service field → form field, so a refusal lands next to what the customer typed
    FIELD_MAP = {"filed_on": "invoice", "line": "line", "invoice": "invoice", "amount_won": "amount_won"}

    def __init__(self, *args: Any, choices: list[Disputable], invoice: Invoice, **kwargs: Any) -> None:
        super().__init__(*args, choices=choices, **kwargs)
        self.fields["invoice"].widget = forms.HiddenInput()
        self.fields["line"].queryset = (  # type: ignore[attr-defined]
            InvoiceLine.objects.filter(invoice=invoice).order_by("position", "pk")
        )
        self.fields["line"].label_from_instance = (  # type: ignore[attr-defined]
            lambda line: f"{line.description} · {formatting.won(line.amount_won)}"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        line, invoice = data.get("line"), data.get("invoice")
        if line is not None and invoice is not None and line.invoice_id != invoice.pk:
            self.add_error("line", _("선택한 청구서의 항목이 아닙니다."))
        return data


def _disputes_page(
    request: HttpRequest,
    member: Member,
    *,
    choices: list[Disputable],
    form: DisputeForm | None = None,
    chosen: Invoice | None = None,
    status: int = 200,
) -> HttpResponse:
    today = clock.today()
    rows = list(customer_disputes(member.customer)[:PAGE_SIZE])
    for row in rows:  # the article its answer date comes from (TRM-1)
        row.answer_citations = dispute_answer_citations(row)  # type: ignore[attr-defined]
    return render(
        request,
        "billing/portal/disputes.html",
        {
            "section": SECTION,
            "disputes": rows,
            "rule_citations": dispute_rule_citations(member.customer),
            "choose_form": InvoiceChoiceForm(
                initial={"invoice": chosen.pk if chosen else None}, choices=choices
            ),
            "chosen": chosen,
            "form": form,
            "has_choices": bool(choices),
            "is_admin": member.is_admin,
            "today": today,
        },
        status=status,
    )


@member_required
def dispute_list(request: HttpRequest) -> HttpResponse:
    """The disputes and, for admins, the two-step form: ``?invoice=`` (step 1, a GET form that works
    without script) picks an invoice still inside its window; step 2 offers that invoice's lines."""
    member = request_member(request)
    choices = disputable_invoices(member.customer, clock.today())
    chosen = None
    form = None
    raw = request.GET.get("invoice", "")
    if raw.isdigit():
        chosen = next((d.invoice for d in choices if d.invoice.pk == int(raw)), None)
        if chosen is None:
            messages.warning(request, _("이 청구서는 이의신청 기간이 지났거나 이의신청할 수 없습니다."))
    if chosen is not None:
        initial: dict[str, Any] = {"invoice": chosen.pk}
        if request.GET.get("line", "").isdigit():
            initial["line"] = int(request.GET["line"])
        form = DisputeForm(choices=choices, invoice=chosen, initial=initial)
    return _disputes_page(request, member, choices=choices, form=form, chosen=chosen)


@admin_member_required
def dispute_file_view(request: HttpRequest) -> HttpResponse:
    member = request_member(request)
    if request.method != "POST":
        return redirect("portal:disputes")
    choices = disputable_invoices(member.customer, clock.today())
    chosen = None
    raw = request.POST.get("invoice", "")
    if raw.isdigit():
        chosen = next((d.invoice for d in choices if d.invoice.pk == int(raw)), None)
    if chosen is None:
        messages.error(request, _closed_text(member, raw))
        return _disputes_page(request, member, choices=choices, status=400)
    form = DisputeForm(request.POST, choices=choices, invoice=chosen)
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
            form.add_error(_form_field(form, error), customer_text(error))
        else:
            messages.success(
                request,
                _("이의신청을 접수했습니다. 답변 기한은 {date}입니다.").format(
                    date=formatting.day(dispute.answer_due_on)
                ),
            )
            return redirect("portal:disputes")
    return _disputes_page(request, member, choices=choices, form=form, chosen=chosen, status=400)


def _closed_text(member: Member, raw: str) -> str:
    """Why a posted invoice is not offered: its window closed on a day (the service's rule), or it is
    not one the customer may dispute at all."""
    own = Invoice.objects.filter(customer=member.customer).exclude(status=Invoice.Status.VOID)
    invoice = own.filter(pk=int(raw)).first() if raw.isdigit() else None
    closes_on = disputes.dispute_window_closes_on(invoice) if invoice is not None else None
    if invoice is None or closes_on is None:
        return _("이의신청 기간 안에 있는 청구서를 먼저 고르세요.")
    return _("청구서 {number}의 이의신청 기간은 {day}에 끝났습니다.").format(
        number=invoice.number, day=formatting.day(closes_on)
    )


def _form_field(form: DisputeForm, error: DomainError) -> str | None:
    """The form field a refusal belongs next to (the hidden invoice's errors show above the form)."""
    name = DisputeForm.FIELD_MAP.get(error.field or "", error.field or "")
    return name if name in form.fields and name != "invoice" else None
