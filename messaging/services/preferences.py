"""Notice channels per customer and kind of notice (MSG-1).

A customer picks the channels for each kind of notice (contract, billing, ...). Legal notices (those the
terms require in writing: terms changes, suspension and termination notices, ...) always go by email as
well, whatever the choice. Without a choice the event's templates decide, as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

from ..models import Channel, NoticeCategory, NoticePreference

if TYPE_CHECKING:
    from accounts.models import Customer

RULE = "MSG-1"
CATEGORY_OF_PREFIX = {
    "contract": NoticeCategory.CONTRACT,
    "invoice": NoticeCategory.BILLING,
    "dunning": NoticeCategory.BILLING,
    "dispute": NoticeCategory.BILLING,
    "refund": NoticeCategory.BILLING,
    "payment": NoticeCategory.BILLING,
    "customer": NoticeCategory.ACCOUNT,
    "member": NoticeCategory.ACCOUNT,
    "terms": NoticeCategory.TERMS,
}
# Notices the terms require to reach the customer in writing: email is always one of their channels.
LEGAL_EVENTS = frozenset(
    {
        "terms.published",
        "contract.suspension_notice",
        "contract.suspended",
        "contract.operator_termination",
        "contract.terminating",
        "contract.terminated",
        "contract.renewal_reminder",
        "contract.purged",
        "dunning.suspension_notice",
        "member.dormancy_notice",
    }
)
CHOOSABLE = (Channel.PORTAL, Channel.EMAIL, Channel.SMS, Channel.ALIMTALK)


def category_of(event: str) -> str:
    return CATEGORY_OF_PREFIX.get(event.split(".", 1)[0], NoticeCategory.OTHER)


def is_legal(event: str) -> bool:
    return event in LEGAL_EVENTS


def preferred_channels(
    customer: Customer, event: str, default: Sequence[str], *, row: NoticePreference | bool | None = False
) -> list[str]:
    """The customer's channels for ``event`` (``default`` without a choice); legal notices add email.
    ``row``: the customer's preference for the event's category read beforehand (None: it has none)."""
    if row is False:
        row = NoticePreference.objects.filter(customer=customer, category=category_of(event)).first()
    assert not isinstance(row, bool)
    chosen = list(row.channels) if row is not None and row.channels else list(default)
    if is_legal(event) and Channel.EMAIL not in chosen:
        chosen.append(Channel.EMAIL)
    return chosen


def preferences_for(customer: Customer) -> dict[str, list[str]]:
    """Every kind of notice with the customer's chosen channels (empty: the default)."""
    rows = {p.category: list(p.channels) for p in NoticePreference.objects.filter(customer=customer)}
    return {category: rows.get(category, []) for category in NoticeCategory.values}


def notice_preference_set(*, customer: Customer, category: str, channels: Sequence[str]) -> NoticePreference:
    """Choose the channels for one kind of notice; at least one channel, only known ones."""
    if category not in NoticeCategory.values:
        raise DomainError(
            "notice_category_unknown", _("알 수 없는 알림 종류입니다."), field="category", rule=RULE
        )
    wanted = list(dict.fromkeys(channels))
    unknown = [c for c in wanted if c not in CHOOSABLE]
    if unknown:
        raise DomainError(
            "notice_unknown_channel",
            _("알 수 없는 알림 채널입니다: {channels}"),
            field="channels",
            rule=RULE,
            channels=", ".join(unknown),
        )
    if not wanted:
        raise DomainError(
            "notice_channels_empty",
            _("알림을 받을 방법을 하나 이상 골라 주세요."),
            field="channels",
            rule=RULE,
        )
    ordered = [c.value for c in CHOOSABLE if c in wanted]
    row, _created = NoticePreference.objects.update_or_create(
        customer=customer,
        category=category,
        defaults={"channels": ordered},
    )
    return row


def notice_preference_clear(*, customer: Customer, category: str) -> None:
    """Back to the default channels for one kind of notice."""
    NoticePreference.objects.filter(customer=customer, category=category).delete()
