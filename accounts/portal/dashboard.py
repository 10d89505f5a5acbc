"""The customer's dashboard in the portal (issue 17): its contracts and seats, the next invoice as an
estimate, the open balance, availability this month and the latest notices, with two charts (billed per
month, availability this month) whose numbers are tables beside them and CSV downloads.

Every number comes from the app that owns it, scoped to the member's customer: contracts
(``contracts.selectors``, seats in use from ``contracts.services.seats``), the next invoice
(``billing.services.invoicing.next_invoice_preview``: the invoice run's own preview, BIL-2; for customer
admins, as the preview API), the open balance (``billing.selectors.open_amounts``), availability
(``sla.readouts.month_report``, SLA-3, provisional until the month closes) and notices
(``messaging.selectors.recent_inbox``). A portal page is an interface: it may read every app.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from billing import selectors as billing_selectors
from billing.services.invoicing import InvoiceDraft, next_invoice_preview
from contracts import selectors as contract_selectors
from contracts.models.contract import LIVE
from contracts.services.seats import seats_in_use
from core import clock
from core.calendar import month_start
from core.charts import ChartTable, Column, csv_download
from messaging import selectors as messaging_selectors
from sla import selectors as sla_selectors
from sla.readouts import month_report

from .auth import member_required, request_member

TEMPLATE = "portal/dashboard.html"
NOTICES = 5


def billed_table(customer: Any, today: Any) -> ChartTable:
    rows = billing_selectors.customer_billed_by_month(customer, today)
    return ChartTable(
        id="billed",
        title=_("월별 청구 금액 (최근 12개월)"),
        columns=[
            Column("month", _("월"), "month"),
            Column("invoices", _("청구서"), "num"),
            Column("total_won", _("청구 금액"), "won"),
        ],
        rows=rows,
        label="month",
        series=("total_won",),
    )


def availability_table(customer: Any, today: Any) -> ChartTable:
    now = clock.now()
    this_month = month_start(today)
    rows = []
    links = []
    for contract in sla_selectors.customer_sla_contracts(customer).filter(status__in=LIVE):
        report = month_report(contract=contract, month=this_month, now=now)
        rows.append(
            {
                "contract": f"{contract.number} {contract.plan.name}",
                "availability": report.availability.quantize(Decimal("0.001")),
                "minutes": report.counted_minutes,
            }
        )
        links.append(reverse("portal:sla_availability", args=[contract.pk]))
    return ChartTable(
        id="availability",
        title=_("이번 달 가용률"),
        note=_("이번 달은 아직 마감 전이라 지금까지의 장애 시간으로 계산한 잠정 수치입니다."),
        columns=[
            Column("contract", _("계약")),
            Column("availability", _("가용률"), "pct"),
            Column("minutes", _("인정된 장애 시간(분)"), "num"),
        ],
        rows=rows,
        label="contract",
        series=("availability",),
        links={"contract": links},
        empty=_("서비스 수준(SLA)이 있는 이용 중인 계약이 없습니다."),
    )


@member_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The dashboard page, or one of its tables as CSV (``?csv=<table id>``)."""
    member = request_member(request)
    customer = member.customer
    today = clock.today()
    tables = [billed_table(customer, today), availability_table(customer, today)]
    download = csv_download(request, tables, filename=f"dashboard-{today.isoformat()}")
    if download is not None:
        return download
    contracts = [
        {"contract": contract, "in_use": seats_in_use(contract)}
        for contract in contract_selectors.live_contracts(customer).select_related("plan")
    ]
    estimate_day: dt.date | None = None
    drafts: list[InvoiceDraft] = []
    if member.is_admin:
        estimate_day, drafts = next_invoice_preview(customer=customer, today=today)
    language = translation.get_language() or customer.preferred_language
    return render(
        request,
        TEMPLATE,
        {
            "section": "dashboard",
            "member": member,
            "customer": customer,
            "today": today,
            "contracts": contracts,
            "is_admin": member.is_admin,
            "estimate_day": estimate_day,
            "estimate_drafts": drafts,
            "estimate_total": sum(d.total_won for d in drafts),
            "balance": billing_selectors.open_amounts(customer, today),
            "overdue": billing_selectors.customer_overdue(customer, today),
            "notices": messaging_selectors.recent_inbox(member, language, NOTICES),
            "tables": tables,
        },
    )
