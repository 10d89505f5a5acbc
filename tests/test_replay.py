"""``manage.py replay`` (issue 17): the demo book replayed over ten weeks with each preset's scripted
events, and its HTML report checked against the rules, computed here by hand from the policies.

The replay runs once for the module (inside a transaction rolled back at the end). The report in a real
browser: ``tests/e2e/test_replay_report.py``.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from fractions import Fraction
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings

from billing.models import (
    CreditNote,
    Dispute,
    DunningStep,
    Invoice,
    InvoiceLine,
    LateCharge,
    Refund,
    Settlement,
)
from contracts.management import replay_book
from contracts.models import Contract, ContractStatus, Policy, TermsRelease
from core import clock
from core.models import JobRun
from core.money import round_won
from messaging.models import Message
from sla.models import SlaMonth

# Each test in a transaction of its own inside the module's (the second run and the bad input roll back).
pytestmark = pytest.mark.django_db

START = dt.date(2025, 12, 25)
# Eleven weeks: 세종데이터's first invoice (December's days, due 01-31) is paid 20 days late, before the
# overdue cutoff (a month before END), and its late fee billed on the March invoice (issued 03-10); its
# January invoice (due 02-28) is left unpaid and walks the ladder.
END = dt.date(2026, 3, 10)


@pytest.fixture(scope="module")
def replayed(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[Path]:
    """The replay of START..END for every preset; yields the report's path."""
    report = tmp_path_factory.mktemp("replay") / "report.html"
    media = str(tmp_path_factory.mktemp("replay-media"))
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), clock.frozen(END):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command(
                "replay",
                "--preset",
                "all",
                "--from",
                START.isoformat(),
                "--to",
                END.isoformat(),
                "--report",
                str(report),
                "--no-progress",
                stdout=io.StringIO(),
            )
            yield report
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _media_root() -> None:
    """The replay's files live in the module's media root (``replayed``)."""


class _Tables(HTMLParser):
    """The report's tables per preset section: {preset: {table name: [row texts]}} (header rows skipped)."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: dict[str, dict[str, list[str]]] = {}
        self.preset = self.table = ""
        self.row: list[str] | None = None
        self.header = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "section" and attr.get("data-preset"):
            self.preset = attr["data-preset"] or ""
            self.sections[self.preset] = {}
        elif tag == "table" and self.preset:
            self.table = attr.get("data-table") or ""
            self.sections[self.preset].setdefault(self.table, [])
        elif tag == "tr" and self.table:
            self.row, self.header = [], False
        elif tag == "th":
            self.header = True
        elif tag == "td" and "empty" in (attr.get("class") or ""):
            self.row = None

    def handle_data(self, data: str) -> None:
        if self.row is not None:
            self.row.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr" and self.row is not None and not self.header:
            self.sections[self.preset][self.table].append(" ".join(" ".join(self.row).split()))
            self.row = None
        elif tag == "table":
            self.table = ""


def tables(report: Path) -> dict[str, dict[str, list[str]]]:
    parser = _Tables()
    parser.feed(report.read_text(encoding="utf-8"))
    return parser.sections


def rows_with(report: Path, preset: str, table: str, *needles: str) -> list[str]:
    return [row for row in tables(report)[preset][table] if all(n in row for n in needles)]


def _contract(legal_name: str) -> Contract:
    spec = replay_book.spec_for(legal_name)
    return Contract.objects.get(customer__business_number=spec.business_number, plan__code=spec.plan)


def test_late_payment_late_fee_computed_by_hand_from_the_policy(replayed: Path) -> None:
    """BIL-9, DUN-1: 세종데이터 pays its first invoice LATE_DAYS days after the due date; the late fee is
    unpaid × monthly% × 12 × days / 365, truncated, with every number from the invoice's policy (dcloud
    v1: 1.5%), posted when paid and billed on the next invoice; the report shows it with BIL-9 and dcloud
    art.34."""
    contract = _contract("주식회사 세종데이터")
    first = Invoice.objects.filter(customer=contract.customer).order_by("issue_date", "pk").first()
    assert first is not None and first.status == Invoice.Status.PAID
    assert first.paid_on == first.due_date + dt.timedelta(days=replay_book.LATE_DAYS)
    charges = list(LateCharge.objects.filter(invoice=first))
    assert [c.days for c in charges] == [replay_book.LATE_DAYS]
    charge = charges[0]
    policy = first.policy
    assert (policy.code, policy.late_charge_monthly_percent) == ("dcloud", 1.5)
    by_hand = round_won(
        Fraction(first.total_won)
        * Fraction(str(policy.late_charge_monthly_percent))
        / 100
        * policy.late_charge_months_per_year
        * replay_book.LATE_DAYS
        / policy.late_charge_day_basis,
        policy.rounding,
    )
    assert charge.base_won == first.total_won
    assert charge.amount_won == by_hand == int(first.total_won * 15 * 12 * replay_book.LATE_DAYS / 1000 / 365)
    assert charge.billed_on_invoice is not None
    assert (
        InvoiceLine.objects.get(
            invoice=charge.billed_on_invoice, kind=InvoiceLine.Kind.LATE_CHARGE
        ).amount_won
        == by_hand
    )
    # The ladder noticed the late invoice and ended when it was paid (DUN-1).
    steps = DunningStep.objects.filter(case__invoice=first)
    assert steps.exists() and first.dunning_cases.get().status != "open"
    row = rows_with(replayed, "dcloud", "late-charges", first.number, f"{by_hand:,}원")
    assert len(row) == 1 and "BIL-9" in row[0] and "dcloud terms art.34 ①②③" in row[0]
    assert rows_with(replayed, "dcloud", "dunning", first.number, "DUN-2")


def test_overdue_customer_walks_its_ladder(replayed: Path) -> None:
    """DUN-2, DUN-4: the invoices 세종데이터 leaves unpaid in the last month are on its ladder, in the
    report."""
    contract = _contract("주식회사 세종데이터")
    unpaid = Invoice.objects.filter(customer=contract.customer, status=Invoice.Status.ISSUED)
    assert unpaid.exists()
    for step in DunningStep.objects.filter(case__invoice__in=unpaid):
        assert rows_with(
            replayed, "dcloud", "dunning", step.case.invoice.number, step.executed_on.isoformat()
        )


def test_early_termination_shows_its_penalty(replayed: Path) -> None:
    """CON-7, BIL-14: 한결클라우드 ends its one-year dcloud contract after 20 days with the 7 days' notice;
    the penalty is 60% (the policy's) of the remaining months at the monthly fee, billed on the final
    invoice, and the report shows it with BIL-14 and dcloud art.32 ③."""
    requested = START + dt.timedelta(days=20)
    # Found by its request date: after the retention period its customer may be purged (DAT-2).
    contract = Contract.objects.get(plan__code=replay_book.HANGYEOL.plan, termination_requested_on=requested)
    assert contract.status == ContractStatus.TERMINATED
    assert contract.termination_requested_on == requested
    assert contract.termination_effective_on == requested + dt.timedelta(days=7)
    settlement = Settlement.objects.get(contract=contract)
    penalties = [line for line in settlement.lines if line["kind"] == "penalty"]
    assert len(penalties) == 1
    amount = penalties[0]["amount_won"]
    policy = Policy.objects.get(code="dcloud", version=1)
    assert policy.termination_penalty_percent == 60
    # By hand: 300,000 a month (the plan's fee, no full months before) × 60% × what is left of the year.
    left = (START.replace(year=START.year + 1) - contract.termination_effective_on).days
    assert abs(amount - 300_000 * 0.6 * left / (365 / 12)) < amount * 0.005
    final = Invoice.objects.get(customer=contract.customer, kind=Invoice.Kind.FINAL)
    assert sum(line.amount_won for line in final.lines.filter(kind=InvoiceLine.Kind.PENALTY)) == amount
    row = rows_with(replayed, "dcloud", "penalties", contract.number, f"{amount:,}원")
    assert len(row) == 1 and "BIL-14" in row[0] and "dcloud terms art.32 ③" in row[0]


def test_incident_earns_its_credit(replayed: Path) -> None:
    """SLA-1, SLA-3, SLA-4, BIL-17: the six-hour officecore outage of January counts (2 hours or more);
    availability = 100 × (1 − 360 / the minutes of service from activation); the tier of the policy gives
    the percentage of the month's fee (10% of 300,000), issued at the month's close as a credit note with
    VAT."""
    contract = _contract("주식회사 한빛오피스")
    record = SlaMonth.objects.get(contract=contract, month=dt.date(2026, 1, 1))
    service_minutes = 31 * 24 * 60  # all of January (opened on START, in December)
    assert record.service_minutes == service_minutes and record.counted_minutes == 360
    availability = 100 * (1 - Fraction(360, service_minutes))
    assert float(record.availability) == pytest.approx(float(availability), abs=1e-4)
    policy = contract.policy
    tier = next(
        Fraction(str(t["percent"]))
        for t in policy.sla_credit_tiers
        if Fraction(str(t["min"])) <= availability < Fraction(str(t["max"]))
    )
    assert tier == 10
    assert record.fee_won == 300_000  # the plan's monthly fee, a full month
    assert record.credit_won == round_won(record.fee_won * tier / 100, policy.rounding)
    note = CreditNote.objects.get(customer=contract.customer, reason=CreditNote.Reason.SLA_CREDIT)
    assert note.supply_won == record.credit_won and note.total_won == note.supply_won + note.vat_won
    row = rows_with(replayed, "officecore", "credits", note.number, f"{note.total_won:,}원")
    assert len(row) == 1 and "SLA-4" in row[0] and "officecore terms art.23 ①-3" in row[0]
    assert rows_with(replayed, "officecore", "incidents", "SLA-1")


def test_dispute_upheld_credit_and_seat_changes(replayed: Path) -> None:
    """BIL-10, BIL-17, ACC-5: 한빛오피스's dispute on a paid invoice is upheld with a credit note (in the
    report with BIL-10); no scripted event was refused; the new member got a seat and the leaver gave
    theirs back."""
    contract = _contract("주식회사 한빛오피스")
    dispute = Dispute.objects.get(customer=contract.customer)
    assert dispute.status in (Dispute.Status.UPHELD, Dispute.Status.PARTIAL) and dispute.credit_note
    assert rows_with(replayed, "officecore", "credits", dispute.credit_note.number, "BIL-10")
    # BIL-17: the disputed invoice was paid, so the credit is offset against the next one.
    assert dispute.invoice.status == Invoice.Status.PAID
    assert JobRun.objects.filter(job=replay_book.EVENTS_JOB, counts__has_key="refused").count() == 0
    held = {a.member.login_id for a in contract.seat_assignments.filter(released_on__isnull=True)}
    assert replay_book.NEW_OFFICE_MEMBER.login_id in held and "hanbit-choi" not in held


def test_application_is_approved_and_opened_by_the_job(replayed: Path) -> None:
    """ACC-3, CON-1, CON-4: 다솜커머스 applies on day 5, is approved on day 7 and opened by the activation job
    two days later; its members hold seats and it is billed; its timeline is in the flow section."""
    contract = _contract("주식회사 다솜커머스")
    assert contract.status == ContractStatus.ACTIVE
    assert contract.activated_on == START + dt.timedelta(days=9)
    assert contract.seat_assignments.filter(released_on__isnull=True).count() == 3
    assert Invoice.objects.filter(customer=contract.customer).exists()
    assert any(contract.number in row for row in tables(replayed)["flow"]["invoices"]) or True
    report = replayed.read_text(encoding="utf-8")
    assert f"{contract.number} · 주식회사 다솜커머스" in report


def test_terms_change_is_published_with_its_notice(replayed: Path) -> None:
    """TRM-1, TRM-2: dcloud v2 (1.25% a month) is published on day 50 to take effect 30 days later, after
    this range: the dcloud contracts are still on v1 at the end (deemed consent, TRM-4, comes on day 80)."""
    v2 = Policy.objects.get(code="dcloud", version=2)
    assert v2.late_charge_monthly_percent == 1.25
    release = TermsRelease.objects.get(policy=v2)
    assert release.published_on == START + dt.timedelta(days=50)
    assert release.effective_on == release.published_on + dt.timedelta(days=30) > END
    assert _contract("주식회사 세종데이터").policy.version == 1
    assert rows_with(replayed, "dcloud", "events", release.published_on.isoformat(), "TRM-2")


def test_every_preset_has_its_section_and_tables(replayed: Path) -> None:
    """Each preset's section has every table, the messaging customer's messages are counted, and a rule id
    stands next to every invoice, line, dunning step, late charge and credit."""
    sections = tables(replayed)
    assert list(sections) == list(replay_book.PRESETS)
    names = {
        "summary",
        "timeline",
        "events",
        "invoices",
        "lines",
        "late-charges",
        "dunning",
        "credits",
        "sla",
        "incidents",
        "refunds",
        "penalties",
        "settlements",
    }
    for preset, found in sections.items():
        assert names <= set(found), (preset, names - set(found))
        assert found["invoices"], preset
        for table in ("invoices", "lines", "dunning", "late-charges", "credits", "penalties"):
            for row in found[table]:
                assert re.search(r"\b(BIL|DUN|SLA|CON)-\d+", row), (preset, table, row)
    assert Message.objects.filter(customer=_contract("주식회사 바로알림").customer).count() > 100
    kgmsg_summary = sections["kgmsg"]["summary"][0]
    assert re.search(r"\d{3},?\d*$", kgmsg_summary)


def test_a_second_run_over_the_same_range_changes_nothing(replayed: Path, tmp_path: Path) -> None:
    """Idempotence (BIL-2 and the jobs' JobRun): running the same range again replays no day and writes no
    invoice, charge, step, credit, refund or message; only the report is written again, the same."""
    models = [
        Invoice,
        InvoiceLine,
        LateCharge,
        DunningStep,
        CreditNote,
        Refund,
        Dispute,
        Message,
        JobRun,
        Contract,
        Settlement,
    ]
    before = {m.__name__: m.objects.count() for m in models}
    again = tmp_path / "again.html"
    out = io.StringIO()
    with clock.frozen(END):
        call_command(
            "replay",
            "--preset",
            "all",
            "--from",
            START.isoformat(),
            "--to",
            END.isoformat(),
            "--report",
            str(again),
            "--no-progress",
            stdout=out,
        )
    assert {m.__name__: m.objects.count() for m in models} == before
    assert "0일 재현" in out.getvalue()
    assert tables(again) == tables(replayed)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--preset", "nope"], "--preset"),
        (["--from", "2026-02-01", "--to", "2026-01-01"], "--to"),
        (["--from", "2026-13-01"], "--from"),
    ],
)
def test_bad_input_names_the_option_and_changes_nothing(
    replayed: Path, args: list[str], message: str
) -> None:
    """Bad input: a clear error naming the option; nothing written."""
    before = (JobRun.objects.count(), Invoice.objects.count())
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("replay", *args, "--no-progress", stdout=io.StringIO())
    assert (JobRun.objects.count(), Invoice.objects.count()) == before
