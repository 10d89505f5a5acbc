"""Portal forms for contracts and terms. They only shape input; every rule lives in ``contracts.services``
and its refusals are shown next to the field they name (``core.forms.add_domain_error``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.fields import BusinessDateFormField, CountFormField

from ..models import BillingCycle, ConsentDecision, Plan, RequiredDocument
from ..selectors import active_plans


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class PlanChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Plan) -> str:  # type: ignore[override]
        return f"{obj.name} · {obj.get_billing_cycle_display()}"


class ApplyForm(forms.Form):
    """ACC-3, CON-1: an application for a plan."""

    plan = PlanChoiceField(label=_("요금제"), queryset=Plan.objects.none(), empty_label=None)
    requested_start = BusinessDateFormField(label=_("희망 개통일"), widget=DateInput())
    seats = CountFormField(
        label=_("계약 인원"), required=False, help_text=_("비워 두면 요금제 기본 인원으로 신청합니다.")
    )
    billing_cycle = forms.ChoiceField(
        label=_("결제 주기"),
        required=False,
        choices=[("", _("요금제 기본값")), *BillingCycle.choices],
    )
    term_months = CountFormField(
        label=_("계약 기간(개월)"), required=False, help_text=_("비워 두면 약관의 기본 계약 기간입니다.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = active_plans()  # type: ignore[attr-defined]


class DocumentForm(forms.Form):
    """CON-3: one required document."""

    kind = forms.ChoiceField(label=_("서류 종류"), choices=RequiredDocument.choices)
    file = forms.FileField(label=_("파일"))

    def __init__(self, *args: Any, kinds: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kinds:
            self.fields["kind"].choices = [  # type: ignore[attr-defined]
                (k, RequiredDocument(k).label) for k in kinds if k in RequiredDocument.values
            ]


class PostponeForm(forms.Form):
    """CON-4: the customer postpones activation."""

    new_date = BusinessDateFormField(label=_("새 개통일"), widget=DateInput())
    reason = forms.CharField(label=_("사유"), required=False, max_length=500)


class WithdrawForm(forms.Form):
    """CON-8: withdrawal (청약철회)."""

    reason = forms.CharField(label=_("철회 사유"), required=False, max_length=500)
    confirm = forms.BooleanField(label=_("청약을 철회합니다. 되돌릴 수 없습니다."))


class TerminationForm(forms.Form):
    """CON-7: the termination date (preview first, then confirm)."""

    effective_on = BusinessDateFormField(label=_("해지 효력일"), widget=DateInput())
    reason = forms.CharField(label=_("해지 사유"), required=False, max_length=500)


class TerminationConfirmForm(TerminationForm):
    previewed_total_won = forms.IntegerField(widget=forms.HiddenInput())


class RenewalStopForm(forms.Form):
    """CON-6: notice not to renew."""

    reason = forms.CharField(label=_("갱신 거절 사유"), required=False, max_length=200)


class AppealForm(forms.Form):
    """CON-10: appeal against a suspension."""

    text = forms.CharField(label=_("이의신청 내용"), widget=forms.Textarea(attrs={"rows": 3}))


class ConsentForm(forms.Form):
    """TRM-4: accept or refuse a published terms version."""

    decision = forms.ChoiceField(
        label=_("결정"),
        choices=[(ConsentDecision.ACCEPTED, _("동의")), (ConsentDecision.REFUSED, _("거부"))],
    )
