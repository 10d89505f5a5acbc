"""SPEC §6, §11 dunning in the interfaces: the back office (dunning cases, ladder pauses, late charges,
the dashboard, the changelists of every after-due model), the portal's dunning status and the API's
dunning list. DUN-2, DUN-3, BIL-9."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from billing.models import (
    DunningPause,
    LateCharge,
)
from tests.billing.bdocs_support import api_client_for, make_invoice
from tests.factories import AdminMemberFactory

from .support import API, act, url

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.billing.urls_for_tests")]


SMOKE = [
    ("dunningcase", {"status__exact": "open"}),
    ("dunningcase", {"preset": "custom"}),
    ("dunningpause", {}),
    ("dispute", {"status__exact": "open"}),
    ("dispute", {"answer": "overdue"}),
    ("dispute", {"answer": "due_soon"}),
    ("latecharge", {"kind__exact": "late_fee"}),
    ("refund", {"status__exact": "requested"}),
    ("settlement", {}),
]


@pytest.mark.parametrize(("model", "filters"), SMOKE)
def test_admin_changelists_search_and_filters(admin_client, case, dispute, refund, model, filters):
    """SPEC §11: each after-due model has a changelist, search by customer and filters."""
    assert admin_client.get(url(model)).status_code == 200
    assert admin_client.get(url(model), {"q": "연체테스트"}).status_code == 200
    assert admin_client.get(url(model), filters).status_code == 200


def test_dunning_case_list_shows_amount_step_and_next_step(admin_client, case, overdue):
    """DUN-2: the case list shows the overdue amount, the step reached, and the next step with its date
    from ``dunning.ladder_position``; the change page has the read-only step log."""
    body = admin_client.get(url("dunningcase")).content.decode()
    assert overdue.number in body and "110,000" in body
    assert "안내 (2026-11-20)" in body  # the day-1 step (planned 11-11) ran on the first run
    assert "안내 (2026-12-10)" in body  # next: day 30 after 2026-11-10 (issue 15: the step in words)
    assert "notify (" not in body
    response = admin_client.get(url("dunningcase", "change", case.pk))
    assert response.status_code == 200
    assert "2026-11-11" in response.content.decode() or "2026년 11월 11일" in response.content.decode()
    assert admin_client.get(url("dunningcase"), {"q": overdue.number}).status_code == 200


def test_pause_ladder_action_calls_dunning_pause(admin_client, case):
    """DUN-3: the "pause" action asks for a reason and an end date, then pauses the customer's ladder."""
    response = act(admin_client, "dunningcase", "pause_ladder", [case.pk])
    assert response.status_code == 200 and "종료일" in response.content.decode()
    act(
        admin_client,
        "dunningcase",
        "pause_ladder",
        [case.pk],
        apply="1",
        reason="특별 승인: 대표 면담",
        ends_on="2026-12-05",
    )
    pause = DunningPause.objects.get(customer=case.customer)
    assert pause.ends_on == dt.date(2026, 12, 5) and "특별 승인" in pause.reason
    assert pause.created_by is not None


def test_pause_add_form_errors_next_to_field_and_creates(admin_client, case):
    """DUN-3: the pause add form goes through ``dunning_pause``; a refusal is shown next to its field."""
    assert admin_client.get(url("dunningpause", "add")).status_code == 200
    response = admin_client.post(
        url("dunningpause", "add"), {"customer": case.customer_id, "reason": "승인", "ends_on": "2026-11-01"}
    )
    assert response.status_code == 200
    assert "DUN-3" in response.content.decode()
    assert not DunningPause.objects.exists()
    response = admin_client.post(
        url("dunningpause", "add"), {"customer": case.customer_id, "reason": "승인", "ends_on": "2026-11-30"}
    )
    assert response.status_code == 302
    assert DunningPause.objects.filter(customer=case.customer, ends_on=dt.date(2026, 11, 30)).exists()
    assert admin_client.get(url("dunningpause")).status_code == 200


def test_late_charges_are_read_only(admin_client, overdue):
    """BIL-9: late charges are listed, never added or edited here."""
    charge = LateCharge.objects.create(
        invoice=overdue,
        kind=LateCharge.Kind.LATE_FEE,
        period_start=dt.date(2026, 11, 11),
        period_end=dt.date(2026, 11, 20),
        days=10,
        base_won=110_000,
        amount_won=542,
        formula="110,000 × 1.5% × 12 × 10/365",
    )
    body = admin_client.get(url("latecharge")).content.decode()
    assert "542" in body
    assert admin_client.get(url("latecharge", "add")).status_code == 403
    assert admin_client.get(url("latecharge", "change", charge.pk)).status_code == 200


def test_dashboard_overdue_by_age_revenue_and_disputes(
    admin_client, overdue, dispute, django_assert_max_num_queries
):
    """SPEC §11: overdue amounts by age (1–30 …), revenue by month, open disputes — aggregate queries."""
    old = make_invoice(overdue.customer, issue_date=dt.date(2026, 7, 1), lines=[("기본료 7월", 1, 1_000)])
    assert old.due_date == dt.date(2026, 7, 15)  # 128 days overdue → 90+
    with django_assert_max_num_queries(20):
        response = admin_client.get(reverse("admin:billing_after_due_dashboard"))
    assert response.status_code == 200
    context = response.context
    buckets = {b["label"]: b["amount_won"] for b in context["buckets"]}
    # 1–30: the overdue invoice (due 11-10) and the disputed one (due 11-15); 90+: due 07-15
    assert buckets["1–30"] == 110_000 + 220_000 and buckets["90+"] == 1_100 and buckets["31–60"] == 0
    months = {row["month"].strftime("%Y-%m"): row["total_won"] for row in context["revenue"]}
    assert months["2026-11"] == 220_000 and months["2026-10"] == 110_000 and months["2026-07"] == 1_100
    assert context["open_disputes"]["count"] == 1 and context["open_disputes"]["overdue"] == 1
    listing = admin_client.get(url("dunningcase")).content.decode()  # the list links to the dashboard
    assert reverse("admin:billing_after_due_dashboard") in listing


def test_portal_dunning_status_shows_amount_next_step_and_date(client, member, overdue):
    """DUN-2: the overdue invoice, the amount, the next step and its date."""
    client.force_login(member.user)
    body = client.get(reverse("portal:dunning_status")).content.decode()
    assert overdue.number in body and "110,000" in body
    assert "안내" in body and "2026-12-10" in body
    assert "notify" not in body  # the step's label, never its code (issue 15)


def test_api_dunning_lists_open_cases_with_next_step(member, overdue):
    """DUN-2: the customer's open cases with the amount, the next step and its date."""
    response = api_client_for(member).get(f"{API}/dunning/")
    assert response.status_code == 200
    [row] = response.json()
    assert row["invoice_number"] == overdue.number and row["open_won"] == 110_000
    assert row["last_action"] == "notify" and row["next_action"] == "notify"
    assert row["next_action_on"] == "2026-12-10"
    assert api_client_for(AdminMemberFactory()).get(f"{API}/dunning/").json() == []
