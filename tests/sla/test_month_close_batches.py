"""Issue 16 / issue 19: the SLA month close set-based and batched (SLA-3, SLA-4, SLA-5).

* A batch's queries do not depend on how many contracts it closes, credits or notifies.
* The plan keeps a customer's contracts in one batch (they share the customer lock and the invoice).
* Two contracts of one customer whose fees sit on one invoice are credited in order, each limited to
  what the invoice can still credit after the one before (BIL-2), as one at a time would.
* Two workers running the same batch at once close each month once: one credit note each, gapless
  numbers, one notice per key.

November 2026: 43,200 minutes. An outage of 600 minutes is 98.6111 % (officecore: 25 % of the month's
fee); 648 minutes on flow is 98.5 % (25 % of the average, paid on a claim).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.models import CreditNote, DocumentCounter, Invoice, InvoiceLine
from billing.services.notes import credit_note_issue
from contracts.models import Contract
from contracts.presets import load_presets
from core.jobs import get
from messaging.models import Notice
from sla.models import SlaCreditDocument, SlaMonth
from sla.services import credits
from sla.services.credits import sla_month_close_batch, sla_month_close_plan
from sla.services.incidents import incident_open
from tests.concurrency import at_once
from tests.sla.conftest import D, T, contract_for, fee_invoice

NOV = D(2026, 11, 1)
CLOSE = D(2026, 12, 1)


def _outage(service: str, start: dt.datetime, minutes: int) -> None:
    incident_open(
        service=service,
        title="장애",
        detected_at=start,
        ended_at=start + dt.timedelta(minutes=minutes),
        today=CLOSE,
        now=T(2026, 12, 1, 9),
    )


def _book(officecore: int, flow: int) -> list[Contract]:
    contracts = []
    for service, n in (("officecore", officecore), ("flow", flow)):
        for _ in range(n):
            contract = contract_for(service)
            fee_invoice(contract, NOV, 500_000)
            contracts.append(contract)
    return contracts


def _credit_keys() -> int:
    """The distinct dedupe keys of the month close's notices (credit issued, claimable)."""
    rows = Notice.objects.filter(event__in=["sla.credit.issued", "sla.credit.claimable"]).order_by()
    return rows.values("dedupe_key").distinct().count()


def _ids(contracts: list[Contract]) -> dict[str, Any]:
    return {"ids": [c.pk for c in contracts]}


@pytest.mark.django_db
def test_a_batchs_queries_do_not_grow_with_its_contracts(presets: Any) -> None:
    """SLA-3, SLA-4, SLA-5 (issue 16): a batch of 2 contracts (one credited, one awaiting a claim) and one
    of 6 (three and three) take the same number of queries: one read per table, one insert per table."""
    DocumentCounter.objects.create(series="CN", year=2026)  # the first number of a year creates it
    small = _book(1, 1)
    large = _book(3, 3)
    _outage("officecore", T(2026, 11, 3, 10), 600)
    _outage("flow", T(2026, 11, 5, 10), 648)
    with CaptureQueriesContext(connection) as first:
        counts_small = sla_month_close_batch(today=CLOSE, payload=_ids(small))
    with CaptureQueriesContext(connection) as second:
        counts_large = sla_month_close_batch(today=CLOSE, payload=_ids(large))
    assert counts_small == {"contracts": 2, "closed": 2, "credited": 1, "awaiting_claim": 1}
    assert counts_large == {"contracts": 6, "closed": 6, "credited": 3, "awaiting_claim": 3}
    assert len(first.captured_queries) == len(second.captured_queries), (
        len(first.captured_queries),
        len(second.captured_queries),
    )
    with CaptureQueriesContext(connection) as again:
        assert sla_month_close_batch(today=CLOSE, payload=_ids(large))["closed"] == 0
    # the savepoint (a transaction outside tests), the lock, the contracts left to close (none), its release
    assert len(again.captured_queries) <= 4, [q["sql"] for q in again.captured_queries]
    assert sorted(CreditNote.objects.values_list("number", flat=True)) == [
        f"CN-2026-{n:06d}" for n in range(1, 5)
    ]
    assert sorted(SlaCreditDocument.objects.values_list("amount_won", flat=True)) == [125_000] * 4
    assert _credit_keys() == 8


@pytest.mark.django_db
def test_the_plan_keeps_a_customers_contracts_together(presets: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """SLA-4 (issue 19): batches of 2 customers; a customer with two contracts is in one batch; every open
    contract is planned once; the job closes them all and plans nothing more."""
    monkeypatch.setattr(credits, "BATCH_SIZE", 2)
    first = contract_for("officecore")
    others = [contract_for("damoa") for _ in range(3)]
    second = contract_for("officecore", customer=first.customer)  # made last: ids are not in customer order
    plan = sla_month_close_plan(today=CLOSE)
    assert [len(p["ids"]) for p in plan] == [3, 2]
    assert sorted(pk for p in plan for pk in p["ids"]) == sorted(c.pk for c in [first, second, *others])
    assert {first.pk, second.pk} <= set(plan[0]["ids"])
    assert credits.sla_month_close(today=CLOSE)["closed"] == 5
    assert sla_month_close_plan(today=CLOSE) == []


@pytest.mark.django_db
def test_two_contracts_on_one_invoice_are_credited_in_order(presets: Any) -> None:
    """SLA-4, BIL-2: one customer's two officecore contracts, each 500,000 on the same invoice (supply
    1,000,000) already credited 900,000. Each earns 125,000; the first is limited to the 100,000 left,
    the second gets no note (nothing left); the invoice, cancelled in full, is void."""
    first = contract_for("officecore")
    second = contract_for("officecore", customer=first.customer)
    invoice = fee_invoice(first, NOV, 1_000_000)
    InvoiceLine.objects.filter(invoice=invoice).update(amount_won=500_000)
    InvoiceLine.objects.create(
        invoice=invoice,
        contract=second,
        kind=InvoiceLine.Kind.BASE_FEE,
        description="월 기본료",
        amount_won=500_000,
        service_start=NOV,
        service_end=D(2026, 11, 30),
    )
    credit_note_issue(
        invoice=invoice,
        amount_won=900_000,
        reason=CreditNote.Reason.OTHER,
        description="요금 조정",
        today=D(2026, 11, 30),
    )
    _outage("officecore", T(2026, 11, 3, 10), 600)
    counts = sla_month_close_batch(today=CLOSE, payload=_ids([first, second]))
    assert counts == {"contracts": 2, "closed": 2, "credited": 2, "awaiting_claim": 0}
    months = {m.contract_id: m for m in SlaMonth.objects.all()}
    assert months[first.pk].credit_won == months[second.pk].credit_won == 125_000
    docs = list(SlaCreditDocument.objects.values_list("sla_month__contract_id", "amount_won"))
    assert docs == [(first.pk, 100_000)]
    note = CreditNote.objects.get(reason=CreditNote.Reason.SLA_CREDIT)
    assert (note.supply_won, note.vat_won, note.total_won) == (100_000, 10_000, 110_000)
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.VOID


@pytest.mark.django_db(transaction=True)
def test_two_workers_on_the_same_batch_close_each_month_once() -> None:
    """SLA-4, SLA-5 (issue 16/19): two threads (own connections) run the same batch at once: each month is
    closed once (the second worker waits for the customers' locks, then finds them closed), one credit
    note per credited month with gapless numbers, each notice once."""
    load_presets()
    contracts = _book(4, 2)
    _outage("officecore", T(2026, 11, 3, 10), 600)
    _outage("flow", T(2026, 11, 5, 10), 648)
    plan = sla_month_close_plan(today=CLOSE)
    assert len(plan) == 1
    results = at_once(lambda: sla_month_close_batch(today=CLOSE, payload=plan[0]), timeout=60)
    assert sorted(r["closed"] for r in results) == [0, 6]
    assert sum(r["credited"] for r in results) == 4
    assert sum(r["awaiting_claim"] for r in results) == 2
    assert SlaMonth.objects.filter(contract__in=contracts).count() == 6
    assert sorted(CreditNote.objects.values_list("number", flat=True)) == [
        f"CN-2026-{n:06d}" for n in range(1, 5)
    ]
    assert SlaCreditDocument.objects.count() == 4
    notices = Notice.objects.count()
    assert _credit_keys() == 6
    assert sla_month_close_batch(today=CLOSE, payload=plan[0])["closed"] == 0
    assert Notice.objects.count() == notices


@pytest.mark.django_db
def test_the_job_is_registered_with_its_batches(presets: Any) -> None:
    """SLA-4 (issue 19): ``config/jobs.py`` names the month close's plan and batch."""
    plan, batch = get("sla_month_close").batches.resolve()  # type: ignore[union-attr]
    assert plan(today=CLOSE) == []
    assert batch(today=CLOSE, payload={"ids": []}) == {
        "contracts": 0,
        "closed": 0,
        "credited": 0,
        "awaiting_claim": 0,
    }


def _written(contracts: list[Contract]) -> list[tuple[Any, ...]]:
    """What the close wrote for each contract, without ids and numbers: the month's record, its credit
    documents with their credit notes, and the customer's credit notices (context, body, key shape)."""

    def plain(value: Any, contract: Contract, numbers: set[str]) -> Any:
        text = str(value)
        for number in (contract.number, contract.customer.legal_name, *numbers):
            text = text.replace(number, "#")
        return text

    rows = []
    for contract in contracts:
        month = SlaMonth.objects.get(contract=contract, month=NOV)
        docs = list(month.documents.select_related("credit_note").order_by("pk"))
        numbers = {d.credit_note.number for d in docs}
        notices = sorted(
            (
                n.event,
                n.channel,
                n.dedupe_key.rsplit(":", 1)[0],
                sorted((k, plain(v, contract, numbers)) for k, v in n.context.items()),
                plain(n.body, contract, numbers),
            )
            for n in Notice.objects.filter(customer=contract.customer, event__startswith="sla.credit.")
        )
        rows.append(
            (
                month.service_minutes,
                month.counted_minutes,
                month.availability,
                month.breakdown,
                month.fee_won,
                month.credit_won,
                month.credit_basis,
                month.status,
                month.claim_required,
                month.claim_due_on,
                month.closed_on,
                month.revision,
                [
                    (
                        d.kind,
                        d.amount_won,
                        d.revision,
                        d.issued_on,
                        d.credit_note.reason,
                        d.credit_note.supply_won,
                        d.credit_note.vat_won,
                        d.credit_note.total_won,
                        plain(d.credit_note.description, contract, numbers),
                    )
                    for d in docs
                ],
                notices,
            )
        )
    return rows


@pytest.mark.django_db
@pytest.mark.parametrize("flow_claims", [True, False])
def test_a_batch_writes_what_closing_each_contract_alone_writes(presets: Any, flow_claims: bool) -> None:
    """SLA-3, SLA-4, SLA-5 (issue 16): the set-based batch writes, for every contract, what closing it
    alone (``month_close_contract``) writes: the month's record, credit documents and notes, notices.
    Two identical books, one closed each way. officecore (600 minutes: 25 % of 500,000 = 125,000 credited
    on a VAT-exclusive invoice: note 125,000 + 12,500 VAT); flow (648 minutes: 25 % of 500,000 = 125,000,
    awaiting a claim, or — with claims switched off — credited on its VAT-inclusive invoice: a note of
    125,000 with VAT, 113,637 + 11,363); dcloud without an outage (no credit)."""
    from contracts.models import Policy

    if not flow_claims:
        Policy.objects.filter(code="flow").update(sla_claim_required=False)
    DocumentCounter.objects.create(series="CN", year=2026)

    def book() -> list[Contract]:
        contracts = [contract_for(s) for s in ("officecore", "flow", "dcloud")]
        for contract in contracts:
            fee_invoice(contract, NOV, 500_000)
        return contracts

    alone, batched = book(), book()
    _outage("officecore", T(2026, 11, 3, 10), 600)
    _outage("flow", T(2026, 11, 5, 10), 648)
    for contract in alone:
        credits.month_close_contract(contract=contract, month=NOV, today=CLOSE)
    counts = sla_month_close_batch(today=CLOSE, payload=_ids(batched))
    assert counts == {
        "contracts": 3,
        "closed": 3,
        "credited": 1 if flow_claims else 2,
        "awaiting_claim": 1 if flow_claims else 0,
    }
    expected, got = _written(alone), _written(batched)
    for row, (want, have) in enumerate(zip(expected, got, strict=True)):
        for field, (a, b) in enumerate(zip(want, have, strict=True)):
            assert b == a, (row, field, a, b)
    statuses = [row[7] for row in expected]
    flow_status = SlaMonth.Status.AWAITING_CLAIM if flow_claims else SlaMonth.Status.CREDITED
    assert statuses == [SlaMonth.Status.CREDITED, flow_status, SlaMonth.Status.NO_CREDIT]
    office_docs = expected[0][12]
    assert [(d[0], d[1], d[2], d[5], d[6], d[7]) for d in office_docs] == [
        (SlaCreditDocument.Kind.ORIGINAL, 125_000, 1, 125_000, 12_500, 137_500)
    ]
    office_notices = expected[0][13]
    assert [(n[0], n[2]) for n in office_notices if n[1] == "portal"] == [
        ("sla.credit.issued", "sla.credit.issued")
    ]
    assert ("credit_won", "125000") in office_notices[0][3]
    assert ("credit_note_number", "#") in office_notices[0][3]
    flow_row = expected[1]
    if flow_claims:
        assert flow_row[12] == []
        assert {(n[0], n[2]) for n in flow_row[13]} == {("sla.credit.claimable", "sla.credit.claimable")}
    else:
        assert [(d[1], d[5], d[6], d[7]) for d in flow_row[12]] == [(125_000, 113_637, 11_363, 125_000)]
        assert ("credit_won", "125000") in flow_row[13][0][3]
    assert expected[2][12] == [] and expected[2][13] == []


@pytest.mark.django_db
def test_closing_one_contracts_month_again_returns_it_unchanged(presets: Any) -> None:
    """SLA-4: a contract's month is closed once. Closing it again returns the same record, "not created",
    with nothing more written; a second contract of the same customer is still closed on its own."""
    first = contract_for("officecore")
    second = contract_for("officecore", customer=first.customer)
    fee_invoice(first, NOV, 500_000)
    _outage("officecore", T(2026, 11, 3, 10), 600)
    record, created = credits.month_close_contract(contract=first, month=NOV, today=CLOSE)
    assert created and record.credit_won == 125_000
    again, created = credits.month_close_contract(contract=first, month=D(2026, 11, 17), today=CLOSE)
    assert (again.pk, created) == (record.pk, False)
    assert SlaCreditDocument.objects.count() == 1
    other, created = credits.month_close_contract(contract=second, month=NOV, today=CLOSE)
    assert created and other.pk != record.pk and other.contract_id == second.pk
