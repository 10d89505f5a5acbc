"""Form plumbing shared by the admin and the portal."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms

from .errors import DomainError


def add_domain_error(
    form: forms.BaseForm, error: DomainError, field_map: Mapping[str, str] | None = None
) -> None:
    """Show a service's refusal next to the field it names (if the form has it), else above the form.

    ``field_map`` translates a service's field name to the form's where they differ (a dispute refused
    for its ``filed_on`` date is shown next to the invoice the customer chose)."""
    name = error.field or ""
    name = (field_map or {}).get(name, name)
    form.add_error(name if name in form.fields else None, error.message)
