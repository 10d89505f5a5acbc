"""The messaging app's services.

``notices`` is MSG-1 (the system's own notices to customers). The public names
are re-exported here so ``from messaging.services import notify`` keeps working.
"""

from __future__ import annotations

from .notices import (
    DEFAULT_CHANNELS,
    RULE,
    SKIPPED_UNAVAILABLE,
    NoticeRequest,
    broadcast_mark_read,
    broadcast_portal_notice,
    broadcast_update,
    check_posting,
    deliver_emails,
    deliver_queued_emails,
    notice_deliver,
    notice_mark_read,
    notice_retry,
    notices_together,
    notify,
    notify_many,
    notify_request,
)

__all__ = [
    "DEFAULT_CHANNELS",
    "RULE",
    "SKIPPED_UNAVAILABLE",
    "NoticeRequest",
    "broadcast_mark_read",
    "broadcast_portal_notice",
    "broadcast_update",
    "check_posting",
    "deliver_emails",
    "deliver_queued_emails",
    "notice_deliver",
    "notice_mark_read",
    "notice_retry",
    "notices_together",
    "notify",
    "notify_many",
    "notify_request",
]
