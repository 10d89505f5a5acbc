"""Issue 15: the back office as staff meet it, in a real browser on the demo book.

* A new customer applies in the portal; a support agent finds the review queue from the admin index,
  approves the application through the confirmation page; the daily activation job opens the service
  and the customer sees the live contract (CON-1, CON-4).
* At 1,366 px the key columns of the main lists (status, due date, open amount…) are on screen.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Customer
from contracts import jobs as contract_jobs
from contracts.management.commands.seed_demo import DEMO_PASSWORD
from contracts.models import Contract, ContractStatus
from contracts.selectors import active_plans
from tests.e2e.conftest import DEMO_TODAY
from tests.factories import AdminMemberFactory, CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)

PLAN_CODE = "flow-business-monthly"  # no required documents (CON-3)
PLAN_NAME = "플로우 비즈니스 (월간)"
VIEWPORT_WIDTH = 1366


def _new_customer() -> tuple[Customer, str]:
    customer = CustomerFactory(legal_name="주식회사 처음고객")
    member = AdminMemberFactory(customer=customer, login_id="first-admin", name="신입 관리자")
    member.user.set_password(DEMO_PASSWORD)
    member.user.save()
    return customer, member.login_id


def test_a_new_customer_applies_staff_approve_through_the_queue_and_the_contract_goes_live(
    demo_book: str, page: Page, portal_login: Any, admin_login: Any, live_server: Any
) -> None:
    """CON-1, CON-4, issue 15: apply in the portal → the support agent reaches "신청 심사 대기" from the
    admin index, selects the application, confirms on the page that lists it → approved; the activation
    job on the activation date → the customer's contract page shows it live."""
    customer, login_id = _new_customer()

    # The customer applies.
    portal_login(login_id)
    page.goto(f"{live_server.url}/contracts/apply/")
    plan = active_plans().get(code=PLAN_CODE)
    page.select_option("select[name=plan]", value=str(plan.pk))
    page.fill("input[name=requested_start]", DEMO_TODAY.isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="신청하기").click()
    contract = Contract.objects.get(customer=customer)
    assert contract.status == ContractStatus.APPLIED
    expect(page.locator("body")).to_contain_text(str(ContractStatus.APPLIED.label))

    # A support agent finds the queue from the admin index and approves it through the confirmation.
    page.context.clear_cookies()
    admin_login("ops-support")
    with page.expect_navigation():
        page.get_by_role("link", name="신청 심사 대기").first.click()
    assert "/admin/contracts/contract/queue/" in page.url
    row = page.locator("#result_list tbody tr", has_text=customer.legal_name)
    expect(row).to_have_count(1)
    row.locator("input.action-select").check()
    page.select_option("select[name=action]", "approve_selected")
    with page.expect_navigation():
        page.locator("button[name=index]").click()
    expect(page.locator("ul.chosen-contracts")).to_contain_text(contract.number)
    expect(page.locator(".confirm-question")).to_be_visible()
    contract.refresh_from_db()
    assert contract.status == ContractStatus.APPLIED  # nothing approved before the confirmation
    with page.expect_navigation():
        page.locator(".submit-row input[type=submit]").click()
    expect(page.locator("ul.messagelist")).to_contain_text("1건")
    contract.refresh_from_db()
    assert contract.status == ContractStatus.APPROVED

    # The daily activation job runs on the activation date.
    contract_jobs.activate_contracts(today=DEMO_TODAY)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE

    # The customer sees the live contract.
    page.context.clear_cookies()
    portal_login(login_id)
    page.goto(f"{live_server.url}/contracts/{contract.pk}/")
    expect(page.locator("body")).to_contain_text(str(ContractStatus.ACTIVE.label))
    expect(page.locator("body")).to_contain_text(PLAN_NAME)


#: changelist URL → the key column headers (Django's ``column-<name>`` classes) that must be on screen.
KEY_COLUMNS = {
    "/admin/billing/invoice/": ("number", "customer", "status", "due_date", "open_amount"),
    "/admin/billing/payment/": ("received_on", "customer", "amount", "status"),
    "/admin/contracts/contract/": ("number_display", "customer", "status", "activation_display"),
    "/admin/billing/dunningcase/": ("invoice", "customer", "status", "due_date", "overdue_amount"),
    "/admin/accounts/customer/": ("legal_name", "status"),
    "/admin/billing/dispute/": ("customer", "amount", "status", "answer_due"),
    "/admin/messaging/message/": ("customer", "status", "recipient"),
}


def test_the_key_columns_of_the_main_lists_fit_1366_px(
    demo_book: str, page: Page, admin_login: Any, live_server: Any
) -> None:
    """Issue 15: at 1,366 px every main changelist shows its key columns (status, due date, open
    amount…) within the viewport, and the table itself is no wider than the window."""
    admin_login("admin")
    for url, columns in KEY_COLUMNS.items():
        page.goto(f"{live_server.url}{url}")
        expect(page.locator("#result_list")).to_be_visible()
        width = page.evaluate("() => document.documentElement.clientWidth")
        assert width <= VIEWPORT_WIDTH
        for name in columns:
            header = page.locator(f"#result_list thead th.column-{name}")
            expect(header).to_have_count(1)
            box = header.bounding_box()
            assert box is not None, (url, name)
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, (url, name, box, width)
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (url, f"the page is {overflow}px wider than the window")
