"""Back office: the operations dashboard (issue 17, SPEC §11): the book in charts, each with its numbers as a
table and a CSV, each bar linking to the filtered admin list behind it.

Receivables by days past due, revenue by month and by preset, customers on each dunning step, open
disputes and SLA claims by deadline, availability by service (closed SLA months), messages sent and
failed by day. Every number is read by a selector (``billing.selectors``, ``sla.selectors``,
``messaging.selectors``); this module only lays them out as :class:`core.charts.ChartTable`.

The page is for who may view invoices (``billing.view_invoice``, the after-due dashboard's permission);
the SLA charts are shown only to who may also view SLA months, the messaging chart only to who may also
view messages (the billing group sees neither).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contracts.models import DunningAction
from core import clock
from core.charts import ChartTable, Column, csv_download
from messaging import selectors as messaging_selectors
from sla import selectors as sla_selectors
from sla.models import SlaMonth

from .. import selectors
from ..models import Dispute, Invoice

URL_NAME = "billing_operations_dashboard"
TITLE = _("운영 대시보드")
TEMPLATE = "admin/billing/operations_dashboard.html"
SLA_PERMISSION = "sla.view_slamonth"
MESSAGING_PERMISSION = "messaging.view_message"
MESSAGE_DAYS = 30
#: Deadline buckets of the disputes and claims chart: (key, label, first day from today, last day or None).
DEADLINE_BUCKETS: tuple[tuple[str, Any, int | None, int | None], ...] = (
    ("overdue", _("기한 지남"), None, -1),
    ("week", _("7일 이내"), 0, 7),
    ("month", _("8–30일"), 8, 30),
    ("later", _("30일 초과"), 31, None),
)


def _changelist(name: str, **params: Any) -> str:
    url = reverse(f"admin:{name}")
    query = urlencode({k: v for k, v in params.items() if v is not None and v != ""})
    return f"{url}?{query}" if query else url


def _month_params(field: str, month: dt.date) -> dict[str, Any]:
    return {f"{field}__year": month.year, f"{field}__month": month.month}


def receivables_table(today: dt.date) -> ChartTable:
    buckets = selectors.receivables_by_age(today)
    links = [
        _changelist(
            "billing_invoice_changelist",
            status__exact=Invoice.Status.ISSUED,
            due_date__gte=b.due_from.isoformat() if b.due_from else None,
            due_date__lte=b.due_to.isoformat(),
        )
        for b in buckets
    ]
    return ChartTable(
        id="receivables",
        title=_("미수금 (납기 경과 일수별)"),
        note=_("발행 후 미납인 청구서의 미결제 금액을 납기일(BIL-3)부터 지난 날수로 나눕니다."),
        columns=[
            Column("label", _("경과 일수")),
            Column("invoices", _("청구서"), "num"),
            Column("amount_won", _("미수금"), "won"),
        ],
        rows=[
            {
                "label": gettext("{days}일").format(days=b.label),
                "invoices": b.invoices,
                "amount_won": b.amount_won,
            }
            for b in buckets
        ],
        label="label",
        series=("amount_won",),
        links={"label": links, "amount_won": links},
    )


def revenue_table(today: dt.date) -> ChartTable:
    rows = selectors.revenue_by_month(today)
    links = [
        _changelist("billing_invoice_changelist", **_month_params("issue_date", r["month"])) for r in rows
    ]
    return ChartTable(
        id="revenue-month",
        title=_("월별 청구 금액 (발행 기준)"),
        columns=[
            Column("month", _("월"), "month"),
            Column("invoices", _("청구서"), "num"),
            Column("supply_won", _("공급가액"), "won"),
            Column("total_won", _("합계"), "won"),
        ],
        rows=rows,
        label="month",
        series=("total_won",),
        links={"month": links, "total_won": links},
    )


def revenue_preset_table(today: dt.date) -> ChartTable:
    presets, months = selectors.revenue_by_preset(today)
    rows = [
        {"month": m["month"], **{f"p:{c}": m["by_preset"][c] for c in presets}, "total": m["total_won"]}
        for m in months
    ]
    links = {
        f"p:{code}": [
            _changelist(
                "billing_invoice_changelist", policy__code=code, **_month_params("issue_date", m["month"])
            )
            for m in months
        ]
        for code in presets
    }
    return ChartTable(
        id="revenue-preset",
        title=_("약관(프리셋)별 월 청구 금액"),
        columns=[
            Column("month", _("월"), "month"),
            *[Column(f"p:{code}", code, "won") for code in presets],
            Column("total", _("합계"), "won"),
        ],
        rows=rows,
        label="month",
        series=tuple(f"p:{code}" for code in presets),
        stacked=True,
        links=links,
    )


def dunning_table() -> ChartTable:
    labels = {selectors.NO_STEP: gettext("단계 전 (납기 경과)"), **dict(DunningAction.choices)}
    counts = selectors.dunning_step_counts()
    rows = [
        {"step": str(labels.get(r["action"], r["action"])), "customers": r["customers"], "cases": r["cases"]}
        for r in counts
    ]
    links = [_changelist("billing_dunningcase_changelist", step=r["action"] or "none") for r in counts]
    return ChartTable(
        id="dunning-steps",
        title=_("연체 단계별 고객 수"),
        note=_("진행 중이거나 일시 중지된 연체 사건의 현재 단계(DUN-2)입니다."),
        columns=[
            Column("step", _("현재 단계")),
            Column("customers", _("고객 수"), "num"),
            Column("cases", _("사건 수"), "num"),
        ],
        rows=rows,
        label="step",
        series=("customers",),
        links={"step": links, "customers": links},
        empty=_("진행 중인 연체 사건이 없습니다."),
    )


def _bucket_of(today: dt.date, due: dt.date | None) -> str | None:
    if due is None:
        return None
    days = (due - today).days
    for key, _label, low, high in DEADLINE_BUCKETS:
        if (low is None or days >= low) and (high is None or days <= high):
            return key
    return None


def _bucket_range(today: dt.date, low: int | None, high: int | None, field: str) -> dict[str, Any]:
    return {
        f"{field}__gte": (today + dt.timedelta(days=low)).isoformat() if low is not None else None,
        f"{field}__lte": (today + dt.timedelta(days=high)).isoformat() if high is not None else None,
    }


def deadlines_tables(today: dt.date, *, with_sla: bool) -> list[ChartTable]:
    """Open disputes (BIL-10, answer due) and, for SLA staff, months whose credit awaits a claim (SLA-5,
    claim due) by deadline bucket; then every item with its deadline (claims received: no deadline)."""
    disputes = selectors.open_disputes(today, limit=50)
    awaiting = list(sla_selectors.months_awaiting_claim(today)[:50]) if with_sla else []
    received = list(sla_selectors.open_claims()[:50]) if with_sla else []
    counts = {key: {"disputes": 0, "claims": 0} for key, *_rest in DEADLINE_BUCKETS}
    all_disputes = Dispute.objects.filter(status=Dispute.Status.OPEN).values_list("answer_due_on", flat=True)
    for due in all_disputes:
        key = _bucket_of(today, due)
        if key:
            counts[key]["disputes"] += 1
    if with_sla:
        for claim_due in sla_selectors.months_awaiting_claim(today).values_list("claim_due_on", flat=True):
            key = _bucket_of(today, claim_due)
            if key:
                counts[key]["claims"] += 1
    columns = [Column("bucket", _("기한")), Column("disputes", _("이의신청 (답변 기한)"), "num")]
    series: tuple[str, ...] = ("disputes",)
    links = {
        "disputes": [
            _changelist(
                "billing_dispute_changelist",
                status__exact=Dispute.Status.OPEN,
                **_bucket_range(today, low, high, "answer_due_on"),
            )
            for _key, _label, low, high in DEADLINE_BUCKETS
        ]
    }
    if with_sla:
        columns.append(Column("claims", _("SLA 보상 (청구 기한)"), "num"))
        series = ("disputes", "claims")
        links["claims"] = [
            ""  # a claim window that has closed is not awaiting a claim any more
            if low is None
            else _changelist(
                "sla_slamonth_changelist",
                status__exact=SlaMonth.Status.AWAITING_CLAIM,
                **_bucket_range(today, low, high, "claim_due_on"),
            )
            for _key, _label, low, high in DEADLINE_BUCKETS
        ]
    chart = ChartTable(
        id="deadlines",
        title=_("처리 기한별 이의신청·SLA 보상 청구"),
        columns=columns,
        rows=[{"bucket": str(label), **counts[key]} for key, label, _low, _high in DEADLINE_BUCKETS],
        label="bucket",
        series=series,
        stacked=True,
        links=links,
    )
    items: list[dict[str, Any]] = []
    item_links: list[str] = []
    for dispute in disputes["oldest"]:
        items.append(
            {
                "kind": gettext("이의신청"),
                "customer": str(dispute.customer),
                "subject": str(dispute.invoice),
                "amount": dispute.amount_won,
                "due": dispute.answer_due_on,
            }
        )
        item_links.append(reverse("admin:billing_dispute_change", args=[dispute.pk]))
    for month in awaiting:
        items.append(
            {
                "kind": gettext("SLA 보상 청구 대기"),
                "customer": str(month.contract.customer),
                "subject": f"{month.contract} · {month.month:%Y-%m}",
                "amount": month.credit_won,
                "due": month.claim_due_on,
            }
        )
        item_links.append(reverse("admin:sla_slamonth_change", args=[month.pk]))
    for claim in received:
        items.append(
            {
                "kind": gettext("SLA 보상 청구 접수 (결정 대기)"),
                "customer": str(claim.contract.customer),
                "subject": f"{claim.contract} · {claim.sla_month.month:%Y-%m}",
                "amount": claim.amount_won,
                "due": None,
            }
        )
        item_links.append(reverse("admin:sla_slaclaim_change", args=[claim.pk]))
    order = sorted(range(len(items)), key=lambda i: (items[i]["due"] is None, items[i]["due"] or today))
    listing = ChartTable(
        id="deadline-list",
        title=_("처리 중인 이의신청·SLA 보상 청구"),
        columns=[
            Column("kind", _("구분")),
            Column("customer", _("고객")),
            Column("subject", _("대상")),
            Column("amount", _("금액"), "won"),
            Column("due", _("기한"), "day"),
        ],
        rows=[items[i] for i in order],
        chart="",
        links={"kind": [item_links[i] for i in order]},
        empty=_("처리 중인 이의신청이나 보상 청구가 없습니다."),
    )
    return [chart, listing]


def availability_table(today: dt.date) -> ChartTable:
    months = selectors.revenue_months(today)
    rows = sla_selectors.availability_by_service(months)
    services = sorted({r["service"] for r in rows})
    cells = {(r["service"], r["month"]): r for r in rows}
    shown = [m for m in months if any((s, m) in cells for s in services)]
    return ChartTable(
        id="availability",
        title=_("서비스별 월 가용률 (마감된 SLA 월)"),
        note=_("서비스(약관)별 계약들의 월 가용률 평균입니다 (SLA-3). 마감된 달만 나옵니다."),
        columns=[Column("month", _("월"), "month"), *[Column(f"s:{s}", s, "pct") for s in services]],
        rows=[
            {"month": m, **{f"s:{s}": cells[(s, m)]["mean"] if (s, m) in cells else None for s in services}}
            for m in shown
        ],
        label="month",
        series=tuple(f"s:{s}" for s in services),
        chart="line",
        links={
            f"s:{s}": [
                _changelist("sla_slamonth_changelist", contract__policy__code=s, **_month_params("month", m))
                for m in shown
            ]
            for s in services
        },
        empty=_("마감된 SLA 월이 없습니다."),
    )


def messages_table(today: dt.date) -> ChartTable:
    start = today - dt.timedelta(days=MESSAGE_DAYS - 1)
    rows = messaging_selectors.messages_by_day(start=start, end=today)

    def link(day: dt.date, **extra: Any) -> str:
        params = {"created_at__year": day.year, "created_at__month": day.month, "created_at__day": day.day}
        return _changelist("messaging_message_changelist", **params, **extra)

    return ChartTable(
        id="messages",
        title=_("일별 메시지 발송·실패 (최근 30일)"),
        columns=[
            Column("day", _("일자"), "day"),
            Column("sent", _("발송"), "num"),
            Column("delivered", _("성공"), "num"),
            Column("failed", _("실패"), "num"),
        ],
        rows=rows,
        label="day",
        series=("sent", "failed"),
        links={
            "day": [link(r["day"]) for r in rows],
            "sent": [link(r["day"]) for r in rows],
            "failed": [link(r["day"], status__exact="failed") for r in rows],
        },
    )


def dashboard_tables(request: HttpRequest, today: dt.date) -> list[ChartTable]:
    with_sla = bool(request.user.has_perm(SLA_PERMISSION))
    tables = [
        receivables_table(today),
        revenue_table(today),
        revenue_preset_table(today),
        dunning_table(),
        *deadlines_tables(today, with_sla=with_sla),
    ]
    if with_sla:
        tables.append(availability_table(today))
    if request.user.has_perm(MESSAGING_PERMISSION):
        tables.append(messages_table(today))
    return tables


def dashboard_view(model_admin: Any, request: HttpRequest) -> HttpResponse:
    """The page, or one of its tables as CSV (``?csv=<table id>``). The caller checked the permission."""
    today = clock.today()
    tables = dashboard_tables(request, today)
    download = csv_download(request, tables, filename=f"operations-{today.isoformat()}")
    if download is not None:
        return download
    context = {
        **model_admin.admin_site.each_context(request),
        "title": str(TITLE),
        "today": today,
        "tables": tables,
    }
    return TemplateResponse(request, TEMPLATE, context)
