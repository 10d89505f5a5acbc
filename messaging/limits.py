"""The numbers of a customer's ``kgmsg`` terms that sending needs, as one plain typed object.

Messaging sits below contracts and billing, so it never reads a Policy itself:
the caller (an interface, a job, a contracts service) builds ``MessagingLimits``
from the contract's effective policy and the plan's unit prices and passes it in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class MessagingLimits:
    """Every figure sending checks (MSG-2, 4, 6, 7); names match the Policy fields they come from."""

    sms_max_bytes: int
    lms_max_bytes: int
    lms_subject_max_bytes: int
    alimtalk_max_chars: int
    friendtalk_text_max_chars: int
    friendtalk_image_max_chars: int
    kakao_buttons_max: int
    kakao_button_name_max_chars: int
    ad_night_start: dt.time
    ad_night_end: dt.time
    friendtalk_block_start: dt.time
    friendtalk_block_end: dt.time
    max_sms_sender_numbers: int
    max_buyer_alimtalk_sender_numbers: int
    max_merchant_receiver_numbers: int
    message_result_timeout_hours: int
    unit_prices: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def from_policy(cls, policy: Any, unit_prices: Mapping[str, int] | None = None) -> MessagingLimits:
        """Read the fields of any policy-like object (a Policy, an EffectivePolicy, a preset namespace)."""
        values = {f.name: getattr(policy, f.name) for f in fields(cls) if f.name != "unit_prices"}
        return cls(**values, unit_prices=dict(unit_prices or {}))

    def unit_price_won(self, kind: str) -> int:
        return int(self.unit_prices.get(kind, 0))
