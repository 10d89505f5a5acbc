"""Issue 17: the operations dashboard (back office) and the customer dashboard (portal): the selectors'
numbers on a small book, exact to the won; who may open each page; each table as CSV.

Today is 2026-11-20 (the billing interface tests' clock). The book: customer A (the ``overdue`` fixture: an
invoice of 110,000 issued 2026-10-27, due 2026-11-10, on the day-1 "notify" step; the ``dispute`` fixture: an
invoice of 220,000 issued 2026-11-01, due 2026-11-15, with an open dispute of 50,000) and customer B (55,000
due 2026-09-15, 1,100 due 2026-07-15, a void invoice of 1,098,900 issued 2026-11-02).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.staff import ensure_staff_groups
from billing import selectors
from billing.models import DunningCase, DunningStep, Invoice
from billing.services.invoicing import invoice_preview, next_invoice_preview
from contracts.presets import load_presets
from core.clock import SEOUL
from messaging import selectors as messaging_selectors
from messaging.models import Message
from sla import selectors as sla_selectors
from sla.models import SlaClaim, SlaMonth
from tests.billing.bdocs_support import make_invoice
from tests.contracts.factories import PolicyFactory
from tests.factories import AdminMemberFactory, CustomerFactory, MemberFactory, StaffUserFactory

from .support import TODAY

pytestmark = pytest.mark.django_db

OPERATIONS = "admin:billing_operations_dashboard"


@pytest.fixture
def book(overdue, dispute):
    """Customer B's invoices and dunning cases next to customer A's (the fixtures)."""
    customer = CustomerFactory(legal_name="주식회사 대시보드")
    policy = PolicyFactory()
    late = make_invoice(
        customer, issue_date=dt.date(2026, 9, 1), lines=[("기본료 9월", 1, 50_000)], policy_obj=policy
    )
    oldest = make_invoice(
        customer, issue_date=dt.date(2026, 7, 1), lines=[("기본료 7월", 1, 1_000)], policy_obj=policy
    )
    make_invoice(
        customer,
        issue_date=dt.date(2026, 11, 2),
        lines=[("취소된 청구", 1, 999_000)],
        status=Invoice.Status.VOID,
        policy_obj=policy,
    )
    DunningCase.objects.create(
        invoice=late, customer=customer, opened_on=dt.date(2026, 11, 19)
    )  # no step yet
    done = DunningCase.objects.create(
        invoice=oldest, customer=customer, opened_on=dt.date(2026, 7, 16), status=DunningCase.Status.RESOLVED
    )
    DunningStep.objects.create(
        case=done,
        index=0,
        action="terminate",
        scheduled_on=dt.date(2026, 8, 14),
        executed_on=dt.date(2026, 8, 14),
        amount_won=1_100,
    )
    return {"customer": customer, "policy": policy, "late": late, "oldest": oldest}


def test_receivables_by_age_use_due_dates(book):
    """BIL-3, issue 17: open amounts of issued invoices by days past their due date (void ones never)."""
    buckets = selectors.receivables_by_age(TODAY)
    assert [(b.label, b.invoices, b.amount_won) for b in buckets] == [
        ("1–30", 2, 330_000),  # due 11-10 (10 days) and 11-15 (5 days): 110,000 + 220,000
        ("31–60", 0, 0),
        ("61–90", 1, 55_000),  # due 09-15: 66 days
        ("90+", 1, 1_100),  # due 07-15: 128 days
    ]
    assert buckets[0].due_from == dt.date(2026, 10, 21) and buckets[0].due_to == dt.date(2026, 11, 19)
    assert buckets[3].due_from is None and buckets[3].due_to == dt.date(2026, 8, 21)


def test_revenue_by_month_and_by_preset(book, overdue, dispute):
    """Issue 17: invoices issued per month (not void), every one of the last 12 months listed; split by the
    preset (policy code) they were issued under."""
    rows = selectors.revenue_by_month(TODAY)
    assert (
        len(rows) == 12
        and rows[0]["month"] == dt.date(2025, 12, 1)
        and rows[-1]["month"] == dt.date(2026, 11, 1)
    )
    billed = {r["month"]: (r["invoices"], r["supply_won"], r["total_won"]) for r in rows if r["invoices"]}
    assert billed == {
        dt.date(2026, 7, 1): (1, 1_000, 1_100),
        dt.date(2026, 9, 1): (1, 50_000, 55_000),
        dt.date(2026, 10, 1): (1, 100_000, 110_000),
        dt.date(2026, 11, 1): (1, 200_000, 220_000),
    }
    presets, months = selectors.revenue_by_preset(TODAY)
    codes = sorted([book["policy"].code, overdue.policy.code, dispute.invoice.policy.code])
    assert presets == codes
    by_month = {m["month"]: m for m in months}
    assert by_month[dt.date(2026, 9, 1)]["by_preset"][book["policy"].code] == 55_000
    assert by_month[dt.date(2026, 11, 1)]["by_preset"] == {
        book["policy"].code: 0,
        overdue.policy.code: 0,
        dispute.invoice.policy.code: 220_000,
    }
    assert [m["total_won"] for m in months] == [r["total_won"] for r in rows]


def test_dunning_step_counts_open_cases_by_their_last_step(book):
    """DUN-2, issue 17: open and paused cases by the step they are on; a resolved case is not counted."""
    assert selectors.dunning_step_counts() == [
        {"action": selectors.NO_STEP, "cases": 1, "customers": 1},
        {"action": "notify", "cases": 1, "customers": 1},
    ]


def test_open_disputes_with_their_answer_deadline(book, dispute):
    """BIL-10, issue 17: open disputes, their amount and those past the answer deadline."""
    numbers = selectors.open_disputes(TODAY)
    overdue = 1 if dispute.answer_due_on < TODAY else 0
    assert (numbers["count"], numbers["amount_won"], numbers["overdue"]) == (1, 50_000, overdue)
    assert numbers["oldest"] == [dispute]


def test_messages_by_day_are_seoul_days(book):
    """MSG-6, issue 17: messages per Seoul day (sent_at, else created_at): sent, delivered, failed."""
    customer = book["customer"]

    def message(status: str, at: dt.datetime) -> None:
        Message.objects.create(
            customer=customer,
            kind="sms",
            sender="0212345678",
            recipient="01012345678",
            text="안내",
            status=status,
            sent_at=at,
        )

    for _ in range(3):
        message(Message.Status.DELIVERED, dt.datetime(2026, 11, 19, 10, tzinfo=SEOUL))
    message(Message.Status.FAILED, dt.datetime(2026, 11, 19, 23, 59, tzinfo=SEOUL))
    message(Message.Status.FAILED, dt.datetime(2026, 11, 20, 0, 30, tzinfo=SEOUL))  # 11-19 15:30 UTC
    rows = messaging_selectors.messages_by_day(start=dt.date(2026, 11, 18), end=TODAY)
    assert rows == [
        {"day": dt.date(2026, 11, 18), "sent": 0, "delivered": 0, "failed": 0},
        {"day": dt.date(2026, 11, 19), "sent": 4, "delivered": 3, "failed": 1},
        {"day": dt.date(2026, 11, 20), "sent": 1, "delivered": 0, "failed": 1},
    ]


@pytest.fixture
def sla_book(db):
    """Closed SLA months of October 2026: two officecore contracts (99.8%, 99.2% with a credit) and one
    dcloud contract (100%); a dcloud month awaiting a claim (due 11-30), one whose window closed (11-10),
    one with a claim received."""
    from tests.sla.conftest import contract_for

    load_presets()
    office = [contract_for("officecore"), contract_for("officecore")]
    cloud = [contract_for("dcloud") for _ in range(4)]

    def month(contract, availability: str, status: str = "no_credit", **extra) -> SlaMonth:
        return SlaMonth.objects.create(
            contract=contract,
            month=dt.date(2026, 10, 1),
            service_minutes=44_640,
            counted_minutes=0,
            availability=Decimal(availability),
            closed_on=dt.date(2026, 11, 1),
            status=status,
            **extra,
        )

    month(office[0], "99.8")
    month(office[1], "99.2", "credited", credit_won=5_000)
    month(cloud[0], "100")
    waiting = month(cloud[1], "94", "awaiting_claim", credit_won=30_000, claim_due_on=dt.date(2026, 11, 30))
    month(cloud[2], "94", "awaiting_claim", credit_won=30_000, claim_due_on=dt.date(2026, 11, 10))
    claimed = month(cloud[3], "94", "awaiting_claim", credit_won=30_000, claim_due_on=dt.date(2026, 12, 31))
    claim = SlaClaim.objects.create(
        sla_month=claimed,
        contract=cloud[3],
        submitted_on=dt.date(2026, 11, 18),
        amount_won=30_000,
        basis="가용률 94%",
    )
    return {"waiting": waiting, "claim": claim}


def test_availability_by_service_from_closed_months(sla_book):
    """SLA-3, SLA-4, issue 17: per service and month, the contracts' mean and lowest availability and how
    many months earned a credit."""
    rows = sla_selectors.availability_by_service([dt.date(2026, 10, 1), dt.date(2026, 11, 1)])
    assert [
        (r["service"], r["month"], r["contracts"], r["mean"], r["lowest"], r["credited"]) for r in rows
    ] == [
        ("dcloud", dt.date(2026, 10, 1), 4, Decimal("95.500"), Decimal("94.000"), 3),
        ("officecore", dt.date(2026, 10, 1), 2, Decimal("99.500"), Decimal("99.200"), 1),
    ]


def test_claims_awaited_and_received(sla_book):
    """SLA-5, issue 17: months awaiting a claim whose window is still open, and claims awaiting a decision."""
    assert list(sla_selectors.months_awaiting_claim(TODAY)) == [sla_book["waiting"]]
    assert list(sla_selectors.open_claims()) == [sla_book["claim"]]


# --------------------------------------------------------------------------- the admin page


@pytest.fixture
def groups() -> None:
    ensure_staff_groups()


@pytest.mark.parametrize(
    ("group", "status", "sla_and_messages"),
    [
        (None, 403, False),
        ("sla", 403, False),
        ("messaging", 403, False),
        ("billing", 200, False),
        ("support", 200, True),
        ("compliance", 200, True),
    ],
)
def test_operations_dashboard_permission(groups, client, book, group, status, sla_and_messages):
    """ACC-11, issue 17: the page is for staff who may view invoices; the SLA and messaging charts only
    for who may also view those; staff without the permission get 403."""
    client.force_login(StaffUserFactory(groups=[group] if group else []))
    response = client.get(reverse(OPERATIONS))
    assert response.status_code == status
    if status == 200:
        ids = {table.id for table in response.context["tables"]}
        assert {"receivables", "revenue-month", "revenue-preset", "dunning-steps", "deadlines"} <= ids
        assert ("availability" in ids) is sla_and_messages and ("messages" in ids) is sla_and_messages


def test_operations_dashboard_shows_numbers_links_and_csv(admin_client, book, django_assert_max_num_queries):
    """Issue 17: the page shows the tables (amounts through ``won``), links each bar to its filtered list,
    and offers each table as CSV (``core.csvkit``); an unknown table is a 404."""
    with django_assert_max_num_queries(40):
        response = admin_client.get(reverse(OPERATIONS))
    body = response.content.decode()
    assert "330,000원" in body and "55,000원" in body and 'id="receivables-chart"' in body
    assert "vendor/chartjs/chart.umd.min.js" in body
    receivables = next(t for t in response.context["tables"] if t.id == "receivables")
    link = receivables.links["amount_won"][2]  # 61–90 days
    assert "due_date__gte=2026-08-22" in link and "due_date__lte=2026-09-20" in link
    listed = admin_client.get(link)
    assert listed.status_code == 200 and book["late"].number in listed.content.decode()
    steps = next(t for t in response.context["tables"] if t.id == "dunning-steps")
    listed = admin_client.get(steps.links["customers"][0])  # before the first step
    assert listed.status_code == 200
    assert [c.pk for c in listed.context["cl"].result_list] == [
        DunningCase.objects.get(invoice=book["late"]).pk
    ]
    download = admin_client.get(reverse(OPERATIONS), {"csv": "receivables"})
    assert download["Content-Type"].startswith("text/csv") and "attachment" in download["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows == [
        ["경과 일수", "청구서", "미수금"],
        ["1–30일", "2", "330000"],
        ["31–60일", "0", "0"],
        ["61–90일", "1", "55000"],
        ["90+일", "1", "1100"],
    ]
    assert admin_client.get(reverse(OPERATIONS), {"csv": "nope"}).status_code == 404


def test_operations_dashboard_is_in_the_admin_navigation(groups, client):
    """Issue 15, 17: the page is listed on the admin index for who may open it."""
    client.force_login(StaffUserFactory(groups=["billing"]))
    assert reverse(OPERATIONS) in client.get(reverse("admin:index")).content.decode()
    client.force_login(StaffUserFactory(groups=["sla"]))
    assert reverse(OPERATIONS) not in client.get(reverse("admin:index")).content.decode()


# --------------------------------------------------------------------------- the portal page


def test_customer_dashboard_shows_only_its_own_company(client, book, overdue, admin_member):
    """Issue 17: a member sees its own customer's balance and billing, never another customer's."""
    client.force_login(admin_member.user)
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 200
    assert response.context["balance"].open_won == 330_000
    billed = next(t for t in response.context["tables"] if t.id == "billed")
    assert {r["month"]: r["total_won"] for r in billed.rows if r["invoices"]} == {
        dt.date(2026, 10, 1): 110_000,
        dt.date(2026, 11, 1): 220_000,
    }
    body = response.content.decode()
    assert "330,000원" in body and "55,000원" not in body and "주식회사 대시보드" not in body
    download = client.get(reverse("portal:dashboard"), {"csv": "billed"})
    assert download.status_code == 200 and "110000" in download.content.decode("utf-8-sig")
    other = MemberFactory(customer=book["customer"])
    client.force_login(other.user)
    response = client.get(reverse("portal:dashboard"))
    assert response.context["balance"].open_won == 56_100
    assert "330,000원" not in response.content.decode()


def test_customer_dashboard_needs_a_member(client, groups):
    """ACC-4, issue 17: no login → the portal login; staff are not members."""
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 302 and reverse("portal:login") in response["Location"]
    client.force_login(StaffUserFactory(groups=["support"]))
    assert client.get(reverse("portal:dashboard")).status_code == 302


# --------------------------------------------------------------------------- the next invoice estimate


def test_next_invoice_estimate_is_the_invoice_runs_preview(client):
    """BIL-2, BIL-3, issue 17: the estimate is the run's own preview on the first day it would issue; a
    customer admin sees it, a plain member does not."""
    from tests.billing.conftest import make_contract

    load_presets()
    contract = make_contract("officecore-standard-monthly", start=dt.date(2026, 11, 3))
    day, drafts = next_invoice_preview(customer=contract.customer, today=TODAY)
    assert day is not None and day >= TODAY and drafts
    assert [d.total_won for d in drafts] == [
        d.total_won for d in invoice_preview(customer=contract.customer, today=day)
    ]
    assert invoice_preview(customer=contract.customer, today=day - dt.timedelta(days=1)) == [] or day == TODAY
    admin = AdminMemberFactory(customer=contract.customer)
    client.force_login(admin.user)
    response = client.get(reverse("portal:dashboard"))
    assert response.context["estimate_day"] == day
    assert response.context["estimate_total"] == sum(d.total_won for d in drafts)
    member = MemberFactory(customer=contract.customer)
    client.force_login(member.user)
    assert client.get(reverse("portal:dashboard")).context["estimate_day"] is None
