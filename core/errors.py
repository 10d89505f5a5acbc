"""Domain errors: a stable code, the rule it enforces, and a message in Korean and English.

Raise ``DomainError`` from services; the API renders it as JSON, the admin as a
message and the portal next to the field. The message is a lazy translation
(Korean source text, English catalogue in ``locale/en``) formatted with params.

Staff and integrations read the rule id first (``BIL-10: ...``; the API also has a
``rule`` field). Customers never do (issue 15): inside :func:`customer_facing` (every
portal request, ``core.middleware.CustomerFacingMiddleware``) ``message`` and ``str()``
are the plain sentence; ``plain_message`` is that sentence anywhere.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar, Token
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.functional import Promise

from .korean import particles

_CUSTOMER_FACING: ContextVar[bool] = ContextVar("customer_facing", default=False)


@contextlib.contextmanager
def customer_facing() -> Iterator[None]:
    """While inside, refusals read without their rule id (the customer's portal)."""
    token = _CUSTOMER_FACING.set(True)
    try:
        yield
    finally:
        _CUSTOMER_FACING.reset(token)


def is_customer_facing() -> bool:
    return _CUSTOMER_FACING.get()


def enter_customer_facing() -> Token[bool]:
    """As :func:`customer_facing`, for a middleware: pass the token to :func:`leave_customer_facing`."""
    return _CUSTOMER_FACING.set(True)


def leave_customer_facing(token: Token[bool]) -> None:
    _CUSTOMER_FACING.reset(token)


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
        super().__init__(self.render("en", with_rule=True))

    def render(self, language: str | None = None, *, with_rule: bool | None = None) -> str:
        """The message in ``language`` (the active one when None), led by the rule id unless
        ``with_rule`` is False (default: False for customers, see :func:`customer_facing`)."""
        if with_rule is None:
            with_rule = not is_customer_facing()
        with translation.override(language) if language else contextlib.nullcontext():
            text = str(self._message)
            # A message whose placeholders don't match its params is shown unformatted
            # rather than turning a refusal into a crash. Parameters that are written when read
            # (core.formatting.MonthValue) are written in the same language as the sentence.
            with contextlib.suppress(KeyError, IndexError, ValueError):
                text = text.format(**{k: _fmt(v) for k, v in self.params.items()})
        text = particles(text)  # "요금제 '베이직'은(는)" → "요금제 '베이직'은" (core.korean)
        return f"{self.rule}: {text}" if self.rule and with_rule else text

    @property
    def message(self) -> str:
        """In the active language (without the rule id when customer-facing)."""
        return self.render(None)

    @property
    def plain_message(self) -> str:
        """In the active language, never with the rule id: what a customer reads."""
        return self.render(None, with_rule=False)

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
