"""Back office: dunning (SPEC §6, DUN-2, DUN-3) and the staff dashboard (SPEC §11).

Dunning cases with their step log, the step reached and the next step with its date (DUN-2): the
list reads every row's ladder position for the whole page at once (``ladder_positions``), so a page of
100 cases costs the same queries as a page of 2. Ladder pauses (DUN-3) are added through
``dunning.dunning_pause``. The dashboard (unpaid by age, revenue by month, open disputes) is a
fixed handful of aggregate queries whatever the data size.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer
from contracts.admin.filters import policy_filter
from contracts.models import DunningAction
from core import clock, formatting
from core.admin_counts import LargeListMixin
from core.admin_dates import BoundedChangeList
from core.adminkit import (
    AdminPage,
    ReadOnlyAdminMixin,
    StatusTransitionInline,
    form_page,
    run_action_form,
    won_column,
)
from core.audit import acting_as
from core.errors import DomainError
from core.fields import BusinessDateFormField
from core.forms import add_domain_error

from ..models import DunningCase, DunningPause, DunningStep
from ..selectors import (
    OPEN_CASE_STATUSES,
    case_current_step,
    case_open_amount,
    ladder_positions,
    next_step_of,
    open_disputes,
    receivables_by_age,
    revenue_by_month,
)
from ..services import dunning
from ..services.dunning import LadderPosition
from . import overview

DASHBOARD_TEMPLATE = "admin/billing/dunningcase/dashboard.html"
DASHBOARD_PERMISSION = "billing.view_invoice"


def _won(value: Any) -> str:
    return formatting.won(int(value or 0))


# --------------------------------------------------------------------------- dunning (SPEC §6, DUN-2, DUN-3)


class PauseForm(forms.Form):
    """DUN-3 (002 art.33① 특별 승인): a reason and an end date."""

    reason = forms.CharField(label=_("사유"), widget=forms.Textarea(attrs={"rows": 3}))
    ends_on = BusinessDateFormField(
        label=_("종료일"), help_text=_("YYYY-MM-DD; 이 날까지 연체 단계를 멈춥니다.")
    )


def _pause(customer: Any, data: dict[str, Any], request: HttpRequest) -> DunningPause:
    return dunning.dunning_pause(
        customer=customer,
        reason=data["reason"],
        ends_on=data["ends_on"],
        today=clock.today(),
        actor=request.user,
    )


class DunningStepInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The case's step log: each ladder step once, with its date (SPEC §6). Read-only."""

    model = DunningStep
    extra = 0
    can_delete = False
    fields = ("index", "action", "scheduled_on", "executed_on", "amount", "detail", "cancelled_on")
    amount = won_column("amount_won", _("미납액"))
    readonly_fields = fields
    ordering = ("index",)


class PresetFilter(policy_filter("invoice__policy__code")):  # type: ignore[misc,valid-type]
    """The invoice's policy code; the query string stays ``?preset=`` (the choices come from the policy
    table, not a scan of the cases: issue 16)."""

    parameter_name = "preset"


class CurrentStepFilter(admin.SimpleListFilter):
    """The step an open or paused case is on (DUN-2; the operations dashboard's "customers on each dunning
    step" links here): a chosen step shows only cases still running, as the dashboard counts them."""

    title = _("진행 중 사건의 현재 단계")
    parameter_name = "step"
    NONE = "none"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return [(self.NONE, _("단계 전")), *[(action.value, action.label) for action in DunningAction]]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if not value:
            return queryset
        running = queryset.filter(status__in=OPEN_CASE_STATUSES)
        if value == self.NONE:
            return running.filter(_step_action__isnull=True)
        return running.filter(_step_action=value)


class DunningCaseChangeList(BoundedChangeList):  # date drill-down bounded (issue #14)
    """Reads the ladder position of every case on the page at once (no query per row)."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        cases = list(self.result_list)
        positions = ladder_positions(cases, clock.today())
        for case in cases:
            case.ladder_position = positions.get(case.pk)  # type: ignore[attr-defined]


def _position(case: DunningCase) -> LadderPosition | None:
    if not hasattr(case, "ladder_position"):  # the change page: one case
        case.ladder_position = ladder_positions([case], clock.today()).get(case.pk)  # type: ignore[attr-defined]
    return case.ladder_position  # type: ignore[attr-defined,no-any-return]


def next_step_text(case: DunningCase) -> str:
    """The case's next ladder step in words and its date, "안내 (2026-12-01)" (DUN-2); "—" at the ladder's
    end."""
    upcoming = next_step_of(_position(case))
    if upcoming is None:
        return "—"
    label = step_label(upcoming.action)
    return f"{label} ({formatting.day(upcoming.on)})" if upcoming.on else label


def step_label(action: str) -> str:
    """A ladder action code as its label (``notify`` → "안내")."""
    return str(dict(DunningAction.choices).get(action, action))


@admin.register(DunningCase)
class DunningCaseAdmin(LargeListMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Overdue invoices on their ladder: amount, the step reached, the next step and its date (DUN-2)."""

    # The key columns first (issue 15): due date, open amount and status, then the ladder.
    list_display = (
        "invoice",
        "customer",
        "status",
        "due_date",
        "overdue_amount",
        "current_step",
        "next_step",
    )
    list_filter = ("status", PresetFilter, CurrentStepFilter, "opened_on")
    search_fields = ("customer__legal_name", "customer__business_number", "invoice__number")
    list_select_related = ("invoice", "customer")  # each policy once, by ladder_positions
    date_hierarchy = "opened_on"
    inlines = (DunningStepInline, StatusTransitionInline)
    actions = ("pause_ladder",)
    admin_pages = (
        AdminPage("billing_after_due_dashboard", _("미납·매출·이의신청 현황"), "has_dashboard_permission"),
        AdminPage(overview.URL_NAME, overview.TITLE, "has_dashboard_permission"),
    )
    fields = (
        "invoice",
        "customer",
        "status",
        "opened_on",
        "resolved_on",
        "resolution",
        "overdue_amount",
        "next_step",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[DunningCase]:
        last = DunningStep.objects.filter(case=OuterRef("pk")).order_by("-index")
        return (
            super()
            .get_queryset(request)
            .annotate(
                _open_won=case_open_amount(),
                _step_action=case_current_step(),
                _step_on=Subquery(last.values("executed_on")[:1]),
            )
        )

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return DunningCaseChangeList

    def get_urls(self) -> list[Any]:
        extra = [
            path(
                "dashboard/",
                self.admin_site.admin_view(self.dashboard_view),
                name="billing_after_due_dashboard",
            ),
            path(
                "operations/",
                self.admin_site.admin_view(self.operations_view),
                name=overview.URL_NAME,
            ),
        ]
        return extra + super().get_urls()

    @admin.display(description=_("납기일"), ordering="invoice__due_date")
    def due_date(self, obj: DunningCase) -> dt.date:
        return obj.invoice.due_date

    @admin.display(description=_("미납액"), ordering="_open_won")
    def overdue_amount(self, obj: DunningCase) -> str:
        return _won(getattr(obj, "_open_won", None))

    @admin.display(description=_("현재 단계"))
    def current_step(self, obj: DunningCase) -> str:
        action = getattr(obj, "_step_action", None)
        if not action:
            return "—"
        return f"{step_label(action)} ({formatting.day(getattr(obj, '_step_on', None))})"

    @admin.display(description=_("다음 단계 (예정일)"))
    def next_step(self, obj: DunningCase) -> str:
        return next_step_text(obj)

    def has_pause_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("billing.add_dunningpause")

    @admin.action(description=_("고객의 연체 단계 일시 중지 (DUN-3)"), permissions=["pause"])
    def pause_ladder(self, request: HttpRequest, queryset: QuerySet[DunningCase]) -> Any:
        done: set[int] = set()

        def handle(case: DunningCase, data: dict[str, Any]) -> str:
            if case.customer_id in done:
                return gettext("{customer}: 이미 중지했습니다.").format(customer=case.customer)
            pause = _pause(case.customer, data, request)
            done.add(case.customer_id)
            return gettext("{customer}의 연체 단계를 {ends_on}까지 중지했습니다.").format(
                customer=case.customer, ends_on=pause.ends_on
            )

        return run_action_form(
            self,
            request,
            queryset.select_related("customer"),
            form_class=PauseForm,
            title=gettext("연체 단계 일시 중지 (DUN-3)"),
            handle=handle,
        )

    def has_dashboard_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm(DASHBOARD_PERMISSION))

    def dashboard_view(self, request: HttpRequest) -> HttpResponse:
        """Revenue, overdue amounts and customer names: billing data, so only staff who may view invoices
        (``billing.view_invoice``: the support, billing and compliance groups; not SLA or messaging)."""
        if not self.has_dashboard_permission(request):
            raise PermissionDenied
        today = clock.today()
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("미납·매출·이의신청 현황"),
            "today": today,
            **dashboard_numbers(today),
        }
        return TemplateResponse(request, DASHBOARD_TEMPLATE, context)

    def operations_view(self, request: HttpRequest) -> HttpResponse:
        """The operations dashboard (issue 17): billing staff (``billing.view_invoice``); its SLA and
        messaging charts only for who may also view those (``billing.admin.overview``)."""
        if not self.has_dashboard_permission(request):
            raise PermissionDenied
        return overview.dashboard_view(self, request)


class PauseAddForm(PauseForm):
    customer = forms.ModelChoiceField(label=_("고객"), queryset=Customer.objects.none())
    field_order = ("customer", "reason", "ends_on")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.order_by("legal_name")  # type: ignore[attr-defined]


@admin.register(DunningPause)
class DunningPauseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """DUN-3: a customer's ladder paused with a reason until an end date; added through
    ``dunning.dunning_pause`` (not edited afterwards: the history shows who approved what)."""

    list_display = (
        "customer",
        "starts_on",
        "ends_on",
        "short_reason",
        "created_by",
        "cancelled_on",
        "active",
    )
    list_filter = ("starts_on", "ends_on", "cancelled_on")
    search_fields = ("customer__legal_name", "customer__business_number", "reason")
    list_select_related = ("customer", "created_by")
    date_hierarchy = "starts_on"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("billing.add_dunningpause")

    @admin.display(description=_("사유"))
    def short_reason(self, obj: DunningPause) -> str:
        return obj.reason if len(obj.reason) <= 60 else obj.reason[:59] + "…"

    @admin.display(description=_("유효"), boolean=True)
    def active(self, obj: DunningPause) -> bool:
        today = clock.today()
        return obj.cancelled_on is None and obj.starts_on <= today <= obj.ends_on

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_add_permission(request):
            messages.error(request, gettext("권한이 없습니다."))
            return HttpResponseRedirect(reverse("admin:billing_dunningpause_changelist"))
        form = PauseAddForm(request.POST or None, initial={"customer": request.GET.get("customer")})
        if request.method == "POST" and form.is_valid():
            try:
                with acting_as(request.user):
                    pause = _pause(form.cleaned_data["customer"], form.cleaned_data, request)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(
                    request,
                    gettext("{customer}의 연체 단계를 {ends_on}까지 중지했습니다.").format(
                        customer=pause.customer, ends_on=pause.ends_on
                    ),
                )
                return HttpResponseRedirect(reverse("admin:billing_dunningpause_changelist"))
        return form_page(self, request, title=gettext("연체 단계 일시 중지 (DUN-3)"), form=form)


# --------------------------------------------------------------------------- dashboard (SPEC §11)


def dashboard_numbers(today: dt.date) -> dict[str, Any]:
    """Aggregates for the after-due dashboard (``billing.selectors``), a fixed handful of queries."""
    buckets = [
        {"label": b.label, "amount_won": b.amount_won, "invoices": b.invoices}
        for b in receivables_by_age(today)
    ]
    disputes = open_disputes(today)
    return {
        "buckets": buckets,
        "overdue_total_won": sum(b["amount_won"] for b in buckets),
        "revenue": [row for row in revenue_by_month(today) if row["invoices"]],
        "open_disputes": {k: disputes[k] for k in ("count", "amount_won", "overdue")},
        "oldest_disputes": disputes["oldest"],
    }
