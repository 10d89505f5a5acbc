"""The ``sla_month_close`` job (SLA-3, SLA-4, SLA-6): once per contract and month, enforced by the
database; free services earn nothing; corrections after the close are credit or debit notes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from billing.models import CreditNote
from contracts.models import Plan
from core import jobs
from sla.models import SlaCreditDocument, SlaMonth
from sla.services.credits import month_close_contract, sla_month_close
from sla.services.incidents import incident_correct, incident_open
from tests.sla.conftest import D, T, contract_for, fee_invoice

pytestmark = pytest.mark.django_db

NOV = D(2026, 11, 1)
CLOSE = D(2026, 12, 1)
NOW = T(2026, 12, 1, 9)


def officecore_with_outage(minutes_down: int = 180):  # type: ignore[no-untyped-def]
    contract = contract_for("officecore")
    fee_invoice(contract, NOV, 500_000)
    start = T(2026, 11, 3, 10)
    incident = incident_open(
        service="officecore",
        title="장애",
        detected_at=start,
        ended_at=start + dt.timedelta(minutes=minutes_down),
        today=CLOSE,
        now=NOW,
    )
    return contract, incident


def test_month_close_twice_gives_one_credit_per_contract_and_month(presets):
    """SLA-4, SPEC §10: the job run twice for the same date (and again on the 2nd) issues one credit note."""
    contract, _ = officecore_with_outage(600)
    first = sla_month_close(today=CLOSE)
    second = sla_month_close(today=CLOSE)
    sla_month_close(today=D(2026, 12, 2))
    assert first["closed"] == 1 and first["credited"] == 1
    assert second["closed"] == 0
    assert SlaMonth.objects.filter(contract=contract, month=NOV).count() == 1
    assert CreditNote.objects.filter(reason=CreditNote.Reason.SLA_CREDIT).count() == 1


def test_one_month_and_one_original_credit_are_database_constraints(presets):
    """SLA-4: the unique keys hold even for code that skips the checks."""
    contract, _ = officecore_with_outage(600)
    record, _ = month_close_contract(contract=contract, month=NOV, today=CLOSE)
    with pytest.raises(IntegrityError), transaction.atomic():
        SlaMonth.objects.create(
            contract=contract,
            month=NOV,
            service_minutes=1,
            counted_minutes=0,
            availability=100,
            status=SlaMonth.Status.NO_CREDIT,
            closed_on=CLOSE,
        )
    other_note = CreditNote.objects.create(
        number="CN-TEST-1",
        invoice=None,
        customer=contract.customer,
        reason=CreditNote.Reason.SLA_CREDIT,
        description="x",
        issued_on=CLOSE,
        supply_won=1,
        vat_won=0,
        total_won=1,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        SlaCreditDocument.objects.create(
            sla_month=record,
            credit_note=other_note,
            kind="original",
            amount_won=1,
            revision=1,
            issued_on=CLOSE,
        )


def test_month_close_is_a_registered_job(presets):
    """SLA-4, SPEC §10: ``sla_month_close`` runs through the job runner on the 1st, once per date."""
    officecore_with_outage(600)
    outcome = jobs.run_job("sla_month_close", CLOSE)
    assert outcome.ran and outcome.counts["credited"] == 1
    assert not jobs.run_job("sla_month_close", CLOSE).ran


def test_free_service_earns_no_credit(presets):
    """SLA-6 (002 art.10⑥, 000 art.24⑤): a free plan's month is closed with no credit."""
    contract, _ = officecore_with_outage(600)
    Plan.objects.filter(pk=contract.plan_id).update(is_free=True)
    record, _ = month_close_contract(contract=contract, month=NOV, today=CLOSE)
    assert record.status == SlaMonth.Status.NOT_ELIGIBLE and record.credit_won == 0
    assert not CreditNote.objects.exists()


def test_credit_never_exceeds_the_month_fee(presets):
    """SLA-4: officecore 50% of the fee at worst, and never more than the fee (cap)."""
    contract = contract_for("officecore")
    fee_invoice(contract, NOV, 500_000)
    incident_open(
        service="officecore",
        title="장기 장애",
        detected_at=T(2026, 11, 1),
        ended_at=T(2026, 11, 30),
        today=CLOSE,
        now=NOW,
    )
    record, _ = month_close_contract(contract=contract, month=NOV, today=CLOSE)
    assert record.credit_won == 250_000 <= record.fee_won


def test_incident_lengthened_after_the_close_issues_a_correcting_credit_note(presets):
    """SLA-3, SLA-4: 180 min (99.58% → 0) then corrected to 600 min (98.61% → 25%): a new credit note for
    125,000, a new revision of the working with the reason; nothing changed silently."""
    contract, incident = officecore_with_outage(180)
    record, _ = month_close_contract(contract=contract, month=NOV, today=CLOSE)
    assert record.credit_won == 0 and record.status == SlaMonth.Status.NO_CREDIT
    incident_correct(
        incident=incident,
        changes={"ended_at": T(2026, 11, 3, 20)},
        reason="복구 시각 정정",
        today=D(2026, 12, 5),
        now=T(2026, 12, 5, 9),
    )
    record.refresh_from_db()
    assert record.revision == 2 and record.credit_won == 125_000
    assert record.breakdown["revision_note"]["previous"]["credit_won"] == 0
    assert "복구 시각 정정" in record.breakdown["revision_note"]["reason"]
    doc = SlaCreditDocument.objects.get(sla_month=record)
    assert doc.kind == SlaCreditDocument.Kind.CORRECTION and doc.credit_note.supply_won == 125_000


def test_incident_shortened_after_the_close_reverses_with_a_debit_note(presets):
    """SLA-4, BIL-2: 50,000 credited (370-minute month) → the outage is found excluded: a debit note reverses
    the credit note, the month's documents sum to 0 and the record says why."""
    contract, incident = officecore_with_outage(600)  # 600 min → 98.61% → 25% = 125,000
    record, _ = month_close_contract(contract=contract, month=NOV, today=CLOSE)
    assert record.credit_won == 125_000
    incident_correct(
        incident=incident,
        changes={"excl_customer_caused": True},
        reason="고객 귀책 확인",
        today=D(2026, 12, 5),
        now=T(2026, 12, 5, 9),
    )
    record.refresh_from_db()
    assert record.credit_won == 0 and record.revision == 2
    kinds = list(SlaCreditDocument.objects.filter(sla_month=record).values_list("kind", "amount_won"))
    assert kinds == [("original", 125_000), ("reversal", -125_000)]
    debit = SlaCreditDocument.objects.get(sla_month=record, kind="reversal").credit_note
    assert debit.kind == CreditNote.Kind.DEBIT and debit.reverses is not None


def test_incident_shortened_partly_reverses_and_reissues(presets):
    """SLA-4: 125,000 credited, the outage corrected to 180+200 min (99.12% → 10%): the first note is
    reversed and a 50,000 note issued; the documents sum to the new credit."""
    contract, incident = officecore_with_outage(600)
    record, _ = month_close_contract(contract=contract, month=NOV, today=CLOSE)
    incident_correct(
        incident=incident,
        changes={"ended_at": T(2026, 11, 3, 16, 20)},
        reason="복구 시각 정정",
        today=D(2026, 12, 5),
        now=T(2026, 12, 5, 9),
    )
    record.refresh_from_db()
    assert record.credit_won == 50_000
    assert (
        sum(SlaCreditDocument.objects.filter(sla_month=record).values_list("amount_won", flat=True)) == 50_000
    )


def test_incident_recorded_after_the_close_credits_the_closed_month(presets):
    """SLA-3, SLA-4: an outage entered on 12-05 for November (closed with no credit) recomputes November and
    issues the credit note; the month record keeps the earlier figures in its revision note."""
    contract = contract_for("officecore")
    fee_invoice(contract, NOV, 500_000)
    record, _ = month_close_contract(contract=contract, month=NOV, today=CLOSE)
    assert record.status == SlaMonth.Status.NO_CREDIT
    incident_open(
        service="officecore",
        title="늦게 등록한 장애",
        detected_at=T(2026, 11, 3, 10),
        ended_at=T(2026, 11, 3, 20),
        today=D(2026, 12, 5),
        now=T(2026, 12, 5, 9),
    )
    record.refresh_from_db()
    assert (record.revision, record.credit_won, record.status) == (2, 125_000, SlaMonth.Status.CREDITED)
    assert record.breakdown["revision_note"]["previous"]["availability"] == "100.0000"
    assert CreditNote.objects.get(sla_document__sla_month=record).supply_won == 125_000


def test_month_close_command_runs_the_job(presets):
    """SLA-4, SPEC §10: ``manage.py sla_month_close --date`` runs the recorded job once per date."""
    import io

    from django.core.management import call_command

    officecore_with_outage(600)
    out = io.StringIO()
    call_command("sla_month_close", "--date", "2026-12-01", stdout=out)
    call_command("sla_month_close", "--date", "2026-12-01", stdout=out)
    assert "credited 1" in out.getvalue() and "not run" in out.getvalue()
    assert CreditNote.objects.filter(reason=CreditNote.Reason.SLA_CREDIT).count() == 1
