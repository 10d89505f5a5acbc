"""Back office for notices (MSG-1): templates with a live preview, the send log, broadcasts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core import clock
from core.admin_counts import LargeListMixin
from core.admin_filters import choices_filter
from core.adminkit import HistoryAdmin, PersonalDataAdminMixin, ReadOnlyAdminMixin, StatusTransitionInline
from core.errors import DomainError

from . import services
from .models import Broadcast, Notice, NoticePreference, NoticeTemplate
from .rendering import render, render_subject
from .services.notices import PHONE_CHANNELS, phone_notice_kind


def _sample_customer() -> Any:
    from accounts.models import Customer

    return Customer(
        legal_name=str(_("주식회사 예시")), representative_name=str(_("홍길동")),
        billing_email="billing@example.com", business_number="1234567891",
    )


def render_preview(template: NoticeTemplate, variables: dict[str, Any] | None = None) -> tuple[str, str]:
    """Subject and body of ``template`` rendered with its sample variables and a sample customer."""
    values = {**(template.sample_context or {}), **(variables or {})}
    values.setdefault("customer", _sample_customer())
    values.setdefault("member", None)
    language = template.language or "ko"
    return (render_subject(template.subject, values, language=language),
            render(template.body, values, language=language))


@admin.register(NoticeTemplate)
class NoticeTemplateAdmin(HistoryAdmin):
    list_display = ("event", "channel", "language", "subject", "is_active", "updated_at")
    list_filter = ("channel", "language", "is_active")
    search_fields = ("event", "subject", "body", "description")
    list_editable = ("is_active",)
    ordering = ("event", "channel", "language")
    readonly_fields = ("preview", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("event", "channel", "language", "is_active", "description",
                           "kakao_template_code")}),
        (_("내용"), {"fields": ("subject", "body", "sample_context"),
                     "description": _("Django 템플릿 문법: {{ customer.legal_name }}, {{ amount|intcomma }} "
                                      "같은 변수를 쓸 수 있습니다.")}),
        (_("미리보기"), {"fields": ("preview",)}),
        (_("기록"), {"fields": ("created_at", "updated_at")}),
    )
    actions = ("preview_selected",)

    @admin.display(description=_("미리보기 (예시 변수)"))
    def preview(self, obj: NoticeTemplate | None) -> str:
        if obj is None or obj.pk is None:
            return str(_("저장하면 예시 변수로 렌더링한 미리보기가 표시됩니다."))
        try:
            subject, body = render_preview(obj)
        except Exception as exc:
            return format_html('<p class="errornote">{}</p>', f"{type(exc).__name__}: {exc}")
        return format_html(
            '<div class="notice-preview"><p><strong>{}</strong></p>'
            '<pre style="white-space: pre-wrap">{}</pre>{}</div>',
            subject, body, self._phone_shape(obj.channel, body),
        )

    @staticmethod
    def _phone_shape(channel: str, body: str) -> str:
        """For sms/alimtalk templates: how the rendered notice goes (SMS or LMS by CP949 bytes; MSG-1, 2)."""
        if channel not in PHONE_CHANNELS:
            return ""
        try:
            kind, size = phone_notice_kind(channel, body)
        except DomainError as exc:
            return format_html('<p class="errornote">{}</p>', exc.message)
        unit = _("자") if kind == "alimtalk" else _("바이트")
        return format_html("<p>{}: {} ({} {})</p>", _("발송 형태"), kind.upper(), size, unit)

    @admin.action(description=_("선택한 템플릿 미리보기"), permissions=["view"])
    def preview_selected(self, request: HttpRequest, queryset: QuerySet[NoticeTemplate]) -> None:
        for template in queryset[:20]:
            try:
                subject, body = render_preview(template)
            except Exception as exc:
                self.message_user(request, f"{template}: {type(exc).__name__}: {exc}", messages.ERROR)
                continue
            self.message_user(request, f"[{template}] {subject} — {body[:300]}", messages.INFO)


def template_events() -> list[tuple[str, str]]:
    """The events notices are sent for, from the templates (a few hundred rows at most), for the notice
    list's filter: not a ``SELECT DISTINCT`` of every notice (issue 16)."""
    events = NoticeTemplate.objects.order_by("event").values_list("event", flat=True).distinct()
    return [(event, event) for event in events]


class NoticeRetryMixin:
    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("messaging.change_notice")


@admin.register(Notice)
class NoticeAdmin(LargeListMixin, PersonalDataAdminMixin, NoticeRetryMixin, admin.ModelAdmin):
    list_display = ("created_at", "customer", "channel", "event", "recipient", "status", "sent_at", "read_at")
    list_filter = (
        "channel",
        "status",
        choices_filter("event", _("이벤트 코드"), template_events),
        ("created_at", admin.DateFieldListFilter),
        "language",
    )
    search_fields = ("customer__legal_name", "recipient", "subject", "event", "dedupe_key")
    date_hierarchy = "created_at"
    list_select_related = ("customer", "member")
    actions = ("retry_selected",)
    inlines = (StatusTransitionInline,)

    def get_readonly_fields(self, request: HttpRequest, obj: Notice | None = None) -> list[str]:
        return [f.name for f in Notice._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Notice | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Notice | None = None) -> bool:
        return False

    @admin.action(description=_("실패한 이메일 다시 보내기"), permissions=["retry"])
    def retry_selected(self, request: HttpRequest, queryset: QuerySet[Notice]) -> None:
        done = 0
        for notice in queryset.filter(status=Notice.Status.FAILED):
            try:
                services.notice_retry(notice=notice, actor=request.user)
            except DomainError as exc:
                self.message_user(request, f"{notice}: {exc.message}", messages.ERROR)
            else:
                done += 1
        done_message = _("%(count)d건을 다시 보내도록 했습니다.") % {"count": done}
        self.message_user(request, done_message, messages.SUCCESS)


class BroadcastForm(forms.ModelForm):
    class Meta:
        model = Broadcast
        fields = ("subject", "body", "subject_en", "body_en", "posted_from", "posted_until")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, until = data.get("posted_from"), data.get("posted_until")
        if start and until:
            try:
                services.check_posting(start, until)
            except DomainError as exc:
                raise ValidationError({"posted_until": exc.message}) from exc
        return data


@admin.register(Broadcast)
class BroadcastAdmin(HistoryAdmin):
    form = BroadcastForm
    list_display = ("subject", "posted_from", "posted_until", "is_posted", "read_count", "created_by")
    list_filter = (("posted_from", admin.DateFieldListFilter),)
    search_fields = ("subject", "body", "subject_en")
    date_hierarchy = "posted_from"
    list_select_related = ("created_by",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Broadcast]:
        return super().get_queryset(request).annotate(_read_count=Count("reads"))

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        now = clock.now()
        return {"posted_from": now, "posted_until": now + dt.timedelta(days=7, hours=1)}

    def get_readonly_fields(self, request: HttpRequest, obj: Broadcast | None = None) -> tuple[str, ...]:
        return ("posted_from",) if obj is not None else ()

    @admin.display(description=_("게시 중"), boolean=True)
    def is_posted(self, obj: Broadcast) -> bool:
        now = clock.now()
        return obj.posted_from <= now <= obj.posted_until

    @admin.display(description=_("읽은 구성원"), ordering="_read_count")
    def read_count(self, obj: Broadcast) -> int:
        return getattr(obj, "_read_count", 0)

    def save_model(self, request: HttpRequest, obj: Broadcast, form: forms.ModelForm, change: bool) -> None:
        if not change:
            created = services.broadcast_portal_notice(
                subject=obj.subject, body=obj.body, subject_en=obj.subject_en, body_en=obj.body_en,
                posted_from=obj.posted_from, posted_until=obj.posted_until, actor=request.user,
            )
            obj.pk, obj.created_at, obj.updated_at, obj.created_by = (
                created.pk, created.created_at, created.updated_at, created.created_by,
            )
            return
        if "posted_until" in form.changed_data:
            services.broadcast_update(broadcast=obj, posted_until=obj.posted_until, actor=request.user)
        text_fields = [f for f in ("subject", "body", "subject_en", "body_en") if f in form.changed_data]
        if text_fields:
            obj.save(update_fields=[*text_fields, "updated_at"])


# The paid product's back office (MSG-2a, MSG-4, MSG-6) lives in its own module.
from . import admin_paid  # noqa: E402, F401


@admin.register(NoticePreference)
class NoticePreferenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The channels each customer chose per kind of notice (MSG-1); customers change them in the portal."""

    list_display = ("customer", "category", "channels", "updated_at")
    list_filter = ("category",)
    search_fields = ("customer__legal_name",)
    list_select_related = ("customer",)
