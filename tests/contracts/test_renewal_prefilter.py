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
