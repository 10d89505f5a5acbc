"""Killed jobs do not block the day, with the real jobs (issue #14): ``manage.py run_jobs`` runs the
invoice run or dunning in a process of its own, slowed between units (tests/slowjobs.py); it is SIGKILLed
mid-way, and the rerun takes the run over at once and finishes it exactly once: no duplicate invoice,
case or step, nothing lost."""

from __future__ import annotations

import datetime as dt
import signal

import pytest
from django.core.management import CommandError, call_command

from billing.models import DunningCase, DunningStep, Invoice
from core.models import JobRun
from tests.billing.bdocs_support import make_invoice
from tests.billing.conftest import make_contract
from tests.billing.ui.support import NOTIFY_LADDER
from tests.contracts.factories import PolicyFactory
from tests.core.test_job_faults import start, wait_until
from tests.factories import AdminMemberFactory

D = dt.date
UNITS = 5

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def kill_mid_way(tmp_path, job: str, day: dt.date, rows, **env: str) -> int:  # type: ignore[no-untyped-def]
    """Start ``run_jobs --job <job> --date <day>`` slowed down; SIGKILL it once ``rows()`` ≥ 2."""
    log = tmp_path / f"{job}.log"
    worker = start(["run_jobs", "--date", day.isoformat(), "--job", job, "--no-progress"], log,
                   EXTRA_JOBS=f"{job}=tests.slowjobs.{job}", JOB_TEST_UNIT_DELAY="0.6", **env)
    try:
        wait_until(lambda: rows() >= 2, worker, log, timeout=120)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    run = JobRun.objects.get(job=job, as_of=day)
    assert run.status == JobRun.Status.RUNNING  # what a killed worker leaves behind
    done = rows()
    assert 2 <= done < UNITS, done
    call_command("run_jobs", "--date", day.isoformat(), "--job", job, "--no-progress")
    resumed = JobRun.objects.get(job=job, as_of=day)
    assert (resumed.status, resumed.attempts) == (JobRun.Status.SUCCEEDED, 2)
    return done


def test_invoice_run_killed_mid_way_issues_each_invoice_exactly_once(tmp_path):
    """BIL-2, §10 (issue #14): five contracts due on 2026-01-07; the killed run issued some; the rerun
    issues the rest at once; one invoice per contract, none twice."""
    from contracts.presets import load_presets

    load_presets()
    contracts = [make_contract("damoa-standard", start=D(2026, 1, 2)) for _ in range(UNITS)]
    kill_mid_way(tmp_path, "generate_invoices", D(2026, 1, 7), Invoice.objects.count)
    assert Invoice.objects.count() == UNITS
    issued_to = sorted(Invoice.objects.values_list("customer_id", flat=True))
    assert issued_to == sorted(c.customer_id for c in contracts)


def test_dunning_killed_mid_way_takes_each_step_exactly_once(tmp_path):
    """DUN-1, §10 (issue #14): five overdue invoices (due 2026-11-10, ladder day 1 notify); dunning on
    2026-11-20 is killed after some steps; the rerun opens the other cases: one case and one step each."""
    policy = PolicyFactory(dunning_ladder=NOTIFY_LADDER)
    invoices = [
        make_invoice(AdminMemberFactory().customer, issue_date=D(2026, 10, 27), due_days=14,
                     lines=[("기본료 10월", 1, 100_000)], policy_obj=policy)
        for _ in range(UNITS)
    ]
    kill_mid_way(tmp_path, "dunning", D(2026, 11, 20), DunningStep.objects.count)
    assert DunningCase.objects.count() == UNITS
    assert sorted(DunningCase.objects.values_list("invoice_id", flat=True)) == sorted(i.pk for i in invoices)
    assert DunningStep.objects.count() == UNITS
    assert [case.steps.count() for case in DunningCase.objects.all()] == [1] * UNITS


def test_purge_killed_mid_way_destroys_each_customer_exactly_once(tmp_path, settings):
    """DAT-2, DAT-5, §10 (issue #14): five dcloud customers whose data is due on their contract's end;
    the killed purge destroyed some; the rerun destroys the rest: one destruction record and one
    retained identity record per customer, none twice."""
    from contracts.presets import load_presets
    from privacy.models import DestructionRecord, RetainedRecord
    from tests.privacy.conftest import ENDED, ended_customer

    settings.PRIVACY_PURGE_ENABLED = True
    load_presets()
    customers = [ended_customer("dcloud") for _ in range(UNITS)]
    purged = DestructionRecord.objects.filter(kind=DestructionRecord.Kind.CUSTOMER_DATA)
    kill_mid_way(tmp_path, "purge_data", ENDED, purged.count, PRIVACY_PURGE_ENABLED="true")
    assert sorted(purged.values_list("customer_ref", flat=True)) == sorted(c.pk for c in customers)
    identities = RetainedRecord.objects.filter(kind=RetainedRecord.Kind.IDENTITY)
    assert sorted(identities.values_list("customer_ref", flat=True)) == sorted(c.pk for c in customers)


def test_bank_import_killed_mid_way_matches_each_deposit_exactly_once(tmp_path):
    """BIL-7, §10 (issue #14): a statement of five deposits, each paying one customer's invoice; the
    import is SIGKILLed after some were matched. Importing the same file again used to be refused as a
    duplicate, leaving the rest unmatched; now it matches exactly the untried rows: five payments,
    every invoice paid once, and a third import is the duplicate refusal."""
    from billing.models import BankStatementImport, BankTransaction, Payment
    from tests.billing.payment_factories import CustomerFactory
    from tests.billing.payment_factories import make_invoice as make_billing_invoice

    names = ["가람", "나래", "다솜", "라온", "마루"]
    invoices = [make_billing_invoice(CustomerFactory(legal_name=f"주식회사 {name}소프트"), 110_000)
                for name in names]
    rows = [f"2026-11-10,㈜{name}소프트,110000,TX-{n},11월분" for n, name in enumerate(names)]
    statement = tmp_path / "kb-1110.csv"
    header = "거래일자,입금자명,입금액,거래번호,메모\n"
    statement.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    log = tmp_path / "import.log"
    worker = start(["billing.Payment", "import_bank_statement", str(statement)], log,
                   program=["-m", "tests.slowjobs"], JOB_TEST_UNIT_DELAY="0.6")
    try:
        wait_until(lambda: Payment.objects.count() >= 2, worker, log, timeout=120)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    assert 2 <= Payment.objects.count() < UNITS

    call_command("import_bank_statement", str(statement))
    assert Payment.objects.count() == UNITS
    assert BankStatementImport.objects.get().matched_count == UNITS
    assert set(BankTransaction.objects.values_list("status", flat=True)) == {BankTransaction.Status.MATCHED}
    for invoice in invoices:
        invoice.refresh_from_db()
        assert invoice.status == Invoice.Status.PAID
        assert Payment.objects.filter(customer=invoice.customer).count() == 1
    with pytest.raises(CommandError, match="이미 반영"):
        call_command("import_bank_statement", str(statement))
