"""Issue #14: unlimited password guessing. django-axes locks a login ID + client IP out after
``AXES_FAILURE_LIMIT`` (5) failures for ``AXES_COOLOFF_TIME`` (30 minutes) on the API token endpoint, the
portal login and the admin login; the right password is refused while locked out."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts import services
from tests.factories import DEFAULT_PASSWORD, MemberFactory, StaffUserFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def _guess(client, url, data, n, **extra):  # type: ignore[no-untyped-def]
    return [client.post(url, data, **extra).status_code for _ in range(n)]


def test_api_token_30_wrong_then_right_is_refused(api_client):
    """Issue #14: 30 wrong passwords on the token endpoint, then the right one: the first 5 are wrong
    credentials (401), the 5th locks: 429 login_locked in the API error format; no token is issued."""
    member = MemberFactory()
    wrong = {"login_id": member.login_id, "password": "wrong-password"}
    codes = _guess(api_client, TOKEN_URL, wrong, 30, format="json")
    assert codes[:4] == [401] * 4
    assert set(codes[4:]) == {429}  # the 5th failure locks
    response = api_client.post(TOKEN_URL, {"login_id": member.login_id, "password": DEFAULT_PASSWORD},
                               format="json")
    assert response.status_code == 429
    body = response.json()
    assert body["error"]["code"] == "login_locked"
    assert "30분 뒤에 다시 시도하세요" in body["error"]["message"]
    assert response["Retry-After"] == "1800"
    assert not Token.objects.filter(user=member.user).exists()


def test_lockout_counts_the_login_id_case_insensitively_and_per_ip(api_client):
    """Issue #14: ``Alice`` and ``alice`` share their failures; another client IP is not locked out."""
    member = MemberFactory(login_id="alice-lock", user__username="alice-lock")
    for login in ("ALICE-LOCK", "alice-lock", "Alice-Lock", "alice-lock", "ALICE-lock"):
        api_client.post(TOKEN_URL, {"login_id": login, "password": "x"}, format="json")
    right = {"login_id": member.login_id, "password": DEFAULT_PASSWORD}
    assert api_client.post(TOKEN_URL, right, format="json").status_code == 429
    other_ip = api_client.post(TOKEN_URL, right, format="json", REMOTE_ADDR="10.1.2.3")
    assert other_ip.status_code == 200, other_ip.content


def test_lockout_ends_after_the_cool_off(api_client):
    """Issue #14: once the cool-off (30 minutes) has passed since the failures, the right password works."""
    member = MemberFactory()
    _guess(api_client, TOKEN_URL, {"login_id": member.login_id, "password": "x"}, 5, format="json")
    right = {"login_id": member.login_id, "password": DEFAULT_PASSWORD}
    assert api_client.post(TOKEN_URL, right, format="json").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=31))
    assert api_client.post(TOKEN_URL, right, format="json").status_code == 200


def test_success_before_the_limit_resets_the_count(api_client):
    """Issue #14: 4 failures, a success, 4 failures: never locked (a success resets the count)."""
    member = MemberFactory()
    wrong = {"login_id": member.login_id, "password": "x"}
    right = {"login_id": member.login_id, "password": DEFAULT_PASSWORD}
    assert _guess(api_client, TOKEN_URL, wrong, 4, format="json") == [401] * 4
    assert api_client.post(TOKEN_URL, right, format="json").status_code == 200
    assert _guess(api_client, TOKEN_URL, wrong, 4, format="json") == [401] * 4
    assert api_client.post(TOKEN_URL, right, format="json").status_code == 200


def test_api_reactivation_counts_failures_and_honours_the_lockout(api_client):
    """Issue #14, ACC-10: ``auth/reactivate/`` checks a password itself: its failures count toward the
    lockout and a locked-out login ID is refused there too, before the password is checked."""
    member = MemberFactory()
    services.member_make_dormant(member=member, today=dt.date(2026, 11, 20))
    url = "/api/v1/auth/reactivate/"
    codes = _guess(api_client, url, {"login_id": member.login_id, "password": "wrong"}, 6, format="json")
    assert codes[:4] == [400] * 4
    assert set(codes[4:]) == {429}
    response = api_client.post(url, {"login_id": member.login_id, "password": DEFAULT_PASSWORD},
                               format="json")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "login_locked"
    member.refresh_from_db()
    assert member.status == "dormant"


def test_portal_login_30_wrong_then_right_is_refused(client):
    """Issue #14: the portal login refuses the right password after 5 failures with a Korean page (429)."""
    member = MemberFactory()
    codes = _guess(client, "/login/", {"username": member.login_id, "password": "wrong"}, 30)
    assert codes[:4] == [200] * 4  # the form again, with the error
    assert set(codes[4:]) == {429}
    response = client.post("/login/", {"username": member.login_id, "password": DEFAULT_PASSWORD})
    assert response.status_code == 429
    assert "로그인에 여러 번 실패해 잠시 로그인이 제한되었습니다" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302  # still anonymous: sent to the login page


def test_portal_lockout_hides_whether_a_dormant_password_is_right(client):
    """Issue #14, ACC-10: while locked out, a dormant member's right password is not checked (no offer
    to reactivate, which would tell the guesser the password is right)."""
    member = MemberFactory()
    services.member_make_dormant(member=member, today=dt.date(2026, 11, 20))
    _guess(client, "/login/", {"username": member.login_id, "password": "wrong"}, 5)
    response = client.post("/login/", {"username": member.login_id, "password": DEFAULT_PASSWORD})
    assert response.status_code == 429
    assert "portal_reactivate" not in client.session


def test_admin_login_30_wrong_then_right_is_refused(client):
    """Issue #14: the admin login refuses a staff member's right password after 5 failures."""
    staff = StaffUserFactory(is_superuser=True)
    url = "/admin/login/?next=/admin/"
    codes = _guess(client, url, {"username": staff.username, "password": "wrong"}, 30)
    assert codes[:4] == [200] * 4
    assert set(codes[4:]) == {429}
    response = client.post(url, {"username": staff.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302
