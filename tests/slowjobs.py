"""Real daily jobs, slowed down for the fault tests (tests/test_job_faults_real.py), via ``EXTRA_JOBS``.

Each wrapper runs the real job function, but after every committed row of the watched model it sleeps
``JOB_TEST_UNIT_DELAY`` seconds, so a test can kill the process deterministically between units.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models.signals import post_save
from django.utils.module_loading import import_string


def _slowed(func: str, model: str) -> Callable[..., dict[str, int]]:
    def job(*, today: dt.date) -> dict[str, int]:
        delay = float(os.environ.get("JOB_TEST_UNIT_DELAY", "0"))
        watched = apps.get_model(model)

        def pause(sender: object, **kwargs: object) -> None:
            if kwargs.get("created"):
                transaction.on_commit(lambda: time.sleep(delay))

        post_save.connect(pause, sender=watched, weak=False, dispatch_uid="slowjobs")
        try:
            return import_string(func)(today=today)
        finally:
            post_save.disconnect(sender=watched, dispatch_uid="slowjobs")

    return job


def generate_invoices(*, today: dt.date) -> dict[str, int]:
    """The invoice run with one customer per batch (its unit: a batch commits its invoices at once, with
    no ``post_save``), sleeping after each committed batch."""
    from billing.jobs import generate_invoices as run
    from billing.services import invoicing

    delay = float(os.environ.get("JOB_TEST_UNIT_DELAY", "0"))
    issue, size = invoicing._issue, invoicing.BATCH_SIZE

    def slowed(drafts: list[Any]) -> list[Any]:
        issued = issue(drafts)
        transaction.on_commit(lambda: time.sleep(delay))
        return issued

    invoicing._issue, invoicing.BATCH_SIZE = slowed, 1  # type: ignore[assignment]
    try:
        return run(today=today)
    finally:
        invoicing._issue, invoicing.BATCH_SIZE = issue, size  # type: ignore[assignment]


def dunning(*, today: dt.date) -> dict[str, int]:
    """The dunning job with one customer per batch (its unit: a batch commits its steps at once, with no
    ``post_save``), sleeping after each committed batch."""
    from billing.services import dunning as service

    delay = float(os.environ.get("JOB_TEST_UNIT_DELAY", "0"))
    batch, size = service.dunning_batch, service.BATCH_SIZE

    def slowed(*, today: dt.date, payload: dict[str, Any]) -> dict[str, int]:
        counts = batch(today=today, payload=payload)
        time.sleep(delay)  # after the batch's transaction committed
        return counts

    service.dunning_batch, service.BATCH_SIZE = slowed, 1  # type: ignore[assignment]
    try:
        return service.dunning_run(today=today)
    finally:
        service.dunning_batch, service.BATCH_SIZE = batch, size  # type: ignore[assignment]


purge_data = _slowed("privacy.jobs.purge_data", "privacy.DestructionRecord")


def send_worker(argv: list[str]) -> None:
    """``python -m tests.slowjobs --send-worker <celery worker options…>``: a real Celery worker whose
    dispatch of queued messages (``messaging.services.dispatch``) hands one message to the provider at a
    time and sleeps ``JOB_TEST_UNIT_DELAY`` seconds after each committed receipt (a bulk send's unit)."""
    from config.celery import app
    from messaging.services import dispatch

    delay = float(os.environ.get("JOB_TEST_UNIT_DELAY", "0"))
    hand_over = dispatch._hand_over

    def slowed(*args: Any, **kwargs: Any) -> tuple[int, int]:
        done = hand_over(*args, **kwargs)
        time.sleep(delay)
        return done

    dispatch.CHUNK = 1
    dispatch._hand_over = slowed  # type: ignore[assignment]
    app.worker_main(["worker", *argv])


def main(argv: list[str]) -> None:
    """``python -m tests.slowjobs <app.Model> <command> [args…]``: a management command slowed the same way
    (for commands that are not jobs, such as ``import_bank_statement``)."""
    import django

    django.setup()
    if argv[0] == "--send-worker":
        send_worker(argv[1:])
        return
    from django.core.management import call_command

    model, command, *args = argv
    delay = float(os.environ.get("JOB_TEST_UNIT_DELAY", "0"))

    def pause(sender: object, **kwargs: object) -> None:
        if kwargs.get("created"):
            transaction.on_commit(lambda: time.sleep(delay))

    post_save.connect(pause, sender=apps.get_model(model), weak=False, dispatch_uid="slowjobs")
    call_command(command, *args)


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
