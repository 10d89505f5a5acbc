"""Issue #14: two-factor login for staff (django-otp TOTP) on the admin, when ``STAFF_OTP_REQUIRED``."""

from __future__ import annotations

import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import DEFAULT_PASSWORD, StaffUserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture
def required(settings):  # type: ignore[no-untyped-def]
    settings.STAFF_OTP_REQUIRED = True


def _code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def test_password_alone_is_refused_when_required(client, required):
    """Issue #14: with 2FA required, staff with the right password but no code stay logged out; a
    session logged in some other way without a verified device is refused by the admin."""
    staff = StaffUserFactory(is_superuser=True)
    TOTPDevice.objects.create(user=staff, name="default", confirmed=True)
    response = client.post(LOGIN, {"username": staff.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200  # the login form again, asking for the code
    assert 'name="otp_token"' in response.content.decode()
    assert client.get("/admin/").status_code == 302
    client.force_login(staff)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_wrong_code_is_refused(client, required):
    """Issue #14: a wrong one-time code does not log in."""
    staff = StaffUserFactory(is_superuser=True)
    device = TOTPDevice.objects.create(user=staff, name="default", confirmed=True)
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    client.post(LOGIN, {"username": staff.username, "password": DEFAULT_PASSWORD, "otp_token": wrong})
    assert client.get("/admin/").status_code == 302


def test_valid_totp_code_logs_in(client, required):
    """Issue #14: password and the current TOTP code of a confirmed device: the admin opens."""
    staff = StaffUserFactory(is_superuser=True)
    device = TOTPDevice.objects.create(user=staff, name="default", confirmed=True)
    response = client.post(LOGIN, {"username": staff.username, "password": DEFAULT_PASSWORD,
                                   "otp_token": _code(device)})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_not_required_keeps_the_plain_admin(client, settings):
    """Issue #14: with the setting off (demo, tests), the admin works with a password as before."""
    settings.STAFF_OTP_REQUIRED = False
    staff = StaffUserFactory(is_superuser=True)
    response = client.post(LOGIN, {"username": staff.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_command_creates_a_confirmed_device(required):
    """Issue #14: ``staff_otp_device`` gives a staff member a confirmed TOTP device and prints its
    otpauth URL; a second run needs --replace; a non-staff user is refused."""
    staff = StaffUserFactory(username="alice-ops")
    out = StringIO()
    call_command("staff_otp_device", "alice-ops", stdout=out)
    assert out.getvalue().startswith("otpauth://totp/")
    device = TOTPDevice.objects.get(user=staff)
    assert device.confirmed
    with pytest.raises(CommandError):
        call_command("staff_otp_device", "alice-ops", stdout=StringIO())
    call_command("staff_otp_device", "alice-ops", "--replace", stdout=StringIO())
    assert TOTPDevice.objects.filter(user=staff).count() == 1
    assert TOTPDevice.objects.get(user=staff).pk != device.pk
    with pytest.raises(CommandError):
        call_command("staff_otp_device", "nobody", stdout=StringIO())
