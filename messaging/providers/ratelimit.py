"""Per-provider send rate, shared by every worker through Redis (MSG-8): a one-second fixed window."""

from __future__ import annotations

import time

import redis
from django.conf import settings

_client: redis.Redis | None = None


def _redis() -> redis.Redis | None:
    global _client
    if _client is None and settings.REDIS_URL:
        _client = redis.Redis.from_url(settings.REDIS_URL)
    return _client


def current_second() -> int:
    return int(time.time())


def take(provider: str, wanted: int, per_second: int) -> int:
    """How many of ``wanted`` sends ``provider`` may make now (0..wanted). Without Redis, all of them."""
    client = _redis()
    if client is None or wanted <= 0:
        return wanted
    key = f"messaging:rate:{provider}:{current_second()}"
    pipe = client.pipeline()
    pipe.incrby(key, wanted)
    pipe.expire(key, 2)
    used = int(pipe.execute()[0])
    before = used - wanted
    return max(0, min(wanted, per_second - before))
