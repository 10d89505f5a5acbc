"""Money is integer won. Rounding happens here, with the policy's mode, nowhere else."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import NamedTuple

from django.db import models
from django.utils.translation import gettext_lazy as _


class Rounding(models.TextChoices):
    TRUNCATE = "truncate", _("원 미만 절사")
    HALF_UP = "half_up", _("원 미만 반올림")
    CEIL = "ceil", _("원 미만 절상")


_DECIMAL_MODES = {
    Rounding.TRUNCATE: ROUND_FLOOR,
    Rounding.HALF_UP: ROUND_HALF_UP,
    Rounding.CEIL: ROUND_CEILING,
}

Number = int | Decimal | Fraction


def round_won(amount: Number, mode: str = Rounding.TRUNCATE) -> int:
    """Round an exact amount to whole won. Truncation goes toward zero for both signs."""
    if isinstance(amount, int):
        return amount
    if isinstance(amount, Fraction):
        amount = Decimal(amount.numerator) / Decimal(amount.denominator)
    if mode == Rounding.TRUNCATE:
        sign = -1 if amount < 0 else 1
        return sign * int(abs(amount).to_integral_value(rounding=ROUND_FLOOR))
    return int(amount.to_integral_value(rounding=_DECIMAL_MODES[Rounding(mode)]))


def exact(numerator: int, denominator: int = 1) -> Fraction:
    """An exact ratio, for chains of multiplications rounded once at the end."""
    return Fraction(numerator, denominator)


def prorate(amount_won: int, used: int, total: int, mode: str = Rounding.TRUNCATE) -> int:
    """amount × used / total, rounded once."""
    if total <= 0:
        raise ValueError("total must be positive")
    return round_won(Fraction(amount_won * used, total), mode)


def percent_of(amount_won: int, percent: Number, mode: str = Rounding.TRUNCATE) -> int:
    return round_won(Fraction(amount_won) * Fraction(str(percent)) / 100, mode)


class VatSplit(NamedTuple):
    supply_won: int
    vat_won: int
    total_won: int


def vat_on(supply_won: int, rate_percent: Number = 10, mode: str = Rounding.TRUNCATE) -> VatSplit:
    """VAT-exclusive price: VAT added on top of the supply amount (SPEC §12 item 15)."""
    vat = percent_of(supply_won, rate_percent, mode)
    return VatSplit(supply_won, vat, supply_won + vat)


def vat_within(total_won: int, rate_percent: Number = 10, mode: str = Rounding.TRUNCATE) -> VatSplit:
    """VAT-inclusive price: the VAT part of a total (total × r / (100 + r)), supply the rest."""
    rate = Fraction(str(rate_percent))
    vat = round_won(Fraction(total_won) * rate / (100 + rate), mode)
    return VatSplit(total_won - vat, vat, total_won)


def vat_split(amount_won: int, *, inclusive: bool, rate_percent: Number = 10,
              mode: str = Rounding.TRUNCATE) -> VatSplit:
    return vat_within(amount_won, rate_percent, mode) if inclusive else vat_on(amount_won, rate_percent, mode)


def format_won(amount_won: int) -> str:
    return f"{amount_won:,}원"
