"""Reads shared by several callers: the portal inbox (MSG-1), the paid product's counts and lists."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.db.models import (
    BooleanField,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Coalesce, NullIf, TruncDate

from core import clock

from .models import (
    Broadcast,
    BroadcastRead,
    Channel,
    KakaoTemplate,
    Language,
    Message,
    MessageBatch,
    MessageKind,
    Notice,
    NoticeTemplate,
    Recipient,
    SenderNumber,
)

log = logging.getLogger(__name__)

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


def inbox_for(
    member: Member, *, now: dt.datetime | None = None, unread_only: bool = False, language: str | None = None
) -> QuerySet[Any]:
    """The member's portal notices plus the broadcasts posted now, newest first.

    Rows are dicts with ``INBOX_FIELDS``; ``kind`` is ``"notice"`` or
    ``"broadcast"``. One SQL query (a UNION), so it pages and counts cheaply.
    Broadcasts read in ``language`` (the reader's; default the customer's);
    notices as sent (:func:`notices_read_in` puts a page of them in the reader's).
    """
    language = language or member.customer.preferred_language
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


def notices_read_in(notices: Sequence[Notice], language: str) -> dict[int, tuple[str, str]]:
    """(subject, body) of each notice as a reader in ``language`` reads it (MSG-1, issue 15).

    A notice is written once, in the customer's language; a member who reads the portal in the other
    language gets it again from its event's template in that language, with the variables stored on the
    notice. Where there is no such template (or it cannot render), the notice reads as sent. Two queries
    for any number of notices."""
    from .rendering import render, render_subject

    lang = Language.EN if (language or "").startswith("en") else Language.KO
    others = [n for n in notices if n.language != lang and n.template_id is not None]
    texts = {n.pk: (n.subject, n.body) for n in notices}
    if not others:
        return texts
    templates = {
        (t.event, t.channel): t
        for t in NoticeTemplate.objects.filter(
            language=lang, is_active=True, event__in={n.event for n in others}
        )
    }
    customers = {c.pk: c for c in _customers({n.customer_id for n in others})}
    for notice in others:
        template = templates.get((notice.event, notice.channel))
        if template is None:
            continue
        variables = {**(notice.context or {}), "customer": customers.get(notice.customer_id)}
        try:
            texts[notice.pk] = (
                render_subject(template.subject, variables, language=lang),
                render(template.body, variables, language=lang),
            )
        except Exception:  # a template that cannot render this old context: the notice as sent
            log.warning("notice %s does not render in %s; shown as sent", notice.pk, lang, exc_info=True)
    return texts


def in_reader_language(rows: list[dict[str, Any]], language: str) -> list[dict[str, Any]]:
    """Rows of :func:`inbox_for` with each notice's subject in the reader's language (MSG-1: a notice is
    written in the customer's). One query for the page."""
    ids = [row["item_id"] for row in rows if row["kind"] == "notice"]
    if not ids:
        return rows
    texts = notices_read_in(list(Notice.objects.filter(pk__in=ids)), language)
    for row in rows:
        if row["kind"] == "notice" and row["item_id"] in texts:
            row["item_subject"] = texts[row["item_id"]][0]
    return rows


def recent_inbox(member: Member, language: str, limit: int = 5) -> list[dict[str, Any]]:
    """The member's newest ``limit`` inbox items (:func:`inbox_for`), subjects in the reader's language."""
    return in_reader_language(list(inbox_for(member, language=language)[:limit]), language)


def _customers(ids: set[int]) -> list[Any]:
    from accounts.models import Customer

    return list(Customer.objects.filter(pk__in=ids))


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
    rows = _delivered([customer_id], start, end).values("kind").annotate(total=Count("id")).order_by("kind")
    return {r["kind"]: int(r["total"]) for r in rows if r["total"]}


def _delivered(customer_ids: Sequence[int], start: dt.date, end: dt.date) -> QuerySet[Message]:
    return Message.objects.filter(
        customer_id__in=customer_ids, status=Message.Status.DELIVERED,
        sent_at__gte=clock.start_of_day(start),
        sent_at__lt=clock.start_of_day(end + dt.timedelta(days=1)),
    )


def delivered_counts_by_day(
    *, customer_ids: Sequence[int], start: dt.date, end: dt.date
) -> dict[int, list[tuple[dt.date, str, int]]]:
    """:func:`delivered_counts` for many customers at once, per Seoul day: ``{customer: [(day, unit,
    count)]}`` (the invoice run sums the days of each period, issue 16)."""
    if not customer_ids:
        return {}
    rows = (
        _delivered(customer_ids, start, end)
        .annotate(day=TruncDate("sent_at", tzinfo=clock.SEOUL))
        .values_list("customer_id", "day", "kind").annotate(total=Count("id")).order_by()
    )
    result: dict[int, list[tuple[dt.date, str, int]]] = {}
    for customer_id, day, kind, total in rows:
        if total:
            result.setdefault(customer_id, []).append((day, kind, int(total)))
    return result


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


# --- staff: usage per customer and month (MSG-6, BIL-6) ------------------------

#: The usage page's columns: message types as staff count them. A fallback is its own SMS/LMS
#: message (MSG-3) but is shown apart; FriendTalk text and image share a column.
USAGE_COLUMNS = ("sms", "lms", "alimtalk", "friendtalk", "fallback")
USAGE_STATUSES = ("sent", "delivered", "failed")


def _usage_column(kind: str, is_fallback: bool) -> str:
    if is_fallback:
        return "fallback"
    if kind in (MessageKind.FRIENDTALK_TEXT, MessageKind.FRIENDTALK_IMAGE):
        return "friendtalk"
    return str(kind)


def monthly_usage(
    *, start: dt.date, end: dt.date, customer_ids: Sequence[int] | None = None
) -> list[dict[str, Any]]:
    """Per customer (by name), messages of ``start..end`` (Seoul dates, inclusive) sent / delivered /
    failed per ``USAGE_COLUMNS`` type, and ``billable``: delivered messages (MSG-6) per billing unit
    (``MessageKind``; a fallback bills at its SMS/LMS unit, MSG-3), the same rule and dates as
    :func:`delivered_counts`, which billing bills (BIL-6). :func:`price_usage` adds the amount.

    "Sent" counts every message of the period whatever its status (queued ones too); a message is dated
    by ``sent_at``, or ``created_at`` until it is handed over. One query, whatever the number of customers.
    """
    dated = Coalesce("sent_at", "created_at")
    rows = Message.objects.annotate(dated_at=dated).filter(
        dated_at__gte=clock.start_of_day(start), dated_at__lt=clock.start_of_day(end + dt.timedelta(days=1)),
    )
    if customer_ids is not None:
        rows = rows.filter(customer_id__in=list(customer_ids))
    is_fallback = ExpressionWrapper(Q(fallback_of__isnull=False), output_field=BooleanField())
    grouped = (
        rows.annotate(is_fallback=is_fallback)
        .values("customer_id", "customer__legal_name", "kind", "is_fallback")
        .annotate(
            sent=Count("id"),
            delivered=Count("id", filter=Q(status=Message.Status.DELIVERED)),
            failed=Count("id", filter=Q(status=Message.Status.FAILED)),
        )
        .order_by("customer__legal_name", "customer_id", "kind", "is_fallback")
    )
    by_customer: dict[int, dict[str, Any]] = {}
    for row in grouped:
        customer_id = row["customer_id"]
        entry = by_customer.get(customer_id)
        if entry is None:
            entry = by_customer[customer_id] = {
                "customer_id": customer_id,
                "customer_name": row["customer__legal_name"],
                "counts": {column: dict.fromkeys(USAGE_STATUSES, 0) for column in USAGE_COLUMNS},
                "totals": dict.fromkeys(USAGE_STATUSES, 0),
                "billable": {},
                "billable_won": 0,
            }
        cell = entry["counts"][_usage_column(row["kind"], row["is_fallback"])]
        for status in USAGE_STATUSES:
            cell[status] += int(row[status])
            entry["totals"][status] += int(row[status])
        if row["delivered"]:
            entry["billable"][row["kind"]] = entry["billable"].get(row["kind"], 0) + int(row["delivered"])
    return list(by_customer.values())


def price_usage(
    rows: list[dict[str, Any]], unit_prices: Mapping[int, Mapping[str, int]]
) -> list[dict[str, Any]]:
    """Set each :func:`monthly_usage` row's ``billable_won``: its delivered messages per unit times the
    customer's unit prices (the plan's, which the caller reads: messaging never reads a plan). No query."""
    for row in rows:
        prices = unit_prices.get(row["customer_id"], {})
        row["billable_won"] = sum(n * int(prices.get(unit, 0)) for unit, n in row["billable"].items())
    return rows


def messages_by_day(*, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Messages of ``start..end`` (Seoul dates, inclusive) per day, dated as :func:`monthly_usage` dates them
    (``sent_at``, else ``created_at``): ``day``, ``sent`` (every message, whatever its status), ``delivered``
    and ``failed``; every day listed, a day without messages with zeros. One query."""
    dated = Coalesce("sent_at", "created_at")
    rows = (
        Message.objects.annotate(dated_at=dated)
        .filter(
            dated_at__gte=clock.start_of_day(start),
            dated_at__lt=clock.start_of_day(end + dt.timedelta(days=1)),
        )
        .annotate(day=TruncDate("dated_at", tzinfo=clock.SEOUL))
        .values("day")
        .annotate(
            sent=Count("id"),
            delivered=Count("id", filter=Q(status=Message.Status.DELIVERED)),
            failed=Count("id", filter=Q(status=Message.Status.FAILED)),
        )
        .order_by("day")
    )
    found = {row["day"]: row for row in rows}
    out = []
    for n in range((end - start).days + 1):
        day = start + dt.timedelta(days=n)
        row = found.get(day, {})
        out.append(
            {
                "day": day,
                "sent": int(row.get("sent") or 0),
                "delivered": int(row.get("delivered") or 0),
                "failed": int(row.get("failed") or 0),
            }
        )
    return out
