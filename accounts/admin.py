"""Back office for customers and members. Thin: every write goes through ``accounts.services``.

Rule errors show next to the field when the form can check them up front, and as an
admin error message when a service refuses at save time (e.g. a lost race).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from core import clock
from core.adminkit import (
    NoRevertHistoryAdmin,
    PersonalDataAdminMixin,
    ReadOnlyAdminMixin,
    StatusTransitionInline,
    actor_column,
)
from core.errors import DomainError
from core.forms import add_domain_error

from . import selectors, services
from .models import (
    Customer,
    CustomerChangeRequest,
    DormantMemberData,
    Member,
    PersonalDataAccess,
    SuccessionDocument,
    SuccessionRequest,
)
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
                add_domain_error(self, exc)
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
class CustomerAdmin(PersonalDataAdminMixin, NoRevertHistoryAdmin):
    personal_data_customer = "pk"
    form = CustomerAdminForm
    # The key columns first, within 1,366 px (issue 15).
    list_display = ("legal_name", "status", "business_number_display", "kind", "representative_name",
                    "billing_email", "member_count")
    list_filter = ("kind", "status", "preferred_language")
    search_fields = ("legal_name", "business_number", "representative_name", "billing_email",
                     "members__login_id", "members__email")
    date_hierarchy = "created_at"
    inlines = [MemberInline, StatusTransitionInline]
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
        # ordered: the counts drop the model's ordering, and the autocomplete pages through this queryset
        return selectors.customers_with_admin_count().order_by("legal_name", "id")

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
                add_domain_error(self, exc)
        return cleaned


@admin.register(Member)
class MemberAdmin(PersonalDataAdminMixin, NoRevertHistoryAdmin):
    list_display = ("login_id", "name", "customer", "role", "status", "email", "department", "last_seen_on")
    list_filter = ("role", "status", "customer__kind")
    search_fields = ("login_id", "name", "email", "customer__legal_name", "customer__business_number")
    list_select_related = ("customer",)
    autocomplete_fields = ("customer",)
    date_hierarchy = "created_at"
    actions = ["remove_members"]
    inlines = [StatusTransitionInline]

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
    # through the mixin's delete_view: the confirmation page is logged (DAT-6)
    delete_view = _refusals_as_messages(PersonalDataAdminMixin.delete_view)

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


# --------------------------------------------------------------------------- ACC-9, ACC-8, ACC-10 queues


class DecisionReasonForm(forms.Form):
    reason = forms.CharField(label=_("사유"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


def _decide(admin_obj: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any], *,
            title: Any, needs_reason: bool, decide: Callable[[Any, str], Any]) -> Any:
    """Run ``decide(obj, reason)`` for each selected row; ask for a reason first on an intermediate page
    (required when ``needs_reason``). Refusals become error messages, one per row."""
    from django.template.response import TemplateResponse

    if "confirm" not in request.POST:
        return TemplateResponse(request, "admin/accounts/decision_reason.html", {
            **admin_obj.admin_site.each_context(request), "title": title, "queryset": queryset,
            "form": DecisionReasonForm(), "action": request.POST.get("action"),
            "action_checkbox_name": ACTION_CHECKBOX_NAME, "opts": admin_obj.model._meta,
            "needs_reason": needs_reason,
        })
    form = DecisionReasonForm(request.POST)
    reason = form.data.get("reason", "").strip() if form.is_bound else ""
    done = 0
    for obj in queryset:
        try:
            decide(obj, reason)
            done += 1
        except DomainError as exc:
            admin_obj.message_user(request, f"{obj}: {exc.message}", level=messages.ERROR)
    if done:
        admin_obj.message_user(request, _("%(count)d건을 처리했습니다.") % {"count": done}, messages.SUCCESS)
    return None


@admin.register(CustomerChangeRequest)
class CustomerChangeRequestAdmin(PersonalDataAdminMixin, NoRevertHistoryAdmin):
    """ACC-9 queue: staff approve (the change is applied and audited) or reject with a reason."""

    list_display = ("number", "customer", "changed_fields", "status", "requested_on", "requested_by",
                    "decided_on", "decided_by")
    list_filter = ("status", "requested_on")
    search_fields = ("customer__legal_name", "customer__business_number", "requested_by__login_id")
    list_select_related = ("customer", "requested_by", "decided_by")
    date_hierarchy = "requested_on"
    actions = ["approve", "reject"]
    inlines = [StatusTransitionInline]
    fields = ("customer", "status", "comparison", "note", "document", "document_name", "document_sha256",
              "requested_by", "requested_on", "decided_by", "decided_on", "decision_reason")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # customers file through the portal or API (with the document)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description=_("변경 항목"))
    def changed_fields(self, obj: CustomerChangeRequest) -> str:
        from . import services_changes

        return ", ".join(services_changes.field_label(f) for f in obj.changes)

    @admin.display(description=_("변경 전 → 후"))
    def comparison(self, obj: CustomerChangeRequest) -> Any:
        from django.utils.html import format_html_join

        from . import services_changes

        pending = obj.status == CustomerChangeRequest.Status.REQUESTED
        rows = [(services_changes.field_label(f),
                 str(getattr(obj.customer, f) or "") if pending else str((obj.previous or {}).get(f, "")),
                 str(v)) for f, v in obj.changes.items()]
        return format_html_join("", "<div><b>{}</b>: {} → {}</div>", rows)

    @admin.action(description=_("선택한 변경 신청 승인 (고객 정보에 반영)"), permissions=["change"])
    def approve(self, request: HttpRequest, queryset: QuerySet[CustomerChangeRequest]) -> Any:
        from . import services_changes

        return _decide(self, request, queryset, title=_("변경 신청 승인"), needs_reason=False,
                       decide=lambda obj, reason: services_changes.change_request_approve(
                           request=obj, actor=request.user, today=clock.today(), reason=reason))

    @admin.action(description=_("선택한 변경 신청 반려 (사유 입력)"), permissions=["change"])
    def reject(self, request: HttpRequest, queryset: QuerySet[CustomerChangeRequest]) -> Any:
        from . import services_changes

        return _decide(self, request, queryset, title=_("변경 신청 반려"), needs_reason=True,
                       decide=lambda obj, reason: services_changes.change_request_reject(
                           request=obj, actor=request.user, today=clock.today(), reason=reason))


class SuccessionDocumentInline(admin.TabularInline):
    model = SuccessionDocument
    fields = ("file", "original_name", "sha256", "uploaded_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _transfer_inline() -> type[admin.TabularInline]:
    from contracts.models import SuccessionTransfer

    class SuccessionTransferInline(admin.TabularInline):
        model = SuccessionTransfer
        fk_name = "request"
        fields = ("contract", "from_customer", "to_customer", "contract_status", "transferred_on",
                  "released_seats", "actor_shown")
        readonly_fields = fields
        actor_shown = actor_column()
        extra = 0
        can_delete = False
        verbose_name_plural = _("이전된 계약")

        def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
            return False

    return SuccessionTransferInline


@admin.register(SuccessionRequest)
class SuccessionRequestAdmin(PersonalDataAdminMixin, NoRevertHistoryAdmin):
    """ACC-8 queue: approve (refused while fees are unpaid; live contracts move) or reject with a reason."""

    personal_data_customer = "predecessor"

    list_display = ("number", "kind", "predecessor", "successor_display", "event_date", "filed_on",
                    "deadline", "status", "decided_on")
    list_filter = ("status", "kind")
    search_fields = ("predecessor__legal_name", "predecessor__business_number", "successor__legal_name",
                     "successor__business_number", "successor_data__legal_name")
    list_select_related = ("predecessor", "successor")
    date_hierarchy = "filed_on"
    actions = ["approve", "reject"]
    fields = ("predecessor", "successor", "successor_data", "kind", "event_date", "filed_on", "deadline",
              "note", "filed_by", "status", "decided_by", "decided_on", "decision_reason",
              "unpaid_won_at_decision")
    readonly_fields = fields

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> Any:
        return [SuccessionDocumentInline, _transfer_inline(), StatusTransitionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description=_("승계인"))
    def successor_display(self, obj: SuccessionRequest) -> str:
        return obj.successor_name

    @admin.action(description=_("선택한 지위 승계 승인 (계약 이전)"), permissions=["change"])
    def approve(self, request: HttpRequest, queryset: QuerySet[SuccessionRequest]) -> Any:
        from contracts.services import succession

        return _decide(self, request, queryset, title=_("지위 승계 승인"), needs_reason=False,
                       decide=lambda obj, reason: succession.succession_approve(
                           request=obj, actor=request.user, today=clock.today(), reason=reason))

    @admin.action(description=_("선택한 지위 승계 반려 (사유 입력)"), permissions=["change"])
    def reject(self, request: HttpRequest, queryset: QuerySet[SuccessionRequest]) -> Any:
        from contracts.services import succession

        return _decide(self, request, queryset, title=_("지위 승계 반려"), needs_reason=True,
                       decide=lambda obj, reason: succession.succession_reject(
                           request=obj, actor=request.user, today=clock.today(), reason=reason))


@admin.register(DormantMemberData)
class DormantMemberDataAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    """ACC-10 separated storage. The list shows no personal data; opening a row is logged (DAT-6)."""

    personal_data_customer = "member__customer"
    personal_data_in_list = False

    list_display = ("member", "member_login_id", "customer", "dormant_on", "last_seen_on")
    list_filter = ("dormant_on",)
    search_fields = ("member__login_id", "member__customer__legal_name")
    list_select_related = ("member", "member__customer")
    date_hierarchy = "dormant_on"
    actions = ["reactivate"]
    fields = ("member", "name", "email", "mobile", "department", "last_seen_on", "notice_sent_on",
              "dormant_on", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description=_("로그인 ID"), ordering="member__login_id")
    def member_login_id(self, obj: DormantMemberData) -> str:
        return obj.member.login_id

    @admin.display(description=_("고객"))
    def customer(self, obj: DormantMemberData) -> str:
        return str(obj.member.customer)

    @admin.action(description=_("선택한 휴면 구성원 복원"), permissions=["change"])
    def reactivate(self, request: HttpRequest, queryset: QuerySet[DormantMemberData]) -> None:
        done = 0
        for data in list(queryset.select_related("member")):
            try:
                services.member_reactivate(member=data.member, today=clock.today(), actor=request.user)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{data.member}: {exc.message}", level=messages.ERROR)
        if done:
            self.message_user(request, _("%(count)d명을 복원했습니다.") % {"count": done}, messages.SUCCESS)


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(PersonalDataAdminMixin, DjangoUserAdmin):
    """Django's user admin, logging views of a customer member's login account (name, e-mail; DAT-6).
    Staff accounts belong to no customer and are not logged."""

    personal_data_customer = "member__customer"
    personal_data_customers_only = True


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """DAT-6: the log of staff viewing personal data. Read-only for everyone (no add, change or delete, even
    for superusers); only the compliance group (``accounts.view_personaldataaccess``) and superusers see it.
    Searchable by staff user, customer (name or ``=id``), member login ID, model and object id."""

    list_display = ("accessed_at", "user", "customer_link", "what", "object_id", "kind", "via")
    list_filter = ("via", "kind", "what", "accessed_at")
    search_fields = ("user__username", "customer__legal_name", "=customer__id", "member__login_id", "what",
                     "=object_id")
    list_select_related = ("user", "customer")
    date_hierarchy = "accessed_at"
    fields = readonly_fields = ("accessed_at", "user", "customer", "what", "object_id", "kind", "via")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_active and request.user.has_perm("accounts.view_personaldataaccess")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    @admin.display(description=_("고객"), ordering="customer__legal_name")
    def customer_link(self, obj: PersonalDataAccess) -> str:
        return f"{obj.customer} (#{obj.customer_id})" if obj.customer_id else "-"


# --------------------------------------------------------------------------- login attempts (django-axes)

from axes import admin as axes_admin  # noqa: E402  (registers axes' own admins first)
from axes.models import AccessAttempt, AccessFailureLog, AccessLog  # noqa: E402


class LoginAttemptLogging(PersonalDataAdminMixin):
    """DAT-6: failed logins name a login ID and an IP address; viewing them for a customer's member is
    logged like any other personal data (a staff login ID belongs to no customer and is not)."""

    personal_data_customers_only = True

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        """axes' "clean up expired attempts" deletes rows: only for staff who may delete them."""
        actions = super().get_actions(request)
        if "cleanup_expired_attempts" in actions and not self.has_delete_permission(request):
            del actions["cleanup_expired_attempts"]
        return actions

    def personal_data_customer_ids(self, rows: QuerySet[Any] | list[Any]) -> list[int | None]:
        queryset = rows if isinstance(rows, QuerySet) else self.model._default_manager.filter(pk__in=rows)
        usernames = {str(u).strip().lower() for u in queryset.order_by().values_list("username", flat=True)}
        if not usernames:
            return []
        customers = (
            Member.objects.filter(login_id__in=usernames).order_by().values_list("customer_id", flat=True)
        )
        found: list[int | None] = [*sorted(set(customers))]
        return found


for _model, _admin_class in (
    (AccessAttempt, axes_admin.AccessAttemptAdmin),
    (AccessLog, axes_admin.AccessLogAdmin),
    (AccessFailureLog, axes_admin.AccessFailureLogAdmin),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
        admin.site.register(_model, type(_admin_class.__name__, (LoginAttemptLogging, _admin_class), {}))
