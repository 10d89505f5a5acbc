"""Back office for the paid messaging product: sender-number approvals (MSG-4), AlimTalk template reviews
(MSG-2a), and read-only message and bulk-send logs (MSG-6) with the monthly usage page (``admin_usage``,
which also holds the opt-out list). Every action calls a service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import clock
from core.admin_counts import LargeListMixin
from core.admin_filters import choices_filter
from core.adminkit import AdminPage, PersonalDataAdminMixin, ReadOnlyAdminMixin, run_action_form, show_error
from core.audit import acting_as
from core.errors import DomainError

from . import admin_usage
from .models import KakaoTemplate, Message, MessageBatch, SenderNumber
from .providers import provider_port
from .services import senders, templates_kakao, vendor


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("사유"), widget=forms.Textarea(attrs={"rows": 3}))


def _vendors() -> list[tuple[str, Any]]:
    """The messaging vendors a message can name, for the list's filter (issue 16: not a scan of the
    messages)."""
    return [(vendor.name, vendor.label) for vendor in provider_port().vendors]


def _each(request: HttpRequest, queryset: QuerySet[Any], handle: Any) -> None:
    """Call ``handle(obj)`` for each selected row as the staff member; report each outcome."""
    for obj in queryset:
        try:
            with acting_as(request.user):
                done = handle(obj)
        except DomainError as error:
            show_error(request, error)
        else:
            messages.success(request, done)


@admin.register(SenderNumber)
class SenderNumberAdmin(PersonalDataAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("number", "customer", "purpose", "status", "proof_document", "created_at", "reviewed_by")
    list_filter = ("status", "purpose")
    search_fields = ("number", "customer__legal_name")
    date_hierarchy = "created_at"
    list_select_related = ("customer", "reviewed_by")
    actions = ("approve", "reject", "block_spoofed", "revoke", "check_at_provider")

    @admin.action(description=_("발신번호 승인 (MSG-4)"), permissions=["act"])
    def approve(self, request: HttpRequest, queryset: QuerySet[SenderNumber]) -> None:
        now = clock.now()

        def handle(sender: SenderNumber) -> str:
            senders.sender_number_approve(sender=sender, now=now, actor=request.user)
            return gettext("{number}: 승인했습니다.").format(number=sender.number)

        _each(request, queryset, handle)

    def _with_reason(
        self, request: HttpRequest, queryset: QuerySet[SenderNumber], service: Any, title: str, done: str
    ) -> Any:
        now = clock.now()

        def handle(sender: SenderNumber, data: dict[str, Any]) -> str:
            service(sender=sender, reason=data["reason"], now=now, actor=request.user)
            return done.format(number=sender.number)

        return run_action_form(self, request, queryset, form_class=ReasonForm, title=title, handle=handle)

    @admin.action(description=_("발송 연동 업체 등록 여부 확인 (MSG-4)"), permissions=["act"])
    def check_at_provider(self, request: HttpRequest, queryset: QuerySet[SenderNumber]) -> None:
        """Issue 18: a number must also be registered with the vendor (Solapi) before it can send."""
        rows = list(queryset)
        try:
            found = vendor.sender_numbers_at_provider(numbers=[s.number for s in rows])
        except DomainError as error:
            show_error(request, error)
            return
        for sender in rows:
            if found.get(sender.number):
                messages.success(
                    request,
                    gettext("{number}: 발송 연동 업체에 등록된 발신번호입니다.").format(number=sender.number),
                )
            else:
                messages.warning(
                    request,
                    gettext(
                        "{number}: 발송 연동 업체에 등록되지 않았습니다. 업체 콘솔에서 등록해야 보냅니다."
                    ).format(number=sender.number),
                )

    @admin.action(description=_("발신번호 반려 (MSG-4)"), permissions=["act"])
    def reject(self, request: HttpRequest, queryset: QuerySet[SenderNumber]) -> Any:
        return self._with_reason(
            request,
            queryset,
            senders.sender_number_reject,
            gettext("발신번호 반려 (MSG-4)"),
            gettext("{number}: 반려했습니다."),
        )

    @admin.action(description=_("번호변작 차단·신고 (MSG-4)"), permissions=["act"])
    def block_spoofed(self, request: HttpRequest, queryset: QuerySet[SenderNumber]) -> Any:
        return self._with_reason(
            request,
            queryset,
            senders.sender_number_block_spoofed,
            gettext("번호변작 차단·신고 (MSG-4)"),
            gettext("{number}: 차단했습니다."),
        )

    @admin.action(description=_("발신번호 해제 (MSG-4)"), permissions=["act"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[SenderNumber]) -> Any:
        return self._with_reason(
            request,
            queryset,
            senders.sender_number_revoke,
            gettext("발신번호 해제 (MSG-4)"),
            gettext("{number}: 해제했습니다."),
        )


@admin.register(KakaoTemplate)
class KakaoTemplateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "code",
        "sender_profile",
        "customer",
        "name",
        "status",
        "rejection_reason",
        "revision",
        "reviewed_at",
    )
    list_filter = ("status",)
    search_fields = ("code", "name", "sender_profile", "customer__legal_name", "body")
    list_select_related = ("customer",)
    actions = ("submit_for_review", "record_approval", "record_rejection", "sync_from_provider")

    @admin.action(description=_("발송 연동 업체의 검수 상태 가져오기 (MSG-2a)"), permissions=["act"])
    def sync_from_provider(self, request: HttpRequest, queryset: QuerySet[KakaoTemplate]) -> None:
        """Issue 18: Kakao's review state as the vendor (Solapi) reports it, for the selected templates."""
        try:
            with acting_as(request.user):
                counts = vendor.templates_sync_from_provider(
                    now=clock.now(),
                    channels=set(queryset.values_list("sender_profile", flat=True)),
                    actor=request.user,
                )
        except DomainError as error:
            show_error(request, error)
            return
        messages.success(
            request,
            gettext(
                "검수 상태를 가져왔습니다: 변경 {changed}건, 그대로 {unchanged}건, 직원 확인 필요 {left}건."
            ).format(changed=counts.changed, unchanged=counts.unchanged, left=counts.left),
        )

    @admin.action(description=_("카카오 검수 요청 (MSG-2a)"), permissions=["act"])
    def submit_for_review(self, request: HttpRequest, queryset: QuerySet[KakaoTemplate]) -> None:
        now = clock.now()

        def handle(template: KakaoTemplate) -> str:
            templates_kakao.template_submit(template=template, now=now, actor=request.user)
            return gettext("{code}: 검수 중으로 바꿨습니다.").format(code=template.code)

        _each(request, queryset, handle)

    @admin.action(description=_("카카오 승인 기록 (MSG-2a)"), permissions=["act"])
    def record_approval(self, request: HttpRequest, queryset: QuerySet[KakaoTemplate]) -> None:
        now = clock.now()

        def handle(template: KakaoTemplate) -> str:
            templates_kakao.template_review(template=template, approved=True, now=now, actor=request.user)
            return gettext("{code}: 승인했습니다.").format(code=template.code)

        _each(request, queryset, handle)

    @admin.action(description=_("카카오 반려 기록 (MSG-2a)"), permissions=["act"])
    def record_rejection(self, request: HttpRequest, queryset: QuerySet[KakaoTemplate]) -> Any:
        now = clock.now()

        def handle(template: KakaoTemplate, data: dict[str, Any]) -> str:
            templates_kakao.template_review(
                template=template, approved=False, reason=data["reason"], now=now, actor=request.user
            )
            return gettext("{code}: 반려했습니다.").format(code=template.code)

        return run_action_form(
            self,
            request,
            queryset,
            form_class=ReasonForm,
            title=gettext("카카오 반려 기록 (MSG-2a)"),
            handle=handle,
        )


@admin.register(Message)
class MessageAdmin(LargeListMixin, PersonalDataAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    # The key columns first (issue 15): who, to whom, where it stands.
    list_display = (
        "id",
        "customer",
        "recipient",
        "status",
        "kind",
        "purpose",
        "sent_at",
        "failure_reason",
    )
    list_filter = ("status", "kind", "purpose", choices_filter("provider", _("중계사"), _vendors))
    search_fields = ("recipient", "customer__legal_name", "provider_message_id", "idempotency_key")
    date_hierarchy = "created_at"
    list_select_related = ("customer",)
    raw_id_fields = ("batch", "template", "fallback_of", "sender_number")
    change_list_template = "admin/messaging/message/change_list.html"
    admin_pages = (AdminPage(admin_usage.USAGE_URL_NAME, _("고객별 월간 사용량")),)

    def get_urls(self) -> list[Any]:
        extra = [
            path("usage/", self.admin_site.admin_view(self.usage), name=admin_usage.USAGE_URL_NAME),
        ]
        return extra + super().get_urls()

    def usage(self, request: HttpRequest) -> HttpResponse:
        """Per customer and month: sent / delivered / failed by type, amount billed (MSG-6, BIL-6)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        return admin_usage.usage_view(self, request)


@admin.register(MessageBatch)
class MessageBatchAdmin(PersonalDataAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "customer", "kind", "total", "accepted", "refused", "created_at")
    list_filter = ("kind",)
    search_fields = ("customer__legal_name", "idempotency_key")
    date_hierarchy = "created_at"
    list_select_related = ("customer",)
