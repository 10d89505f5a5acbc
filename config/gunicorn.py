"""gunicorn settings for production (``gunicorn config.wsgi:application -c config/gunicorn.py``).

Every value can be overridden by the environment: ``WEB_BIND``, ``WEB_WORKERS``, ``WEB_THREADS``,
``WEB_TIMEOUT``. Logs go to stderr; the application's own log lines are JSON (LOG_FORMAT).
"""

import multiprocessing
import os

bind = os.environ.get("WEB_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
threads = int(os.environ.get("WEB_THREADS", "1"))
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never grows without bound.
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
# The proxy in front sets X-Forwarded-For / -Proto; TRUSTED_PROXY_COUNT tells Django how many to trust.
forwarded_allow_ips = os.environ.get("WEB_FORWARDED_ALLOW_IPS", "127.0.0.1")
