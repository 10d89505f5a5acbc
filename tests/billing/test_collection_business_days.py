"""BIL-7, BIL-8: an automatic charge (CMS/card) due on a weekend or holiday is attempted on the next
business day (``BusinessCalendar.on_or_after``), and flow's retries count business days from that
attempt (001 art.19-6)."""

from __future__ import annotations

import datetime as dt

import pytest

from billing.models import Payment, PaymentMethod
from billing.services.collection import collect_payments, next_attempt_on
from core.calendar import BusinessCalendar
from tests.billing.payment_factories import (
    CustomerFactory,
    D,
    PaymentMethodFactory,
    fake_gateway,  # noqa: F401 - fixture
    flow_policy,
    make_invoice,
)

pytestmark = pytest.mark.django_db


def charge_days(invoice, start: dt.date, end: dt.date) -> list[dt.date]:  # type: ignore[no-untyped-def]
    charged = []
    day = start
    while day <= end:
        if collect_payments(today=day)["charged"]:
            charged.append(day)
        day += dt.timedelta(days=1)
    return charged


@pytest.mark.parametrize(
    ("due", "first"),
    [
        (D(2026, 11, 7), D(2026, 11, 9)),  # Saturday → Monday
        (D(2026, 9, 24), D(2026, 9, 28)),  # Chuseok (09-24..26) and a Sunday → Monday
    ],
)
def test_due_on_a_weekend_or_holiday_is_charged_on_the_next_business_day(fake_gateway, due, first):  # noqa: F811
    customer = CustomerFactory()
    PaymentMethodFactory(customer=customer, gateway_token="tok_ok", kind=PaymentMethod.Kind.CMS)
    invoice = make_invoice(customer, 110_000, due_date=due, policy=flow_policy())
    assert BusinessCalendar().on_or_after(due) == first
    assert next_attempt_on(invoice) == first
    assert charge_days(invoice, due, first + dt.timedelta(days=3)) == [first]
    assert Payment.objects.get().received_on == first


def test_flow_retries_count_business_days_from_the_moved_attempt(fake_gateway):  # noqa: F811
    customer = CustomerFactory()
    PaymentMethodFactory(customer=customer, gateway_token="fail_card", kind=PaymentMethod.Kind.CARD)
    invoice = make_invoice(customer, 110_000, due_date=D(2026, 11, 7), policy=flow_policy())  # Saturday
    charged = charge_days(invoice, D(2026, 11, 7), D(2026, 12, 31))
    first = D(2026, 11, 9)
    cal = BusinessCalendar()
    assert charged == [first, cal.add_business_days(first, 5), cal.add_business_days(first, 10)]
    assert charged == [D(2026, 11, 9), D(2026, 11, 16), D(2026, 11, 23)]
    assert next_attempt_on(invoice) is None
