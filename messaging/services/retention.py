"""Message records purged after the retention period; recipients' data destroyed at contract end (MSG-9).

Messaging cannot see contracts or policies: the caller (the purge job at the
top) computes the cut-off from the contract's ``message_records_retention_months``
(003 art.5-6) and calls these per customer, and calls :func:`recipients_erase`
when the customer's kgmsg contract ends (003 art.10-2).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from accounts.models import Customer
from core.erasure import erase_customer_rows

from ..models import (
    BroadcastRead,
    KakaoTemplate,
    Message,
    MessageBatch,
    Notice,
    NoticePreference,
    PaymentNoticeSetting,
    Recipient,
    SenderNumber,
)

CHUNK = 5_000


def messages_purge(*, customer_id: int, before: dt.datetime) -> int:
    """Delete the customer's messages created before ``before`` (and bulk sends left empty); return the count.

    Messages still waiting for a result are kept whatever their age. Idempotent.
    """
    return messages_purge_many(customer_ids=[customer_id], before=before)


def messages_purge_many(*, customer_ids: list[int], before: dt.datetime) -> int:
    """:func:`messages_purge` for many customers with the same cut-off, in a constant number of queries
    (a batch of the purge job, issue 16)."""
    if not customer_ids:
        return 0
    done = (Message.Status.DELIVERED, Message.Status.FAILED)
    deleted = 0
    old = Message.objects.filter(customer_id__in=customer_ids, created_at__lt=before, status__in=done)
    # fallbacks first: an original is protected while its fallback exists
    for rows in (old.filter(fallback_of__isnull=False), old.filter(fallback_of__isnull=True)):
        while True:
            with transaction.atomic():
                ids = list(rows.exclude(fallback__isnull=False).values_list("id", flat=True)[:CHUNK])
                if not ids:
                    break
                deleted += Message.objects.filter(pk__in=ids).delete()[0]
    MessageBatch.objects.filter(
        customer_id__in=customer_ids, created_at__lt=before, messages__isnull=True
    ).delete()
    return deleted


def recipients_erase(*, customer_id: int) -> int:
    """Destroy the customer's recipients' personal data: numbers on messages, consent rows and their
    history, receiver lists.

    The message rows stay (billing and the retention period need them) without a number. Idempotent.
    """
    with transaction.atomic():
        erased = Message.objects.filter(customer_id=customer_id).exclude(recipient="").update(recipient="")
        Recipient.objects.filter(customer_id=customer_id).delete()
        Recipient.history.model.objects.filter(customer_id=customer_id).delete()  # earlier consents too
        for model in (PaymentNoticeSetting, PaymentNoticeSetting.history.model):
            model.objects.filter(customer_id=customer_id).update(merchant_receivers=[])
    return erased


def customer_data_erase(*, customer_id: int) -> dict[str, int]:
    """The customer's purge (DAT-2): every messaging table holding its rows, deleted for real.

    Called by the purge job at the top after :func:`messages_purge` and :func:`recipients_erase`. A new
    messaging table with customer data belongs in the list below. Idempotent.
    """
    tables = (Message, MessageBatch, Recipient, Recipient.history.model, PaymentNoticeSetting,
              PaymentNoticeSetting.history.model, NoticePreference, NoticePreference.history.model, Notice,
              BroadcastRead, KakaoTemplate, SenderNumber)
    return erase_customer_rows(tables, customer_model=Customer, customer_id=customer_id)
