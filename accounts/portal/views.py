"""Customer portal: login, home, members and own profile. Views call services; errors go next to fields."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from core import clock, throttling
from core.errors import DomainError
from core.forms import add_domain_error

from .. import lockout, selectors, services
from ..models import Member
from .auth import admin_member_required, member_required, request_member
from .cards import Card, cards_for, register_card
from .forms import MemberAddForm, PortalLoginForm, ProfileForm, RoleForm


class PortalLoginView(auth_views.LoginView):
    """Member login. Each client IP may post ``portal_login`` attempts per period (a login costs a
    password hash); a login ID + IP that failed ``AXES_FAILURE_LIMIT`` times is locked out."""

    form_class = PortalLoginForm
    template_name = "portal/login.html"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        wait = throttling.hit(request, "portal_login")
        if wait is not None:
            return lockout.too_many_logins(request, wait)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: PortalLoginForm) -> HttpResponse:  # type: ignore[override]
        if form.dormant_member is not None:  # ACC-10: right password, dormant account
            from .requests import offer_reactivation

            return offer_reactivation(self.request, form.dormant_member)
        return super().form_invalid(form)

    def form_valid(self, form: PortalLoginForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        services.member_record_login(member=form.member, today=clock.today())
        return response


class PortalLogoutView(auth_views.LogoutView):
    next_page = "portal:login"


@register_card
def _members_card(request: HttpRequest, member: Member) -> Card:
    count = selectors.customer_members(member.customer).filter(status=Member.Status.ACTIVE).count()
    return Card(title=pgettext_lazy("menu", "구성원"), value=f"{count:,}",
                body=gettext_lazy("사용 중인 구성원 수"),
                url=reverse("portal:members"), link_text=gettext_lazy("구성원 관리"), order=90)


def support(request: HttpRequest) -> HttpResponse:
    """Customer support (public, no login): how to reach the operator, from settings."""
    return render(request, "portal/support.html", {
        "section": "support",
        "operator": settings.OPERATOR,
        "support_email": settings.SUPPORT_EMAIL,
        "support_phone": settings.SUPPORT_PHONE,
        "support_hours": settings.SUPPORT_HOURS,
    })


@member_required
def home(request: HttpRequest) -> HttpResponse:
    member = request_member(request)
    return render(request, "portal/home.html", {
        "section": "home", "member": member, "customer": member.customer,
        "cards": cards_for(request, member),
    })


def _members_context(request: HttpRequest, member: Member, **extra: Any) -> dict[str, Any]:
    rows = list(selectors.customer_members(member.customer))
    context: dict[str, Any] = {
        "section": "members", "member": member, "customer": member.customer, "rows": rows,
        "is_admin": member.is_admin, "roles": Member.Role.choices, "row_errors": {},
        "add_form": MemberAddForm() if member.is_admin else None,
    }
    context.update(extra)
    return context


@member_required
def members(request: HttpRequest) -> HttpResponse:
    """List the customer's members; admins add members here (POST)."""
    member = request_member(request)
    if request.method == "POST":
        if not member.is_admin:
            return render(request, "portal/members.html", _members_context(request, member), status=403)
        form = MemberAddForm(request.POST)
        if form.is_valid():
            try:
                added = services.member_add(customer=member.customer, actor=request.user,
                                            password=form.cleaned_data["password"] or None,
                                            **{k: form.cleaned_data[k] for k in ("login_id", "name", "email",
                                                                                  "role")})
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("구성원 {name}을(를) 추가했습니다.").format(name=added.name))
                return redirect("portal:members")
        return render(request, "portal/members.html", _members_context(request, member, add_form=form),
                      status=400)
    return render(request, "portal/members.html", _members_context(request, member))


@require_POST
@admin_member_required
def member_role(request: HttpRequest, pk: int) -> HttpResponse:
    member = request_member(request)
    target = get_object_or_404(selectors.customer_members(member.customer), pk=pk)
    form = RoleForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.member_change_role(member=target, role=form.cleaned_data["role"], actor=request.user)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("{name}의 역할을 {role}(으)로 바꿨습니다.").format(
                name=target.name, role=target.get_role_display()))
            return redirect("portal:members")
    else:
        error = "; ".join(str(e) for errs in form.errors.values() for e in errs)
    context = _members_context(request, member, row_errors={target.pk: error})
    return render(request, "portal/members.html", context, status=400)


@require_POST
@admin_member_required
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    member = request_member(request)
    target = get_object_or_404(selectors.customer_members(member.customer), pk=pk)
    try:
        services.member_remove(member=target, actor=request.user)
    except DomainError as exc:
        context = _members_context(request, member, row_errors={target.pk: exc.message})
        return render(request, "portal/members.html", context, status=400)
    messages.success(request, _("구성원 {name}을(를) 삭제했습니다.").format(name=target.name))
    return redirect("portal:members")


@member_required
def profile(request: HttpRequest) -> HttpResponse:
    """The member's own profile; fields the customer locked are read-only (ACC-6)."""
    member = request_member(request)
    if request.method == "POST":
        form = ProfileForm(request.POST, member=member, editor=member)
        if form.is_valid():
            try:
                services.member_update_profile(member=member, changes=form.profile_changes(),
                                               by_member=member)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("내 정보를 저장했습니다."))
                return redirect("portal:profile")
        status = 400
    else:
        form = ProfileForm(member=member, editor=member)
        status = 200
    return render(request, "portal/profile.html",
                  {"section": "profile", "member": member, "customer": member.customer, "form": form},
                  status=status)
