"""The messages shown after an action (``django.contrib.messages``) with their Korean particles resolved
(issue 15): "구성원 {name}을(를) 추가했습니다." reads "구성원 홍길동을 추가했습니다." (core.korean)."""

from __future__ import annotations

from typing import Any

from django.contrib.messages.storage.fallback import FallbackStorage

from .korean import particles


class ParticleStorage(FallbackStorage):
    """Django's default storage (cookie, then session); each added message goes through
    :func:`core.korean.particles` in the language active when it is added."""

    def add(self, level: int, message: Any, extra_tags: str | None = "") -> None:
        if message:
            message = particles(str(message))
        super().add(level, message, extra_tags)
