"""Back office for customers and members. Thin: every write goes through ``accounts.services``.

Rule errors show next to the field when the form can check them up front, and as an
admin error message when a service refuses at save time (e.g. a lost race).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core import clock
from core.errors import DomainError

from . import selectors, services
from .models import Customer, Member
from .validators import normalize_business_number


def _refusals_as_messages(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Run an admin view; a DomainError from a service (raised after form validation) becomes
    an error message and a redirect back, with the transaction rolled back."""

    def wrapped(self: admin.ModelAdmin, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(self, request, *args, **kwargs)
        except DomainError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    return wrapped


def _add_domain_error(form: forms.BaseForm, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


class NoRevertHistoryAdmin(SimpleHistoryAdmin):
    """History is read-only: reverting would bypass the services' rules."""

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True


# --------------------------------------------------------------------------- customers


class CustomerAdminForm(forms.ModelForm):
    business_number = forms.CharField(
        label=_("사업자등록번호"), max_length=12, required=False,
        help_text=_("숫자 10자리 (하이픈 입력 가능, 저장 시 제거) (ACC-2)"),
    )

    class Meta:
        model = Customer
        fields = (
            "legal_name", "kind", "business_number", "representative_name", "address", "billing_email",
            "billing_mobile", "payer_name", "payer_business_number", "payer_contact", "birth_date",
            "legal_representative_name", "preferred_language", "locked_member_fields",
        )

    def clean_business_number(self) -> str:
        return normalize_business_number(self.cleaned_data.get("business_number") or "")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.instance.pk is None and not self.errors:
            data = {f: cleaned.get(f) for f in services.BILLING_FIELDS + services.CUSTOMER_UPDATABLE_FIELDS
                    if f in cleaned}
            if data.get("billing_mobile") is not None:
                data["billing_mobile"] = str(data["billing_mobile"])
            try:
                services.validate_customer_application(data=data, today=clock.today())
            except DomainError as exc:
                _add_domain_error(self, exc)
        return cleaned


class MemberInline(admin.TabularInline):
    model = Member
    fields = ("login_id", "name", "email", "role", "status", "last_seen_on")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ("name",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Customer)
class CustomerAdmin(NoRevertHistoryAdmin):
    form = CustomerAdminForm
    list_display = ("legal_name", "business_number_display", "kind", "status", "representative_name",
                    "billing_email", "admin_count", "member_count", "created_at")
    list_filter = ("kind", "status", "preferred_language")
    search_fields = ("legal_name", "business_number", "representative_name", "billing_email",
                     "members__login_id", "members__email")
    date_hierarchy = "created_at"
    inlines = [MemberInline]
    actions = ["make_dormant", "reactivate", "close"]
    fieldsets = (
        (_("기본 정보"), {"fields": ("legal_name", "kind", "business_number", "representative_name",
                                   "address")}),
        (_("청구"), {"fields": ("billing_email", "billing_mobile", "payer_name", "payer_business_number",
                               "payer_contact")}),
        (_("개인 고객 (ACC-7)"), {"fields": ("birth_date", "legal_representative_name")}),
        (_("설정"), {"fields": ("preferred_language", "locked_member_fields")}),
        (_("상태"), {"fields": ("status", "closed_on")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Customer]:
        return selectors.customers_with_admin_count()

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return self.fieldsets[:-1]
        return self.fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        # ACC-9: billing fields change through an approved change request, not here.
        return (*services.BILLING_FIELDS, "status", "closed_on")

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Customer], search_term: str) -> Any:
        normalized = normalize_business_number(search_term)
        if normalized.isdigit() and normalized != search_term:
            search_term = normalized
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=_("사업자등록번호"), ordering="business_number")
    def business_number_display(self, obj: Customer) -> str:
        return obj.business_number_display

    @admin.display(description=_("관리자 수"), ordering="admin_count")
    def admin_count(self, obj: Any) -> int:
        return int(getattr(obj, "admin_count", 0))

    @admin.display(description=_("구성원 수"), ordering="member_count")
    def member_count(self, obj: Any) -> int:
        return int(getattr(obj, "member_count", 0))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # customers close and are purged by the lifecycle, never deleted

    def save_model(self, request: HttpRequest, obj: Customer, form: forms.ModelForm, change: bool) -> None:
        if not change:
            data = {f: form.cleaned_data[f] for f in form.cleaned_data
                    if f in services.BILLING_FIELDS + services.CUSTOMER_UPDATABLE_FIELDS}
            if data.get("billing_mobile") is not None:
                data["billing_mobile"] = str(data["billing_mobile"])
            created = services.customer_create(**data, today=clock.today(), actor=request.user)
            obj.pk = created.pk
            obj.refresh_from_db()
            obj._state.adding = False
            return
        changes = {f: form.cleaned_data[f] for f in form.changed_data
                   if f in services.CUSTOMER_UPDATABLE_FIELDS}
        if changes:
            services.customer_update(customer=obj, changes=changes, actor=request.user)

    changeform_view = _refusals_as_messages(NoRevertHistoryAdmin.changeform_view)

    def _change_status(self, request: HttpRequest, queryset: QuerySet[Customer], status: str) -> None:
        done = 0
        for customer in queryset:
            try:
                services.customer_change_status(customer=customer, status=status, actor=request.user,
                                                today=clock.today())
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{customer}: {exc.message}", level=messages.ERROR)
        if done:
            self.message_user(request, _("%(count)d건을 처리했습니다.") % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("선택한 고객을 휴면 처리"), permissions=["change"])
    def make_dormant(self, request: HttpRequest, queryset: QuerySet[Customer]) -> None:
        self._change_status(request, queryset, Customer.Status.DORMANT)

    @admin.action(description=_("선택한 고객을 정상 상태로 복귀"), permissions=["change"])
    def reactivate(self, request: HttpRequest, queryset: QuerySet[Customer]) -> None:
        self._change_status(request, queryset, Customer.Status.ACTIVE)

    @admin.action(description=_("선택한 고객을 해지 완료 처리"), permissions=["change"])
    def close(self, request: HttpRequest, queryset: QuerySet[Customer]) -> None:
        self._change_status(request, queryset, Customer.Status.CLOSED)


# --------------------------------------------------------------------------- members


class MemberAddForm(forms.ModelForm):
    password = forms.CharField(
        label=_("초기 비밀번호"), required=False, strip=False, widget=forms.PasswordInput(render_value=False),
        help_text=_("비워 두면 로그인할 수 없는 상태로 만들어집니다 (비밀번호 재설정 필요)."),
    )

    class Meta:
        model = Member
        fields = ("customer", "login_id", "name", "email", "mobile", "department", "role")


class MemberChangeForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = ("name", "email", "mobile", "department", "role")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        role = cleaned.get("role")
        if role and role != Member.Role.ADMIN and "role" in self.changed_data:
            try:
                services.check_not_last_admin(member=Member.objects.get(pk=self.instance.pk))
            except DomainError as exc:
                _add_domain_error(self, exc)
        return cleaned


@admin.register(Member)
class MemberAdmin(NoRevertHistoryAdmin):
    list_display = ("login_id", "name", "customer", "role", "status", "email", "department", "last_seen_on")
    list_filter = ("role", "status", "customer__kind")
    search_fields = ("login_id", "name", "email", "customer__legal_name", "customer__business_number")
    list_select_related = ("customer",)
    autocomplete_fields = ("customer",)
    date_hierarchy = "created_at"
    actions = ["remove_members"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        kwargs["form"] = MemberChangeForm if obj is not None else MemberAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return (*MemberAddForm.Meta.fields, "password")
        return ("customer", "login_id", "user", *MemberChangeForm.Meta.fields, "status", "last_seen_on",
                "dormant_notice_sent_on")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        # ACC-6: the login ID never changes; status changes through actions.
        return ("customer", "login_id", "user", "status", "last_seen_on", "dormant_notice_sent_on")

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request: HttpRequest, obj: Member, form: forms.ModelForm, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            created = services.member_add(
                customer=data["customer"], login_id=data["login_id"], name=data["name"], email=data["email"],
                role=data["role"], password=data.get("password") or None,
                mobile=str(data.get("mobile") or ""), department=data.get("department") or "",
                actor=request.user,
            )
            obj.pk = created.pk
            obj.refresh_from_db()
            obj._state.adding = False
            return
        profile = {f: data[f] for f in form.changed_data if f in ("name", "email", "mobile", "department")}
        if "mobile" in profile:
            profile["mobile"] = str(profile["mobile"] or "")
        if profile:
            services.member_update_profile(member=obj, changes=profile, by_member=None, actor=request.user)
        if "role" in form.changed_data:
            services.member_change_role(member=obj, role=data["role"], actor=request.user)

    def delete_model(self, request: HttpRequest, obj: Member) -> None:
        services.member_remove(member=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Member]) -> None:
        for member in queryset:
            services.member_remove(member=member, actor=request.user)

    changeform_view = _refusals_as_messages(NoRevertHistoryAdmin.changeform_view)
    delete_view = _refusals_as_messages(NoRevertHistoryAdmin.delete_view)

    @admin.action(description=_("선택한 구성원 삭제(로그인 비활성화)"), permissions=["change"])
    def remove_members(self, request: HttpRequest, queryset: QuerySet[Member]) -> None:
        done = 0
        for member in queryset:
            try:
                services.member_remove(member=member, actor=request.user)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{member}: {exc.message}", level=messages.ERROR)
        if done:
            self.message_user(request, _("%(count)d명을 삭제했습니다.") % {"count": done}, messages.SUCCESS)
