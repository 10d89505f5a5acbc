"""Backups are restorable (issue 19, docs/operations.md "Backups"): the demo book dumped with pg_dump
(custom format), restored with pg_restore into a new database, and the next day's jobs run on the restored
copy with `manage.py run_jobs` as an operator would; the copy holds the same book and the original is
untouched."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from billing.models import Invoice
from core.models import JobRun
from tests.test_celery_worker import _database_url

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

DEMO_TODAY = dt.date(2026, 11, 20)


def _count(url: str, sql: str) -> int:
    with psycopg.connect(url.replace("postgres://", "postgresql://")) as conn:
        row = conn.execute(sql).fetchone()
        return int(row[0]) if row else 0


def test_a_dump_restores_and_the_jobs_run_on_the_copy(tmp_path, settings):
    settings.CLOCK_TODAY = DEMO_TODAY.isoformat()
    call_command("seed_demo", "--date", DEMO_TODAY.isoformat(), stdout=io.StringIO())
    invoices = Invoice.objects.count()
    assert invoices > 0
    source = _database_url()
    db = connection.settings_dict
    copy_name = f"restore_{uuid.uuid4().hex[:10]}"
    host, port = db.get("HOST") or "127.0.0.1", str(db.get("PORT") or 5432)
    user = db.get("USER") or "postgres"
    copy_url = source.rsplit("/", 1)[0] + "/" + copy_name
    dump = tmp_path / "book.dump"
    libpq_url = source.replace("postgres://", "postgresql://")
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(dump), "--dbname", libpq_url],
                   check=True)
    subprocess.run(["createdb", "-h", host, "-p", port, "-U", user, copy_name], check=True)
    try:
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "-h", host, "-p", port, "-U", user,
                        "-d", copy_name, str(dump)], check=True)
        assert _count(copy_url, "SELECT count(*) FROM billing_invoice") == invoices
        next_day = DEMO_TODAY + dt.timedelta(days=1)
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": copy_url,
               "CLOCK_TODAY": next_day.isoformat(), "CELERY_TASK_ALWAYS_EAGER": "true",
               "PYTHONPATH": str(Path(settings.BASE_DIR))}
        result = subprocess.run([sys.executable, "manage.py", "run_jobs", "--date", next_day.isoformat(),
                                 "--no-progress"], cwd=settings.BASE_DIR, env=env, capture_output=True,
                                text=True, timeout=300, check=False)
        assert result.returncode == 0, result.stderr[-3000:]
        ran = _count(copy_url, f"SELECT count(*) FROM core_jobrun WHERE as_of = '{next_day}' "
                               "AND status = 'succeeded'")
        assert ran >= 15  # every daily job of config/jobs.py that runs on an ordinary day
        assert not JobRun.objects.filter(as_of=next_day).exists()  # the original was not touched
    finally:
        subprocess.run(["dropdb", "-h", host, "-p", port, "-U", user, "--if-exists", copy_name], check=False)
