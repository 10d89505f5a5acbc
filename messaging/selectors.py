"""Reads shared by several callers: the portal inbox (MSG-1), the paid product's counts and lists."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import CharField, Count, F, OuterRef, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Coalesce, NullIf

from core import clock

from .models import (
    Broadcast,
    BroadcastRead,
    Channel,
    KakaoTemplate,
    Language,
    Message,
    MessageBatch,
    Notice,
    Recipient,
    SenderNumber,
)

if TYPE_CHECKING:
    from accounts.models import Member

INBOX_STATUSES = (Notice.Status.SENT, Notice.Status.READ)

# The columns of one inbox row (a dict); both notices and broadcasts produce them.
INBOX_FIELDS = ("kind", "item_id", "item_event", "item_subject", "item_body", "item_at", "item_read_at")


def portal_notices_for(member: Member) -> QuerySet[Notice]:
    """The member's own portal notices (never another customer's)."""
    return Notice.objects.filter(
        channel=Channel.PORTAL, member=member, customer_id=member.customer_id, status__in=INBOX_STATUSES,
    )


def posted_broadcasts(now: dt.datetime | None = None) -> QuerySet[Broadcast]:
    moment = now or clock.now()
    return Broadcast.objects.filter(posted_from__lte=moment, posted_until__gte=moment)


def inbox_for(member: Member, *, now: dt.datetime | None = None, unread_only: bool = False) -> QuerySet[Any]:
    """The member's portal notices plus the broadcasts posted now, newest first.

    Rows are dicts with ``INBOX_FIELDS``; ``kind`` is ``"notice"`` or
    ``"broadcast"``. One SQL query (a UNION), so it pages and counts cheaply.
    """
    language = member.customer.preferred_language
    own = portal_notices_for(member)
    posted = posted_broadcasts(now)
    if unread_only:
        own = own.filter(read_at__isnull=True)
        posted = posted.exclude(reads__member=member)
    notices = own.annotate(
        kind=Value("notice", output_field=CharField()),
        item_id=F("id"),
        item_event=F("event"),
        item_subject=F("subject"),
        item_body=F("body"),
        item_at=F("created_at"),
        item_read_at=F("read_at"),
    ).order_by().values(*INBOX_FIELDS)
    if language == Language.EN:
        subject: Any = Coalesce(NullIf(F("subject_en"), Value("")), F("subject"), output_field=CharField())
        body: Any = Coalesce(NullIf(F("body_en"), Value("")), F("body"), output_field=TextField())
    else:
        subject, body = F("subject"), F("body")
    read_at = BroadcastRead.objects.filter(broadcast=OuterRef("pk"), member=member).values("read_at")[:1]
    broadcasts = posted.annotate(
        kind=Value("broadcast", output_field=CharField()),
        item_id=F("id"),
        item_event=Value("broadcast", output_field=CharField()),
        item_subject=subject,
        item_body=body,
        item_at=F("posted_from"),
        item_read_at=Subquery(read_at),
    ).order_by().values(*INBOX_FIELDS)
    return notices.union(broadcasts, all=True).order_by("-item_at", "-item_id")


def unread_count(member: Member, *, now: dt.datetime | None = None) -> int:
    unread_notices = portal_notices_for(member).filter(read_at__isnull=True).count()
    unread_broadcasts = posted_broadcasts(now).exclude(reads__member=member).count()
    return unread_notices + unread_broadcasts


# --- the paid product (MSG-2..9) ------------------------------------------------


def delivered_counts(*, customer_id: int, start: dt.date, end: dt.date) -> dict[str, int]:
    """Delivered messages per billing unit (``MessageKind``) sent ``start..end`` (Seoul dates, inclusive).

    Only delivered messages are billed (MSG-6); a fallback is its own SMS/LMS
    message, so it counts at the SMS/LMS unit (MSG-3). Billing reads this for
    usage lines (BIL-6).
    """
    rows = (
        Message.objects.filter(
            customer_id=customer_id, status=Message.Status.DELIVERED,
            sent_at__gte=clock.start_of_day(start),
            sent_at__lt=clock.start_of_day(end + dt.timedelta(days=1)),
        )
        .values("kind").annotate(total=Count("id")).order_by("kind")
    )
    return {r["kind"]: int(r["total"]) for r in rows if r["total"]}


def messages_for(customer_id: int) -> QuerySet[Message]:
    """A customer's paid messages, newest first (portal history, API)."""
    return Message.objects.filter(customer_id=customer_id).select_related("template", "batch").order_by("-id")


def sender_numbers_for(customer_id: int) -> QuerySet[SenderNumber]:
    return SenderNumber.objects.filter(customer_id=customer_id).order_by("number", "id")


def batch_counts(batch_id: int) -> dict[str, int]:
    """Messages of a bulk send per status, plus the refusals recorded when it was accepted."""
    batch = MessageBatch.objects.get(pk=batch_id)
    counts = {s: 0 for s in Message.Status.values}
    rows = Message.objects.filter(batch_id=batch_id, fallback_of__isnull=True).values("status")
    for row in rows.annotate(n=Count("id")):
        counts[row["status"]] = int(row["n"])
    counts["refused"] = batch.refused
    return counts


def batches_for(customer_id: int) -> QuerySet[MessageBatch]:
    return MessageBatch.objects.filter(customer_id=customer_id).order_by("-id")


def batch_progress(batch: MessageBatch) -> dict[str, Any]:
    """A bulk send's progress (portal progress bar, API): counts per status, share with a result."""
    counts = batch_counts(batch.pk)
    done = counts[Message.Status.DELIVERED] + counts[Message.Status.FAILED]
    percent = 100 if not batch.accepted else int(done * 100 / batch.accepted)
    return {
        "id": batch.pk,
        "kind": batch.kind,
        "total": batch.total,
        "accepted": batch.accepted,
        "refused": batch.refused,
        "counts": counts,
        "done": done,
        "percent": percent,
        "finished": done >= batch.accepted,
        "refusals": batch.refusals,
        "created_at": batch.created_at,
    }


def kakao_templates_for(customer_id: int) -> QuerySet[KakaoTemplate]:
    return KakaoTemplate.objects.filter(customer_id=customer_id).order_by("sender_profile", "code", "id")


def opt_outs_for(customer_id: int) -> QuerySet[Recipient]:
    """The customer's 수신거부 list (MSG-7), newest first."""
    return Recipient.objects.filter(customer_id=customer_id, opted_out_at__isnull=False).order_by(
        "-opted_out_at", "number"
    )
