"""SLA portal forms: input shape only; the rules are the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract

from ..models import IncidentScope


class ContractChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number} · {obj.plan.name}"


class IncidentReportForm(forms.Form):
    contract = ContractChoiceField(label=_("계약"), queryset=Contract.objects.none())
    title = forms.CharField(label=_("제목"), max_length=200, required=False)
    description = forms.CharField(label=_("증상"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    scope = forms.ChoiceField(label=_("범위"), choices=IncidentScope.choices, initial=IncidentScope.WHOLE)
    feature = forms.CharField(
        label=_("기능"), max_length=200, required=False, help_text=_("특정 기능만 안 될 때 그 기능")
    )

    def __init__(self, *args: Any, contracts: QuerySet[Contract], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = contracts  # type: ignore[attr-defined]


class MonthForm(forms.Form):
    month = forms.DateField(label=_("월"), input_formats=["%Y-%m"], help_text=_("예: 2026-11"))


class ClaimForm(forms.Form):
    month = forms.DateField(widget=forms.HiddenInput, input_formats=["%Y-%m"])
    amount_won = forms.IntegerField(label=_("청구액(원)"), min_value=0)
    basis = forms.CharField(label=_("산출 근거"), widget=forms.Textarea(attrs={"rows": 3}))
    details = forms.CharField(label=_("장애 상세"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class NoPenaltyTerminationForm(forms.Form):
    effective_on = forms.DateField(label=_("해지 효력일"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("사유"), required=False, max_length=500)
