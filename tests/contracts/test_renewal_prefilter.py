"""Issue 16: the renewal job reads the live book set-based and opens a transaction only for the contracts
it has work for (CON-6), so an ordinary day costs the same few queries however many contracts are live."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contracts.services import renewal
from tests.contracts.conftest import D, active

pytestmark = pytest.mark.django_db


def _queries(day: Any) -> tuple[int, dict[str, int]]:
    with CaptureQueriesContext(connection) as ctx:
        counts = renewal.renew_due(today=day)
    return len(ctx.captured_queries), counts


def test_an_ordinary_day_costs_the_same_queries_for_any_number_of_contracts(presets: Any) -> None:
    """CON-6, issue 16: a day with nothing due (reminders sent, terms running) costs the same queries
    for two live contracts as for six; the renewals still happen on their day."""
    for _ in range(2):
        active("officecore")
    renewal.renew_due(today=D(2026, 1, 20))  # whatever reminder is due is sent
    few, counts = _queries(D(2026, 1, 21))
    assert counts == {"reminded": 0, "renewed": 0, "ended": 0}
    for _ in range(4):
        active("officecore")
    renewal.renew_due(today=D(2026, 1, 21))
    many, counts = _queries(D(2026, 1, 22))
    assert counts == {"reminded": 0, "renewed": 0, "ended": 0}
    assert few == many <= 4, (few, many)
    assert renewal.renew_due(today=D(2026, 2, 5))["renewed"] == 6  # monthly terms renew the day after


def _renewal_day(contracts: int) -> tuple[int, dict[str, int], list[Any]]:
    """``contracts`` officecore contracts renewing together on 2026-02-05; the queries of that day's job
    (its emails included: they are sent after commit) and the contracts."""
    made = [active("officecore") for _ in range(contracts)]
    renewal.renew_due(today=D(2026, 2, 4))
    with CaptureQueriesContext(connection) as ctx:
        counts = renewal.renew_due(today=D(2026, 2, 5))
    return len(ctx.captured_queries), counts, made


@pytest.mark.django_db(transaction=True)
def test_a_renewal_day_costs_the_same_queries_for_any_number_of_contracts(presets: Any) -> None:
    """CON-6, issue 16: renewing two contracts costs the same queries as renewing six (one batch: the
    contracts locked at once, the new periods inserted at once, the notices sent with one ``notify_many``
    and their emails delivered a chunk at a time). Every contract still gets its new period, its
    "renewed" notice and its email, once."""
    from django.core import mail

    from messaging.models import Notice

    few, counts, _made = _renewal_day(2)
    assert counts["renewed"] == 2, counts
    mail.outbox.clear()  # the emails of the first two contracts
    many, counts, made = _renewal_day(4)
    assert counts["renewed"] == 4, counts  # the first two renewed on 2026-02-05 already
    assert few == many, (few, many)
    for contract in made:
        periods = list(contract.periods.order_by("number").values_list("number", "kind", "starts_on"))
        assert periods[-1] == (2, "renewal", D(2026, 2, 5)), periods
        sent = Notice.objects.filter(dedupe_key=f"contract:{contract.pk}:renewed:2")
        assert sent.filter(channel="email", status="sent").count() >= 1
    renewed = Notice.objects.filter(
        event="contract.renewed", channel="email", customer__in=[c.customer_id for c in made]
    )
    outbox = sorted((m.to[0], m.subject) for m in mail.outbox if "갱신되었습니다" in m.subject)
    assert outbox == sorted(renewed.values_list("recipient", "subject")), outbox  # each email once
    assert renewal.renew_due(today=D(2026, 2, 5)) == {"reminded": 0, "renewed": 0, "ended": 0}
