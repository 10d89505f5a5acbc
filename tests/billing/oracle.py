"""An independent statement of the rounding rule for the property tests (SPEC §5: whole won, rounding
a policy parameter), written with ``math.floor``/``math.ceil`` on exact ``Fraction``s and deliberately
not with ``core.money.round_won``."""

from __future__ import annotations

import math
from fractions import Fraction

from core.money import Rounding

# every mode a policy allows (Policy.rounding takes core.money.Rounding)
MODES = [mode.value for mode in Rounding]


def by_hand(value: Fraction | int, mode: str) -> int:
    """The rounding rule in words: below one won truncated (toward zero), raised (away from zero), or
    rounded with halves away from zero; the same number of won for a charge and its mirror credit."""
    value = Fraction(value)
    sign = -1 if value < 0 else 1
    size = abs(value)
    if mode == "truncate":
        whole = math.floor(size)
    elif mode == "ceil":
        whole = math.ceil(size)
    elif mode == "half_up":
        whole = math.floor(size + Fraction(1, 2))
    else:  # pragma: no cover - a new mode must be added here first
        raise AssertionError(mode)
    return sign * whole
