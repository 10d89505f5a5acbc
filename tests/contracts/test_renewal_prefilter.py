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
    # the longest reminder lead (2 queries) and the contracts still due (1, empty: every reminder is sent)
    assert few == many == 3, (few, many)
    assert renewal.renew_due(today=D(2026, 2, 5))["renewed"] == 6  # monthly terms renew the day after


def test_a_day_with_no_term_near_its_end_reads_no_contract(presets: Any) -> None:
    """CON-6, issue 16: the prefilter is SQL: with every term far from its end (annual dcloud terms four
    months in) the job reads the longest reminder lead and finds no contract, whatever the book's size;
    the same contracts are reminded when their end comes within the lead."""
    for _ in range(3):
        active("dcloud")
    count, counts = _queries(D(2026, 6, 1))
    assert counts == {"reminded": 0, "renewed": 0, "ended": 0}
    assert count == 3, count  # policies' lead, special terms' lead, the (empty) contracts near their end
    assert renewal._due_ids(D(2026, 6, 1)) == []
    assert renewal.renew_due(today=D(2026, 12, 20))["reminded"] == 3  # the term ends 2027-01-04


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


def test_a_special_term_with_a_longer_reminder_lead_widens_the_prefilter(presets: Any) -> None:
    """CON-6, CON-12: a contract whose special term sends the reminder 90 days before the end (the
    policies say at most 30) is reminded on day 90: the prefilter's lead is the longest of the policies
    and the active special terms."""
    from contracts.services.changes import special_term_set

    longer, plain = active("dcloud"), active("dcloud")
    special_term_set(contract=longer, parameter="renewal_reminder_days", value=90, note="90일 전 안내 특약",
                     signed_on=D(2026, 1, 5))
    assert renewal._longest_reminder() == 90
    assert renewal._due_ids(D(2026, 10, 6)) == [longer.pk]  # 90 days before 2027-01-04
    assert renewal.renew_due(today=D(2026, 10, 6)) == {"reminded": 1, "renewed": 0, "ended": 0}
    assert renewal._due_ids(D(2026, 12, 5)) == [plain.pk]  # 30 days before: the plain one's turn
