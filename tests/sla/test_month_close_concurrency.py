"""The month close run by two workers at once (SLA-4, SPEC §10: row locks and unique keys, not hope)."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection

from billing.models import CreditNote
from contracts.presets import load_presets
from sla.models import SlaCreditDocument, SlaMonth
from sla.services.credits import sla_month_close
from sla.services.incidents import incident_open
from tests.sla.conftest import D, T, contract_for, fee_invoice

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_workers_closing_the_month_at_once_issue_one_credit():
    """SLA-4: two threads released together by a Barrier run the close for the same date: one month record,
    one credit document, one credit note."""
    load_presets()
    contract = contract_for("officecore")
    fee_invoice(contract, D(2026, 11, 1), 500_000)
    incident_open(
        service="officecore",
        title="장애",
        detected_at=T(2026, 11, 3, 10),
        ended_at=T(2026, 11, 3, 10) + dt.timedelta(minutes=600),
        today=D(2026, 12, 1),
        now=T(2026, 12, 1, 9),
    )
    barrier = threading.Barrier(2)
    results: list[Any] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(sla_month_close(today=D(2026, 12, 1)))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(r["closed"] for r in results) == [0, 1]
    assert SlaMonth.objects.filter(contract=contract).count() == 1
    assert SlaCreditDocument.objects.count() == 1
    assert CreditNote.objects.filter(reason=CreditNote.Reason.SLA_CREDIT).count() == 1
