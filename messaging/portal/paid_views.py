"""Portal pages of the paid messaging product (MSG-2..7): send one or many (CSV upload with a progress
bar), history and results, sender numbers, AlimTalk templates, the opt-out list.

Shown only to customers with a live kgmsg contract (CON-13): the limits come from
``contracts.services.messaging_limits`` and go to the messaging services; a refusal is shown next to
its field in plain Korean (never a rule id or a raw code).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Member
from contracts.services.messaging_limits import messaging_limits_for
from core import clock
from core.errors import DomainError

from .. import selectors
from ..limits import MessagingLimits
from ..models import Message
from ..requests import send_fields
from ..services import senders, spam, templates_kakao
from ..services.phones import normalize_phone
from ..services.sending import bulk_send, message_send
from .errors import plain, show_refusal
from .forms import BulkSendForm, OptOutForm, SenderNumberForm, SendForm, TemplateEditForm, TemplateForm
from .views import PAGE_SIZE, member_required

SECTION = "messages"
View = Callable[..., HttpResponse]


def messaging_required(view: View) -> View:
    """A member of a customer with a live kgmsg contract; the view gets the member and the limits."""

    @member_required
    @wraps(view)
    def wrapper(request: HttpRequest, member: Member, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            limits = messaging_limits_for(member.customer, today=clock.today())
        except DomainError as exc:
            raise PermissionDenied from exc
        return view(request, member, limits, *args, **kwargs)

    return wrapper


def _refusals(progress: dict[str, Any]) -> list[dict[str, str]]:
    english = translation.get_language() == "en"
    return [
        {
            "recipient": r["recipient"],
            "reason": plain((r.get("message_en") if english else None) or r["message"], r.get("rule")),
        }
        for r in progress["refusals"]
    ]


def _admin_only(member: Member) -> None:
    if not member.is_admin:
        raise PermissionDenied


def _page(request: HttpRequest, rows: Any) -> Any:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


@messaging_required
def history(request: HttpRequest, member: Member, limits: MessagingLimits) -> HttpResponse:
    rows = selectors.messages_for(member.customer_id)
    status = request.GET.get("status")
    if status in Message.Status.values:
        rows = rows.filter(status=status)
    batch = request.GET.get("batch")
    if batch and batch.isdigit():
        rows = rows.filter(batch_id=int(batch))
    return render(
        request,
        "messaging/portal/messages.html",
        {
            "page_obj": _page(request, rows),
            "statuses": Message.Status.choices,
            "status": status,
            "section": SECTION,
        },
    )


@messaging_required
def message_detail(request: HttpRequest, member: Member, limits: MessagingLimits, pk: int) -> HttpResponse:
    message = get_object_or_404(selectors.messages_for(member.customer_id), pk=pk)
    return render(
        request,
        "messaging/portal/message_detail.html",
        {
            "message": message,
            "fallback": getattr(message, "fallback", None),
            "section": SECTION,
        },
    )


@messaging_required
def send(request: HttpRequest, member: Member, limits: MessagingLimits) -> HttpResponse:
    customer = member.customer
    form = SendForm(request.POST or None, customer=customer)
    if request.method == "POST" and form.is_valid():
        try:
            fields = send_fields(customer, {**form.send_data(), "variables": form.cleaned_data["variables"]})
            message = message_send(
                customer=customer,
                limits=limits,
                recipient=form.cleaned_data["recipient"],
                now=clock.now(),
                actor=request.user,
                **fields,
            )
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("메시지를 보냈습니다. 결과는 잠시 후 확인할 수 있습니다."))
            return redirect("portal:message_detail", pk=message.pk)
    return render(request, "messaging/portal/send.html", {"form": form, "section": SECTION})


@messaging_required
def bulk(request: HttpRequest, member: Member, limits: MessagingLimits) -> HttpResponse:
    customer = member.customer
    form = BulkSendForm(request.POST or None, request.FILES or None, customer=customer)
    if request.method == "POST" and form.is_valid():
        try:
            fields = send_fields(customer, form.send_data())
            fields.pop("variables")
            batch = bulk_send(
                customer=customer,
                limits=limits,
                recipients=form.cleaned_data["recipients_file"],
                now=clock.now(),
                actor=request.user,
                **fields,
            )
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            return redirect("portal:message_bulk_progress", pk=batch.pk)
    return render(request, "messaging/portal/bulk.html", {"form": form, "section": SECTION})


@messaging_required
def bulk_progress(request: HttpRequest, member: Member, limits: MessagingLimits, pk: int) -> HttpResponse:
    batch = get_object_or_404(selectors.batches_for(member.customer_id), pk=pk)
    progress = selectors.batch_progress(batch)
    return render(
        request,
        "messaging/portal/bulk_progress.html",
        {
            "batch": batch,
            "progress": progress,
            "refusals": _refusals(progress),
            "section": SECTION,
        },
    )


@messaging_required
def bulk_progress_json(
    request: HttpRequest, member: Member, limits: MessagingLimits, pk: int
) -> JsonResponse:
    """What the progress page polls: counts and the share with a result (no codes)."""
    batch = get_object_or_404(selectors.batches_for(member.customer_id), pk=pk)
    progress = selectors.batch_progress(batch)
    return JsonResponse(
        {
            key: progress[key]
            for key in ("total", "accepted", "refused", "done", "percent", "finished", "counts")
        }
    )


@messaging_required
def sender_numbers(request: HttpRequest, member: Member, limits: MessagingLimits) -> HttpResponse:
    form = SenderNumberForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        _admin_only(member)
        if form.is_valid():
            try:
                senders.sender_number_request(
                    customer=member.customer,
                    number=form.cleaned_data["number"],
                    proof_document=form.cleaned_data.get("proof_document"),
                    limits=limits,
                    purpose=form.cleaned_data["purpose"],
                    actor=request.user,
                )
            except DomainError as exc:
                show_refusal(form, exc)
            else:
                messages.success(
                    request, _("발신번호 등록을 요청했습니다. 담당자가 서류를 확인한 뒤 승인합니다.")
                )
                return redirect("portal:message_senders")
    return render(
        request,
        "messaging/portal/senders.html",
        {
            "form": form,
            "rows": selectors.sender_numbers_for(member.customer_id),
            "can_edit": member.is_admin,
            "section": SECTION,
        },
    )


@messaging_required
def templates(request: HttpRequest, member: Member, limits: MessagingLimits) -> HttpResponse:
    form = TemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            templates_kakao.template_register(
                customer=member.customer, limits=limits, actor=request.user, **form.cleaned_data
            )
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("템플릿을 등록했습니다. 카카오 검수 후 쓸 수 있습니다."))
            return redirect("portal:message_templates")
    return render(
        request,
        "messaging/portal/templates.html",
        {
            "form": form,
            "rows": selectors.kakao_templates_for(member.customer_id),
            "section": SECTION,
        },
    )


@messaging_required
def template_edit(request: HttpRequest, member: Member, limits: MessagingLimits, pk: int) -> HttpResponse:
    template = get_object_or_404(selectors.kakao_templates_for(member.customer_id), pk=pk)
    form = TemplateEditForm(request.POST or None, initial={"body": template.body})
    if request.method == "POST" and form.is_valid():
        try:
            templates_kakao.template_edit(
                template=template,
                body=form.cleaned_data["body"],
                limits=limits,
                now=clock.now(),
                actor=request.user,
            )
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("템플릿을 고쳤습니다."))
            return redirect("portal:message_templates")
    return render(
        request,
        "messaging/portal/template_edit.html",
        {
            "form": form,
            "template": template,
            "section": SECTION,
        },
    )


@messaging_required
def opt_outs(request: HttpRequest, member: Member, limits: MessagingLimits) -> HttpResponse:
    form = OptOutForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            spam.opt_out(customer=member.customer, number=form.cleaned_data["number"], now=clock.now())
        except DomainError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, _("수신거부 목록에 추가했습니다."))
            return redirect("portal:message_opt_outs")
    return render(
        request,
        "messaging/portal/opt_outs.html",
        {
            "form": form,
            "page_obj": _page(request, selectors.opt_outs_for(member.customer_id)),
            "section": SECTION,
        },
    )


@require_POST
@messaging_required
def opt_out_remove(
    request: HttpRequest, member: Member, limits: MessagingLimits, number: str
) -> HttpResponse:
    try:
        digits = normalize_phone(number, field="number", rule="MSG-7")
    except DomainError as exc:
        raise Http404 from exc
    row = get_object_or_404(selectors.opt_outs_for(member.customer_id), number=digits)
    spam.recipient_update(customer=member.customer, number=row.number, now=clock.now(), opted_out=False)
    messages.success(request, _("수신거부를 해제했습니다."))
    return redirect("portal:message_opt_outs")
