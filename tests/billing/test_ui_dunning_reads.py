"""The dunning back office reads (SPEC §6, §11): the dunning-case list costs the same queries for 2 and
10 cases, and the page-at-once ladder reading (``billing.selectors.ladder_positions``) says what the
dunning service says case by case. DUN-2, DUN-3, BIL-10, CON-12."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.models import DunningCase, InvoiceLine
from billing.selectors import dunning_rows, ladder_positions
from billing.services import disputes, dunning, ledger, payments
from contracts.models import DunningAction, SpecialTerm
from core import clock
from tests.billing.bdocs_support import make_invoice
from tests.billing.conftest import make_contract
from tests.contracts.factories import PolicyFactory
from tests.factories import AdminMemberFactory, CustomerFactory, StaffUserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.billing.urls_for_tests")]
TODAY = dt.date(2026, 11, 20)
LADDER = [
    {"day": 1, "action": "notify", "business_days": False},
    {"day": 15, "action": "notify", "business_days": True},
    {"day": 40, "action": "notify", "business_days": False},
]


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen(TODAY):
        yield


@pytest.fixture
def policy():
    return PolicyFactory(dunning_ladder=LADDER, dispute_window_days=60, dispute_answer_days=10)


def overdue_cases(policy, n: int, *, issue_date: dt.date = dt.date(2026, 10, 20)) -> list[DunningCase]:
    """``n`` customers with one overdue invoice each, walked by the dunning job to TODAY."""
    invoices = [
        make_invoice(
            CustomerFactory(), issue_date=issue_date, lines=[("기본료 10월", 1, 100_000)], policy_obj=policy
        )
        for _ in range(n)
    ]
    dunning.dunning_run(today=TODAY)
    return list(DunningCase.objects.filter(invoice__in=invoices).order_by("pk"))


def changelist_queries(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:billing_dunningcase_changelist"))
    assert response.status_code == 200
    return len(queries.captured_queries), response.content.decode()


def test_dunning_case_changelist_costs_the_same_queries_for_2_and_10_cases(admin_client, policy):
    """DUN-2 (SPEC §11 reads are cheap): the list shows each case's next step and date from one
    reading of the page; 2 cases and 10 cases (one paused, one disputed) cost the same queries."""
    first = overdue_cases(policy, 2)
    admin_client.get(reverse("admin:billing_dunningcase_changelist"))  # warm session/permission caches
    two, body = changelist_queries(admin_client)
    assert body.count('class="field-next_step">안내 (') == 2  # the next step with its date
    more = overdue_cases(policy, 8)
    dunning.dunning_pause(
        customer=more[0].customer,
        reason="특별 승인",
        ends_on=TODAY + dt.timedelta(days=10),
        today=TODAY,
        actor=StaffUserFactory(),
    )
    disputes.dispute_file(
        invoice=more[1].invoice,
        line=None,
        amount_won=10_000,
        reason="일부 이의",
        today=TODAY,
        member=AdminMemberFactory(customer=more[1].customer),
    )
    ten, body = changelist_queries(admin_client)
    assert DunningCase.objects.count() == 10 == len(first) + len(more)
    assert ten == two
    assert body.count('class="field-next_step">안내 (') == 10


def test_dunning_case_change_page_shows_the_next_step(admin_client, policy):
    """DUN-2: one case's page shows its next ladder step and date."""
    (case,) = overdue_cases(policy, 1)
    position = dunning.ladder_position(case=case, today=TODAY)
    assert position is not None and position.next_on is not None
    response = admin_client.get(reverse("admin:billing_dunningcase_change", args=[case.pk]))
    assert response.status_code == 200
    label = dict(DunningAction.choices)[position.next_action]  # issue 15: the step in words
    assert f"{label} ({position.next_on})" in response.content.decode()


@pytest.mark.usefixtures("presets")
def test_page_reading_matches_the_service_case_by_case(policy):
    """DUN-2, DUN-3, BIL-10, CON-12: for cases in every state (plain, paused, disputed, a contract's
    special-term ladder, paid and resolved) ``ladder_positions`` equals ``dunning.ladder_position``."""
    _plain, paused, disputed, paid = overdue_cases(policy, 4)
    contract = make_contract("officecore-standard-monthly")
    SpecialTerm.objects.create(
        contract=contract,
        parameter="dunning_ladder",
        value=[{"day": 3, "action": "notify", "business_days": False}, {"day": 45, "action": "notify"}],
        note="연체 안내 일정 특약",
        signed_on=dt.date(2026, 1, 2),
    )
    special_invoice = make_invoice(
        contract.customer, issue_date=dt.date(2026, 10, 20), lines=[("기본료", 1, 50_000)], policy_obj=policy
    )
    InvoiceLine.objects.filter(invoice=special_invoice).update(contract=contract)
    dunning.dunning_pause(
        customer=paused.customer,
        reason="특별 승인",
        ends_on=TODAY + dt.timedelta(days=20),
        today=TODAY,
        actor=StaffUserFactory(),
    )
    disputes.dispute_file(
        invoice=disputed.invoice,
        line=None,
        amount_won=30_000,
        reason="일부 이의",
        today=TODAY,
        member=AdminMemberFactory(customer=disputed.customer),
    )
    dunning.dunning_run(today=TODAY)
    payments.payment_record(
        customer=paid.customer,
        amount_won=ledger.invoice_open_amount(paid.invoice),
        method="bank_transfer",
        received_on=TODAY,
        invoice=paid.invoice,
        today=TODAY,
    )
    cases = list(DunningCase.objects.order_by("pk"))
    assert len(cases) == 5
    page = ladder_positions(cases, TODAY)
    for case in cases:
        expected = dunning.ladder_position(case=case, today=TODAY)
        got = page[case.pk]
        assert expected is not None
        assert (got.next_action, got.next_on, got.overdue_won, got.paused_until) == (
            expected.next_action,
            expected.next_on,
            expected.overdue_won,
            expected.paused_until,
        ), case
        assert [s.pk for s in got.executed] == [s.pk for s in expected.executed]
        assert [(p.index, p.on) for p in got.plan] == [(p.index, p.on) for p in expected.plan]
    special = page[DunningCase.objects.get(invoice=special_invoice).pk]
    assert [p.day for p in special.plan] == [3, 45]  # the special term's ladder, not the policy's
    assert page[paused.pk].paused_until == TODAY + dt.timedelta(days=20)
    assert page[disputed.pk].overdue_won == 110_000 - 33_000  # the dispute (VAT incl.) is held out
    assert page[paid.pk].next_step is None


def test_portal_dunning_rows_read_the_page_at_once(policy):
    """DUN-2: the portal/API rows come from the same page reading (open amount, next step, pause)."""
    (case,) = overdue_cases(policy, 1)
    (row,) = dunning_rows(case.customer, TODAY)
    expected = dunning.ladder_position(case=case, today=TODAY)
    assert expected is not None and row.next is not None
    assert (row.open_won, row.overdue_won, row.next.action, row.next.on) == (
        110_000,
        expected.overdue_won,
        expected.next_action,
        expected.next_on,
    )
