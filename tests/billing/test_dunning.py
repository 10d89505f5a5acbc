"""SPEC §6 (DUN-1..4): each preset's dunning ladder walked with ``run_jobs`` over simulated dates.

A contract is applied, approved and activated through the contracts services, its first invoice is
issued by the invoice run and left unpaid; the ``dunning`` (and ``apply_late_charges``,
``collect_payments``, ``complete_terminations``) jobs are replayed day by day and every step's date
and effect is checked: the notice with the amount, the next step and its date (DUN-2), the
restriction, suspension, termination, collections referral and purge date.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from billing.models import DunningCase, DunningPause, DunningStep, Invoice
from billing.services import dunning, invoicing, ledger
from billing.services import seats as seat_snapshots
from billing.services.collection import retry_dates
from billing.services.dunning import ladder_position, step_date
from billing.services.payments import payment_record
from contracts.entitlement import is_entitled
from contracts.models import Contract, ContractStatus, SpecialTerm, Suspension
from contracts.services import seats
from core import jobs
from core.calendar import BusinessCalendar
from core.errors import DomainError
from core.jobs import JobSpec, daily
from core.models import JobRun
from messaging.models import Notice
from tests.billing.payment_factories import PaymentMethodFactory, fake_gateway  # noqa: F401 - fixture
from tests.factories import StaffUserFactory

from .conftest import D, add_members, make_contract

AFTER_DUE_JOBS = [
    JobSpec(
        "apply_late_charges",
        "billing.services.late_charges.apply_late_charges",
        daily(2, 0),
        "연체료·가산금 (BIL-9)",
    ),
    JobSpec("dunning", "billing.services.dunning.dunning_run", daily(3, 0), "연체 단계 진행 (DUN)"),
]
WALK_JOBS = ("collect_payments", "complete_terminations", "apply_late_charges", "dunning")


@pytest.fixture
def after_due_jobs():
    for spec in AFTER_DUE_JOBS:
        jobs.register(spec)
    yield
    for spec in AFTER_DUE_JOBS:
        jobs.unregister(spec.name)


# ----------------------------------------------------- helpers (shared with the other files)


def make_contract_on(plan_code: str, start: dt.date, **kwargs) -> Contract:  # type: ignore[no-untyped-def]
    contract = make_contract(plan_code, start=start, **kwargs)
    if plan_code.startswith("flow-"):  # flow bills the month's peak of registered users (BIL-5)
        for member in add_members(contract.customer, 3):
            seats.seat_assign(contract=contract, member=member, today=start)
    return contract


def first_invoice(contract: Contract, *, limit_days: int = 80) -> Invoice:
    """Run the invoice run day by day from activation until the customer's first invoice is issued."""
    day = contract.activated_on
    assert day is not None
    for _ in range(limit_days):
        seat_snapshots.snapshot_seats(today=day)
        invoicing.invoices_generate(today=day, customer_ids=[contract.customer_id])
        invoice = Invoice.objects.filter(customer=contract.customer).order_by("issue_date", "pk").first()
        if invoice is not None:
            return invoice
        day += dt.timedelta(days=1)
    raise AssertionError("no invoice issued")


def walk(start: dt.date, until: dt.date, *only: str) -> None:
    args = ["run_jobs", "--date", start.isoformat(), "--until", until.isoformat(), "--no-progress"]
    for name in only or WALK_JOBS:
        args += ["--job", name]
    call_command(*args)


def case_of(invoice: Invoice) -> DunningCase:
    return DunningCase.objects.get(invoice=invoice)


def steps(invoice: Invoice) -> list[tuple[int, str, dt.date, dt.date]]:
    return [
        (s.index, s.action, s.scheduled_on, s.executed_on)
        for s in DunningStep.objects.filter(case__invoice=invoice).order_by("executed_on", "index")
    ]


def step_notice(case: DunningCase, index: int) -> dict:
    notice = Notice.objects.filter(event="dunning.step", dedupe_key=f"dunning:{case.pk}:step:{index}").first()
    assert notice is not None, f"no notice for step {index}"
    return dict(notice.context)


def reload(contract: Contract) -> Contract:
    return Contract.objects.get(pk=contract.pk)


def pay_in_full(invoice: Invoice, on: dt.date) -> None:
    payment_record(
        customer=invoice.customer,
        amount_won=ledger.invoice_open_amount(invoice),
        method="bank_transfer",
        received_on=on,
        invoice=invoice,
    )


# --------------------------------------------------------------------------- officecore


@pytest.mark.django_db
@pytest.mark.usefixtures("presets", "after_due_jobs")
def test_officecore_ladder_notify_1_7_restrict_14_terminate_30():
    """SPEC §6 officecore (000 art.16④, 19③): notify on day 1 and 7, restrict on 14, terminate on 30;
    DUN-2: each notice names the amount, the next step and its date."""
    contract = make_contract_on("officecore-standard-monthly", D(2026, 1, 5))
    invoice = first_invoice(contract)
    assert invoice.due_date == D(2026, 1, 19)
    amount = invoice.total_won

    walk(D(2026, 1, 19), D(2026, 1, 19))
    assert not DunningCase.objects.exists()  # not overdue on the due date itself
    walk(D(2026, 1, 20), D(2026, 2, 1))
    case = case_of(invoice)
    assert steps(invoice) == [
        (1, "notify", D(2026, 1, 20), D(2026, 1, 20)),
        (2, "notify", D(2026, 1, 26), D(2026, 1, 26)),
    ]
    first = step_notice(case, 1)
    assert (first["amount_won"], first["next_action"], first["next_on"]) == (amount, "notify", "2026-01-26")
    details = [s.detail for s in case.steps.order_by("index")]
    assert details == ["미납 안내 (1일 경과)", "미납 안내 (7일 경과)"]
    second = step_notice(case, 2)
    assert (second["next_action"], second["next_on"]) == ("restrict", "2026-02-02")
    assert reload(contract).restrictions == []

    walk(D(2026, 2, 2), D(2026, 2, 2))
    assert steps(invoice)[-1] == (3, "restrict", D(2026, 2, 2), D(2026, 2, 2))
    contract = reload(contract)
    assert contract.status == ContractStatus.ACTIVE  # restriction is not a state (CON-1)
    assert contract.restrictions == ["service"]
    assert not is_entitled(contract.customer, "service", today=D(2026, 2, 2))
    assert is_entitled(contract.customer, "billing", today=D(2026, 2, 2))  # partial: can still pay
    assert Notice.objects.filter(event="contract.restricted", customer=contract.customer).exists()
    assert contract.history.filter(history_actor="job:dunning").exists()  # audited, no transition row
    assert not contract.transitions.filter(on_date=D(2026, 2, 2)).exists()
    assert step_notice(case, 3)["next_on"] == "2026-02-18"

    walk(D(2026, 2, 3), D(2026, 2, 25))
    assert steps(invoice)[-1] == (4, "terminate", D(2026, 2, 18), D(2026, 2, 18))
    contract = reload(contract)
    assert contract.status == ContractStatus.TERMINATED
    assert (contract.termination_kind, contract.termination_reasons) == ("nonpayment", ["nonpayment"])
    assert contract.terminated_on == D(2026, 2, 18)
    case.refresh_from_db()
    assert case.status == DunningCase.Status.CLOSED
    assert step_notice(case, 4)["next_action"] == ""


@pytest.mark.django_db
@pytest.mark.usefixtures("presets", "after_due_jobs")
def test_payment_between_steps_stops_the_ladder_and_restores_service_at_once():
    """DUN-1 (002 art.16⑤): payment in full after the restriction lifts it immediately, the case is
    resolved and no later step (termination) ever runs."""
    contract = make_contract_on("officecore-standard-monthly", D(2026, 1, 5))
    invoice = first_invoice(contract)
    walk(D(2026, 1, 19), D(2026, 2, 3))
    assert reload(contract).restrictions == ["service"]
    pay_in_full(invoice, D(2026, 2, 4))
    # at once, not at the next job run
    contract = reload(contract)
    assert contract.restrictions == []
    assert is_entitled(contract.customer, today=D(2026, 2, 4))
    case = case_of(invoice)
    assert (case.status, case.resolved_on) == (DunningCase.Status.RESOLVED, D(2026, 2, 4))
    restrict = case.steps.get(action="restrict")
    assert restrict.cancelled_on == D(2026, 2, 4)
    assert Notice.objects.filter(event="dunning.resolved", customer=contract.customer).exists()
    assert Notice.objects.filter(event="contract.unrestricted", customer=contract.customer).exists()
    walk(D(2026, 2, 4), D(2026, 3, 10))
    assert [s[1] for s in steps(invoice)] == ["notify", "notify", "restrict"]
    assert reload(contract).status == ContractStatus.ACTIVE
    assert ladder_position(invoice, D(2026, 3, 10)).next_step is None


@pytest.mark.django_db
@pytest.mark.usefixtures("presets", "after_due_jobs")
def test_partial_payment_does_not_stop_the_ladder():
    """DUN-1 is payment *in full*: a partial payment lowers the amount the next notice names."""
    contract = make_contract_on("officecore-standard-monthly", D(2026, 1, 5))
    invoice = first_invoice(contract)
    walk(D(2026, 1, 19), D(2026, 1, 20))
    payment_record(
        customer=contract.customer,
        amount_won=7_419,
        method="bank_transfer",
        received_on=D(2026, 1, 21),
        invoice=invoice,
    )
    walk(D(2026, 1, 21), D(2026, 1, 26))
    case = case_of(invoice)
    assert step_notice(case, 2)["amount_won"] == invoice.total_won - 7_419
    assert case.status == DunningCase.Status.OPEN


# --------------------------------------------------------------------------- dcloud


@pytest.mark.django_db
@pytest.mark.usefixtures("presets", "after_due_jobs")
def test_dcloud_ladder_to_termination_and_collections(caplog):
    """SPEC §6 dcloud (002 art.33): notify 1, 15, 25; restrict 30; terminate 35 and refer to collections
    (002 art.33②), logged for the operator with the customer, invoice, amount and due date; late fees
    accrue meanwhile (BIL-9)."""
    contract = make_contract_on("dcloud-vm-standard", D(2026, 1, 5))
    invoice = first_invoice(contract)
    assert (invoice.issue_date, invoice.due_date) == (D(2026, 2, 10), D(2026, 2, 28))
    walk(D(2026, 3, 1), D(2026, 4, 10))
    assert steps(invoice) == [
        (1, "notify", D(2026, 3, 1), D(2026, 3, 1)),
        (2, "notify", D(2026, 3, 15), D(2026, 3, 15)),
        (3, "notify", D(2026, 3, 25), D(2026, 3, 25)),
        (4, "restrict", D(2026, 3, 30), D(2026, 3, 30)),
        (5, "terminate", D(2026, 4, 4), D(2026, 4, 4)),
        (6, "refer_to_collections", D(2026, 4, 4), D(2026, 4, 4)),
    ]
    case = case_of(invoice)
    assert step_notice(case, 4)["next_action"] == "terminate"
    assert step_notice(case, 4)["next_on"] == "2026-04-04"
    referral = case.steps.get(action="refer_to_collections")
    assert referral.detail == f"채권 추심 의뢰 대상: 미납액 {invoice.total_won:,}원"
    customer = invoice.customer
    assert (
        f"DUN collections referral: customer {customer.pk} ({customer.legal_name}) invoice {invoice.number} "
        f"unpaid {invoice.total_won} won since 2026-02-28"
    ) in [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    contract = reload(contract)
    assert contract.status == ContractStatus.TERMINATED
    assert contract.terminated_on == D(2026, 4, 4)
    assert case.status == DunningCase.Status.CLOSED
    assert invoice.late_charges.count() == 1  # March, recorded on 04-01


@pytest.mark.django_db
@pytest.mark.usefixtures("presets", "after_due_jobs")
def test_dcloud_special_approval_extends_the_suspension_up_to_60_days():
    """DUN-3 (002 art.33① 특별 승인): staff pause the ladder after the restriction; termination waits
    until the pause ends (at most 60 days after the restriction), then runs, once."""
    contract = make_contract_on("dcloud-vm-standard", D(2026, 1, 5))
    invoice = first_invoice(contract)
    walk(D(2026, 3, 1), D(2026, 4, 1))
    staff = StaffUserFactory()
    with pytest.raises(DomainError) as refused:
        dunning.dunning_pause(
            customer=contract.customer,
            reason="특별 승인",
            ends_on=D(2026, 5, 30),
            today=D(2026, 4, 1),
            actor=staff,
        )
    assert refused.value.rule == "DUN-3" and "2026-05-29" in refused.value.message_ko
    pause = dunning.dunning_pause(
        customer=contract.customer,
        reason="대표 면담, 분할 납부 약속",
        ends_on=D(2026, 5, 29),
        today=D(2026, 4, 1),
        actor=staff,
    )
    assert pause.created_by == staff
    assert case_of(invoice).status == DunningCase.Status.PAUSED
    position = ladder_position(contract.customer, D(2026, 4, 2))
    assert position is not None
    assert (position.next_action, position.next_on, position.paused_until) == (
        "terminate",
        D(2026, 5, 30),
        D(2026, 5, 29),
    )
    walk(D(2026, 4, 2), D(2026, 5, 29))
    assert [s[1] for s in steps(invoice)] == ["notify", "notify", "notify", "restrict"]
    assert reload(contract).status == ContractStatus.ACTIVE
    assert reload(contract).restrictions == ["service"]  # still restricted while paused
    walk(D(2026, 5, 30), D(2026, 6, 2))
    assert steps(invoice)[-2:] == [
        (5, "terminate", D(2026, 4, 4), D(2026, 5, 30)),
        (6, "refer_to_collections", D(2026, 4, 4), D(2026, 5, 30)),
    ]
    assert reload(contract).status == ContractStatus.TERMINATED


# --------------------------------------------------------------------------- damoa


@pytest.mark.django_db
@pytest.mark.usefixtures("presets", "after_due_jobs")
def test_damoa_ladder_with_suspension_notice_7_days_before():
    """SPEC §6 damoa (004 art.18③, 21③, 11-3): notify 1 and 3 — the day-3 notice announces the
    suspension 7 days ahead —, suspend 10, terminate 25 [reading] with 30 days to explain (004 art.25-3)."""
    contract = make_contract_on("damoa-standard", D(2026, 1, 5))
    invoice = first_invoice(contract)
    assert invoice.due_date == D(2026, 1, 12)
    walk(D(2026, 1, 12), D(2026, 1, 21))
    case = case_of(invoice)
    assert steps(invoice) == [
        (1, "notify", D(2026, 1, 13), D(2026, 1, 13)),
        (2, "notify", D(2026, 1, 15), D(2026, 1, 15)),
    ]
    notice = Notice.objects.filter(event="dunning.suspension_notice", customer=contract.customer).first()
    assert notice is not None
    assert (notice.context["noticed_on"], notice.context["suspends_on"]) == ("2026-01-15", "2026-01-22")
    assert step_notice(case, 2)["next_action"] == "suspend"
    assert reload(contract).status == ContractStatus.ACTIVE

    walk(D(2026, 1, 22), D(2026, 1, 22))
    contract = reload(contract)
    assert contract.status == ContractStatus.SUSPENDED
    suspension = contract.suspensions.get()
    assert (suspension.kind, suspension.starts_on) == (Suspension.Kind.NONPAYMENT, D(2026, 1, 22))
    assert steps(invoice)[-1] == (3, "suspend", D(2026, 1, 22), D(2026, 1, 22))

    walk(D(2026, 1, 23), D(2026, 2, 6))
    assert steps(invoice)[-1] == (4, "terminate", D(2026, 2, 6), D(2026, 2, 6))
    contract = reload(contract)
    assert contract.status == ContractStatus.TERMINATING
    assert contract.termination_effective_on == D(2026, 3, 8)  # 30 days to explain
    walk(D(2026, 2, 7), D(2026, 3, 8), "complete_terminations", "dunning")
    assert reload(contract).status == ContractStatus.TERMINATED


@pytest.mark.django_db
@pytest.mark.usefixtures("presets", "after_due_jobs")
def test_damoa_payment_after_suspension_reinstates_at_once():
    """DUN-1 (004 art.11-4): paid in full while suspended → active again the same moment."""
    contract = make_contract_on("damoa-standard", D(2026, 1, 5))
    invoice = first_invoice(contract)
    walk(D(2026, 1, 12), D(2026, 1, 23))
    assert reload(contract).status == ContractStatus.SUSPENDED
    pay_in_full(invoice, D(2026, 1, 24))
    contract = reload(contract)
    assert contract.status == ContractStatus.ACTIVE
    suspension = contract.suspensions.get()
    assert (suspension.lifted_on, suspension.lift_reason) == (D(2026, 1, 24), "완납")
    lifted = suspension.history.order_by("-history_id").first()
    assert (lifted.history_actor, lifted.history_change_reason) == ("job:dunning", "완납")
    assert case_of(invoice).steps.get(action="suspend").cancelled_on == D(2026, 1, 24)
    walk(D(2026, 1, 24), D(2026, 2, 10))
    assert reload(contract).status == ContractStatus.ACTIVE
    assert not case_of(invoice).steps.filter(action="terminate").exists()


# --------------------------------------------------------------------------- kgmsg


@pytest.mark.django_db
@pytest.mark.usefixtures("presets", "after_due_jobs")
def test_kgmsg_ladder_notify_1_suspend_10_terminate_30():
    """SPEC §6 kgmsg (003 art.5, 13): notify 1, suspend 10, terminate 30."""
    from billing.services import usage

    contract = make_contract_on("kgmsg-standard", D(2026, 1, 5))
    usage.usage_record(contract=contract, day=D(2026, 1, 15), unit="sms", quantity=1_000, source_ref="k-1")
    invoice = first_invoice(contract)
    cal = BusinessCalendar()
    assert invoice.issue_date == cal.nth_business_day(2026, 2, 10)
    due = invoice.due_date
    walk(due, due + dt.timedelta(days=31))
    assert steps(invoice) == [
        (1, "notify", due + dt.timedelta(days=1), due + dt.timedelta(days=1)),
        (2, "suspend", due + dt.timedelta(days=10), due + dt.timedelta(days=10)),
        (3, "terminate", due + dt.timedelta(days=30), due + dt.timedelta(days=30)),
    ]
    contract = reload(contract)
    assert contract.status == ContractStatus.TERMINATED
    assert contract.suspensions.get().starts_on == due + dt.timedelta(days=10)
    case = case_of(invoice)
    assert step_notice(case, 1)["next_on"] == (due + dt.timedelta(days=10)).isoformat()
    assert step_notice(case, 1)["amount_won"] == invoice.total_won


# --------------------------------------------------------------------------- flow


@pytest.mark.django_db
@pytest.mark.usefixtures("presets", "after_due_jobs")
def test_flow_ladder_retries_observed_suspend_terminate_purge_collections(fake_gateway):  # noqa: F811
    """SPEC §6 flow (001 art.19-6): the collect_payments retries (BIL-8) at 0, 5 and 10 business days are
    recorded by the ladder, never charged twice; suspension after the last retry failed; the surcharge
    notice at 30; termination and deletion at the end of the next month, the data kept at least 30 days
    after the suspension (001 art.19-6-가); collections at 3 months (001 art.19-6-다)."""
    contract = make_contract_on("flow-business-monthly", D(2026, 1, 5))
    PaymentMethodFactory(customer=contract.customer, gateway_token="fail_card")
    invoice = first_invoice(contract)
    due = invoice.due_date
    assert due == D(2026, 2, 15)
    # another customer's contract suspended later (from 03-20) has no say in this contract's purge date
    from .test_suspension_fees import suspend

    suspend(make_contract_on("damoa-standard", D(2026, 1, 5)), D(2026, 3, 20))
    cal = BusinessCalendar()
    # 2026-02-15 is a Sunday and 02-16..18 Seollal: the first automatic charge goes on the next business
    # day, and the retries count business days from it (BIL-8, collection.next_attempt_on).
    first = cal.on_or_after(due)
    assert first == D(2026, 2, 19)
    retry2, retry3 = retry_dates(first_attempt_on=first, retry_count=2, window_business_days=10, calendar=cal)
    assert (retry2, retry3) == (D(2026, 2, 26), D(2026, 3, 6))  # 03-02: substitute holiday
    planned5 = step_date(due_date=due, day=5, business_days=True)
    planned10 = step_date(due_date=due, day=10, business_days=True)
    walk(due, D(2026, 5, 20))
    from billing.models import Payment

    attempts = list(Payment.objects.filter(invoice=invoice).order_by("attempt"))
    assert [(p.attempt, p.received_on, p.status) for p in attempts] == [
        (1, first, "failed"),
        (2, retry2, "failed"),
        (3, retry3, "failed"),
    ]  # charged three times in all: the ladder charged nothing
    recorded = steps(invoice)
    assert recorded == [
        # planned from the due date, recorded when collect_payments has made (and failed) each attempt
        (1, "retry_payment", due, first),
        (2, "retry_payment", planned5, retry2),
        (3, "retry_payment", planned10, retry3),
        (4, "suspend", planned10, retry3),
        (5, "notify", due + dt.timedelta(days=30), due + dt.timedelta(days=30)),
        (6, "terminate", D(2026, 3, 31), D(2026, 3, 31)),
        (7, "purge_data", D(2026, 3, 31), D(2026, 3, 31)),
        (8, "refer_to_collections", due + dt.timedelta(days=90), due + dt.timedelta(days=90)),
    ]
    case = case_of(invoice)
    for k, attempt in enumerate(attempts, start=1):  # each retry step names its own attempt and why
        assert attempt.failure_reason.startswith("declined")
        tried = f"{k}회차 시도, {attempt.received_on.isoformat()}"
        assert case.steps.get(index=k).detail == f"자동 결제 {k}회차 ({tried}): 실패 {attempt.failure_reason}"
    contract = reload(contract)
    assert contract.status == ContractStatus.TERMINATED
    suspension = contract.suspensions.get()
    assert suspension.starts_on == retry3
    assert dunning.purge_due_on(contract) == max(D(2026, 3, 31), retry3 + dt.timedelta(days=30))
    assert retry3 + dt.timedelta(days=30) == D(2026, 4, 5)
    assert case.steps.get(index=7).detail == f"purge_due_on=2026-04-05 데이터 파기 예정: {contract.number}"
    assert invoice.late_charges.filter(kind="surcharge").exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("presets", "after_due_jobs")
def test_flow_retry_that_succeeds_resolves_before_suspension(fake_gateway):  # noqa: F811
    """DUN-1, BIL-8: the second retry (third attempt) goes through → the case is resolved at once,
    nothing is suspended."""
    contract = make_contract_on("flow-business-monthly", D(2026, 1, 5))
    PaymentMethodFactory(customer=contract.customer, gateway_token="tok_flaky")
    fake_gateway.fail_first["tok_flaky"] = 2
    invoice = first_invoice(contract)
    walk(invoice.due_date, D(2026, 3, 20))
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert [s[1] for s in steps(invoice)] == ["retry_payment", "retry_payment"]  # attempt 3 succeeded
    assert case_of(invoice).status == DunningCase.Status.RESOLVED
    assert reload(contract).status == ContractStatus.ACTIVE


# --------------------------------------------------------------------------- DUN-3, DUN-4


@pytest.mark.django_db
@pytest.mark.usefixtures("presets", "after_due_jobs")
def test_pause_with_end_date_then_resume_in_order():
    """DUN-3: a paused ladder runs nothing until the end date; the steps whose dates passed run the day
    after, in order, each once."""
    contract = make_contract_on("officecore-standard-monthly", D(2026, 1, 5))
    invoice = first_invoice(contract)
    walk(D(2026, 1, 19), D(2026, 1, 24))
    with pytest.raises(DomainError):
        dunning.dunning_pause(
            customer=contract.customer, reason=" ", ends_on=D(2026, 2, 10), today=D(2026, 1, 25)
        )
    dunning.dunning_pause(
        customer=contract.customer, reason="담당자 확인 중", ends_on=D(2026, 2, 10), today=D(2026, 1, 25)
    )
    walk(D(2026, 1, 25), D(2026, 2, 10))
    assert [s[0] for s in steps(invoice)] == [1]
    assert case_of(invoice).status == DunningCase.Status.PAUSED
    assert Notice.objects.filter(event="dunning.paused", customer=contract.customer).exists()
    walk(D(2026, 2, 11), D(2026, 2, 11))
    walk(D(2026, 2, 11), D(2026, 2, 11))  # again: nothing new
    assert steps(invoice) == [
        (1, "notify", D(2026, 1, 20), D(2026, 1, 20)),
        (2, "notify", D(2026, 1, 26), D(2026, 2, 11)),
        (3, "restrict", D(2026, 2, 2), D(2026, 2, 11)),
    ]
    assert case_of(invoice).status == DunningCase.Status.OPEN
    assert reload(contract).restrictions == ["service"]


@pytest.mark.django_db
@pytest.mark.usefixtures("presets", "after_due_jobs")
def test_pause_cancelled_early_resumes_next_run():
    """DUN-3: staff may end a pause early."""
    contract = make_contract_on("officecore-standard-monthly", D(2026, 1, 5))
    invoice = first_invoice(contract)
    pause = dunning.dunning_pause(
        customer=contract.customer, reason="확인", ends_on=D(2026, 3, 1), today=D(2026, 1, 19)
    )
    walk(D(2026, 1, 19), D(2026, 1, 22))
    assert steps(invoice) == []
    dunning.dunning_pause_cancel(pause=pause, today=D(2026, 1, 22), reason="약속 불이행")
    assert DunningPause.objects.get().cancelled_on == D(2026, 1, 22)
    walk(D(2026, 1, 23), D(2026, 1, 23))
    assert [s[0] for s in steps(invoice)] == [1]


@pytest.mark.django_db
@pytest.mark.usefixtures("presets", "after_due_jobs")
def test_paid_up_second_contract_keeps_running():
    """DUN-4: restriction and termination act on the overdue contract only; the same customer's prepaid
    annual contract, paid up, keeps running."""
    monthly = make_contract_on("officecore-standard-monthly", D(2026, 1, 5))
    annual = make_contract_on(
        "officecore-standard-annual", D(2026, 1, 5), customer=monthly.customer, cycle="annual", term_months=12
    )
    invoicing.invoices_generate(today=D(2026, 1, 5))
    invoices = {i.schedule: i for i in Invoice.objects.filter(customer=monthly.customer)}
    pay_in_full(invoices["officecore-annual"], D(2026, 1, 10))
    walk(D(2026, 1, 19), D(2026, 2, 20))
    monthly, annual = reload(monthly), reload(annual)
    assert monthly.status == ContractStatus.TERMINATED
    assert monthly.restrictions == ["service"]
    assert annual.status == ContractStatus.ACTIVE
    assert annual.restrictions == []
    assert is_entitled(monthly.customer, "service", today=D(2026, 2, 20))
    assert DunningCase.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("presets", "after_due_jobs")
def test_whole_customer_special_term_restricts_every_contract():
    """DUN-4: when the terms (here a special term, CON-12) say the whole customer is affected, the paid-up
    contract is restricted too."""
    monthly = make_contract_on("officecore-standard-monthly", D(2026, 1, 5))
    annual = make_contract_on(
        "officecore-standard-annual", D(2026, 1, 5), customer=monthly.customer, cycle="annual", term_months=12
    )
    SpecialTerm.objects.create(
        contract=monthly,
        parameter="dunning_whole_customer",
        value=True,
        note="연체 시 전체 계약 제한",
        signed_on=D(2026, 1, 2),
    )
    invoicing.invoices_generate(today=D(2026, 1, 5))
    invoices = {i.schedule: i for i in Invoice.objects.filter(customer=monthly.customer)}
    pay_in_full(invoices["officecore-annual"], D(2026, 1, 10))
    walk(D(2026, 1, 19), D(2026, 2, 2))
    assert reload(monthly).restrictions == ["service"]
    assert reload(annual).restrictions == ["service"]
    assert not is_entitled(monthly.customer, "service", today=D(2026, 2, 2))


# --------------------------------------------------------------------------- idempotency, position


@pytest.mark.django_db
@pytest.mark.usefixtures("presets")
def test_running_twice_for_the_same_date_changes_nothing():
    """SPEC §10, §6: the job twice for one date executes each step once and notifies once."""
    contract = make_contract_on("officecore-standard-monthly", D(2026, 1, 5))
    invoice = first_invoice(contract)
    for day in (D(2026, 2, 2), D(2026, 2, 2)):
        counts = dunning.dunning_run(today=day)
    assert counts["steps"] == 0
    assert [s[0] for s in steps(invoice)] == [1, 2, 3]
    notices = Notice.objects.filter(event="dunning.step").values_list("dedupe_key", flat=True)
    assert sorted(set(notices)) == [f"dunning:{case_of(invoice).pk}:step:{i}" for i in (1, 2, 3)]
    assert (
        Notice.objects.filter(event="contract.restricted").count()
        == Notice.objects.filter(event="contract.restricted")
        .values("channel", "recipient")
        .distinct()
        .count()
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("presets")
def test_ladder_position_for_the_admin():
    """SPEC §6: the current step, the next step and its date, by invoice, customer or case."""
    contract = make_contract_on("officecore-standard-monthly", D(2026, 1, 5))
    invoice = first_invoice(contract)
    assert ladder_position(contract.customer, D(2026, 1, 19)) is None
    dunning.dunning_run(today=D(2026, 1, 21))
    position = ladder_position(invoice, D(2026, 1, 21))
    assert position.current is not None and position.current.index == 1
    assert (position.next_action, position.next_on, position.overdue_won) == (
        "notify",
        D(2026, 1, 26),
        invoice.total_won,
    )
    assert ladder_position(case=case_of(invoice), today=D(2026, 1, 21)).next_on == D(2026, 1, 26)
    assert ladder_position(contract.customer, D(2026, 1, 21)).invoice == invoice
    assert [p.action for p in position.plan] == ["notify", "notify", "restrict", "terminate"]


@pytest.mark.django_db
@pytest.mark.usefixtures("presets")
def test_step_dates_units_and_anchor():
    """SPEC §6: calendar days, business days (BIL-1 calendar) and flow's end of the next month."""
    assert step_date(due_date=D(2026, 2, 28), day=30) == D(2026, 3, 30)
    assert step_date(due_date=D(2026, 11, 2), day=10, business_days=True) == D(2026, 11, 16)
    assert step_date(due_date=D(2026, 1, 31), day=0, anchor="end_of_next_month") == D(2026, 2, 28)
    assert step_date(due_date=D(2026, 12, 15), day=0, anchor="end_of_next_month") == D(2027, 1, 31)


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_execute_each_step_once():
    """SPEC §10, §6: the dunning job on two threads for the same date (and then again) executes each
    step once, with one notice per step."""
    import threading

    from django.db import connection

    from contracts.presets import load_presets

    try:
        from messaging.defaults import ensure_default_templates
    except ImportError:  # pragma: no cover
        ensure_default_templates = None
    load_presets()
    if ensure_default_templates is not None:
        ensure_default_templates()
    contracts = [make_contract_on("officecore-standard-monthly", D(2026, 1, 5)) for _ in range(3)]
    invoices = [first_invoice(c) for c in contracts]
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def work() -> None:
        try:
            barrier.wait()
            dunning.dunning_run(today=D(2026, 2, 2))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    dunning.dunning_run(today=D(2026, 2, 2))
    for invoice, contract in zip(invoices, contracts, strict=True):
        assert [s[0] for s in steps(invoice)] == [1, 2, 3]
        assert reload(contract).restrictions == ["service"]
        case = case_of(invoice)
        keys = set(
            Notice.objects.filter(event="dunning.step", customer=contract.customer).values_list(
                "dedupe_key", flat=True
            )
        )
        assert keys == {f"dunning:{case.pk}:step:{i}" for i in (1, 2, 3)}
    assert DunningCase.objects.count() == 3


@pytest.mark.django_db
@pytest.mark.usefixtures("presets", "after_due_jobs")
def test_commands_run_the_jobs(capsys):
    """SPEC §10: ``manage.py dunning`` and ``apply_late_charges`` are ``run_jobs --job <name>``: one
    recorded run per date (or range), a date already done is not run again."""
    contract = make_contract_on("dcloud-vm-standard", D(2026, 1, 5))
    invoice = first_invoice(contract)
    call_command("dunning", "--date", "2026-03-01", "--until", "2026-03-02")
    call_command("dunning", "--date", "2026-03-01")
    call_command("apply_late_charges", "--date", "2026-04-01")
    out = capsys.readouterr().out
    assert "dunning 2026-03-01: " in out and "(not run: succeeded)" in out
    assert "apply_late_charges 2026-04-01" in out
    assert JobRun.objects.filter(job="dunning", as_of__in=[D(2026, 3, 1), D(2026, 3, 2)]).count() == 2
    assert JobRun.objects.filter(job="apply_late_charges", as_of=D(2026, 4, 1)).exists()
    assert [s[0] for s in steps(invoice)] == [1]
    assert invoice.late_charges.count() == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("presets")
def test_contract_restrict_and_unrestrict():
    """CON-1, CON-13: restriction is a list of blocked features on a live contract, audited in its
    history (no transition) and told to the customer once per change."""
    from contracts.services.restriction import contract_restrict, contract_unrestrict

    contract = make_contract_on("officecore-standard-monthly", D(2026, 1, 5))
    transitions = contract.transitions.count()
    contract_restrict(contract=contract, features=["export", "service"], today=D(2026, 2, 1), reason="점검")
    contract_restrict(contract=contract, features=["service"], today=D(2026, 2, 1), reason="점검")
    contract = reload(contract)
    assert contract.restrictions == ["export", "service"]
    assert contract.status == ContractStatus.ACTIVE and contract.transitions.count() == transitions
    assert Notice.objects.filter(event="contract.restricted").values("dedupe_key").distinct().count() == 1
    assert not is_entitled(contract.customer, "export", today=D(2026, 2, 1))
    contract_unrestrict(contract=contract, features=["export"], today=D(2026, 2, 2), reason="해소")
    assert reload(contract).restrictions == ["service"]
    contract_unrestrict(contract=contract, today=D(2026, 2, 2), reason="해소")
    assert reload(contract).restrictions == []
    assert contract.history.count() >= 3
    with pytest.raises(DomainError):
        contract_restrict(contract=contract, features=[], today=D(2026, 2, 2), reason="x")
    pending = make_contract_on(
        "officecore-standard-annual", D(2026, 3, 5), activate=False, cycle="annual", term_months=12
    )
    with pytest.raises(DomainError):
        contract_restrict(contract=pending, features=["service"], today=D(2026, 2, 2), reason="x")
