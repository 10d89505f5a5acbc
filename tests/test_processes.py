"""The production shape runs (issue 19): gunicorn, a Celery worker and one Celery beat, on production
settings, against the test PostgreSQL and the real Redis. Beat triggers a job, a worker runs it, and the
web server's /readyz shows beat's heartbeat and the job's run; /metrics shows the book."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from core.models import JobRun
from tests.test_celery_worker import _database_url

BASE_DIR = Path(settings.BASE_DIR)
JOB = "process_probe"

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, **headers: str) -> tuple[int, bytes, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


def _logs(paths: dict[str, Path]) -> str:
    return "\n".join(f"--- {name}\n{path.read_text()[-3000:]}" for name, path in paths.items())


def test_web_worker_and_beat_run_a_job_seen_through_readyz(tmp_path):
    port = _free_port()
    queue = f"termsops-proc-{uuid.uuid4().hex[:10]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "process-test-" + uuid.uuid4().hex,
        "DATABASE_URL": _database_url(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "OPERATOR_NAME": "주식회사 예시운영",
        "OPERATOR_BUSINESS_NUMBER": "2208162517",
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_QUEUE": queue,
        "EXTRA_JOBS": f"{JOB}=tests.core.jobfuncs.count_only@2",
        "BEAT_ONLY": JOB,
        "HEALTH_BEAT_INTERVAL_SECONDS": "1",
        "METRICS_TOKEN": "scrape-token-123",
        "PYTHONPATH": str(BASE_DIR),
        "WEB_BIND": f"127.0.0.1:{port}",
        "WEB_WORKERS": "2",
    }
    commands = {
        # the production command (config/gunicorn.py), its address and size from the environment
        "web": [sys.executable, "-m", "gunicorn", "config.wsgi:application",
                "--config", "config/gunicorn.py"],
        "worker": [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q", queue,
                   "-n", f"{queue}@%h", "--without-gossip", "--without-mingle", "--loglevel=INFO"],
        "beat": [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO",
                 "--schedule", str(tmp_path / "beat-schedule"), "--max-interval", "1"],
    }
    logs = {name: tmp_path / f"{name}.log" for name in commands}
    processes: dict[str, subprocess.Popen[Any]] = {}
    try:
        for name, command in commands.items():
            with logs[name].open("w") as out:
                processes[name] = subprocess.Popen(
                    command, cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
        deadline = time.monotonic() + 120
        body: dict[str, Any] = {}
        while time.monotonic() < deadline:
            for name, process in processes.items():
                if process.poll() is not None:
                    pytest.fail(f"{name} exited with {process.returncode}\n{_logs(logs)}")
            try:
                status, raw, _ = _get(f"http://127.0.0.1:{port}/readyz")
            except OSError:
                time.sleep(0.5)
                continue
            body = json.loads(raw)
            probe = next((job for job in body["jobs"] if job["job"] == JOB), None)
            if status == 200 and body["status"] == "ok" and probe and probe["last_status"] == "succeeded":
                break
            time.sleep(0.5)
        else:
            pytest.fail(f"/readyz never showed beat alive and the job run: {body}\n{_logs(logs)}")
        assert {check["name"]: check["ok"] for check in body["checks"]} == {
            "database": True, "broker": True, "migrations": True, "beat": True, "jobs": True,
        }
        run = JobRun.objects.get(job=JOB)
        assert run.worker.endswith(f":{processes['worker'].pid}")  # the worker ran it, not the web or beat

        status, raw, headers = _get(f"http://127.0.0.1:{port}/healthz", **{"X-Request-ID": "probe-12345678"})
        assert status == 200 and raw == b"ok\n" and headers["X-Request-ID"] == "probe-12345678"
        assert _get(f"http://127.0.0.1:{port}/metrics")[0] == 401
        status, raw, _ = _get(f"http://127.0.0.1:{port}/metrics", Authorization="Bearer scrape-token-123")
        assert status == 200 and f'termsops_job_stuck_dates{{job="{JOB}"}} 0.0' in raw.decode()
        # production logs are JSON lines; the worker's carry the task's request id
        lines = [json.loads(line) for line in logs["worker"].read_text().splitlines() if line.startswith("{")]
        job_lines = [line for line in lines if line.get("logger") == "core.jobs"]
        assert job_lines and all(line["request_id"].startswith("task-") for line in job_lines), _logs(logs)
    finally:
        for process in processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
