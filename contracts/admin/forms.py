"""Forms of the contracts back office: the application form and the small forms in front of each
contract operation. They only parse input; every rule is checked by the service the admin calls, so
a refusal names its rule (CON-1..12, TRM-2) the same way in the admin, the API and the portal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget, AutocompleteSelect
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer, Member
from core.fields import BusinessDateFormField, CountFormField

from ..effective import overridable_parameters
from ..models import (
    BillingCycle,
    Contract,
    HoldReason,
    Plan,
    Policy,
    RejectionReason,
    RequiredDocument,
    TerminationReason,
)

__all__ = [
    "AppealDecisionForm",
    "AppealFileForm",
    "ApproveForm",
    "BulkHoldForm",
    "ConfirmForm",
    "ContractApplyForm",
    "CustomerTerminationForm",
    "DocumentUploadForm",
    "HoldForm",
    "LiftSuspensionForm",
    "OperatorTerminationForm",
    "PlanChangeForm",
    "RejectForm",
    "RescheduleForm",
    "SeatsForm",
    "SpecialTermForm",
    "StopRenewalForm",
    "SuspendForm",
    "TermsPublishForm",
    "WithdrawForm",
    "parameter_label",
]


def _date(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    return BusinessDateFormField(label=label, required=required, widget=AdminDateWidget, help_text=help_text)


def _text(label: Any, *, required: bool = False, help_text: Any = "", rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows, "cols": 60}),
    )


def _reasons(label: Any, choices: Any, help_text: Any = "") -> forms.MultipleChoiceField:
    # Not required here: the service refuses an empty list with the rule named (CON-2, CON-9).
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
    )


def parameter_label(name: str) -> str:
    """The Korean name of a policy parameter, with its field name: "해지 통지 일수 (customer_...)"."""
    try:
        verbose = getattr(Policy._meta.get_field(name), "verbose_name", name)
    except FieldDoesNotExist:  # a parameter that no longer exists still shows by name
        return name
    return f"{verbose} ({name})"


# --------------------------------------------------------------------------- application (CON-1)


class ContractApplyForm(forms.Form):
    """Staff enter an application for a customer; ``applications.contract_apply`` decides (CON-1, ACC-3)."""

    customer = forms.ModelChoiceField(queryset=Customer.objects.all(), label=_("고객"))
    plan = forms.ModelChoiceField(
        queryset=Plan.objects.filter(active=True).select_related("policy"), label=_("요금제")
    )
    member = forms.ModelChoiceField(
        queryset=Member.objects.select_related("customer"),
        label=_("신청자 (구성원)"),
        required=False,
        help_text=_("선택 사항. 고객의 구성원이어야 합니다 (ACC-4)."),
    )
    requested_start = _date(_("희망 개통일"), help_text=_("오늘 이후 날짜 (CON-4)"))
    billing_cycle = forms.ChoiceField(
        label=_("결제 주기"),
        choices=[("", _("요금제 기본값")), *BillingCycle.choices],
        required=False,
        help_text=_("약관이 허용하는 주기만 가능합니다 (CON-5)."),
    )
    seats = CountFormField(
        label=_("계약 인원"), required=False, help_text=_("비워 두면 요금제 기본 인원 (ACC-5)")
    )
    term_months = CountFormField(
        label=_("계약 기간(개월)"), required=False, help_text=_("비워 두면 약관 기본 기간 (CON-5)")
    )

    def __init__(self, *args: Any, admin_site: admin.AdminSite | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        if admin_site is not None:
            # Customers are many: search them as the customer admin does (ACC-1).
            for name, model_field in (("customer", "customer"), ("member", "applied_by")):
                widget = AutocompleteSelect(Contract._meta.get_field(model_field), admin_site)
                widget.choices = fields[name].choices
                widget.is_required = fields[name].required
                fields[name].widget = widget


# --------------------------------------------------------------------------- review (CON-2, CON-3, CON-4)


class ConfirmForm(forms.Form):
    """An operation that needs no input: the page only asks for confirmation."""


class ApproveForm(forms.Form):
    activation_date = _date(
        _("개통 예정일"), required=False, help_text=_("비워 두면 신청한 날짜. 오늘 이전이면 오늘 (CON-4)")
    )
    note = _text(_("심사 메모"))


class HoldForm(forms.Form):
    reasons = _reasons(_("보류 사유"), HoldReason.choices, _("하나 이상 (CON-2; 001 art.5-5, 000 art.5④)"))
    note = _text(_("메모"), help_text=_("신청자에게 안내됩니다 (CON-2; 001 art.5-6)"))


class BulkHoldForm(HoldForm):
    """On the changelist the reasons are required up front: one form for many contracts."""

    def clean_reasons(self) -> list[str]:
        reasons = self.cleaned_data.get("reasons") or []
        if not reasons:
            raise forms.ValidationError(_("CON-2: 사유를 하나 이상 선택해야 합니다."))
        return list(reasons)


class RejectForm(forms.Form):
    reasons = _reasons(_("거절 사유"), RejectionReason.choices, _("하나 이상 (CON-2)"))
    note = _text(_("메모"), help_text=_("신청자에게 안내됩니다 (CON-2; 001 art.5-6)"))


class RescheduleForm(forms.Form):
    new_date = _date(_("새 개통일"))
    reason = _text(_("변경 사유"), help_text=_("사유와 새 날짜가 고객에게 통지됩니다 (CON-4; 002 art.9①)"))


class DocumentUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("서류 종류"), choices=RequiredDocument.choices)
    file = forms.FileField(label=_("파일"))


class WithdrawForm(forms.Form):
    reason = _text(_("철회 사유"))


# --------------------------------------------------------------------------- ending (CON-7, CON-9)


class CustomerTerminationForm(forms.Form):
    effective_on = _date(_("해지 효력일"), help_text=_("약관의 해지 통지 기간 이후 (CON-7)"))
    reason = _text(_("해지 사유 (고객 요청 내용)"))


class OperatorTerminationForm(forms.Form):
    reasons = _reasons(
        _("직권 해지 사유"), TerminationReason.choices, _("하나 이상 (CON-9; 000 art.19③, 002 art.21)")
    )
    note = _text(_("메모"))
    effective_on = _date(
        _("해지 효력일"), required=False, help_text=_("기본값: 오늘 + 약관의 소명 기간 (CON-9; 004 art.25-3)")
    )


# --------------------------------------------------------------------------- suspension (CON-10)


class SuspendForm(forms.Form):
    reason = _text(_("정지 사유"), help_text=_("고객에게 통지됩니다 (CON-10)"))
    days = CountFormField(
        label=_("정지 일수"), help_text=_("약관의 최대 일수 이하 (CON-10; 001 art.23-1)")
    )


class LiftSuspensionForm(forms.Form):
    reason = forms.CharField(label=_("해제 사유"), max_length=200, help_text=_("정지 원인 해소 (CON-10)"))


class AppealFileForm(forms.Form):
    text = _text(_("이의신청 내용"), help_text=_("고객이 서면으로 제출한 내용 (CON-10)"), rows=5)


class AppealDecisionForm(forms.Form):
    UPHELD = "upheld"
    DISMISSED = "dismissed"

    decision = forms.ChoiceField(
        label=_("결정"),
        choices=[(UPHELD, _("인용")), (DISMISSED, _("기각"))],
        widget=forms.RadioSelect,
        help_text=_("인용하면 정지가 해제되고 정지 일수만큼 계약이 연장됩니다 (CON-10; 001 art.23-2)"),
    )
    note = _text(_("결정 이유"))


# --------------------------------------------------------------------------- renewal, changes (CON-6, 11, 12)


class StopRenewalForm(forms.Form):
    reason = forms.CharField(label=_("갱신 거절 사유"), max_length=200, required=False)


class SeatsForm(forms.Form):
    seats = CountFormField(label=_("새 계약 인원"), help_text=_("(ACC-5, BIL-5)"))


class PlanChangeForm(forms.Form):
    plan = forms.ModelChoiceField(
        queryset=Plan.objects.filter(active=True).select_related("policy"),
        label=_("새 요금제"),
        required=False,
        help_text=_("비워 두면 요금제 유지 (CON-11)"),
    )
    billing_cycle = forms.ChoiceField(
        label=_("새 결제 주기"),
        choices=[("", _("변경 없음")), *BillingCycle.choices],
        required=False,
        help_text=_("연간 계약 기간 중에는 변경할 수 없습니다 (CON-11; 001 art.18-2)"),
    )


class SpecialTermForm(forms.Form):
    parameter = forms.ChoiceField(label=_("약관 항목"), choices=())
    value = forms.JSONField(
        label=_("특약 값 (JSON)"),
        help_text=_('예: 30, true, "text" — 약관 값의 형식과 같아야 합니다 (CON-12)'),
    )
    note = _text(_("특약 내용"), help_text=_("서명된 특약의 문구 (CON-12; 000 art.5⑥)"))
    signed_on = _date(_("체결일"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["parameter"]
        field.choices = [("", "---------")] + [(n, parameter_label(n)) for n in overridable_parameters()]


# --------------------------------------------------------------------------- terms (TRM-2, TRM-3, TRM-6)


class TermsPublishForm(forms.Form):
    """Publish a draft version with notice; ``terms.terms_publish`` checks the notice (TRM-2)."""

    policy = forms.ModelChoiceField(
        queryset=Policy.objects.filter(status=Policy.Status.DRAFT).order_by("code", "version"),
        label=_("새 약관 버전 (초안)"),
    )
    previous = forms.ModelChoiceField(
        queryset=Policy.objects.filter(status=Policy.Status.PUBLISHED).order_by("code", "-version"),
        label=_("대체되는 종전 버전"),
    )
    effective_on = _date(
        _("시행일"), help_text=_("공지일로부터 7일 이후, 불리한 변경은 30일 이후 (TRM-2; 000 art.2④)")
    )
    unfavourable = forms.BooleanField(label=_("고객에게 불리한 변경"), required=False)
    price_increase = forms.BooleanField(
        label=_("요금 인상"),
        required=False,
        help_text=_("계약 기간 중 요금 인상은 동의가 필요합니다 (TRM-6)"),
    )
    reasons = _text(_("개정 사유"), help_text=_("공지에 표시됩니다 (TRM-3)"), rows=4)
