"""Portal forms. They only shape input; the rules live in ``accounts.services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from ..lockout import is_locked_out
from ..models import Member
from ..selectors import member_for_user


class PortalLoginForm(AuthenticationForm):
    """Member login by login ID and password. Staff-only accounts are refused."""

    username = forms.CharField(label=_("로그인 ID"), max_length=150,
                               widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))
    password = forms.CharField(label=_("비밀번호"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("로그인 ID 또는 비밀번호가 올바르지 않습니다."),
        "not_a_member": _("고객 구성원 계정이 아닙니다. 운영자 직원은 관리자 화면(/admin/)을 이용하세요."),
        "member_inactive": _("사용할 수 없는 계정입니다. 고객사 관리자에게 문의하세요."),
        "member_dormant": _("장기간 로그인하지 않아 휴면 상태가 된 계정입니다. 본인 확인 후 다시 사용할 수 "
                            "있습니다."),
    }

    #: ACC-10: set when the login ID and password are a dormant member's; the view offers reactivation.
    dormant_member: Member | None = None

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except ValidationError as exc:
            if getattr(exc, "code", None) == "invalid_login" and not (
                    self.request is not None and is_locked_out(self.request)):
                from ..services import dormant_member_for_credentials

                self.dormant_member = dormant_member_for_credentials(
                    login_id=self.cleaned_data.get("username") or "",
                    password=self.cleaned_data.get("password") or "",
                )
                if self.dormant_member is not None:
                    raise ValidationError(self.error_messages["member_dormant"],
                                          code="member_dormant") from exc
            raise

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        member = member_for_user(user)
        if member is None:
            raise ValidationError(self.error_messages["not_a_member"], code="not_a_member")
        if member.status != Member.Status.ACTIVE or not member.customer.is_open:
            raise ValidationError(self.error_messages["member_inactive"], code="member_inactive")
        self.member = member


class MemberAddForm(forms.Form):
    login_id = forms.CharField(label=_("로그인 ID"), max_length=150)
    name = forms.CharField(label=_("이름"), max_length=100)
    email = forms.EmailField(label=_("이메일"))
    role = forms.ChoiceField(label=_("역할"), choices=Member.Role.choices, initial=Member.Role.MEMBER)
    password = forms.CharField(label=_("초기 비밀번호"), required=False, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text=_("비워 두면 비밀번호 설정 전까지 로그인할 수 없습니다."))


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("역할"), choices=Member.Role.choices)


class ProfileForm(forms.Form):
    login_id = forms.CharField(label=_("로그인 ID"), disabled=True, required=False,
                               help_text=_("로그인 ID는 변경할 수 없습니다."))
    name = forms.CharField(label=_("이름"), max_length=100)
    email = forms.EmailField(label=_("이메일"))
    mobile = PhoneNumberField(label=_("휴대전화"), required=False, region="KR")
    department = forms.CharField(label=_("부서"), max_length=100, required=False)

    def __init__(self, *args: Any, member: Member, editor: Member, **kwargs: Any) -> None:
        initial = {"login_id": member.login_id, "name": member.name, "email": member.email,
                   "mobile": member.mobile or "", "department": member.department}
        kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        self.locked = set() if editor.is_admin else set(member.customer.locked_member_fields or [])
        for name in self.locked & set(self.fields):
            self.fields[name].disabled = True
            self.fields[name].required = False
            self.fields[name].help_text = _("고객사 관리자가 잠가 둔 항목입니다.")

    def profile_changes(self) -> dict[str, str]:
        changes: dict[str, str] = {}
        for name in ("name", "email", "mobile", "department"):
            if name in self.locked or name not in self.changed_data:
                continue
            value = self.cleaned_data.get(name)
            changes[name] = str(value) if value else ""
        return changes
