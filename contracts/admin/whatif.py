"""The draft policy's "변경 효과 미리보기" page (issue 17, TRM-3): the form (horizon, effective date,
proposed plan prices), the side-by-side table per customer and its CSV. Thin: the replay and every check
is ``billing.services.whatif``; a refusal is shown next to its field."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from billing.services.whatif import (
    DEFAULT_MONTHS,
    PRICE_FIELDS,
    WhatIf,
    WhatIfRun,
    csv_name,
    csv_table,
    max_months,
    whatif_defaults,
    whatif_request,
    whatif_result,
)
from core import clock
from core.adminkit import csv_response
from core.errors import DomainError
from core.fields import BusinessDateFormField, CountFormField, WonFormField
from core.forms import add_domain_error

from ..models import Plan, Policy

TEMPLATE = "admin/contracts/whatif.html"
PRICE_LABELS = {
    "monthly_fee_won": _("월 기본료(원)"),
    "monthly_price_per_seat_won": _("월간 요금제 인당 월 요금(원)"),
    "annual_monthly_price_per_seat_won": _("연간 요금제 인당 월 요금(원)"),
}


class WhatIfForm(forms.Form):
    months = CountFormField(label=_("미리 볼 기간(개월)"), initial=DEFAULT_MONTHS)
    effective_on = BusinessDateFormField(
        label=_("시행일"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("비우면 초안의 시행일, 없으면 공지 기간(TRM-2)이 끝나는 가장 빠른 날"),
    )

    def __init__(self, *args: Any, plans: list[Plan], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["months"].widget.attrs["max"] = max_months()
        self.plans = plans
        for plan in plans:
            for name in PRICE_FIELDS:
                self.fields[self.price_key(plan, name)] = WonFormField(
                    label=f"{plan.name}: {PRICE_LABELS[name]}", required=False, initial=getattr(plan, name)
                )

    @staticmethod
    def price_key(plan: Plan, name: str) -> str:
        return f"plan_{plan.pk}_{name}"

    def prices(self) -> dict[int, dict[str, int]]:
        """Only the prices staff changed: plan pk → {field: won}."""
        out: dict[int, dict[str, int]] = {}
        for plan in self.plans:
            for name in PRICE_FIELDS:
                value = self.cleaned_data.get(self.price_key(plan, name))
                if value is not None and value != getattr(plan, name):
                    out.setdefault(plan.pk, {})[name] = value
        return out


def whatif_view(model_admin: admin.ModelAdmin, request: HttpRequest, policy_id: int) -> HttpResponse:
    """GET: the form, or (``?run=``) a queued replay's state, its table or (``&csv=1``) its CSV; POST: checks
    the request and queues the replay (nothing committed), then shows its run. For who may change policies:
    the replay runs every daily job of the book over the horizon, in a worker."""
    if not model_admin.has_change_permission(request):
        raise PermissionDenied
    policy = get_object_or_404(Policy, pk=policy_id)
    today = clock.today()
    context: dict[str, Any] = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": policy,
        "title": _("변경 효과 미리보기: {policy}").format(policy=policy),
    }
    try:
        previous, default_on = whatif_defaults(policy, today=today)
    except DomainError as error:
        context["refusal"] = error.message
        return TemplateResponse(request, TEMPLATE, context)
    plans = list(Plan.objects.filter(policy=previous).order_by("code"))
    form = WhatIfForm(request.POST or None, plans=plans)
    run: WhatIfRun | None = None
    token = request.GET.get("run", "")
    if request.method == "POST" and form.is_valid():
        try:
            token = whatif_request(
                draft=policy,
                today=today,
                months=form.cleaned_data["months"],
                effective_on=form.cleaned_data["effective_on"] or None,
                prices=form.prices(),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            # the replay runs in a worker (eager in the demo); the page shows it when it is done
            return HttpResponseRedirect(f"{request.path}?{urlencode({'run': token})}")
    elif token:
        run = whatif_result(token, draft=policy)
        if run is None:
            context["refusal"] = _("이 미리보기 결과는 없거나 하루가 지나 지워졌습니다. 다시 계산하세요.")
        elif run.state == "done" and run.result is not None and request.GET.get("csv"):
            return _csv(run.result)
    context.update(
        form=form,
        previous=previous,
        default_on=default_on,
        run=run,
        token=token,
        result=run.result if run is not None else None,
        price_fields=[f for f in form if f.name.startswith("plan_")],
    )
    return TemplateResponse(request, TEMPLATE, context)


def _csv(result: WhatIf) -> HttpResponse:
    header, rows = csv_table(result)
    return csv_response(csv_name(result), header, rows)
