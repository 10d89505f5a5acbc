"""Run a function in several threads at the same moment, each thread with its own database connection
(real PostgreSQL row locks between them): the harness of the "two workers at once" tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import connection

T = TypeVar("T")


def at_once(run: Callable[[], T], *, workers: int = 2, timeout: float = 120) -> list[T]:
    """Start ``workers`` threads that each call ``run()`` after a barrier (so they truly overlap) and
    close their connection afterwards; return their results (in finishing order). An exception in any
    thread fails the caller, and so does a thread still running after ``timeout`` seconds."""
    barrier = threading.Barrier(workers)
    results: list[T] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(run())
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not [t for t in threads if t.is_alive()], f"a worker still runs after {timeout} s"
    assert not errors, errors
    return results
