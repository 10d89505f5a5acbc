"""Issue #14: API throttles (DRF, counters in the real Redis cache) and the portal login's per-IP limit.

Each test lowers the rates with ``settings`` and gets a cache key prefix of its own, so counters never
leak between tests or runs."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings as django_settings
from rest_framework.authtoken.models import Token

from tests.factories import DEFAULT_PASSWORD, AdminMemberFactory, MemberFactory, StaffUserFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture
def rates(settings):  # type: ignore[no-untyped-def]
    """Low rates; a fresh key prefix in the real Redis cache."""
    cache = dict(django_settings.CACHES["default"])
    assert cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    cache["KEY_PREFIX"] = f"throttle-test-{uuid.uuid4().hex}"
    settings.CACHES = {"default": cache}

    def set_rates(**scopes: str) -> None:
        rest = dict(django_settings.REST_FRAMEWORK)
        rest["DEFAULT_THROTTLE_RATES"] = {**rest["DEFAULT_THROTTLE_RATES"], **scopes}
        settings.REST_FRAMEWORK = rest

    return set_rates


def test_token_endpoint_is_throttled_per_ip(api_client, rates):
    """Issue #14: scope ``auth`` (3/min here): the 4th token request from one IP is 429 ``throttled`` in
    the API error format with Retry-After, whatever the login ID; another IP is still served."""
    rates(auth="3/min")
    members = [MemberFactory() for _ in range(4)]
    for member in members[:3]:
        response = api_client.post(TOKEN_URL, {"login_id": member.login_id, "password": DEFAULT_PASSWORD},
                                   format="json")
        assert response.status_code == 200
    response = api_client.post(TOKEN_URL, {"login_id": members[3].login_id, "password": DEFAULT_PASSWORD},
                               format="json")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert 0 < int(response["Retry-After"]) <= 60
    other = api_client.post(TOKEN_URL, {"login_id": members[3].login_id, "password": DEFAULT_PASSWORD},
                            format="json", REMOTE_ADDR="10.9.8.7")
    assert other.status_code == 200


def test_reactivation_endpoint_shares_the_auth_scope(api_client, rates):
    """Issue #14: ``auth/reactivate/`` checks a password, so it is throttled like the token endpoint."""
    rates(auth="2/min")
    for _ in range(2):
        response = api_client.post("/api/v1/auth/reactivate/", {"login_id": "nobody", "password": "x"},
                                   format="json")
        assert response.status_code == 400
    response = api_client.post("/api/v1/auth/reactivate/", {"login_id": "nobody", "password": "x"},
                               format="json")
    assert response.status_code == 429


def test_writes_are_throttled_per_user_reads_are_not(api_client, rates):
    """Issue #14: scope ``writes`` (2/min here): a member's 3rd write is 429; reads go on; another member
    has their own count."""
    rates(writes="2/min")
    admin = AdminMemberFactory()
    token, _ = Token.objects.get_or_create(user=admin.user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    codes = [api_client.post("/api/v1/members/", {"login_id": f"new{i}-{uuid.uuid4().hex[:6]}",
                                                   "name": "새 구성원", "email": f"n{i}@example.com"},
                             format="json").status_code for i in range(3)]
    assert codes == [201, 201, 429]
    for _ in range(5):
        assert api_client.get("/api/v1/members/").status_code == 200
    other = AdminMemberFactory()
    token, _ = Token.objects.get_or_create(user=other.user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api_client.post("/api/v1/members/", {"login_id": f"o-{uuid.uuid4().hex[:6]}", "name": "다른",
                                                    "email": "o@example.com"}, format="json")
    assert response.status_code == 201


def test_portal_login_posts_are_throttled_per_ip(client, rates):
    """Issue #14: ``portal_login`` (3/min here): the 4th login post from one IP gets the Korean 429 page
    before any password is checked, even with the right password."""
    rates(portal_login="3/min")
    member = MemberFactory()
    others = [MemberFactory() for _ in range(3)]
    for other in others:
        assert client.post("/login/", {"username": other.login_id, "password": "wrong"}).status_code == 200
    response = client.post("/login/", {"username": member.login_id, "password": DEFAULT_PASSWORD})
    assert response.status_code == 429
    assert "로그인 시도가 너무 많습니다" in response.content.decode()
    assert "_auth_user_id" not in client.session
    ok = client.post("/login/", {"username": member.login_id, "password": DEFAULT_PASSWORD},
                     REMOTE_ADDR="10.7.7.7")
    assert ok.status_code == 302


def test_admin_login_posts_share_the_per_ip_limit(client, rates):
    """Issue #14: the admin login counts against the same per-IP limit (2/min here)."""
    rates(portal_login="2/min")
    staff = StaffUserFactory(is_superuser=True)
    url = "/admin/login/?next=/admin/"
    assert client.post(url, {"username": "nobody-1", "password": "x"}).status_code == 200
    assert client.post("/login/", {"username": "nobody-2", "password": "x"}).status_code == 200
    response = client.post(url, {"username": staff.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 429
    assert "로그인 시도가 너무 많습니다" in response.content.decode()
    assert client.get("/admin/").status_code == 302
