"""Back office for terms releases and consent (TRM-2..6), and the read-only logs of contract
transitions and suspensions. Publishing goes through ``contracts.services.terms.terms_publish``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import clock
from core.adminkit import (
    NoRevertHistoryAdmin,
    PersonalDataAdminMixin,
    ReadOnlyAdminMixin,
    actor_column,
    show_error,
)
from core.audit import acting_as
from core.errors import DomainError

from ..models import ConsentDecision, ContractTransition, Suspension, TermsConsent, TermsRelease
from ..services import terms
from ..services.terms_documents import terms_compare
from .actions import render_form_page
from .filters import policy_filter
from .forms import TermsPublishForm


@admin.register(TermsRelease)
class TermsReleaseAdmin(NoRevertHistoryAdmin):
    list_display = (
        "policy",
        "previous",
        "published_on",
        "effective_on",
        "unfavourable",
        "price_increase",
        "transitioned_on",
        "consents",
    )
    list_filter = ("unfavourable", "price_increase", "policy__code")  # a few rows per policy
    search_fields = ("policy__code", "policy__name", "reasons")
    date_hierarchy = "effective_on"
    list_select_related = ("policy", "previous")
    fields = readonly_fields = (
        "policy",
        "previous",
        "published_on",
        "effective_on",
        "unfavourable",
        "price_increase",
        "reasons",
        "transitioned_on",
        "consents",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[TermsRelease]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                _accepted=Count(
                    "policy__consents", filter=Q(policy__consents__decision=ConsentDecision.ACCEPTED)
                ),
                _refused=Count(
                    "policy__consents", filter=Q(policy__consents__decision=ConsentDecision.REFUSED)
                ),
                _deemed=Count(
                    "policy__consents", filter=Q(policy__consents__decision=ConsentDecision.DEEMED)
                ),
            )
        )

    @admin.display(description=_("동의 / 거부 / 간주 (TRM-4)"))
    def consents(self, obj: TermsRelease) -> str:
        return "{} / {} / {}".format(
            getattr(obj, "_accepted", 0), getattr(obj, "_refused", 0), getattr(obj, "_deemed", 0)
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a published notice is never edited (TRM-3)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Publish a new version: ``terms.terms_publish`` checks the notice and notifies (TRM-2, TRM-3)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        today = clock.today()
        extra: dict[str, Any] = {}
        if request.method == "POST":
            form = TermsPublishForm(request.POST)
            if form.is_valid() and "_preview" in request.POST:
                # Staff see the 신구조문 대비표 before the notice goes out (TRM-3).
                data = form.cleaned_data
                try:
                    extra = {
                        "comparison": terms_compare(old=data["previous"], new=data["policy"]),
                        "pdf_url": reverse(
                            "admin:contracts_policy_terms_compare_pdf",
                            args=[data["previous"].pk, data["policy"].pk],
                        ),
                    }
                except DomainError as error:
                    show_error(request, error)
            elif form.is_valid():
                data = form.cleaned_data
                try:
                    with acting_as(request.user):
                        release = terms.terms_publish(
                            policy=data["policy"],
                            previous=data["previous"],
                            effective_on=data["effective_on"],
                            reasons=data["reasons"],
                            today=today,
                            unfavourable=data["unfavourable"],
                            price_increase=data["price_increase"],
                        )
                except DomainError as error:
                    show_error(request, error)
                else:
                    messages.success(
                        request,
                        _("약관 개정을 공지했습니다: {policy}, 시행일 {date}").format(
                            policy=release.policy, date=release.effective_on
                        ),
                    )
                    return HttpResponseRedirect(reverse("admin:contracts_termsrelease_changelist"))
        else:
            form = TermsPublishForm(initial={"effective_on": today + dt.timedelta(days=30)})
        return render_form_page(
            self,
            request,
            form=form,
            title=_("새 약관 버전 공지"),
            submit_label=_("공지"),
            cancel_url=reverse("admin:contracts_termsrelease_changelist"),
            description=_(
                "대상 고객 모두에게 시행일, 개정 사유, 시행일까지 거부하지 않으면 동의로 본다는 안내가 "
                "발송됩니다 (TRM-3). 공지 전에 '대비표 미리보기'로 신구조문 대비표를 확인하세요."
            ),
            extra={"preview_button": _("대비표 미리보기"), **extra},
        )


@admin.register(TermsConsent)
class TermsConsentAdmin(PersonalDataAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("customer", "policy", "decision", "channel", "decided_at", "member", "ip_address")
    list_filter = ("decision", "channel", policy_filter("policy__code"))
    search_fields = ("customer__legal_name", "customer__business_number")
    date_hierarchy = "decided_at"
    list_select_related = ("customer", "policy", "member")


@admin.register(ContractTransition)
class ContractTransitionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "contract", "from_status", "to_status", "on_date", "actor_shown", "reason")
    actor_shown = actor_column()
    list_filter = ("to_status", "from_status")
    search_fields = (
        "contract__customer__legal_name",
        "contract__customer__business_number",
        "actor",
        "reason",
    )
    date_hierarchy = "on_date"
    list_select_related = ("contract__customer", "contract__plan")


class SuspensionOpenFilter(admin.SimpleListFilter):
    title = _("진행 여부")
    parameter_name = "open"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return [("yes", _("진행 중")), ("no", _("해제됨"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Suspension]) -> QuerySet[Suspension]:
        if self.value() == "yes":
            return queryset.filter(lifted_on__isnull=True)
        if self.value() == "no":
            return queryset.filter(lifted_on__isnull=False)
        return queryset


@admin.register(Suspension)
class SuspensionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Suspensions are started, lifted and appealed from the contract page (CON-10)."""

    list_display = (
        "contract",
        "kind",
        "reason",
        "noticed_on",
        "starts_on",
        "planned_end_on",
        "started",
        "lifted_on",
        "appeal",
    )
    list_filter = ("kind", SuspensionOpenFilter, "started", "appeal")
    search_fields = ("contract__customer__legal_name", "contract__customer__business_number", "reason")
    date_hierarchy = "starts_on"
    list_select_related = ("contract__customer", "contract__plan")
