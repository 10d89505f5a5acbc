"""Issue #14: the client IP for lockouts, throttles and consent records (``core.client_ip``)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings
from rest_framework.test import APIClient

from core.client_ip import client_ip
from tests.factories import DEFAULT_PASSWORD, MemberFactory

TOKEN_URL = "/api/v1/auth/token/"


def _request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_header_is_ignored():
    """Issue #14: X-Forwarded-For is the caller's own claim when nothing trusted is in front."""
    assert client_ip(_request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_one_trusted_proxy_the_client_is_the_last_hop_it_saw():
    """Issue #14: one load balancer appends the address it saw; what the caller wrote before is ignored."""
    assert client_ip(_request("10.0.0.2", "198.51.100.1")) == "198.51.100.1"
    spoofed = "1.2.3.4, 198.51.100.1"  # the caller claims 1.2.3.4; the proxy appended the real one
    assert client_ip(_request("10.0.0.2", spoofed)) == "198.51.100.1"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_a_request_that_did_not_come_through_the_proxy_uses_the_socket_address():
    """Issue #14: no header at all: the socket's address."""
    assert client_ip(_request("203.0.113.9")) == "203.0.113.9"


@override_settings(TRUSTED_PROXY_COUNT=2)
def test_behind_two_proxies_the_client_is_the_second_from_the_right():
    """Issue #14: CDN then load balancer: the CDN wrote the client, the balancer wrote the CDN."""
    assert client_ip(_request("10.0.0.2", "1.2.3.4, 198.51.100.1, 172.16.0.9")) == "198.51.100.1"


@pytest.mark.django_db
def test_rotating_the_header_does_not_escape_the_lockout():
    """Issue #14: five wrong passwords with a new X-Forwarded-For each time still lock the login out."""
    api_client = APIClient()
    member = MemberFactory()
    for n in range(5):
        api_client.post(
            TOKEN_URL,
            {"login_id": member.login_id, "password": "wrong"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
    right = {"login_id": member.login_id, "password": DEFAULT_PASSWORD}
    response = api_client.post(TOKEN_URL, right, format="json", HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "login_locked"


@pytest.mark.django_db
@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_each_client_is_locked_out_on_its_own():
    """Issue #14: behind the load balancer every caller shares REMOTE_ADDR; the lockout still tells
    them apart by the forwarded address, so one attacker does not lock everyone out."""
    api_client = APIClient()
    member = MemberFactory()
    for _ in range(5):
        api_client.post(
            TOKEN_URL,
            {"login_id": member.login_id, "password": "wrong"},
            format="json",
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="198.51.100.66",
        )
    right = {"login_id": member.login_id, "password": DEFAULT_PASSWORD}
    attacker = api_client.post(
        TOKEN_URL, right, format="json", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.66"
    )
    assert attacker.status_code == 429
    owner = api_client.post(
        TOKEN_URL, right, format="json", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.20"
    )
    assert owner.status_code == 200, owner.content
