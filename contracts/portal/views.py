"""Customer portal: contracts, applications, termination with a preview, and terms consent.

Views read through :mod:`contracts.selectors` (scoped to the member's customer: another customer's
contract is a 404) and write only through ``contracts.services``. Which forms a contract page shows
is ``contracts.services.actions.offered_actions`` for the member (the answer the admin and the API
render too): an action not allowed shows its reason, never its form. A ``DomainError`` is shown next
to the field it names. Writes are for customer admins (ACC-4).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Member
from accounts.portal.auth import admin_member_required, member_required, request_member
from accounts.portal.cards import Card, register_card
from core import clock, formatting
from core.client_ip import client_ip
from core.errors import DomainError

from .. import selectors
from ..entitlement import entitlement
from ..models import (
    Contract,
    ContractStatus,
    HoldReason,
    Policy,
    RejectionReason,
    Suspension,
    TermsConsent,
    TermsRelease,
)
from ..services import applications, renewal, suspension, termination, terms
from ..services.actions import (
    Audience,
    OfferedAction,
    offered_action,
    offered_actions,
    suspension_appealable,
)
from ..services.terms_documents import terms_compare
from ..services.terms_pdf import comparison_pdf
from . import display
from .forms import (
    AppealForm,
    ApplyForm,
    ConsentForm,
    DocumentForm,
    PostponeForm,
    RenewalStopForm,
    TerminationConfirmForm,
    TerminationForm,
    WithdrawForm,
)

SECTION = "contracts"


def _contract(request: HttpRequest, pk: int, *, detail: bool = False) -> Contract:
    customer = request_member(request).customer
    qs = selectors.customer_contract_detail(customer) if detail else selectors.customer_contracts(customer)
    return get_object_or_404(qs, pk=pk)


# --------------------------------------------------------------------------- home card (CON-13)


@register_card
def _contracts_card(request: HttpRequest, member: Member) -> list[Card]:
    today = clock.today()
    customer = member.customer
    live_count = selectors.live_contracts(customer).count()
    open_count = selectors.open_applications(customer).count()
    service = entitlement(customer, today=today)
    body = _("서비스 이용 가능") if service.allowed else str(service.reason)
    if open_count:
        body = _("{status} · 처리 중인 신청 {count}건").format(status=body, count=open_count)
    cards = [
        Card(
            title=gettext_lazy("이용 중인 계약"),
            value=formatting.number(live_count),
            body=body,
            url=reverse("portal:contracts"),
            link_text=gettext_lazy("계약 보기"),
            order=10,
            tone="" if service.allowed or not (live_count or open_count) else "danger",
        )
    ]
    unanswered = selectors.unanswered_terms_count(customer, today)
    if unanswered:
        cards.append(
            Card(
                title=gettext_lazy("약관 개정 응답 필요"),
                value=formatting.number(unanswered),
                body=gettext_lazy("시행일까지 거부하지 않으면 동의한 것으로 봅니다."),
                url=reverse("portal:contract_terms"),
                link_text=gettext_lazy("약관 개정 확인"),
                order=11,
                tone="warning",
            )
        )
    return cards


# --------------------------------------------------------------------------- list and detail


def _refused(contract: Contract, code: str, member: Member) -> OfferedAction | None:
    """The offered action ``code`` when it is not allowed now (its reason is shown), else ``None``."""
    action = offered_action(contract, code, audience=Audience.member(member), today=clock.today())
    return action if action is not None and not action.allowed else None


@member_required
def contract_list(request: HttpRequest) -> HttpResponse:
    member = request_member(request)
    today = clock.today()
    return render(
        request,
        "contracts/list.html",
        {
            "section": SECTION,
            "member": member,
            "contracts": list(selectors.customer_contracts(member.customer)),
            "service": entitlement(member.customer, today=today),
            "unanswered_terms": selectors.unanswered_terms_count(member.customer, today),
            "is_admin": member.is_admin,
        },
    )


def _detail_context(request: HttpRequest, contract: Contract, **forms_: Any) -> dict[str, Any]:
    member = request_member(request)
    today = clock.today()
    docs = selectors.required_documents(contract)
    missing = [d["kind"] for d in docs if not d["uploaded"]]
    actions = {a.code: a for a in offered_actions(contract, audience=Audience.member(member), today=today)}

    def form_if(code: str, name: str, make: Any) -> Any:
        """The action's form only while the action is allowed (never a form for a refused action); the
        errors of a refused submission are shown as messages instead."""
        submitted = forms_.pop(name, None)
        if not actions[code].allowed:
            for errors in (submitted.errors.values() if submitted is not None else []):
                for error in errors:
                    messages.error(request, error)
            return None
        return submitted or make()

    allowed = {code for code, a in actions.items() if a.allowed}
    suspensions = list(contract.suspensions.all())
    appeal_forms = forms_.pop("appeal_forms", {})
    deadlines = selectors.contract_deadlines(contract, today)
    context: dict[str, Any] = {
        "section": SECTION,
        "member": member,
        "contract": contract,
        "today": today,
        "is_admin": member.is_admin,
        "actions": actions,
        # why an action is not available, in plain words (no rule id on a customer page)
        "reasons": {code: display.customer_wording(str(a.reason)) for code, a in actions.items()},
        "policy_values": selectors.policy_values(contract),
        "special_terms": list(contract.special_terms.all()),
        "periods": list(contract.periods.all()),
        "transitions": _transitions(contract),
        "documents": list(contract.documents.all()),
        "required_documents": docs,
        "schedule_changes": list(contract.schedule_changes.all()),
        "suspensions": [
            (
                s,
                appeal_forms.get(s.pk) or AppealForm(prefix=f"appeal-{s.pk}")
                if "file_appeal" in allowed and suspension_appealable(s)
                else None,
            )
            for s in suspensions
        ],
        "hold_reasons": _labels(contract.hold_reasons, HoldReason),
        "rejection_reasons": _labels(contract.rejection_reasons, RejectionReason),
        "postpone_deadline": deadlines["postpone_until"],
        "withdrawal_deadline": deadlines["withdrawal_until"],
        "renewal_deadline": deadlines["renewal_stop_until"],
        "termination_earliest": deadlines["earliest_termination"],
        "is_application": status_is_application(contract),
        "document_form": form_if(
            "upload_document", "document_form", lambda: DocumentForm(kinds=missing or None)
        ),
        "postpone_form": form_if("postpone", "postpone_form", PostponeForm),
        "withdraw_form": form_if("withdraw", "withdraw_form", WithdrawForm),
        "renewal_form": form_if("stop_renewal", "renewal_form", RenewalStopForm),
        "can_terminate": "terminate" in allowed,
    }
    context.update(forms_)
    return context


def _transitions(contract: Contract) -> list[Any]:
    """The status history with who made each change in words (a member by name, else the operator's
    staff or an automatic job), never "user:…" or "job:…"."""
    rows = list(contract.transitions.all())
    members = dict(
        Member.objects.filter(customer_id=contract.customer_id, user__isnull=False).values_list(
            "user__username", "name"
        )
    )
    for row in rows:
        row.actor_label = display.actor_label(row.actor, members)  # type: ignore[attr-defined]
    return rows


def status_is_application(contract: Contract) -> bool:
    return contract.status in (*selectors.APPLICATION_STATUSES, ContractStatus.REJECTED)


def _labels(codes: list[str] | None, choices: type[models.TextChoices]) -> list[str]:
    return [str(choices(c).label) if c in choices.values else c for c in (codes or [])]


@member_required
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk, detail=True)
    return render(request, "contracts/detail.html", _detail_context(request, contract))


def _rerender(request: HttpRequest, pk: int, **forms_: Any) -> HttpResponse:
    contract = _contract(request, pk, detail=True)
    return render(request, "contracts/detail.html", _detail_context(request, contract, **forms_), status=400)


# --------------------------------------------------------------------------- application (CON-1..4, CON-8)


@admin_member_required
def contract_apply(request: HttpRequest) -> HttpResponse:
    """ACC-4: admins apply for a plan; the automatic checks run at once (CON-2)."""
    member = request_member(request)
    form = ApplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            contract = applications.contract_apply(
                customer=member.customer,
                plan=data["plan"],
                requested_start=data["requested_start"],
                today=clock.today(),
                member=member,
                seats=data.get("seats"),
                billing_cycle=data.get("billing_cycle") or None,
                term_months=data.get("term_months"),
            )
        except DomainError as exc:
            display.add_customer_error(form, exc)
        else:
            messages.success(
                request,
                _("{plan} 이용 신청을 접수했습니다. 필요한 서류를 제출해 주세요.").format(
                    plan=contract.plan.name
                ),
            )
            return redirect("portal:contract_detail", pk=contract.pk)
    plans = list(selectors.active_plans())
    return render(
        request,
        "contracts/apply.html",
        {"section": SECTION, "member": member, "form": form, "plans": plans},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_POST
@admin_member_required
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """CON-3: upload a required document."""
    contract = _contract(request, pk)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            applications.document_upload(
                contract=contract,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                today=clock.today(),
            )
        except DomainError as exc:
            display.add_customer_error(form, exc)
        else:
            messages.success(request, _("서류를 제출했습니다."))
            return redirect("portal:contract_detail", pk=pk)
    return _rerender(request, pk, document_form=form)


@require_POST
@admin_member_required
def activation_postpone(request: HttpRequest, pk: int) -> HttpResponse:
    """CON-4: postpone activation up to the policy's notice before the scheduled date."""
    contract = _contract(request, pk)
    form = PostponeForm(request.POST)
    if form.is_valid():
        try:
            applications.activation_postpone(
                contract=contract,
                new_date=form.cleaned_data["new_date"],
                today=clock.today(),
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            display.add_customer_error(form, exc)
        else:
            messages.success(
                request,
                _("개통일을 {date}(으)로 연기했습니다.").format(
                    date=formatting.day(form.cleaned_data["new_date"])
                ),
            )
            return redirect("portal:contract_detail", pk=pk)
    return _rerender(request, pk, postpone_form=form)


@require_POST
@admin_member_required
def contract_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """CON-8: withdraw an application, or an active contract inside the cooling-off window."""
    contract = _contract(request, pk)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            termination.contract_withdraw(
                contract=contract, today=clock.today(), reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            display.add_customer_error(form, exc)
        else:
            messages.success(request, _("청약을 철회했습니다."))
            return redirect("portal:contract_detail", pk=pk)
    return _rerender(request, pk, withdraw_form=form)


# ---------------------------------------------------------------- termination (CON-6, CON-7, CON-10)


@admin_member_required
def contract_terminate(request: HttpRequest, pk: int) -> HttpResponse:
    """CON-7: choose a date → preview of the final settlement → confirm → ``terminating``.

    GET without a date shows the date form; GET with ``effective_on`` shows the preview and a
    confirm button; POST (from the preview) requests the termination. If the previewed total no
    longer matches what the service computes, the new preview is shown again instead.
    """
    member = request_member(request)
    contract = _contract(request, pk)
    today = clock.today()
    refused = _refused(contract, "terminate", member)
    if refused is not None:
        messages.error(request, display.customer_wording(str(refused.reason)))
        return redirect("portal:contract_detail", pk=pk)
    settlement = None
    confirm_form: forms.Form | None = None
    if request.method == "POST":
        form: forms.Form = TerminationConfirmForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                settlement = termination.termination_preview(
                    contract=contract, effective_on=data["effective_on"], today=today
                )
                if settlement.total_won != data["previewed_total_won"]:
                    messages.warning(
                        request, _("정산 금액이 바뀌었습니다. 다시 확인한 뒤 해지를 확정해 주세요.")
                    )
                else:
                    termination.termination_request(
                        contract=contract,
                        effective_on=data["effective_on"],
                        today=today,
                        reason=data["reason"],
                    )
                    messages.success(
                        request,
                        _("해지를 신청했습니다. 해지 효력일: {date}").format(
                            date=formatting.day(data["effective_on"])
                        ),
                    )
                    return redirect("portal:contract_detail", pk=pk)
            except DomainError as exc:
                display.add_customer_error(form, exc)
                settlement = None
    else:
        earliest = selectors.termination_earliest(contract, today)
        initial = {"effective_on": earliest.date if earliest else today}
        form = TerminationForm(request.GET if "effective_on" in request.GET else None, initial=initial)
        if form.is_bound and form.is_valid():
            try:
                settlement = termination.termination_preview(
                    contract=contract, effective_on=form.cleaned_data["effective_on"], today=today
                )
            except DomainError as exc:
                display.add_customer_error(form, exc)
    if settlement is not None:
        confirm_form = TerminationConfirmForm(
            initial={
                "effective_on": form.cleaned_data["effective_on"],
                "reason": form.cleaned_data.get("reason", ""),
                "previewed_total_won": settlement.total_won,
            }
        )
    return render(
        request,
        "contracts/terminate.html",
        {
            "section": SECTION,
            "member": member,
            "contract": contract,
            "form": form,
            "settlement": settlement,
            "settlement_lines": display.settlement_lines(settlement.lines) if settlement else [],
            "confirm_form": confirm_form,
            "earliest": selectors.termination_earliest(contract, today),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_POST
@admin_member_required
def renewal_stop(request: HttpRequest, pk: int) -> HttpResponse:
    """CON-6: notice not to renew, before the policy's deadline."""
    contract = _contract(request, pk)
    form = RenewalStopForm(request.POST)
    if form.is_valid():
        try:
            renewal.renewal_stop(contract=contract, today=clock.today(), reason=form.cleaned_data["reason"])
        except DomainError as exc:
            display.add_customer_error(form, exc)
        else:
            messages.success(request, _("자동 갱신을 중단했습니다. 계약은 현재 기간이 끝나면 종료됩니다."))
            return redirect("portal:contract_detail", pk=pk)
    return _rerender(request, pk, renewal_form=form)


@require_POST
@admin_member_required
def suspension_appeal(request: HttpRequest, pk: int, suspension_pk: int) -> HttpResponse:
    """CON-10: appeal against a suspension of this contract."""
    contract = _contract(request, pk)
    target = get_object_or_404(Suspension, pk=suspension_pk, contract=contract)
    form = AppealForm(request.POST, prefix=f"appeal-{target.pk}")
    if form.is_valid():
        try:
            suspension.appeal_file(suspension=target, text=form.cleaned_data["text"], today=clock.today())
        except DomainError as exc:
            display.add_customer_error(form, exc)
        else:
            messages.success(request, _("이의신청을 접수했습니다."))
            return redirect("portal:contract_detail", pk=pk)
    return _rerender(request, pk, appeal_forms={target.pk: form})


# --------------------------------------------------------------------------- terms (TRM-3..6)


def _terms_context(request: HttpRequest, errors: dict[int, str] | None = None) -> dict[str, Any]:
    member = request_member(request)
    rows = selectors.pending_terms(member.customer, clock.today())
    for row in rows:  # the comparison table and the full new text on the consent page (TRM-3)
        row.comparison = terms_compare(old=row.previous, new=row.policy)
        row.articles = selectors.terms_articles(row.policy)
    shown = {row.policy.pk for row in rows}
    errors = errors or {}
    return {
        "section": SECTION,
        "member": member,
        "rows": rows,
        "is_admin": member.is_admin,
        "row_errors": {pk: e for pk, e in errors.items() if pk in shown},
        "top_errors": [e for pk, e in errors.items() if pk not in shown],
    }


@member_required
def terms_pending(request: HttpRequest) -> HttpResponse:
    """TRM-3: published versions affecting the customer, with text, reasons and effective date."""
    return render(request, "contracts/terms.html", _terms_context(request))


@require_POST
@admin_member_required
def terms_consent(request: HttpRequest, policy_id: int) -> HttpResponse:
    """TRM-4: accept or refuse in the portal (channel, member and IP recorded)."""
    member = request_member(request)
    policy = get_object_or_404(Policy, pk=policy_id)
    form = ConsentForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            consent = terms.consent_record(
                customer=member.customer,
                policy=policy,
                decision=form.cleaned_data["decision"],
                today=clock.today(),
                member=member,
                ip_address=client_ip(request),
                channel=TermsConsent.Channel.PORTAL,
            )
        except DomainError as exc:
            error = display.error_text(exc)
        else:
            messages.success(
                request,
                _("{policy} 개정에 '{decision}'(으)로 응답했습니다.").format(
                    policy=policy.name, decision=consent.get_decision_display()
                ),
            )
            return redirect("portal:contract_terms")
    else:
        error = "; ".join(str(e) for errs in form.errors.values() for e in errs)
    return render(request, "contracts/terms.html", _terms_context(request, {policy.pk: error}), status=400)


@require_POST
@admin_member_required
def terms_refusal_termination(request: HttpRequest, policy_id: int, pk: int) -> HttpResponse:
    """TRM-5, TRM-6: after refusing, terminate without penalty before the new version takes effect."""
    contract = _contract(request, pk)
    try:
        contract = terms.refusal_termination(contract=contract, today=clock.today())
    except DomainError as exc:
        return render(
            request,
            "contracts/terms.html",
            _terms_context(request, {policy_id: display.error_text(exc)}),
            status=400,
        )
    messages.success(
        request,
        _("계약 {number}의 위약금 없는 해지를 신청했습니다. 해지 효력일: {date}").format(
            number=contract.number, date=contract.termination_effective_on
        ),
    )
    return redirect("portal:contract_detail", pk=contract.pk)


@member_required
def terms_document(request: HttpRequest, policy_id: int) -> HttpResponse:
    """TRM-1: a published terms version, article by article, so a cited clause can be opened
    (``#art-32-3``)."""
    policy = get_object_or_404(Policy.objects.exclude(status=Policy.Status.DRAFT), pk=policy_id)
    return render(
        request,
        "contracts/terms_document.html",
        {"section": SECTION, "policy": policy, "articles": selectors.terms_articles(policy)},
    )


@member_required
def terms_comparison_pdf(request: HttpRequest, policy_id: int) -> HttpResponse:
    """TRM-3: the 신구조문 대비표 of a published change as a PDF."""
    releases = TermsRelease.objects.select_related("policy", "previous")
    release = get_object_or_404(releases, policy_id=policy_id)
    comparison = terms_compare(old=release.previous, new=release.policy)
    response = HttpResponse(comparison_pdf(comparison), content_type="application/pdf")
    name = f"terms-{release.policy.code}-v{release.previous.version}-v{release.policy.version}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
