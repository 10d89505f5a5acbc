"""Settings per environment (ARCHITECTURE "config/"; SPEC §5 BIL-1 time zone; §11 Korean first)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
PRODUCTION_ENV = {
    "SECRET_KEY": secrets.token_urlsafe(64),
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test",
    "ALLOWED_HOSTS": "example.com",
    "OPERATOR_NAME": "주식회사 예시운영",
    "OPERATOR_BUSINESS_NUMBER": "220-81-62517",
}


def manage(*args: str, env: dict[str, str], cwd: Path = BASE_DIR) -> subprocess.CompletedProcess[str]:
    """manage.py with production settings and nothing else from this process's environment."""
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "PYTHONPATH": str(BASE_DIR),
        **env,
    }
    return subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        env=clean, cwd=cwd, capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_its_secrets(missing):
    """Production refuses to start without SECRET_KEY, DATABASE_URL or ALLOWED_HOSTS, naming it."""
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{missing} must be set in production" in result.stderr
    for present in set(PRODUCTION_ENV) - {missing}:
        assert f"{present}," not in result.stderr.splitlines()[-1]


@pytest.mark.parametrize("missing", ["OPERATOR_NAME", "OPERATOR_BUSINESS_NUMBER"])
def test_production_refuses_to_print_the_demo_company_as_the_issuer(missing):
    """BIL-18: a tax invoice names its supplier; production refuses to start without the operator's name
    and business number rather than issue documents as the demo company."""
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert f"{missing} must be set in production: the issuer on invoices" in result.stderr


def test_production_refuses_a_business_number_that_is_not_ten_digits():
    """BIL-18: the operator's business registration number is ten digits (hyphens allowed)."""
    result = manage("check", env={**PRODUCTION_ENV, "OPERATOR_BUSINESS_NUMBER": "220-81-625"})
    assert result.returncode != 0
    assert "OPERATOR_BUSINESS_NUMBER must be the 10-digit business registration number" in result.stderr


def test_production_with_an_empty_environment_names_all_three():
    """Production names every missing variable at once."""
    result = manage("check", env={})
    assert result.returncode != 0
    assert "SECRET_KEY, DATABASE_URL, ALLOWED_HOSTS must be set in production" in result.stderr


def test_production_blank_value_counts_as_missing():
    """An empty SECRET_KEY is not a secret."""
    result = manage("check", env={**PRODUCTION_ENV, "SECRET_KEY": "  "})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_passes_the_deploy_check():
    """manage.py check --deploy has nothing to say about production settings given their secrets."""
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_values():
    """Production: no DEBUG, HTTPS only, secrets from the environment (not the development defaults)."""
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SECRET_KEY == __import__('os').environ['SECRET_KEY'], s.ALLOWED_HOSTS, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0, "
        "s.DATABASES['default']['ENGINE'])"
    )
    clean = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "config.settings.production",
             "PYTHONPATH": str(BASE_DIR), **PRODUCTION_ENV}
    result = subprocess.run([sys.executable, "-c", code], env=clean, cwd=BASE_DIR, capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "['example.com']", "True", "True", "True", "True",
                                     "django.db.backends.postgresql"]


def test_base_settings_are_korean_first_in_seoul():
    """BIL-1 / §11: Korean first, English available, aware datetimes in Asia/Seoul."""
    assert settings.LANGUAGE_CODE == "ko"
    assert settings.TIME_ZONE == "Asia/Seoul"
    assert settings.USE_TZ is True
    assert settings.USE_I18N is True
    assert [code for code, _ in settings.LANGUAGES] == ["ko", "en"]
    assert Path(settings.LOCALE_PATHS[0]) == BASE_DIR / "locale"
    assert settings.CELERY_TIMEZONE == "Asia/Seoul"
    assert "django.middleware.locale.LocaleMiddleware" in settings.MIDDLEWARE


def test_test_settings_use_real_services():
    """Tests run against the real PostgreSQL and Redis (never SQLite, never eager tasks)."""
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    assert settings.DEBUG is False


def test_api_settings():
    """§11: token auth first (401 + WWW-Authenticate; tokens expire, issue #14), one JSON error format,
    OpenAPI schema."""
    api = settings.REST_FRAMEWORK
    token_auth = "accounts.api.authentication.ExpiringTokenAuthentication"
    assert api["DEFAULT_AUTHENTICATION_CLASSES"][0] == token_auth
    assert api["EXCEPTION_HANDLER"] == "core.api.exception_handler"
    assert api["DEFAULT_SCHEMA_CLASS"] == "core.api.AutoSchema"
    assert settings.SPECTACULAR_SETTINGS["SWAGGER_UI_DIST"] == "SIDECAR"


def test_local_settings_run_without_servers(tmp_path):
    """`make demo`: local settings work on embedded SQLite with in-process jobs."""
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL)"
    )
    clean = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "config.settings.local",
             "PYTHONPATH": str(BASE_DIR), "DATABASE_URL": f"sqlite:///{tmp_path}/demo.sqlite3"}
    result = subprocess.run([sys.executable, "-c", code], env=clean, cwd=BASE_DIR, capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "django.db.backends.sqlite3", "True", "memory://"]
