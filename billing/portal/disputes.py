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

from accounts.models import Customer, Member
from accounts.portal.auth import admin_member_required, member_required, request_member
from core import clock
from core.errors import DomainError
from core.fields import BusinessDateFormField, WonFormField
from core.forms import add_domain_error

from ..models import Invoice, InvoiceLine
from ..selectors import customer_disputes, dispute_answer_citations, dispute_rule_citations
from ..services import disputes

SECTION = "invoices"
PAGE_SIZE = 50


class DisputeForm(forms.Form):
    invoice = forms.ModelChoiceField(label=gettext_lazy("청구서"), queryset=Invoice.objects.none())
    line = forms.ModelChoiceField(
        label=gettext_lazy("청구 항목"),
        queryset=InvoiceLine.objects.none(),
        required=False,
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


def _disputes_page(
    request: HttpRequest, member: Member, form: DisputeForm, status: int = 200
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
            add_domain_error(form, error, DisputeForm.FIELD_MAP)
        else:
            messages.success(
                request,
                _("이의신청을 접수했습니다. 답변 기한은 {date}입니다.").format(
                    date=dispute.answer_due_on.isoformat()
                ),
            )
            return redirect("portal:disputes")
    return _disputes_page(request, member, form, status=400)
