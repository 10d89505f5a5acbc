"""MSG-8 end to end: a message sent through the API travels through the real Redis broker to a real Celery
worker process, which hands it to the fake provider; the results job in the worker records it delivered."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from typing import Any

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from contracts.presets import load_presets
from contracts.services.messaging_limits import messaging_limits_for
from core import clock
from core.models import JobRun
from core.tasks import run_job_task
from messaging.models import Message
from tests.factories import AdminMemberFactory
from tests.test_celery_worker import BASE_DIR, _database_url, _wait_for

from .test_api_paid_support import MOBILE, SENDER, approved_sender, kgmsg_contract


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_api_send_is_delivered_by_a_real_worker(tmp_path):
    """MSG-8, MSG-6: POST /api/v1/messages/ → Redis → worker dispatch → fake provider → delivered."""
    assert not settings.CELERY_TASK_ALWAYS_EAGER, "this test needs the real broker"
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    load_presets()
    member: Any = AdminMemberFactory(login_id="worker-admin")
    kgmsg_contract(member.customer)
    approved_sender(member.customer, messaging_limits_for(member.customer, today=clock.today()))
    name = f"termsops-msg-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "MESSAGING_PROVIDER": "fake",
        "PYTHONPATH": str(BASE_DIR),
    }
    log = tmp_path / "worker.log"
    # The dispatch task goes to the default queue (services never name a queue); this Redis db is ours.
    with log.open("w") as out:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "-n",
                f"{name}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        client = APIClient()
        client.force_authenticate(member.user)
        response = client.post(
            "/api/v1/messages/",
            {"recipient": MOBILE, "sender": SENDER, "text": "작업자 시험"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="worker-1",
        )
        assert response.status_code == 201, response.json()
        message_id = response.json()["id"]

        def handed_over() -> bool:
            return Message.objects.filter(pk=message_id, status=Message.Status.SENT).exists()

        _wait_for(handed_over, timeout=90, worker=worker, log=log)
        message = Message.objects.get(pk=message_id)
        assert message.provider == "fake" and message.provider_message_id.startswith("fake-")

        # The results job runs in the worker, where the fake provider holds the carrier's report.
        run_job_task.apply_async(args=("message_results", clock.today().isoformat()))
        _wait_for(
            lambda: JobRun.objects.filter(job="message_results", status=JobRun.Status.SUCCEEDED).exists(),
            timeout=90,
            worker=worker,
            log=log,
        )
        message.refresh_from_db()
        assert message.status == Message.Status.DELIVERED
        assert JobRun.objects.get(job="message_results").counts["delivered"] == 1
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=10)
