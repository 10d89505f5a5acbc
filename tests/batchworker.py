"""``python -m tests.batchworker <celery worker options…>``: a real Celery worker for the batched-job test
(tests/test_job_batches.py) whose invoice batches each sleep ``JOB_TEST_UNIT_DELAY`` seconds after
issuing, so that several workers visibly share one run (issue 19)."""

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
    issue = invoicing._issue

    def slowed(drafts: list[Any]) -> list[Any]:
        issued = issue(drafts)
        time.sleep(delay)
        return issued

    invoicing._issue = slowed  # type: ignore[assignment]
    app.worker_main(["worker", *argv])


if __name__ == "__main__":
    main(sys.argv[1:])
