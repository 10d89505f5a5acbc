"""Refusals as customers read them in the portal: next to their field, without rule ids or codes."""

from __future__ import annotations

from typing import Any

from core.errors import DomainError
from core.forms import add_domain_error


def plain(text: str, rule: str | None) -> str:
    """A refusal as customers read it: without the rule id the message starts with."""
    prefix = f"{rule}: " if rule else ""
    return text[len(prefix) :] if prefix and text.startswith(prefix) else text


def show_refusal(form: Any, exc: DomainError) -> None:
    """The service's refusal next to its field, in plain words (no rule id, no code)."""
    add_domain_error(form, exc)
    target = exc.field if exc.field in form.fields else None
    errors = form.errors.get(target or "__all__")
    if errors:
        errors[-1] = plain(str(errors[-1]), exc.rule)
        form.errors[target or "__all__"] = errors
