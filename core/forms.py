"""Form plumbing shared by the admin and the portal."""

from __future__ import annotations

from django import forms

from .errors import DomainError


def add_domain_error(form: forms.BaseForm, error: DomainError) -> None:
    """Show a service's refusal next to the field it names (if the form has it), else above the form."""
    form.add_error(error.field if error.field in form.fields else None, error.message)
