"""Korean business registration number (사업자등록번호) checks (ACC-2)."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.errors import is_customer_facing

_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def normalize_business_number(raw: str) -> str:
    """Strip dashes and spaces: '123-45-67891' → '1234567891'."""
    return re.sub(r"[\s-]", "", raw or "")


def is_valid_business_number(raw: str) -> bool:
    number = normalize_business_number(raw)
    if len(number) != 10 or not number.isdigit():
        return False
    digits = [int(c) for c in number]
    s = sum(d * w for d, w in zip(digits[:9], _WEIGHTS, strict=True)) + (digits[8] * 5) // 10
    return (10 - s % 10) % 10 == digits[9]


def validate_business_number(value: str) -> None:
    if not is_valid_business_number(value):
        # Staff read the rule id first; a customer (a portal form, core.errors.customer_facing) does not.
        message: Any = _("사업자등록번호 '%(value)s'가 올바르지 않습니다 (10자리 숫자, 검증번호 불일치).")
        if not is_customer_facing():
            message = format_lazy("ACC-2: {}", message)
        raise ValidationError(message, code="ACC-2", params={"value": value})


def business_number_check_digit(prefix: str) -> int:
    """The ACC-2 check digit for the first nine digits (used by factories and demo data)."""
    if len(prefix) != 9 or not prefix.isdigit():
        raise ValueError("prefix must be nine digits")
    digits = [int(c) for c in prefix]
    s = sum(d * w for d, w in zip(digits, _WEIGHTS, strict=True)) + (digits[8] * 5) // 10
    return (10 - s % 10) % 10


def format_business_number(number: str) -> str:
    """'1234567891' → '123-45-67891' (display only; stored without dashes)."""
    if len(number) != 10:
        return number
    return f"{number[:3]}-{number[3:5]}-{number[5:]}"
