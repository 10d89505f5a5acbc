"""Test session setup: the real PostgreSQL and Redis must be reachable; never skip or fall back."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


_DB_SLOT: tuple[int, int, object] | None = None  # (pid, slot, the open lock file held for the process)


def _mutmut_db_slot(base: str) -> int:
    """A test database slot no other live process uses (mutation workers run side by side): the first
    ``/tmp`` lock file this process can hold. Forked workers inherit the module, so the pid is checked."""
    global _DB_SLOT
    import fcntl

    if _DB_SLOT is not None and _DB_SLOT[0] == os.getpid():
        return _DB_SLOT[1]
    for slot in range(32):
        handle = open(f"/tmp/{base}-slot{slot}.lock", "w")  # noqa: SIM115 - held until the process ends
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            continue
        _DB_SLOT = (os.getpid(), slot, handle)
        return slot
    raise RuntimeError("no free mutation test database slot")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """Under ``tools/mutate.py`` (``MUTMUT_DB_BASE`` set) each worker process reuses its own test database."""
    base = os.environ.get("MUTMUT_DB_BASE")
    if base:
        from django.conf import settings

        settings.DATABASES["default"]["TEST"]["NAME"] = f"{base}_s{_mutmut_db_slot(base)}"


if os.environ.get("MUTMUT_DB_BASE"):

    @pytest.fixture(scope="session")
    def django_db_setup(django_db_modify_db_settings: None, django_db_blocker: Any) -> Iterator[None]:
        """Under ``tools/mutate.py`` only: the first worker database is migrated once per run, the others
        are copied from it (PostgreSQL ``TEMPLATE``), then a mutant's test session only points the
        connection at its worker's database instead of checking every migration again. The database is
        the real PostgreSQL all the same."""
        from django.conf import settings
        from django.db import connections
        from django.test.utils import setup_databases

        db = settings.DATABASES["default"]
        name = db["TEST"]["NAME"]
        ready = Path(f"/tmp/{name}-{os.environ.get('MUTMUT_RUN_ID', 'run')}.ready")
        template = f"{os.environ['MUTMUT_DB_BASE']}_s0"  # the first worker's, migrated by the stats run
        template_ready = ready.with_name(ready.name.replace(name, template))
        if ready.exists():
            db["NAME"] = name
        elif name != template and template_ready.exists():
            with django_db_blocker.unblock(), connections["default"]._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
                cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')  # a copy in a second
            db["NAME"] = name
            ready.touch()
        else:
            with django_db_blocker.unblock():
                setup_databases(verbosity=0, interactive=False, keepdb=True, serialized_aliases=set())
            ready.touch()
        yield
        connections.close_all()  # forked workers must not inherit an open connection


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def pytest_sessionstart(session: pytest.Session) -> None:
    _check_services()


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless chromium per test process (Debian's package, driven by Playwright), shared by every
    browser test: Playwright's sync API allows one running instance per thread."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"chromium is required at {CHROMIUM} (apt-get install chromium)"
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # its event loop runs in this thread; the ORM is fine
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, chromium_sandbox=False)
        try:
            yield chromium
        finally:
            chromium.close()


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


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """A transactional test ends by emptying every table, including the rows the data migrations
    installed (notice templates, staff groups). Put them back once its fixtures are torn down (after
    pytest-django's flush), so the next test in this process sees the database ``migrate`` leaves,
    whatever ran before it."""
    yield
    # At the session's end the test database is already gone, except under mutmut, which keeps it for the
    # next session: that one must also find it as ``migrate`` leaves it.
    if nextitem is None and not os.environ.get("MUTMUT_DB_BASE"):
        return
    names = set(getattr(item, "fixturenames", ()))
    marker = item.get_closest_marker("django_db")
    transactional = bool({"transactional_db", "live_server"} & names) or bool(
        marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    )
    if not transactional:
        return
    from pytest_django.plugin import blocking_manager_key

    from accounts.staff import ensure_staff_groups
    from messaging.defaults import ensure_default_templates

    with item.config.stash[blocking_manager_key].unblock():
        ensure_default_templates()
        ensure_staff_groups()
