"""SLA portal pages (customers): incidents (report and follow, SLA-1), monthly availability with its working
(SLA-3), the pre-filled claim form (SLA-5) and the no-penalty termination (SLA-7) where it applies.

Reads go through ``sla.selectors`` / ``sla.readouts`` scoped to the member's customer (another customer's
incident or contract is a 404); writes only through ``sla.services``. A refusal is shown next to its
field in plain Korean, without the rule id (customers never see rule ids or raw codes).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.portal.auth import admin_member_required, member_required, request_member
from contracts.models import Contract
from contracts.models.contract import LIVE
from core import clock
from core.calendar import add_months, month_start
from core.errors import DomainError

from .. import selectors
from ..readouts import month_report
from ..services.claims import claim_prefill, claim_submit
from ..services.incidents import incident_report
from ..services.termination import no_penalty_termination, terminate_without_penalty
from .forms import ClaimForm, IncidentReportForm, MonthForm, NoPenaltyTerminationForm

SECTION = "sla"


def customer_message(error: DomainError) -> str:
    """The refusal's message in the active language without its rule id."""
    message = error.message
    prefix = f"{error.rule}: "
    return message[len(prefix) :] if error.rule and message.startswith(prefix) else message


def _show_error(form: forms.Form, error: DomainError) -> None:
    field = error.field if error.field in form.fields else None
    if field is not None and form.fields[field].widget.is_hidden:
        field = None
    form.add_error(field, customer_message(error))


def _contract(request: HttpRequest, pk: int) -> Contract:
    return get_object_or_404(selectors.customer_sla_contracts(request_member(request).customer), pk=pk)


def _month(request: HttpRequest) -> dt.date:
    form = MonthForm(request.GET)
    if request.GET.get("month") and form.is_valid():
        return month_start(form.cleaned_data["month"])
    return month_start(clock.today())


# --------------------------------------------------------------------------- overview


@member_required
def sla_home(request: HttpRequest) -> HttpResponse:
    """Incidents, the contracts' availability this month, claims, and the SLA-7 offer where it applies."""
    member = request_member(request)
    customer = member.customer
    now = clock.now()
    this_month = month_start(clock.today())
    contracts = []
    for contract in selectors.customer_sla_contracts(customer):
        check = no_penalty_termination(contract=contract, now=now) if contract.status in LIVE else None
        contracts.append({"contract": contract, "no_penalty": check if check and check.applies else None})
    return render(
        request,
        "sla/portal/home.html",
        {
            "section": SECTION,
            "contracts": contracts,
            "this_month": this_month,
            "incidents": list(selectors.customer_incidents(customer)[:20]),
            "claims": list(selectors.customer_claims(customer)[:20]),
            "awaiting": list(selectors.customer_months_awaiting_claim(customer)),
            "is_admin": member.is_admin,
        },
    )


# --------------------------------------------------------------------------- incidents (SLA-1)


@member_required
def incident_report_view(request: HttpRequest) -> HttpResponse:
    member = request_member(request)
    contracts = selectors.customer_sla_contracts(member.customer).filter(status__in=LIVE)
    form = IncidentReportForm(request.POST or None, contracts=contracts)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
            incident = incident_report(
                contract=values["contract"],
                title=values["title"] or "",
                description=values["description"] or "",
                scope=values["scope"],
                feature=values["feature"] or "",
                member=member,
                today=clock.today(),
                now=clock.now(),
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("장애 신고가 접수되었습니다. 확인 후 경과를 알려 드립니다."))
            return redirect("portal:sla_incident", pk=incident.pk)
    return render(request, "sla/portal/incident_report.html", {"section": SECTION, "form": form})


@member_required
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rows = selectors.customer_incidents(request_member(request).customer).prefetch_related("updates")
    incident = get_object_or_404(rows, pk=pk)
    return render(
        request,
        "sla/portal/incident_detail.html",
        {"section": SECTION, "incident": incident, "updates": list(incident.updates.all())},
    )


# --------------------------------------------------------------------------- availability (SLA-3)


@member_required
def availability(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    month = _month(request)
    report = month_report(contract=contract, month=month, now=clock.now())
    return render(
        request,
        "sla/portal/availability.html",
        {
            "section": SECTION,
            "contract": contract,
            "report": report,
            "previous": add_months(month, -1),
            "next": add_months(month, 1) if month < month_start(clock.today()) else None,
            "is_admin": request_member(request).is_admin,
        },
    )


# --------------------------------------------------------------------------- claims (SLA-5)


@admin_member_required
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    """The claim form pre-filled with the amount and basis the month close computed; a late claim is
    refused by the service with the date it was due."""
    member = request_member(request)
    contract = _contract(request, pk)
    month = month_start(_month(request)) if request.method == "GET" else None
    form = ClaimForm(request.POST if request.method == "POST" else None)  # an empty POST is bound too
    draft, refusal = None, None
    if request.method == "POST":
        if form.is_valid():
            values = form.cleaned_data
            try:
                claim_submit(
                    contract=contract,
                    month=values["month"],
                    today=clock.today(),
                    member=member,
                    amount_won=values["amount_won"],
                    basis=values["basis"],
                    details=values["details"] or "",
                )
            except DomainError as error:
                _show_error(form, error)
            else:
                messages.success(request, _("보상 청구가 접수되었습니다."))
                return redirect("portal:sla_home")
        month = form.cleaned_data.get("month")
    if month is not None:
        try:
            draft = claim_prefill(contract=contract, month=month)
        except DomainError as error:
            refusal = customer_message(error)
        else:
            if request.method == "GET":
                form = ClaimForm(
                    initial={
                        "month": f"{draft.month:%Y-%m}",
                        "amount_won": draft.amount_won,
                        "basis": draft.basis,
                    }
                )
    return render(
        request,
        "sla/portal/claim.html",
        {
            "section": SECTION,
            "contract": contract,
            "month": month,
            "draft": draft,
            "refusal": refusal,
            "form": form,
        },
    )


# --------------------------------------------------------------------------- no-penalty termination (SLA-7)


@admin_member_required
def no_penalty_terminate(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    check = no_penalty_termination(contract=contract, now=clock.now())
    form = NoPenaltyTerminationForm(request.POST or None, initial={"effective_on": clock.today()})
    if request.method == "POST" and form.is_valid():
        try:
            terminate_without_penalty(
                contract=contract,
                effective_on=form.cleaned_data["effective_on"],
                reason=form.cleaned_data["reason"] or "",
                today=clock.today(),
                now=clock.now(),
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("위약금 없는 해지가 신청되었습니다."))
            return redirect(reverse("portal:contract_detail", args=[contract.pk]))
    context: dict[str, Any] = {"section": SECTION, "contract": contract, "check": check, "form": form}
    return render(request, "sla/portal/terminate.html", context)
