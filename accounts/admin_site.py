"""The admin site, with two-factor login for staff (django-otp, TOTP).

``accounts.admin_config.StaffAdminConfig`` replaces ``django.contrib.admin`` in ``INSTALLED_APPS`` so
``admin.site`` (and every
``@admin.register``) is a :class:`StaffAdminSite`. While ``STAFF_OTP_REQUIRED`` is on (production), the
login page asks for the one-time code of the staff member's confirmed TOTP device and a session that
was not verified with one is refused (sent to the login page). Off (demo, tests), it is Django's admin.
A device is created with ``manage.py staff_otp_device <username>``. Its autocomplete endpoint logs the
personal data it answers with (DAT-6, ``core.adminkit.PersonalDataAutocompleteView``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.admin.sites import AdminSite
from django.http import HttpRequest, HttpResponse
from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite

from core import throttling
from core.adminkit import PersonalDataAutocompleteView, add_admin_pages

from .lockout import too_many_logins


def otp_required() -> bool:
    return bool(getattr(settings, "STAFF_OTP_REQUIRED", False))


class StaffOTPAuthenticationForm(OTPAdminAuthenticationForm):
    """django-otp's admin login form; a staff member with one confirmed device need not pick it."""

    def _chosen_device(self, user: Any) -> Any:
        device = super()._chosen_device(user)
        if device is None and not self.cleaned_data.get("otp_device"):
            devices = list(devices_for_user(user, confirmed=True, for_verify=True))
            if len(devices) == 1:
                device = devices[0]
        return device


class StaffAdminSite(OTPAdminSite):
    """Django's admin, or django-otp's ``OTPAdminSite`` when ``STAFF_OTP_REQUIRED`` (read per request)."""

    name = "admin"

    def __init__(self, name: str = "admin") -> None:
        AdminSite.__init__(self, name)

    @property  # type: ignore[override]
    def login_form(self) -> Any:
        return StaffOTPAuthenticationForm if otp_required() else None

    @property  # type: ignore[override]
    def login_template(self) -> Any:
        return "otp/admin111/login.html" if otp_required() else None

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """The login posts of one client IP share the portal login's limit (a login costs a hash)."""
        if request.method == "POST":
            wait = throttling.hit(request, "portal_login")
            if wait is not None:
                return too_many_logins(request, wait)
        return super().login(request, extra_context)

    def autocomplete_view(self, request: HttpRequest) -> HttpResponse:
        """DAT-6: the answers name rows of personal data; their admin's mixin logs them."""
        return PersonalDataAutocompleteView.as_view(admin_site=self)(request)  # type: ignore[return-value]

    def _build_app_dict(self, request: HttpRequest, label: str | None = None) -> dict[str, Any]:
        """The models of each app, and the custom pages (``admin_pages``) the user may open (issue 15)."""
        app_dict: dict[str, Any] = super()._build_app_dict(request, label)
        return add_admin_pages(self, request, app_dict, label)

    def has_permission(self, request: HttpRequest) -> bool:
        if otp_required():
            return super().has_permission(request)  # active staff, and verified by a device
        return AdminSite.has_permission(self, request)
