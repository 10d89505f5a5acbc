"""Back office for the paid product's recipients and usage: the opt-out list (수신거부, MSG-7), which
staff add to and remove from through ``messaging.services.spam``, and the per-customer monthly usage
page (MSG-6, BIL-6) linked from the message list, read from ``messaging.selectors.monthly_usage``
in a fixed number of queries whatever the number of customers, with a CSV export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer
from contracts.models import Contract, ContractStatus
from contracts.models.contract import LIVE
from contracts.services.messaging_limits import POLICY_CODE
from core import clock, formatting
from core.adminkit import PersonalDataAdminMixin, csv_response, form_page
from core.audit import acting_as
from core.calendar import month_end, month_start
from core.errors import DomainError
from core.forms import add_domain_error

from .models import MessageKind, Recipient
from .selectors import USAGE_COLUMNS, USAGE_STATUSES, monthly_usage, price_usage
from .services import spam

USAGE_TEMPLATE = "admin/messaging/message/usage.html"
USAGE_URL_NAME = "messaging_message_usage"


# --------------------------------------------------------------------------- opt-outs (MSG-7)


class OptOutForm(forms.Form):
    customer = forms.ModelChoiceField(label=_("고객"), queryset=Customer.objects.none())
    number = forms.CharField(label=_("수신번호"), max_length=20, help_text=_("예: 010-1234-5678"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.order_by("legal_name")  # type: ignore[attr-defined]


class OptedOutFilter(admin.SimpleListFilter):
    title = _("수신 거부")
    parameter_name = "opted_out"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("all", _("전체 수신자"))]

    def choices(self, changelist: Any) -> Any:
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("수신 거부만"),
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet[Recipient]) -> QuerySet[Recipient]:
        if self.value() == "all":
            return queryset
        return queryset.filter(opted_out_at__isnull=False)


@admin.register(Recipient)
class RecipientAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    """The 수신거부 list (MSG-7): opted-out recipients by default (every recipient on request), searchable
    by number, filtered by customer. Added and removed only through ``spam.opt_out`` /
    ``spam.recipient_update``; nothing is edited here."""

    list_display = ("number", "customer", "opted_out_at", "ad_consent_at", "night_consent_at", "kakao_friend")
    list_filter = (OptedOutFilter, ("customer", admin.RelatedOnlyFieldListFilter))
    search_fields = ("number", "customer__legal_name")
    list_select_related = ("customer",)
    ordering = ("-opted_out_at", "number")
    actions = ("remove_opt_out",)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Recipient], search_term: str
    ) -> tuple[QuerySet[Recipient], bool]:
        # Numbers are stored as digits: "010-1234-5678" finds 01012345678.
        if search_term and all(ch.isdigit() or ch in "-() " for ch in search_term.strip()):
            search_term = "".join(ch for ch in search_term if ch.isdigit())
        return super().get_search_results(request, queryset, search_term)

    def get_readonly_fields(self, request: HttpRequest, obj: Recipient | None = None) -> list[str]:
        return [f.name for f in Recipient._meta.fields]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_remove_opt_out_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("messaging.change_recipient")

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Record an opt-out a recipient asked for by phone or mail (MSG-7), through ``spam.opt_out``."""
        changelist = reverse("admin:messaging_recipient_changelist")
        if not self.has_add_permission(request):
            messages.error(request, gettext("권한이 없습니다."))
            return HttpResponseRedirect(changelist)
        form = OptOutForm(request.POST or None, initial={"customer": request.GET.get("customer")})
        if request.method == "POST" and form.is_valid():
            try:
                with acting_as(request.user):
                    row = spam.opt_out(
                        customer=form.cleaned_data["customer"], number=form.cleaned_data["number"],
                        now=clock.now(),
                    )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(
                    request,
                    gettext("{customer}: {number} 수신 거부를 등록했습니다.").format(
                        customer=row.customer, number=row.number
                    ),
                )
                return HttpResponseRedirect(changelist)
        return form_page(self, request, title=gettext("수신 거부 등록 (MSG-7)"), form=form)

    @admin.action(description=_("수신 거부 해제 (MSG-7)"), permissions=["remove_opt_out"])
    def remove_opt_out(self, request: HttpRequest, queryset: QuerySet[Recipient]) -> None:
        now = clock.now()
        done = 0
        for row in queryset.filter(opted_out_at__isnull=False).select_related("customer"):
            try:
                with acting_as(request.user):
                    spam.recipient_update(customer=row.customer, number=row.number, now=now, opted_out=False)
            except DomainError as error:
                messages.error(request, f"{row.number}: {error.message}")
            else:
                done += 1
        messages.success(request, gettext("{count}건의 수신 거부를 해제했습니다.").format(count=done))


# --------------------------------------------------------------------------- monthly usage (MSG-6, BIL-6)


def usage_month(value: str | None, today: dt.date) -> dt.date:
    """The first day of the month ``YYYY-MM`` asks for (this month if missing or malformed)."""
    year, _sep, month = (value or "").partition("-")
    try:
        return dt.date(int(year), int(month), 1)
    except ValueError:
        return month_start(today)


def kgmsg_unit_prices(customer_ids: list[int], start: dt.date, end: dt.date) -> dict[int, dict[str, int]]:
    """The unit prices (``Plan.usage_unit_prices``) of each customer's kgmsg contract live in
    ``start..end``, the prices the invoice run bills delivered messages at (BIL-6). One query."""
    contracts = (
        Contract.objects.filter(
            customer_id__in=customer_ids, plan__policy__code=POLICY_CODE, activated_on__lte=end,
        )
        .exclude(terminated_on__lt=start)
        .filter(status__in=[*LIVE, ContractStatus.TERMINATED])
        .order_by("customer_id", "activated_on", "pk")
        .values_list("customer_id", "plan__usage_unit_prices")
    )
    prices: dict[int, dict[str, int]] = {}
    for customer_id, unit_prices in contracts:  # the latest activated contract wins
        prices[customer_id] = {str(k): int(v) for k, v in (unit_prices or {}).items()}
    return prices


def usage_rows(month: dt.date) -> list[dict[str, Any]]:
    """The usage page's rows for ``month``: two queries (messages, prices) whatever the data size."""
    start, end = month, month_end(month)
    rows = monthly_usage(start=start, end=end)
    return price_usage(rows, kgmsg_unit_prices([row["customer_id"] for row in rows], start, end))


def column_labels() -> dict[str, str]:
    return {
        "sms": str(MessageKind.SMS.label),
        "lms": str(MessageKind.LMS.label),
        "alimtalk": str(MessageKind.ALIMTALK.label),
        "friendtalk": gettext("친구톡"),
        "fallback": gettext("대체발송"),
    }


def status_labels() -> dict[str, str]:
    return {"sent": gettext("발송"), "delivered": gettext("성공"), "failed": gettext("실패")}


def usage_csv(month: dt.date, rows: list[dict[str, Any]]) -> HttpResponse:
    columns, statuses = column_labels(), status_labels()
    header = [gettext("월"), gettext("고객 ID"), gettext("고객")]
    header += [f"{columns[c]} {statuses[s]}" for c in USAGE_COLUMNS for s in USAGE_STATUSES]
    header += [f"{gettext('합계')} {statuses[s]}" for s in USAGE_STATUSES] + [gettext("청구 금액(원)")]
    lines = [
        [f"{month:%Y-%m}", row["customer_id"], row["customer_name"]]
        + [row["counts"][c][s] for c in USAGE_COLUMNS for s in USAGE_STATUSES]
        + [row["totals"][s] for s in USAGE_STATUSES]
        + [row["billable_won"]]
        for row in rows
    ]
    return csv_response(f"messaging-usage-{month:%Y-%m}.csv", header, lines)


def usage_view(modeladmin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    """Staff: per customer, the month's messages sent / delivered / failed by type and the billable amount."""
    today = clock.today()
    month = usage_month(request.GET.get("month"), today)
    rows = usage_rows(month)
    if request.GET.get("format") == "csv":
        return usage_csv(month, rows)
    columns = column_labels()
    table = [
        {
            **row,
            "cells": [(columns[c], row["counts"][c]) for c in USAGE_COLUMNS],
            "billable": formatting.won(row["billable_won"]),
        }
        for row in rows
    ]
    months = [month_start(today)]
    for _i in range(11):
        months.append(month_start(months[-1] - dt.timedelta(days=1)))
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.model._meta,
        "title": gettext("고객별 월간 메시지 사용량"),
        "month": month,
        "months": months,
        "columns": [columns[c] for c in USAGE_COLUMNS],
        "statuses": status_labels(),
        "rows": table,
        "total_billable": formatting.won(sum(row["billable_won"] for row in rows)),
        "csv_query": f"month={month:%Y-%m}&format=csv",
    }
    return TemplateResponse(request, USAGE_TEMPLATE, context)
