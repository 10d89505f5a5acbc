"""Money is integer won. Rounding happens here, with the policy's mode, nowhere else."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

from django.db import models
from django.utils.translation import gettext_lazy as _


class Rounding(models.TextChoices):
    TRUNCATE = "truncate", _("원 미만 절사")
    HALF_UP = "half_up", _("원 미만 반올림")
    CEIL = "ceil", _("원 미만 절상")


Number = int | Decimal | Fraction


def round_won(amount: Number, mode: str = Rounding.TRUNCATE) -> int:
    """Round an exact amount to whole won, symmetrically for both signs.

    ``round_won(-x, mode) == -round_won(x, mode)`` for every mode, so a credit
    note that mirrors a charge gets the same number of won: truncation goes
    toward zero, ``ceil`` away from zero, ``half_up`` rounds halves away from
    zero. The arithmetic is exact (integer ratios; no decimal context, so no
    precision limit); floats are refused because they are not exact.
    """
    mode = Rounding(mode)
    if isinstance(amount, bool) or not isinstance(amount, int | Decimal | Fraction):
        raise TypeError(f"money must be int, Decimal or Fraction, not {type(amount).__name__}")
    if isinstance(amount, int):
        return amount
    if isinstance(amount, Decimal) and not amount.is_finite():
        raise ValueError(f"cannot round {amount} to won")
    ratio = Fraction(amount)
    sign = -1 if ratio < 0 else 1
    num, den = abs(ratio.numerator), ratio.denominator
    whole, rest = divmod(num, den)
    if mode == Rounding.CEIL:
        whole += rest > 0
    elif mode == Rounding.HALF_UP:
        whole += 2 * rest >= den
    return sign * whole


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
