"""What-if before a terms change (issue 17): the next months replayed under the current version and under a
draft, side by side per customer, in a throw-away transaction (``billing.services.whatif``).

The book: an officecore customer (5 seats, paying by transfer on time) and a dcloud customer who stopped
paying (its January invoice, 287,419원, due 2026-02-28, is overdue on "today", 2026-03-10). The days from
activation to the day before "today" are replayed with the daily jobs first, so the what-if starts from a
book with history.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from typing import Any

import pytest
from django.apps import apps
from django.db import connections, transaction

from billing.models import DunningStep, Invoice, LateCharge
from billing.services.whatif import _gateway, csv_table, replay_days, whatif_run
from contracts.models import Plan, Policy
from contracts.policy import policy_clone, policy_update
from core import jobs
from core.errors import DomainError
from tests.billing.conftest import make_contract

D = dt.date
TODAY = D(2026, 3, 10)
EFFECTIVE = D(2026, 4, 1)


def _book() -> tuple[int, int]:
    """officecore at 10,000원 a seat × 5 seats (pays on time), dcloud standard (stopped paying)."""
    Plan.objects.filter(code="officecore-standard-monthly").update(monthly_price_per_seat_won=10_000)
    office = make_contract("officecore-standard-monthly", start=D(2026, 1, 5), seats=5)
    cloud = make_contract("dcloud-vm-standard", start=D(2026, 1, 5))
    replay_days(D(2026, 1, 5), TODAY - dt.timedelta(days=1), payers={office.customer_id}, gateway=_gateway())
    return office.pk, cloud.pk


@pytest.mark.django_db
def test_price_increase_shows_three_months_of_difference(presets):
    """TRM-6, BIL-5, BIL-3: 10,000 → 12,000원 a seat, 5 seats, advance billing on the 1st (officecore):
    the April, May and June invoices each grow by 5 × 2,000 = 10,000원 supply + 1,000원 VAT, so
    +30,000원 supply and +33,000원 billed over 3 months; nothing else changes."""
    _book()
    office = Plan.objects.get(code="officecore-standard-monthly")
    draft = policy_clone(policy=Policy.objects.get(code="officecore", version=1))
    invoices_before = Invoice.objects.count()

    result = whatif_run(
        draft=draft,
        today=TODAY,
        effective_on=EFFECTIVE,
        prices={office.pk: {"monthly_price_per_seat_won": 12_000}},
    )

    assert (result.effective_on, result.end, result.months) == (EFFECTIVE, D(2026, 6, 30), 3)
    [row] = result.rows  # only the officecore customer runs by this code
    assert (row.old.invoices, row.new.invoices) == (3, 3)
    assert (row.old.supply_won, row.new.supply_won) == (150_000, 180_000)
    assert row.supply_diff_won == 30_000
    assert (row.old.invoiced_won, row.new.invoiced_won, row.invoiced_diff_won) == (165_000, 198_000, 33_000)
    assert row.late_charges_diff_won == 0 and row.old.dunning_steps == row.new.dunning_steps == []
    assert "+33,000원" in result.summary()
    header, [csv_row] = csv_table(result)  # the CSV download's table
    assert header[0] == "고객" and csv_row[:11] == [
        row.legal_name,
        3,
        3,
        150_000,
        180_000,
        165_000,
        198_000,
        33_000,
        0,
        0,
        0,
    ]
    # thrown away: the plan keeps its price, the draft stays a draft without a release, no invoice was kept
    office.refresh_from_db()
    draft.refresh_from_db()
    assert office.monthly_price_per_seat_won == 10_000 and office.policy.version == 1
    assert draft.status == Policy.Status.DRAFT and not hasattr(draft, "release")
    assert Invoice.objects.count() == invoices_before


@pytest.mark.django_db
def test_late_fee_rate_and_dunning_day_on_an_overdue_customer(presets):
    """BIL-9, DUN-1, TRM-4: dcloud's late charge 1.5 % → 1.25 % a month and its third notice moved from day 25
    to day 20, effective 2026-04-01, one month. The January invoice (287,419원, due 02-28) stays unpaid; its
    March accrual is posted on 04-01, after the customer moved to the new version, but March's days ran
    under the old one, so both sides charge the old rate (BIL-9 reading: each day of lateness at the version
    in force that day): 287,419 × 1.5 % × 12 × 31/365 = 4,393.97 → 4,393원, no difference within this
    horizon. The February invoice (due 03-31) gets its third notice on 04-25 before and on 04-20 after; the
    other steps keep their days."""
    _book()
    v1 = Policy.objects.get(code="dcloud", version=1)
    draft = policy_clone(policy=v1)
    ladder = [dict(step, day=20) if step["day"] == 25 else step for step in v1.dunning_ladder]
    policy_update(policy=draft, changes={"late_charge_monthly_percent": "1.25", "dunning_ladder": ladder})

    result = whatif_run(draft=draft, today=TODAY, effective_on=EFFECTIVE, months=1)

    [row] = result.rows
    late = (row.old.late_charges_won, row.new.late_charges_won, row.late_charges_diff_won)
    assert late == (4_393, 4_393, 0)
    assert row.invoiced_diff_won == 0
    shared = [
        (D(2026, 4, 1), "notify"),
        (D(2026, 4, 4), "terminate"),
        (D(2026, 4, 4), "refer_to_collections"),
        (D(2026, 4, 15), "notify"),
    ]
    assert row.old.dunning_steps == [*shared, (D(2026, 4, 25), "notify"), (D(2026, 4, 30), "restrict")]
    assert row.new.dunning_steps == [*shared, (D(2026, 4, 20), "notify"), (D(2026, 4, 30), "restrict")]
    assert LateCharge.objects.filter(amount_won=4_393).count() == 0  # nothing kept


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"months": 0}, "whatif_months"),
        ({"months": 13}, "whatif_months"),
        ({"effective_on": TODAY}, "whatif_effective_on"),
        ({"prices": {"plan": {"monthly_price_per_seat_won": 1}}}, "whatif_plan"),
        ({"prices": {"own": {"setup_fee_won": 1}}}, "whatif_price_field"),
        ({"prices": {"own": {"monthly_price_per_seat_won": -1}}}, "whatif_price"),
    ],
)
def test_bad_input_is_refused_before_any_work(presets, kwargs, code):
    """TRM-1, TRM-2, TRM-6: a bad horizon, an effective date not after today, a plan of another version, a
    price field that is not a monthly price or a negative price: refused naming the field, nothing written."""
    draft = policy_clone(policy=Policy.objects.get(code="flow", version=1))
    own = Plan.objects.filter(policy__code="flow").order_by("pk").first()
    other = Plan.objects.filter(policy__code="damoa").order_by("pk").first()
    if "prices" in kwargs:
        [(key, changes)] = kwargs["prices"].items()
        plan = own if key == "own" else other
        assert plan is not None
        kwargs = {"prices": {plan.pk: changes}}
    with pytest.raises(DomainError) as refused:
        whatif_run(draft=draft, today=TODAY, **kwargs)
    assert refused.value.code == code and refused.value.field


@pytest.mark.django_db
def test_only_a_draft_with_a_published_predecessor(presets):
    """TRM-1, TRM-2: a published version has no what-if (it is no longer a proposal); a first version of a
    new code replaces nothing and binds nobody yet."""
    with pytest.raises(DomainError) as refused:
        whatif_run(draft=Policy.objects.get(code="flow", version=1), today=TODAY)
    assert refused.value.code == "whatif_not_draft"
    fresh = policy_clone(policy=Policy.objects.get(code="flow", version=1))
    Policy.objects.filter(pk=fresh.pk).update(code="brand-new", version=1)  # the first version of a new code
    fresh.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        whatif_run(draft=fresh, today=TODAY)
    assert refused.value.code == "whatif_no_previous"


_seen: list[tuple[str, int, int, int]] = []


def _probe(*, today: dt.date) -> dict[str, int]:
    """An extra daily job (registered by the test below): on the effective date, after the draft was applied
    in the what-if's open transaction, another connection reads what is committed."""
    if today != EFFECTIVE:
        return {}
    inside = Plan.objects.get(code="officecore-standard-monthly").monthly_price_per_seat_won

    def read() -> None:
        try:
            plan = Plan.objects.get(code="officecore-standard-monthly")
            _seen.append(
                ("outside", plan.monthly_price_per_seat_won, plan.policy.version, Invoice.objects.count())
            )
        finally:
            connections.close_all()

    reader = threading.Thread(target=read)
    reader.start()
    reader.join()
    _seen.append(("inside", inside, 0, Invoice.objects.count()))
    return {}


def _row_counts() -> dict[str, int]:
    return {m._meta.label: m._base_manager.count() for m in apps.get_models() if m._meta.managed}


@pytest.mark.django_db(transaction=True)
def test_nothing_is_committed_and_a_concurrent_reader_sees_the_book_unchanged(presets):
    """TRM-3 (issue 17): the replay happens in a transaction rolled back: every table has the same number of
    rows afterwards, and a second connection reading while the new side runs sees the committed price
    (10,000원) and version, not the draft's, and not the invoices being replayed."""
    _book()
    office = Plan.objects.get(code="officecore-standard-monthly")
    draft = policy_clone(policy=Policy.objects.get(code="officecore", version=1))
    committed_invoices = Invoice.objects.count()
    before = _row_counts()
    _seen.clear()
    jobs.register(jobs.JobSpec("whatif_probe", f"{__name__}._probe"))
    try:
        whatif_run(
            draft=draft,
            today=TODAY,
            effective_on=EFFECTIVE,
            months=1,
            prices={office.pk: {"monthly_price_per_seat_won": 12_000}},
        )
    finally:
        jobs.unregister("whatif_probe")
    assert _row_counts() == before
    outside = [s for s in _seen if s[0] == "outside"]
    inside = [s for s in _seen if s[0] == "inside"]
    assert outside == [("outside", 10_000, 1, committed_invoices)] * 2  # both sides
    assert [s[1] for s in inside] == [10_000, 12_000]  # old side, then new side (price applied)
    assert all(s[3] > committed_invoices for s in inside)  # the replay's invoices, visible only inside
    assert not transaction.get_connection().in_atomic_block
    assert DunningStep.objects.count() == before["billing.DunningStep"]


@pytest.fixture
def staff_client(client, settings):
    settings.CLOCK_TODAY = TODAY.isoformat()
    return client


@pytest.mark.django_db
def test_page_needs_the_change_permission(presets, staff_client):
    """ACC-11 (issue 17): the what-if runs every daily job of the book, so only who may change policies may
    open it; view-only staff are refused and nothing runs."""
    from django.contrib.auth.models import Permission

    from tests.factories import StaffUserFactory

    draft = policy_clone(policy=Policy.objects.get(code="flow", version=1))
    url = f"/admin/contracts/policy/{draft.pk}/whatif/"
    viewer: Any = StaffUserFactory()
    viewer.user_permissions.add(Permission.objects.get(codename="view_policy"))
    staff_client.force_login(viewer)
    assert staff_client.get(url).status_code == 403
    assert staff_client.post(url, {"months": 1}).status_code == 403
    editor: Any = StaffUserFactory()
    editor.user_permissions.add(*Permission.objects.filter(codename__in=["view_policy", "change_policy"]))
    staff_client.force_login(editor)
    page = staff_client.get(url)
    assert page.status_code == 200 and "whatif-form" in page.content.decode()
    change = staff_client.get(f"/admin/contracts/policy/{draft.pk}/change/").content.decode()
    assert url in change  # the draft's page links to it


@pytest.fixture
def eager_tasks() -> Any:
    """Celery tasks run in the test's process (as in the demo), the queue being the real one otherwise."""
    from celery import current_app

    before = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    yield
    current_app.conf.task_always_eager = before


@pytest.mark.django_db
def test_page_shows_the_table_and_downloads_the_csv(
    presets, staff_client, eager_tasks, django_capture_on_commit_callbacks
):
    """TRM-3, TRM-6, BIL-5 (issue 17): the form's proposed seat price (10,000 → 12,000원, 5 seats, officecore
    bills in advance on the 1st) replays one month in the background: the April invoice grows from 55,000원
    to 66,000원 (5 × 2,000 = 10,000원 supply + 1,000원 VAT); the run's page shows it with the won filter, the
    CSV has the same numbers (``csv_table``, checked in the price test), and nothing is kept."""
    from tests.factories import StaffUserFactory

    _book()
    draft = policy_clone(policy=Policy.objects.get(code="officecore", version=1))
    plan = Plan.objects.get(code="officecore-standard-monthly")
    customer = Invoice.objects.filter(lines__contract__plan=plan).first().customer  # type: ignore[union-attr]
    staff_client.force_login(StaffUserFactory(is_superuser=True))
    url = f"/admin/contracts/policy/{draft.pk}/whatif/"
    data: dict[str, Any] = {"months": 1, "effective_on": "2026-04-01"}
    for other in Plan.objects.filter(policy__code="officecore"):
        for name in ("monthly_fee_won", "monthly_price_per_seat_won", "annual_monthly_price_per_seat_won"):
            data[f"plan_{other.pk}_{name}"] = getattr(other, name)
    data[f"plan_{plan.pk}_monthly_price_per_seat_won"] = 12_000
    with django_capture_on_commit_callbacks(execute=True):
        queued = staff_client.post(url, data)
    assert queued.status_code == 302 and "?run=" in queued["Location"]
    page = staff_client.get(queued["Location"]).content.decode()
    assert "whatif-result" in page and customer.legal_name in page
    assert "55,000원" in page and "66,000원" in page and "+11,000원" in page
    empty = policy_clone(policy=Policy.objects.get(code="flow", version=1))  # nobody runs by flow here
    with django_capture_on_commit_callbacks(execute=True):
        queued = staff_client.post(f"/admin/contracts/policy/{empty.pk}/whatif/", {"months": 1})
    csv = staff_client.get(queued["Location"] + "&csv=1")
    assert csv["Content-Type"].startswith("text/csv")
    assert csv.content.decode("utf-8-sig").splitlines()[0].startswith("고객,")
    assert Plan.objects.get(pk=plan.pk).monthly_price_per_seat_won == 10_000


@pytest.mark.django_db
def test_a_queued_run_shows_its_state_and_bad_input_is_refused_before_queueing(
    presets, staff_client, django_capture_on_commit_callbacks
):
    """TRM-3 (issue 17): the replay takes minutes on a real book, so the page queues it (a Celery task) and
    refreshes until it is done; bad input is refused on the form at once and nothing is queued; a run is
    read only on its own draft's page."""
    from billing.services.whatif import WHATIF_TASK
    from tests.factories import StaffUserFactory

    draft = policy_clone(policy=Policy.objects.get(code="flow", version=1))
    other = policy_clone(policy=Policy.objects.get(code="officecore", version=1))
    staff_client.force_login(StaffUserFactory(is_superuser=True))
    url = f"/admin/contracts/policy/{draft.pk}/whatif/"
    with django_capture_on_commit_callbacks(execute=False) as queued_tasks:
        refused = staff_client.post(url, {"months": 0})
    assert refused.status_code == 200 and not queued_tasks  # the form says why; nothing queued
    with django_capture_on_commit_callbacks(execute=False) as queued_tasks:
        queued = staff_client.post(url, {"months": 1})
    assert len(queued_tasks) == 1  # the task is sent once the request commits (not run here)
    location = queued["Location"]
    running = staff_client.get(location).content.decode()
    assert "whatif-running" in running and 'http-equiv="refresh"' in running
    token = location.split("run=", 1)[1]
    elsewhere = staff_client.get(f"/admin/contracts/policy/{other.pk}/whatif/?run={token}").content.decode()
    assert "whatif-running" not in elsewhere and "errornote" in elsewhere
    assert "errornote" in staff_client.get(f"{url}?run=unknown0token").content.decode()
    assert WHATIF_TASK == "billing.tasks.whatif"


@pytest.mark.django_db
def test_command_writes_the_table_and_refuses_with_the_rule(presets, settings, tmp_path):
    """TRM-1 (issue 17): ``manage.py whatif`` runs the same what-if outside a request and writes the CSV; a
    published version is refused with the service's message, a malformed price before any work."""
    from django.core.management import CommandError, call_command

    settings.CLOCK_TODAY = TODAY.isoformat()
    with pytest.raises(CommandError, match="TRM-1"):
        call_command("whatif", str(Policy.objects.get(code="flow", version=1).pk))
    draft = policy_clone(policy=Policy.objects.get(code="flow", version=1))
    with pytest.raises(CommandError, match="PLAN_ID:FIELD=WON"):
        call_command("whatif", str(draft.pk), "--price", "seat=12000")
    out = tmp_path / "whatif.csv"
    call_command("whatif", str(draft.pk), "--months", "1", "--csv", str(out), stdout=io.StringIO())
    assert out.read_text(encoding="utf-8-sig").splitlines() == [
        "고객,종전 청구서 수,새 청구서 수,종전 공급가액(원),새 공급가액(원),"
        "종전 청구 금액(원),새 청구 금액(원),"
        "청구 금액 차이(원),종전 연체료(원),새 연체료(원),연체료 차이(원),종전 연체 조치,새 연체 조치"
    ]  # nobody runs by flow in this book: the header alone
