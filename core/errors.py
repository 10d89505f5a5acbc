"""Domain errors: a stable code, the rule it enforces, and a message in Korean and English.

Raise ``DomainError`` from services; the API renders it as JSON, the admin as a
message and the portal next to the field. The message is a lazy translation
(Korean source text, English catalogue in ``locale/en``) formatted with params.
"""

from __future__ import annotations

import contextlib
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.functional import Promise


class DomainError(Exception):
    """A refusal by a business rule. Changes nothing: raise before writing."""

    status_code = 400

    def __init__(
        self,
        code: str,
        message: str | Promise,
        *,
        field: str | None = None,
        rule: str | None = None,
        **params: Any,
    ) -> None:
        self.code = code
        self._message = message
        self.field = field
        self.rule = rule
        self.params = params
        super().__init__(self.render("en"))

    def render(self, language: str | None = None) -> str:
        if language is None:
            text = str(self._message)
        else:
            with translation.override(language):
                text = str(self._message)
        # A message whose placeholders don't match its params is shown unformatted
        # rather than turning a refusal into a crash.
        with contextlib.suppress(KeyError, IndexError, ValueError):
            text = text.format(**{k: _fmt(v) for k, v in self.params.items()})
        return f"{self.rule}: {text}" if self.rule else text

    @property
    def message(self) -> str:
        """In the active language."""
        return self.render(None)

    @property
    def message_ko(self) -> str:
        return self.render("ko")

    @property
    def message_en(self) -> str:
        return self.render("en")

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "rule": self.rule,
            "field": self.field,
            "message": self.message,
            "message_ko": self.message_ko,
            "message_en": self.message_en,
        }

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        # Exceptions pickle as ``cls(*args)``; ours take keywords (Celery, multiprocessing).
        return (_rebuild, (type(self), self.code, self._message, self.field, self.rule, self.params))


def _rebuild(cls: type[DomainError], code: str, message: str | Promise, field: str | None,
             rule: str | None, params: dict[str, Any]) -> DomainError:
    return cls(code, message, field=field, rule=rule, **params)


class NotFound(DomainError):
    status_code = 404


class Unauthorized(DomainError):
    """Credentials missing or wrong (the API answers 401 with ``WWW-Authenticate``)."""

    status_code = 401


class PermissionDenied(DomainError):
    status_code = 403


class Conflict(DomainError):
    status_code = 409


def _fmt(value: Any) -> Any:
    """Won amounts and counts read with thousands separators: 1234567 → "1,234,567"."""
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return f"{value:,}"
    return value
