"""The application side of the contract back office (CON-1..4): the list, the review queue (신청 심사
대기, with automatic checks and missing documents), applying for a customer and the bulk approve and
hold actions. Every change goes through ``contracts.services.applications``.

``ContractListAdmin`` is the base of both the contract admin (``contracts.admin.contracts``) and the
queue, which ``ContractAdmin`` serves at ``contract/queue/``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from core import clock, formatting
from core.adminkit import NoRevertHistoryAdmin, show_error
from core.audit import acting_as
from core.errors import DomainError

from ..models import Contract, ContractDocument, HoldReason
from ..selectors import QUEUE_STATUSES
from ..services import applications
from .actions import render_form_page
from .filters import policy_filter
from .forms import BulkHoldForm, ContractApplyForm

BULK_FORM_TEMPLATE = "admin/contracts/contract/bulk_action.html"


def labels(choices: Any, codes: Any) -> str:
    """Stored reason codes as their Korean labels: "설비 여유 없음, 기술상 장애"."""
    names = dict(choices.choices)
    return ", ".join(str(names.get(code, code)) for code in (codes or [])) or "-"


class QueueStatusFilter(admin.SimpleListFilter):
    title = _("상태")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return [(s.value, s.label) for s in QUEUE_STATUSES]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Contract]) -> QuerySet[Contract]:
        if self.value():
            return queryset.filter(status=self.value())
        return queryset


class ContractListAdmin(NoRevertHistoryAdmin):
    """What the contract list and the review queue share: columns, search, applying, bulk actions."""

    list_display: tuple[Any, ...] = (
        "number_display",
        "customer",
        "plan",
        "status",
        "billing_cycle",
        "seats",
        "activation_display",
        "termination_effective_on",
    )
    list_display_links = ("number_display", "customer")
    search_fields = ("customer__legal_name", "customer__business_number", "plan__code", "plan__name")
    search_help_text = _("고객명, 사업자등록번호, 요금제 코드/이름 또는 계약번호(CT-000001)")
    list_select_related = ("customer", "plan")
    list_per_page = 50
    actions = ("approve_selected", "hold_selected")
    change_list_template = "admin/contracts/contract/change_list.html"

    @admin.display(description=_("계약번호"), ordering="pk")
    def number_display(self, obj: Contract) -> str:
        return obj.number

    @admin.display(description=_("개통일"), ordering="activation_date")
    def activation_display(self, obj: Contract) -> str:
        if obj.activated_on:
            return formatting.day(obj.activated_on)
        if obj.activation_date:
            return str(_("{date} (예정)").format(date=formatting.day(obj.activation_date)))
        return "-"

    @admin.display(description=_("보류 사유"))
    def hold_reasons_display(self, obj: Contract) -> str:
        return labels(HoldReason, obj.hold_reasons)

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Contract], search_term: str) -> Any:
        match = re.fullmatch(r"\s*CT-?0*(\d+)\s*", search_term, flags=re.IGNORECASE)
        if match:
            return queryset.filter(pk=int(match.group(1))), False
        return super().get_search_results(request, queryset, search_term)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # contracts end through their lifecycle and are kept (DAT-3)

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """A new contract is an application (CON-1): the form calls ``applications.contract_apply``."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        today = clock.today()
        if request.method == "POST":
            form = ContractApplyForm(request.POST, admin_site=self.admin_site)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    with acting_as(request.user):
                        contract = applications.contract_apply(
                            customer=data["customer"],
                            plan=data["plan"],
                            requested_start=data["requested_start"],
                            today=today,
                            member=data["member"],
                            seats=data["seats"],
                            billing_cycle=data["billing_cycle"] or None,
                            term_months=data["term_months"],
                        )
                except DomainError as error:
                    show_error(request, error)
                else:
                    messages.success(
                        request, _("이용 신청을 접수했습니다: {number}").format(number=contract.number)
                    )
                    return HttpResponseRedirect(
                        reverse("admin:contracts_contract_change", args=[contract.pk])
                    )
        else:
            form = ContractApplyForm(admin_site=self.admin_site, initial={"requested_start": today})
        return render_form_page(
            self,
            request,
            form=form,
            title=_("이용 신청 접수"),
            submit_label=_("신청 접수"),
            cancel_url=reverse("admin:contracts_contract_changelist"),
            description=_(
                "신청은 자동 점검(CON-2)을 거쳐 심사 대기 목록에 올라갑니다. 서류는 접수 후 "
                "계약 화면에서 등록합니다 (CON-3)."
            ),
        )

    # ----- bulk actions

    def _bulk(
        self,
        request: HttpRequest,
        queryset: QuerySet[Contract],
        run: Callable[[Contract, dt.date], Any],
        label: Any,
    ) -> None:
        today = clock.today()
        done = 0
        for contract in queryset.select_related("customer", "plan", "policy").order_by("pk"):
            try:
                with acting_as(request.user):
                    run(contract, today)
            except DomainError as error:
                self.message_user(request, f"{contract.number}: {error.message}", level=messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                _("{action}: {count}건을 처리했습니다.").format(action=label, count=done),
                messages.SUCCESS,
            )

    @admin.action(description=_("선택한 신청 승낙"), permissions=["change"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[Contract]) -> TemplateResponse | None:
        """A confirmation page listing the chosen applications first (like Django's delete confirmation);
        only its "approve" button approves them (issue 15)."""
        if "apply" in request.POST:
            self._bulk(
                request,
                queryset,
                lambda c, today: applications.contract_approve(contract=c, today=today),
                _("승낙"),
            )
            return None
        return self._bulk_page(
            request,
            queryset,
            action_name="approve_selected",
            title=_("선택한 신청 승낙"),
            form=None,
            question=_("다음 신청을 승낙합니다. 승낙한 계약은 개통일에 개통됩니다. 계속할까요?"),
        )

    @admin.action(description=_("선택한 신청 보류 (사유 선택)"), permissions=["change"])
    def hold_selected(self, request: HttpRequest, queryset: QuerySet[Contract]) -> TemplateResponse | None:
        form = BulkHoldForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            self._bulk(
                request,
                queryset,
                lambda c, today: applications.contract_hold(
                    contract=c, reasons=data["reasons"], today=today, note=data["note"]
                ),
                _("보류"),
            )
            return None
        return self._bulk_page(
            request, queryset, action_name="hold_selected", title=_("선택한 신청 보류"), form=form
        )

    def _bulk_page(
        self,
        request: HttpRequest,
        queryset: QuerySet[Contract],
        *,
        action_name: str,
        title: Any,
        form: Any,
        question: Any = "",
    ) -> TemplateResponse:
        """The page in front of a bulk action: the chosen applications, the action's form (if any) and
        its button; cancelling goes back to the list it came from."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "question": question,
            "form": form,
            "queryset": queryset.select_related("customer", "plan"),
            "action_name": action_name,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "cancel_url": request.get_full_path(),
            "media": self.media + (form.media if form is not None else forms.Media()),
        }
        return TemplateResponse(request, BULK_FORM_TEMPLATE, context)

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class ContractQueueAdmin(ContractListAdmin):
    """신청 심사 대기: applied and held contracts, oldest first, with their automatic checks (CON-2)
    and missing documents (CON-3). Served by ``ContractAdmin`` at ``contract/queue/``."""

    list_display = (
        "number_display",
        "customer",
        "plan",
        "status",
        "applied_on",
        "requested_start",
        "check_badges",
        "missing_document_badges",
        "hold_reasons_display",
    )
    list_filter = (QueueStatusFilter, policy_filter("plan__policy__code"))
    date_hierarchy = None
    ordering = ("applied_on", "pk")
    actions = ("approve_selected", "hold_selected")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Contract]:
        return (
            super()
            .get_queryset(request)
            .filter(status__in=QUEUE_STATUSES)
            .prefetch_related("checks", "documents")
        )

    @admin.display(description=_("자동 점검 (CON-2)"))
    def check_badges(self, obj: Contract) -> str:
        checks = list(obj.checks.all())
        if not checks:
            return "-"
        return format_html_join(
            " ",
            '<span class="badge {}" title="{}">{} {}</span>',
            (
                (
                    "badge-ok" if c.passed else "badge-fail",
                    c.detail,
                    "✔" if c.passed else "✘",
                    c.get_code_display(),
                )
                for c in checks
            ),
        )

    @admin.display(description=_("미제출 서류 (CON-3)"))
    def missing_document_badges(self, obj: Contract) -> str:
        missing = applications.missing_documents(obj)
        if not missing:
            return format_html('<span class="badge badge-ok">{}</span>', _("모두 제출"))
        names = dict(ContractDocument._meta.get_field("kind").choices or [])
        return format_html_join(
            " ", '<span class="badge badge-fail">{}</span>', ((names.get(k, k),) for k in missing)
        )
