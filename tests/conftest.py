"""Test session setup: the real PostgreSQL and Redis must be reachable; never skip or fall back."""

from __future__ import annotations

import os

import pytest


def _check_services() -> None:
    import psycopg
    import redis
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.exit(f"tests need PostgreSQL, DATABASE_URL points at {db['ENGINE']}", returncode=3)
    host, port = db.get("HOST") or "localhost", db.get("PORT") or 5432
    target = f"postgresql://{db.get('USER') or ''}@{host}:{port}/{db['NAME']}"
    try:
        psycopg.connect(
            dbname=db["NAME"], user=db.get("USER") or None, password=db.get("PASSWORD") or None,
            host=db.get("HOST") or None, port=db.get("PORT") or None, connect_timeout=5,
        ).close()
    except Exception as exc:
        pytest.exit(f"PostgreSQL unreachable at {target}: {exc}", returncode=3)
    url = settings.REDIS_URL
    try:
        redis.Redis.from_url(url, socket_connect_timeout=5).ping()
    except Exception as exc:
        pytest.exit(f"Redis unreachable at {url}: {exc}", returncode=3)


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def pytest_sessionstart(session: pytest.Session) -> None:
    _check_services()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _restore_wiring():  # type: ignore[no-untyped-def]
    """Tests may swap the hooks billing installs into contracts at start-up (core.hooks); put them back
    after each."""
    from core import hooks

    installed = hooks.snapshot()
    yield
    hooks.restore(installed)
