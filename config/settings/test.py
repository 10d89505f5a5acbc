"""Test settings: the real PostgreSQL and Redis, never SQLite or mocks."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "false")

import uuid

from .base import *  # noqa: F403
from .base import CACHES, DATABASES, REST_FRAMEWORK, env

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production"
# A fast hasher keeps the suite quick; tests/accounts/test_security_settings.py proves that base and
# production settings hash with Argon2.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME", default="test_termsops")}
STORAGES = {
    "default": {"BACKEND": "core.storage.PrivateFileSystemStorage"},  # random file names
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default="/tmp/termsops-test-media")  # noqa: S108
LANGUAGE_CODE = "ko"
# Static files straight from the apps (no collectstatic in tests, and no warning about it).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# The real Redis cache; each test process its own key prefix, so throttle counters never leak between
# runs or processes. Rates are high enough for the suite; throttle tests lower them.
CACHES["default"]["KEY_PREFIX"] = f"termsops-test-{uuid.uuid4().hex[:12]}"
_SCOPES: dict[str, str] = REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]  # type: ignore[assignment]
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = dict.fromkeys(_SCOPES, "100000/min")
# Each pytest-xdist process sends its tasks to a queue of its own, and the real Celery workers its tests
# start (they inherit PYTEST_XDIST_WORKER) consume that queue: a worker started by one process never takes
# a task of the other's (it would look in the wrong test database).
CELERY_TASK_DEFAULT_QUEUE = f"termsops-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
# The tests run the jobs in-process: no batch tasks pile up in a queue nobody consumes. The test of
# several workers (tests/test_job_batches.py) turns them on in the process that claims the run.
JOB_BATCH_TASKS = env.bool("JOB_BATCH_TASKS", default=False)
