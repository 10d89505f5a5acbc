"""Generates ``contracts/policy_fields.py``: one typed attribute per ``Policy`` field, so the effective
policy (``contracts.effective.EffectivePolicy``) is fully typed for mypy without repeating the model by
hand. Run ``manage.py generate_policy_fields`` after adding or changing a Policy field; a test fails
while the file is out of date (``--check`` says so too)."""

from __future__ import annotations

from pathlib import Path

from django.db import models

from .models import Policy

TARGET = Path(__file__).with_name("policy_fields.py")

_TYPES: list[tuple[type[models.Field], str]] = [  # most specific first
    (models.BooleanField, "bool"),
    (models.AutoField, "int"),
    (models.BigAutoField, "int"),
    (models.IntegerField, "int"),  # Positive*, Big*, Small* are subclasses
    (models.DecimalField, "Decimal"),
    (models.DateTimeField, "dt.datetime"),  # before DateField (a subclass)
    (models.DateField, "dt.date"),
    (models.TimeField, "dt.time"),
    (models.JSONField, "Any"),
    (models.CharField, "str"),  # SlugField is a subclass
    (models.TextField, "str"),
]

HEADER = '''"""Typed attributes of ``contracts.Policy``, GENERATED from the model by
``manage.py generate_policy_fields`` (contracts/policy_fields_gen.py); do not edit by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

__all__ = ["PolicyFields"]


class PolicyFields:
    """One annotation per Policy field, as django-stubs types the model's attributes. Declarations only:
    ``EffectivePolicy`` supplies the values (the special term's or the policy version's)."""

'''


def python_type(field: models.Field) -> str:  # type: ignore[type-arg]
    for cls, name in _TYPES:
        if isinstance(field, cls):
            return f"{name} | None" if field.null and name != "Any" else name
    raise TypeError(f"Policy.{field.name}: no Python type for {type(field).__name__}; add it to _TYPES")


def render() -> str:
    lines = [f"    {f.name}: {python_type(f)}" for f in Policy._meta.concrete_fields]
    return HEADER + "\n".join(lines) + "\n"


def write() -> bool:
    """Write the file; True when it changed."""
    text = render()
    if TARGET.exists() and TARGET.read_text(encoding="utf-8") == text:
        return False
    TARGET.write_text(text, encoding="utf-8")
    return True
