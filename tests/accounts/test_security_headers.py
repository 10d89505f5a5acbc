"""Issue #14: a Content-Security-Policy on every page (django-csp); inline scripts carry the request's
nonce; production hashes passwords with Argon2 and requires staff 2FA."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.urls import reverse

from tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db


def _csp(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    header = response["Content-Security-Policy"]
    return {d.split()[0]: d.strip() for d in header.split(";") if d.strip()}


@pytest.mark.parametrize("url", ["/login/", "/admin/login/", "/status/", "/api/v1/me/"])
def test_every_page_has_the_policy(client, url):
    """Issue #14: portal, admin, status page and API answers carry the policy: scripts from our origin
    only, no plugins, no framing, forms post to us."""
    response = client.get(url)
    policy = _csp(response)
    assert policy["default-src"] == "default-src 'self'"
    assert policy["script-src"].startswith("script-src 'self'")
    assert "'unsafe-inline'" not in policy["script-src"]
    assert policy["object-src"] == "object-src 'none'"
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"
    assert policy["form-action"] == "form-action 'self'"


def test_inline_script_carries_the_headers_nonce(client):
    """Issue #14: the admin usage page's one inline script has the nonce the header allows, and no
    inline event handler (which CSP would block) is left."""
    client.force_login(StaffUserFactory(is_superuser=True))
    response = client.get(reverse("admin:messaging_message_usage"))
    assert response.status_code == 200
    page = response.content.decode()
    nonce = re.search(r'<script nonce="([^"]+)"', page)
    assert nonce is not None
    assert f"'nonce-{nonce.group(1)}'" in _csp(response)["script-src"]
    assert "onchange=" not in page


def test_api_docs_load_their_script_from_a_url(client):
    """Issue #14: Swagger UI's start-up script is a separate file (an inline one would be blocked)."""
    page = client.get("/api/docs/").content.decode()
    assert "<script>" not in page
    assert "script_url" not in page and "?script" in page


def test_argon2_hashes_and_upgrades_old_hashes(settings):
    """Issue #14: with the base settings' hashers a new password is Argon2id; a PBKDF2 hash still
    verifies and is upgraded to Argon2 at that login."""
    from config.settings import base

    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    encoded = make_password("Termsops-pw-2026!")
    assert encoded.startswith("argon2$argon2id$")
    assert check_password("Termsops-pw-2026!", encoded)
    user = StaffUserFactory()
    user.password = make_password("Old-pw-2026!", hasher="pbkdf2_sha256")
    user.save()
    assert user.check_password("Old-pw-2026!")
    user.refresh_from_db()
    assert identify_hasher(user.password).algorithm == "argon2"


def test_production_uses_argon2_and_requires_staff_2fa():
    """Issue #14: production settings hash with Argon2 first, require staff 2FA, lock out logins, send
    the CSP and keep throttle counters in Redis. (The test settings' fast hasher is for speed only.)"""
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.PASSWORD_HASHERS[0], s.STAFF_OTP_REQUIRED, s.AUTHENTICATION_BACKENDS[0], "
        "'csp.middleware.CSPMiddleware' in s.MIDDLEWARE, "
        "'axes.middleware.AxesMiddleware' == s.MIDDLEWARE[-1], "
        "s.CACHES['default']['BACKEND'], s.AXES_FAILURE_LIMIT, s.API_TOKEN_MAX_AGE_DAYS)"
    )
    env = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "config.settings.production",
           "PYTHONPATH": str(settings.BASE_DIR), "SECRET_KEY": "x" * 64, "ALLOWED_HOSTS": "example.com",
           "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test", "REDIS_URL": "redis://127.0.0.1:6379/6",
           "OPERATOR_NAME": "주식회사 예시운영", "OPERATOR_BUSINESS_NUMBER": "2208162517"}
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=settings.BASE_DIR,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.contrib.auth.hashers.Argon2PasswordHasher", "True",
        "accounts.auth_backends.LoginLockoutBackend",
        "True", "True", "django.core.cache.backends.redis.RedisCache", "5", "30",
    ]
