"""Telling customers things (MSG-1): ``notify`` is the one way any part of the system does it.

Every write about notices lives here; the admin, the portal, the API and the
jobs call these functions. Email leaves the building only after the
surrounding transaction commits (``transaction.on_commit``); so do ``sms``
(SMS or LMS by length) and ``alimtalk``, through the messaging provider from
the operator's own sender to the member's mobile. Without channels given, the
customer's choice for the kind of notice applies (``services.preferences``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from core import clock
from core.audit import acting_as, current_actor
from core.errors import DomainError, NotFound
from core.transitions import transition, transition_many

from ..defaults import FALLBACK
from ..lifecycles import NOTICE
from ..models import (
    BROADCAST_MIN_POSTING,
    DELIVERED_CHANNELS,
    Broadcast,
    BroadcastRead,
    Channel,
    Language,
    Notice,
    NoticePreference,
    NoticeTemplate,
)
from ..providers import OutboundMessage, ProviderUnavailable, get_provider
from ..rendering import json_safe, render, render_subject
from .encoding import cp949_bytes
from .operator import operator_kakao_profile, operator_sender
from .phones import normalize_phone
from .preferences import category_of, preferred_channels

if TYPE_CHECKING:
    from accounts.models import Customer, Member

log = logging.getLogger(__name__)

RULE = "MSG-1"
SKIPPED_UNAVAILABLE = "skipped: channel not yet available"
DEFAULT_CHANNELS: tuple[str, ...] = (Channel.PORTAL, Channel.EMAIL)
_CHANNEL_ORDER = [c.value for c in Channel]
PHONE_CHANNELS = frozenset({Channel.SMS, Channel.ALIMTALK})
SKIPPED_NO_MOBILE = "skipped: no mobile number"


# --- notify -----------------------------------------------------------------


def notify(
    *,
    customer: Customer,
    event: str,
    context: dict[str, Any] | None,
    channels: Sequence[str] | None = None,
    members: Iterable[Member] | None = None,
    dedupe_key: str | None = None,
    language: str | None = None,
    actor: Any = None,
) -> list[Notice]:
    """Send the notice for ``event`` to ``customer``: one ``Notice`` per recipient and channel (MSG-1).

    * ``channels``: default is the channels that have a template for the event,
      else portal and email.
    * recipients: email goes to the billing email and the active admin members'
      emails (deduplicated); portal to each active admin member; with
      ``members`` given, both go to exactly those members.
    * ``language``: default the customer's preferred language; a missing
      English template falls back to the Korean one.
    * ``dedupe_key``: a second call with the same key creates nothing and
      returns the notices of the first.
    * ``actor``: a user, or a job name (``"dunning"``), for the audit trail.
    """
    context = dict(context or {})
    with _acting(actor), transaction.atomic():
        if dedupe_key:
            _lock_key(dedupe_key)
            existing = list(Notice.objects.filter(dedupe_key=dedupe_key).order_by("id"))
            if existing:
                log.info("notify %s: dedupe key %s already used, nothing sent", event, dedupe_key)
                return existing
        chosen = _channels_for(event, channels)
        if channels is None:  # the customer's choice for this kind of notice (legal ones add email)
            chosen = _channels_for(event, preferred_channels(customer, event, chosen))
        lang = _language(language or customer.preferred_language)
        member_list = _members_for(customer, members)
        templates = _templates_for(event)
        stored_context = json_safe(context)
        now = clock.now()
        label = current_actor().label
        notices: list[Notice] = []
        for channel in chosen:
            template, subject_src, body_src, used_lang = _pick_template(templates, event, channel, lang)
            for member, address in _recipients(customer, channel, member_list):
                variables = {**context, "customer": customer, "member": member}
                subject, body = _render(subject_src, body_src, variables, used_lang, event)
                # Created in its first state: a portal notice is shown at once, an undelivered
                # channel is skipped, anything else waits in the queue (messaging.lifecycles).
                initial: dict[str, Any] = {}
                if channel == Channel.PORTAL:
                    initial = {"status": Notice.Status.SENT, "sent_at": now}
                elif channel not in DELIVERED_CHANNELS:
                    initial = {"status": Notice.Status.SKIPPED, "error": SKIPPED_UNAVAILABLE}
                notice = Notice(
                    customer=customer, member=member, recipient=address, channel=channel, event=event,
                    language=used_lang, template=template, subject=subject, body=body,
                    context=stored_context, dedupe_key=dedupe_key or None, actor=label, **initial,
                )
                notices.append(notice)
        try:
            with transaction.atomic():
                Notice.objects.bulk_create(notices)
        except IntegrityError:
            if not dedupe_key:
                raise
            # Backstop where no advisory lock exists: another call with the key won the race.
            log.info("notify %s: dedupe key %s taken concurrently, nothing sent", event, dedupe_key)
            return list(Notice.objects.filter(dedupe_key=dedupe_key).order_by("id"))
        email_ids = [n.pk for n in notices if n.status == Notice.Status.QUEUED and n.channel == Channel.EMAIL]
        if email_ids:
            transaction.on_commit(partial(deliver_emails, email_ids), robust=True)
        phone_ids = [
            n.pk for n in notices if n.status == Notice.Status.QUEUED and n.channel in PHONE_CHANNELS
        ]
        if phone_ids:
            transaction.on_commit(partial(deliver_phone_notices, phone_ids), robust=True)
        if not notices:
            log.warning("notify %s for customer %s: no recipients", event, customer.pk)
    return notices


@dataclass(frozen=True)
class NoticeRequest:
    """One notice of :func:`notify_many`: what :func:`notify` takes, with the defaults for the rest."""

    customer: Customer
    event: str
    context: dict[str, Any]
    dedupe_key: str


#: The requests of the innermost :func:`notices_together` block (None outside one).
_TOGETHER: ContextVar[list[NoticeRequest] | None] = ContextVar("notices_together", default=None)


@contextlib.contextmanager
def notices_together(*, actor: Any = None) -> Iterator[None]:
    """Collect the notices :func:`notify_request` is given inside the block and send them with one
    :func:`notify_many` when the block ends without an error (issue 16: a batch of a daily job that moves
    many rows through per-row helpers notifies set-based). Use it inside the batch's transaction, so the
    notices commit, or roll back, with the changes they tell of. A block inside another hands its notices
    to the outer one when it ends without an error, and drops them when it ends with one: wrap a savepoint
    in its own block, so a step rolled back sends nothing."""
    outer = _TOGETHER.get()
    pending: list[NoticeRequest] = []
    token = _TOGETHER.set(pending)
    try:
        yield
    finally:
        _TOGETHER.reset(token)
    if outer is not None:
        outer.extend(pending)
    else:
        notify_many(pending, actor=actor)


def notify_request(request: NoticeRequest) -> None:
    """Send ``request`` now (:func:`notify`), or with the others at the end of the enclosing
    :func:`notices_together` block."""
    pending = _TOGETHER.get()
    if pending is None:
        notify(customer=request.customer, event=request.event, context=request.context,
               dedupe_key=request.dedupe_key)
    else:
        pending.append(request)


def notify_many(requests: Sequence[NoticeRequest], *, actor: Any = None) -> dict[str, list[Notice]]:
    """:func:`notify` for many customers at once (a batch of a daily job, issue 16), each request with its
    ``dedupe_key`` and the default channels, recipients and language: the same notices, read and written
    with a constant number of queries (the keys locked in one statement, one read each of the keys used,
    templates, preferences and admin members, one insert). A key used before (or twice) sends nothing.
    Returns the notices created by key, for the keys sent now (an empty list: no recipient). ``actor``: as
    :func:`notify` (a user, a job name, or None for the current actor)."""
    from accounts.models import Member

    created: list[Notice] = []
    if not requests:
        return {}
    with _acting(actor), transaction.atomic():
        keys = sorted({r.dedupe_key for r in requests})
        _lock_keys(keys)
        taken = set(Notice.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
        todo: list[NoticeRequest] = []
        for r in requests:
            if r.dedupe_key not in taken:
                taken.add(r.dedupe_key)
                todo.append(r)
        if not todo:
            return {}
        events = sorted({r.event for r in todo})
        templates = {
            (t.event, t.channel, t.language): t
            for t in NoticeTemplate.objects.filter(event__in=[*events, "generic"], is_active=True)
        }
        customer_ids = sorted({r.customer.pk for r in todo})
        prefs = {
            (p.customer_id, p.category): p
            for p in NoticePreference.objects.filter(
                customer_id__in=customer_ids, category__in={category_of(e) for e in events}
            )
        }
        admins: dict[int, list[Member]] = {cid: [] for cid in customer_ids}
        for m in (
            Member.objects.filter(
                customer_id__in=customer_ids, role=Member.Role.ADMIN, status=Member.Status.ACTIVE
            )
            .select_related("user")
            .order_by("id")
        ):
            admins[m.customer_id].append(m)
        now = clock.now()
        label = current_actor().label
        for r in todo:
            found = {channel for (event, channel, _lang) in templates if event == r.event}
            chosen = _channels_for(r.event, sorted(found, key=_CHANNEL_ORDER.index) or DEFAULT_CHANNELS)
            row = prefs.get((r.customer.pk, category_of(r.event)))
            chosen = _channels_for(r.event, preferred_channels(r.customer, r.event, chosen, row=row))
            lang = _language(r.customer.preferred_language)
            stored_context = json_safe(dict(r.context))
            for channel in chosen:
                template, subject_src, body_src, used_lang = _pick_template(templates, r.event, channel, lang)
                for member, address in _recipients(r.customer, channel, None, admins[r.customer.pk]):
                    variables = {**r.context, "customer": r.customer, "member": member}
                    subject, body = _render(subject_src, body_src, variables, used_lang, r.event)
                    initial: dict[str, Any] = {}
                    if channel == Channel.PORTAL:
                        initial = {"status": Notice.Status.SENT, "sent_at": now}
                    elif channel not in DELIVERED_CHANNELS:
                        initial = {"status": Notice.Status.SKIPPED, "error": SKIPPED_UNAVAILABLE}
                    created.append(
                        Notice(
                            customer=r.customer, member=member, recipient=address, channel=channel,
                            event=r.event, language=used_lang, template=template, subject=subject, body=body,
                            context=stored_context, dedupe_key=r.dedupe_key, actor=label, **initial,
                        )
                    )
        try:
            with transaction.atomic():
                Notice.objects.bulk_create(created)
        except IntegrityError:
            # a key taken meanwhile by a call without the advisory lock: one at a time, as notify does
            log.info("notify_many: a dedupe key was taken concurrently; notifying one by one")
            sent: dict[str, list[Notice]] = {}
            for r in todo:
                if Notice.objects.filter(dedupe_key=r.dedupe_key).exists():
                    continue
                sent[r.dedupe_key] = notify(
                    customer=r.customer, event=r.event, context=r.context, dedupe_key=r.dedupe_key
                )
            return sent
        email_ids = [n.pk for n in created if n.status == Notice.Status.QUEUED and n.channel == Channel.EMAIL]
        if email_ids:
            transaction.on_commit(partial(deliver_emails, email_ids), robust=True)
        phone_ids = [
            n.pk for n in created if n.status == Notice.Status.QUEUED and n.channel in PHONE_CHANNELS
        ]
        if phone_ids:
            transaction.on_commit(partial(deliver_phone_notices, phone_ids), robust=True)
    by_key: dict[str, list[Notice]] = {r.dedupe_key: [] for r in todo}
    for notice in created:
        by_key[str(notice.dedupe_key)].append(notice)
    return by_key


#: Email notices sent per transaction by :func:`deliver_emails` (locked at once, one mail connection).
DELIVERY_CHUNK = 200


def deliver_emails(notice_ids: Sequence[int]) -> None:
    """After commit: send the queued email notices through Django's mail backend, a chunk at a time
    (issue 16: was a transaction, a lock, an update and a log row per notice)."""
    ids = list(notice_ids)
    for i in range(0, len(ids), DELIVERY_CHUNK):
        _deliver_chunk(ids[i : i + DELIVERY_CHUNK])


def notice_deliver(*, notice_id: int) -> Notice | None:
    """Send one queued email notice and mark it sent or failed. Another worker's notice is skipped."""
    delivered = _deliver_chunk([notice_id])
    return delivered[0] if delivered else None


def _deliver_chunk(notice_ids: list[int]) -> list[Notice]:
    """Send the queued email notices of ``notice_ids`` and mark each sent or failed, in one transaction:
    the notices locked in one statement (a notice another worker holds, or one no longer queued, is
    skipped), sent over one mail connection, the sent ones moved in one update with one insert of their
    log rows; a failure is recorded on its notice with the error (MSG-1)."""
    with transaction.atomic():
        notices = list(
            Notice.objects.select_for_update(skip_locked=True)
            .filter(pk__in=notice_ids, status=Notice.Status.QUEUED, channel=Channel.EMAIL)
            .order_by("pk")
        )
        if not notices:
            return []
        sent: list[Notice] = []
        failed: list[Notice] = []
        mail = get_connection()
        with contextlib.suppress(Exception):  # not reachable now: each send below tries and records why
            mail.open()
        try:
            for notice in notices:
                notice.attempts += 1
                try:
                    EmailMessage(
                        subject=notice.subject, body=notice.body, from_email=settings.DEFAULT_FROM_EMAIL,
                        to=[notice.recipient], connection=mail,
                    ).send(fail_silently=False)
                except Exception as exc:
                    log.warning("notice %s to %s failed: %s", notice.pk, notice.recipient, exc)
                    notice.error = f"{type(exc).__name__}: {exc}"[:2000]
                    failed.append(notice)
                else:
                    sent.append(notice)
        finally:
            with contextlib.suppress(Exception):
                mail.close()
        today = clock.today()
        if sent:
            Notice.objects.filter(pk__in=[n.pk for n in sent]).update(attempts=F("attempts") + 1)
            transition_many(sent, NOTICE, Notice.Status.SENT, today=today,
                            changes={"sent_at": clock.now(), "error": ""})
        for notice in failed:
            transition(notice, NOTICE, Notice.Status.FAILED, today=today, save_fields=["error", "attempts"])
    return notices


def notice_retry(*, notice: Notice, actor: Any = None) -> Notice:
    """Queue a failed email again; it is sent after commit."""
    with _acting(actor), transaction.atomic():
        locked = Notice.objects.select_for_update().get(pk=notice.pk)
        if locked.channel != Channel.EMAIL:
            raise DomainError("notice_not_retryable", _("이메일 알림만 다시 보낼 수 있습니다."), rule=RULE)
        transition(locked, NOTICE, Notice.Status.QUEUED, today=clock.today())
        transaction.on_commit(partial(deliver_emails, [locked.pk]), robust=True)
    return locked


def deliver_queued_emails(*, older_than: dt.timedelta = dt.timedelta(minutes=5)) -> int:
    """Sweep: send email notices still queued (the process died between commit and send)."""
    cutoff = clock.now() - older_than
    ids = list(
        Notice.objects.filter(status=Notice.Status.QUEUED, channel=Channel.EMAIL, created_at__lt=cutoff)
        .order_by("id").values_list("id", flat=True)[:1000]
    )
    deliver_emails(ids)
    return len(ids)


def notice_mark_read(*, notice: Notice, member: Member) -> Notice:
    """The member opened a portal notice. Idempotent: a read notice stays as first read."""
    if notice.channel != Channel.PORTAL or notice.member_id != member.pk:
        raise NotFound("notice_not_found", _("알림을 찾을 수 없습니다."), rule=RULE)
    with transaction.atomic():
        locked = Notice.objects.select_for_update().get(pk=notice.pk)
        if locked.status == Notice.Status.READ:
            return locked
        locked.read_at = clock.now()
        transition(locked, NOTICE, Notice.Status.READ, today=clock.today(), save_fields=["read_at"])
    return locked


# --- broadcasts ---------------------------------------------------------------


def broadcast_portal_notice(
    *,
    subject: str,
    body: str,
    posted_until: dt.datetime | dt.date,
    posted_from: dt.datetime | None = None,
    subject_en: str = "",
    body_en: str = "",
    actor: Any = None,
) -> Broadcast:
    """A portal notice to all customers, posted at least 7 days (MSG-1, 000 art.9②).

    ``posted_until`` as a date means the end of that day (Asia/Seoul).
    """
    start = posted_from or clock.now()
    until = _end_of(posted_until)
    check_posting(start, until)
    if not subject.strip() or not body.strip():
        raise DomainError("broadcast_empty", _("제목과 본문을 입력해 주세요."), rule=RULE, field="subject")
    with _acting(actor), transaction.atomic():
        user = current_actor().user
        return Broadcast.objects.create(
            subject=subject.strip(), body=body, subject_en=subject_en.strip(), body_en=body_en,
            posted_from=start, posted_until=until, created_by=user,
        )


def broadcast_update(
    *, broadcast: Broadcast, posted_until: dt.datetime | dt.date, actor: Any = None,
) -> Broadcast:
    """Change how long a broadcast stays posted; never below 7 days (MSG-1)."""
    until = _end_of(posted_until)
    check_posting(broadcast.posted_from, until)
    with _acting(actor), transaction.atomic():
        locked = Broadcast.objects.select_for_update().get(pk=broadcast.pk)
        locked.posted_until = until
        locked.save(update_fields=["posted_until", "updated_at"])
    return locked


def broadcast_mark_read(
    *, broadcast: Broadcast, member: Member, now: dt.datetime | None = None,
) -> BroadcastRead:
    """The member opened a posted broadcast (idempotent)."""
    moment = now or clock.now()
    if broadcast.posted_from > moment:
        raise NotFound("broadcast_not_found", _("공지를 찾을 수 없습니다."), rule=RULE)
    read, _created = BroadcastRead.objects.get_or_create(
        broadcast=broadcast, member=member, defaults={"read_at": moment},
    )
    return read


def check_posting(start: dt.datetime, until: dt.datetime) -> None:
    """MSG-1: a broadcast stays posted at least 7 days."""
    if until - start < BROADCAST_MIN_POSTING:
        raise DomainError(
            "broadcast_posting_too_short",
            _("전체 공지는 7일 이상 게시해야 합니다 (게시 시작 {start}, 종료 {until})."),
            rule=RULE, field="posted_until",
            start=clock.to_seoul_date(start).isoformat(), until=clock.to_seoul_date(until).isoformat(),
        )


def _end_of(value: dt.datetime | dt.date) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=clock.SEOUL)
    return dt.datetime.combine(value, dt.time.max, tzinfo=clock.SEOUL)


# --- helpers ------------------------------------------------------------------


@contextlib.contextmanager
def _acting(actor: Any) -> Iterator[None]:
    """Attribute the block to ``actor``: a user, a job name, or ``None`` (keep the current actor)."""
    if actor is None:
        yield
    elif isinstance(actor, str):
        with acting_as(job=actor.removeprefix("job:")):
            yield
    else:
        with acting_as(actor):
            yield


def _lock_key(key: str) -> None:
    """Serialise concurrent calls with the same dedupe key (the unique constraint is the backstop)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"notice:{key}"])


def _lock_keys(keys: Sequence[str]) -> None:
    """:func:`_lock_key` for many keys in one statement, in a fixed (sorted) order."""
    if keys and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended('notice:' || k, 0)) "
                "FROM unnest(%s::text[]) WITH ORDINALITY AS t(k, n) ORDER BY n",
                [sorted(keys)],
            )


def _language(value: str | None) -> str:
    return value if value in Language.values else Language.KO


def _channels_for(event: str, channels: Sequence[str] | None) -> list[str]:
    if channels is None:
        found = set(
            NoticeTemplate.objects.filter(event=event, is_active=True).values_list("channel", flat=True)
        )
        chosen = sorted(found, key=_CHANNEL_ORDER.index) if found else list(DEFAULT_CHANNELS)
    else:
        chosen = list(dict.fromkeys(channels))
    unknown = [c for c in chosen if c not in Channel.values]
    if unknown:
        raise DomainError("notice_unknown_channel", _("알 수 없는 알림 채널입니다: {channels}"),
                          rule=RULE, field="channels", channels=", ".join(unknown))
    return chosen


def _members_for(customer: Customer, members: Iterable[Member] | None) -> list[Member] | None:
    if members is None:
        return None
    member_list = list(members)
    strangers = [m for m in member_list if m.customer_id != customer.pk]
    if strangers:
        raise DomainError("notice_member_not_of_customer", _("다른 고객의 구성원에게는 알릴 수 없습니다."),
                          rule=RULE, field="members")
    return member_list


def _templates_for(event: str) -> dict[tuple[str, str, str], NoticeTemplate]:
    rows = NoticeTemplate.objects.filter(event__in=[event, "generic"], is_active=True)
    return {(t.event, t.channel, t.language): t for t in rows}


def _pick_template(
    templates: dict[tuple[str, str, str], NoticeTemplate], event: str, channel: str, language: str,
) -> tuple[NoticeTemplate | None, str, str, str]:
    """The event's template in the language, else in Korean; else the generic one with a warning."""
    for lang in dict.fromkeys([language, Language.KO]):
        template = templates.get((event, channel, lang))
        if template is not None:
            return template, template.subject, template.body, lang
    log.warning("notice template missing for event=%s channel=%s language=%s; using the generic one",
                event, channel, language)
    for lang in dict.fromkeys([language, Language.KO]):
        template = templates.get(("generic", channel, lang))
        if template is not None:
            return template, template.subject, template.body, lang
    subject, body = FALLBACK.get(language, FALLBACK[Language.KO])
    return None, subject, body, language if language in FALLBACK else Language.KO


def _render(subject_src: str, body_src: str, variables: dict[str, Any], language: str,
            event: str) -> tuple[str, str]:
    try:
        return (render_subject(subject_src, variables, language=language),
                render(body_src, variables, language=language))
    except Exception:  # a broken template must not stop the notice
        log.exception("notice template for %s failed to render; using the generic one", event)
        subject, body = FALLBACK.get(language, FALLBACK[Language.KO])
        return (render_subject(subject, variables, language=language),
                render(body, variables, language=language))


def _recipients(
    customer: Customer, channel: str, members: list[Member] | None, admins: list[Member] | None = None
) -> list[tuple[Any, str]]:
    """(member or None, address) pairs for a channel, addresses deduplicated. ``admins``: the customer's
    active admin members read beforehand (:func:`notify_many`)."""
    from accounts.models import Member

    if members is None and admins is not None:
        targets = [m for m in admins if m.status == Member.Status.ACTIVE]
    elif members is None:
        targets = list(
            Member.objects.filter(customer=customer, role=Member.Role.ADMIN, status=Member.Status.ACTIVE)
            .select_related("user").order_by("id")
        )
    else:
        targets = [m for m in members if m.status == Member.Status.ACTIVE]

    if channel == Channel.PORTAL:
        return [(m, m.login_id) for m in targets]

    pairs: list[tuple[Any, str]] = []
    seen: set[str] = set()

    def add(member: Any, address: str) -> None:
        key = address.strip().lower()
        if key and key not in seen:
            seen.add(key)
            pairs.append((member, address.strip()))

    if channel == Channel.EMAIL:
        if members is None:
            add(None, customer.billing_email or "")
        for m in targets:
            add(m, m.email or "")
        return pairs
    # sms / alimtalk: mobiles (recorded as skipped until the channel exists)
    if members is None:
        add(None, str(customer.billing_mobile or ""))
    for m in targets:
        add(m, str(m.mobile or ""))
    return pairs or [(None, "")]


# --- sms / alimtalk notices ---------------------------------------------------


def _sms_max_bytes() -> int:
    """Up to this many CP949 bytes a notice goes as SMS, else LMS (an operator setting: no contract)."""
    return int(getattr(settings, "MESSAGING_NOTICE_SMS_MAX_BYTES", 90))


def phone_notice_kind(channel: str, body: str) -> tuple[str, int]:
    """How a phone notice goes: ``("alimtalk", characters)`` or SMS/LMS by CP949 bytes (MSG-2).

    Refuses text SMS/LMS cannot encode (emoji). The admin's template preview shows the same answer.
    """
    if channel == Channel.ALIMTALK:
        return "alimtalk", len(body)
    size = cp949_bytes(body)
    return ("sms" if size <= _sms_max_bytes() else "lms"), size


def _outbound(notice: Notice) -> OutboundMessage:
    """The provider message of one phone notice; refuses text the channel cannot carry (MSG-2)."""
    recipient = normalize_phone(notice.recipient, field="recipient")
    kind, _size = phone_notice_kind(notice.channel, notice.body)
    if kind == "alimtalk":
        code = notice.template.kakao_template_code if notice.template else ""  # issue 18 (Solapi)
        return OutboundMessage(client_ref=f"notice-{notice.pk}", kind="alimtalk",
                               sender=operator_kakao_profile(), recipient=recipient, text=notice.body,
                               template_code=code)
    return OutboundMessage(client_ref=f"notice-{notice.pk}", kind=kind, sender=operator_sender(),
                           recipient=recipient, text=notice.body,
                           subject=notice.subject[:40] if kind == "lms" else "")


def deliver_phone_notices(notice_ids: Sequence[int]) -> None:
    """After commit: hand each queued SMS/AlimTalk notice to the provider; accepted → sent, else failed."""
    provider = get_provider()
    for notice_id in notice_ids:
        with transaction.atomic():
            notice = (
                Notice.objects.select_for_update(skip_locked=True)
                .filter(pk=notice_id, status=Notice.Status.QUEUED, channel__in=PHONE_CHANNELS)
                .first()
            )
            if notice is None:
                continue
            notice.attempts += 1
            if not notice.recipient.strip():
                to = Notice.Status.SKIPPED
                notice.error = SKIPPED_NO_MOBILE
            else:
                try:
                    [receipt] = provider.send_many([_outbound(notice)])
                except (DomainError, ProviderUnavailable) as exc:
                    log.warning("notice %s by %s failed: %s", notice.pk, notice.channel, exc)
                    to = Notice.Status.FAILED
                    notice.error = f"{type(exc).__name__}: {exc}"[:2000]
                else:
                    if receipt.accepted:
                        to = Notice.Status.SENT
                        notice.sent_at, notice.error = clock.now(), ""
                    else:
                        to = Notice.Status.FAILED
                        notice.error = receipt.reason[:2000]
            transition(notice, NOTICE, to, today=clock.today(), save_fields=["error", "sent_at", "attempts"])
