"""Portal pages for customer-information change requests (ACC-9), legal succession filings (ACC-8) and
reactivating a dormant account (ACC-10). Views call services; refusals go next to the field.

Any member sees the customer's requests; only customer admins file them (403 otherwise); another
customer's request reads as missing (404).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from phonenumber_field.formfields import PhoneNumberField

from core import clock, throttling
from core.errors import DomainError
from core.fields import BusinessDateFormField
from core.formatting import number
from core.forms import add_domain_error

from .. import selectors, services, services_changes
from ..models import Customer, CustomerChangeRequest, Member, SuccessionRequest
from .auth import member_required, request_member
from .cards import Card, register_card

#: How long a dormant member's checked password lets them confirm reactivation (seconds).
REACTIVATION_WINDOW = 15 * 60
_SESSION_KEY = "portal_reactivate"


# --------------------------------------------------------------------------- forms


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class ChangeRequestForm(forms.Form):
    """Only the fields the admin changed are requested; a blank field keeps its current value."""

    legal_name = forms.CharField(label=gettext_lazy("상호(법인명)"), max_length=200, required=False)
    kind = forms.ChoiceField(label=gettext_lazy("고객 유형"), choices=Customer.Kind.choices, required=False)
    business_number = forms.CharField(label=gettext_lazy("사업자등록번호"), max_length=12, required=False)
    representative_name = forms.CharField(label=gettext_lazy("대표자명"), max_length=100, required=False)
    address = forms.CharField(label=gettext_lazy("주소"), max_length=300, required=False)
    billing_email = forms.EmailField(label=gettext_lazy("청구 담당 이메일"), required=False)
    billing_mobile = PhoneNumberField(label=gettext_lazy("청구 담당 휴대전화"), required=False, region="KR")
    payer_name = forms.CharField(label=gettext_lazy("요금납입책임자"), max_length=200, required=False)
    payer_business_number = forms.CharField(label=gettext_lazy("납입책임자 사업자등록번호"), max_length=12,
                                            required=False)
    payer_contact = forms.CharField(label=gettext_lazy("납입책임자 연락처"), max_length=100, required=False)
    refund_bank_name = forms.CharField(label=gettext_lazy("환불 계좌 은행"), max_length=50, required=False)
    refund_account_number = forms.CharField(label=gettext_lazy("환불 계좌번호"), max_length=40,
                                            required=False)
    refund_account_holder = forms.CharField(label=gettext_lazy("환불 계좌 예금주"), max_length=100,
                                            required=False)
    note = forms.CharField(label=gettext_lazy("신청 사유"), widget=forms.Textarea(attrs={"rows": 3}),
                           required=False)
    document = forms.FileField(
        label=gettext_lazy("증빙 서류"), required=False,
        help_text=gettext_lazy("변경 내용이 기재된 사업자등록증 사본, 통장 사본 등 (필수)"),
    )

    def __init__(self, *args: Any, customer: Customer, **kwargs: Any) -> None:
        initial = {f: getattr(customer, f) for f in self.base_fields if hasattr(customer, f)}
        initial["billing_mobile"] = str(customer.billing_mobile or "")
        kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)

    def changes(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in self.changed_data:
            if name in ("note", "document"):
                continue
            value = self.cleaned_data.get(name)
            if value:  # blank keeps the current value (clearing a field goes through the API)
                out[name] = str(value)
        return out


class SuccessionForm(forms.Form):
    SIDES = (("predecessor", gettext_lazy("우리 회사가 원 계약자입니다")),
             ("successor", gettext_lazy("우리 회사가 승계 고객입니다")))

    side = forms.ChoiceField(label=gettext_lazy("신고 고객의 지위"), choices=SIDES)
    kind = forms.ChoiceField(label=gettext_lazy("승계 사유"), choices=SuccessionRequest.Kind.choices)
    event_date = BusinessDateFormField(label=gettext_lazy("사유 발생일"),
                                 widget=forms.DateInput(attrs={"type": "date"}))
    counterparty_business_number = forms.CharField(
        label=gettext_lazy("상대방 사업자등록번호"), max_length=12, required=False,
        help_text=gettext_lazy("승계 고객이 이용 중인 고객이면 그 고객으로 연결됩니다"),
    )
    successor_legal_name = forms.CharField(label=gettext_lazy("승계인 상호"), max_length=200, required=False)
    successor_representative_name = forms.CharField(label=gettext_lazy("승계인 대표자명"), max_length=100,
                                                    required=False)
    successor_billing_email = forms.EmailField(label=gettext_lazy("승계인 청구 담당 이메일"), required=False)
    note = forms.CharField(label=gettext_lazy("신고 내용"), widget=forms.Textarea(attrs={"rows": 3}),
                           required=False)
    documents = MultipleFileField(
        label=gettext_lazy("증빙 서류"), required=False,
        help_text=gettext_lazy("사업자등록증 사본, 합병·양수도 입증 서류 (필수)"),
    )


# --------------------------------------------------------------------------- helpers


def _change_requests(customer: Customer) -> QuerySet[CustomerChangeRequest]:
    return CustomerChangeRequest.objects.filter(customer=customer).select_related("requested_by", "customer")


def _successions(customer: Customer) -> QuerySet[SuccessionRequest]:
    return (SuccessionRequest.objects.filter(Q(predecessor=customer) | Q(successor=customer))
            .select_related("predecessor", "successor", "filed_by"))


def _with_names(rows: list[SuccessionRequest], customer: Customer) -> list[SuccessionRequest]:
    """ACC-8: each row's party names as this customer may see them (``row.names``)."""
    for row in rows:
        row.names = row.party_names_for(customer.pk)  # type: ignore[attr-defined]
    return rows


@register_card
def _customer_info_card(request: HttpRequest, member: Member) -> Card | None:
    """Every member sees the customer's change requests and successions; only an admin files them (ACC-9)."""
    pending = CustomerChangeRequest.Status.REQUESTED
    open_count = _change_requests(member.customer).filter(status=pending).count()
    if not member.is_admin:
        return Card(title=gettext_lazy("고객 정보 변경"), value=number(open_count),
                    body=gettext_lazy("처리 중인 변경 신청과 지위 승계 신고 (신청은 관리자가 합니다)"),
                    url=reverse("portal:change_requests"), link_text=gettext_lazy("변경 신청 내역"), order=95)
    return Card(title=gettext_lazy("고객 정보 변경"), value=number(open_count),
                body=gettext_lazy("처리 중인 변경 신청 (상호·대표자·환불 계좌 등은 증빙을 첨부해 신청)"),
                url=reverse("portal:change_requests"), link_text=gettext_lazy("변경 신청"), order=95)


# --------------------------------------------------------------------------- ACC-9


@member_required
def change_requests(request: HttpRequest) -> HttpResponse:
    """The customer's change requests; admins file one here (POST)."""
    member = request_member(request)
    customer = member.customer
    form = ChangeRequestForm(customer=customer) if member.is_admin else None
    status = 200
    if request.method == "POST":
        if not member.is_admin:
            raise PermissionDenied
        form = ChangeRequestForm(request.POST, request.FILES, customer=customer)
        if form.is_valid():
            try:
                filed = services_changes.change_request_file(
                    customer=customer, member=member, changes=form.changes(),
                    document=form.cleaned_data.get("document"), note=form.cleaned_data.get("note") or "",
                    today=clock.today(), actor=request.user,
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("정보 변경 신청 {number}을(를) 접수했습니다.").format(
                    number=filed.number))
                return redirect("portal:change_requests")
        status = 400
    return render(request, "portal/change_requests.html", {
        "section": "customer", "member": member, "customer": customer, "form": form,
        "rows": list(_change_requests(customer)),
    }, status=status)


@member_required
def change_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = request_member(request)
    item = get_object_or_404(_change_requests(member.customer), pk=pk)
    labels = {f: services_changes.field_label(f) for f in item.changes}
    rows = [(labels[f], (item.previous or {}).get(f, getattr(item.customer, f) if item.status ==
                                                 CustomerChangeRequest.Status.REQUESTED else ""), v)
            for f, v in item.changes.items()]
    return render(request, "portal/change_request_detail.html", {
        "section": "customer", "member": member, "customer": member.customer, "item": item, "rows": rows,
    })


@member_required  # type: ignore[arg-type]  # a FileResponse streams; the decorator passes it through
def change_request_document(request: HttpRequest, pk: int) -> FileResponse:
    member = request_member(request)
    item = get_object_or_404(_change_requests(member.customer), pk=pk)
    return FileResponse(item.document.open("rb"), as_attachment=True, filename=item.document_name)


# --------------------------------------------------------------------------- ACC-8


def _file_succession(member: Member, form: SuccessionForm, files: list[Any], actor: Any) -> SuccessionRequest:
    from contracts.services import succession

    data = form.cleaned_data
    mine = member.customer
    number = (data.get("counterparty_business_number") or "").strip()
    other = selectors.customer_by_business_number(number) if number else None
    if data["side"] == "successor":
        if other is None:
            raise DomainError("predecessor_not_found",
                              _("사업자등록번호 {number}인 이용 중인 고객(원 계약자)을 찾을 수 없습니다."),
                              rule="ACC-8", field="counterparty_business_number", number=number or "-")
        return succession.succession_file(
            predecessor=other, successor=mine, kind=data["kind"], event_date=data["event_date"],
            documents=files, today=clock.today(), filer=member, note=data.get("note") or "", actor=actor,
        )
    successor_data = None
    if other is None:
        successor_data = {
            "legal_name": data.get("successor_legal_name") or "",
            "representative_name": data.get("successor_representative_name") or "",
            "billing_email": data.get("successor_billing_email") or "",
            "business_number": number,
        }
    return succession.succession_file(
        predecessor=mine, successor=other, successor_data=successor_data, kind=data["kind"],
        event_date=data["event_date"], documents=files, today=clock.today(), filer=member,
        note=data.get("note") or "", actor=actor,
    )


_SUCCESSOR_FORM_FIELDS = {"legal_name": "successor_legal_name", "representative_name":
                          "successor_representative_name", "billing_email": "successor_billing_email",
                          "business_number": "counterparty_business_number", "successor":
                          "counterparty_business_number", "predecessor": "counterparty_business_number"}


@member_required
def successions(request: HttpRequest) -> HttpResponse:
    """Succession filings where the customer is a party; admins file one here (POST)."""
    member = request_member(request)
    form = SuccessionForm() if member.is_admin else None
    status = 200
    if request.method == "POST":
        if not member.is_admin:
            raise PermissionDenied
        form = SuccessionForm(request.POST, request.FILES)
        # A filing looks up the counterparty by business number: limited per member, as in the API.
        wait = throttling.hit(request, "succession", ident=str(request.user.pk))
        if wait is not None:
            text = _("지위 승계 신고를 너무 자주 시도했습니다. {minutes}분 뒤에 다시 시도하세요.")
            form.add_error(None, text.format(minutes=int(wait) // 60 + 1))
            status = 429
        elif form.is_valid():
            try:
                filed = _file_succession(member, form, form.cleaned_data.get("documents") or [], request.user)
            except DomainError as exc:
                field = _SUCCESSOR_FORM_FIELDS.get(exc.field or "", exc.field)
                form.add_error(field if field in form.fields else None, exc.message)
            else:
                messages.success(request, _("지위 승계 신고 {number}을(를) 접수했습니다.").format(
                    number=filed.number))
                return redirect("portal:successions")
        status = status if status == 429 else 400
    return render(request, "portal/successions.html", {
        "section": "customer", "member": member, "customer": member.customer, "form": form,
        "rows": _with_names(list(_successions(member.customer)), member.customer),
    }, status=status)


@member_required
def succession_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = request_member(request)
    item = get_object_or_404(_successions(member.customer).prefetch_related("documents"), pk=pk)
    return render(request, "portal/succession_detail.html", {
        "section": "customer", "member": member, "customer": member.customer,
        "item": _with_names([item], member.customer)[0],
    })


# --------------------------------------------------------------------------- ACC-10


def offer_reactivation(request: HttpRequest, member: Member) -> HttpResponse:
    """Called by the login view when a dormant member gave the right password."""
    request.session[_SESSION_KEY] = {"member": member.pk, "at": clock.now().timestamp()}
    return redirect("portal:reactivate")


def reactivate(request: HttpRequest) -> HttpResponse:
    """A dormant member confirms reactivation (ACC-10): the separated data comes back and they log in."""
    pending = request.session.get(_SESSION_KEY) or {}
    fresh = pending and clock.now().timestamp() - float(pending.get("at", 0)) <= REACTIVATION_WINDOW
    member_id = int(pending.get("member") or 0) if fresh else 0
    member = (Member.objects.select_related("user", "customer")
              .filter(pk=member_id, status=Member.Status.DORMANT).first() if member_id else None)
    if member is None:
        request.session.pop(_SESSION_KEY, None)
        messages.error(request, _("휴면 해제 요청이 만료되었습니다. 다시 로그인해 주세요."))
        return redirect("portal:login")
    if request.method == "POST":
        today = clock.today()
        try:
            services.member_reactivate(member=member, today=today, actor=member.user)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("portal:login")
        request.session.pop(_SESSION_KEY, None)
        member.refresh_from_db()
        login(request, member.user, backend="django.contrib.auth.backends.ModelBackend")
        services.member_record_login(member=member, today=today)
        messages.success(request, _("휴면 상태가 해제되었습니다. 다시 이용하실 수 있습니다."))
        return redirect("portal:home")
    return render(request, "portal/reactivate.html", {"login_id": member.login_id,
                                                      "dormant_on": _dormant_on(member)})


def _dormant_on(member: Member) -> dt.date | None:
    data = getattr(member, "dormant_data", None)
    return data.dormant_on if data is not None else None
