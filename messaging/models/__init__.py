"""The messaging app's tables: notices (MSG-1) and the paid SMS/KakaoTalk product (MSG-2..9)."""

from __future__ import annotations

from .notices import (
    BROADCAST_MIN_POSTING,
    DELIVERED_CHANNELS,
    Broadcast,
    BroadcastRead,
    Channel,
    Language,
    Notice,
    NoticeTemplate,
)
from .paid import (
    KAKAO_KINDS,
    TEXT_KINDS,
    KakaoTemplate,
    Message,
    MessageBatch,
    MessageKind,
    MessagePurpose,
    PaymentNoticeSetting,
    PendingResult,
    ReceivedReport,
    Recipient,
    SenderNumber,
)
from .preferences import NoticeCategory, NoticePreference

__all__ = [
    "BROADCAST_MIN_POSTING",
    "DELIVERED_CHANNELS",
    "KAKAO_KINDS",
    "TEXT_KINDS",
    "Broadcast",
    "BroadcastRead",
    "Channel",
    "KakaoTemplate",
    "Language",
    "Message",
    "MessageBatch",
    "MessageKind",
    "MessagePurpose",
    "Notice",
    "NoticeCategory",
    "NoticePreference",
    "NoticeTemplate",
    "PaymentNoticeSetting",
    "PendingResult",
    "ReceivedReport",
    "Recipient",
    "SenderNumber",
]
