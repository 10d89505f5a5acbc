"""Operations on one contract from its admin page (CON-1..12): a button, a small form, the service.

Whether an operation may be done now is never decided here: ``contracts.services.actions`` answers
for the staff audience (the same answer the portal and the API render for customers). This module
only adds what the back office needs to run an operation: its form, its initial values, a short
description and the service call, under ``core.audit.acting_as``. A refusal is shown as an error
message naming its rule, and nothing changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import clock
from core.adminkit import show_error
from core.audit import acting_as
from core.errors import DomainError

from ..effective import effective_policy
from ..models import Contract, TerminationKind
from ..services import applications, changes, renewal, suspension, termination
from ..services.actions import (
    STAFF_AUDIENCE,
    OfferedAction,
    appealable_suspension,
    filed_appeal,
    offered_action,
    offered_actions,
    open_suspension,
)
from .forms import (
    AppealDecisionForm,
    AppealFileForm,
    ApproveForm,
    ConfirmForm,
    CustomerTerminationForm,
    DocumentUploadForm,
    HoldForm,
    LiftSuspensionForm,
    OperatorTerminationForm,
    PlanChangeForm,
    RejectForm,
    RescheduleForm,
    SeatsForm,
    SpecialTermForm,
    StopRenewalForm,
    SuspendForm,
    WithdrawForm,
)

ACTION_FORM_TEMPLATE = "admin/contracts/action_form.html"


def render_form_page(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    *,
    form: forms.Form,
    title: Any,
    submit_label: Any,
    cancel_url: str,
    original: Any = None,
    description: Any = "",
    extra: dict[str, Any] | None = None,
) -> TemplateResponse:
    """An intermediate admin page holding one form (an application, a contract operation, a publication)."""
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": title,
        "form": form,
        "original": original,
        "media": model_admin.media + form.media,
        "submit_label": submit_label,
        "cancel_url": cancel_url,
        "description": description,
        **(extra or {}),
    }
    return TemplateResponse(request, ACTION_FORM_TEMPLATE, context)


# --------------------------------------------------------------------------- running an operation

Runner = Callable[[Contract, dict[str, Any], dt.date], Any]


def _approve(contract: Contract, data: dict[str, Any], today: dt.date) -> Any:
    applications.contract_approve(
        contract=contract, today=today, note=data["note"], activation_date=data["activation_date"]
    )
    return _("승낙했습니다.")


def _hold(contract: Contract, data: dict[str, Any], today: dt.date) -> Any:
    applications.contract_hold(contract=contract, reasons=data["reasons"], today=today, note=data["note"])
    return _("보류했습니다.")


def _reject(contract: Contract, data: dict[str, Any], today: dt.date) -> Any:
    applications.contract_reject(contract=contract, reasons=data["reasons"], today=today, note=data["note"])
    return _("거절했습니다.")


def _reschedule(contract: Contract, data: dict[str, Any], today: dt.date) -> Any:
    applications.activation_reschedule(
        contract=contract, new_date=data["new_date"], reason=data["reason"], today=today
    )
    return _("개통일을 {date}(으)로 변경하고 고객에게 통지했습니다.").format(date=data["new_date"])


def _upload(contract: Contract, data: dict[str, Any], today: dt.date) -> Any:
    document = applications.document_upload(
        contract=contract, kind=data["kind"], upload=data["file"], today=today
    )
    return _("서류를 등록했습니다: {document}").format(document=document)


def _activate(contract: Contract, data: dict[str, Any], today: dt.date) -> Any:
    applications.contract_activate(contract=contract, today=today)
    return _("개통했습니다.")


def _withdraw(contract: Contract, data: dict[str, Any], today: dt.date) -> Any:
    termination.contract_withdraw(contract=contract, today=today, reason=data["reason"])
    return _("청약 철회를 처리했습니다.")


def _terminate_customer(contract: Contract, data: dict[str, Any], today: dt.date) -> Any:
    termination.termination_request(
        contract=contract,
        effective_on=data["effective_on"],
        today=today,
        kind=TerminationKind.CUSTOMER,
        reason=data["reason"],
    )
    return _("해지 신청을 접수했습니다. 해지 효력일: {date}").format(date=data["effective_on"])


def _terminate_operator(contract: Contract, data: dict[str, Any], today: dt.date) -> Any:
    ended = termination.operator_termination(
        contract=contract,
        reasons=data["reasons"],
        today=today,
        note=data["note"],
        effective_on=data["effective_on"],
    )
    return _("직권 해지를 통지했습니다. 해지 효력일: {date}").format(date=ended.termination_effective_on)


def _complete_termination(contract: Contract, data: dict[str, Any], today: dt.date) -> Any:
    termination.termination_complete(contract=contract, today=today)
    return _("해지를 완료했습니다.")


def _suspend(contract: Contract, data: dict[str, Any], today: dt.date) -> Any:
    record = suspension.suspension_schedule(
        contract=contract, reason=data["reason"], today=today, days=data["days"]
    )
    if record.started:
        return _("이용을 정지했습니다 ({start}~{end}).").format(
            start=record.starts_on, end=record.planned_end_on
        )
    return _("이용 정지를 예고했습니다. 정지 시작일: {start}").format(start=record.starts_on)


def _target(found: Any) -> Any:
    if found is None:  # offered_actions refused already; a concurrent change got here first
        raise Http404
    return found


def _lift(contract: Contract, data: dict[str, Any], today: dt.date) -> Any:
    target = _target(open_suspension(contract))
    suspension.suspension_lift(suspension=target, today=today, reason=data["reason"])
    return _("이용 정지를 해제했습니다.")


def _file_appeal(contract: Contract, data: dict[str, Any], today: dt.date) -> Any:
    target = _target(appealable_suspension(contract))
    suspension.appeal_file(suspension=target, text=data["text"], today=today)
    return _("이의신청을 접수했습니다.")


def _decide_appeal(contract: Contract, data: dict[str, Any], today: dt.date) -> Any:
    upheld = data["decision"] == AppealDecisionForm.UPHELD
    target = _target(filed_appeal(contract))
    suspension.appeal_decide(suspension=target, upheld=upheld, today=today, note=data["note"])
    return _("이의신청을 인용했습니다.") if upheld else _("이의신청을 기각했습니다.")


def _stop_renewal(contract: Contract, data: dict[str, Any], today: dt.date) -> Any:
    renewal.renewal_stop(contract=contract, today=today, reason=data["reason"])
    return _("자동 갱신을 중단했습니다.")


def _change_seats(contract: Contract, data: dict[str, Any], today: dt.date) -> Any:
    change = changes.seats_change(contract=contract, seats=data["seats"], today=today)
    return _("계약 인원을 {old}명에서 {new}명으로 변경했습니다.").format(
        old=change.old_value, new=change.new_value
    )


def _change_plan(contract: Contract, data: dict[str, Any], today: dt.date) -> Any:
    changed = changes.plan_change(
        contract=contract, today=today, plan=data["plan"], billing_cycle=data["billing_cycle"] or None
    )
    return _("요금제/결제 주기를 변경했습니다: {plan}, {cycle}").format(
        plan=changed.plan.name, cycle=changed.get_billing_cycle_display()
    )


def _special_term(contract: Contract, data: dict[str, Any], today: dt.date) -> Any:
    term = changes.special_term_set(
        contract=contract,
        parameter=data["parameter"],
        value=data["value"],
        note=data["note"],
        signed_on=data["signed_on"],
    )
    return _("특약을 등록했습니다: {term}").format(term=term)


def _suspension_days(contract: Contract, today: dt.date) -> dict[str, Any]:
    return {"days": effective_policy(contract).violation_suspension_max_days}


def _operator_effective(contract: Contract, today: dt.date) -> dict[str, Any]:
    days = effective_policy(contract).operator_termination_explanation_days
    return {"effective_on": today + dt.timedelta(days=days)}


def _no_initial(contract: Contract, today: dt.date) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class ActionPage:
    """How the back office runs one operation of ``contracts.services.actions.STAFF_ACTIONS``."""

    form: type[forms.Form]
    run: Runner
    initial: Callable[[Contract, dt.date], dict[str, Any]] = _no_initial
    description: Any = ""
    danger: bool = False
    preview: bool = False


ACTION_PAGES: dict[str, ActionPage] = {
    "approve": ActionPage(
        ApproveForm,
        _approve,
        initial=lambda c, t: {"activation_date": c.activation_date},
        description=_("필수 서류가 모두 제출되어야 승낙할 수 있습니다 (CON-3)."),
    ),
    "hold": ActionPage(HoldForm, _hold),
    "reject": ActionPage(RejectForm, _reject, danger=True),
    "upload_document": ActionPage(
        DocumentUploadForm, _upload, description=_("고객이 제출한 필수 서류 파일을 등록합니다 (CON-3).")
    ),
    "reschedule": ActionPage(
        RescheduleForm,
        _reschedule,
        initial=lambda c, t: {"new_date": c.activation_date},
        description=_("사유와 새 개통일이 기록되고 고객에게 통지됩니다 (CON-4; 002 art.9①)."),
    ),
    "activate": ActionPage(
        ConfirmForm,
        _activate,
        description=_("개통 예정일이 되었습니다. 개통하면 계약 기간과 과금이 시작됩니다 (CON-4)."),
    ),
    "withdraw": ActionPage(
        WithdrawForm,
        _withdraw,
        description=_("개통 후에는 청약 철회 기간 안에서만 가능합니다 (CON-8)."),
        danger=True,
    ),
    "terminate_customer": ActionPage(
        CustomerTerminationForm,
        _terminate_customer,
        initial=lambda c, t: {"effective_on": termination.earliest_termination_date(c, t)},
        description=_("고객을 대신해 해지를 신청합니다. 확정 전에 정산 미리보기를 보여 줍니다 (CON-7)."),
        preview=True,
        danger=True,
    ),
    "terminate_operator": ActionPage(
        OperatorTerminationForm,
        _terminate_operator,
        initial=_operator_effective,
        description=_("고객에게 사유와 효력일을 통지합니다 (CON-9)."),
        danger=True,
    ),
    "complete_termination": ActionPage(
        ConfirmForm,
        _complete_termination,
        description=_("해지 효력일이 지났습니다. 일일 작업 전에 해지를 완료합니다 (CON-7)."),
    ),
    "suspend": ActionPage(
        SuspendForm,
        _suspend,
        initial=_suspension_days,
        description=_("약관에 따라 사전 통지 후 정지됩니다 (CON-10; 004 art.11-3)."),
        danger=True,
    ),
    "lift_suspension": ActionPage(LiftSuspensionForm, _lift),
    "file_appeal": ActionPage(AppealFileForm, _file_appeal),
    "decide_appeal": ActionPage(AppealDecisionForm, _decide_appeal),
    "stop_renewal": ActionPage(
        StopRenewalForm, _stop_renewal, description=_("만료일 전 통지 기한까지만 가능합니다 (CON-6).")
    ),
    "change_seats": ActionPage(SeatsForm, _change_seats, initial=lambda c, t: {"seats": c.seats}),
    "change_plan": ActionPage(PlanChangeForm, _change_plan, initial=lambda c, t: {"plan": c.plan_id}),
    "add_special_term": ActionPage(
        SpecialTermForm,
        _special_term,
        initial=lambda c, t: {"signed_on": t},
        description=_(
            "특약은 약관 항목 하나를 이 계약에 한해 바꿉니다. 같은 항목의 이전 특약은 무효가 됩니다 "
            "(CON-12)."
        ),
    ),
}


def action_buttons(contract: Contract, today: dt.date) -> dict[str, list[dict[str, Any]]]:
    """The contract page's buttons: the operations allowed now, and those refused by a precondition
    (not merely by the state) shown disabled with the reason."""
    offered = offered_actions(contract, audience=STAFF_AUDIENCE, today=today)
    return {
        "enabled": [_button(contract, a) for a in offered if a.allowed],
        "disabled": [_button(contract, a) for a in offered if not a.allowed and not a.blocked_by_state],
    }


def _button(contract: Contract, action: OfferedAction) -> dict[str, Any]:
    return {
        "name": action.code,
        "label": action.label,
        "danger": ACTION_PAGES[action.code].danger,
        "reason": action.reason,
        "url": reverse("admin:contracts_contract_action", args=[contract.pk, action.code]),
    }


class ContractActionsMixin:
    """``ContractAdmin``'s operation page at ``<id>/action/<code>/``."""

    def action_view(self, request: HttpRequest, object_id: str, action: str) -> HttpResponse:
        """One operation on one contract: a small form, then the service (CON-1..12)."""
        model_admin: Any = self
        page = ACTION_PAGES.get(action)
        if page is None:
            raise Http404(action)
        contract = model_admin.get_object(request, unquote(object_id))
        if contract is None:
            return model_admin._get_obj_does_not_exist_redirect(request, model_admin.opts, object_id)
        if not model_admin.has_change_permission(request, contract):
            raise PermissionDenied
        today = clock.today()
        change_url = reverse("admin:contracts_contract_change", args=[contract.pk])
        offered = offered_action(contract, action, audience=STAFF_AUDIENCE, today=today)
        if offered is None or not offered.allowed:
            messages.error(request, offered.reason if offered else action)
            return HttpResponseRedirect(change_url)
        preview = None
        if request.method == "POST":
            form = page.form(request.POST, request.FILES)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    with acting_as(request.user):
                        if page.preview and not _preview_confirmed(request, data):
                            preview = termination.termination_preview(
                                contract=contract, effective_on=data["effective_on"], today=today
                            )
                        else:
                            done = page.run(contract, data, today)
                except DomainError as error:
                    show_error(request, error)
                else:
                    if preview is None:
                        messages.success(request, f"{contract.number}: {done}")
                        return HttpResponseRedirect(change_url)
        else:
            form = page.form(initial=page.initial(contract, today))
        return render_form_page(
            model_admin,
            request,
            form=form,
            title=f"{offered.label}: {contract.number}",
            submit_label=_("미리보기") if page.preview else offered.label,
            cancel_url=change_url,
            original=contract,
            description=page.description,
            extra={
                "contract": contract,
                "action": offered,
                "preview": preview,
                "preview_for": preview.effective_on.isoformat() if preview else "",
                "confirm_label": offered.label,
            },
        )


def _preview_confirmed(request: HttpRequest, data: dict[str, Any]) -> bool:
    """Confirmed only for the date whose preview the staff member saw (CON-7)."""
    return "_confirm" in request.POST and request.POST.get("preview_for") == data["effective_on"].isoformat()
