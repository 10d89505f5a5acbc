"""Issue #14: API tokens expire (``API_TOKEN_MAX_AGE_DAYS``, 30) and a password change revokes them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.forms import SetPasswordForm
from django.utils import timezone
from rest_framework.authtoken.models import Token

from tests.factories import DEFAULT_PASSWORD, MemberFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def _token(api_client, member) -> str:  # type: ignore[no-untyped-def]
    response = api_client.post(TOKEN_URL, {"login_id": member.login_id, "password": DEFAULT_PASSWORD},
                               format="json")
    assert response.status_code == 200, response.content
    return str(response.json()["token"])


def _age(key: str, days: float) -> None:
    Token.objects.filter(key=key).update(created=timezone.now() - dt.timedelta(days=days))


def _me(api_client, key: str):  # type: ignore[no-untyped-def]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api_client.get("/api/v1/me/")


def test_token_older_than_the_limit_is_refused_with_401_json(api_client):
    """Issue #14, SPEC §11: a token 29 days old works; at 30 days it is refused with 401
    ``token_expired`` in the API error format and deleted."""
    member = MemberFactory()
    key = _token(api_client, member)
    _age(key, 29)
    assert _me(api_client, key).status_code == 200
    _age(key, 30)
    response = _me(api_client, key)
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "token_expired"
    assert "유효 기간이 지났습니다" in error["message"]
    assert response["WWW-Authenticate"] == "Token"
    assert not Token.objects.filter(key=key).exists()


def test_token_endpoint_rotates_an_expired_token(api_client):
    """Issue #14: a login with a live token returns the same token; after expiry a new key."""
    member = MemberFactory()
    first = _token(api_client, member)
    api_client.credentials()
    assert _token(api_client, member) == first
    _age(first, 31)
    api_client.credentials()
    second = _token(api_client, member)
    assert second != first
    assert _me(api_client, second).status_code == 200


def test_limit_is_a_setting(api_client, settings):
    """Issue #14: ``API_TOKEN_MAX_AGE_DAYS`` sets the age limit (here 1 day)."""
    settings.API_TOKEN_MAX_AGE_DAYS = 1
    member = MemberFactory()
    key = _token(api_client, member)
    _age(key, 0.9)
    assert _me(api_client, key).status_code == 200
    _age(key, 1)
    assert _me(api_client, key).status_code == 401


def test_password_change_revokes_the_members_tokens(api_client):
    """Issue #14: tokens taken before a password change stop working at once (set_password + save)."""
    member = MemberFactory()
    key = _token(api_client, member)
    other = MemberFactory()
    other_key = _token(api_client, other)
    member.user.set_password("A-new-password-2026!")
    member.user.save()
    assert not Token.objects.filter(user=member.user).exists()
    response = _me(api_client, key)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    assert _me(api_client, other_key).status_code == 200  # another user's token is untouched


def test_password_change_through_a_form_revokes_tokens(api_client):
    """Issue #14: Django's password forms (the admin's, a reset) revoke the tokens too."""
    member = MemberFactory()
    key = _token(api_client, member)
    form = SetPasswordForm(member.user, {"new_password1": "Another-pass-2026!",
                                         "new_password2": "Another-pass-2026!"})
    assert form.is_valid(), form.errors
    form.save()
    assert _me(api_client, key).status_code == 401


def test_saving_a_user_without_a_password_change_keeps_tokens(api_client):
    """Issue #14: only a password change revokes; editing the user (e.g. the name) does not."""
    member = MemberFactory()
    key = _token(api_client, member)
    member.user.first_name = "새이름"
    member.user.save()
    assert _me(api_client, key).status_code == 200
