"""Issue 16: every process that does work freezes its start-up objects out of the garbage collector's
walks once it is set up (``core.runtime``): the web application, the Celery worker and its pool
processes, ``run_jobs``."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

from core.runtime import freeze_startup_objects

ROOT = Path(__file__).resolve().parents[2]


def _frozen_after(code: str) -> int:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport gc; print(gc.get_freeze_count())"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout.strip().splitlines()[-1])


def test_the_first_call_freezes_what_is_alive_and_a_second_call_nothing_more():
    """Issue 16: frozen once per process; what is made afterwards stays collectable."""
    first = freeze_startup_objects()
    assert first > 0 and gc.get_freeze_count() == first
    made_later = [[i] for i in range(10_000)]
    assert freeze_startup_objects() == first
    assert gc.is_tracked(made_later[0])


def test_a_fresh_process_freezes_nothing_until_it_is_set_up():
    """Issue 16: Django set up alone freezes nothing; the web application module freezes on import."""
    assert _frozen_after("import django; django.setup()") == 0
    assert _frozen_after("import config.wsgi") > 10_000
    assert _frozen_after("import config.asgi") > 10_000


def test_the_celery_worker_and_its_pool_processes_freeze_once_set_up():
    """Issue 16: the worker's start (``worker_init``) and each pool process's (``worker_process_init``)."""
    code = (
        "import django; django.setup()\n"
        "from celery.signals import worker_init, worker_process_init\n"
        "from config.celery import _freeze_startup_objects\n"
        "assert _freeze_startup_objects in [r() for _k, r in worker_init.receivers]\n"
        "assert _freeze_startup_objects in [r() for _k, r in worker_process_init.receivers]\n"
        "worker_process_init.send(sender=None)"
    )
    assert _frozen_after(code) > 10_000


def test_run_jobs_freezes_before_its_work():
    """Issue 16: ``manage.py run_jobs`` (a day's jobs from the command line)."""
    code = (
        "import django; django.setup()\n"
        "from unittest import mock\n"
        "from django.core.management import call_command\n"
        "with mock.patch('core.management.commands.run_jobs.jobs.dates', return_value=[]):\n"
        "    call_command('run_jobs', '--date', '2026-01-05', '--no-progress')"
    )
    assert _frozen_after(code) > 10_000
