"""The daily jobs, in the order they run for a date (SPEC §10).

Each entry names a job function ``fn(*, today) -> counts`` in an app's
``jobs.py``. Beat runs each at its time; ``manage.py run_jobs`` runs them all, in
this order, for a date or a range of dates. Later capabilities add their jobs
here.
"""

from core.jobs import JobSpec, daily  # noqa: F401

JOBS: list[JobSpec] = [
]
