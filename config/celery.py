"""The Celery app. The beat schedule lives in code: ``core.jobs.beat_schedule()`` over config/jobs.py."""

import os

from celery import Celery
from celery.signals import worker_init, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("termsops")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _install_beat_schedule(sender: Celery, **kwargs: object) -> None:
    from core.jobs import beat_schedule

    sender.conf.beat_schedule = beat_schedule()


@worker_init.connect
@worker_process_init.connect
def _freeze_startup_objects(**kwargs: object) -> None:
    """The worker (and each of its pool processes) is set up: its start-up objects leave the garbage
    collector's walks (``core.runtime``, issue 16)."""
    from core.runtime import freeze_startup_objects

    freeze_startup_objects()
