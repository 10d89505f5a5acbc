"""Back office: the dispute queue (BIL-10).

Open disputes first, by answer deadline, overdue deadlines in red. "답변" calls
``disputes.dispute_decide``, "기한 연장" calls ``disputes.dispute_extend``; a refusal is shown next to the
field it names. The change page's buttons come from ``templates/admin/billing/dispute/change_form.html``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import clock, formatting
from core.adminkit import ReadOnlyAdminMixin, StatusTransitionInline, form_page, won_column
from core.audit import acting_as
from core.errors import DomainError
from core.fields import BusinessDateFormField, WonFormField
from core.forms import add_domain_error

from ..models import Dispute
from ..services import disputes


class DisputeAnswerForm(forms.Form):
    upheld_amount_won = WonFormField(
        label=_("인용 금액 (원)"),
        min_value=0,
        help_text=_("0이면 기각, 이의 금액 전부면 인용, 그 사이면 일부 인용"),
    )
    answer = forms.CharField(label=_("답변"), widget=forms.Textarea(attrs={"rows": 4}))


class DisputeExtendForm(forms.Form):
    new_due_on = BusinessDateFormField(
        label=_("새 답변 기한"), help_text=_("YYYY-MM-DD (000 art.17③, 002 art.35②)")
    )
    reason = forms.CharField(label=_("지연 사유"), widget=forms.Textarea(attrs={"rows": 3}))


class OverdueAnswerFilter(admin.SimpleListFilter):
    title = _("답변 기한")
    parameter_name = "answer"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return [("overdue", _("기한 지남")), ("due_soon", _("3일 이내"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        today = clock.today()
        if self.value() == "overdue":
            return queryset.filter(status=Dispute.Status.OPEN, answer_due_on__lt=today)
        if self.value() == "due_soon":
            return queryset.filter(
                status=Dispute.Status.OPEN,
                answer_due_on__gte=today,
                answer_due_on__lte=today + dt.timedelta(days=3),
            )
        return queryset


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The dispute queue (BIL-10): open ones first, by answer deadline, overdue deadlines in red;
    "답변" → ``disputes.dispute_decide``, "기한 연장" → ``disputes.dispute_extend``."""
    inlines = (StatusTransitionInline,)

    # The key columns first (issue 15): who, how much, where it stands and the answer deadline.
    list_display = (
        "id",
        "customer",
        "amount",
        "status",
        "answer_due",
        "invoice",
        "filed_on",
        "answered_on",
        "upheld_amount",
    )
    upheld_amount = won_column("upheld_amount_won", _("인용 금액"))
    amount = won_column("amount_won", _("이의 금액"))
    list_display_links = ("id", "invoice")
    list_filter = ("status", OverdueAnswerFilter, "operator_erred", "filed_on")
    search_fields = ("customer__legal_name", "customer__business_number", "invoice__number", "reason")
    list_select_related = ("customer", "invoice", "line")
    date_hierarchy = "filed_on"
    actions = ("answer_action", "extend_action")
    readonly_fields = (
        "invoice",
        "line",
        "customer",
        "amount",
        "reason",
        "operator_erred",
        "known_on",
        "cause_on",
        "filed_on",
        "filed_by",
        "status",
        "answer_due",
        "due_extension_reason",
        "answered_on",
        "answer",
        "upheld_amount",
        "credit_note",
    )
    fields = readonly_fields

    def get_ordering(self, request: HttpRequest) -> list[Any]:
        open_first = Case(
            When(status=Dispute.Status.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        return [open_first.asc(), "answer_due_on", "-filed_on"]

    @admin.display(description=_("답변 기한"), ordering="answer_due_on")
    def answer_due(self, obj: Dispute) -> str:
        if obj.status == Dispute.Status.OPEN and obj.answer_due_on < clock.today():
            return format_html(
                '<strong class="overdue" style="color:#ba2121">{} ({})</strong>',
                formatting.day(obj.answer_due_on),
                _("기한 지남"),
            )
        return formatting.day(obj.answer_due_on)

    def has_answer_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("billing.change_dispute")

    has_extend_permission = has_answer_permission

    def get_urls(self) -> list[Any]:
        extra = [
            path(
                "<int:pk>/answer/",
                self.admin_site.admin_view(self.answer_view),
                name="billing_dispute_answer",
            ),
            path(
                "<int:pk>/extend/",
                self.admin_site.admin_view(self.extend_view),
                name="billing_dispute_extend",
            ),
        ]
        return extra + super().get_urls()

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra_context = {**(extra_context or {}), "can_answer": self.has_answer_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _one(self, request: HttpRequest, queryset: QuerySet[Dispute], name: str) -> HttpResponse | None:
        if queryset.count() != 1:
            messages.warning(request, gettext("이의신청을 한 건만 선택하세요."))
            return None
        return HttpResponseRedirect(reverse(f"admin:billing_dispute_{name}", args=[queryset.get().pk]))

    @admin.action(description=_("답변 (한 건 선택)"), permissions=["answer"])
    def answer_action(self, request: HttpRequest, queryset: QuerySet[Dispute]) -> HttpResponse | None:
        return self._one(request, queryset, "answer")

    @admin.action(description=_("답변 기한 연장 (한 건 선택)"), permissions=["extend"])
    def extend_action(self, request: HttpRequest, queryset: QuerySet[Dispute]) -> HttpResponse | None:
        return self._one(request, queryset, "extend")

    def _dispute_form(
        self, request: HttpRequest, pk: int, form_class: type[forms.Form], title: str, call: Any
    ) -> HttpResponse:
        dispute = get_object_or_404(Dispute.objects.select_related("invoice", "customer"), pk=pk)
        here = reverse("admin:billing_dispute_change", args=[dispute.pk])
        if not self.has_answer_permission(request):
            messages.error(request, gettext("권한이 없습니다."))
            return HttpResponseRedirect(here)
        form = form_class(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                with acting_as(request.user):
                    done = call(dispute, form.cleaned_data)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, done)
                return HttpResponseRedirect(here)
        return form_page(self, request, title=title, form=form, obj=dispute)

    def answer_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        def call(dispute: Dispute, data: dict[str, Any]) -> str:
            decided = disputes.dispute_decide(
                dispute=dispute,
                upheld_amount_won=data["upheld_amount_won"],
                answer=data["answer"],
                today=clock.today(),
            )
            return gettext("이의신청 #{id}: {status}").format(
                id=decided.pk, status=decided.get_status_display()
            )

        return self._dispute_form(request, pk, DisputeAnswerForm, gettext("이의신청 답변 (BIL-10)"), call)

    def extend_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        def call(dispute: Dispute, data: dict[str, Any]) -> str:
            extended = disputes.dispute_extend(
                dispute=dispute, new_due_on=data["new_due_on"], reason=data["reason"], today=clock.today()
            )
            return gettext("이의신청 #{id}의 답변 기한을 {due}로 연장했습니다.").format(
                id=extended.pk, due=extended.answer_due_on
            )

        return self._dispute_form(request, pk, DisputeExtendForm, gettext("답변 기한 연장 (BIL-10)"), call)
