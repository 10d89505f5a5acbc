"""Helpers of the billing interface tests for dunning, disputes and refunds (admin, portal, API)."""

from __future__ import annotations

import datetime as dt

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from billing.models import Payment
from billing.services import payments

TODAY = dt.date(2026, 11, 20)
API = "/api/v1"
NOTIFY_LADDER = [
    {"day": 1, "action": "notify", "business_days": False},
    {"day": 30, "action": "notify", "business_days": False},
]


def url(model: str, view: str = "changelist", *args) -> str:
    return reverse(f"admin:billing_{model}_{view}", args=args)


def act(client, model: str, action: str, pks, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [str(pk) for pk in pks], **extra}
    return client.post(url(model), data)


def give_credit(customer, amount: int, on: dt.date = dt.date(2026, 10, 1)) -> Payment:
    return payments.payment_record(
        customer=customer, amount_won=amount, method=Payment.Method.BANK_TRANSFER, received_on=on
    )
