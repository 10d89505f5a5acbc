"""MSG-7, issue #14: a recipient's consent and opt-out decisions keep their history with the actor, and
the recipients' purge destroys that history with the rows (DAT-2)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from core.audit import acting_as
from messaging.models import Recipient
from messaging.services import retention, spam

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


def test_consent_then_opt_out_are_both_kept_with_who_did_it(customer):
    """MSG-7: the advert consent and the later opt-out are two history rows naming the staff member."""
    staff = get_user_model().objects.create_user(username="msg-staff", password="x", is_staff=True)
    with acting_as(staff):
        spam.recipient_update(customer=customer, number="010-1234-5678", now=NOW, ad_consent=True)
        spam.recipient_update(
            customer=customer, number="01012345678", now=NOW + dt.timedelta(days=3), opted_out=True
        )
    row = Recipient.objects.get(customer=customer)
    history = list(row.history.order_by("history_id"))
    assert [(h.ad_consent_at is not None, h.opted_out_at is not None) for h in history] == [
        (False, False),  # the number first seen
        (True, False),  # the consent, as it was given
        (True, True),  # then the opt-out (the consent time stays; the opt-out wins when sending)
    ]
    assert {h.history_actor for h in history} == {"user:msg-staff"}
    assert history[2].opted_out_at == NOW + dt.timedelta(days=3)


def test_the_recipients_purge_destroys_the_history_too(customer):
    """DAT-2, MSG-7: at the end of the retention period no earlier number or consent survives."""
    spam.recipient_update(customer=customer, number="010-2222-3333", now=NOW, ad_consent=True)
    spam.recipient_update(customer=customer, number="010-2222-3333", now=NOW, opted_out=True)
    assert Recipient.history.model.objects.filter(customer_id=customer.pk).count() == 3  # seen, consent, out
    retention.recipients_erase(customer_id=customer.pk)
    assert not Recipient.objects.filter(customer=customer).exists()
    assert not Recipient.history.model.objects.filter(customer_id=customer.pk).exists()
