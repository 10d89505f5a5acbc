"""``python -m tests.batchworker <celery worker options…>``: a real Celery worker for the batched-job test
(tests/test_job_batches.py) whose invoice batches each spend ``JOB_TEST_UNIT_DELAY`` seconds more drafting
(the charge computation, before the gapless counter is locked), so that several workers visibly share one
run and finish it sooner together (issue 19)."""

from __future__ import annotations

import os
import sys
import time
from typing import Any


def main(argv: list[str]) -> None:
    import django

    django.setup()
    from billing.services import invoicing
    from config.celery import app

    delay = float(os.environ.get("JOB_TEST_UNIT_DELAY", "0"))
    draft = invoicing._batch_drafts

    def slowed(*args: Any, **kwargs: Any) -> list[Any]:
        time.sleep(delay)
        return draft(*args, **kwargs)

    invoicing._batch_drafts = slowed  # type: ignore[assignment]
    app.worker_main(["worker", *argv])


if __name__ == "__main__":
    main(sys.argv[1:])
